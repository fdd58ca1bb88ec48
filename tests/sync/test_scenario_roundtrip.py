"""Scenarios through the real head-office service over loopback (issue 17): the demo's
scenarios and figures reach a new workstation; a scenario made at the branch, with its
months, its clients and its moves, reaches head office; figures head office publishes reach
the branch as 总行发布 and never double a month the branch entered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.services import auth
from app.services.scenarios import ScenarioService
from sync.protocol.figures import metric_uid
from sync.server.cli import main as hq_main
from sync.server.demo import seed_demo
from sync.server.scenarios import branch_scenarios
from tests.support.branch import DEMO_BRANCH, sync, workstation


def _live(store, kind: str) -> dict[str, dict]:
    return {u: v for u, _s, d, v in store.records(DEMO_BRANCH, kind) if not d}


def test_scenarios_round_trip_through_head_office(hq_sqlite, tmp_path: Path, capsys) -> None:
    seed_demo(hq_sqlite.store, n_clients=300)
    store = workstation(tmp_path / "ws", hq_sqlite.url, hq_sqlite.store)
    assert sync(store).synced
    hq_figures = _live(hq_sqlite.store, "scenario_metric")
    db = store.connect()
    try:
        svc = ScenarioService(db, auth.load_staff(db, "A0001")[0])
        assert len(svc.list()) == len(_live(hq_sqlite.store, "scenario")) > 0
        assert db.conn.execute("SELECT count(*) FROM scenario_metrics").fetchone()[0] == len(hq_figures) > 1000
        village = sorted(svc.ref.villages.values(), key=lambda v: v.code)[0].code
        made = svc.add({"scenario_type": "教育缴费", "name": "往返测试小学缴费", "village": village,
                        "partner": "中心小学"})
        assert made.ok, made.message
        uid = made.value.uid
        last = f"{date.today():%Y-%m}"
        assert svc.record(uid, last, {"accounts": 12, "fees_fen": 3_500_000}).ok
        assert svc.move(uid, "上线").ok
        clients = [r[0] for r in db.conn.execute("SELECT id FROM clients WHERE deleted = 0 LIMIT 3")]
        assert svc.link_clients(uid, clients).value == 3
    finally:
        db.close()
    report = sync(store)
    assert report.synced and report.rejected == 0, report
    mine = next(r for r in branch_scenarios(hq_sqlite.store, DEMO_BRANCH) if r["uid"] == uid)
    assert mine["status"] == "live" and mine["clients"] == 3 and mine["figures"] == 2
    assert mine["latest_accounts"] == 12
    capsys.readouterr()
    assert hq_main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "scenarios", DEMO_BRANCH]) == 0
    assert "往返测试小学缴费" in capsys.readouterr().out

    # head office publishes two months: one the branch entered (its value is kept), one it did not
    sheet = tmp_path / "figures.csv"
    earlier = f"{date.today().year - 1}-06"
    sheet.write_text("scenario,period,metric,value\n"
                     f"{uid},{last},accounts,99\n{uid},{earlier},accounts,40\n", encoding="utf-8")
    assert hq_main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "publish", "scenario-metrics", str(sheet),
                    "--branch", DEMO_BRANCH]) == 0
    assert sync(store).synced
    db = store.connect()
    try:
        svc = ScenarioService(db, auth.load_staff(db, "A0001")[0])
        figures = svc.metrics_of(uid)
        assert figures[last]["accounts"] == (12, "branch")  # the branch's own month, not doubled
        assert figures[earlier]["accounts"] == (40, "hq")  # 总行发布
        held = db.conn.execute("SELECT count(*) FROM scenario_metrics WHERE scenario = ?", (uid,)).fetchone()[0]
        assert held == 3
        assert db.conn.execute("SELECT uid FROM scenario_metrics WHERE scenario = ? AND period = ?",
                               (uid, earlier)).fetchone()[0] == metric_uid(uid, earlier, "accounts")
    finally:
        db.close()
