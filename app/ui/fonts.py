"""Register the bundled CJK font so Chinese never renders as boxes. UI thread."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.resources import CJK_FONT, CJK_FONT_FAMILY, resource_path

log = logging.getLogger(__name__)


def register_fonts(app: QApplication, point_size: float = 10.0) -> str:
    """Load WenQuanYi Micro Hei from resources and make it the application font.

    Returns the family name in use. The system's fonts stay as fallbacks.
    """
    path = resource_path(CJK_FONT)
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.error("bundled font could not be loaded: %s", path.name)
        return app.font().family()
    family = CJK_FONT_FAMILY if CJK_FONT_FAMILY in families else families[0]
    font = QFont(family)
    font.setPointSizeF(point_size)
    app.setFont(font)
    return family
