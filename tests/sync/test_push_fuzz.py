"""Arbitrary JSON pushed into every column of every kind a branch may push, as an attacker would.

Against the real service on SQLite and on the real PostgreSQL cluster: no
request gets a 5xx, nothing that breaks a kind's declaration is stored, and the
branch's next sync completes (confirmed by head office).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store import syncdata
from sync import protocol as p
from sync.client.config import SyncSettings, load_token
from sync.protocol.schema import Creator, Owner
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, sync, workstation
from tests.support.records import sample

PUSHABLE = [k for k in p.KINDS.kinds if k.branch_writes]
NASTY_TEXT = ["", " ", "\x00", "a\x00b", "\x1b[31m红\x1b[0m", "\ud800", "\udfff尾", "\u202e倒", "x" * 501,
              "张" * 60, "13800138000", "2026-11-30", "2026-02-30", "farmer", "A0001", "NaN", "1e999", "\n"]

json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(NASTY_TEXT), st.text(max_size=40),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def valid_insert(draw, refs: dict[str, str]):
    """A change head office accepts: a new record of a kind the branch creates, every value valid."""
    kind = draw(st.sampled_from([k for k in PUSHABLE if k.creator == Creator.BRANCH and k.name != "scenario_metric"]))
    values = {k: v for k, v in sample(kind, refs, draw(st.integers(0, 50))).items()
              if kind.by_name[k].owner != Owner.HQ}
    return {"change_id": str(uuid.uuid4()), "kind": kind.name, "uid": str(uuid.uuid4()), "op": "insert",
            "after": values, "before": {}, "base_seq": None, "author": "A0001", "local_time": ""}


@st.composite
def changes(draw, refs: dict[str, str]):
    if draw(st.integers(0, 3)) == 0:
        return draw(valid_insert(refs))
    kind = draw(st.sampled_from(PUSHABLE))
    column_names = list(kind.wire_columns)
    after = {}
    for name in draw(st.lists(st.sampled_from(column_names), max_size=len(column_names), unique=True)):
        after[name] = draw(st.one_of(json_values, st.sampled_from(list(refs.values()))))
    if draw(st.booleans()):
        after[draw(st.text(max_size=10))] = draw(json_values)  # a column that does not exist
    existing = refs.get(kind.name)
    return {
        "change_id": draw(st.one_of(st.just(str(uuid.uuid4())), st.sampled_from(["", "x" * 65, "坏\x00", "\ud800"]))),
        "kind": draw(st.one_of(st.just(kind.name), st.sampled_from(["", "township", "nosuch", "\x00"]))),
        "uid": draw(st.one_of(st.just(str(uuid.uuid4())), st.sampled_from([existing or "u1", "", "\ud800", "x" * 70]))),
        "op": draw(st.sampled_from(["insert", "insert", "update", "delete", "upsert"])),
        "after": after,
        "before": draw(st.dictionaries(st.sampled_from(column_names), json_values, max_size=3)),
        "base_seq": draw(st.one_of(st.none(), st.integers(min_value=-(2**70), max_value=2**70))),
        "author": draw(st.sampled_from(["A0001", "\x00", "\ud800", "张" * 100])),
        "local_time": draw(st.sampled_from(["2026-12-01T10:00:00+08:00", "\ud800", ""])),
    }


def _stored_records_are_valid(hq_store) -> int:
    n = 0
    for kind in p.KINDS:
        for uid, seq, deleted, values in hq_store.records(DEMO_BRANCH, kind.name):
            row = [seq, uid, 1 if deleted else 0, *(values[c] for c in kind.wire_columns)]
            assert kind.check_row(row), (kind.name, uid, kind.row_problems(row[3:]))
            n += 1
    return n


@pytest.mark.timeout(900)
def test_arbitrary_pushes_never_break_head_office_or_the_branch(hq, tmp_path: Path) -> None:
    seed_demo(hq.store, n_clients=30)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    token = load_token(store.settings, store.data_dir, SyncSettings.load(store.settings))
    headers = {p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION), "Authorization": f"Bearer {token}"}
    refs = {}
    for kind in ("client", "whitelist", "campaign_target", "tag", "village", "staff", "campaign", "scenario_type"):
        refs[kind] = next(u for u, _s, d, _v in hq.store.records(DEMO_BRANCH, kind) if not d)
    seen: dict[str, int] = {}

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(batch=st.lists(changes(refs), min_size=1, max_size=6))
    def push(batch) -> None:
        body = json.dumps({"changes": batch}, allow_nan=True)  # NaN and Infinity as an attacker sends them
        r = requests.post(f"{hq.url}/v1/branches/{DEMO_BRANCH}/push", data=body.encode(),
                          headers={**headers, "Content-Type": "application/json"}, timeout=30)
        assert r.status_code < 500, (r.status_code, r.text[:300])
        if r.status_code == 200:
            for a in r.json()["results"]:
                seen[a["status"]] = seen.get(a["status"], 0) + 1
                if a["status"] == p.REJECTED:
                    assert a["reason"] and a["code"] in (400, 403, 404, 409), a

    push()
    print("\nfuzzed push answers:", seen)
    assert seen.get(p.REJECTED, 0) > 0 and seen.get(p.APPLIED, 0) > 0  # both doors were exercised
    assert _stored_records_are_valid(hq.store) > 0
    report = sync(store)  # whatever was accepted arrives, and nothing stops the branch
    assert report.status == "synced" and report.rejected == 0, report


def test_a_bad_value_already_stored_is_set_aside_and_the_rest_syncs(hq_sqlite, tmp_path: Path) -> None:
    """A record that breaks its declaration reaches a PC anyway (stored before validation existed, or by
    a bug): that one record is set aside with the reason, everything else applies, the PC is confirmed."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=30)
    uid = next(u for u, _s, d, _v in hq.store.records(DEMO_BRANCH, "client") if not d)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    with hq.store.engine.begin() as c:  # behind the validation's back
        row = c.exec_driver_sql("SELECT data FROM records WHERE kind = 'client' AND uid = ?", (uid,)).scalar()
        values = json.loads(row)
        values[p.KINDS["client"].wire_columns.index("mobile")] = {"x": 1}
        c.exec_driver_sql("UPDATE records SET data = ? WHERE kind = 'client' AND uid = ?", (json.dumps(values), uid))
    report = sync(store)
    assert report.status == "synced", report
    assert report.rejected == 1 and any("手机号" in w for w in report.warnings), report
    db = store.connect(readonly=True)
    rejected = syncdata.rejected_records(db)
    n = db.conn.execute("SELECT count(*) FROM clients").fetchone()[0]
    db.close()
    assert [r["uid"] for r in rejected] == [uid] and "手机号" in rejected[0]["reason"]
    assert n == 29
    # head office repairs it: the new version arrives and the set-aside one is gone
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": "13800138000"}])
    assert sync(store).synced
    db = store.connect(readonly=True)
    assert syncdata.rejected_records(db) == []
    assert db.conn.execute("SELECT mobile FROM clients WHERE uid = ?", (uid,)).fetchone()[0] == "13800138000"
    db.close()


def test_a_core_banking_number_sent_twice_sets_one_aside_and_the_rest_syncs(hq_sqlite, tmp_path: Path) -> None:
    """Head office publishing the same core-banking number for two clients (two sheets) does not stop a PC."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=30)
    first = next(v for _u, _s, d, v in hq.store.records(DEMO_BRANCH, "client") if v["client_no"] and not d)
    twin = {**first, "name": "重号客户"}
    hq.store.publish("client", DEMO_BRANCH, [{"uid": str(uuid.uuid4()), **twin}])
    refused = hq.store.check_rows("client", [{"uid": "a", **first}, {"uid": "b", **twin}])
    assert any("重复" in m for m in refused)  # within one sheet head office refuses it outright
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    report = sync(store)
    assert report.status == "synced" and report.rejected == 1, report
    db = store.connect(readonly=True)
    rejected = syncdata.rejected_records(db)
    assert len(rejected) == 1 and first["client_no"] in rejected[0]["reason"]
    assert db.conn.execute("SELECT count(*) FROM clients").fetchone()[0] == 30
    db.close()
    assert sync(store).synced  # and it stays confirmed
