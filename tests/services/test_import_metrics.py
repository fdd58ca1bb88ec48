"""Importing scenario figures from the branches' own monthly sheets (issue 19): one file per quirk, made
here, read back through the real reader into the real encrypted demo county; each row accepted or
refused by ``ScenarioService.record``'s own rules, with its reason; months in every spelling; amounts
in 元 and 万元; a figure the month has skipped or updated; all or nothing; the error file imported
again; a mapping remembered for a second file of the same layout."""

from __future__ import annotations

import csv
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt

from app.core import cells
from app.services import auth
from app.services import import_metrics as im
from app.store import audit, journal
from app.store.store import Store

TODAY = date(2026, 12, 2)


@pytest.fixture
def book(demo_dir: Path) -> Any:
    store = Store.open(demo_dir)
    db = store.connect()
    staff = auth.load_staff(db, "A0001")[0]
    imp = im.MetricsImporter(db, staff, today=TODAY)
    yield store, db, imp
    db.close()


def _scenario(db: Any, type_: str, n: int = 0) -> tuple[str, str]:
    """(uid, name) of the n-th demo scenario of a type."""
    return db.conn.execute("SELECT uid, name FROM scenarios WHERE scenario_type = ? AND deleted = 0 ORDER BY name"
                           " LIMIT 1 OFFSET ?", (type_, n)).fetchone()


def _xlsx(path: Path, rows: list[list[Any]], merges: tuple[str, ...] = (), sheet: str = "场景月报") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _plan(book: Any, path: Path, on_duplicate: str = im.SKIP, mapping: dict[int, str] | None = None,
          **options: Any) -> im.Plan:
    store, _db, imp = book
    loaded = im.load(path, store.settings.extra)
    plan = imp.plan(loaded, mapping or loaded.mapping, on_duplicate, **options)
    assert isinstance(plan, im.Plan), plan
    return plan


def _commit(book: Any, plan: im.Plan) -> im.Imported:
    result = book[2].commit(plan)
    assert result.ok, result.errors
    return result.value


def _figures(db: Any, uid: str, period: str) -> dict[str, int]:
    return dict(db.conn.execute("SELECT metric, value FROM scenario_metrics WHERE scenario = ? AND period = ?"
                                " AND deleted = 0", (uid, period)).fetchall())


def _statuses(plan: im.Plan) -> list[tuple[int, str]]:
    return [(r.line, r.status) for r in plan.rows]


def _state(db: Any) -> tuple[int, int, int]:
    return (db.conn.execute("SELECT count(*) FROM scenario_metrics").fetchone()[0], journal.pending_count(db),
            db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


@pytest.mark.parametrize(("value", "month"), [
    ("2026-03", "2026-03"), ("2026/3", "2026-03"), ("2026.3", "2026-03"), (2026.3, "2026-03"), (2026.12, "2026-12"),
    ("2026年3月", "2026-03"), ("２０２６年３月份", "2026-03"), ("202603", "2026-03"), (202603, "2026-03"),
    (datetime(2026, 3, 15), "2026-03"), (date(2026, 3, 1), "2026-03"), (46082, "2026-03"), (46082.0, "2026-03"),
    ("2026-03-31", "2026-03"), ("2026.10", "2026-10"), ("2026.1", "2026-01"), (None, None), ("-", None),
])
def test_months_in_every_spelling(value: Any, month: str | None) -> None:
    assert im.month_of(value) == month


@pytest.mark.parametrize(("value", "said"), [
    (2026.1, "也可能是 10 月"), ("3月", "不是月份"), (2026, "只有年份"), ("2026-13", "不是有效的月份"),
    (True, "不是月份"),
])
def test_what_is_not_a_month_says_why(value: Any, said: str) -> None:
    problem = im.month_of(value)
    assert isinstance(problem, cells.CellProblem) and said in problem.message


def test_a_month_per_row_in_every_spelling_goes_in(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    uid, name = _scenario(db, "livestock")
    path = _xlsx(tmp_path / "months.xlsx", [
        ["场景名称", "月份", "开户数", "手机银行注册"],
        [name, "2023-01", 11, 21],
        [name, 2023.2, 12, 22],  # typed 2023.2 into a number cell
        [name, "2023年3月", 13, 23],
        [name, datetime(2023, 4, 15), 14, 24],  # a date cell
        [name, 45047, 15, 25],  # an Excel serial (2023-05-01) that lost its date format
        [name, "202306", 16, 26],
        [name, 2023.1, 17, 27],  # 2023.10 or 2023.1? refused
        [name, "7月", 18, 28],  # no year: refused
        [name, "2027-01", 19, 29],  # after this month: refused by the service
    ])
    plan = _plan(book, path)
    assert _statuses(plan) == [(2, im.NEW), (3, im.NEW), (4, im.NEW), (5, im.NEW), (6, im.NEW), (7, im.NEW),
                               (8, im.REJECTED), (9, im.REJECTED), (10, im.REJECTED)]
    reasons = [r.reason for r in plan.rejected]
    assert "1 月，也可能是 10 月" in reasons[0] and "不是月份" in reasons[1] and "还没有到" in reasons[2]
    done = _commit(book, plan)
    assert (done.added, done.updated, done.rejected, done.figures) == (6, 0, 3, 12)
    for n, period in enumerate(("2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"), 11):
        assert _figures(db, uid, period) == {"accounts": n, "mb_registered": n + 10}


def test_amounts_in_yuan_and_in_wan_by_header_by_choice_and_by_cell(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    (uid, name), (_uid2, name2) = _scenario(db, "livestock"), _scenario(db, "livestock", 1)
    in_yuan = _xlsx(tmp_path / "yuan.xlsx", [
        ["场景", "期间", "补贴发放金额（元）", "资金使用金额"],
        [name, "2023-01", "12,000.50", "1.5万"],  # a cell that says its own unit
        [name2, "2023-01", 800, 0.005],  # more than two decimals of 元: refused
    ])
    plan = _plan(book, in_yuan)
    assert _statuses(plan) == [(2, im.NEW), (3, im.REJECTED)]
    assert "资金使用金额" in plan.rows[1].reason and "两位小数" in plan.rows[1].reason
    _commit(book, plan)
    assert _figures(db, uid, "2023-01") == {"subsidy_fen": 1_200_050, "funds_used_fen": 1_500_000}
    in_wan = _xlsx(tmp_path / "wan.xlsx", [
        ["场景", "期间", "补贴发放金额（万元）", "资金使用金额(万)"],
        [name, "2023-02", 1.5, "0.25"],
    ])
    plan = _plan(book, in_wan)
    assert set(plan.units.values()) == {"万元"}
    _commit(book, plan)
    assert _figures(db, uid, "2023-02") == {"subsidy_fen": 1_500_000, "funds_used_fen": 250_000}
    silent = _xlsx(tmp_path / "silent.xlsx", [["场景", "期间", "补贴发放金额"], [name, "2023-03", 2]])
    _commit(book, _plan(book, silent, unit="万元"))  # the person said the sheet is in 万元
    assert _figures(db, uid, "2023-03") == {"subsidy_fen": 2_000_000}
    refused = book[2].plan(im.load(silent, {}), {0: "scenario", 1: "period", 2: "subsidy_fen"}, unit="千元")
    assert not isinstance(refused, im.Plan) and "只能是“元”或“万元”" in refused.message


def test_a_title_a_merged_header_over_two_rows_blank_subtotal_and_full_width(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    (uid, name), (uid2, name2) = _scenario(db, "livestock"), _scenario(db, "livestock", 1)
    path = _xlsx(tmp_path / "monthly.xlsx", [
        ["城口支行智慧乡村场景月报（2023年8月）", None, None, None, None, None, None],
        ["制表：网点综合岗", None, None, None, None, None, "2023年9月2日"],
        ["场景名称", "手机银行", None, "新开户数", "金额（万元）", None, "存款余额（万元）"],
        [None, "注册数", "月活", None, "补贴发放", "资金使用", None],
        [name, "１２", 30, "35户", 1.5, "0.8", 12],
        [None, None, None, None, None, None, None],
        [name2[:3] + "　" + name2[3:], "1,200", "—", 7, "２", None, 1],  # a full-width space typed in the name
        ["小计", 1212, 30, 42, 3.5, 0.8, 13],
        ["合计：2 个场景", None, None, None, None, None, None],
    ], merges=("A1:G1", "B3:C3", "E3:F3", "A3:A4", "D3:D4", "G3:G4"))
    plan = _plan(book, path)
    loaded = plan.loaded
    assert (loaded.header.row, loaded.header.rows) == (3, 2)
    assert loaded.mapping == {0: "scenario", 1: "mb_registered", 2: "mb_active", 3: "accounts",
                              4: "subsidy_fen", 5: "funds_used_fen"}  # 存款余额 is no scenario metric: left out
    assert loaded.period == plan.period == "2023-08"  # from the title, not the day the table was made
    assert plan.units == {4: "万元", 5: "万元"}  # the unit in the merged cell above
    assert _statuses(plan) == [(5, im.NEW), (7, im.NEW)]
    _commit(book, plan)
    assert _figures(db, uid, "2023-08") == {"mb_registered": 12, "mb_active": 30, "accounts": 35,
                                            "subsidy_fen": 1_500_000, "funds_used_fen": 800_000}
    assert _figures(db, uid2, "2023-08") == {"mb_registered": 1200, "accounts": 7, "subsidy_fen": 2_000_000}


def test_one_row_per_scenario_with_the_month_given_once(book: Any, tmp_path: Path) -> None:
    store, db, imp = book
    uid, name = _scenario(db, "clinic")
    path = _xlsx(tmp_path / "once.xlsx", [["场景名称", "开户数", "支付笔数"], [name, 3, 40]])
    loaded = im.load(path, store.settings.extra)
    assert loaded.period is None and im.mapping_problems(loaded.mapping) == [
        "必须指定哪一列是“期间”，或给出整张表的期间（如 2026-03）"]
    refused = imp.plan(loaded, loaded.mapping)
    assert not isinstance(refused, im.Plan) and "期间" in refused.message
    for wrong, said in (("2026-13", "不是有效的月份"), ("2027-02", "还没有到"), ("三月", "不是月份")):
        refused = imp.plan(loaded, loaded.mapping, period=wrong)
        assert not isinstance(refused, im.Plan) and said in refused.message, wrong
    plan = _plan(book, path, period="2023年9月")
    assert plan.period == "2023-09" and _statuses(plan) == [(2, im.NEW)]
    _commit(book, plan)
    assert _figures(db, uid, "2023-09") == {"accounts": 3, "payments": 40}


def test_unknown_scenarios_untracked_metrics_and_bad_numbers_are_refused_with_reasons(book: Any,
                                                                                     tmp_path: Path) -> None:
    _store, db, _imp = book
    (uid, clinic), (_u2, herd) = _scenario(db, "clinic"), _scenario(db, "livestock")
    before = _state(db)
    path = _xlsx(tmp_path / "bad.xlsx", [
        ["场景名称", "期间", "开户数", "在管牲畜（头）", "支付笔数"],
        ["没有这个场景", "2023-01", 5, None, None],
        [clinic, "2023-01", 5, 40, 9],  # a clinic keeps no livestock
        [clinic, "2023-02", 5, 0, 9],  # a 0 under a metric it does not track: nothing
        [herd, "2023-01", -3, 10, None],
        [herd, "2023-02", "3.5", 10, None],
        [herd, "2023-03", None, None, None],
        [None, "2023-04", 1, 1, None],
    ])
    plan = _plan(book, path)
    assert _statuses(plan) == [(2, im.REJECTED), (3, im.REJECTED), (4, im.NEW), (5, im.REJECTED),
                               (6, im.REJECTED), (7, im.REJECTED), (8, im.REJECTED)]
    reasons = {r.line: r.reason for r in plan.rejected}
    assert reasons[2] == "场景“没有这个场景”不存在"
    assert "不跟踪“在管牲畜（头）”" in reasons[3]
    assert reasons[5] == "开户数不能为负数"
    assert "开户数应为整数" in reasons[6] and "3.5" in reasons[6]
    assert "没有任何指标" in reasons[7] and "场景不能为空" in reasons[8]
    assert _state(db) == before  # the plan's trial through the service kept nothing
    _commit(book, plan)
    assert _figures(db, uid, "2023-02") == {"accounts": 5, "payments": 9}
    assert _figures(db, uid, "2023-01") == {}


def test_figures_the_month_has_are_skipped_or_updated_and_twice_in_the_file_refused(book: Any,
                                                                                    tmp_path: Path) -> None:
    _store, db, _imp = book
    uid, name, period, held = db.conn.execute(
        "SELECT s.uid, s.name, m.period, m.value FROM scenario_metrics m JOIN scenarios s ON s.uid = m.scenario"
        " WHERE m.metric = 'accounts' AND m.deleted = 0 AND s.scenario_type = 'livestock' ORDER BY m.period DESC"
        " LIMIT 1").fetchone()
    other, other_name = next(r for r in db.conn.execute(
        "SELECT uid, name FROM scenarios WHERE scenario_type = 'livestock' ORDER BY name") if r[0] != uid)
    same = _figures(db, other, period)
    rows = [["场景名称", "期间", "开户数", "商户数"],
            [name, period, held + 5, None],  # the month has a different figure
            [other_name, period, same.get("accounts"), same.get("merchants")],  # exactly what it has
            [name, "2023-01", 4, 2],  # a new month
            [name, period, held + 6, None]]  # the same scenario and month again
    path = _xlsx(tmp_path / "again.xlsx", rows)
    plan = _plan(book, path, im.SKIP)
    assert _statuses(plan) == [(2, im.SKIPPED), (3, im.UNCHANGED), (4, im.NEW), (5, im.REJECTED)]
    assert plan.rows[0].kept == ["accounts"] and "与第 2 行重复" in plan.rows[3].reason
    _commit(book, plan)
    assert _figures(db, uid, period)["accounts"] == held
    before = journal.pending_count(db)
    plan = _plan(book, path, im.UPDATE)
    assert _statuses(plan) == [(2, im.UPDATED), (3, im.UNCHANGED), (4, im.UNCHANGED), (5, im.REJECTED)]
    done = _commit(book, plan)
    assert (done.updated, done.figures) == (1, 1) and _figures(db, uid, period)["accounts"] == held + 5
    assert journal.pending_count(db) == before + 1
    refused = book[2].plan(plan.loaded, plan.loaded.mapping, "merge")
    assert not isinstance(refused, im.Plan) and "skip 或 update" in refused.message


def test_a_dry_run_writes_nothing_a_commit_writes_journals_and_audits_once(book: Any, tmp_path: Path) -> None:
    _store, db, imp = book
    (uid, name), (uid2, name2) = _scenario(db, "livestock"), _scenario(db, "clinic")
    path = _xlsx(tmp_path / "commit.xlsx", [["场景名称", "期间", "开户数", "手机银行月活", "补贴发放金额"],
                                            [name, "2023-05", 8, 30, 1000], [name2, "2023-05", 2, 3, None]])
    before = _state(db)
    plan = _plan(book, path)
    assert plan.figures == 5 and _state(db) == before
    done = imp.commit(plan)
    assert done.ok and done.value.figures == 5 and done.changes.touches("scenario_metric")
    assert _figures(db, uid, "2023-05") == {"accounts": 8, "mb_active": 30, "subsidy_fen": 100_000}
    assert _figures(db, uid2, "2023-05") == {"accounts": 2, "mb_active": 3}
    count, pending, audited = _state(db)
    assert (count, pending, audited) == (before[0] + 5, before[1] + 5, before[2] + 1)
    changes = db.conn.execute("SELECT kind, op, sync_state, author FROM journal ORDER BY seq DESC LIMIT 5").fetchall()
    assert set(changes) == {("scenario_metric", "insert", "pending", "A0001")}
    entry = audit.recent(db, limit=1)[0]
    assert entry.action == audit.IMPORT_METRICS and entry.staff == "A0001"
    assert "commit.xlsx" in entry.detail and "新增 2 行" in entry.detail and "写入 5 项指标" in entry.detail
    assert name not in entry.detail  # counts and the file's name, never its rows


def test_all_or_nothing_a_cancel_or_a_failure_half_way_writes_nothing(book: Any, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _store, db, imp = book
    names = [r[0] for r in db.conn.execute("SELECT name FROM scenarios WHERE deleted = 0 ORDER BY name LIMIT 12")]
    path = _xlsx(tmp_path / "many.xlsx", [["场景名称", "期间", "开户数"]] + [[n, "2023-06", 5] for n in names])
    plan = _plan(book, path)
    assert plan.counts()[im.NEW] == 12
    before = _state(db)
    flags = iter([False, True])
    result = imp.commit(plan, cancelled=lambda: next(flags, True))
    assert not result.ok and "没有写入任何指标" in result.errors[0].message and _state(db) == before
    with pytest.raises(im.Cancelled):
        imp.plan(plan.loaded, plan.loaded.mapping, cancelled=lambda: True)
    assert _state(db) == before
    real = imp.svc.record
    calls = {"n": 0}

    def failing(uid: str, period: str, figures: dict, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 8:
            raise OSError("disk gone")  # the PC dies mid-import
        return real(uid, period, figures, **kw)

    monkeypatch.setattr(imp.svc, "record", failing)
    with pytest.raises(OSError):
        imp.commit(plan)
    assert _state(db) == before

    def refusing(uid: str, period: str, figures: dict, **kw: Any) -> Any:  # something changed since the plan
        return real(uid, "2099-01" if uid == plan.rows[5].scenario_uid else period, figures, **kw)

    monkeypatch.setattr(imp.svc, "record", refusing)
    result = imp.commit(plan)
    assert not result.ok and "第 7 行" in result.message and "还没有到" in result.message
    assert _state(db) == before
    monkeypatch.setattr(imp.svc, "record", real)
    assert imp.commit(plan).ok and _state(db)[0] == before[0] + 12



def test_the_error_file_is_fixed_and_imported_again(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    uid, name = _scenario(db, "livestock")
    path = _xlsx(tmp_path / "first.xlsx", [
        ["场景名称", "月份", "开户数", "补贴发放金额（万元）"],
        [name, "2023-07", 9, 1],
        [name[:-1] + "x", "2023-08", 9, 1],
        [name, "八月", 9, 1],
        [name, "2023-09", "九", 1],
    ])
    plan = _plan(book, path)
    assert [r.line for r in plan.rejected] == [3, 4, 5]
    _commit(book, plan)
    errors = tmp_path / "errors.xlsx"
    assert im.write_errors(plan, errors) == 3
    wb = openpyxl.load_workbook(errors)
    ws = wb.active
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0] == ["场景名称", "月份", "开户数", "补贴发放金额(万元)", im.REASON_HEADER, "原表行号"]
    assert [r[5] for r in got[1:]] == [3, 4, 5]
    assert "不存在" in got[1][4] and "期间" in got[2][4] and "开户数应为整数" in got[3][4]
    ws.cell(2, 1).value = name
    ws.cell(3, 2).value = "2023-10"
    ws.cell(4, 3).value = 9
    wb.save(errors)
    again = _plan(book, errors)
    assert again.loaded.mapping == {0: "scenario", 1: "period", 2: "accounts", 3: "subsidy_fen"}  # reasons left out
    assert _statuses(again) == [(2, im.NEW), (3, im.NEW), (4, im.NEW)]
    _commit(book, again)
    assert all(_figures(db, uid, p) == {"accounts": 9, "subsidy_fen": 1_000_000}
               for p in ("2023-07", "2023-08", "2023-09", "2023-10"))


def test_a_mapping_is_remembered_for_a_file_of_the_same_layout(book: Any, tmp_path: Path) -> None:
    store, db, imp = book
    uid, name = _scenario(db, "livestock")
    heads = ["点位", "账期", "新户", "激活户"]  # words no guess knows
    first = _xlsx(tmp_path / "march.xlsx", [heads, [name, "2023-03", 1, 2]])
    loaded = im.load(first, store.settings.extra)
    assert not loaded.remembered and len(im.mapping_problems(loaded.mapping)) == 3
    mapping = {0: "scenario", 1: "period", 2: "accounts", 3: "mb_active"}
    assert im.mapping_problems(mapping) == []
    assert imp.commit(imp.plan(loaded, mapping)).ok
    im.remember(store.settings, store.data_dir, loaded, mapping)
    second = _xlsx(tmp_path / "april.xlsx", [heads, [name, "2023-04", 3, 4]])
    again = im.load(second, Store.open(store.data_dir).settings.extra)  # as a new session reads it
    assert again.remembered and again.mapping == mapping
    _commit(book, _plan(book, second))
    assert _figures(db, uid, "2023-04") == {"accounts": 3, "mb_active": 4}
    assert not im.load(_xlsx(tmp_path / "other.xlsx", [["场景", "期间", "开户数"], [name, "2023-05", 1]]),
                       store.settings.extra).remembered


def test_a_gb18030_csv_and_an_xls(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    uid, name = _scenario(db, "livestock")
    gbk = tmp_path / "场景.csv"
    with open(gbk, "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["场景名称", "统计月份", "新开户数", "补贴发放金额（万元）"])
        w.writerow([name, "2023年11月", "２１", "1.2"])
        w.writerow(["合计", "", "21", "1.2"])
    xls = tmp_path / "场景.xls"
    wb = xlwt.Workbook()
    ws = wb.add_sheet("十二月")
    for c, v in enumerate(["场景", "月份", "开户数", "月活"]):
        ws.write(0, c, v)
    for c, v in enumerate([name, "2023.12", 22, 5]):
        ws.write(1, c, v)
    wb.save(str(xls))
    for f in (gbk, xls):
        plan = _plan(book, f)
        assert _statuses(plan) == [(2, im.NEW)], (f.name, plan.rows[0].reason if plan.rows else "no rows")
        _commit(book, plan)
    assert _figures(db, uid, "2023-11") == {"accounts": 21, "subsidy_fen": 1_200_000}
    assert _figures(db, uid, "2023-12") == {"accounts": 22, "mb_active": 5}


def test_only_staff_who_may_record_figures_import_them(demo_dir: Path, tmp_path: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        county = im.MetricsImporter(db, auth.load_staff(db, "C0001")[0], today=TODAY)
        name = db.conn.execute("SELECT name FROM scenarios LIMIT 1").fetchone()[0]
        loaded = im.load(_xlsx(tmp_path / "x.xlsx", [["场景", "期间", "开户数"], [name, "2023-01", 1]]), {})
        refused = county.plan(loaded, loaded.mapping)
        assert not isinstance(refused, im.Plan) and refused.code == "permission"
    finally:
        db.close()


def test_nothing_of_the_file_reaches_the_log(book: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _store, db, _imp = book
    _uid, name = _scenario(db, "livestock")
    path = _xlsx(tmp_path / "secret.xlsx", [["场景名称", "期间", "开户数"], [name, "2023-01", 987654],
                                           ["秘密场景", "2023-01", 1]])
    with caplog.at_level(logging.DEBUG):
        _commit(book, _plan(book, path))
    assert name not in caplog.text and "987654" not in caplog.text and "秘密场景" not in caplog.text
