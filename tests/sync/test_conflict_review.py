"""Deciding a sync conflict (issue 18): real conflicts made through the real head-office service on
loopback, decided with ``SyncReview.resolve``, synced again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.services import auth
from app.services.sync_review import KEEP_MINE, KEEP_THEIRS, MERGED, SyncReview
from app.store import audit, journal, syncdata
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, assert_same, pull_only, server_state, service, sync, workstation

HQ_MOBILE, BRANCH_MOBILE = "13900000001", "13700000002"


def _push_conflict(hq: Any, tmp_path: Path) -> tuple[Any, Any, SyncReview, int, str]:
    """Head office changes a client's phone; the branch, not having pulled that, changes it too and
    pushes: head office keeps the branch's value and both sides keep the conflict."""
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE mobile IS NOT NULL AND client_no IS NOT NULL"
                               " ORDER BY id LIMIT 1").fetchone()
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": HQ_MOBILE}])
    assert svc.edit(cid, {"mobile": BRANCH_MOBILE}).ok
    report = sync(store)
    assert report.conflicts == 1 and report.synced, report
    [conflict] = syncdata.open_conflicts(db)
    assert (conflict.side, conflict.field) == ("push", "mobile")
    return store, db, SyncReview(db, svc.staff), conflict.id, uid


def _mobile(db: Any, uid: str) -> str:
    return db.conn.execute("SELECT mobile FROM clients WHERE uid = ?", (uid,)).fetchone()[0]


def _counts(db: Any) -> tuple[int, int, int]:
    one = db.conn.execute
    return (one("SELECT count(*) FROM journal").fetchone()[0], one("SELECT count(*) FROM audit_log").fetchone()[0],
            syncdata.open_conflict_count(db))


def _decided(db: Any, conflict_id: int) -> tuple[str | None, str | None, str | None]:
    return db.conn.execute("SELECT resolved_at IS NOT NULL, resolution, resolved_by FROM sync_conflicts WHERE id = ?",
                           (conflict_id,)).fetchone()


def _audit_of(db: Any, uid: str) -> audit.AuditEntry:
    [entry] = [a for a in audit.for_record(db, "client", uid) if a.action == audit.RESOLVE_CONFLICT]
    return entry


def _no_numbers(text: str) -> None:
    for number in (HQ_MOBILE, BRANCH_MOBILE, "13600000003"):
        assert number not in text and number[-4:] not in text, text


def test_the_detail_names_who_changed_each_side(hq_sqlite, tmp_path: Path):
    _store, db, review, conflict_id, _uid = _push_conflict(hq_sqlite, tmp_path)
    detail = review.conflict(conflict_id)
    assert detail.field == "mobile" and detail.view.field == "手机号"
    assert detail.mine.value == "137****0002" and detail.theirs.value == "139****0001"  # masked
    assert "A0001" in detail.mine.by and detail.mine.at[:2] == "20" and len(detail.mine.at) == 16
    assert detail.theirs.by == "总行" and detail.theirs.at == detail.view.time
    assert detail.can_keep_mine and detail.can_merge and "11 位" in detail.hint
    assert review.conflict(99999).code == "unknown"
    db.close()


def test_keep_theirs_is_a_journaled_edit_that_reaches_head_office(hq_sqlite, tmp_path: Path):
    """End to end: a real conflict, decided for head office's value, synced: head office holds the
    decided value and the conflict no longer shows on either screen."""
    hq = hq_sqlite
    store, db, review, conflict_id, uid = _push_conflict(hq, tmp_path)
    result = review.resolve(conflict_id, keep=KEEP_THEIRS)
    assert result.ok, result.message
    assert result.value.decision == KEEP_THEIRS and len(result.value.change_ids) == 1
    assert result.changes.touches("client") and result.changes.journal and uid in result.changes.uids
    assert _mobile(db, uid) == HQ_MOBILE
    entry = journal.get(db, result.value.change_ids[0])
    assert (entry.kind, entry.row_uid, entry.after, entry.sync_state, entry.author) == (
        "client", uid, {"mobile": HQ_MOBILE}, journal.SYNC_PENDING, "A0001")
    assert _decided(db, conflict_id) == (1, "theirs", "A0001")
    assert review.conflicts() == []
    a = _audit_of(db, uid)
    assert a.staff == "A0001" and "手机号" in a.detail and "采用总行的值" in a.detail
    _no_numbers(a.detail)
    # the decision is already decided: a second decision is refused
    assert not review.resolve(conflict_id, keep=KEEP_MINE).ok

    report = sync(store)
    assert report.synced and report.conflicts == 0, report
    assert server_state(hq.store)["client"][uid][2]["mobile"] == HQ_MOBILE
    assert syncdata.open_conflicts(db) == [] and review.conflicts() == []
    assert_same(hq.store, store)
    db.close()


def test_keep_mine_needs_no_edit_when_head_office_already_kept_it(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    store, db, review, conflict_id, uid = _push_conflict(hq, tmp_path)
    before = db.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    result = review.resolve(conflict_id, keep=KEEP_MINE)
    assert result.ok and result.value.change_ids == () and not result.changes.journal
    assert db.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == before
    assert _decided(db, conflict_id) == (1, "mine", "A0001")
    assert "保留本网点的值" in _audit_of(db, uid).detail
    assert sync(store).synced
    assert server_state(hq.store)["client"][uid][2]["mobile"] == BRANCH_MOBILE
    assert syncdata.open_conflicts(db) == []
    db.close()


def test_a_merged_value_is_checked_journaled_and_synced(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    store, db, review, conflict_id, uid = _push_conflict(hq, tmp_path)
    result = review.resolve(conflict_id, value=" 13600000003 ")
    assert result.ok, result.message
    assert result.value.decision == MERGED and _mobile(db, uid) == "13600000003"
    assert _decided(db, conflict_id) == (1, "merged", "A0001")
    a = _audit_of(db, uid)
    assert "合并值" in a.detail
    _no_numbers(a.detail)
    assert sync(store).synced
    assert server_state(hq.store)["client"][uid][2]["mobile"] == "13600000003"
    assert syncdata.open_conflicts(db) == []
    db.close()


def test_a_refused_decision_writes_nothing_and_names_the_field(hq_sqlite, tmp_path: Path):
    _store, db, review, conflict_id, uid = _push_conflict(hq_sqlite, tmp_path)
    counts = _counts(db)
    for bad in ("12345", "1380013800a"):
        result = review.resolve(conflict_id, value=bad)
        assert not result.ok and "手机号" in result.message, result.message
    both = review.resolve(conflict_id, keep=KEEP_MINE, value="13600000003")
    assert not both.ok and "处理方式" in both.message
    assert not review.resolve(conflict_id, keep="ours").ok
    assert not review.resolve(conflict_id).ok
    assert _counts(db) == counts and _mobile(db, uid) == BRANCH_MOBILE
    assert _decided(db, conflict_id) == (0, None, None)
    # a manager may not decide conflicts
    code = db.conn.execute("SELECT code FROM staff WHERE role = 'manager' ORDER BY code LIMIT 1").fetchone()[0]
    manager = auth.load_staff(db, code)[0]
    denied = SyncReview(db, manager).resolve(conflict_id, keep=KEEP_THEIRS)
    assert not denied.ok and denied.errors[0].code == "permission"
    assert _counts(db) == counts
    db.close()


def test_a_pulled_overwrite_kept_for_review_can_be_undone_by_keeping_mine(hq_sqlite, tmp_path: Path):
    """The pull side: head office's newer value replaced one this branch had sent; keeping this
    branch's value journals it again and head office takes it."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients ORDER BY id LIMIT 1").fetchone()
    assert svc.edit(cid, {"address": "网点填写的地址"}).ok
    assert sync(store).synced
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "address": "总行的新地址"}])
    assert sync(store).synced
    [conflict] = syncdata.open_conflicts(db)
    assert (conflict.side, conflict.field, json.loads(conflict.local_value)) == ("pull", "address", "网点填写的地址")
    review = SyncReview(db, svc.staff)
    detail = review.conflict(conflict.id)
    assert "A0001" in detail.mine.by and detail.theirs.by == "总行"
    result = review.resolve(conflict.id, keep=KEEP_MINE)
    assert result.ok and len(result.value.change_ids) == 1, result.message
    assert sync(store).synced
    assert server_state(hq.store)["client"][uid][2]["address"] == "网点填写的地址"
    assert syncdata.open_conflicts(db) == []
    assert_same(hq.store, store)
    db.close()


def test_a_set_aside_record_takes_head_offices_version_of_what_the_branch_changed(hq_sqlite, tmp_path: Path):
    """A pull that met unsent local changes keeps head office's whole record: keeping head office's
    version sets back what the branch may change; a merged value is refused for a whole record."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients ORDER BY id LIMIT 1").fetchone()
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "address": "总行的新地址"}])
    assert svc.edit(cid, {"address": "网点的新地址"}).ok
    pull_only(store, db)
    [conflict] = [c for c in syncdata.open_conflicts(db) if c.side == "pull"]
    assert conflict.field is None
    review = SyncReview(db, svc.staff)
    merged = review.resolve(conflict.id, value="别的地址")
    assert not merged.ok and "整条" in merged.message
    result = review.resolve(conflict.id, keep=KEEP_THEIRS)
    assert result.ok, result.message
    assert db.conn.execute("SELECT address FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "总行的新地址"
    report = sync(store)
    assert report.synced, report
    assert server_state(hq.store)["client"][uid][2]["address"] == "总行的新地址"
    assert_same(hq.store, store)
    db.close()


def test_cli_resolves_a_conflict_masked_and_audited(hq_sqlite, tmp_path: Path):
    """``branchdesk sync conflicts resolve ID --keep|--value``: signed in, values masked, refusals in Chinese."""
    from tests.conftest import run_cli

    hq = hq_sqlite
    store, db, _review, conflict_id, uid = _push_conflict(hq, tmp_path)
    staff = auth.load_staff(db, "A0001")[0]
    assert auth.set_pin(db, staff.id, "482913") is None
    db.close()
    env = {"BRANCHDESK_DATA_DIR": str(store.data_dir), "BRANCHDESK_USER": "A0001", "BRANCHDESK_PIN": "482913"}

    listed = run_cli("sync", "conflicts", env=env)
    assert listed.returncode == 0 and f"[{conflict_id}]" in listed.stdout and "resolve" in listed.stdout
    usage = run_cli("sync", "conflicts", "resolve", str(conflict_id), env=env)
    assert usage.returncode == 2 and "--keep" in usage.stderr
    bad = run_cli("sync", "conflicts", "resolve", str(conflict_id), "--value", "12345", env=env)
    assert bad.returncode == 1 and "手机号" in bad.stderr, bad.stdout + bad.stderr
    unknown = run_cli("sync", "conflicts", "resolve", "999", "--keep", "mine", env=env)
    assert unknown.returncode == 1 and "没有待处理的冲突" in unknown.stderr
    done = run_cli("sync", "conflicts", "resolve", str(conflict_id), "--keep", "theirs", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "采用总行的值" in done.stdout and "139****0001" in done.stdout and "下次同步" in done.stdout
    assert HQ_MOBILE not in done.stdout + done.stderr and BRANCH_MOBILE not in done.stdout + done.stderr
    again = run_cli("sync", "conflicts", env=env)
    assert again.returncode == 0 and "没有待复核的同步冲突" in again.stdout

    db = store.connect()
    assert _mobile(db, uid) == HQ_MOBILE and _decided(db, conflict_id) == (1, "theirs", "A0001")
    _no_numbers(_audit_of(db, uid).detail)
    db.close()
    assert sync(store).synced
    assert server_state(hq.store)["client"][uid][2]["mobile"] == HQ_MOBILE
