"""Importing whitelist candidate lists from the branches' own spreadsheets (issue 19): one file per
quirk, made here, read back through the real reader into the real encrypted demo county; each row put
through ``WhitelistService.nominate``'s own rules, with its reason; amounts in 元 and 万元; the
scorecard inputs where the sheet has them; an ID number already nominated or on the whitelist skipped,
twice in the file refused; all or nothing; the error file imported again; a mapping remembered."""

from __future__ import annotations

import csv
import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt

from app.core.masking import mask_id
from app.services import auth
from app.services import import_nominations as inm
from app.services.whitelist import WhitelistService
from app.store import audit, journal
from app.store.store import Store
from tests.services.test_import_clients import resident

TODAY = date(2026, 12, 2)
HEADS = ["姓名", "身份证号码", "手机号码", "所属村", "产业集群", "申请额度（万元）", "家庭人口", "劳动力",
         "上年家庭纯收入（万元）", "履约情况"]


@pytest.fixture
def book(demo_dir: Path) -> Any:
    store = Store.open(demo_dir)
    db = store.connect()
    staff = auth.load_staff(db, "M0003")[0]  # a manager nominates
    yield store, db, inm.NominationImporter(db, staff, today=TODAY)
    db.close()


def _xlsx(path: Path, rows: list[list[Any]], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "推荐名单"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _plan(book: Any, path: Path, on_duplicate: str = inm.SKIP, mapping: dict[int, str] | None = None,
          **options: Any) -> inm.Plan:
    store, _db, imp = book
    loaded = inm.load(path, store.settings.extra)
    plan = imp.plan(loaded, mapping or loaded.mapping, on_duplicate, **options)
    assert isinstance(plan, inm.Plan), plan
    return plan


def _commit(book: Any, plan: inm.Plan) -> inm.Imported:
    result = book[2].commit(plan)
    assert result.ok, result.errors
    return result.value


def _statuses(plan: inm.Plan) -> list[tuple[int, str]]:
    return [(r.line, r.status) for r in plan.rows]


def _nomination(db: Any, id_number: str) -> tuple | None:
    return db.conn.execute("SELECT name, cluster, amount_fen, inputs, staff, client_uid, product, reason"
                           " FROM nominations WHERE id_number = ? AND deleted = 0", (id_number,)).fetchone()


def _state(db: Any) -> tuple[int, int, int]:
    return (db.conn.execute("SELECT count(*) FROM nominations").fetchone()[0], journal.pending_count(db),
            db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def _listed(db: Any) -> str:
    """An ID number on the whitelist (an entry still valid)."""
    return db.conn.execute(
        "SELECT c.id_number FROM whitelist w JOIN clients c ON c.uid = w.client_uid"
        " WHERE w.valid_to >= ? AND c.kind = 'individual' AND w.deleted = 0 LIMIT 1", (TODAY.isoformat(),)
    ).fetchone()[0]


def test_a_candidate_list_is_checked_then_nominated_journaled_and_audited_once(book: Any, tmp_path: Path) -> None:
    _store, db, imp = book
    path = _xlsx(tmp_path / "推荐名单.xlsx", [
        HEADS,
        ["谭光荣", resident(300), "13800001111", "联泉村", "茶叶产业集群", 6, "3人", 2, 4, "无不良记录"],
        ["陈 小 兰", resident(301), "138 0000 1112", "联泉村", "tea", "５", 4, "2", "3.5", "良好"],
        ["刘大山", resident(302), None, None, "核桃", "8万", None, None, None, None],
    ])
    before = _state(db)
    plan = _plan(book, path)
    assert _statuses(plan) == [(2, inm.NEW), (3, inm.NEW), (4, inm.NEW)]
    assert _state(db) == before  # the plan's trial through the service kept nothing
    first = plan.rows[0]
    assert (first.name, first.shown_id, first.shown_mobile, first.cluster, first.amount_fen) == (
        "谭光荣", "500229********3001", "138****1111", "tea", 6_000_000)
    assert first.band  # the scorecard's expected band, for the preview
    done = imp.commit(plan)
    assert done.ok and done.value.added == 3 and len(done.value.uids) == 3 and done.changes.touches("nomination")
    name, cluster, amount, inputs, staff, client_uid, _product, _reason = _nomination(db, resident(300))
    assert (name, cluster, amount, staff, client_uid) == ("谭光荣", "tea", 6_000_000, "M0003", None)
    assert json.loads(inputs) == {"household_size": "3", "labour": "2", "net_income_last_wan": "4",
                                  "credit_record": "good"}
    assert _nomination(db, resident(301))[:3] == ("陈小兰", "tea", 5_000_000)
    assert json.loads(_nomination(db, resident(301))[3])["credit_record"] == "good"  # 良好
    assert _nomination(db, resident(302))[1:3] == ("walnut", 8_000_000)
    assert _state(db) == (before[0] + 3, before[1] + 3, before[2] + 1)
    kinds = db.conn.execute("SELECT kind, op, sync_state FROM journal ORDER BY seq DESC LIMIT 3").fetchall()
    assert set(kinds) == {("nomination", "insert", "pending")}
    entry = audit.recent(db, limit=1)[0]
    assert entry.action == audit.IMPORT_NOMINATIONS and entry.staff == "M0003" and "新推荐 3" in entry.detail
    assert "谭光荣" not in entry.detail and resident(300) not in entry.detail


def test_amounts_in_yuan_and_wan_by_header_by_choice_and_by_cell(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    in_yuan = _xlsx(tmp_path / "yuan.xlsx", [
        ["姓名", "身份证号", "产业集群", "建议额度（元）", "家庭资产总值（元）"],
        ["甲一", resident(310), "tea", "60,000", 500000],  # assets in 元 for a scorecard that reads 万元
    ])
    plan = _plan(book, in_yuan)
    assert _statuses(plan) == [(2, inm.NEW)]
    _commit(book, plan)
    assert _nomination(db, resident(310))[2] == 6_000_000
    assert json.loads(_nomination(db, resident(310))[3]) == {"assets_wan": "50"}
    silent = _xlsx(tmp_path / "silent.xlsx", [
        ["姓名", "身份证号", "产业集群", "申请额度"],
        ["乙二", resident(311), "tea", 5],  # 5 元? surely 5 万元: refused unless the unit is said
        ["丙三", resident(312), "tea", "3万"],  # the cell says its unit
        ["丁四", resident(313), "tea", 30000],
    ])
    plan = _plan(book, silent)
    assert _statuses(plan) == [(2, inm.REJECTED), (3, inm.NEW), (4, inm.NEW)]
    assert "只有 5 元" in plan.rows[0].reason and "万元" in plan.rows[0].reason
    plan = _plan(book, silent, unit="万元")
    assert _statuses(plan) == [(2, inm.NEW), (3, inm.NEW), (4, inm.NEW)]
    assert [r.amount_fen for r in plan.rows] == [5_000_000, 3_000_000, 30_000_000_000]
    two_rows = _xlsx(tmp_path / "merged.xlsx", [
        ["2026年核桃产业白名单推荐表", None, None, None, None],
        ["基本信息", None, None, "金额（万元）", None],
        ["姓名", "身份证号码", "产业集群", "申请额度", "上年家庭纯收入"],
        ["戊五", resident(314), "核桃产业集群", 7, 5],
    ], merges=("A1:E1", "A2:C2", "D2:E2"))
    plan = _plan(book, two_rows)
    assert plan.loaded.header.row == 2 and set(plan.units.values()) == {"万元"}  # the unit in the group heading
    assert _statuses(plan) == [(4, inm.NEW)] and plan.rows[0].amount_fen == 7_000_000
    assert plan.rows[0].values["inputs"] == {"net_income_last_wan": "5"}
    noted = _xlsx(tmp_path / "noted.xlsx", [
        ["白名单推荐表", None, None, "单位：万元"],
        ["姓名", "身份证号码", "产业集群", "申请额度"],
        ["己六", resident(315), "tea", 4],
    ])
    plan = _plan(book, noted, unit="元")  # the sheet's own note wins
    assert _statuses(plan) == [(3, inm.NEW)] and plan.rows[0].amount_fen == 4_000_000
    refused = book[2].plan(plan.loaded, plan.loaded.mapping, unit="美元")
    assert not isinstance(refused, inm.Plan) and "只能是“元”或“万元”" in refused.message


def test_rows_the_rules_refuse_say_why(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    wrong_digit = resident(320)[:-1] + ("0" if resident(320)[-1] != "0" else "1")
    before = _state(db)
    path = _xlsx(tmp_path / "bad.xlsx", [
        ["姓名", "身份证号码", "产业集群", "申请额度（万元）", "劳动力", "贷款产品"],
        ["好一", resident(321), "tea", 5, 2, "惠农e贷"],
        ["坏二", wrong_digit, "tea", 5, 2, None],
        ["坏三", float(resident(322)), "tea", 5, 2, None],  # Excel kept the ID as a number
        ["坏四", resident(323), "苹果", 5, 2, None],
        ["坏五", resident(324), "tea", 5, "两个", None],
        ["坏六", resident(325), "tea", 5, 2, "万能贷"],
        [None, resident(326), "tea", 5, 2, None],
        ["坏八", None, "tea", 5, 2, None],
        ["坏九", resident(327), None, 5, 2, None],
        ["坏十", resident(328), "tea", "很多", 2, None],
    ])
    plan = _plan(book, path)
    assert _statuses(plan) == [(2, inm.NEW)] + [(n, inm.REJECTED) for n in range(3, 12)]
    reasons = {r.line: r.reason for r in plan.rejected}
    assert "校验位" in reasons[3]
    assert "被 Excel 存成了数字" in reasons[4]
    assert "产业集群“苹果”不存在" in reasons[5] and "茶叶产业集群（tea）" in reasons[5]
    assert "劳动力应为数字" in reasons[6]
    assert "产品“万能贷”不认识" in reasons[7]
    assert "姓名/名称不能为空" in reasons[8]
    assert "证件号码不能为空" in reasons[9]
    assert "产业集群不能为空" in reasons[10]
    assert "建议额度" in reasons[11] and "不是金额" in reasons[11]
    assert _state(db) == before
    _commit(book, plan)
    assert _nomination(db, resident(321))[6] == "xingnong_e_dai"
    assert _state(db)[0] == before[0] + 1


def test_already_nominated_or_on_the_whitelist_is_skipped_or_refused_and_twice_in_the_file_refused(
        book: Any, tmp_path: Path) -> None:
    _store, db, imp = book
    waiting = WhitelistService(db, imp.staff, today=TODAY).nominate(
        {"name": "等结论", "id_number": resident(330), "cluster": "tea", "amount": "5万"})
    assert waiting.ok, waiting.message
    listed = _listed(db)
    rows = [["姓名", "身份证号码", "产业集群", "申请额度（万元）"],
            ["等结论", resident(330), "tea", 5],
            ["白名单中", listed, "tea", 5],
            ["新人", resident(331), "tea", 5],
            ["新人又一遍", resident(331), "walnut", 6]]
    path = _xlsx(tmp_path / "dupes.xlsx", rows)
    plan = _plan(book, path, inm.SKIP)
    assert _statuses(plan) == [(2, inm.SKIPPED), (3, inm.SKIPPED), (4, inm.NEW), (5, inm.REJECTED)]
    assert "已有一条推荐在等总行结论" in plan.rows[0].reason and mask_id(resident(330)) in plan.rows[0].reason
    assert "已在白名单中" in plan.rows[1].reason and listed not in plan.rows[1].reason
    assert "与第 4 行重复" in plan.rows[3].reason
    assert [r.line for r in plan.skipped] == [2, 3] and [r.line for r in plan.rejected] == [5]
    plan = _plan(book, path, inm.REJECT)
    assert _statuses(plan) == [(2, inm.REJECTED), (3, inm.REJECTED), (4, inm.NEW), (5, inm.REJECTED)]
    done = _commit(book, plan)
    assert (done.added, done.skipped, done.rejected) == (1, 0, 3)
    assert _statuses(_plan(book, path)) == [(2, inm.SKIPPED), (3, inm.SKIPPED), (4, inm.SKIPPED), (5, inm.REJECTED)]
    refused = imp.plan(plan.loaded, plan.loaded.mapping, "update")
    assert not isinstance(refused, inm.Plan) and "skip 或 reject" in refused.message


def test_a_candidate_already_in_the_client_book_is_linked_to_it(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    uid, number, name = db.conn.execute(
        "SELECT uid, id_number, name FROM clients WHERE deleted = 0 AND kind = 'individual' AND id_number IS NOT NULL"
        " AND uid NOT IN (SELECT client_uid FROM whitelist WHERE client_uid IS NOT NULL) ORDER BY id LIMIT 1"
    ).fetchone()
    path = _xlsx(tmp_path / "book.xlsx", [["姓名", "身份证号码", "产业集群"], [name, number.lower(), "tea"]])
    plan = _plan(book, path)
    assert _statuses(plan) == [(2, inm.NEW)] and plan.rows[0].values["client_uid"] == uid
    _commit(book, plan)
    assert _nomination(db, number)[5] == uid


def test_all_or_nothing_a_cancel_or_a_failure_half_way_writes_nothing(book: Any, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _store, db, imp = book
    path = _xlsx(tmp_path / "many.xlsx", [["姓名", "身份证号码", "产业集群", "申请额度（万元）"]]
                 + [[f"候选{chr(0x4e00 + n)}", resident(400 + n), "tea", 5] for n in range(10)])
    plan = _plan(book, path)
    assert plan.counts()[inm.NEW] == 10
    before = _state(db)
    flags = iter([False, True])
    result = imp.commit(plan, cancelled=lambda: next(flags, True))
    assert not result.ok and "没有提交任何推荐" in result.errors[0].message and _state(db) == before
    with pytest.raises(inm.Cancelled):
        imp.plan(plan.loaded, plan.loaded.mapping, cancelled=lambda: True)
    assert _state(db) == before
    real = imp.svc.nominate
    calls = {"n": 0}

    def failing(values: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError("disk gone")
        return real(values)

    monkeypatch.setattr(imp.svc, "nominate", failing)
    with pytest.raises(OSError):
        imp.commit(plan)
    assert _state(db) == before

    def refusing(values: Any) -> Any:  # something changed since the plan
        return real({**values, "cluster": "apple"} if values["id_number"] == resident(404) else values)

    monkeypatch.setattr(imp.svc, "nominate", refusing)
    result = imp.commit(plan)
    assert not result.ok and "第 6 行" in result.message and "apple" in result.message and _state(db) == before
    monkeypatch.setattr(imp.svc, "nominate", real)
    assert imp.commit(plan).ok and _state(db)[0] == before[0] + 10


def test_the_error_file_is_fixed_and_imported_again(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    path = _xlsx(tmp_path / "first.xlsx", [
        ["户主姓名", "身份证号码", "手机号码", "产业集群", "申请额度（万元）"],
        ["好一", resident(340), "13800000030", "tea", 5],
        ["坏二", resident(341)[:-1] + ("0" if resident(341)[-1] != "0" else "1"), "13800000031", "tea", 5],
        ["坏三", resident(342), "13800000032", "咖啡", 5],
    ])
    plan = _plan(book, path)
    assert _statuses(plan) == [(2, inm.NEW), (3, inm.REJECTED), (4, inm.REJECTED)]
    _commit(book, plan)
    errors = tmp_path / "errors.xlsx"
    assert inm.write_errors(plan, errors) == 2
    wb = openpyxl.load_workbook(errors)
    ws = wb.active
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0] == ["户主姓名", "身份证号码", "手机号码", "产业集群", "申请额度(万元)", inm.REASON_HEADER, "原表行号"]
    assert [r[0] for r in got[1:]] == ["坏二", "坏三"] and [r[6] for r in got[1:]] == [3, 4]
    assert "校验位" in got[1][5] and "咖啡" in got[2][5]
    ws.cell(2, 2).value = resident(341)
    ws.cell(3, 4).value = "核桃产业集群"
    wb.save(errors)
    again = _plan(book, errors)
    assert _statuses(again) == [(2, inm.NEW), (3, inm.NEW)]
    _commit(book, again)
    assert _nomination(db, resident(341))[1] == "tea" and _nomination(db, resident(342))[1] == "walnut"


def test_a_mapping_is_remembered_for_a_file_of_the_same_layout(book: Any, tmp_path: Path) -> None:
    store, db, imp = book
    heads = ["序", "对象", "号码", "板块", "要多少"]  # words no guess knows
    first = _xlsx(tmp_path / "march.xlsx", [heads, [1, "许一", resident(350), "tea", 50000]])
    loaded = inm.load(first, store.settings.extra)
    assert not loaded.remembered and inm.mapping_problems(loaded.mapping)
    mapping = {1: "name", 2: "id_number", 3: "cluster", 4: "amount"}
    assert inm.mapping_problems(mapping) == []
    assert imp.commit(imp.plan(loaded, mapping)).ok
    inm.remember(store.settings, store.data_dir, loaded, mapping)
    second = _xlsx(tmp_path / "april.xlsx", [heads, [2, "何二", resident(351), "walnut", 60000]])
    again = inm.load(second, Store.open(store.data_dir).settings.extra)  # as a new session reads it
    assert again.remembered and again.mapping == mapping
    _commit(book, _plan(book, second))
    assert _nomination(db, resident(351))[:3] == ("何二", "walnut", 6_000_000)


def test_a_gb18030_csv_and_an_xls_with_blank_and_total_rows(book: Any, tmp_path: Path) -> None:
    _store, db, _imp = book
    gbk = tmp_path / "名单.csv"
    with open(gbk, "w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["借款人姓名", "公民身份号码", "所属产业", "需求额度（万元）"])
        w.writerow(["褚一", resident(360).translate(str.maketrans("0123456789", "０１２３４５６７８９")), "茶叶", "６"])
        w.writerow(["", "", "", ""])
        w.writerow(["合计", "", "", "6"])
    xls = tmp_path / "名单.xls"
    wb = xlwt.Workbook()
    ws = wb.add_sheet("名单")
    for c, v in enumerate(["姓名", "身份证号", "产业集群", "建议额度（元）"]):
        ws.write(0, c, v)
    for c, v in enumerate(["卫二", resident(361), "walnut", 80000]):
        ws.write(1, c, v)
    for c, v in enumerate(["小计", None, None, 80000]):
        ws.write(2, c, v)
    wb.save(str(xls))
    for f in (gbk, xls):
        plan = _plan(book, f)
        assert _statuses(plan) == [(2, inm.NEW)], (f.name, plan.rows[0].reason if plan.rows else "no rows")
        _commit(book, plan)
    assert _nomination(db, resident(360))[:3] == ("褚一", "tea", 6_000_000)
    assert _nomination(db, resident(361))[:3] == ("卫二", "walnut", 8_000_000)


def test_only_staff_who_may_nominate_import_a_list(demo_dir: Path, tmp_path: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        county = inm.NominationImporter(db, auth.load_staff(db, "C0001")[0], today=TODAY)
        loaded = inm.load(_xlsx(tmp_path / "x.xlsx", [["姓名", "身份证号", "产业集群"], ["甲", resident(370), "tea"]]),
                          {})
        refused = county.plan(loaded, loaded.mapping)
        assert not isinstance(refused, inm.Plan) and refused.code == "permission"
    finally:
        db.close()


def test_nothing_of_the_file_reaches_the_log(book: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _xlsx(tmp_path / "secret.xlsx", [["姓名", "身份证号码", "手机号码", "产业集群"],
                                           ["秘密名字", resident(380), "13912345678", "tea"],
                                           ["坏行", "123", "139", "无此集群"]])
    with caplog.at_level(logging.DEBUG):
        _commit(book, _plan(book, path))
    text = caplog.text
    assert "秘密名字" not in text and resident(380) not in text and "13912345678" not in text and "坏行" not in text
