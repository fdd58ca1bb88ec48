"""Printed worksheets read back (issue 16, first part): page X of Y, the Chinese names, numbers
masked unless asked and allowed (then audited), consent respected, every QR code decoded."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.core.sheets import parse_scan
from app.services import auth
from app.services.campaigns import CampaignService
from app.services.sheets import KeyingService, SheetService
from app.store.db import write
from app.store.store import Store
from tests.conftest import run_cli

MOBILE = re.compile(r"1[3-9]\d{9}")
MASKED = re.compile(r"1[3-9]\d\*{4}\d{4}")


def _svc(demo_dir: Path, code: str = "A0001") -> SheetService:
    db = Store.open(demo_dir).connect()
    return SheetService(db, auth.load_staff(db, code)[0])


def _text(pdf: Path) -> tuple[int, list[str]]:
    reader = PdfReader(str(pdf))
    return len(reader.pages), [p.extract_text() for p in reader.pages]


def _qr_codes(pdf: Path, tmp: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp / "page")], check=True)
    found = []
    for png in sorted(tmp.glob("page-*.png")):
        found += [b.text for b in zxingcpp.read_barcodes(Image.open(png))]
    return found


def test_the_whitelist_sheet_reads_back(demo_dir: Path, tmp_path: Path) -> None:
    svc = _svc(demo_dir)
    try:
        out = tmp_path / "wl.pdf"
        result = svc.whitelist(out, manager="M0001")
        assert result.ok, result.message
        number, pages, rows = result.value
        expected = svc.db.conn.execute(
            "SELECT c.name FROM whitelist w JOIN clients c ON c.uid = w.client_uid WHERE w.manager = 'M0001'"
            " AND w.deleted = 0 AND c.consent = 1 AND w.valid_to >= date('now')").fetchall()
    finally:
        svc.db.close()
    assert rows == len(expected) > 0
    n, texts = _text(out)
    assert n == pages
    for i, t in enumerate(texts, 1):
        assert f"第 {i} 页 共 {n} 页" in t and number in t and "白名单走访工作单" in texts[0]
    everything = "".join(texts)
    assert all(name in everything for (name,) in expected[:20])
    assert MASKED.search(everything) and not MOBILE.search(everything)


def test_every_row_has_a_qr_code_that_leads_back(demo_dir: Path, tmp_path: Path) -> None:
    svc = _svc(demo_dir)
    try:
        db = svc.db
        cs = CampaignService(db, svc.staff, svc.ref)
        assert cs.apply_plan(cs.plan("2026-ecny-market")).ok
        out = tmp_path / "mk.pdf"
        result = svc.marketing(out, campaign="2026-ecny-market", manager="M0003")
        assert result.ok, result.message
        number, _pages, rows = result.value
        targets = {t.uid for t in cs.targets("2026-ecny-market", manager="M0003")}
        refused = {t.uid for t in cs.targets("2026-ecny-market", excluded=True)}
    finally:
        svc.db.close()
    codes = _qr_codes(out, tmp_path)
    assert len(codes) == rows == len(targets) > 0
    refs = [parse_scan(c) for c in codes]
    assert all(r is not None and r[0] == number for r in refs)
    assert sorted(r[1] for r in refs) == list(range(1, rows + 1))
    # each code leads back to its row's record, kept with the sheet on this PC
    db = Store.open(demo_dir).connect()
    try:
        kept = dict(db.conn.execute("SELECT row, ref FROM sheet_rows WHERE number = ?", (number,)).fetchall())
    finally:
        db.close()
    assert {kept[r[1]] for r in refs} == targets and not targets & refused  # consent respected


def test_numbers_in_clear_only_when_allowed_and_then_audited(demo_dir: Path, tmp_path: Path) -> None:
    manager = _svc(demo_dir, "M0001")
    try:
        refused = manager.whitelist(tmp_path / "no.pdf", unmasked=True)
        assert not refused.ok and "无权打印未脱敏" in refused.message and not (tmp_path / "no.pdf").exists()
    finally:
        manager.db.close()
    head = _svc(demo_dir)
    try:
        out = tmp_path / "clear.pdf"
        assert head.whitelist(out, manager="M0001", unmasked=True).ok
        logged = head.db.conn.execute("SELECT detail FROM audit_log WHERE action = 'print_unmasked'").fetchall()
    finally:
        head.db.close()
    assert MOBILE.search("".join(_text(out)[1]))
    assert len(logged) == 1 and "白名单走访工作单" in logged[0][0]


def test_print_headless(demo_dir: Path, tmp_path: Path) -> None:
    done = run_cli("print", "whitelist", "--manager", "M0002", "-o", str(tmp_path / "w.pdf"))
    assert done.returncode == 0 and "已生成工作单" in done.stdout and (tmp_path / "w.pdf").exists()
    assert run_cli("print", "whitelist", "-o", str(tmp_path / "x.pdf")).returncode == 1  # whose sheet?
    bad = run_cli("print", "followups", "--manager", "M0001", "-o", str(tmp_path / "nope" / "f.pdf"))
    assert bad.returncode == 2 and "不存在" in bad.stderr
    assert run_cli("print", "followups", "--manager", "M0001", "-o", str(tmp_path / "f.txt")).returncode == 2
    empty = run_cli("print", "followups", "--manager", "M0001", "-o", str(tmp_path / "f.pdf"))  # nothing due
    assert empty.returncode == 1 and "没有可打印" in empty.stderr and not (tmp_path / "f.pdf").exists()


@pytest.mark.parametrize("unknown", ["nope"])
def test_a_marketing_sheet_for_an_unknown_campaign_is_refused(demo_dir: Path, tmp_path: Path, unknown: str) -> None:
    svc = _svc(demo_dir)
    try:
        r = svc.marketing(tmp_path / "m.pdf", campaign=unknown, manager="M0001")
        assert not r.ok and "不存在" in r.message
    finally:
        svc.db.close()


def _keying(demo_dir: Path, code: str = "M0003") -> KeyingService:
    db = Store.open(demo_dir).connect()
    return KeyingService(db, auth.load_staff(db, code)[0], today=date.today())


def _printed_marketing(demo_dir: Path, tmp_path: Path) -> tuple[str, int]:
    svc = _svc(demo_dir)
    try:
        cs = CampaignService(svc.db, svc.staff, svc.ref)
        assert cs.apply_plan(cs.plan("2026-ecny-market")).ok
        result = svc.marketing(tmp_path / "mk.pdf", campaign="2026-ecny-market", manager="M0003")
        assert result.ok, result.message
        return result.value[0], result.value[2]
    finally:
        svc.db.close()


def _count(db, sql: str, *args) -> int:
    return db.conn.execute(sql, args).fetchone()[0]


def test_a_full_sheet_keyed_back_becomes_contacts_and_follow_ups(demo_dir: Path, tmp_path: Path) -> None:
    number, rows = _printed_marketing(demo_dir, tmp_path)
    assert rows >= 6
    codes = {1: "32 1215", 2: "13", 3: "0", 4: "41", 5: "25", 6: "63 0301"}
    codes |= {r: "11" for r in range(7, rows + 1)}
    k = _keying(demo_dir)
    try:
        db = k.db
        contacts0 = _count(db, "SELECT count(*) FROM contacts WHERE campaign = '2026-ecny-market'")
        follow0 = _count(db, "SELECT count(*) FROM followups")
        journal0 = _count(db, "SELECT count(*) FROM journal")
        for row, code in codes.items():
            got = k.key(number, row, code)
            assert got.ok and not got.value.again, got.message
        visited = [c for c in codes.values() if c != "0"]
        contacts = _count(db, "SELECT count(*) FROM contacts WHERE campaign = '2026-ecny-market'")
        assert contacts - contacts0 == len(visited)
        assert _count(db, "SELECT count(*) FROM followups") - follow0 == 2  # the two rows with a next date
        channels = dict(db.conn.execute(
            "SELECT r.row, k.channel || '/' || k.outcome FROM sheet_rows r JOIN contacts k"
            " ON k.client_uid = r.client_uid AND k.campaign = '2026-ecny-market'"
            " WHERE r.number = ? AND r.row <= 6", (number,)).fetchall())
        assert channels == {1: "phone/有意向", 2: "visit/已办理", 4: "wechat/已联系", 5: "invite/无法联系",
                            6: "other/已办理"}
        nxt = db.conn.execute("SELECT f.due FROM followups f JOIN sheet_rows r ON r.client_uid = f.client_uid"
                              " WHERE r.number = ? AND r.row = 1", (number,)).fetchone()[0]
        assert nxt.endswith("-12-15")
        assert _count(db, "SELECT count(*) FROM journal") > journal0  # journaled, so they sync
        view = k.open(number)
        assert view.keyed == rows and view.rows[2].keyed == "未走访" and view.rows[0].keyed.startswith("电话，有意向")
        # the campaign counts them: row 2 and 6 were done (已办理)
        converted = CampaignService(db, k.staff, k.ref).targets("2026-ecny-market", manager="M0003")
        assert sum(t.converted for t in converted) >= 2
    finally:
        k.db.close()


def test_keying_the_same_sheet_twice_changes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    number, rows = _printed_marketing(demo_dir, tmp_path)
    k = _keying(demo_dir)
    try:
        db = k.db
        first = [k.key(number, r, "32 1215") for r in range(1, rows + 1)]
        assert all(r.ok and r.changes for r in first)
        before = [_count(db, f"SELECT count(*) FROM {t}") for t in ("contacts", "followups", "journal")]
        again = [k.key(number, r, "32 1215") for r in range(1, rows + 1)]
        assert all(r.ok and r.value.again and not r.changes for r in again)
        assert [_count(db, f"SELECT count(*) FROM {t}") for t in ("contacts", "followups", "journal")] == before
        other = k.key(number, 1, "11")  # a different result for a keyed row is refused, with what was keyed
        assert not other.ok and "已于" in other.message and "电话，有意向" in other.message
        assert [_count(db, f"SELECT count(*) FROM {t}") for t in ("contacts", "followups", "journal")] == before
    finally:
        k.db.close()


def test_a_row_whose_client_was_merged_since_printing_says_so(demo_dir: Path, tmp_path: Path) -> None:
    from app.services.clients import ClientService

    number, _rows = _printed_marketing(demo_dir, tmp_path)
    k = _keying(demo_dir)
    try:
        db = k.db
        gone_uid, = db.conn.execute("SELECT client_uid FROM sheet_rows WHERE number = ? AND row = 2",
                                    (number,)).fetchone()
        gone = db.conn.execute("SELECT id FROM clients WHERE uid = ?", (gone_uid,)).fetchone()[0]
        keep = db.conn.execute("SELECT uid, name FROM clients WHERE deleted = 0 AND id != ? LIMIT 1",
                               (gone,)).fetchone()
        head = ClientService(db, auth.load_staff(db, "A0001")[0])
        with write(db):  # what a merge does to the absorbed record (the merge itself is tested elsewhere)
            head.repo.delete(gone, author="A0001", merged_into=keep[0])
        contacts = _count(db, "SELECT count(*) FROM contacts")
        got = k.key(number, 2, "32")
        assert not got.ok and "已合并到" in got.message and keep[1] in got.message
        assert _count(db, "SELECT count(*) FROM contacts") == contacts
        view = k.open(number)
        assert view.rows[1].stale and view.rows[1].keyed is None and view.stale == 1
        assert k.key(number, 1, "32").ok  # the other rows key as usual
    finally:
        k.db.close()


def test_follow_up_and_whitelist_rows_key_back(demo_dir: Path, tmp_path: Path) -> None:
    from app.services.followups import FollowupService

    svc = _svc(demo_dir, "M0001")
    try:
        db = svc.db
        fs = FollowupService(db, svc.staff, svc.ref)
        client = db.conn.execute("SELECT c.id FROM clients c JOIN staff s ON s.id = c.manager_id"
                                 " WHERE s.code = 'M0001' AND c.deleted = 0 AND c.consent = 1 LIMIT 1").fetchone()[0]
        tomorrow = date.fromordinal(date.today().toordinal() + 1)
        assert fs.contact(client, channel="电话", outcome="有意向", next_date=tomorrow).ok
        fu = svc.followups(tmp_path / "f.pdf")
        wl = svc.whitelist(tmp_path / "w.pdf")
        assert fu.ok and wl.ok and fu.value[2] >= 1 and wl.value[2] >= 1
    finally:
        svc.db.close()
    k = _keying(demo_dir, "M0001")
    try:
        db = k.db
        open0 = _count(db, "SELECT count(*) FROM followups WHERE done = 0 AND deleted = 0")
        got = k.key(fu.value[0], 1, "33")
        assert got.ok, got.message
        assert _count(db, "SELECT count(*) FROM followups WHERE done = 0 AND deleted = 0") == open0 - 1  # closed
        row, entry = db.conn.execute(
            "SELECT row, ref FROM sheet_rows r WHERE number = ? AND NOT EXISTS (SELECT 1 FROM whitelist_outcomes o"
            " WHERE o.whitelist_uid = r.ref) ORDER BY row LIMIT 1", (wl.value[0],)).fetchone()
        got = k.key(wl.value[0], row, "12 1220")
        assert got.ok, got.message
        status = db.conn.execute("SELECT status FROM whitelist_outcomes WHERE whitelist_uid = ? ORDER BY id DESC",
                                 (entry,)).fetchone()[0]
        assert status == "interested"
        assert _count(db, "SELECT count(*) FROM contacts WHERE whitelist_uid = ?", entry) == 1
        # 拒绝 (4) and 无法联系 (5) take their reason from the note written beside the row; without one, nothing
        row2, entry2 = db.conn.execute(
            "SELECT row, ref FROM sheet_rows r WHERE number = ? AND keyed IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM whitelist_outcomes o WHERE o.whitelist_uid = r.ref) ORDER BY row LIMIT 1",
            (wl.value[0],)).fetchone()
        bare = k.key(wl.value[0], row2, "14")
        assert not bare.ok and "原因" in bare.message and "备注" in bare.message
        assert _count(db, "SELECT count(*) FROM whitelist_outcomes WHERE whitelist_uid = ?", entry2) == 0
        got = k.key(wl.value[0], row2, "14", note="家里已有贷款，暂不需要")
        assert got.ok, got.message
        status, reason = db.conn.execute(
            "SELECT status, reason FROM whitelist_outcomes WHERE whitelist_uid = ? ORDER BY id DESC",
            (entry2,)).fetchone()
        assert (status, reason) == ("refused", "家里已有贷款，暂不需要")
    finally:
        k.db.close()


def test_sheets_headless(demo_dir: Path, tmp_path: Path) -> None:
    number, _rows = _printed_marketing(demo_dir, tmp_path)
    keyed = run_cli("sheets", "key", f"{number}:1", "--outcome", "32 1215", "--user", "M0003")
    assert keyed.returncode == 0 and "电话，有意向" in keyed.stdout
    again = run_cli("sheets", "key", number, "--row", "1", "--outcome", "32 1215", "--user", "M0003")
    assert again.returncode == 0 and "未重复录入" in again.stdout
    batch = run_cli("sheets", "key", number, "--from", "-", "--user", "M0003", input="2 11\n3 0\n4 99\n")
    assert batch.returncode == 1 and "第 3 行：未走访" in batch.stdout and "拜访方式应为" in batch.stderr
    shown = run_cli("sheets", "show", number, "--user", "M0003", "--json")
    data = json.loads(shown.stdout)
    assert [r["keyed"] is not None for r in data["rows"][:4]] == [True, True, True, False]
    assert run_cli("sheets", "show", "nonsense", "--user", "M0003").returncode == 2
    other = run_cli("sheets", "show", number, "--user", "M0001")
    assert other.returncode == 1 and "只能回录自己的工作单" in other.stderr


def test_a_village_heading_never_ends_a_page(tmp_path: Path) -> None:
    from app.printing.sheet import Row, Sheet, render

    rows = [Row(f"M:{i}", [f"客户{i}", "", "", "", "", "", "", ""], group=f"测试村{i:03d}") for i in range(60)]
    sheet = Sheet(number="M261202-0001", title="营销工作单：分页", branch="网点", manager="经理", date="2026-12-02",
                  columns=[(h, 25) for h in ("客户", "联系电话", "客户状况", "拜访时间", "拜访方式", "跟进情况",
                                             "下一步", "签名")], rows=rows, wide=True)
    pages = render(sheet, tmp_path / "p.pdf")
    assert pages > 3
    for text in _text(tmp_path / "p.pdf")[1]:
        villages = re.findall(r"测试村(\d{3})", text)
        clients = set(re.findall(r"客户(\d+)", text))
        # every heading on a page has its first row (the heading's own client) on the same page
        assert villages and all(str(int(v)) in clients for v in villages), text


def test_rows_are_sized_as_reportlab_sizes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The render gives the table its row heights up front (reportlab 5 sizes a big table in
    quadratic time); the pages must break exactly where reportlab's own sizing breaks them:
    wrapped notes, multi-line cells, village headings and QR codes."""
    from reportlab.platypus import LongTable

    import app.printing.sheet as sheet_mod
    from app.printing.sheet import Row, Sheet, render

    note = "客户说下月再来，家里种了三十亩猕猴桃，想问问贷款 & <利率>" * 2
    rows = [Row(f"M:{i}", [f"客户{i}", "138****0000" if i % 2 else "", note if i % 3 == 0 else "",
                           "□电话\n□上门" if i % 4 == 0 else "", "", "", "", ""], group=f"测试村{i // 7:03d}")
            for i in range(150)]
    sheet = Sheet(number="M261202-0002", title="营销工作单：行高", branch="网点", manager="经理", date="2026-12-02",
                  columns=[(h, 25) for h in "一二三四五六七八"], rows=rows,
                  intro=["话术：你好", "风险提示：理财非存款"], wide=True)
    sized: dict[str, list[float]] = {}

    def spy(data: list, styles: list, widths: list) -> list[float]:
        sized["ours"] = real(data, styles, widths)
        table = LongTable(data, colWidths=widths, cellStyles=styles)
        table._calc(sum(widths), 1e9)  # reportlab sizing every row itself
        sized["reportlab"] = table._rowHeights
        return sized["ours"]

    real = sheet_mod._row_heights
    monkeypatch.setattr(sheet_mod, "_row_heights", spy)
    ours = render(sheet, tmp_path / "ours.pdf")
    assert len(sized["ours"]) == 1 + 150 + 22 and sized["ours"] == pytest.approx(sized["reportlab"])
    assert len(set(sized["ours"])) >= 4  # header, heading, QR row, wrapped note
    monkeypatch.setattr(sheet_mod, "_row_heights", lambda data, styles, widths: None)
    theirs = render(sheet, tmp_path / "theirs.pdf")
    assert ours == theirs > 5
    assert _text(tmp_path / "ours.pdf")[1] == _text(tmp_path / "theirs.pdf")[1]


def test_the_scenario_report_reads_back_and_is_not_keyed(demo_dir: Path, tmp_path: Path) -> None:
    svc = _svc(demo_dir)
    try:
        out = tmp_path / "s.pdf"
        made = svc.scenarios(out)
        assert made.ok, made.message
        number, pages, rows = made.value
        names = [r[0] for r in svc.db.conn.execute("SELECT name FROM scenarios WHERE deleted = 0")]
        assert number.startswith("S") and rows == len(names) > 0
        assert not svc.scenarios(tmp_path / "f.pdf", period="2099-01").ok  # a month not yet come
    finally:
        svc.db.close()
    n, texts = _text(out)
    assert n == pages and all(f"第 {i} 页 共 {n} 页" in t for i, t in enumerate(texts, 1))
    everything = "".join(texts)
    assert "智慧乡村场景报告" in everything and "制表人" in everything and "环比" in everything
    assert all(name in everything.replace("\n", "") for name in names[:10])
    codes = _qr_codes(out, tmp_path)
    assert sorted(parse_scan(c)[1] for c in codes) == list(range(1, rows + 1))
    k = _keying(demo_dir, "A0001")
    try:
        assert k.open(number).stale == 0
        refused = k.key(number, 1, "32")
        assert not refused.ok and "场景报告" in refused.message
    finally:
        k.db.close()
