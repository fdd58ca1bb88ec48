"""How the app looks to the person using it: text size (100–150 %) and colour scheme.

Staff in rural outlets are often older and work on small screens, so the text size is a
setting every screen honours: the application font is the bundled CJK font at
``BASE_POINT_SIZE`` times the chosen percentage, and headings are sized *relative* to it
through ``emphasize`` (never an absolute size), so a change applies at once to every open
window. The colour scheme follows Windows (light, dark, high contrast: every style sheet here
uses ``palette(...)`` roles or the meaning-named colours below, ``good()``, ``bad()``, ``warn()``…,
each with a side for a light and for a dark window, never fixed colours, and the icons are
recoloured from the palette) or is forced to light or dark. Both are kept per PC user in
``ui.ini``. UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from app.ui import settings as opts

BASE_POINT_SIZE = 10.0
TEXT_SIZES = (100, 115, 125, 150)  # percent
THEMES = ("system", "light", "dark")
_FACTOR = "emphasisFactor"  # a widget property: its font is the application font times this
_BOLD = "emphasisBold"


def emphasize(widget: QWidget, factor: float = 1.0, *, bold: bool = True) -> QWidget:
    """Make ``widget``'s font the application font times ``factor`` (bold), now and after every
    text-size change. Returns the widget."""
    widget.setProperty(_FACTOR, float(factor))
    widget.setProperty(_BOLD, bool(bold))
    _apply_emphasis(widget)
    return widget


def _apply_emphasis(widget: QWidget) -> None:
    factor = widget.property(_FACTOR)
    if factor is None:
        return
    font = QFont(QApplication.font())
    font.setPointSizeF(QApplication.font().pointSizeF() * float(factor))
    font.setBold(bool(widget.property(_BOLD)))
    widget.setFont(font)


def follow_font(app: QApplication) -> None:
    """After an application font change: re-size every emphasised widget. (Called where the font is
    set, not from an application-wide event filter: such a filter is a Python call for every event
    of every widget, 75 ms of the main window's making.) UI thread."""
    for w in app.allWidgets():
        if w.property(_FACTOR) is not None:
            _apply_emphasis(w)


_native_style: str | None = None  # the platform's own style, to go back to when following the system


def install(app: QApplication) -> None:
    """Tone the palette now (the error red). Windows switching light/dark/high contrast later reaches
    the main window as a palette change, which tones it again (``MainWindow.changeEvent``)."""
    tone(app)


def text_percent(s: QSettings) -> int:
    value = opts.TEXT_PERCENT.get(s)
    return value if value in TEXT_SIZES else 100


def theme(s: QSettings) -> str:
    value = opts.THEME.get(s)
    return value if value in THEMES else "system"


def apply(app: QApplication, percent: int, scheme: str = "system") -> None:
    """Set the application font to ``percent`` of the base size and the colour scheme. UI thread."""
    global _native_style
    install(app)
    if _native_style is None:
        _native_style = app.style().name()
    font = QFont(app.font())
    font.setPointSizeF(BASE_POINT_SIZE * (percent if percent in TEXT_SIZES else 100) / 100)
    app.setFont(font)
    follow_font(app)
    hints = QGuiApplication.styleHints()
    if scheme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
        _set_scheme(hints, Qt.ColorScheme.Dark)
    elif scheme == "light":
        app.setStyle("Fusion")
        app.setPalette(light_palette())
        _set_scheme(hints, Qt.ColorScheme.Light)
    else:
        _set_scheme(hints, Qt.ColorScheme.Unknown)  # follow the system again
        if app.style().name() != _native_style:
            app.setStyle(_native_style)
        app.setPalette(app.style().standardPalette())
    tone(app)


ERROR_ON_LIGHT = "#b00020"
ERROR_ON_DARK = "#ff8a80"


def tone(app: QApplication) -> None:
    """Set the palette's BrightText to the app's error red and its LinkVisited to its green for the
    window's colour (ERROR_STYLE and GOOD_STYLE use them): dark on a light window, light on a dark or
    high-contrast one; then the style sheets take the new palette (``_retheme``). UI thread."""
    p = app.palette()
    wanted = {QPalette.ColorRole.BrightText: bad(p), QPalette.ColorRole.LinkVisited: good(p)}
    if any(p.color(role) != colour for role, colour in wanted.items()):
        for role, colour in wanted.items():
            p.setColor(role, colour)
        app.setPalette(p)
    _retheme(app)


def apply_saved(app: QApplication, s: QSettings) -> None:
    apply(app, text_percent(s), theme(s))


def save(s: QSettings, percent: int, scheme: str) -> None:
    opts.TEXT_PERCENT.set(s, percent)
    opts.THEME.set(s, scheme)
    s.sync()


def _set_scheme(hints: object, scheme: Qt.ColorScheme) -> None:
    setter = getattr(hints, "setColorScheme", None)  # Qt 6.8+
    if setter is not None:
        setter(scheme)


def light_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#f5f6f7", QPalette.ColorRole.WindowText: "#1b1f23",
        QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f0f2f4",
        QPalette.ColorRole.Text: "#1b1f23", QPalette.ColorRole.Button: "#eceef0",
        QPalette.ColorRole.ButtonText: "#1b1f23", QPalette.ColorRole.Highlight: "#1f6feb",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffdc",
        QPalette.ColorRole.ToolTipText: "#1b1f23", QPalette.ColorRole.PlaceholderText: "#5f6b76",
        QPalette.ColorRole.Mid: "#5f6b76", QPalette.ColorRole.Link: "#0b57d0",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    return p


def dark_palette() -> QPalette:
    """Dark colours with text contrast of at least 7:1 on the window and base (WCAG AAA)."""
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a", QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#2d2f33",
        QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#2b66d0",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2d2f33",
        QPalette.ColorRole.ToolTipText: "#e8eaed", QPalette.ColorRole.PlaceholderText: "#a9b0b8",
        QPalette.ColorRole.Mid: "#a9b0b8", QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.Light: "#3a3d42", QPalette.ColorRole.Dark: "#111214",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    return p


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# What a colour means, as (on a light window, on a dark one): ``is_dark`` picks the pair's side from
# the application palette's Window, so a high-contrast theme takes the side its window calls for.
# Each text colour reads at 4.5:1 or better on the window, base and alternate base of both schemes,
# and each background under the scheme's text (tests/ui/test_colours.py). Red = lapsed, blocked,
# bad; green = done, good; amber = a warning, soon due. The only fixed colours the screens use.
SEMANTIC = {
    "good": ("#1b6e20", "#81c995"),
    "bad": (ERROR_ON_LIGHT, ERROR_ON_DARK),
    "warn": ("#8a5300", "#fdd663"),
    "muted": ("#5f6b76", "#a9b0b8"),
    "good_background": ("#eaf5ea", "#1e3a24"),
    "bad_background": ("#f4b6b6", "#5c2020"),
    "warn_background": ("#fff0a8", "#4a3c00"),
    "highlight_background": ("#e3f2fd", "#1c3a5c"),
}
TEXT_COLOURS = ("good", "bad", "warn", "muted")
# the whitelist funnel's four stages, palest to deepest on a light window (deepest to palest on a dark
# one): each bar at least 3:1 against the window (WCAG's contrast for graphics)
FUNNEL = (("#668bc2", "#4a7bbd", "#2f6db5", "#1b4f8a"), ("#a8c7fa", "#8ab4f8", "#6a9be0", "#5687d4"))
# good text in a style sheet: the palette's LinkVisited, which ``tone`` sets to ``good()`` (as
# ERROR_STYLE's BrightText to ``bad()``), so it follows the scheme with no more work
GOOD_STYLE = "color: palette(link-visited);"
_THEMED = "themedStyle"  # a widget property: its style sheet with {good}-style names (``themed``)
_THEMED_AS = "themedStyleSheet"  # ... and the style sheet that made of it
_themed_for: int | None = None  # the palette (its cacheKey) the style sheets were last coloured for


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) is light text on a dark window."""
    p = palette if palette is not None else QGuiApplication.palette()
    return p.color(QPalette.ColorRole.Window).lightness() < 128


def semantic(name: str, palette: QPalette | None = None) -> QColor:
    """The colour meaning ``name`` (a key of ``SEMANTIC``) for ``palette``, the application's by default."""
    return QColor(SEMANTIC[name][1 if is_dark(palette) else 0])


def good(palette: QPalette | None = None) -> QColor:
    return semantic("good", palette)


def bad(palette: QPalette | None = None) -> QColor:
    return semantic("bad", palette)


def warn(palette: QPalette | None = None) -> QColor:
    return semantic("warn", palette)


def muted(palette: QPalette | None = None) -> QColor:
    return semantic("muted", palette)


def good_background(palette: QPalette | None = None) -> QColor:
    return semantic("good_background", palette)


def bad_background(palette: QPalette | None = None) -> QColor:
    return semantic("bad_background", palette)


def warn_background(palette: QPalette | None = None) -> QColor:
    return semantic("warn_background", palette)


def highlight_background(palette: QPalette | None = None) -> QColor:
    return semantic("highlight_background", palette)


def styled(template: str, palette: QPalette | None = None) -> str:
    """``template`` with each ``{name}`` of ``SEMANTIC`` replaced by that colour for ``palette``
    (a style sheet's own braces are left as they are): ``styled("color: {warn};")``."""
    for name in SEMANTIC:
        if "{" + name + "}" in template:
            template = template.replace("{" + name + "}", semantic(name, palette).name())
    return template


def themed(widget: QWidget, template: str) -> QWidget:
    """Give ``widget`` the style sheet ``styled(template)``, now and again when the colour scheme
    turns between light and dark (until something else sets its style sheet). Returns the widget."""
    text = styled(template)
    widget.setProperty(_THEMED, template)
    widget.setProperty(_THEMED_AS, text)
    if widget.styleSheet() != text:
        widget.setStyleSheet(text)
    return widget


def _retheme(app: QApplication) -> None:
    """After a palette change: re-colour the ``themed`` widgets, and set every style sheet that names
    a ``palette(...)`` role again (Qt reads the role when the sheet is set, not when the palette
    changes: an error shown before a switch to dark would stay dark red). Once per palette."""
    global _themed_for
    key = app.palette().cacheKey()
    if key == _themed_for:
        return
    _themed_for = key
    for w in app.allWidgets():
        sheet = w.styleSheet()
        if not sheet:
            continue
        template = w.property(_THEMED)
        if template is not None and sheet == w.property(_THEMED_AS):
            themed(w, template)
            if w.styleSheet() != sheet:
                continue
        if "palette(" in sheet:
            w.setStyleSheet(sheet)


def funnel_colours(palette: QPalette | None = None) -> tuple[QColor, ...]:
    """The funnel's bar colours for ``palette`` (the application's by default), first stage first."""
    return tuple(QColor(c) for c in FUNNEL[1 if is_dark(palette) else 0])
