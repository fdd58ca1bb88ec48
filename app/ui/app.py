"""Starting the desktop app: Qt, font, translations, the store, the main window."""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.services import auth
from app.store.config import Settings
from app.store.errors import DatabaseDamagedError, StoreError
from app.store.lock import InstanceLock
from app.store.store import Store
from app.ui import i18n
from app.ui import settings as opts
from app.ui.context import AppContext
from app.ui.fonts import register_fonts
from app.ui.tasks import DbThread

log = logging.getLogger(__name__)


SWITCH_INTERVAL_S = 0.001


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with our names and font (or the existing one, in tests)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    # the database threads give up the GIL for every SQLite step and wait to take it back while the UI
    # thread runs Python: by default up to 5 ms a statement (the "convoy"); 1 ms keeps the front page's
    # forty statements from doubling in time while the window is made, and the UI no slower
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app.setApplicationName("BranchDesk")
    app.setOrganizationName("BranchDesk")
    app.setApplicationVersion(__version__)
    register_fonts(app)
    from app.ui import appearance

    appearance.install(app)  # the error red for the window's colours, and following later changes
    return app


def ui_settings(data_dir: Path) -> QSettings:
    """Window layout and saved views, in the data folder (per user, never the install folder),
    upgraded to this version's keys (``app.ui.settings``)."""
    s = QSettings(str(data_dir / "ui.ini"), QSettings.Format.IniFormat)
    opts.upgrade(s)
    return s


def sign_in(store: Store) -> str | None:
    """Show the sign-in dialog; the signed-in staff code, or None when the person quit."""
    from app.ui.signin import SignInDialog

    thread = DbThread("db-signin", store.connect)
    try:
        dlg = SignInDialog(thread, default_code=store.settings.default_user)
        if dlg.exec() != SignInDialog.DialogCode.Accepted or dlg.staff is None:
            return None
        return dlg.staff.code
    finally:
        thread.shutdown()


def build_context(store: Store, staff_code: str | None) -> AppContext:
    """Open the database threads and find the staff member. UI thread."""
    writer = DbThread("db-writer", store.connect)
    reader = DbThread("db-reader", store.connect)
    db = store.connect(readonly=True)
    try:
        code = staff_code or store.settings.default_user
        found = auth.load_staff(db, code) if code else None
    finally:
        db.close()
    if found is None:
        writer.shutdown()
        reader.shutdown()
        raise StoreError(f"员工号 {code or '（未指定）'} 不在本网点名册中。")
    return AppContext(
        store=store,
        settings=store.settings,
        staff=found[0],
        writer=writer,
        reader=reader,
        ui_settings=ui_settings(store.data_dir),
    )


def ui_language(settings: Settings, requested: str | None = None) -> str:
    """The language to show: ``--lang`` when given, unless IT set the language for every PC
    (``app.policy``: English not offered), then the saved one. Any thread."""
    if requested and "language" not in settings.locked:
        return requested
    return settings.language or i18n.DEFAULT_LANGUAGE


# the main window and its pages: imported while the person signs in (a first making imports them, 0.6 s)
WINDOW_MODULES = (
    "app.ui.main_window", "app.ui.today", "app.ui.clients.workspace", "app.ui.whitelist.workspace",
    "app.ui.scenarios", "app.ui.campaigns", "app.ui.followups", "app.ui.sheets", "app.ui.reports",
    "app.ui.errors", "app.ui.search", "app.ui.help",
)


def import_ahead() -> threading.Thread:
    """Import ``WINDOW_MODULES`` on a thread of its own, so the main window is made at once after
    sign-in. Modules only: nothing here makes a widget. Started on the UI thread; join before exit."""
    def run() -> None:
        for name in WINDOW_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # the UI thread imports it again and shows the error there
                log.debug("importing %s ahead failed", name, exc_info=True)

    thread = threading.Thread(target=run, name="import-ahead", daemon=True)
    thread.start()
    return thread


def run_gui(*, data_dir: Path, user: str | None = None, lang: str | None = None) -> int:
    """Run the desktop app until its window closes; returns the exit code."""
    app = create_application()
    settings = Settings.load(data_dir)
    i18n.install(app, ui_language(settings, lang))

    lock = InstanceLock(data_dir)
    if not lock.acquire():
        QMessageBox.warning(
            None,
            QCoreApplication.translate("run_gui", "BranchDesk"),
            QCoreApplication.translate("run_gui", "BranchDesk is already running for this data folder."),
        )
        return 1
    try:
        try:
            store = Store.open(data_dir)
            from app.ui import appearance

            appearance.apply_saved(app, ui_settings(store.data_dir))  # the text size and colours, from sign-in on
            ahead = import_ahead()
            code = sign_in(store)
            if code is None:
                ahead.join()
                return 0
            ctx = build_context(store, code)
        except DatabaseDamagedError as exc:
            QMessageBox.critical(None, QCoreApplication.translate("run_gui", "BranchDesk"), exc.message)
            return 3
        except StoreError as exc:
            QMessageBox.critical(None, QCoreApplication.translate("run_gui", "BranchDesk"), exc.message)
            return 3
        from app.ui.errors import install_excepthook
        from app.ui.main_window import MainWindow
        from app.ui.signin import IdleLock, lock_window

        install_excepthook()
        window = MainWindow(ctx)
        idle = IdleLock(settings.idle_lock_minutes, window)
        idle.locked.connect(lambda: lock_window(window, ctx.writer, ctx.staff, idle))
        window.show()
        QTimer.singleShot(0, window.offer_guide)  # a new member of staff: the first-run guide, once
        code = app.exec()
        ctx.shutdown()
        store.close_cleanly()
        return code
    finally:
        lock.release()
