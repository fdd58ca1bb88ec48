"""Importing client rosters as branches really keep them (issue 19): one file per quirk, made here,
read back through the real reader into the real encrypted demo book; the expected rows accepted and
rejected with their reasons; duplicates; all or nothing; the error file re-imported; a mapping
remembered for a second file of the same layout."""

from __future__ import annotations

import csv
import logging
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt

from app.core.validation import id_check_char
from app.services import auth
from app.services import import_clients as ic
from app.services.import_files import ImportFileError, sheet_names
from app.store import journal
from app.store.reference import ReferenceData
from app.store.store import Store


def resident(n: int, born: str = "19850312") -> str:
    """A valid resident ID of 城口县 (500229), distinct per ``n``."""
    first = f"500229{born}{n % 1000:03d}"
    return first + id_check_char(first)


@pytest.fixture
def book(demo_dir: Path) -> Any:
    store = Store.open(demo_dir)
    db = store.connect()
    staff = auth.load_staff(db, "A0001")[0]
    ref = ReferenceData(db)
    village = next(iter(ref.villages.values()))
    yield store, db, ic.ClientImporter(db, staff, ref), ref.township_name(village), village.name
    db.close()


def _xlsx(path: Path, rows: list[list[Any]], merges: list[str] = (), sheet: str = "花名册") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _run(book: Any, path: Path, on_duplicate: str = ic.SKIP, mapping: dict[int, str] | None = None,
         commit: bool = True) -> tuple[ic.Plan, Any]:
    store, _db, imp, _t, _v = book
    loaded = ic.load(path, store.settings.extra)
    plan = imp.plan(loaded, mapping or loaded.mapping, on_duplicate)
    assert isinstance(plan, ic.Plan), plan
    result = imp.commit(plan) if commit else None
    if result is not None:
        assert result.ok, result.errors
    return plan, result


def _count(db: Any) -> int:
    return db.conn.execute("SELECT count(*) FROM clients WHERE deleted = 0").fetchone()[0]


def _client(db: Any, id_number: str) -> tuple:
    return db.conn.execute("SELECT name, mobile, group_name, consent, consent_date FROM clients WHERE id_number = ?",
                           (id_number,)).fetchone()


@pytest.mark.parametrize("heads", [
    ["姓名", "身份证号", "手机", "村", "组"],
    ["客户姓名", "证件号码", "联系电话", "所属村", "村民小组"],
    ["户主姓名", "身份证号码", "手机号码", "村名", "组别"],
    ["*户主姓名（必填）", "身份证号码 ", "手机号码:", "所属村（乡镇+村）", "村民小组"],
])
def test_headers_in_the_words_branches_use_are_recognised(book: Any, tmp_path: Path, heads: list[str]) -> None:
    _store, db, _imp, township, village = book
    before = _count(db)
    path = _xlsx(tmp_path / "r.xlsx", [heads, ["王大山", resident(1), "13800138000", township + village, "3"]])
    plan, _ = _run(book, path)
    assert plan.loaded.mapping == {0: "name", 1: "id_number", 2: "mobile", 3: "village", 4: "group_name"}
    assert plan.counts()[ic.NEW] == 1 and _count(db) == before + 1
    assert _client(db, resident(1))[:3] == ("王大山", "13800138000", "3组")


def test_a_title_row_and_a_header_over_two_rows_of_merged_cells(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    path = _xlsx(tmp_path / "merged.xlsx", [
        [f"{township}{village}农户花名册（2026 年 3 月）"],
        ["序号", "户主姓名", "基本信息", None, "住址", None],
        [None, None, "身份证号码", "联系电话", "乡镇", "村"],
        [1, "刘春花", resident(2), "13900000001", township, village],
    ], merges=["A1:F1", "C2:D2", "E2:F2", "A2:A3", "B2:B3"])
    plan, _ = _run(book, path)
    h = plan.loaded.header
    assert (h.row, h.rows) == (2, 2) and h.texts[:4] == ["序号", "户主姓名", "身份证号码", "联系电话"]
    assert plan.counts()[ic.NEW] == 1 and _client(db, resident(2))[0] == "刘春花"


def test_blank_subtotal_and_repeated_header_rows_are_left_out(book: Any, tmp_path: Path) -> None:
    _store, _db, _imp, township, village = book
    head = ["姓名", "身份证号", "所属村"]
    path = _xlsx(tmp_path / "totals.xlsx", [
        head, ["甲一", resident(3), township + village], [None, None, None], ["小计", None, None],
        head, ["乙二", resident(4), township + village], ["合计：2 户", None, None],
    ])
    plan, _ = _run(book, path, commit=False)
    assert [r.line for r in plan.rows] == [2, 6] and plan.counts()[ic.NEW] == 2


def test_full_width_digits_and_spaces_are_folded(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    wide = resident(5).translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    path = _xlsx(tmp_path / "wide.xlsx", [
        ["姓名", "身份证号", "手机号码", "所属村", "组"],
        ["陈　小　兰", "\u3000" + wide + " ", "１３８ ００１３ ８００２", f"{township}　{village}", "２"],
    ])
    plan, _ = _run(book, path)
    assert plan.counts()[ic.NEW] == 1, plan.rows[0].reasons
    assert _client(db, resident(5))[:3] == ("陈小兰", "13800138002", "2组")


def test_id_numbers_excel_stored_as_numbers_are_refused_with_the_reason(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    lost_x = next(f"500229198503120{n:02d}" for n in range(100) if id_check_char(f"500229198503120{n:02d}") == "X")
    before = _count(db)
    path = _xlsx(tmp_path / "numbers.xlsx", [
        ["姓名", "身份证号", "所属村"],
        ["赵一", float(resident(6)), township + village],  # 18 digits as a number: the last ones zeroed
        ["钱二", int(lost_x), township + village],  # the trailing X lost: 17 digits
        ["孙三", "5.00229E+17", township + village],  # the scientific form pasted as text
        ["李四", resident(7), township + village],  # stored as text: fine
    ])
    plan, _ = _run(book, path)
    reasons = [r.reason for r in plan.rows]
    assert "被 Excel 存成了数字" in reasons[0] and "后几位已丢失" in reasons[0]
    assert "17 位" in reasons[1] and "X" in reasons[1]
    assert "科学计数法" in reasons[2]
    assert [r.status for r in plan.rows] == [ic.REJECTED] * 3 + [ic.NEW]
    assert _count(db) == before + 1


def test_dates_as_serial_numbers_dots_and_chinese(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    path = _xlsx(tmp_path / "dates.xlsx", [
        ["姓名", "身份证号", "所属村", "授权日期", "授权渠道"],
        ["周一", resident(8), township + village, 46086, "柜面"],  # Excel serial for 2026-03-05
        ["吴二", resident(9), township + village, "2026.3.5", None],
        ["郑三", resident(10), township + village, "2026年3月5日", "上门"],
        ["王四", resident(11), township + village, date(2026, 3, 5), None],
        ["冯五", resident(12), township + village, "3月5日", None],  # no year: refused
    ])
    plan, _ = _run(book, path)
    assert [r.status for r in plan.rows] == [ic.NEW] * 4 + [ic.REJECTED]
    assert "营销授权日期" in plan.rows[4].reason and "不是日期" in plan.rows[4].reason
    for n in (8, 9, 10, 11):
        assert _client(db, resident(n))[3:] == (1, "2026-03-05")


def test_a_gbk_csv_a_tab_separated_txt_an_xls_and_a_wps_et_file(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    gbk = tmp_path / "gbk.csv"
    with open(gbk, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["户主姓名", "身份证号码", "村名"])
        w.writerow(["褚一", resident(13), township + village])
    txt = tmp_path / "tabs.txt"
    txt.write_text(f"姓名\t证件号码\t所属村\n卫二\t{resident(14)}\t{township + village}\n", encoding="utf-8-sig")
    for name in ("roster.xls", "roster.et"):
        wb = xlwt.Workbook()
        ws = wb.add_sheet("第一页")
        for c, head in enumerate(["姓名", "身份证号", "所属村"]):
            ws.write(0, c, head)
        n = 15 if name.endswith("xls") else 16
        for c, value in enumerate(["蒋" + "甲乙"[n % 2], resident(n), township + village]):
            ws.write(1, c, value)
        wb.save(str(tmp_path / name))
    before = _count(db)
    for f in (gbk, txt, tmp_path / "roster.xls", tmp_path / "roster.et"):
        plan, _ = _run(book, f)
        assert plan.counts()[ic.NEW] == 1, (f.name, plan.rows[0].reasons if plan.rows else "no rows")
    assert _count(db) == before + 4
    assert _client(db, resident(13))[0] == "褚一" and sheet_names(tmp_path / "roster.et") == ["第一页"]


def test_duplicates_in_the_book_skip_update_or_merge_and_in_the_file_are_refused(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    existing_id, existing_no = db.conn.execute(
        "SELECT id_number, id FROM clients WHERE id_number IS NOT NULL AND length(id_number) = 18"
        " AND mobile IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    rows = [["姓名", "身份证号", "手机号码", "所属村"],
            ["老客户", existing_id, "13711112222", township + village],
            ["新客户", resident(20), "13711113333", township + village],
            ["又一遍", resident(20), "13711114444", township + village]]
    path = _xlsx(tmp_path / "dupes.xlsx", rows)
    before = _count(db)
    plan, _ = _run(book, path, ic.SKIP, commit=False)
    assert [r.status for r in plan.rows] == [ic.SKIPPED, ic.NEW, ic.REJECTED]
    assert "与第 3 行重复" in plan.rows[2].reason
    plan, result = _run(book, path, ic.UPDATE)
    assert [r.status for r in plan.rows] == [ic.UPDATED, ic.NEW, ic.REJECTED]
    assert db.conn.execute("SELECT mobile FROM clients WHERE id = ?", (existing_no,)).fetchone()[0] == "13711112222"
    assert _count(db) == before + 1 and result.value.updated == 1
    plan, result = _run(book, _xlsx(tmp_path / "d2.xlsx", rows[:2]), ic.MERGE)
    assert [r.status for r in plan.rows] == [ic.TO_MERGE]
    [(old, _new)] = result.value.to_merge
    assert old == existing_no and _count(db) == before + 2


def test_all_or_nothing_a_failure_half_way_writes_nothing(book: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _store, db, imp, township, village = book
    path = _xlsx(tmp_path / "big.xlsx", [["姓名", "身份证号", "所属村"]]
                 + [[f"客户{chr(0x4e00 + n)}", resident(100 + n), township + village] for n in range(60)])
    loaded = ic.load(path, {})
    plan = imp.plan(loaded, loaded.mapping)
    assert plan.counts()[ic.NEW] == 60
    before = (_count(db), journal.pending_count(db))
    monkeypatch.setattr(ic, "COMMIT_BATCH", 20)  # three batches of new clients
    real = imp.svc.repo.insert_many
    calls = {"n": 0}

    def failing(clients: Any, *, author: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk gone")  # the PC dies mid-import, 40 clients written
        return real(clients, author=author)

    monkeypatch.setattr(imp.svc.repo, "insert_many", failing)
    with pytest.raises(OSError):
        imp.commit(plan)
    assert calls["n"] == 3 and (_count(db), journal.pending_count(db)) == before
    # cancelled by the person half way: the same
    monkeypatch.setattr(imp.svc.repo, "insert_many", real)
    flags = iter([False, True])
    result = imp.commit(plan, cancelled=lambda: next(flags, True))
    assert not result.ok and "没有写入" in result.errors[0].message
    assert _count(db) == before[0]
    result = imp.commit(plan)
    assert result.ok and _count(db) == before[0] + 60 and journal.pending_count(db) == before[1] + 60


def test_the_error_file_is_fixed_and_imported_again(book: Any, tmp_path: Path) -> None:
    _store, db, _imp, township, village = book
    path = _xlsx(tmp_path / "first.xlsx", [
        ["户主姓名", "身份证号码", "手机号码", "所属村"],
        ["好一", resident(30), "13800000030", township + village],
        ["坏二", resident(31)[:-1] + ("0" if resident(31)[-1] != "0" else "1"), "13800000031", township + village],
        ["坏三", resident(32), "1380000003", township + village],
        ["坏四", resident(33), "13800000033", "没有这个村"],
    ])
    plan, _ = _run(book, path)
    assert plan.counts()[ic.NEW] == 1 and len(plan.rejected) == 3
    errors = tmp_path / "errors.xlsx"
    assert ic.write_errors(plan, errors) == 3
    wb = openpyxl.load_workbook(errors)
    ws = wb.active
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0] == ["户主姓名", "身份证号码", "手机号码", "所属村", ic.REASON_HEADER, "原表行号"]
    assert [r[0] for r in got[1:]] == ["坏二", "坏三", "坏四"] and [r[5] for r in got[1:]] == [3, 4, 5]
    assert "校验位" in got[1][4] and "手机" in got[2][4] and "所属村" in got[3][4]
    ws.cell(2, 2).value = resident(31)
    ws.cell(3, 3).value = "13800000032"
    ws.cell(4, 4).value = township + village
    wb.save(errors)
    again, _ = _run(book, errors)
    assert again.loaded.mapping == {0: "name", 1: "id_number", 2: "mobile", 3: "village"}  # reasons left out
    assert again.counts()[ic.NEW] == 3 and _client(db, resident(32))[1] == "13800000032"


def test_a_mapping_is_remembered_for_a_file_of_the_same_layout(book: Any, tmp_path: Path) -> None:
    store, _db, imp, township, village = book
    heads = ["户号", "成员", "证件", "居住村"]  # words no guess knows for name, id and village
    first = _xlsx(tmp_path / "march.xlsx", [heads, ["001", "许一", resident(40), township + village]])
    loaded = ic.load(first, store.settings.extra)
    assert not loaded.remembered and ic.mapping_problems(loaded.mapping)
    mapping = {1: "name", 2: "id_number", 3: "village"}
    plan = imp.plan(loaded, mapping)
    assert imp.commit(plan).ok
    ic.remember(store.settings, store.data_dir, loaded, mapping)
    second = _xlsx(tmp_path / "april.xlsx", [heads, ["002", "何二", resident(41), township + village]])
    again = ic.load(second, Store.open(store.data_dir).settings.extra)  # as a new session reads it
    assert again.remembered and again.mapping == mapping
    other = _xlsx(tmp_path / "other.xlsx", [["姓名", "身份证号", "所属村"], ["吕三", resident(42), township + village]])
    assert not ic.load(other, store.settings.extra).remembered


def test_wrong_files_say_what_is_wrong_in_chinese(book: Any, tmp_path: Path) -> None:
    _store, _db, imp, _t, _v = book
    with pytest.raises(ImportFileError, match="找不到文件"):
        ic.load(tmp_path / "none.xlsx", {})
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(ImportFileError, match="不支持"):
        ic.load(tmp_path / "a.pdf", {})
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImportFileError, match="已损坏"):
        ic.load(tmp_path / "broken.xlsx", {})
    empty = _xlsx(tmp_path / "empty.xlsx", [[None, None], [None, None]])
    with pytest.raises(ImportFileError, match="是空的"):
        ic.load(empty, {})
    unknown = ic.load(_xlsx(tmp_path / "numbers.xlsx", [["甲", "乙", "丙"], [4, 5, 6]]), {})
    assert unknown.header.row == 0 and not unknown.mapping  # for a person to map
    assert "必须指定哪一列是“姓名/名称”" in "；".join(ic.mapping_problems(unknown.mapping))
    only_names = _xlsx(tmp_path / "names.xlsx", [["姓名", "身份证号"], ["甲", resident(50)]])
    loaded = ic.load(only_names, {})
    refused = imp.plan(loaded, loaded.mapping)
    assert not isinstance(refused, ic.Plan) and "所属村" in refused.message


def test_nothing_of_the_file_reaches_the_log(book: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _store, _db, _imp, township, village = book
    path = _xlsx(tmp_path / "secret.xlsx", [["姓名", "身份证号", "手机号码", "所属村"],
                                           ["秘密名字", resident(60), "13912345678", township + village],
                                           ["坏行", "123", "139", "无此村"]])
    with caplog.at_level(logging.DEBUG):
        _run(book, path)
    text = caplog.text
    assert "秘密名字" not in text and resident(60) not in text and "13912345678" not in text and "坏行" not in text
