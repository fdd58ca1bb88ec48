"""The navigation icons: line drawings in ``resources/icons/workspaces/*.svg``, recoloured on load.

Each SVG is drawn in exactly one colour, ``#000000``. Rather than ship a set per theme, the loader
swaps that colour for the palette's text colour (or one the caller asks for) before rendering, so
the same twelve files serve Windows' light and dark modes and its high-contrast themes, where the
icons must take the user's chosen foreground colour to stay visible.

Rendering goes through ``QSvgRenderer`` into transparent pixmaps at the sizes a sidebar or toolbar
asks for, at 1x and at the screens' device pixel ratio, so Qt never scales a bitmap up.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.resources import resource_path

ICON_DIR = "icons/workspaces"
INK = "#000000"  # the one colour every icon is drawn in; replaced on load
SIZES = (16, 20, 24, 32, 48)
_NAME = re.compile(r"[a-z0-9_-]+")


def _folder() -> Path:
    return resource_path(ICON_DIR)


def icon_names() -> list[str]:
    """The names of the bundled icons (file stems), sorted."""
    return sorted(p.stem for p in _folder().glob("*.svg"))


@lru_cache(maxsize=64)
def svg_text(name: str) -> str:
    """The SVG source of icon ``name``, as drawn (in ``#000000``). Raises ``KeyError`` if unknown."""
    path = _folder() / f"{name}.svg"
    if not _NAME.fullmatch(name) or not path.is_file():
        raise KeyError(name)
    return path.read_text(encoding="utf-8")


def _device_pixel_ratio() -> float:
    """The highest device pixel ratio among the screens (1.0 without any)."""
    screens = QGuiApplication.screens()
    return max((s.devicePixelRatio() for s in screens), default=1.0)


def _render(renderer: QSvgRenderer, size: int, ratio: float, opacity: float) -> QPixmap:
    """One pixmap of ``size`` logical pixels at ``ratio``. UI thread."""
    side = round(size * ratio)
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(opacity)
    renderer.render(painter)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def icon(name: str, color: QColor | None = None) -> QIcon:
    """Icon ``name`` drawn in ``color`` (default: the application palette's window text). UI thread.

    Raises ``KeyError`` for an unknown name. A translucent colour is honoured through the
    painter's opacity (SVG colours here are opaque ``#rrggbb``).
    """
    source = svg_text(name)
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    recoloured = source.replace(INK, color.name(QColor.NameFormat.HexRgb))
    renderer = QSvgRenderer(QByteArray(recoloured.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError(f"icon {name!r} is not valid SVG")
    ratios = {1.0, _device_pixel_ratio()}
    result = QIcon()
    for ratio in sorted(ratios):
        for size in SIZES:
            result.addPixmap(_render(renderer, size, ratio, color.alphaF()))
    return result
