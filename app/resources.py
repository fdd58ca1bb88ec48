"""Where bundled files live: the source tree, an installed wheel, or a frozen app.

All three keep the same layout under a ``resources`` folder: ``fonts/``,
``translations/``, ``icons/``. Callers ask for a relative path and get a real
file path (PyInstaller unpacks data files into ``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path

CJK_FONT = "fonts/wqy-microhei.ttc"
CJK_FONT_FAMILY = "WenQuanYi Micro Hei"


def resources_dir() -> Path:
    """The ``resources`` folder of this installation."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    import resources

    return Path(resources.__file__).resolve().parent


def resource_path(relative: str) -> Path:
    """Absolute path of a bundled file (it may not exist: callers check)."""
    return resources_dir() / relative
