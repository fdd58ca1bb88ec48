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
