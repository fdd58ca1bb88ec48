"""Scenarios at the branch (issue 17): records and their pipeline, monthly figures (updated
when entered again, refused field by field), clients won, and comparisons and roll-ups
against hand-computed figures on fixed data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services import auth
from app.services.scenarios import ScenarioService
from app.store.db import write
from app.store.store import Store
from tests.conftest import run_cli

TODAY = date(2026, 12, 2)


@pytest.fixture
def svc(demo_dir: Path):
    db = Store.open(demo_dir).connect()
    s = ScenarioService(db, auth.load_staff(db, "A0001")[0], today=TODAY)
    yield s
    db.close()


def _village(svc: ScenarioService, n: int = 0) -> tuple[str, str]:
    v = sorted(svc.ref.villages.values(), key=lambda v: v.code)[n]
    return v.code, v.name


def _new(svc: ScenarioService, name: str, type_: str = "智慧畜牧", village: int = 0) -> str:
    code, _ = _village(svc, village)
    done = svc.add({"scenario_type": type_, "name": name, "village": code, "partner": "养殖专业合作社"},
                   on=date(2025, 1, 10))
    assert done.ok, done.message
    return done.value.uid


def _count(svc: ScenarioService, sql: str, *args) -> int:
    return svc.db.conn.execute(sql, args).fetchone()[0]


def test_a_scenario_moves_along_its_pipeline_with_the_date_of_each_step(svc: ScenarioService) -> None:
    uid = _new(svc, "测试畜牧")
    assert svc.move(uid, "洽谈", on=date(2025, 2, 1)).ok
    assert svc.move(uid, "上线", on=date(2025, 5, 1)).ok  # 签约 skipped forward
    back = svc.move(uid, "洽谈", on=date(2025, 6, 1))
    assert not back.ok and back.errors[0].field == "reason"
    assert svc.move(uid, "洽谈", reason="合作社换届", on=date(2025, 6, 1)).ok
    row = svc.get(uid)
    assert row.status == "negotiating" and row.status_dates == {
        "survey": "2025-01-10", "negotiating": "2025-06-01", "live": "2025-05-01"}
    assert "合作社换届" in row.note
    journal = _count(svc, "SELECT count(*) FROM journal WHERE kind = 'scenario' AND row_uid = ?", uid)
    assert journal == 4  # the insert and three moves, each to sync


def test_bad_input_is_refused_by_field_and_nothing_is_written(svc: ScenarioService) -> None:
    before = _count(svc, "SELECT count(*) FROM journal")
    refused = svc.add({"scenario_type": "火星基地", "name": "", "village": "没有这个村"})
    assert not refused.ok and {e.field for e in refused.errors} >= {"scenario_type", "name", "village"}
    uid = _new(svc, "测试")
    after_add = _count(svc, "SELECT count(*) FROM journal")
    assert after_add == before + 1
    bad = svc.record(uid, "2027-01", {"accounts": -3, "wallets": 5, "开户数x": 1})
    assert not bad.ok
    codes = {(e.field, e.code) for e in bad.errors}
    assert ("period", "future") in codes
    assert ("accounts", "negative") in codes
    assert ("wallets", "untracked") in codes  # 智慧畜牧 does not track e-CNY wallets
    assert _count(svc, "SELECT count(*) FROM journal") == after_add
    assert not svc.record(uid, "2026-10", {}).ok


def test_a_month_entered_twice_is_updated_not_doubled(svc: ScenarioService) -> None:
    uid = _new(svc, "测试")
    assert svc.record(uid, "2026-10", {"开户数": 35, "补贴发放金额": 1_200_050, "livestock": 900}).value == 3
    assert svc.record(uid, "2026-10", {"accounts": 35}).value == 0  # the same value: nothing
    assert svc.record(uid, "2026/10", {"accounts": 40}).value == 1
    assert _count(svc, "SELECT count(*) FROM scenario_metrics WHERE scenario = ?", uid) == 3
    assert svc.metrics_of(uid)["2026-10"]["accounts"] == (40, "branch")


def test_comparisons_and_roll_ups_by_hand(svc: ScenarioService) -> None:
    with write(svc.db):  # fixed data only: the demo county's scenarios out of the way
        for t in ("scenario_metrics", "scenario_clients", "scenarios"):
            svc.db.conn.execute(f"DELETE FROM {t}")
    a = _new(svc, "甲", village=0)
    b = _new(svc, "乙", village=0)
    c = _new(svc, "丙", "数字人民币", village=1)
    for uid, figures in ((a, {"2025-10": 40, "2026-09": 50, "2026-10": 60}),
                         (b, {"2025-10": 0, "2026-09": 10, "2026-10": 5}),
                         (c, {"2026-10": 7})):  # c: no month before, no year before
        for period, value in figures.items():
            assert svc.record(uid, period, {"accounts": value}).ok
    rows = {n: cmp for n, cmp in svc.compare(metric="开户数", period="2026-10")}
    assert (rows["甲"].value, rows["甲"].previous, rows["甲"].last_year) == (60, 50, 40)
    assert rows["甲"].mom == pytest.approx(0.2) and rows["甲"].yoy == pytest.approx(0.5)
    assert rows["乙"].mom == pytest.approx(-0.5) and rows["乙"].yoy is None  # zero base
    assert rows["丙"].previous is None and rows["丙"].mom is None and rows["丙"].yoy is None
    by_village = {n: cmp for n, cmp in svc.compare(metric="accounts", by="village", period="2026-10")}
    (_code0, v0), (_code1, v1) = _village(svc, 0), _village(svc, 1)
    first = next(cmp for n, cmp in by_village.items() if n.endswith(v0))
    assert (first.value, first.previous, first.last_year) == (65, 60, 40)  # 甲 + 乙
    assert next(cmp for n, cmp in by_village.items() if n.endswith(v1)).value == 7
    by_type = {n: cmp.value for n, cmp in svc.compare(by="type", period="2026-10")}
    assert by_type == {"智慧畜牧": 65, "数字人民币": 7}
    assert svc.compare(by="galaxy").code == "choice" and svc.compare(period="2030-01").code == "future"


def test_clients_won_are_counted_from_their_links(svc: ScenarioService) -> None:
    uid = _new(svc, "测试")
    ids = [r[0] for r in svc.db.conn.execute("SELECT id FROM clients WHERE deleted = 0 ORDER BY id LIMIT 4")]
    assert svc.link_clients(uid, ids[:3]).value == 3
    assert svc.link_clients(uid, ids).value == 1  # the three linked before are left as they are
    assert svc.get(uid).clients == 4
    missing = svc.link_clients(uid, [999_999_999])
    assert not missing.ok and "不存在" in missing.message


def test_the_demo_county_has_three_years_of_figures_and_a_dashboard(svc: ScenarioService) -> None:
    rows = svc.list()
    assert len(rows) >= 30 and {r.status for r in rows} >= {"operating", "live", "negotiating", "stopped"}
    periods = {p for (p,) in svc.db.conn.execute("SELECT DISTINCT period FROM scenario_metrics")}
    assert len(periods) >= 36
    board = svc.dashboard()
    assert board.scenarios == len(rows) and board.clients > 0 and len(board.series["accounts"]) >= 30
    assert board.totals[0].metric == "accounts" and board.totals[0].value


def test_export_to_xlsx(svc: ScenarioService, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "scenarios.xlsx"
    assert svc.export_xlsx(out, by="township").ok
    book = openpyxl.load_workbook(out)
    assert "开户数" in book.sheetnames and book["开户数"]["A1"].value == "名称"
    assert book["开户数"].max_row > 1


def test_scenarios_headless(demo_dir: Path, tmp_path: Path) -> None:
    listed = run_cli("scenarios", "list", "--status", "运营", "--json", "--user", "A0001")
    assert listed.returncode == 0
    added = run_cli("scenarios", "add", "--type", "教育缴费", "--name", "测试小学缴费", "--user", "A0001")
    assert added.returncode == 0, added.stderr
    metric = run_cli("scenarios", "metric", "测试小学缴费", "--period", "2026-10", "--开户数", "35",
                     "--缴费金额", "12000.50", "--user", "A0001")
    assert metric.returncode == 0 and "已录入 2 项" in metric.stdout, metric.stderr
    wrong = run_cli("scenarios", "metric", "测试小学缴费", "--period", "2026-10", "--商户数", "-1",
                    "--缴费金额", "1.234", "--user", "A0001")
    assert wrong.returncode == 1 and "缴费金额应为金额（元，最多两位小数）" in wrong.stderr
    negative = run_cli("scenarios", "metric", "测试小学缴费", "--period", "2026-10", "--商户数", "-1",
                       "--user", "A0001")
    assert negative.returncode == 1 and "商户数不能为负数" in negative.stderr
    moved = run_cli("scenarios", "status", "测试小学缴费", "上线", "--user", "A0001")
    assert moved.returncode == 0
    back = run_cli("scenarios", "status", "测试小学缴费", "调研", "--user", "A0001")
    assert back.returncode == 1 and "原因" in back.stderr
    shown = run_cli("scenarios", "compare", "--by", "township", "--user", "A0001")
    assert shown.returncode == 0 and "环比" in shown.stdout
    assert run_cli("scenarios", "export", str(tmp_path / "x.csv"), "--user", "A0001").returncode == 2


def test_a_scenario_of_a_whole_township_rolls_up_with_its_villages(svc: ScenarioService) -> None:
    with write(svc.db):
        for t in ("scenario_metrics", "scenario_clients", "scenarios"):
            svc.db.conn.execute(f"DELETE FROM {t}")
    village = sorted(svc.ref.villages.values(), key=lambda v: v.code)[0]
    township = svc.ref.townships[village.township_id]
    whole = svc.add({"scenario_type": "三资管理", "name": "全乡三资", "village": township.name})
    assert whole.ok and whole.value.values["village"] is None and whole.value.values["township"] == township.code
    one = _new(svc, "村里的")  # in the township's first village
    assert svc.record(whole.value.uid, "2026-10", {"accounts": 30}).ok
    assert svc.record(one, "2026-10", {"accounts": 12}).ok
    assert {r.name for r in svc.list(village=township.name)} == {"全乡三资", "村里的"}
    [(name, cmp)] = svc.compare(by="township", period="2026-10")
    assert name == township.name and cmp.value == 42
    by_village = dict(svc.compare(by="village", period="2026-10"))
    assert by_village[f"{township.name}（全乡镇）"].value == 30
    assert not svc.add({"scenario_type": "三资管理", "name": "x", "village": "不存在的乡镇"}).ok
