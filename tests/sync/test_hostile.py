"""What an attacker tried on head office (the architecture issue's findings), each refused, on SQLite and PostgreSQL.

Every case: a precise answer (never a 5xx), nothing invalid stored, and the
branch's next sync still confirms.
"""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

import pytest
import requests

from sync import protocol as p
from sync.client.config import SyncSettings, load_token
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, server_state, sync, workstation


@pytest.fixture
def branch_pc(hq, tmp_path: Path):
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    token = load_token(store.settings, store.data_dir, SyncSettings.load(store.settings))
    headers = {p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION), "Authorization": f"Bearer {token}"}
    banked = next(u for u, _s, d, v in hq.store.records(DEMO_BRANCH, "client") if v["client_no"] and not d)
    return hq, store, headers, banked


def _push(hq, headers, *changes: dict, raw: bytes | None = None, extra: dict | None = None) -> requests.Response:
    body = raw if raw is not None else json.dumps({"changes": list(changes)}, allow_nan=True).encode()
    return requests.post(f"{hq.url}/v1/branches/{DEMO_BRANCH}/push", data=body, timeout=60,
                         headers={**headers, "Content-Type": "application/json", **(extra or {})})


def _change(uid: str, after: dict, op: str = "update", change_id: str | None = None) -> dict:
    cid = str(uuid.uuid4()) if change_id is None else change_id
    return {"change_id": cid, "kind": "client", "uid": uid, "op": op, "after": after}


@pytest.mark.parametrize("after", [
    {"mobile": {"x": 1}}, {"notes": [1, 2]}, {"village": ["x"]}, {"branch_tags": 5}, {"segment": "alien"},
    {"notes": "含\x00空字符"}, {"notes": "\x1b[2J\x1b[31m清屏"}, {"address": "长" * 500}, {"notes": float("nan")},
    {"group_name": "\ud800"}, {"lifecycle": None}, {"consent_date": "2026-02-30"}, {"potential": "yes"},
])
def test_a_bad_value_is_refused_with_a_reason_and_never_stored(branch_pc, after: dict) -> None:
    hq, store, headers, banked = branch_pc
    before = server_state(hq.store)["client"][banked]
    r = _push(hq, headers, _change(banked, after))
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == 400 and result["reason"], result
    assert server_state(hq.store)["client"][banked] == before
    assert sync(store).synced


def test_ids_and_sizes(branch_pc) -> None:
    hq, store, headers, banked = branch_pc
    good = _change(banked, {"notes": "正常的备注"})
    # an empty, an over-long and a NUL change id are each refused alone; the valid change beside them applies
    r = _push(hq, headers, _change(banked, {"notes": "a"}, change_id=""), _change(banked, {"notes": "b"},
              change_id="x" * 65), _change(banked, {"notes": "c"}, change_id="id\x00"), good)
    assert r.status_code == 200, r.text
    statuses = [a["status"] for a in r.json()["results"]]
    assert statuses == ["rejected", "rejected", "rejected", "applied"]
    # a lone surrogate or NUL in a uid: refused per change, not a 500
    r = _push(hq, headers, _change("\ud800", {"notes": "x"}), _change("u\x00", {"notes": "x"}))
    assert r.status_code == 200 and {a["status"] for a in r.json()["results"]} == {"rejected"}
    # a checkpoint cursor beyond any sequence
    r = requests.post(f"{hq.url}/v1/branches/{DEMO_BRANCH}/checkpoint", json={"cursor": 2**63, "scopes": {}},
                      headers=headers, timeout=10)
    assert r.status_code == 400 and "游标" in r.json()["message"]
    # NUL or a surrogate among the uids asked for again
    for bad in ("a\x00b", "\ud800"):
        body = json.dumps({"kind": "client", "uids": [bad]}).encode()
        r = requests.post(f"{hq.url}/v1/branches/{DEMO_BRANCH}/fetch", data=body, timeout=10,
                          headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 400, r.text
    # bodies over the limit, plain and compressed, are refused before they are kept
    huge = b'{"changes": [' + b" " * (33 * 1024 * 1024) + b"]}"
    assert _push(hq, headers, raw=huge).status_code == 413
    assert _push(hq, headers, raw=gzip.compress(huge), extra={"Content-Encoding": "gzip"}).status_code == 413
    assert sync(store).synced


def test_change_ids_belong_to_their_branch(branch_pc, tmp_path: Path) -> None:
    """Branch B resending branch A's change id learns nothing about it: for B it is a new change."""
    hq, _store, headers, banked = branch_pc
    change = _change(banked, {"notes": "A 的备注"})
    assert _push(hq, headers, change).json()["results"][0]["status"] == "applied"
    hq.store.create_branch("500229-02", "城口县支行巴山网点")
    hq.store.publish("village", "500229-02", [{"uid": "V-B", "code": "V-B", "township": next(
        u for u, *_ in hq.store.records(DEMO_BRANCH, "township")), "name": "巴山村", "groups": 3}])
    other = workstation(tmp_path / "b", hq.url, hq.store, branch="500229-02")
    token_b = load_token(other.settings, other.data_dir, SyncSettings.load(other.settings))
    mine = {"change_id": change["change_id"], "kind": "client", "uid": str(uuid.uuid4()), "op": "insert",
            "after": {"kind": "individual", "name": "巴山新客", "village": "V-B", "segment": "farmer",
                      "lifecycle": "new"}}
    r = requests.post(f"{hq.url}/v1/branches/500229-02/push", json={"changes": [mine]}, timeout=10,
                      headers={**headers, "Authorization": f"Bearer {token_b}"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
    assert hq.store.push_counts("500229-02") == {"applied": 1}


def test_a_prospect_s_balances_are_head_office_s_on_both_sides(branch_pc) -> None:
    """What the branch refuses (clients edit --aum-fen on a prospect) head office refuses too, for the same reason."""
    hq, store, headers, _banked = branch_pc
    from tests.support.branch import service

    db, svc = service(store)
    village = db.conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    prospect = svc.add({"name": "测试潜客", "village": village, "segment": "farmer", "lifecycle": "new"}).unwrap()
    refused = svc.edit(prospect.id, {"aum_fen": "100.00"})
    db.close()
    assert not refused.ok and refused.errors[0].code == "owner"
    assert sync(store).synced
    r = _push(hq, headers, _change(prospect.uid, {"aum_fen": 10000}))
    answer = r.json()["results"][0]
    assert answer["status"] == "rejected" and answer["code"] == 403
    assert refused.errors[0].message == answer["reason"]


# --- local campaigns: a branch writes only its own (issue 15) --------------------------------------


def _kind_change(kind: str, uid: str, after: dict, op: str = "insert") -> dict:
    return {"change_id": str(uuid.uuid4()), "kind": kind, "uid": uid, "op": op, "after": after}


def test_a_branch_writes_only_its_own_campaigns_and_their_targets(branch_pc) -> None:
    hq, store, headers, banked = branch_pc
    hq_campaign = next(u for u, _s, d, v in hq.store.records(DEMO_BRANCH, "campaign") if not d)
    hq_target = next(u for u, _s, d, v in hq.store.records(DEMO_BRANCH, "campaign_target") if not d)
    before = server_state(hq.store)
    own = {"code": "B1-L261201-abc", "name": "本网点活动", "script": "欢迎到店。", "source": "branch"}
    refused = [
        # a campaign claiming to be head office's
        (_kind_change("campaign", "B1-L261201-hq", {**own, "code": "B1-L261201-hq", "source": "hq"}), 403, "只能是"),
        # head office's campaign: its script, its source, its deletion
        (_kind_change("campaign", hq_campaign, {"script": "改过的话术"}, "update"), 403, "由总行维护"),
        (_kind_change("campaign", hq_campaign, {"source": "branch"}, "update"), 403, "由总行维护"),
        (_kind_change("campaign", hq_campaign, {}, "delete"), 403, "由总行维护"),
        # targets under head office's campaign, or passed off as head office's
        (_kind_change("campaign_target", str(uuid.uuid4()), {"campaign": hq_campaign, "client_uid": banked,
                                                              "source": "branch"}), 403, "由总行发布"),
        (_kind_change("campaign_target", str(uuid.uuid4()), {"campaign": hq_campaign, "client_uid": banked}),
         403, "由总行发布"),
        (_kind_change("campaign_target", hq_target, {"note": "改"}, "update"), 403, "由总行维护"),
        (_kind_change("campaign_target", hq_target, {}, "delete"), 403, "由总行维护"),
        # a bad value in an own campaign
        (_kind_change("campaign", "B1-L261201-bad", {**own, "code": "B1-L261201-bad", "goal": -1}), 400, "目标户数"),
    ]
    r = _push(hq, headers, *(c for c, _code, _why in refused))
    assert r.status_code == 200, r.text
    for (change, code, why), answer in zip(refused, r.json()["results"], strict=True):
        assert answer["status"] == p.REJECTED and answer["code"] == code and why in answer["reason"], (change, answer)
    assert server_state(hq.store) == before  # nothing stored
    # the branch's own campaign and a target under it go in; its code stays, its script may change
    target = str(uuid.uuid4())
    ok = _push(hq, headers, _kind_change("campaign", own["code"], own),
               _kind_change("campaign_target", target, {"campaign": own["code"], "client_uid": banked,
                                                        "source": "branch"}),
               _kind_change("campaign", own["code"], {"script": "新话术。"}, "update"),
               _kind_change("campaign", own["code"], {"code": "B1-L261201-zzz"}, "update"),
               _kind_change("campaign_target", hq_target, {"manager": None}, "update")).json()["results"]
    assert [a["status"] for a in ok] == [p.APPLIED, p.APPLIED, p.APPLIED, p.REJECTED, p.APPLIED], ok
    held = dict((u, v) for u, _s, _d, v in hq.store.records(DEMO_BRANCH, "campaign"))[own["code"]]
    assert held["source"] == "branch" and held["script"] == "新话术。"
    assert sync(store).synced
