"""The client workspace under offscreen Qt, on the demo county (5,000 clients)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.core.result import Changes
from app.core.roles import Role
from app.services.clients import ClientService
from app.store import journal
from app.store.search import ClientFilter
from app.store.store import Store
from app.ui import i18n
from app.ui import settings as opts
from app.ui.app import build_context, create_application
from app.ui.clients.model import COLUMN_KEYS
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.main_window import MainWindow
from app.ui.signin import IdleLock, SignInDialog, lock_window
from app.ui.tasks import DbThread


def _open(qtbot, demo_dir: Path, code: str | None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), code)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1400, 850)
    w.show()
    ws = w.workspace(ClientsWorkspace)
    assert isinstance(ws, ClientsWorkspace)
    w.show_workspace(ws)  # (the front page comes first)
    qtbot.waitUntil(lambda: ws.model.total > 0, timeout=10_000)
    return w, ws, ctx


@pytest.fixture
def head(qtbot, demo_dir: Path):
    w, ws, ctx = _open(qtbot, demo_dir, None)  # the demo's default user: the branch head
    yield ws
    w.close()
    ctx.shutdown()


def _db(ws: ClientsWorkspace):
    return ws.ctx.store.connect(readonly=True)


def _wait_loaded(qtbot, ws: ClientsWorkspace, row: int = 0) -> None:
    ws.model.row_at(row)
    qtbot.waitUntil(lambda: ws.model.is_loaded(row), timeout=5000)


def test_search_follows_typing_and_filters_narrow(qtbot, head: ClientsWorkspace) -> None:
    total = head.model.total
    assert total == 5000
    with qtbot.waitSignal(head.model.countChanged, timeout=5000):
        head.search.insert("张")  # typed text (QTest cannot key-click hanzi)
    assert 0 < head.model.total < total
    _wait_loaded(qtbot, head)
    names = [head.model.data(head.model.index(r, 0)) for r in range(min(50, head.model.total))]
    assert all("张" in n for n in names), names
    # the filter panel: only 农户, the count label follows
    seg = head.filters.segments
    farmer = next(i for i in range(seg.count()) if seg.item(i).text() == "农户")
    with qtbot.waitSignal(head.model.countChanged, timeout=5000):
        seg.item(farmer).setCheckState(Qt.CheckState.Checked)
    db = _db(head)
    expected = ClientService(db, head.ctx.staff).count(ClientFilter(text="张", segments=("farmer",)))
    db.close()
    assert head.model.total == expected
    assert f"{expected:,}" in head.filters.count_label.text()


def test_the_model_is_lazy_and_fetches_the_end_on_demand(qtbot, head: ClientsWorkspace) -> None:
    assert head.model.pages_fetched == 1
    last = head.model.total - 1
    assert head.model.data(head.model.index(last, 0)) == "…"
    qtbot.waitUntil(lambda: head.model.is_loaded(last), timeout=5000)
    assert head.model.pages_fetched == 2  # the last page only, not everything between


def test_sorting_by_aum_goes_to_the_store(qtbot, head: ClientsWorkspace) -> None:
    col = COLUMN_KEYS.index("aum")
    with qtbot.waitSignal(head.model.countChanged, timeout=5000):
        head._on_header_clicked(col)
    with qtbot.waitSignal(head.model.countChanged, timeout=5000):
        head._on_header_clicked(col)  # descending
    _wait_loaded(qtbot, head)
    values = [float(head.model.data(head.model.index(r, col)).replace(",", "")) for r in range(20)]
    assert values == sorted(values, reverse=True)


def _select_prospect(qtbot, ws: ClientsWorkspace) -> int:
    db = _db(ws)
    name = db.conn.execute(
        "SELECT name FROM clients WHERE client_no IS NULL AND kind = 'individual' AND deleted = 0"
        " AND mobile IS NOT NULL ORDER BY id LIMIT 1"
    ).fetchone()[0]
    db.close()
    with qtbot.waitSignal(ws.model.countChanged, timeout=5000):
        ws.search.setText(name)
        ws.apply_filter()
    _wait_loaded(qtbot, ws)
    ws.select_row(0)
    qtbot.waitUntil(lambda: ws.detail.detail is not None and ws.detail.isEnabled(), timeout=5000)
    return ws.detail.client_id


def test_an_invalid_edit_shows_the_error_and_saves_nothing(qtbot, head: ClientsWorkspace) -> None:
    cid = _select_prospect(qtbot, head)
    db = _db(head)
    before = db.conn.execute("SELECT version, last_contact FROM clients WHERE id = ?", (cid,)).fetchone()
    n_journal = journal.pending_count(db)
    db.close()
    head.detail.form.inputs["last_contact"].setText("2026-02-30")
    head.detail.save()
    error = head.detail.findChild(QLabel, "error_last_contact")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=5000)
    assert "最近联系日期" in error.text() and "不是真实日期" in error.text()
    db = _db(head)
    assert db.conn.execute("SELECT version, last_contact FROM clients WHERE id = ?", (cid,)).fetchone() == before
    assert journal.pending_count(db) == n_journal
    db.close()


def test_a_valid_edit_writes_a_journal_row(qtbot, head: ClientsWorkspace) -> None:
    cid = _select_prospect(qtbot, head)
    head.detail.form.notes.setPlainText("周三上门，带惠农e贷资料")
    with qtbot.waitSignal(head.detail.saved, timeout=5000):
        head.detail.save()
    db = _db(head)
    uid = db.conn.execute("SELECT uid FROM clients WHERE id = ?", (cid,)).fetchone()[0]
    entries = journal.history(db, "client", uid)
    db.close()
    assert entries[-1].after == {"notes": "周三上门，带惠农e贷资料"}
    assert entries[-1].author == head.ctx.staff.code and entries[-1].sync_state == "pending"
    qtbot.waitUntil(lambda: head.detail.history.rowCount() >= 1, timeout=5000)


def test_the_history_tab_is_masked_and_in_chinese(qtbot, head: ClientsWorkspace) -> None:
    """Issue 13, items 5 and 6: the History tab shows masked numbers and the labels a person uses."""
    cid = _select_prospect(qtbot, head)
    svc = head.services(head.ctx.store.connect())
    assert svc.edit(cid, {"mobile": "13812345678", "lifecycle": "流失"}).ok
    svc.db.close()
    head.detail.show_client(cid)
    qtbot.waitUntil(lambda: head.detail.history.rowCount() >= 1, timeout=5000)
    text = head.detail.history.item(0, 1).text()
    assert "138****5678" in text and "13812345678" not in text
    assert "生命周期：" in text and "流失" in text and "churned" not in text


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_english_mode_shows_the_declared_labels_in_english(qtbot, demo_dir: Path) -> None:
    """Issue 13, item 21: in English the segment, tier, lifecycle, consent channel and the
    History tab's field labels and values were Chinese (declared once, in Chinese)."""
    app = create_application([])
    assert i18n.install(app, "en")
    ctx = build_context(Store.open(demo_dir), None)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1400, 850)
    w.show()
    try:
        ws = w.workspace(ClientsWorkspace)
        w.show_workspace(ws)
        qtbot.waitUntil(lambda: ws.model.total > 0, timeout=10_000)
        segments = [ws.filters.segments.item(i).text() for i in range(ws.filters.segments.count())]
        assert "Farmer" in segments and not any(map(_has_cjk, segments)), segments
        tiers = [ws.filters.tiers.item(i).text() for i in range(ws.filters.tiers.count())]
        assert "VIP" in tiers and not any(map(_has_cjk, tiers)), tiers
        _wait_loaded(qtbot, ws)
        for key in ("segment", "tier", "lifecycle"):
            cell = ws.model.index(0, COLUMN_KEYS.index(key)).data()
            assert cell and not _has_cjk(cell), (key, cell)
        cid = _select_prospect(qtbot, ws)
        channels = [ws.detail.form.channel.itemText(i) for i in range(ws.detail.form.channel.count())]
        assert "Counter" in channels and not any(map(_has_cjk, channels)), channels
        svc = ws.services(ctx.store.connect())
        assert svc.edit(cid, {"lifecycle": "流失", "segment": "退休"}).ok
        svc.db.close()
        ws.detail.show_client(cid)
        qtbot.waitUntil(lambda: ws.detail.history.rowCount() >= 1, timeout=5000)
        text = ws.detail.history.item(0, 1).text()
        assert "Lifecycle：" in text and "Churned" in text and "Retiree" in text, text
        assert "生命周期" not in text and "流失" not in text, text
        assert "Not yet synced" in ws.detail.history.item(0, 0).text()
        assert "Branch head" in w.staff_label.text()
    finally:
        w.close()
        ctx.shutdown()
        i18n.install(app, "zh_CN")
    assert i18n.check("en") == []


def test_a_reveal_is_audited(qtbot, head: ClientsWorkspace) -> None:
    cid = _select_prospect(qtbot, head)
    mobile = head.detail.form.inputs["mobile"]
    assert "****" in mobile.text()
    button = head.detail.form.reveal_buttons["mobile"]
    assert button.isVisible()
    button.click()
    qtbot.waitUntil(lambda: "****" not in mobile.text(), timeout=5000)
    db = _db(head)
    uid = db.conn.execute("SELECT uid FROM clients WHERE id = ?", (cid,)).fetchone()[0]
    rows = db.conn.execute(
        "SELECT staff, action FROM audit_log WHERE row_uid = ? AND action = 'reveal_mobile'", (uid,)
    ).fetchall()
    db.close()
    assert rows == [(head.ctx.staff.code, "reveal_mobile")]


def test_a_manager_sees_only_their_own_clients(qtbot, demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect(readonly=True)
    code, sid = db.conn.execute("SELECT code, id FROM staff WHERE role = 'manager' ORDER BY id LIMIT 1").fetchone()
    own = db.conn.execute("SELECT count(*) FROM clients WHERE manager_id = ? AND deleted = 0", (sid,)).fetchone()[0]
    other = db.conn.execute("SELECT id FROM clients WHERE manager_id != ? LIMIT 1", (sid,)).fetchone()[0]
    db.close()
    w, ws, ctx = _open(qtbot, demo_dir, code)
    try:
        assert ctx.staff.role == Role.MANAGER
        assert ws.model.total == own < 5000
        assert not ws.delete_button.isEnabled() and not ws.merge_button.isEnabled()
        assert not ws.filters.manager.isEnabled()
        ws.detail.show_client(other)
        qtbot.waitUntil(lambda: "自己管户" in ws.detail.title.text(), timeout=5000)
        assert not ws.detail.isEnabled()
    finally:
        w.close()
        ctx.shutdown()


def test_export_is_masked_and_reads_back(qtbot, head: ClientsWorkspace, tmp_path: Path) -> None:
    with qtbot.waitSignal(head.model.countChanged, timeout=5000):
        head.search.setText("王")
        head.apply_filter()
    target = tmp_path / "王姓客户.xlsx"
    with qtbot.waitSignal(head.exportFinished, timeout=30_000) as sig:
        head.export_to(target)
    result = sig.args[0]
    assert result.rows == head.model.total and result.masked
    frame = pd.read_excel(target, dtype=str)
    assert len(frame) == head.model.total
    assert result.names_masked  # individuals' names too, by default (issue 13, item 7)
    names = frame["客户名称（已脱敏）"]
    assert (names.str.contains(r"\*") | names.str.contains("王")).all() and names.str.contains(r"\*").any()
    mobiles = frame["手机号（已脱敏）"].dropna()
    assert mobiles.str.fullmatch(r"1\d\d\*{4}\d{4}").all()
    about = pd.read_excel(target, sheet_name="说明", header=None, dtype=str)
    masked_line = about[about[0] == "已脱敏的字段"][1].iloc[0]
    assert "证件号码" in masked_line and "手机号" in masked_line and "姓名" in masked_line
    assert not (tmp_path / "王姓客户.xlsx.part").exists()


def test_merge_duplicates_keeps_the_journal(qtbot, head: ClientsWorkspace) -> None:
    db = head.ctx.store.connect()
    ids = [int(x) for x in db.conn.execute(
        "SELECT group_concat(id) FROM clients WHERE deleted = 0 GROUP BY id_number HAVING count(*) = 2 LIMIT 1"
    ).fetchone()[0].split(",")]
    # the usual case at a branch: a prospect keyed in again for someone who already banks with us
    db.conn.execute("UPDATE clients SET client_no = NULL WHERE id = ?", (ids[1],))
    db.conn.commit()
    db.close()
    before = head.model.total
    head.merge_ids(ids)
    # what was done stays on screen beside the new count (the reload does not wipe it out)
    qtbot.waitUntil(lambda: f"{before - 1:,}" in head.status.text(), timeout=5000)
    assert "已合并到" in head.status.text()
    db = _db(head)
    live = db.conn.execute(f"SELECT id FROM clients WHERE id IN ({ids[0]},{ids[1]}) AND deleted = 0").fetchall()
    deletes = db.conn.execute("SELECT row_id, after FROM journal WHERE op = 'delete'").fetchall()
    db.close()
    assert live == [(ids[0],)]  # the core-banking record survives
    assert [(r, "merged_into" in a) for r, a in deletes] == [(ids[1], True)]


def test_saved_views_and_columns_are_remembered(qtbot, demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, demo_dir, None)
    lc = ws.filters.lifecycles
    with qtbot.waitSignal(ws.model.countChanged, timeout=5000):
        lc.item(3).setCheckState(Qt.CheckState.Checked)  # 流失预警
    ws.save_view("流失预警客户")
    ws.layout_.set_visible(COLUMN_KEYS.index("loan"), True)
    n = ws.model.total
    w.close()
    ctx.shutdown()
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        assert not ws.table.horizontalHeader().isSectionHidden(COLUMN_KEYS.index("loan"))
        assert ws.views.findData("流失预警客户") > 0
        with qtbot.waitSignal(ws.model.countChanged, timeout=5000):
            ws.load_view("流失预警客户")
        assert ws.model.total == n
        # a view saved by a version whose filter had a field this one does not know still opens
        views = opts.saved_views(ctx.staff.code)
        stored = views.get(ctx.ui_settings)
        stored["旧视图"] = {"filter": {**stored["流失预警客户"]["filter"], "renamed_field": [1]},
                           "sort": ["no_such_sort", True]}
        views.set(ctx.ui_settings, stored)
        with qtbot.waitSignal(ws.model.countChanged, timeout=5000):
            ws.load_view("旧视图")
        assert ws.model.total == n and ws.model.sort_key == ("name", False)
        assert ctx.ui_settings.value(opts.VERSION_KEY) in (opts.VERSION, str(opts.VERSION))
    finally:
        w.close()
        ctx.shutdown()


def test_a_change_published_elsewhere_reloads_the_table(qtbot, head: ClientsWorkspace) -> None:
    """The sync (or any other screen) says clients changed: the table is read again, unasked."""
    db = head.ctx.store.connect()
    db.conn.execute("UPDATE clients SET deleted = 1 WHERE id IN (SELECT id FROM clients WHERE deleted = 0 LIMIT 3)")
    db.conn.commit()
    db.close()
    before = head.model.total
    with qtbot.waitSignal(head.model.countChanged, timeout=5000) as sig:
        head.ctx.changes.publish(Changes.of("client", journal=False), source=None)
    assert sig.args[0] == before - 3
    with qtbot.assertNotEmitted(head.model.countChanged, wait=300):
        head.ctx.changes.publish(Changes.of("contact", journal=False), source=None)


def test_sign_in_sets_a_pin_then_checks_it(qtbot, demo_dir: Path) -> None:
    create_application([])
    store = Store.open(demo_dir)
    thread = DbThread("signin-test", store.connect)
    try:
        dlg = SignInDialog(thread, default_code="A0001")
        qtbot.addWidget(dlg)
        qtbot.waitUntil(lambda: dlg.who.count() > 0, timeout=5000)
        assert dlg.who.currentData() == "A0001" and dlg.pin2.isVisibleTo(dlg)  # first use: set a PIN
        dlg.pin.setText("482913")
        dlg.pin2.setText("482913")
        with qtbot.waitSignal(dlg.accepted, timeout=10_000):
            dlg.submit()
        assert dlg.staff is not None and dlg.staff.code == "A0001"

        again = SignInDialog(thread, default_code="A0001")
        qtbot.addWidget(again)
        qtbot.waitUntil(lambda: again.who.count() > 0, timeout=5000)
        assert not again.pin2.isVisibleTo(again)
        again.pin.setText("111111")
        again.submit()
        qtbot.waitUntil(lambda: again.error.text() != "", timeout=10_000)
        assert "PIN 不正确" in again.error.text()
        again.pin.setText("482913")
        with qtbot.waitSignal(again.accepted, timeout=10_000):
            again.submit()
    finally:
        thread.shutdown()
    db = store.connect(readonly=True)
    actions = [r[0] for r in db.conn.execute("SELECT action FROM audit_log WHERE staff = 'A0001' ORDER BY id")]
    db.close()
    assert actions == ["sign_in", "sign_in_failed", "sign_in"]


def test_the_window_locks_after_idle_time(qtbot, demo_dir: Path) -> None:
    w, _ws, ctx = _open(qtbot, demo_dir, None)
    try:
        db = ctx.store.connect()
        from app.services import auth

        assert auth.set_pin(db, ctx.staff.id, "582046") is None
        db.close()
        lock = IdleLock(1 / 60, w)  # one second
        dialogs = []
        lock.locked.connect(lambda: dialogs.append(lock_window(w, ctx.writer, ctx.staff, lock)))
        qtbot.waitUntil(lambda: bool(dialogs), timeout=5000)
        assert not w.centralWidget().isVisible()
        dlg = dialogs[0]
        qtbot.waitUntil(lambda: dlg.who.count() == 1, timeout=5000)
        assert not dlg.who.isEnabled()  # only the same person can unlock
        dlg.pin.setText("582046")
        with qtbot.waitSignal(dlg.accepted, timeout=10_000):
            dlg.submit()
        assert w.centralWidget().isVisible() and not lock.is_locked
    finally:
        w.close()
        ctx.shutdown()
