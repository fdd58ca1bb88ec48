"""Printed worksheets read back (issue 16, first part): page X of Y, the Chinese names, numbers
masked unless asked and allowed (then audited), consent respected, every QR code decoded."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.services import auth
from app.services.campaigns import CampaignService
from app.services.sheets import SheetService
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
    refs = [c.split("#") for c in codes]
    assert all(r[0] == number for r in refs)
    assert sorted(int(r[1]) for r in refs) == list(range(1, rows + 1))
    assert {r[2].removeprefix("M:") for r in refs} == targets and not targets & refused  # consent respected


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


@pytest.mark.parametrize("unknown", ["nope"])
def test_a_marketing_sheet_for_an_unknown_campaign_is_refused(demo_dir: Path, tmp_path: Path, unknown: str) -> None:
    svc = _svc(demo_dir)
    try:
        r = svc.marketing(tmp_path / "m.pdf", campaign=unknown, manager="M0001")
        assert not r.ok and "不存在" in r.message
    finally:
        svc.db.close()
