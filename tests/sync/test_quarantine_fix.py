"""Fixing a change head office refused: real refusals made through the real head-office service on
loopback, the refused values corrected with ``SyncReview.fix`` (or ``sync quarantine fix``), synced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.services import auth
from app.services.sync_review import SyncReview
from app.store import audit, journal
from app.store.db import write
from app.store.records import Records
from sync.server.demo import seed_demo
from tests.support.branch import assert_same, server_state, service, sync, workstation

NOTES = "搬到了新村"


def _counts(db: Any) -> tuple[int, int, int]:
    one = db.conn.execute
    return (one("SELECT count(*) FROM journal").fetchone()[0], one("SELECT count(*) FROM audit_log").fetchone()[0],
            one("SELECT count(*) FROM journal WHERE sync_state = 'quarantined'").fetchone()[0])


def _refused_update(hq: Any, tmp_path: Path) -> tuple[Any, Any, SyncReview, str, str]:
    """A client's move to a village head office does not know (the notes changed with it): refused
    and quarantined at the next sync. (store, db, review, the refused change id, the client uid)."""
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    rid, uid = db.conn.execute(
        "SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    with write(db):
        change_id = journal.record(db, kind="client", row_uid=uid, row_id=rid, op="update", before={},
                                   after={"village": "NOWHERE-1", "notes": NOTES}, author="A0001", base_seq=None)
        db.conn.execute("UPDATE clients SET notes = ? WHERE id = ?", (NOTES, rid))
    report = sync(store)
    assert report.quarantined == 1 and report.status == "synced", report
    assert journal.get(db, change_id).sync_state == journal.SYNC_QUARANTINED
    return store, db, SyncReview(db, svc.staff), change_id, uid


def _other_village(db: Any, uid: str) -> tuple[int, str, str]:
    """A village of this branch the client is not in: (local id, code, 乡镇+村 as a person types it)."""
    return db.conn.execute(
        "SELECT v.id, v.code, t.name || v.name FROM villages v JOIN townships t ON t.id = v.township_id"
        " WHERE v.id != (SELECT village_id FROM clients WHERE uid = ?) ORDER BY v.id LIMIT 1", (uid,)).fetchone()


def test_the_fix_lists_the_refused_fields_with_the_reason(hq_sqlite, tmp_path: Path):
    _store, db, review, change_id, _uid = _refused_update(hq_sqlite, tmp_path)
    fix = review.fixable(change_id)
    assert "所属村" in fix.reason and "不存在" in fix.reason and fix.op == "update" and fix.kind == "client"
    assert fix.record.startswith("客户 ")
    village, notes = fix.fields  # the field the reason names first
    assert (village.field, village.label, village.text, village.named) == ("village", "所属村", "NOWHERE-1", True)
    assert "村名" in village.hint and not village.masked
    assert (notes.field, notes.label, notes.text, notes.named) == ("notes", "备注", NOTES, False)
    assert review.fixable("no-such-change").code == "unknown"
    db.close()


def test_a_refused_correction_names_the_field_and_writes_nothing(hq_sqlite, tmp_path: Path):
    _store, db, review, change_id, uid = _refused_update(hq_sqlite, tmp_path)
    counts = _counts(db)
    village_id = db.conn.execute("SELECT village_id FROM clients WHERE uid = ?", (uid,)).fetchone()[0]
    for values, label in (({"village": "NOWHERE-2"}, "所属村"), ({"village": "不存在的村"}, "所属村"),
                          ({"notes": "x" * 501}, "备注"), ({"mobile": "13800138000"}, "手机号"),
                          ({"village": "NOWHERE-1"}, "重新上传")):
        result = review.fix(change_id, values)
        assert not result.ok and label in result.message, (values, result.message)
    assert _counts(db) == counts
    assert db.conn.execute("SELECT village_id FROM clients WHERE uid = ?", (uid,)).fetchone()[0] == village_id
    assert journal.get(db, change_id).sync_state == journal.SYNC_QUARANTINED
    # a manager may not handle refused changes (the branch head does)
    code = db.conn.execute("SELECT code FROM staff WHERE role = 'manager' ORDER BY code LIMIT 1").fetchone()[0]
    denied = SyncReview(db, auth.load_staff(db, code)[0]).fix(change_id, {"village": "NOWHERE-2"})
    assert not denied.ok and denied.errors[0].code == "permission"
    assert _counts(db) == counts
    db.close()


def test_a_good_correction_is_journaled_audited_and_applied_at_head_office(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    store, db, review, change_id, uid = _refused_update(hq, tmp_path)
    journaled, audited, _q = _counts(db)
    vid, code, typed = _other_village(db, uid)
    result = review.fix(change_id, {"所属村": f" {typed} "})  # by its Chinese label, as typed
    assert result.ok, result.message
    assert result.changes.touches("client") and uid in result.changes.uids and result.changes.journal
    assert db.conn.execute("SELECT village_id, notes FROM clients WHERE uid = ?", (uid,)).fetchone() == (vid, NOTES)
    # the corrected change, with the field not corrected still in it, then the local edit
    new = journal.get(db, result.value)
    assert (new.op, new.after, new.sync_state, new.author) == (
        "update", {"village": code, "notes": NOTES}, journal.SYNC_PENDING, "A0001")
    assert _counts(db)[:2] == (journaled + 2, audited + 1)
    old = journal.get(db, change_id)
    assert old.sync_state == journal.SYNC_LOCAL and "更正后重新上传" in old.sync_note and result.value in old.sync_note
    [entry] = [a for a in audit.for_record(db, "client", uid) if a.action == audit.FIX_CHANGE]
    assert entry.staff == "A0001" and "所属村" in entry.detail and change_id in entry.detail
    assert code not in entry.detail and NOTES not in entry.detail  # which fields, never the values
    assert review.quarantined() == [] and not review.fix(change_id, {"village": typed}).ok

    report = sync(store)
    assert report.synced and report.quarantined == 0 and report.conflicts == 0, report
    values = server_state(hq.store)["client"][uid][2]
    assert (values["village"], values["notes"]) == (code, NOTES)
    assert_same(hq.store, store)
    db.close()


def test_a_refused_insert_is_corrected_and_goes_before_the_later_changes(hq_sqlite, tmp_path: Path):
    """A new client head office refused (a phone number it cannot take), then edited here: the fix
    journals the corrected insert before the later edit, so head office gets the record first."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    village = db.conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    created = svc.add({"name": "郑小满", "mobile": "13812345678", "village": village, "segment": "农户"})
    assert created.ok, created.message
    cid, uid = created.value.id, created.value.uid
    [insert] = journal.history(db, "client", uid)
    with write(db):  # as an older build might have sent it
        db.conn.execute("UPDATE journal SET after = json_set(after, '$.mobile', '1381234567a') WHERE change_id = ?",
                        (insert.change_id,))
        db.conn.execute("UPDATE clients SET mobile = '1381234567a' WHERE id = ?", (cid,))
    report = sync(store)
    assert report.quarantined == 1, report
    assert uid not in server_state(hq.store).get("client", {})
    assert svc.edit(cid, {"notes": "后来补充的备注"}).ok  # unsent: would reach head office before a new insert
    with write(db):  # and a record that refers to the new client
        contact = Records(db, "contact").insert({"client_uid": uid, "staff": "A0001", "date": "2026-03-02",
                                                 "channel": "visit", "outcome": "已上门"}, author="A0001")
    later, contact_insert = journal.pending(db)

    fix = SyncReview(db, svc.staff).fixable(insert.change_id)
    assert fix.op == "insert" and "手机号" in fix.reason
    mobile = next(f for f in fix.fields if f.field == "mobile")
    assert mobile.named and mobile.masked and mobile.text == "" and mobile.refused == "138****567a"
    assert "完整" in mobile.hint and "11 位" in mobile.hint
    assert "1381234567a" not in json.dumps([f.__dict__ for f in fix.fields], ensure_ascii=False)
    bad = SyncReview(db, svc.staff).fix(insert.change_id, {"mobile": "12345"})
    assert not bad.ok and "手机号" in bad.message

    result = SyncReview(db, svc.staff).fix(insert.change_id, {"mobile": "138 1234 5679"})
    assert result.ok, result.message
    assert db.conn.execute("SELECT mobile FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "13812345679"
    pending = journal.pending(db)
    assert pending[0].change_id == result.value and pending[0].op == "insert"
    assert pending[0].after["mobile"] == "13812345679" and pending[0].after["name"] == "郑小满"
    # the later edit and the contact go again, after the insert; then the local edit of the phone number
    assert [e.after for e in pending[1:3]] == [later.after, contact_insert.after]
    assert [e.after for e in pending[3:]] == [{"mobile": "13812345679"}]
    assert journal.get(db, later.change_id).sync_state == journal.SYNC_LOCAL
    assert journal.get(db, contact_insert.change_id).sync_state == journal.SYNC_LOCAL

    report = sync(store)
    assert report.synced and report.quarantined == 0 and report.conflicts == 0, report
    state = server_state(hq.store)
    values = state["client"][uid][2]
    assert (values["mobile"], values["notes"], values["name"]) == ("13812345679", "后来补充的备注", "郑小满")
    assert state["contact"][contact.uid][2]["client_uid"] == uid
    assert_same(hq.store, store)
    db.close()


def test_a_refused_change_of_another_kind_is_fixed_through_its_records(hq_sqlite, tmp_path: Path):
    """Not a client: the correction goes through ``Records.update`` (the same checks head office runs)."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    uid = db.conn.execute("SELECT uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
    with write(db):
        contact = Records(db, "contact").insert({"client_uid": uid, "staff": "A0001", "date": "2026-03-02",
                                                 "channel": "visit", "outcome": "已上门"}, author="A0001")
    assert sync(store).synced
    with write(db):  # as an older build might have sent it: an outcome longer than head office takes
        change_id = journal.record(db, kind="contact", row_uid=contact.uid, row_id=contact.id, op="update",
                                   before={}, after={"outcome": "办" * 41, "note": "补记"}, author="A0001",
                                   base_seq=contact.hq_seq)
        db.conn.execute("UPDATE contacts SET note = '补记' WHERE uid = ?", (contact.uid,))
    assert sync(store).quarantined == 1
    review = SyncReview(db, svc.staff)
    fix = review.fixable(change_id)
    assert [f.field for f in fix.fields] == ["outcome", "note"] and "结果" in fix.reason
    counts = _counts(db)
    bad = review.fix(change_id, {"outcome": "办" * 45})
    assert not bad.ok and "结果" in bad.message and _counts(db) == counts
    result = review.fix(change_id, {"outcome": "已办卡"})
    assert result.ok, result.message
    assert Records(db, "contact").get(contact.uid).values["outcome"] == "已办卡"
    assert journal.get(db, result.value).after == {"outcome": "已办卡", "note": "补记"}
    report = sync(store)
    assert report.synced and report.quarantined == 0 and report.conflicts == 0, report
    values = server_state(hq.store)["contact"][contact.uid][2]
    assert (values["outcome"], values["note"]) == ("已办卡", "补记")
    assert_same(hq.store, store)
    db.close()


def test_a_refused_delete_is_not_fixable(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    rid, uid = db.conn.execute("SELECT id, code FROM villages ORDER BY id LIMIT 1").fetchone()
    with write(db):  # a village is head office's: a branch may not delete it
        change_id = journal.record(db, kind="village", row_uid=uid, row_id=rid, op="delete", before={},
                                   after={"deleted": True}, author="A0001", base_seq=None)
    assert sync(store).quarantined == 1
    review = SyncReview(db, svc.staff)
    counts = _counts(db)
    refused = review.fixable(change_id)
    assert refused.code == "not_fixable" and "删除" in refused.message and "放弃" in refused.message
    result = review.fix(change_id, {"name": "新名字"})
    assert not result.ok and "删除" in result.message
    assert _counts(db) == counts
    db.close()


def test_cli_fixes_a_refused_change(hq_sqlite, tmp_path: Path):
    """``branchdesk sync quarantine fix ID --set 字段=值``: signed in, refusals in Chinese naming the field."""
    from tests.conftest import run_cli

    hq = hq_sqlite
    store, db, _review, change_id, uid = _refused_update(hq, tmp_path)
    staff = auth.load_staff(db, "A0001")[0]
    assert auth.set_pin(db, staff.id, "482913") is None
    vid, code, typed = _other_village(db, uid)
    db.close()
    env = {"BRANCHDESK_DATA_DIR": str(store.data_dir), "BRANCHDESK_USER": "A0001", "BRANCHDESK_PIN": "482913"}

    listed = run_cli("sync", "quarantine", env=env)
    assert listed.returncode == 0 and "quarantine fix" in listed.stdout, listed.stdout + listed.stderr
    shown = run_cli("sync", "quarantine", "fix", change_id, env=env)
    assert shown.returncode == 2 and "village（所属村）：NOWHERE-1" in shown.stdout and "--set" in shown.stderr
    usage = run_cli("sync", "quarantine", "fix", change_id, "--set", "village", env=env)
    assert usage.returncode == 2 and "字段=值" in usage.stderr
    bad = run_cli("sync", "quarantine", "fix", change_id, "--set", "village=NOWHERE-2", env=env)
    assert bad.returncode == 1 and "所属村" in bad.stderr, bad.stdout + bad.stderr
    unknown = run_cli("sync", "quarantine", "fix", "no-such-change", "--set", "village=x", env=env)
    assert unknown.returncode == 1 and "没有被总行拒绝" in unknown.stderr
    done = run_cli("sync", "quarantine", "fix", change_id, "--set", f"所属村={typed}", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已更正" in done.stdout and "新变更" in done.stdout and "所属村" in done.stdout
    again = run_cli("sync", "quarantine", env=env)
    assert again.returncode == 0 and "没有被总行拒绝的修改" in again.stdout

    db = store.connect(readonly=True)
    assert db.conn.execute("SELECT village_id FROM clients WHERE uid = ?", (uid,)).fetchone()[0] == vid
    assert [a.action for a in audit.for_record(db, "client", uid)] == [audit.FIX_CHANGE]
    db.close()
    assert sync(store).synced
    assert server_state(hq.store)["client"][uid][2]["village"] == code
