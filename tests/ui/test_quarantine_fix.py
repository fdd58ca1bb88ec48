"""The fix dialog for a change head office refused, on real refusals made through the real head-office
service on loopback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from app.store import journal
from app.store.db import write
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.quarantine_fix import QuarantineFixDialog
from app.ui.sync_workspace import SyncWorkspace
from app.ui.widgets import ERROR_STYLE
from sync.server.demo import seed_demo
from tests.support.branch import server_state, sync, workstation
from tests.support.hq import start_hq

NOTES = "搬到了新村"
BAD_MOBILE = "1381234567a"


@pytest.fixture
def refused(tmp_path: Path):
    """A workstation with two changes head office refused, each quarantined: a client moved to a
    village head office does not know (with new notes), and another client's phone number in a form
    head office cannot take. (store, hq, {"village"|"mobile": (change id, client uid)})"""
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        seed_demo(hq.store, n_clients=40)
        store = workstation(tmp_path / "ws", hq.url, hq.store)
        assert sync(store).synced
        db = store.connect()
        (rid1, uid1), (rid2, uid2) = db.conn.execute(
            "SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 2").fetchall()
        with write(db):
            moved = journal.record(db, kind="client", row_uid=uid1, row_id=rid1, op="update", before={},
                                   after={"village": "NOWHERE-1", "notes": NOTES}, author="A0001", base_seq=None)
            db.conn.execute("UPDATE clients SET notes = ? WHERE id = ?", (NOTES, rid1))
            phone = journal.record(db, kind="client", row_uid=uid2, row_id=rid2, op="update", before={},
                                   after={"mobile": BAD_MOBILE}, author="A0001", base_seq=None)
            db.conn.execute("UPDATE clients SET mobile = ? WHERE id = ?", (BAD_MOBILE, rid2))
        db.close()
        assert sync(store).quarantined == 2
        yield store, hq, {"village": (moved, uid1), "mobile": (phone, uid2)}
    finally:
        hq.stop()


def _one(store: Any, sql: str, *args: Any) -> Any:
    db = store.connect(readonly=True)
    try:
        return db.conn.execute(sql, args).fetchone()
    finally:
        db.close()


def _retype(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_fix_from_the_sync_workspace_refuses_a_bad_value_then_sends_and_the_list_refreshes(qtbot, refused) -> None:
    store, hq, changes = refused
    change_id, uid = changes["village"]
    vid, code = _one(store, "SELECT id, code FROM villages WHERE id != (SELECT village_id FROM clients WHERE uid = ?)"
                            " ORDER BY id LIMIT 1", uid)
    app = create_application([])
    assert i18n.install(app, "zh_CN")
    ctx = build_context(store, "A0001")
    published = []
    ctx.changes.changed.connect(lambda c, source: published.append((c, source)))
    page = SyncWorkspace(ctx, auto=False)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.refused_table.rowCount() == 2, timeout=5_000)
    assert page.fix_button.isEnabled() and page.retry_button.isEnabled()
    page.refused_table.selectRow(page._refused_ids.index(change_id))
    page.fix_button.click()
    dialog = page.fix_dialog
    assert isinstance(dialog, QuarantineFixDialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=5_000)
    assert "所属村" in dialog.reason.text() and "不存在" in dialog.reason.text()
    assert dialog.heading.text().startswith("客户 ")
    assert list(dialog.edits) == ["village", "notes"]
    assert dialog.edits["village"].text() == "NOWHERE-1" and dialog.edits["notes"].text() == NOTES
    assert "村名" in dialog.edits["village"].placeholderText()
    assert dialog.send_button.isEnabled() and dialog.send_button.text() == "更正并重新上传"
    qtbot.waitUntil(lambda: all(e.isVisible() for e in dialog.edits.values()), timeout=5_000)  # shown next loop
    if shots := os.environ.get("BRANCHDESK_SHOTS"):
        dialog.grab().save(str(Path(shots) / "9-quarantine-fix.png"))

    # a value the field refuses: said in red, in Chinese, naming the field; nothing written; still open
    _retype(qtbot, dialog.edits["village"], "NOWHERE-2")
    dialog.send_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5_000)
    assert "所属村" in dialog.error.text() and dialog.error.styleSheet() == ERROR_STYLE
    assert "b00020" in dialog.edits["village"].styleSheet()
    assert dialog.isVisible() and dialog.send_button.isEnabled() and not published
    assert _one(store, "SELECT sync_state FROM journal WHERE change_id = ?", change_id)[0] == "quarantined"

    _retype(qtbot, dialog.edits["village"], code)  # keyClicks types ASCII only: the village by its code
    assert not dialog.error.isVisible() and dialog.edits["village"].styleSheet() == ""
    with qtbot.waitSignal(dialog.fixed, timeout=5_000) as blocker:
        dialog.send_button.click()
    assert blocker.args[0].ok and not dialog.isVisible()
    [(changed, source)] = published
    assert source is dialog and changed.touches("client") and uid in changed.uids and changed.journal
    qtbot.waitUntil(lambda: page.refused_table.rowCount() == 1, timeout=5_000)
    assert change_id not in page._refused_ids
    assert _one(store, "SELECT village_id, notes FROM clients WHERE uid = ?", uid) == (vid, NOTES)
    page.shutdown()
    ctx.shutdown()
    report = sync(store)  # the corrected move goes through (the phone number waits in the list, not sent)
    assert report.synced and report.quarantined == 0 and report.conflicts == 0, report
    assert server_state(hq.store)["client"][uid][2]["village"] == code


def test_a_masked_number_starts_empty_and_is_typed_whole(qtbot, refused) -> None:
    store, _hq, changes = refused
    change_id, uid = changes["mobile"]
    create_application([])
    ctx = build_context(store, "A0001")
    dialog = QuarantineFixDialog(ctx, change_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=5_000)
    assert list(dialog.edits) == ["mobile"] and "手机号" in dialog.reason.text()
    edit = dialog.edits["mobile"]
    assert edit.text() == "" and "11 位" in edit.placeholderText()
    texts = [w.text() for w in dialog.findChildren(type(dialog.reason))] + [edit.text(), edit.placeholderText()]
    assert any("138****567a" in t for t in texts)
    assert not any(BAD_MOBILE in t for t in texts)

    dialog.send_button.click()  # nothing corrected: said, nothing sent
    assert dialog.error.isVisible() and dialog.isVisible()
    qtbot.keyClicks(edit, "138 1234 5679")
    with qtbot.waitSignal(dialog.fixed, timeout=5_000):
        dialog.send_button.click()
    assert not dialog.isVisible()
    assert _one(store, "SELECT mobile FROM clients WHERE uid = ?", uid)[0] == "13812345679"
    ctx.shutdown()


def test_a_refused_delete_cannot_be_fixed_in_the_dialog(qtbot, refused) -> None:
    store, _hq, _changes = refused
    db = store.connect()
    rid, code = db.conn.execute("SELECT id, code FROM villages ORDER BY id LIMIT 1").fetchone()
    with write(db):
        change_id = journal.record(db, kind="village", row_uid=code, row_id=rid, op="delete", before={},
                                   after={"deleted": True}, author="A0001", base_seq=None)
    db.close()
    assert sync(store).quarantined == 1
    create_application([])
    ctx = build_context(store, "A0001")
    dialog = QuarantineFixDialog(ctx, change_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5_000)
    assert "删除" in dialog.error.text() and not dialog.send_button.isEnabled() and not dialog.edits
    ctx.shutdown()
