"""The conflict review dialog (issue 18) on a real conflict made through the real head-office service."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.store import syncdata
from app.ui.app import build_context, create_application
from app.ui.conflict_review import ConflictReviewDialog
from app.ui.sync_workspace import SyncWorkspace
from app.ui.widgets import ERROR_STYLE
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, service, sync, workstation
from tests.support.hq import start_hq

HQ_MOBILE, BRANCH_MOBILE = "13900000001", "13700000002"


@pytest.fixture
def conflicted(tmp_path: Path):
    """A workstation with one push conflict on a client's phone: (store, conflict id, client uid)."""
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        seed_demo(hq.store, n_clients=100)
        store = workstation(tmp_path / "ws", hq.url, hq.store)
        assert sync(store).synced
        db, svc = service(store)
        cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE mobile IS NOT NULL AND client_no IS NOT NULL"
                                   " ORDER BY id LIMIT 1").fetchone()
        hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": HQ_MOBILE}])
        assert svc.edit(cid, {"mobile": BRANCH_MOBILE}).ok
        assert sync(store).conflicts == 1
        [conflict] = syncdata.open_conflicts(db)
        db.close()
        yield store, conflict.id, uid
    finally:
        hq.stop()


def _mobile(store, uid: str) -> str:
    db = store.connect(readonly=True)
    try:
        return db.conn.execute("SELECT mobile FROM clients WHERE uid = ?", (uid,)).fetchone()[0]
    finally:
        db.close()


def test_dialog_shows_both_sides_refuses_a_bad_value_and_keeps_head_offices(qtbot, conflicted) -> None:
    store, conflict_id, uid = conflicted
    create_application([])
    ctx = build_context(store, "A0001")
    published = []
    ctx.changes.changed.connect(lambda changes, source: published.append((changes, source)))
    dialog = ConflictReviewDialog(ctx, conflict_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.mine_value.text() == "137****0002", timeout=5_000)
    assert dialog.theirs_value.text() == "139****0001"
    assert "A0001" in dialog.mine_by.text() and "总行" in dialog.theirs_by.text()
    assert dialog.field_label.text().endswith("手机号") and dialog.heading.text().startswith("客户 ")
    assert dialog.keep_mine_button.isEnabled() and dialog.keep_theirs_button.isEnabled()
    assert dialog.merge_box.isVisible() and dialog.value_edit.placeholderText() == "11 位手机号码"
    for w in (dialog.mine_value, dialog.theirs_value, dialog.mine_by, dialog.theirs_by, dialog.note):
        assert HQ_MOBILE not in w.text() and BRANCH_MOBILE not in w.text()
    if shots := os.environ.get("BRANCHDESK_SHOTS"):
        dialog.grab().save(str(Path(shots) / "8-conflict-review.png"))

    # a merged value the field refuses: said in red, in Chinese, naming the field; nothing written
    qtbot.keyClicks(dialog.value_edit, "12345")
    dialog.use_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5_000)
    assert "手机号" in dialog.error.text() and dialog.error.styleSheet() == ERROR_STYLE
    dialog.grab().save("/tmp/conflict.png")
    assert dialog.isVisible() and not published and _mobile(store, uid) == BRANCH_MOBILE
    assert dialog.keep_theirs_button.isEnabled()

    with qtbot.waitSignal(dialog.resolved, timeout=5_000) as blocker:
        dialog.keep_theirs_button.click()
    assert blocker.args[0].ok and not dialog.isVisible()
    [(changes, source)] = published
    assert source is dialog and changes.touches("client") and uid in changes.uids and changes.journal
    assert _mobile(store, uid) == HQ_MOBILE
    ctx.shutdown()


def test_review_from_the_sync_workspace_and_the_list_refreshes(qtbot, conflicted) -> None:
    store, _conflict_id, uid = conflicted
    create_application([])
    ctx = build_context(store, "A0001")
    page = SyncWorkspace(ctx, auto=False)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: page.conflict_table.rowCount() == 1, timeout=5_000)
    assert page.review_button.isEnabled()
    page.conflict_table.selectRow(0)
    page.review_button.click()
    dialog = page.conflict_dialog
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=5_000)
    qtbot.keyClicks(dialog.value_edit, "136 0000 0003")
    with qtbot.waitSignal(dialog.resolved, timeout=5_000):
        dialog.use_button.click()
    qtbot.waitUntil(lambda: page.conflict_table.rowCount() == 0, timeout=5_000)
    assert not page.review_button.isEnabled()
    assert _mobile(store, uid) == "13600000003"
    page.shutdown()
    ctx.shutdown()
