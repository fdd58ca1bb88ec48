"""Trust at the branch PC (issue 13): what a new user and an attacker found, each with its test."""

from __future__ import annotations

import json
from pathlib import Path

from app.store import syncdata
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, assert_same, service, sync, workstation


def test_head_office_overwriting_a_value_the_branch_set_is_a_conflict_on_both_sides(hq, tmp_path: Path) -> None:
    """Item 1: the branch set a client's mobile (synced); head office then publishes another: the branch
    takes head office's value (order of receipt) and keeps its own for review, as head office does."""
    seed_demo(hq.store, n_clients=60)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    assert svc.edit(cid, {"mobile": "13700000002"}).ok
    assert sync(store).synced
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": "13900000001"}])
    report = sync(store)
    assert report.status == "synced" and report.conflicts == 1, report
    assert db.conn.execute("SELECT mobile FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "13900000001"
    [hq_side] = hq.store.conflicts(DEMO_BRANCH)
    [local] = syncdata.open_conflicts(db)
    assert (hq_side["field"], hq_side["kept"]) == ("mobile", "hq")
    assert (local.field, local.side, local.row_uid) == ("mobile", "pull", uid)
    assert json.loads(local.local_value) == "13700000002" and json.loads(local.server_value) == "13900000001"
    # a value head office changes that the branch never set is no conflict
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "address": "总行登记的新地址"}])
    assert sync(store).conflicts == 0 and len(syncdata.open_conflicts(db)) == 1
    assert_same(hq.store, store)
    db.close()
