"""Sync against the real head-office service on loopback (SQLite and PostgreSQL backends)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests

from app.store import journal, syncdata
from app.store.db import write
from sync import protocol as p
from sync.client.config import SyncSettings, load_token
from sync.client.transport import Transport
from sync.server.demo import seed_demo
from tests.support.branch import (
    DEMO_BRANCH,
    assert_same,
    client_count,
    pull_only,
    server_state,
    service,
    sync,
    workstation,
)

N = 600


def _headers(token: str | None = None, version: str = str(p.PROTOCOL_VERSION)) -> dict[str, str]:
    h = {p.PROTOCOL_HEADER: version}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


def _token(store) -> str:
    return load_token(store.settings, store.data_dir, SyncSettings.load(store.settings))


def test_first_sync_of_demo_branch(hq, tmp_path: Path):
    counts = seed_demo(hq.store, n_clients=N)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    report = sync(store)
    assert report.status == "synced", report
    assert report.pulled == sum(counts.values())
    assert client_count(store) == N
    assert assert_same(hq.store, store) == sum(counts.values())
    # the reference data arrived in the local tables the client book joins to
    db = store.connect(readonly=True)
    assert db.conn.execute("SELECT count(*) FROM villages").fetchone()[0] == counts["village"]
    assert db.conn.execute("SELECT count(*) FROM tags WHERE deleted = 0").fetchone()[0] == counts["tag"]
    log = syncdata.recent_log(db, 1)[0]
    assert log["status"] == "synced" and log["pulled"] == report.pulled and log["bytes_down"] > 0
    db.close()
    again = sync(store)
    assert again.status == "synced" and again.pulled == 0 and again.pushed == 0


def test_demo_workstation_and_demo_hq_describe_the_same_county(hq_sqlite, demo_dir: Path):
    """A workstation built with ``branchdesk demo`` syncing with ``branchdesk-hq demo``: matched by uid."""
    seed_demo(hq_sqlite.store, n_clients=5000)
    from app.store.store import Store
    from sync.client.engine import enrol

    store = Store.open(demo_dir)
    _id, code = hq_sqlite.store.new_enrolment(DEMO_BRANCH)
    enrol(store, hq_sqlite.url, code)
    report = sync(store)
    assert report.status == "synced", report
    assert client_count(store) == 5000  # nothing doubled
    assert_same(hq_sqlite.store, store)


def test_incremental_sync_both_ways(hq, tmp_path: Path):
    seed_demo(hq.store, n_clients=N)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    ids = [r[0] for r in db.conn.execute("SELECT id FROM clients ORDER BY id LIMIT 5")]
    # branch: edit notes and lifecycle, add a prospect, delete one
    assert svc.edit(ids[0], {"notes": "赶集日上门，已介绍手机银行"}).ok
    assert svc.edit(ids[1], {"lifecycle": "churn_warning", "potential": "是"}).ok
    village = db.conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    added = svc.add({"kind": "individual", "name": "测试新客", "village": village, "segment": "farmer",
                     "lifecycle": "new", "mobile": "13800138000"})
    assert added.ok, added.message
    added = added.value
    assert svc.delete(ids[2]).ok
    db.close()
    # head office: new balances for two clients, one new client
    uids = [u for (u,) in store.connect(readonly=True).conn.execute(
        "SELECT uid FROM clients WHERE id IN (?, ?)", (ids[3], ids[4]))]
    hq.store.publish("client", DEMO_BRANCH, [{"uid": u, "aum_fen": 123_456_00} for u in uids])
    new_uid = str(uuid.uuid4())
    hq.store.publish("client", DEMO_BRANCH, [{
        "uid": new_uid, "client_no": "CQ2699999999", "kind": "individual", "name": "总行新客",
        "village": "500229100200",
        "segment": "payroll", "lifecycle": "new", "aum_fen": 5000, "deposit_fen": 5000, "loan_fen": 0,
        "mb_signed": False, "mb_active": False, "potential": False, "notes": "", "id_override": False,
        "hq_tags": [], "branch_tags": [],
    }])
    report = sync(store)
    assert report.status == "synced", report
    assert report.pushed == 4 and report.acked == 4
    # pulled: the 3 branch-changed records come back with their server versions, plus 2 + 1 from head office
    assert report.pulled == 3 + 1 + 2 + 1
    state = server_state(hq.store)
    assert state["client"][added.uid][2]["name"] == "测试新客"
    assert state["client"][new_uid][2]["name"] == "总行新客"
    assert client_count(store) == N + 2
    assert_same(hq.store, store)
    assert hq.store.push_counts(DEMO_BRANCH) == {"applied": 4}


def test_a_device_of_branch_a_cannot_read_or_write_branch_b(hq, tmp_path: Path):
    seed_demo(hq.store, n_clients=50)
    hq.store.create_branch("500229-02", "城口县支行巴山网点")
    hq.store.publish("client", "500229-02", [{
        "uid": "b-client-1", "kind": "individual", "name": "巴山客户", "village": "v-b", "segment": "farmer",
        "lifecycle": "mature",
    }])
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    token = _token(store)
    base = f"{hq.url}/v1/branches/500229-02"
    r = requests.get(f"{base}/pull", headers=_headers(token), timeout=10)
    assert r.status_code == 403 and "本网点" in r.json()["message"]
    r = requests.post(f"{base}/push", headers=_headers(token), timeout=10, json={"changes": [{
        "change_id": str(uuid.uuid4()), "kind": "client", "uid": "b-client-1", "op": "update",
        "after": {"notes": "x"}}]})
    assert r.status_code == 403
    r = requests.post(f"{base}/checkpoint", headers=_headers(token), json={"cursor": 0, "scopes": {}}, timeout=10)
    assert r.status_code == 403
    # through its own branch's door, a change to branch B's record is refused per change (403) and quarantined
    t = Transport(SyncSettings.load(store.settings).transport(), token)
    ans = t.request("POST", f"/v1/branches/{DEMO_BRANCH}/push", body={"changes": [{
        "change_id": str(uuid.uuid4()), "kind": "client", "uid": "b-client-1", "op": "update",
        "after": {"notes": "x"}}]})
    assert ans["results"][0]["status"] == "rejected" and ans["results"][0]["code"] == 403
    # nothing of branch B leaked into A's pull, and B's record is unchanged
    assert sync(store).synced
    assert "b-client-1" not in {u for u, *_ in hq.store.records(DEMO_BRANCH, "client")}
    assert next(v for u, _s, _d, v in hq.store.records("500229-02", "client") if u == "b-client-1")["notes"] == ""
    denials = hq.store.list_denials()
    assert len(denials) == 4 and all(d["device_branch"] == DEMO_BRANCH for d in denials)


def test_a_push_sent_twice_doubles_nothing(hq, tmp_path: Path):
    seed_demo(hq.store, n_clients=N)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    ids = [r[0] for r in db.conn.execute("SELECT id FROM clients ORDER BY id LIMIT 3")]
    for i in ids:
        svc.edit(i, {"notes": f"走访 {i}"})
    village = db.conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    added = svc.add({"kind": "individual", "name": "重复测试", "village": village, "segment": "farmer",
                     "lifecycle": "new"}).unwrap()
    pending = journal.pending(db)
    assert len(pending) == 4
    first = sync(store)
    assert first.acked == 4
    server_after_first = server_state(hq.store)
    # the answer "was lost": the same journal rows go up again
    with write(db):
        db.conn.executemany("UPDATE journal SET sync_state = 'pending' WHERE change_id = ?",
                            [(e.change_id,) for e in pending])
    second = sync(store)
    assert second.status == "synced", second
    assert second.duplicates == 4 and second.acked == 0
    assert server_state(hq.store) == server_after_first  # same records, same versions
    assert hq.store.push_counts(DEMO_BRANCH) == {"applied": 4}
    assert client_count(store) == N + 1
    assert sum(1 for u, *_ in hq.store.records(DEMO_BRANCH, "client") if u == added.uid) == 1
    # the same change id with another payload is a conflict, never the first answer again
    token = _token(store)
    e = pending[0]
    r = requests.post(f"{hq.url}/v1/branches/{DEMO_BRANCH}/push", headers=_headers(token), timeout=10, json={
        "changes": [{"change_id": e.change_id, "kind": e.kind, "uid": e.row_uid, "op": e.op,
                     "before": e.before, "after": {"notes": "另一个内容"}}]})
    ans = r.json()["results"][0]
    assert ans["status"] == "conflict" and ans["code"] == 409 and ans["seq"] is None
    assert server_state(hq.store) == server_after_first
    db.close()


def test_shared_field_conflict_is_kept_and_reported_on_both_sides(hq, tmp_path: Path):
    seed_demo(hq.store, n_clients=N)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid, old_mobile = db.conn.execute("SELECT id, uid, mobile FROM clients WHERE mobile IS NOT NULL"
                                           " ORDER BY id LIMIT 1").fetchone()
    # head office changes the phone; the branch, not having pulled that, changes it too
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": "13900000001"}])
    assert svc.edit(cid, {"mobile": "13700000002"}).ok
    report = sync(store)
    assert report.conflicts == 1 and report.status == "synced", report
    # server: order of receipt (the branch's value, received last) and the overwritten value kept
    server_conflicts = hq.store.conflicts(DEMO_BRANCH)
    assert len(server_conflicts) == 1
    sc = server_conflicts[0]
    assert (sc["field"], json.loads(sc["server_value"]), json.loads(sc["branch_value"]),
            json.loads(sc["base_value"])) == ("mobile", "13900000001", "13700000002", old_mobile)
    assert server_state(hq.store)["client"][uid][2]["mobile"] == "13700000002"
    # branch: the conflict is stored for review with both values, and the journal row says so
    local = syncdata.open_conflicts(db)
    assert len(local) == 1 and local[0].field == "mobile" and local[0].side == "push"
    assert json.loads(local[0].server_value) == "13900000001" and json.loads(local[0].local_value) == "13700000002"
    state = db.conn.execute("SELECT sync_state FROM journal WHERE row_uid = ? ORDER BY seq DESC", (uid,)).fetchone()
    assert state[0] == "conflict"
    assert_same(hq.store, store)
    db.close()


def test_pull_never_overwrites_a_record_with_unsent_changes(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients ORDER BY id LIMIT 1").fetchone()
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "address": "总行的新地址"}])
    svc.edit(cid, {"address": "网点的新地址"})
    pull_only(store, db)  # as when the push had not got through before the pull
    assert db.conn.execute("SELECT address FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "网点的新地址"
    pulled_conflicts = [c for c in syncdata.open_conflicts(db) if c.side == "pull"]
    assert len(pulled_conflicts) == 1 and json.loads(pulled_conflicts[0].server_value)["address"] == "总行的新地址"
    # the next full cycle pushes the branch's change (a conflict on a shared field) and converges
    report = sync(store)
    assert report.status == "synced", report
    assert_same(hq.store, store)
    db.close()


def test_rejected_change_is_quarantined_and_does_not_block_the_queue(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    ids = [r[0] for r in db.conn.execute("SELECT id FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 3")]
    svc.edit(ids[0], {"notes": "好的变更一"})
    # a change the server must refuse: a core-banking field (as an older build might have sent)
    uid = db.conn.execute("SELECT uid FROM clients WHERE id = ?", (ids[1],)).fetchone()[0]
    with write(db):
        journal.record(db, kind="client", row_uid=uid, row_id=ids[1], op="update", before={"aum_fen": 1},
                       after={"aum_fen": 999}, author="A0001", base_seq=None)
    svc.edit(ids[2], {"notes": "好的变更二"})
    report = sync(store)
    assert report.quarantined == 1 and report.acked == 2, report
    assert report.status == "synced"
    row = db.conn.execute("SELECT sync_state, sync_note FROM journal WHERE row_uid = ? AND after LIKE '%aum%'",
                          (uid,)).fetchone()
    assert row[0] == "quarantined" and "总行" in row[1] and "403" in row[1]
    assert journal.pending_count(db) == 0
    db.close()


def test_old_protocol_gets_please_upgrade(hq_sqlite):
    for headers in ({}, {p.PROTOCOL_HEADER: "0"}):
        r = requests.get(f"{hq_sqlite.url}/v1/branches/{DEMO_BRANCH}/pull", headers=headers, timeout=10)
        assert r.status_code == 426
        assert "请升级" in r.json()["message"]
        assert r.headers[p.SERVER_TIME_HEADER]
    r = requests.post(f"{hq_sqlite.url}/v1/enrol", headers={p.PROTOCOL_HEADER: "0"}, json={"code": "x"}, timeout=10)
    assert r.status_code == 426


def test_every_answer_carries_the_server_clock(hq_sqlite):
    for method, path in (("GET", "/health"), ("GET", "/v1/branches/x/pull"), ("POST", "/v1/enrol")):
        r = requests.request(method, hq_sqlite.url + path, headers=_headers(), json={"code": "NOPE"}, timeout=10)
        assert p.SERVER_TIME_HEADER in r.headers, (path, r.status_code)


def test_enrolment_code_is_one_time_and_revocation_locks_the_device_out(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=20)
    device_id, code = hq.store.new_enrolment(DEMO_BRANCH)
    r1 = requests.post(f"{hq.url}/v1/enrol", headers=_headers(), json={"code": code}, timeout=10)
    assert r1.status_code == 200 and r1.json()["branch"] == DEMO_BRANCH
    token = r1.json()["token"]
    # step one only: the token does not work yet, and the code does (the PC may not have kept it)
    assert requests.get(f"{hq.url}/v1/branches/{DEMO_BRANCH}/pull", headers=_headers(token), timeout=10
                        ).status_code == 401
    r1 = requests.post(f"{hq.url}/v1/enrol", headers=_headers(), json={"code": code}, timeout=10)
    assert r1.status_code == 200
    stale, token = token, r1.json()["token"]
    # step two: confirmed, the token works; the first (replaced) token never will; the code is spent
    assert requests.post(f"{hq.url}/v1/enrol/confirm", headers=_headers(), json={"token": stale},
                         timeout=10).status_code == 403
    assert requests.post(f"{hq.url}/v1/enrol/confirm", headers=_headers(), json={"token": token}, timeout=10).ok
    r2 = requests.post(f"{hq.url}/v1/enrol", headers=_headers(), json={"code": code}, timeout=10)
    assert r2.status_code == 403 and "注册码" in r2.json()["message"]
    assert requests.get(f"{hq.url}/v1/branches/{DEMO_BRANCH}/pull", headers=_headers(token), timeout=10).ok
    hq.store.revoke(device_id)
    r = requests.get(f"{hq.url}/v1/branches/{DEMO_BRANCH}/pull", headers=_headers(token), timeout=10)
    assert r.status_code == 401
    # the token is only in the credential store, never in the data folder
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    secret = _token(store)
    for f in (tmp_path / "ws").rglob("*"):
        if f.is_file():
            assert secret.encode() not in f.read_bytes(), f


@pytest.mark.parametrize("level", ["sqlite"])
def test_checkpoint_mismatch_resyncs_the_scope(hq_sqlite, tmp_path: Path, level: str):
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=200)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    # damage the local copy behind sync's back: a lost whitelist entry and a stale client version
    db = store.connect()
    with write(db):
        db.conn.execute("DELETE FROM whitelist WHERE id = (SELECT min(id) FROM whitelist)")
        db.conn.execute("UPDATE clients SET hq_seq = hq_seq - 1, notes = 'stale' WHERE id = 1")
    db.close()
    # the running totals the checkpoint compares do not see damage done behind sync's back ...
    quick = sync(store, recount=False)
    assert quick.status == "synced" and not quick.recounted
    # ... the daily recount from the tables does, and the damaged kinds are fetched again
    report = sync(store, recount=True)
    assert report.status == "synced" and report.recounted, report
    assert sorted(report.resynced) == ["client", "whitelist"]
    assert_same(hq.store, store)


def test_a_set_aside_record_whose_change_is_refused_comes_back_without_a_full_resync(hq_sqlite, tmp_path: Path):
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db = store.connect()
    cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "aum_fen": 777_00}])
    # an unsent change head office will refuse (a core-banking field), made before the pull
    with write(db):
        journal.record(db, kind="client", row_uid=uid, row_id=cid, op="update", before={"loan_fen": 0},
                       after={"loan_fen": 1}, author="A0001", base_seq=None)
    pull_only(store, db)  # the pull sets the record aside
    assert db.conn.execute("SELECT count(*) FROM sync_deferred").fetchone()[0] == 1
    report = sync(store)  # push: refused -> quarantined; then the record is asked for again by uid
    assert report.quarantined == 1 and report.status == "synced", report
    assert report.resynced == []
    assert db.conn.execute("SELECT aum_fen FROM clients WHERE id = ?", (cid,)).fetchone()[0] == 777_00
    assert db.conn.execute("SELECT count(*) FROM sync_deferred").fetchone()[0] == 0
    assert_same(hq.store, store)
    db.close()
