"""Printing a worksheet from the app (background render, preview, print, save, cancel) and
keying a returned sheet back in the 工作单 workspace, under offscreen Qt (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from app.core.result import Result
from app.printing.sheet import Row, Sheet
from app.services import auth
from app.services.campaigns import CampaignService
from app.services.sheets import Plan, SheetService
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.printing import SheetPrintDialog
from app.ui.sheets import SheetsWorkspace

CAMPAIGN = "2026-ecny-market"


def _distribute(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        cs = CampaignService(db, auth.load_staff(db, "A0001")[0])
        assert cs.apply_plan(cs.plan(CAMPAIGN)).ok
    finally:
        db.close()


@pytest.fixture
def window(qtbot, demo_dir: Path):
    _distribute(demo_dir)
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), "M0003")
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    yield w, ctx
    w.close()
    ctx.shutdown()


def _count(demo_dir: Path, sql: str, *args) -> int:
    db = Store.open(demo_dir).connect()
    try:
        return db.conn.execute(sql, args).fetchone()[0]
    finally:
        db.close()


def test_preview_print_and_save(qtbot, window, demo_dir: Path, tmp_path: Path) -> None:
    w, ctx = window
    dialog = SheetPrintDialog(ctx, "营销工作单", lambda svc: svc.plan_marketing(campaign=CAMPAIGN), w)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.print_button.isEnabled(), timeout=20_000)
    assert dialog.number.startswith("M") and dialog.pages >= 1
    assert dialog.document.pageCount() == dialog.pages  # the preview holds the whole sheet
    assert dialog.number in dialog.status.text()
    image = dialog.document.render(0, dialog.document.pagePointSize(0).toSize() * 2)
    image.save(str(tmp_path / "preview.png"))
    assert not image.isNull() and image.width() > 1000
    # kept for keying back
    assert _count(demo_dir, "SELECT count(*) FROM sheet_rows WHERE number = ?", dialog.number) > 0
    # save as PDF
    assert dialog.save_to(tmp_path / "copy")  # .pdf added
    assert len(PdfReader(str(tmp_path / "copy.pdf")).pages) == dialog.pages
    # print: a real QPrinter, writing PDF where a paper printer would print
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    task = dialog.print_to(printer)
    qtbot.waitUntil(lambda: task.done, timeout=30_000)
    assert "打印机" in dialog.status.text() or "printer" in dialog.status.text()
    assert len(PdfReader(str(tmp_path / "printed.pdf")).pages) == dialog.pages
    dialog.close()


def test_a_long_sheet_can_be_cancelled_and_keeps_nothing(qtbot, window, demo_dir: Path) -> None:
    w, ctx = window
    rows = [Row(f"M:{i}", [f"客户{i}", "", "", "", "", "", "", ""], group=f"村{i // 30}") for i in range(20_000)]
    big = Sheet(number="M261202-9999", title="营销工作单：很长", branch="网点", manager="经理", date="2026-12-02",
                columns=[(h, 25) for h in "一二三四五六七八"], rows=rows, wide=True)
    links = [(f"t{i}", f"c{i}", f"客户{i}", "") for i in range(20_000)]
    dialog = SheetPrintDialog(ctx, "很长", lambda svc: Result.done(Plan(big, "marketing", links, "M0003", None, False)),
                              w)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)  # rendering, with progress
    assert dialog.cancel_button.isVisible()
    dialog.cancel()
    qtbot.waitUntil(lambda: dialog._task is None, timeout=30_000)
    assert "取消" in dialog.status.text() or "Cancelled" in dialog.status.text()
    assert not dialog.print_button.isEnabled()
    assert not dialog.pdf_path.exists() and not dialog.pdf_path.with_name("sheet.pdf.part").exists()
    assert _count(demo_dir, "SELECT count(*) FROM sheets WHERE number = 'M261202-9999'") == 0
    dialog.close()


def test_key_a_returned_sheet_by_keyboard_and_scanner(qtbot, window, demo_dir: Path, tmp_path: Path) -> None:
    w, _ctx = window
    db = Store.open(demo_dir).connect()
    try:
        made = SheetService(db, auth.load_staff(db, "M0003")[0]).marketing(tmp_path / "m.pdf", campaign=CAMPAIGN)
        assert made.ok
        number, _pages, count = made.value
    finally:
        db.close()
    ws = next(x for x in w.workspaces if isinstance(x, SheetsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    qtbot.waitUntil(lambda: ws.recent.count() > 0 and number in ws.recent.item(0).text(), timeout=5000)
    contacts0 = _count(demo_dir, "SELECT count(*) FROM contacts")

    qtbot.keyClicks(ws.find, number)  # typed, as from the page's header
    qtbot.keyClick(ws.find, "\r")
    qtbot.waitUntil(lambda: ws.model.rowCount() == count and ws.code.isEnabled(), timeout=5000)
    assert ws.table.currentIndex().row() == 0
    qtbot.keyClicks(ws.code, "32 1215")
    qtbot.keyClick(ws.code, "\r")
    qtbot.waitUntil(lambda: ws.model.rows[0].keyed is not None, timeout=5000)
    assert ws.model.rows[0].keyed.startswith("电话，有意向")
    assert ws.table.currentIndex().row() == 1  # on to the next row
    qtbot.keyClicks(ws.code, "0")
    qtbot.keyClick(ws.code, "\r")
    qtbot.waitUntil(lambda: ws.model.rows[1].keyed == "未走访", timeout=5000)
    # a scanner reads row 4's QR code into the code box: row 4 becomes current
    qtbot.keyClicks(ws.code, f"{number}:4")
    qtbot.keyClick(ws.code, "\r")
    qtbot.waitUntil(lambda: ws.table.currentIndex().row() == 3, timeout=5000)
    qtbot.keyClicks(ws.code, "13")
    qtbot.keyClick(ws.code, "\r")
    qtbot.waitUntil(lambda: ws.model.rows[3].keyed is not None, timeout=5000)
    # wrong input says what is wrong and writes nothing
    qtbot.keyClicks(ws.code, "92")
    qtbot.keyClick(ws.code, "\r")
    qtbot.waitUntil(lambda: "拜访方式" in ws.message.text(), timeout=5000)
    # keying row 1 again changes nothing (Up from wherever the keying stands)
    for _ in range(ws.table.currentIndex().row()):
        qtbot.keyClick(ws.code, Qt.Key.Key_Up)
    assert ws.table.currentIndex().row() == 0
    qtbot.keyClicks(ws.code, "32 1215")
    qtbot.keyClick(ws.code, "\r")
    qtbot.waitUntil(lambda: any(w in ws.message.text() for w in ("keyed before", "此前已回录")), timeout=5000)
    assert _count(demo_dir, "SELECT count(*) FROM contacts") == contacts0 + 2  # rows 1 and 4; row 2 not visited
    assert _count(demo_dir, "SELECT count(*) FROM sheet_rows WHERE number = ? AND keyed IS NOT NULL", number) == 3
    w.grab().save(str(tmp_path / "keying.png"))


def test_print_from_the_campaign_follow_up_and_whitelist_workspaces(qtbot, window) -> None:
    from app.ui.campaigns import CampaignsWorkspace
    from app.ui.followups import FollowupsWorkspace
    from app.ui.whitelist.workspace import WhitelistWorkspace

    w, _ctx = window  # signed in as the manager M0003: each prints the manager's own sheet

    def opened(ws) -> SheetPrintDialog:
        found = ws.findChildren(SheetPrintDialog)
        return found[-1] if found else None

    camp = next(x for x in w.workspaces if isinstance(x, CampaignsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(camp))
    qtbot.waitUntil(lambda: bool(camp.rows) and camp.print_button.isEnabled(), timeout=10_000)
    camp.list.setCurrentCell(next(i for i, r in enumerate(camp.rows) if r.code == CAMPAIGN), 0)
    qtbot.waitUntil(lambda: camp.code == CAMPAIGN, timeout=5000)
    camp.print_button.click()
    qtbot.waitUntil(lambda: opened(camp) is not None and opened(camp).print_button.isEnabled(), timeout=20_000)
    assert opened(camp).number.startswith("M")
    opened(camp).close()

    wl = next(x for x in w.workspaces if isinstance(x, WhitelistWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(wl))
    wl.print_button.click()
    qtbot.waitUntil(lambda: opened(wl) is not None and (opened(wl).print_button.isEnabled()
                                                        or "没有" in opened(wl).status.text()), timeout=20_000)
    opened(wl).close()

    fu = next(x for x in w.workspaces if isinstance(x, FollowupsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(fu))
    fu.print_button.click()
    qtbot.waitUntil(lambda: opened(fu) is not None and (opened(fu).print_button.isEnabled()
                                                        or "没有" in opened(fu).status.text()), timeout=20_000)
    opened(fu).close()
