"""``branchdesk --self-check``: the smoke test of any build, frozen or not.

Opens a temporary encrypted database and writes and reads it, loads the
translations, renders a one-page PDF with the bundled CJK font. Prints one
line per step and exits 0 only if all pass. Needs no display and no
credential store, and touches no user data.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _database(tmp: Path) -> str:
    import sqlcipher3

    from app.store.db import connect

    key = secrets.token_bytes(32)
    path = tmp / "selfcheck.db"
    db = connect(path, key)
    db.conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    db.conn.execute("INSERT INTO t (name) VALUES (?)", ("自检 张伟",))
    db.conn.commit()
    db.close()
    db = connect(path, key, readonly=True)
    name = db.conn.execute("SELECT name FROM t").fetchone()[0]
    db.close()
    if name != "自检 张伟":
        raise RuntimeError("read back a different value")
    raw = path.read_bytes()
    if b"SQLite format 3" in raw[:16] or "张伟".encode() in raw:
        raise RuntimeError("database file is not encrypted")
    version = sqlcipher3.connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0]
    return f"SQLCipher {version}"


def _translations(tmp: Path) -> str:
    from PySide6.QtCore import QTranslator

    from app.resources import resource_path

    qm = resource_path("translations/branchdesk_zh_CN.qm")
    t = QTranslator()
    if not t.load(str(qm)):
        raise RuntimeError(f"cannot load {qm.name}")
    text = t.translate("MainWindow", "Clients")
    if text != "客户":
        raise RuntimeError(f"unexpected translation {text!r}")
    return f"{qm.name}: Clients -> {text}"


def _pdf(tmp: Path) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from app.printing.fonts import register_pdf_font

    font = register_pdf_font()
    path = tmp / "selfcheck.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(font, 16)
    c.drawString(72, 760, "BranchDesk 自检 · 网点工作台")
    c.setFont(font, 11)
    c.drawString(72, 730, "客户：张伟  手机：138****5678  身份证：500229********1236  金额：1,234.56 元")
    c.showPage()
    c.save()
    data = path.read_bytes()
    if not data.startswith(b"%PDF") or b"FontFile2" not in data:
        raise RuntimeError("PDF missing or font not embedded")
    return f"{len(data):,} bytes, font embedded"


def _qt_modules(tmp: Path) -> str:
    """The Qt modules the screens need beyond the widgets: a bundle that left one out fails here,
    not when a person opens the print preview or the scenarios' charts."""
    import importlib

    names = ("QtPrintSupport", "QtPdf", "QtPdfWidgets", "QtCharts", "QtNetwork", "QtSvg")
    for name in names:
        importlib.import_module(f"PySide6.{name}")
    return ", ".join(names)


def _icons_and_help(tmp: Path) -> str:
    """Every workspace icon renders (QtSvg and the SVG files are in the bundle) and the help pages are there."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    from app.resources import resource_path
    from app.ui.icons import icon_names, svg_text

    names = icon_names()
    bad = [n for n in names if not QSvgRenderer(QByteArray(svg_text(n).encode())).isValid()]
    pages = sorted(p.name for p in resource_path("help/zh_CN").glob("*.html"))
    if bad or len(names) < 10 or "index.html" not in pages or "guide.html" not in pages:
        raise RuntimeError(f"icons {len(names)} (unreadable: {bad}), help pages {pages}")
    return f"{len(names)} icons, {len(pages)} help pages"


def _spreadsheets_and_window(tmp: Path) -> str:
    """An xlsx written (openpyxl, the exports' writer) and read back (pandas and calamine, the imports'
    reader: numpy's own libraries load), a worksheet's QR code drawn, and every module of the main
    window imported: a bundle that broke one fails here, not when a person opens the client book,
    imports a roster or prints a sheet (a stripped numpy and a barcode module loaded by exec()
    once did)."""
    import importlib

    import pandas as pd

    from app.printing.sheet import qr_modules
    from app.services.import_files import read_rows
    from app.ui.app import WINDOW_MODULES

    path = tmp / "selfcheck.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"客户名称": ["张伟"], "金额": [1234.56]}).to_excel(xl, index=False)
    rows = read_rows(path)
    if rows[:2] != [["客户名称", "金额"], ["张伟", 1234.56]]:
        raise RuntimeError(f"xlsx read back as {rows[:2]}")
    modules = qr_modules("BD-S-2026-0001-R001")
    for name in WINDOW_MODULES:
        importlib.import_module(name)
    return f"xlsx round trip, QR {len(modules)}x{len(modules)}, {len(WINDOW_MODULES)} window modules"


STEPS: list[tuple[str, Callable[[Path], str]]] = [
    ("encrypted database", _database),
    ("translations", _translations),
    ("CJK PDF", _pdf),
    ("Qt modules", _qt_modules),
    ("icons and help", _icons_and_help),
    ("spreadsheets, QR and window", _spreadsheets_and_window),
]


def run_self_check() -> int:
    t0 = time.perf_counter()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="branchdesk-selfcheck-") as tmp:
        for name, step in STEPS:
            try:
                detail = step(Path(tmp))
            except Exception as exc:
                failed += 1
                print(f"FAIL {name}: {type(exc).__name__}: {exc}")
            else:
                print(f"ok   {name}: {detail}")
    print(f"self-check {'passed' if not failed else 'FAILED'} in {time.perf_counter() - t0:.2f} s")
    sys.stdout.flush()
    return 0 if not failed else 1
