"""After sign-in: the front page reads first (issue 21: shown ≤ 300 ms at a million clients).

The window's modules are imported while the person signs in; the front page starts reading in its
constructor, its campaign tallies on a second connection beside the rest; the shared reader holds
the other pages' first reads until the front page's board is shown (or the person leaves the page);
a palette change from Windows (light, dark, high contrast) re-tones the error red without an
application-wide event filter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.core.roles import Role, Staff
from app.services.sync_status import sync_status
from app.services.today import SECTIONS, TodayService, merge
from app.store.reference import ReferenceData
from app.store.store import Store
from app.ui import appearance
from app.ui.app import WINDOW_MODULES, build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.today import TodayWorkspace


def test_window_modules_are_imported_ahead_on_a_thread_of_their_own() -> None:
    """In a fresh interpreter: none is loaded before, every one after the thread ends, none fails."""
    code = (
        "import sys\n"
        "from app.ui.app import WINDOW_MODULES, import_ahead\n"
        "before = [m for m in WINDOW_MODULES if m in sys.modules]\n"
        "t = import_ahead(); t.join(60)\n"
        "print(t.name, before, [m for m in WINDOW_MODULES if m not in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "import-ahead [] []"
    assert "app.ui.main_window" in WINDOW_MODULES and "app.ui.today" in WINDOW_MODULES


def test_the_board_read_in_two_halves_is_the_board_read_whole(worked_demo_dir: Path) -> None:
    store = Store.open(worked_demo_dir)
    db = store.connect(readonly=True)
    try:
        ref = ReferenceData(db)
        for code in ("A0001", "M0001"):
            s = ref.staff_by_code[code]
            svc = TodayService(db, Staff(s.id, s.code, s.name, Role(s.role)), ref)
            status = sync_status(store, db, recent=0)
            whole = svc.board(status)
            halves = merge(svc.board(status, parts=("followups", "whitelist", "sync")),
                           svc.board(None, parts=("campaigns",)))
            assert halves == whole
            assert [x.name for x in whole.sections] == [n for n in SECTIONS if n in {x.name for x in whole.sections}]
            assert whole.section("campaigns").count > 0 and whole.section("overdue").count > 0
    finally:
        db.close()


def test_other_pages_wait_for_the_front_page(qtbot, worked_demo_dir: Path) -> None:
    create_application([])
    ctx = build_context(Store.open(worked_demo_dir), "A0001")
    ran: list[str] = []
    try:
        w = MainWindow(ctx, auto_sync=False)
        qtbot.addWidget(w)
        today = w.workspace(TodayWorkspace)
        assert today is not None and today._reading  # it started reading in its constructor
        # a read submitted now (as the other pages' first reads are) waits for the board
        ctx.reader.submit(lambda tc: ran.append("other") or today.board, name="other")
        qtbot.wait(50)
        w.show()
        qtbot.waitUntil(lambda: bool(ran), timeout=20_000)
        assert today.board is not None  # the board was there before the held read ran
        assert set(today._threads) == {"today-reader", "today-campaigns"}
    finally:
        ctx.shutdown()


def test_held_reads_run_in_order_once_released(qtbot, worked_demo_dir: Path) -> None:
    create_application([])
    ctx = build_context(Store.open(worked_demo_dir), "M0001")
    order: list[int] = []
    try:
        ctx.reader.hold()
        for i in range(5):
            ctx.reader.submit(lambda tc, i=i: i, success=order.append)
        qtbot.wait(100)
        assert order == [] and ctx.reader.busy
        ctx.reader.release()
        qtbot.waitUntil(lambda: len(order) == 5, timeout=10_000)
        assert order == [0, 1, 2, 3, 4]
        ctx.reader.submit(lambda tc: 5, success=order.append)  # released: runs at once
        qtbot.waitUntil(lambda: len(order) == 6, timeout=10_000)
    finally:
        ctx.shutdown()


def test_windows_switching_to_dark_retones_the_error_red(qtbot, worked_demo_dir: Path) -> None:
    app = create_application([])
    ctx = build_context(Store.open(worked_demo_dir), "M0001")
    previous = QApplication.palette()
    try:
        w = MainWindow(ctx, auto_sync=False)
        qtbot.addWidget(w)
        w.show()
        QApplication.setPalette(appearance.light_palette())  # as Windows would: no call into appearance
        qtbot.waitUntil(lambda: app.palette().color(QPalette.ColorRole.BrightText).name() == appearance.ERROR_ON_LIGHT)
        QApplication.setPalette(appearance.dark_palette())
        qtbot.waitUntil(lambda: app.palette().color(QPalette.ColorRole.BrightText).name() == appearance.ERROR_ON_DARK)
        image = w.nav.item(0).icon().pixmap(24, 24).toImage()  # the icons follow too: light on dark
        inked = [image.pixelColor(x, y) for x in range(24) for y in range(24) if image.pixelColor(x, y).alpha() > 200]
        assert inked and all(c.lightness() > 150 for c in inked)
    finally:
        QApplication.setPalette(previous)
        ctx.shutdown()
