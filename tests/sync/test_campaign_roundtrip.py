"""Campaigns through the real head-office service over loopback (issue 15): head office's
campaign and target list reach the branch, the branch distributes and works them, head
office sees reach and conversion."""

from __future__ import annotations

from pathlib import Path

from app.core.roles import Staff
from app.services import auth
from app.services.campaigns import CampaignService
from app.services.followups import FollowupService
from sync.server import campaigns as hq_side
from sync.server.cli import main as hq_main
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, sync, workstation

CODE = "2026-mb-activation"


def _staff(db, code: str) -> Staff:
    found = auth.load_staff(db, code)
    assert found is not None
    return found[0]


def test_round_trip_through_head_office(hq_sqlite, tmp_path: Path, capsys) -> None:
    seed_demo(hq_sqlite.store, n_clients=600)
    store = workstation(tmp_path / "ws", hq_sqlite.url, hq_sqlite.store)
    assert sync(store).synced
    db = store.connect()
    try:
        head = CampaignService(db, _staff(db, "A0001"))
        assert head.apply_plan(head.plan(CODE)).ok
        t = head.targets(CODE)[0]
        fu = FollowupService(db, _staff(db, t.manager))
        assert fu.contact(t.client_id, channel="上门", outcome="已激活手机银行", campaign=CODE).ok
    finally:
        db.close()
    assert sync(store).synced
    rows = {r["campaign"]: r for r in hq_side.campaign_results(hq_sqlite.store, DEMO_BRANCH)}
    mine = rows[CODE]
    assert mine["reached"] == 1 and mine["converted"] == 1 and mine["assigned"] == mine["targets"] > 0
    capsys.readouterr()
    assert hq_main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "campaign-results", DEMO_BRANCH]) == 0
    assert "手机银行激活季" in capsys.readouterr().out


def test_a_local_campaign_reaches_head_office_with_its_targets(hq_sqlite, tmp_path: Path, capsys) -> None:
    seed_demo(hq_sqlite.store, n_clients=300)
    store = workstation(tmp_path / "ws", hq_sqlite.url, hq_sqlite.store)
    assert sync(store).synced
    db = store.connect()
    try:
        head = CampaignService(db, _staff(db, "A0001"))
        clients = [r[0] for r in db.conn.execute("SELECT id FROM clients WHERE deleted = 0 ORDER BY id LIMIT 30")]
        made = head.create_local({"name": "本网点茶季回馈", "script": "茶季回款，欢迎到网点办理存款。", "goal": 20},
                                 clients)
        assert made.ok, made.message
        local = made.value
        assert head.apply_plan(head.plan(local.code)).ok
        t = head.targets(local.code)[0]
        fu = FollowupService(db, head.staff)
        assert fu.contact(t.client_id, channel="电话", outcome="已签约", campaign=local.code).ok
    finally:
        db.close()
    report = sync(store)
    assert report.synced and report.rejected == 0, report
    held = {u: v for u, _s, d, v in hq_sqlite.store.records(DEMO_BRANCH, "campaign") if not d}
    assert held[local.code]["source"] == "branch" and held[local.code]["name"] == "本网点茶季回馈"
    targets = [v for _u, _s, d, v in hq_sqlite.store.records(DEMO_BRANCH, "campaign_target")
               if not d and v["campaign"] == local.code]
    assert len(targets) == local.targets > 0 and all(v["source"] == "branch" and v["manager"] for v in targets)
    mine = {r["campaign"]: r for r in hq_side.campaign_results(hq_sqlite.store, DEMO_BRANCH)}[local.code]
    assert mine["targets"] == local.targets and mine["reached"] == 1 and mine["converted"] == 1
    capsys.readouterr()
    assert hq_main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "campaign-results", DEMO_BRANCH]) == 0
    assert "本网点茶季回馈" in capsys.readouterr().out
    # head office's campaigns stay read-only at the branch; a second sync changes nothing
    db = store.connect()
    try:
        hq_edit = CampaignService(db, _staff(db, "A0001")).edit_local(CODE, {"script": "改"})
        assert not hq_edit.ok and "由总行发布" in hq_edit.message
    finally:
        db.close()
    assert sync(store).synced
