"""The whitelist workspace under offscreen Qt, on the demo county (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.roles import Role
from app.store import journal
from app.store.store import Store
from app.store.whitelist import WhitelistFilter
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.main_window import MainWindow
from app.ui.whitelist.workspace import WhitelistWorkspace


def _open(qtbot, demo_dir: Path, code: str | None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    ws = next(x for x in w.workspaces if isinstance(x, WhitelistWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    qtbot.waitUntil(lambda: ws.model.total > 0, timeout=10_000)
    return w, ws, ctx


@pytest.fixture
def head(qtbot, demo_dir: Path):
    w, ws, ctx = _open(qtbot, demo_dir, None)
    yield ws
    w.close()
    ctx.shutdown()


def _db(ws: WhitelistWorkspace):
    return ws.ctx.store.connect(readonly=True)


def _choose(qtbot, ws: WhitelistWorkspace, combo, data) -> None:
    """Pick a view/filter and wait for the new count."""
    with qtbot.waitSignal(ws.model.countChanged, timeout=5000):
        combo.setCurrentIndex(combo.findData(data))


def _select(qtbot, ws: WhitelistWorkspace, row: int = 0) -> None:
    ws.model.row_at(row)
    qtbot.waitUntil(lambda: ws.model.is_loaded(row), timeout=5000)
    ws.select_row(row)
    uid = ws.model.row_at(row).uid
    qtbot.waitUntil(lambda: ws.entry.detail is not None and ws.entry.detail.entry.uid == uid, timeout=5000)


def test_the_list_shows_every_entry_and_the_views_narrow_it(qtbot, head: WhitelistWorkspace) -> None:
    db = _db(head)
    total = db.conn.execute("SELECT count(*) FROM whitelist WHERE deleted = 0").fetchone()[0]
    db.close()
    assert head.model.total == total
    assert head.model.headerData(3, Qt.Orientation.Horizontal) == "额度（万元）"
    _choose(qtbot, head, head.view, "outreach")
    head.model.row_at(0)
    qtbot.waitUntil(lambda: head.model.is_loaded(0), timeout=5000)
    assert 0 < head.model.total < total
    rows = [head.model.row_at(i) for i in range(min(50, head.model.total))]
    assert all(r.consent for r in rows)
    _choose(qtbot, head, head.view, "30")
    soon = head.model.total
    _choose(qtbot, head, head.cluster, "tea")
    assert head.model.total <= soon
    assert head.status.text().startswith("共 ")


def test_the_outcome_form_offers_only_legal_moves_and_a_refusal_writes_nothing(qtbot, head: WhitelistWorkspace
                                                                               ) -> None:
    _choose(qtbot, head, head.status_filter, "applied")
    assert head.model.total > 0
    _select(qtbot, head)
    entry = head.entry
    offered = [entry.status.itemData(i) for i in range(entry.status.count())]
    assert offered == ["drawn", "refused"]
    e = entry.detail.entry
    db = _db(head)
    before = (db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0], journal.pending_count(db))
    db.close()
    entry.status.setCurrentIndex(entry.status.findData("drawn"))
    assert entry.amount.isEnabled()
    entry.amount.setText(str(e.limit_fen // 100 + 100))
    entry.save()
    qtbot.waitUntil(lambda: entry.error.text() != "", timeout=5000)
    assert "超过核定额度" in entry.error.text()
    db = _db(head)
    assert (db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0],
            journal.pending_count(db)) == before
    db.close()
    entry.amount.setText(str(e.limit_fen // 100))
    with qtbot.waitSignal(entry.saved, timeout=5000):
        entry.save()
    qtbot.waitUntil(lambda: entry.detail is not None and entry.detail.entry.status == "drawn", timeout=5000)
    assert entry.status.count() == 0 and not entry.save_button.isEnabled()
    assert entry.history.item(0, 1).text() == "已用信"
    db = _db(head)
    assert journal.pending_count(db) == before[1] + 1
    db.close()


def test_refused_needs_a_reason_in_the_form(qtbot, head: WhitelistWorkspace) -> None:
    _choose(qtbot, head, head.view, "never")
    assert head.model.total > 0
    _select(qtbot, head)
    entry = head.entry
    entry.status.setCurrentIndex(entry.status.findData("refused"))
    assert entry.reason.placeholderText() == "必填"
    entry.save()
    qtbot.waitUntil(lambda: entry.error.text() != "", timeout=5000)
    assert "须填写原因" in entry.error.text()


def test_a_manager_sees_their_own_entries_and_cannot_assign(qtbot, demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, demo_dir, "M0001")
    try:
        assert ctx.staff.role == Role.MANAGER
        assert not ws.assign_button.isVisibleTo(ws) and not ws.auto_button.isVisibleTo(ws)
        assert not ws.manager.isVisibleTo(ws)
        db = _db(ws)
        mine = db.conn.execute("SELECT count(*) FROM whitelist WHERE manager = 'M0001' AND deleted = 0").fetchone()[0]
        db.close()
        assert ws.model.total == mine
        ws.model.row_at(0)
        qtbot.waitUntil(lambda: ws.model.is_loaded(0), timeout=5000)
        assert all(ws.model.row_at(i).manager == "M0001" for i in range(min(ws.model.total, 100)))
    finally:
        w.close()
        ctx.shutdown()


def test_auto_assign_previews_then_writes(qtbot, head: WhitelistWorkspace) -> None:
    head.auto_assign()
    qtbot.waitUntil(lambda: getattr(head, "preview_dialog", None) is not None, timeout=5000)
    dlg = head.preview_dialog
    db = _db(head)
    unassigned = db.conn.execute("SELECT count(*) FROM whitelist WHERE manager IS NULL AND deleted = 0").fetchone()[0]
    db.close()
    assert unassigned > 0
    with qtbot.waitSignal(head.ctx.changes.changed, timeout=10_000):
        dlg.accept()
    db = _db(head)
    assert db.conn.execute("SELECT count(*) FROM whitelist WHERE manager IS NULL AND deleted = 0").fetchone()[0] == 0
    db.close()
    assert "已分配" in head.status.text()


def test_the_nomination_form_pre_checks_as_you_type_and_refuses_a_duplicate(qtbot, head: WhitelistWorkspace
                                                                            ) -> None:
    head.nominate()
    dlg = head.nomination_dialog
    dlg.cluster.setCurrentIndex(dlg.cluster.findData("tea"))
    qtbot.waitUntil(lambda: "tea" in dlg.cards, timeout=5000)
    for key, value in {"household_size": "4", "labour": "2", "assets_wan": "30", "debts_wan": "5",
                       "net_income_last_wan": "6"}.items():
        dlg.inputs[key].setText(value)
    dlg.inputs["overall"].setCurrentIndex(dlg.inputs["overall"].findData("4"))
    dlg.inputs["credit_record"].setCurrentIndex(dlg.inputs["credit_record"].findData("good"))
    assert dlg.evaluation is not None and dlg.evaluation.band == "B"
    assert "B 档" in dlg.result.text() and dlg.parts.rowCount() == 8
    dlg.inputs["labour"].setText("两个")
    assert "劳动力应为数字" in dlg.result.text()
    dlg.inputs["labour"].setText("2")
    dlg.name.setText("向德明")
    dlg.id_number.setText("500229198803150036")
    dlg.amount.setText("10万")
    with qtbot.waitSignal(dlg.submitted, timeout=5000):
        dlg.submit()
    head.nominate()
    again = head.nomination_dialog
    again.name.setText("向德明")
    again.id_number.setText("500229198803150036")
    again.cluster.setCurrentIndex(again.cluster.findData("tea"))
    again.submit()
    qtbot.waitUntil(lambda: again.error.text() != "", timeout=5000)
    assert "不能重复推荐" in again.error.text()
    again.reject()
    head.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: head.nominations.rowCount() >= 1, timeout=5000)
    assert head.nominations.item(0, 1).text() == "向德明"
    assert "********" in head.nominations.item(0, 2).text()


def test_the_funnel_adds_up_to_the_list(qtbot, head: WhitelistWorkspace) -> None:
    head.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: bool(head.funnel.rows), timeout=5000)
    assert sum(r.entries for r in head.funnel.rows) == head.model.total
    last = head.funnel.table.rowCount() - 1
    assert head.funnel.table.item(last, 0).text() == "合计"
    assert head.funnel.chart.stages[0].count == head.model.total
    head.funnel.by.setCurrentIndex(head.funnel.by.findData("cluster"))
    qtbot.waitUntil(lambda: any(r.key == "tea" for r in head.funnel.rows), timeout=5000)
    names = [head.funnel.table.item(i, 0).text() for i in range(head.funnel.table.rowCount())]
    assert "茶叶产业集群" in names
    head.funnel.table.setCurrentCell(0, 0)
    assert head.funnel.chart.heading == names[0]


def test_the_client_record_is_one_click_away(qtbot, demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        _select(qtbot, ws)
        cid = ws.entry.detail.entry.client_id
        ws.entry.client_button.click()
        book = w.workspace(ClientsWorkspace)
        assert isinstance(book, ClientsWorkspace) and w.stack.currentWidget() is book
        qtbot.waitUntil(lambda: book.detail.detail is not None and book.detail.client_id == cid, timeout=5000)
    finally:
        w.close()
        ctx.shutdown()


def test_whitelist_filter_default_is_everything() -> None:
    assert WhitelistFilter() == WhitelistFilter(cluster=None, manager=None, text="")


def test_no_visible_text_is_left_in_english(qtbot, head: WhitelistWorkspace) -> None:
    from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

    _select(qtbot, head)
    values = set(head.entry.fields.values())  # data: client numbers, bands, batches
    texts = [w.text() for w in head.findChildren(QLabel) + head.findChildren(QPushButton)
             if w.isVisibleTo(head) and w.text() and w not in values]
    texts += [c.itemText(i) for c in head.findChildren(QComboBox) if c.isVisibleTo(head) for i in range(c.count())]
    texts += [head.tabs.tabText(i) for i in range(head.tabs.count())]
    texts += [str(head.model.headerData(i, Qt.Orientation.Horizontal)) for i in range(head.model.columnCount())]
    english = [t for t in texts if t.isascii() and any(ch.isalpha() for ch in t) and t not in ("A", "B", "C", "D")]
    assert not english, english
