"""The text-size setting (100–150 %) and the colour schemes, on every workspace (issue 21).

At 150 % on a 1366×768 window, every visible label and button of every workspace is at least
as large as it needs to be for its text (its size hint, or for wrapped text its height for
its width): nothing is clipped. The choice is kept, applies at once (headings follow the text
size), and the dark scheme keeps text readable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QLabel, QWidget

from app.store.store import Store
from app.ui import appearance, i18n
from app.ui.app import build_context, create_application
from app.ui.clients.filter_panel import TAG_ROWS
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.main_window import MainWindow
from app.ui.today import TodayWorkspace
from app.ui.widgets import row_height


def _scrolls_sideways(w: QWidget) -> bool:
    """Whether ``w`` is inside a view or scroll area that shows a horizontal scroll bar."""
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QAbstractScrollArea) and p.horizontalScrollBar().isVisible():
            return True
        p = p.parentWidget()
    return False


def _clipped(page: QWidget) -> list[str]:
    """Visible labels and buttons smaller than their text needs (name, text, size, need), or cut at
    the side by what holds them (a scroll area with no horizontal scroll bar: the tag filter's
    "Any of" at 150 %)."""
    out = []
    for w in page.findChildren(QWidget):
        if not isinstance(w, (QLabel, QAbstractButton)) or not w.isVisible() or w.width() <= 0:
            continue
        text = w.text() if hasattr(w, "text") else ""
        if not text or (isinstance(w, QLabel) and w.pixmap() is not None and not w.pixmap().isNull()):
            continue
        hint = w.sizeHint()
        if isinstance(w, QLabel) and w.wordWrap():
            need_w, need_h = w.minimumSizeHint().width(), w.heightForWidth(w.width())
        else:
            need_w, need_h = hint.width(), hint.height()
        if w.width() + 1 < need_w or w.height() + 1 < need_h:
            out.append(f"{type(w).__name__} {w.objectName() or ''} {text[:30]!r}: {w.width()}x{w.height()} "
                       f"< {need_w}x{need_h}")
            continue
        shown = w.visibleRegion().boundingRect()  # (empty: scrolled out of sight, up or down)
        if not shown.isEmpty() and shown.width() + 1 < min(w.width(), need_w) and not _scrolls_sideways(w):
            out.append(f"{type(w).__name__} {w.objectName() or ''} {text[:30]!r}: only {shown.width()} of"
                       f" {w.width()} pixels wide shown")
    return out


def test_at_150_percent_nothing_is_clipped_on_any_workspace(qtbot, worked_demo_dir: Path) -> None:
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(worked_demo_dir), None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    try:
        base = QApplication.font().pointSizeF()
        w.set_appearance(percent=150)
        assert QApplication.font().pointSizeF() == appearance.BASE_POINT_SIZE * 1.5
        today = w.workspace(TodayWorkspace)
        qtbot.waitUntil(lambda: today.board is not None and not today._reading, timeout=10_000)
        # a heading follows the text size (relative, not a fixed size)
        assert today.heading.font().pointSizeF() == QApplication.font().pointSizeF() * 1.5
        problems = {}
        for ws in w.workspaces:
            w.show_workspace(ws)
            qtbot.wait(400)  # its first read and layout
            found = _clipped(ws) + _clipped(w.nav)
            if found:
                problems[ws.title()] = found
        assert not problems, problems
        # the client book's tag filter: "All of / Any of" whole, and every list of the panel in whole rows
        panel = w.workspace(ClientsWorkspace).filters
        w.show_workspace(w.workspace(ClientsWorkspace))
        panel.ensureWidgetVisible(panel.tags_any)
        qtbot.wait(100)
        assert panel.tags_any.visibleRegion().boundingRect().width() >= panel.tags_any.sizeHint().width()
        assert not _clipped(panel), _clipped(panel)
        for lst, rows in ((panel.tags, TAG_ROWS), (panel.segments, panel.segments.count())):
            assert lst.height() >= rows * row_height(lst), (lst.height(), rows, row_height(lst))
        # kept for the next start, and back to 100 % at once
        assert appearance.text_percent(ctx.ui_settings) == 150
        w.set_appearance(percent=100)
        assert QApplication.font().pointSizeF() == appearance.BASE_POINT_SIZE
        assert today.heading.font().pointSizeF() == appearance.BASE_POINT_SIZE * 1.5
        assert base > 0
    finally:
        w.set_appearance(percent=100, scheme="system")
        w.close()
        ctx.shutdown()


def test_the_dark_scheme_keeps_text_readable_and_is_kept(qtbot, worked_demo_dir: Path) -> None:
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(worked_demo_dir), None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.show()
    try:
        w.set_appearance(scheme="dark")
        p = QApplication.palette()
        for fg, bg in ((QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
                       (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
                       (QPalette.ColorRole.Mid, QPalette.ColorRole.Window),  # the quieter text (palette(mid))
                       (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
                       (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
                       (QPalette.ColorRole.BrightText, QPalette.ColorRole.Window)):  # the error red (ERROR_STYLE)
            assert appearance.contrast(p.color(fg), p.color(bg)) >= 4.5, (fg, bg)
        assert p.color(QPalette.ColorRole.Window).lightness() < 60
        assert appearance.theme(ctx.ui_settings) == "dark" and w.theme_actions["dark"].isChecked()
        # the icons take the text colour: light on dark
        image = w.nav.item(0).icon().pixmap(24, 24).toImage()
        inked = [image.pixelColor(x, y) for x in range(24) for y in range(24) if image.pixelColor(x, y).alpha() > 200]
        assert inked and all(c.lightness() > 150 for c in inked)
        w.set_appearance(scheme="light")
        light = QApplication.palette()
        assert appearance.contrast(light.color(QPalette.ColorRole.Mid), light.color(QPalette.ColorRole.Window)) >= 4.5
        assert appearance.contrast(light.color(QPalette.ColorRole.BrightText),
                                   light.color(QPalette.ColorRole.Window)) >= 4.5
        # an error label takes the red of the scheme in force
        from PySide6.QtWidgets import QLabel

        from app.ui.widgets import ERROR_STYLE

        label = QLabel("客户名称不能为空。")
        label.setStyleSheet(ERROR_STYLE)
        qtbot.addWidget(label)
        label.show()
        image = label.grab().toImage()
        reds = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
                if image.pixelColor(x, y).red() > image.pixelColor(x, y).green() + 60]
        assert reds, "the error text is drawn in red on the light scheme"
    finally:
        w.set_appearance(scheme="system")
        w.close()
        ctx.shutdown()
