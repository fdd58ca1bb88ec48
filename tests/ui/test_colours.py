"""The colours that carry a meaning (good, bad, warning …) read on the light and on the dark scheme,
widgets take the dark side after a switch to dark, and no screen brings in a fixed colour of its own
(``app.ui.appearance``: every colour a screen uses is a palette role or one of its ``SEMANTIC`` ones)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from app.store.store import Store
from app.store.whitelist import EntryRow
from app.ui import appearance
from app.ui.app import create_application
from app.ui.contact import WARN_STYLE
from app.ui.sync_settings import WARNING_STYLE, SyncSettingsDialog
from app.ui.whitelist.model import WhitelistTableModel
from app.ui.widgets import ERROR_STYLE

REPO = Path(__file__).resolve().parents[2]
Role = QPalette.ColorRole
TEXT_ON = (Role.Window, Role.Base, Role.AlternateBase)  # where text in a colour is drawn (alternate rows too)
BACKGROUNDS = [name for name in appearance.SEMANTIC if name.endswith("_background")]


@pytest.fixture
def app():
    app = create_application([])
    yield app
    appearance.apply(app, 100, "system")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_meaning_colour_reads_on_the_scheme(app, scheme: str) -> None:
    appearance.apply(app, 100, scheme)
    p = QApplication.palette()
    assert appearance.is_dark() == (scheme == "dark")
    assert sorted((*appearance.TEXT_COLOURS, *BACKGROUNDS)) == sorted(appearance.SEMANTIC)
    for name in appearance.TEXT_COLOURS:
        colour = appearance.semantic(name)
        assert colour == QColor(appearance.SEMANTIC[name][scheme == "dark"])
        for role in TEXT_ON:
            ratio = appearance.contrast(colour, p.color(role))
            assert ratio >= 4.5, (scheme, name, colour.name(), role, round(ratio, 2))
    for name in BACKGROUNDS:  # the scheme's text on it
        colour = appearance.semantic(name)
        for role in (Role.Text, Role.WindowText):
            ratio = appearance.contrast(colour, p.color(role))
            assert ratio >= 4.5, (scheme, name, colour.name(), role, round(ratio, 2))
    # the functions by name, and the palette roles the style sheets use (ERROR_STYLE, GOOD_STYLE)
    assert (appearance.good(), appearance.bad(), appearance.warn()) == tuple(
        appearance.semantic(n) for n in ("good", "bad", "warn"))
    assert p.color(Role.BrightText) == appearance.bad() and p.color(Role.LinkVisited) == appearance.good()
    assert appearance.styled("QLabel { color: {warn}; background: {warn_background}; }") == (
        f"QLabel {{ color: {appearance.warn().name()}; background: {appearance.warn_background().name()}; }}")


def test_a_themed_style_follows_a_switch_until_replaced(qtbot, app) -> None:
    appearance.apply(app, 100, "light")
    warned, replaced = QLabel("慎用词"), QLabel("已保存")
    for label in (warned, replaced):
        qtbot.addWidget(label)
        appearance.themed(label, WARN_STYLE)
    replaced.setStyleSheet(ERROR_STYLE)  # set to something else since: left alone
    light = appearance.warn().name()
    assert warned.styleSheet() == f"color: {light};"
    appearance.apply(app, 100, "dark")
    dark = appearance.warn().name()
    assert dark != light and warned.styleSheet() == f"color: {dark};"
    assert replaced.styleSheet() == ERROR_STYLE
    appearance.apply(app, 100, "light")
    assert warned.styleSheet() == f"color: {light};"


def _ink(label: QLabel) -> QColor:
    """The drawn colour of ``label``'s text: the pixel farthest in lightness from its background."""
    image = label.grab().toImage()
    back = label.palette().color(label.backgroundRole()).lightness()
    pixels = (image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height()))
    return max(pixels, key=lambda c: abs(c.lightness() - back))


def _near(a: QColor, b: QColor) -> bool:  # (text is drawn smoothed: a channel may be one or two off)
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 3


def test_text_shown_before_a_switch_takes_the_new_schemes_colours(qtbot, app) -> None:
    """Qt reads a style sheet's ``palette(...)`` when the sheet is set: the switch sets them again."""
    appearance.apply(app, 100, "light")
    labels = {}
    for meaning, style in (("bad", ERROR_STYLE), ("good", appearance.GOOD_STYLE), ("warn", WARN_STYLE)):
        label = QLabel("客户名称不能为空")
        qtbot.addWidget(label)
        appearance.themed(label, style)
        label.show()
        labels[meaning] = label
    for scheme in ("light", "dark", "light"):
        appearance.apply(app, 100, scheme)
        qtbot.wait(20)
        for meaning, label in labels.items():
            ink, want = _ink(label), appearance.semantic(meaning)
            assert _near(ink, want), (scheme, meaning, ink.name(), want.name())


def _entry(valid_to: str, consent: bool | None = True) -> EntryRow:
    return EntryRow(uid="u", client_uid="c", client_id=1, client_no="CQ1", name="张三", mobile=None, village="村",
                    township="乡", product="hn_edai", limit_fen=100_000, rate_bp=None, valid_from=None,
                    valid_to=valid_to, cluster=None, score=None, band=None, batch=None, manager=None,
                    consent=consent, status="not_contacted", status_date=None, reached=0, drawn_fen=0)


def test_the_whitelist_marks_lapsed_and_soon_due_lines_in_the_schemes_colours(app) -> None:
    from datetime import date, timedelta

    model = WhitelistTableModel(None, lambda db: None)  # (no reads: only how a line is drawn)
    lapsed = _entry((date.today() - timedelta(days=1)).isoformat(), consent=False)
    soon = _entry((date.today() + timedelta(days=10)).isoformat())
    fg = Qt.ItemDataRole.ForegroundRole
    for scheme in ("light", "dark"):
        appearance.apply(app, 100, scheme)
        base = QApplication.palette().color(Role.Base)
        for row, key, meaning in ((lapsed, "valid_to", "bad"), (lapsed, "consent", "bad"),
                                  (soon, "valid_to", "warn")):
            colour = model.decoration(row, key, fg).color()
            assert colour == appearance.semantic(meaning), (scheme, key, colour.name())
            assert appearance.contrast(colour, base) >= 4.5
    assert model.decoration(lapsed, "valid_to", fg).color().name() == appearance.SEMANTIC["bad"][1]  # dark


def test_the_sync_settings_warning_turns_dark_with_the_scheme(qtbot, app, demo_dir: Path) -> None:
    appearance.apply(app, 100, "light")
    store = Store.open(demo_dir)
    d = SyncSettingsDialog(store.settings, store.data_dir)
    qtbot.addWidget(d)
    d.show()
    note = d.reenrol_note
    note.setText("此电脑需要重新注册。")
    note.show()
    assert appearance.warn_background().name() in note.styleSheet()
    appearance.apply(app, 100, "dark")  # while the dialog is open
    qtbot.wait(50)
    assert note.styleSheet() == appearance.styled(WARNING_STYLE)
    assert appearance.SEMANTIC["warn_background"][1] in note.styleSheet()
    image = note.grab().toImage()
    inside = image.pixelColor(image.width() - 4, image.height() // 2)  # the padding, right of the text
    assert inside == appearance.warn_background(), inside.name()
    text = QApplication.palette().color(Role.WindowText)
    assert appearance.contrast(text, inside) >= 4.5


# A fixed colour (#rrggbb or #rgb in a string) outside these places fails in one of the two schemes:
# a screen takes a palette role or a colour of ``appearance.SEMANTIC`` instead.
ALLOWED = {
    "app/ui/appearance.py": None,  # the light and dark palettes and the meaning colours
    "app/ui/icons.py": None,  # the one ink the SVGs are drawn in, replaced from the palette on load
    "app/ui/main_window.py": "STALE_STYLE",  # sets both its amber background and its dark text
}
HEX = re.compile(r"""["'][^"'\n]*#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})(?![0-9a-zA-Z_])""")


def test_no_screen_brings_in_a_fixed_colour() -> None:
    files = sorted({*REPO.glob("app/ui/*.py"), *REPO.glob("app/ui/*/*.py")})
    assert len(files) > 20
    found = []
    for path in files:
        rel = path.relative_to(REPO).as_posix()
        allowed = ALLOWED.get(rel, "")
        if allowed is None:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if HEX.search(line) and not (allowed and allowed in line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "fixed colours (use a palette role or app.ui.appearance's colours):\n" + "\n".join(found)
    # and the check sees one: it is not blind
    assert HEX.search('STYLE = "color: #b00020;"') and HEX.search("QColor('#888')")
    assert not HEX.search('"#,##0.00"') and not HEX.search("# a comment with #1 in it")


def test_funnel_bars_stand_out_from_the_window_in_both_schemes(qapp) -> None:
    """Graphics need 3:1 against what is around them (WCAG 1.4.11)."""
    for palette in (appearance.light_palette(), appearance.dark_palette()):
        window = palette.color(Role.Window)
        for colour in appearance.funnel_colours(palette):
            assert appearance.contrast(colour, window) >= 3, colour.name()
