"""Issue 13, item 22: what the screenshots showed, measured on the real widgets at the
screenshot size (1440×900) on the demo county: names cut off, the tier column one
character wide, tag lists with a half-visible last row, history text cut, the Sync
page's table squeezed to the left."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QListWidget, QStyle, QTableWidget

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.clients.model import COLUMN_KEYS
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.main_window import MainWindow
from app.ui.screenshots import SIZE
from app.ui.sync_workspace import SyncWorkspace


@pytest.fixture
def shown(qtbot, demo_dir: Path):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(*SIZE)
    w.show()
    ws = w.workspace(ClientsWorkspace)
    assert isinstance(ws, ClientsWorkspace)
    w.show_workspace(ws)  # (the front page comes first)
    qtbot.waitUntil(lambda: ws.model.total > 0, timeout=10_000)
    yield w, ws
    w.close()
    ctx.shutdown()


def _load_rows(qtbot, ws: ClientsWorkspace, n: int) -> None:
    for r in range(n):
        ws.model.row_at(r)
    qtbot.waitUntil(lambda: all(ws.model.is_loaded(r) for r in range(n)), timeout=5000)


def test_columns_are_as_wide_as_what_they_show(qtbot, shown) -> None:
    _w, ws = shown
    header = ws.table.horizontalHeader()
    fm = ws.table.fontMetrics()
    # businesses first in the name sort: their long names are what got cut
    ws.search.setText("店")
    ws.apply_filter()
    qtbot.waitUntil(lambda: ws.model.filter.text == "店" and ws.model.total > 0, timeout=5000)
    _load_rows(qtbot, ws, min(ws.model.total, 40))
    for key in ("name", "id_number", "mobile", "village", "segment", "tier", "aum", "lifecycle"):
        col = COLUMN_KEYS.index(key)
        texts = [ws.model.index(r, col).data() or "" for r in range(min(ws.model.total, 40))]
        if key == "name":
            texts = [t for t in texts if len(t) <= 10]  # longer ones: the tooltip and the detail title
        widest = max(fm.horizontalAdvance(t) for t in texts)
        assert header.sectionSize(col) >= widest + 8, (key, header.sectionSize(col), widest)


def test_the_table_shows_name_to_tier_whole_at_the_default_size(shown) -> None:
    _w, ws = shown
    header = ws.table.horizontalHeader()
    viewport = ws.table.viewport().width()
    for key in ("name", "id_number", "mobile", "village", "segment", "tier"):
        col = COLUMN_KEYS.index(key)
        assert not header.isSectionHidden(col)
        right = header.sectionViewportPosition(col) + header.sectionSize(col)
        assert right <= viewport, (key, right, viewport)


def _whole_rows(view: QListWidget) -> tuple[int, int]:
    """(rows shown, pixels of a cut row): every row's rectangle inside the viewport or outside it."""
    inside, cut = 0, 0
    vp = view.viewport().rect()
    for i in range(view.count()):
        r: QRect = view.visualItemRect(view.item(i))
        if vp.contains(r):
            inside += 1
        elif r.intersects(vp):
            cut = max(cut, r.intersected(vp).height())
    return inside, cut


def test_lists_show_whole_rows(qtbot, shown) -> None:
    _w, ws = shown
    qtbot.waitUntil(lambda: ws.filters.tags.count() > 0 and ws.detail.form.tags.count() > 0, timeout=5000)
    ws.select_row(0)
    qtbot.waitUntil(lambda: ws.detail.detail is not None, timeout=5000)
    for name, view in (
        ("filter tags", ws.filters.tags),
        ("detail tags", ws.detail.form.tags),
        ("segments", ws.filters.segments),
        ("tiers", ws.filters.tiers),
        ("lifecycles", ws.filters.lifecycles),
    ):
        inside, cut = _whole_rows(view)
        assert cut == 0, (name, cut)
        assert inside >= min(view.count(), 7), (name, inside)
    for view in (ws.filters.segments, ws.filters.tiers, ws.filters.lifecycles):
        assert _whole_rows(view)[0] == view.count()  # the short lists show every choice


def test_the_filter_panel_never_scrolls_sideways(qtbot, demo_dir: Path) -> None:
    app = create_application([])
    for lang in ("zh_CN", "en"):
        i18n.install(app, lang)
        ctx = build_context(Store.open(demo_dir), None)
        w = MainWindow(ctx, auto_sync=False)
        qtbot.addWidget(w)
        w.resize(*SIZE)
        w.show()
        try:
            w.show_workspace(w.workspace(ClientsWorkspace))
            panel = w.workspace(ClientsWorkspace).filters
            qtbot.waitUntil(lambda p=panel: p.tags.count() > 0, timeout=5000)
            assert not panel.horizontalScrollBar().isVisible(), lang
            assert panel.widget().width() >= panel.widget().minimumSizeHint().width(), lang
        finally:
            w.close()
            ctx.shutdown()
    i18n.install(app, "zh_CN")


def test_history_rows_are_tall_enough_for_their_wrapped_text(qtbot, shown) -> None:
    _w, ws = shown
    ws.select_row(0)
    qtbot.waitUntil(lambda: ws.detail.detail is not None, timeout=5000)
    cid = ws.detail.client_id
    svc = ws.services(ws.ctx.store.connect())
    long_note = "已电话联系，周三上门介绍惠农e贷，客户希望了解经营快贷的额度和期限，约定下周带营业执照到网点"
    assert svc.edit(cid, {"notes": long_note, "mobile": "13912345678"}).ok
    svc.db.close()
    ws.detail.show_client(cid)
    ws.detail.tabs.setCurrentIndex(1)
    table: QTableWidget = ws.detail.history
    qtbot.waitUntil(lambda: table.rowCount() >= 1, timeout=5000)
    qtbot.wait(50)
    change = table.item(0, 1).text()
    assert change.count("\n") == 1 and change.startswith("手机号：")  # one field per line
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    fm = table.fontMetrics()
    for col in (0, 1):
        text = table.item(0, col).text()
        needed = fm.boundingRect(QRect(0, 0, table.columnWidth(col) - margin, 10_000),
                                 int(Qt.TextFlag.TextWordWrap), text).height()
        assert table.rowHeight(0) >= needed, (col, table.rowHeight(0), needed)
    assert fm.horizontalAdvance(change) > table.columnWidth(1)  # the note did need to wrap
    # the change column takes the width the panel has
    assert table.columnWidth(1) >= table.viewport().width() - table.columnWidth(0) - 2


def test_the_sync_page_tables_fill_the_page(qtbot, shown) -> None:
    w, _ws = shown
    w.nav.setCurrentRow(len(w.workspaces) - 1)
    page = w.stack.currentWidget()
    assert isinstance(page, SyncWorkspace)
    qtbot.wait(100)
    for table in page.findChildren(QTableWidget):
        if not table.isVisible():
            continue
        used = sum(table.columnWidth(c) for c in range(table.columnCount()))
        assert used >= table.viewport().width() - 2, (table.objectName(), used, table.viewport().width())
