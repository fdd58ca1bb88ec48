"""The navigation icons: the SVG files keep to the one-colour line style the loader relies on, and
``app.ui.icons`` really recolours them (pixels checked) for light, dark and high-contrast palettes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QByteArray, QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtSvg import QSvgRenderer

from app.resources import resource_path
from app.ui.icons import SIZES, icon, icon_names, svg_text

EXPECTED = {
    "today", "clients", "scenarios", "whitelist", "campaigns", "followups",
    "sheets", "reports", "sync", "search", "help", "guide",
}
SVG_NS = "{http://www.w3.org/2000/svg}"
SHAPES = {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon"}
COLOUR_ATTRS = {"fill", "stroke", "color", "stop-color", "flood-color", "lighting-color"}
FORBIDDEN_ATTRS = {"style", "class", "filter", "mask", "clip-path", "opacity", "fill-opacity", "stroke-opacity"}
NAMES = icon_names()


def _tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG_NS)


def _image(name: str, color: QColor) -> QImage:
    pixmap = icon(name, color).pixmap(24, 24)
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    side = round(24 * pixmap.devicePixelRatio())  # 24 on a 1x screen
    assert (image.width(), image.height()) == (side, side)
    return image


def _inked(image: QImage, min_alpha: int = 64) -> list[QColor]:
    """The colours (unpremultiplied) of the pixels at least ``min_alpha`` opaque."""
    colours = (image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width()))
    return [c for c in colours if c.alpha() >= min_alpha]


def _assert_all(image: QImage, expected: QColor, tolerance: int = 6) -> None:
    inked = _inked(image)
    assert sum(c.alpha() == 255 for c in inked) >= 20, "hardly any solid strokes drawn"
    for c in inked:
        diff = max(abs(c.red() - expected.red()), abs(c.green() - expected.green()), abs(c.blue() - expected.blue()))
        assert diff <= tolerance, f"pixel {c.name()} (alpha {c.alpha()}) is not {expected.name()}"


def test_every_expected_icon_exists() -> None:
    assert set(NAMES) >= EXPECTED, f"missing: {sorted(EXPECTED - set(NAMES))}"
    assert sorted(NAMES) == NAMES
    for name in EXPECTED:
        assert (resource_path("icons/workspaces") / f"{name}.svg").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_svg_keeps_to_the_house_style(name: str) -> None:
    path = resource_path("icons/workspaces") / f"{name}.svg"
    raw = path.read_bytes()
    assert len(raw) <= 2048
    text = raw.decode("utf-8")
    assert text == svg_text(name)
    root = ET.fromstring(text)
    assert _tag(root) == "svg"
    assert root.get("viewBox") == "0 0 24 24"
    assert (root.get("width"), root.get("height")) == ("24", "24")
    assert root.get("fill") == "none"
    assert root.get("stroke-linecap") == "round" and root.get("stroke-linejoin") == "round"
    assert 1.75 <= float(root.get("stroke-width", "0")) <= 2
    for element in root.iter():
        assert _tag(element) in SHAPES, f"{name}: <{_tag(element)}> is not allowed"
        assert not (element.text or "").strip(), f"{name}: text content in <{_tag(element)}>"
        for attr, value in element.attrib.items():
            assert "href" not in attr, f"{name}: {attr}"
            assert attr not in FORBIDDEN_ATTRS, f"{name}: {attr}"
            assert "url(" not in value and "gradient" not in value.lower(), f"{name}: {attr}={value}"
            if attr in COLOUR_ATTRS:
                assert value in {"#000000", "none"}, f"{name}: {attr}={value}"
    # no colour sneaks in any other way (rgb(), other hex codes)
    assert set(re.findall(r"#[0-9a-fA-F]{3,8}\b", text)) <= {"#000000"}
    assert "rgb" not in text.lower()
    assert "#000000" in text


@pytest.mark.parametrize("name", NAMES)
def test_svg_renders(qapp, name: str) -> None:
    renderer = QSvgRenderer(QByteArray(svg_text(name).encode("utf-8")))
    assert renderer.isValid()
    assert renderer.defaultSize() == QSize(24, 24)


@pytest.mark.parametrize("name", NAMES)
def test_icon_is_recoloured(qapp, name: str) -> None:
    white, blue = QColor("#ffffff"), QColor("#1f6feb")
    on_white = _image(name, white)
    on_blue = _image(name, blue)
    _assert_all(on_white, white)
    _assert_all(on_blue, blue)
    # same drawing, different ink: the alpha masks agree and the pixels do not
    assert on_white != on_blue
    side = on_white.width()
    alpha = [[on_white.pixelColor(x, y).alpha() for x in range(side)] for y in range(side)]
    assert alpha == [[on_blue.pixelColor(x, y).alpha() for x in range(side)] for y in range(side)]


def test_icon_has_every_size(qapp) -> None:
    sizes = icon("today", QColor("#000000")).availableSizes()
    for size in SIZES:
        assert QSize(size, size) in sizes
    for size in SIZES:
        pixmap = icon("search", QColor("#ff0000")).pixmap(size, size)
        assert pixmap.width() == round(size * pixmap.devicePixelRatio())


def test_default_colour_is_the_palettes_window_text(qapp) -> None:
    previous = QGuiApplication.palette()
    palette = QPalette(previous)
    high_contrast_yellow = QColor("#ffff00")
    palette.setColor(QPalette.ColorRole.WindowText, high_contrast_yellow)
    QGuiApplication.setPalette(palette)
    try:
        _assert_all(icon("help").pixmap(24, 24).toImage().convertToFormat(QImage.Format.Format_ARGB32),
                    high_contrast_yellow)
    finally:
        QGuiApplication.setPalette(previous)


@pytest.mark.parametrize("name", ["nope", "", "../icons/branchdesk", "today.svg", "TODAY"])
def test_unknown_name_raises_key_error(qapp, name: str) -> None:
    with pytest.raises(KeyError):
        svg_text(name)
    with pytest.raises(KeyError):
        icon(name, QColor("#ffffff"))
