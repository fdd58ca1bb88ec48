"""The whitelist through the real head-office service over loopback (issue 14):
publish → the branch works the list → outcomes at head office; nominate → decide → the
entry arrives at the branch, assigned to the manager who nominated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.core.roles import Role, Staff
from app.services import auth
from app.services.whitelist import WhitelistService
from app.store.whitelist import WhitelistFilter
from sync.server import whitelist as hq_whitelist
from sync.server.cli import main as hq_main
from sync.server.db import HQError
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, sync, workstation

N = 400


def _service(store, code: str) -> WhitelistService:
    db = store.connect()
    found = auth.load_staff(db, code)
    assert found is not None
    s: Staff = found[0]
    return WhitelistService(db, s)


def test_publish_work_nominate_decide_round_trip(hq, hq_db_url: str, tmp_path: Path, capsys) -> None:
    seed_demo(hq.store, n_clients=N)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    head = _service(store, "A0001")
    try:
        entries = head.count()
        published = sum(1 for *_x, d, _v in hq.store.records(DEMO_BRANCH, "whitelist") if not d)
        assert entries == published > 0
        assert head.repo.scorecard("tea") is not None
        # the branch head gives the unassigned ones out; a manager works one of theirs
        plan = head.plan()
        assert isinstance(plan, dict) and plan
        assert head.apply_plan(plan).ok
        manager = head.page(WhitelistFilter(manager="M0001", status="not_contacted", expired=False), limit=1)[0]
    finally:
        head.db.close()
    m1 = _service(store, "M0001")
    try:
        assert m1.staff.role == Role.MANAGER
        for status in ("已联系", "有意向", "已申请"):
            assert m1.record_outcome(manager.uid, status).ok
        drawn = m1.record_outcome(manager.uid, "已用信", amount_fen=manager.limit_fen)
        assert drawn.ok, drawn.message
        # a nomination with the scorecard inputs of a real form
        nominated = m1.nominate({"name": "向德明", "id_number": "500229198803150036", "cluster": "tea",
                                 "amount": "8万", "reason": "村委推荐，茶园 12 亩",
                                 "inputs": {"household_size": 4, "labour": 2, "planting_mu": 12, "assets_wan": 25,
                                            "debts_wan": 3, "net_income_last_wan": 5, "overall": "4",
                                            "credit_record": "good"}})
        assert nominated.ok, nominated.message
        nom_uid = nominated.value.uid
    finally:
        m1.db.close()
    report = sync(store)
    assert report.synced, report
    # head office sees the outcomes: the worked entry is drawn, with the amount
    rows = {r["key"]: r for r in hq_whitelist.funnel(hq.store, DEMO_BRANCH)}
    assert rows["M0001"]["drawn_fen"] >= manager.limit_fen
    capsys.readouterr()
    assert hq_main(["--db", hq_db_url, "outcomes", DEMO_BRANCH]) == 0
    out = capsys.readouterr().out
    assert "M0001" in out and "转化率" in out
    # and the nomination, with the band head office computes from the same card
    noms = hq_whitelist.nominations(hq.store, DEMO_BRANCH)
    mine = next(n for n in noms if n["uid"] == nom_uid)
    assert mine["decision"] == "pending" and mine["band"] in ("A", "B", "C", "D")
    # a nominee who is not yet a client needs the account's core number
    client_no = next(v["client_no"] for _u, _s, d, v in hq.store.records(DEMO_BRANCH, "client")
                     if not d and v.get("client_no"))
    with pytest.raises(HQError, match="--client-no"):
        hq_whitelist.decide(hq.store, nom_uid[:8], accept_fen=80_000_00)
    capsys.readouterr()
    assert hq_main(["--db", hq_db_url, "nominations", DEMO_BRANCH]) == 0
    listed = capsys.readouterr().out
    assert "向德明" in listed and "500229198803150036" not in listed and "待评估" in listed
    done = hq_whitelist.decide(hq.store, nom_uid[:8], accept_fen=80_000_00, client_no=client_no,
                               today=date(2026, 12, 2))
    assert done["decision"] == "accepted"
    assert sync(store).synced
    m1 = _service(store, "M0001")
    try:
        arrived = m1.repo.get(done["entry"])
        assert arrived is not None and arrived.limit_fen == 80_000_00 and arrived.manager == "M0001"
        assert arrived.valid_to == "2029-12-01"
        decided = next(n for n in m1.nominations() if n["uid"] == nom_uid)
        assert decided["decision"] == "accepted" and decided["decided_limit_fen"] == 80_000_00
        # once decided, the same person may be nominated again only if not listed: they now are
        again = m1.nominate({"name": "向德明", "id_number": "500229198803150036", "cluster": "tea"})
        assert not again.ok
    finally:
        m1.db.close()
    # deciding twice is refused, from the command line too
    with pytest.raises(HQError, match="已有结论"):
        hq_whitelist.decide(hq.store, nom_uid, decline="重复")
    assert hq_main(["--db", hq_db_url, "decide", nom_uid[:8], "--decline", "重复"]) == 1
    assert "已有结论" in capsys.readouterr().err


def test_a_declined_nomination_comes_back_with_the_reason(hq_sqlite, tmp_path: Path, capsys) -> None:
    seed_demo(hq_sqlite.store, n_clients=N)
    store = workstation(tmp_path / "ws", hq_sqlite.url, hq_sqlite.store)
    assert sync(store).synced
    m2 = _service(store, "M0002")
    try:
        nominated = m2.nominate({"name": "冉小平", "id_number": "500229199001010028", "cluster": "walnut",
                                 "inputs": {"household_size": 2}})
        assert nominated.ok, nominated.message
    finally:
        m2.db.close()
    assert sync(store).synced
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    assert hq_main(["--db", url, "decide", nominated.value.uid[:8], "--decline", "收入证明不足"]) == 0
    assert "不通过" in capsys.readouterr().out
    assert hq_main(["--db", url, "decide", nominated.value.uid[:8]]) == 1
    assert "二选一" in capsys.readouterr().err
    assert sync(store).synced
    m2 = _service(store, "M0002")
    try:
        row = next(n for n in m2.nominations() if n["uid"] == nominated.value.uid)
        assert row["decision"] == "declined" and row["decision_reason"] == "收入证明不足"
        # decided: the same person may be nominated again, with better inputs
        again = m2.nominate({"name": "冉小平", "id_number": "500229199001010028", "cluster": "walnut",
                             "inputs": {"household_size": 2, "net_income_last_wan": 8}})
        assert again.ok, again.message
    finally:
        m2.db.close()
