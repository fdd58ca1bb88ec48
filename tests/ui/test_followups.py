"""The follow-ups workspace (跟进) under offscreen Qt, on the demo county (issue 15)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.services import auth
from app.services.followups import FollowupService
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.followups import FollowupsWorkspace
from app.ui.main_window import MainWindow


def _seed(demo_dir: Path, manager: str, dues: list[int]) -> list[int]:
    """Contacts made two weeks ago with next dates ``today + d``, for a manager's consenting clients."""
    db = Store.open(demo_dir).connect()
    try:
        ids = [r[0] for r in db.conn.execute(
            "SELECT c.id FROM clients c JOIN staff s ON s.id = c.manager_id WHERE s.code = ? AND c.consent = 1"
            " AND c.deleted = 0 ORDER BY c.id LIMIT ?", (manager, len(dues)))]
        staff = auth.load_staff(db, manager)[0]
        for cid, d in zip(ids, dues, strict=True):
            due = date.today() + timedelta(days=d)
            svc = FollowupService(db, staff, today=due - timedelta(days=14))
            assert svc.contact(cid, channel="电话", outcome="有意向", on=due - timedelta(days=14), next_date=due).ok
        return ids
    finally:
        db.close()


def _open(qtbot, demo_dir: Path, code: str | None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    ws = next(x for x in w.workspaces if isinstance(x, FollowupsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    return w, ws, ctx


@pytest.fixture
def queue(qtbot, demo_dir: Path):
    _seed(demo_dir, "M0001", [-3, 0, 2])
    w, ws, ctx = _open(qtbot, demo_dir, "M0001")
    qtbot.waitUntil(lambda: ws.model.rowCount() == 3, timeout=5000)
    # the page reads its queue on activation and again once the roster is in: let both land
    qtbot.waitUntil(lambda: not ctx.reader.busy and not ctx.writer.busy, timeout=5000)
    qtbot.wait(50)
    yield ws
    w.close()
    ctx.shutdown()


def test_the_queue_opens_overdue_first(qtbot, queue: FollowupsWorkspace) -> None:
    whens = [queue.model.rows[i].when for i in range(3)]
    assert whens[0] == "overdue" and whens[1] == "today"
    assert queue.model.data(queue.model.index(0, 0)).startswith("已逾期")
    assert "已逾期" in queue.status.text() and not queue.manager.isVisibleTo(queue)
    queue.due.setCurrentIndex(queue.due.findData("overdue"))
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=5000)


def test_done_needs_a_result_and_logs_the_contact(qtbot, queue: FollowupsWorkspace) -> None:
    queue.table.selectRow(0)
    queue.done()
    qtbot.waitUntil(lambda: queue.error.text() != "", timeout=5000)
    assert "须填写结果" in queue.error.text()
    queue.channel.setCurrentIndex(queue.channel.findData("visit"))
    queue.outcome.setText("已办理手机银行")
    with qtbot.waitSignal(queue.ctx.changes.changed, timeout=5000):
        queue.done()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 2, timeout=5000)
    db = queue.ctx.store.connect(readonly=True)
    try:
        assert db.conn.execute("SELECT count(*) FROM contacts WHERE outcome = '已办理手机银行' AND channel = 'visit'"
                               ).fetchone()[0] == 1
        assert db.conn.execute("SELECT count(*) FROM followups WHERE done = 1 AND result = '已办理手机银行'"
                               ).fetchone()[0] == 1
    finally:
        db.close()


def test_put_off_needs_a_reason_and_moves_the_row(qtbot, queue: FollowupsWorkspace) -> None:
    queue.table.selectRow(0)
    first = queue.model.rows[0].uid
    queue.until.setText((date.today() + timedelta(days=5)).isoformat())
    queue.snooze()
    qtbot.waitUntil(lambda: queue.error.text() != "", timeout=5000)
    assert "推迟须写明原因" in queue.error.text()
    queue.reason.setText("客户外出")
    with qtbot.waitSignal(queue.ctx.changes.changed, timeout=5000):
        queue.snooze()
    qtbot.waitUntil(lambda: not queue.ctx.reader.busy, timeout=5000)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 3 and queue.model.rows[0].uid != first, timeout=10_000)
    moved = next(r for r in queue.model.rows if r.uid == first)
    assert moved.snooze_reason == "客户外出" and moved.when in ("week", "later")


def test_the_branch_head_sees_every_queue_and_the_overdue_counts(qtbot, demo_dir: Path) -> None:
    _seed(demo_dir, "M0001", [-3])
    _seed(demo_dir, "M0002", [-1, 1])
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        qtbot.waitUntil(lambda: ws.model.rowCount() == 3, timeout=5000)
        assert ws.manager.isVisibleTo(ws)
        assert "各客户经理逾期" in ws.overdue.text() and "杨娥秀 1" in ws.overdue.text()
        ws.manager.setCurrentIndex(ws.manager.findData("M0002"))
        qtbot.waitUntil(lambda: ws.model.rowCount() == 2, timeout=5000)
    finally:
        w.close()
        ctx.shutdown()
