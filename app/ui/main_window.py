"""The main window: navigation between workspaces and a status bar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app import __version__
from app.core.result import Changes
from app.core.roles import Role
from app.services.sync_status import SyncStatus, confirmed_age, is_stale, sync_status
from app.store.config import KEY_SOURCE_DEMO, KEY_SOURCE_KEYFILE
from app.ui import appearance
from app.ui import settings as opts
from app.ui.context import AppContext
from app.ui.icons import icon
from app.ui.labels import domain
from app.ui.sync_workspace import SyncWorkspace
from app.ui.tasks import TaskContext
from app.ui.widgets import ERROR_STYLE
from app.ui.workspace import PlaceholderWorkspace, Workspace
from sync.client.config import SyncSettings

W = TypeVar("W", bound=Workspace)

# amber, not the error red: nothing failed, but this PC has been out of touch with head office for too long
STALE_STYLE = "QLabel { background: #ffc107; color: #1f1600; border-radius: 3px; padding: 1px 8px; }"


class MainWindow(QMainWindow):
    """Navigation on the left, the current workspace on the right. UI thread."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, auto_sync: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.auto_sync = auto_sync
        self.setWindowTitle(self.tr("BranchDesk") + f" {__version__}")
        self.setMinimumSize(QSize(960, 600))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(132)
        self.nav.setSpacing(2)
        self.nav.setAccessibleName(self.tr("Workspaces"))
        self.stack = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.search: Any = None  # the Ctrl+K dialog, made on first use
        self.help: Any = None  # the help window, made on first use
        self.guide: Any = None  # the first-run guide while open
        self.workspaces: list[Workspace] = []
        # the front page reads first, on its own threads; the other pages' first reads wait for its board
        # (or for a person leaving it, or a second at most): on two cores they would halve its speed
        ctx.reader.hold()
        QTimer.singleShot(1000, self, ctx.reader.release)
        for ws in self._build_workspaces():
            self.add_workspace(ws)
        self.nav.currentRowChanged.connect(self._on_nav)
        self.nav.setCurrentRow(0)

        self._build_status_bar()
        self._build_menus()
        self._fit_navigation()
        for ws in self.workspaces:
            if isinstance(ws, SyncWorkspace):
                ws.statusChanged.connect(self._on_sync_text)
        ctx.changes.changed.connect(self._on_changes)
        self._build_shortcuts()
        self._restore_geometry()
        self.refresh_status()

    # --- workspaces --------------------------------------------------------

    def _build_workspaces(self) -> list[Workspace]:
        from app.core.roles import Action, can, can_see_clients
        from app.ui.campaigns import CampaignsWorkspace
        from app.ui.clients.workspace import ClientsWorkspace
        from app.ui.followups import FollowupsWorkspace
        from app.ui.reports import ReportsWorkspace
        from app.ui.scenarios import ScenariosWorkspace
        from app.ui.sheets import SheetsWorkspace
        from app.ui.today import TodayWorkspace
        from app.ui.whitelist.workspace import WhitelistWorkspace

        no_book = self.tr("Your role does not give access to the client book.")

        def book_page(make: type, title: str, icon_name: str) -> Workspace:
            return make(self.ctx) if can_see_clients(self.ctx.staff) else PlaceholderWorkspace(
                title, no_book, icon_name=icon_name)

        today = TodayWorkspace(self.ctx)  # first: its read starts now, beside the other pages' making
        today.boardShown.connect(self.ctx.reader.release)
        today.openItem.connect(self.open_item)
        today.search_button.clicked.connect(lambda: self.open_search())
        clients = book_page(ClientsWorkspace, self.tr("Clients"), "clients")
        whitelist: Workspace
        if can(self.ctx.staff, Action.VIEW_WHITELIST):
            whitelist = WhitelistWorkspace(self.ctx)
            if isinstance(clients, ClientsWorkspace):
                whitelist.openClient.connect(lambda cid: self.open_item("client", str(cid)))
        else:
            whitelist = PlaceholderWorkspace(self.tr("Whitelist"),
                                             self.tr("Your role does not give access to the whitelist."),
                                             icon_name="whitelist")
        return [
            today,
            clients,
            book_page(ScenariosWorkspace, self.tr("Scenarios"), "scenarios"),
            whitelist,
            book_page(CampaignsWorkspace, self.tr("Campaigns"), "campaigns"),
            book_page(FollowupsWorkspace, self.tr("Follow-ups"), "followups"),
            book_page(SheetsWorkspace, self.tr("Worksheets"), "sheets"),
            ReportsWorkspace(self.ctx) if can(self.ctx.staff, Action.VIEW_REPORTS) else PlaceholderWorkspace(
                self.tr("Reports"), self.tr("Your role does not give access to the reports."), icon_name="reports"),
            SyncWorkspace(self.ctx, auto=self.auto_sync),
        ]

    def workspace(self, kind: type[W]) -> W | None:
        """The page of that class, if this member of staff has it (not a placeholder)."""
        return next((ws for ws in self.workspaces if isinstance(ws, kind)), None)

    def show_workspace(self, ws: Workspace) -> None:
        self.nav.setCurrentRow(self.workspaces.index(ws))

    def open_item(self, kind: str, key: str) -> None:
        """Open what the front page or the search named: go to its page and show the record. UI thread."""
        from app.ui.campaigns import CampaignsWorkspace
        from app.ui.clients.workspace import ClientsWorkspace
        from app.ui.followups import FollowupsWorkspace
        from app.ui.scenarios import ScenariosWorkspace
        from app.ui.sheets import SheetsWorkspace
        from app.ui.whitelist.workspace import WhitelistWorkspace

        page: type[Workspace] | None = {
            "client": ClientsWorkspace, "village": ClientsWorkspace, "followup": FollowupsWorkspace,
            "manager": FollowupsWorkspace, "whitelist": WhitelistWorkspace, "campaign": CampaignsWorkspace,
            "scenario": ScenariosWorkspace, "sheet": SheetsWorkspace, "sync": SyncWorkspace,
        }.get(kind)
        if kind == "list":
            page = {"followups": FollowupsWorkspace, "whitelist_expiring": WhitelistWorkspace,
                    "whitelist_never": WhitelistWorkspace, "campaigns": CampaignsWorkspace,
                    "sync": SyncWorkspace}.get(key)
        ws = self.workspace(page) if page is not None else None
        if ws is None:
            return
        self.show_workspace(ws)
        ws.open_item(kind, key)

    def open_search(self, text: str = "") -> None:
        """Ctrl+K: the search across everything (one dialog, kept while the window lives)."""
        from app.ui.search import SearchDialog

        if self.search is None:
            self.search = SearchDialog(self.ctx, self)
            self.search.openHit.connect(self.open_item)
        self.search.open_search(text)

    def open_help(self, page: str | None = None) -> None:
        """F1: the bundled help page of the current workspace (or ``page``)."""
        from app.ui.help import HelpWindow

        if page is None:
            ws = self.workspaces[self.stack.currentIndex()] if self.workspaces else None
            page = ws.help_page if ws is not None else "index.html"
        if self.help is None:
            self.help = HelpWindow(self)
            self.help.guide.clicked.connect(self.open_guide)
        self.help.show_page(page)

    def open_guide(self) -> Any:
        """The first-run guide (non-modal; it marks itself seen when closed, finished or skipped)."""
        from app.ui.help import GuideDialog

        guide = GuideDialog(self.ctx.ui_settings, self.ctx.staff.code, self)
        guide.helpRequested.connect(self.open_help)
        guide.show()
        self.guide = guide
        return guide

    def offer_guide(self) -> None:
        """Open the guide for a member of staff who has never finished or skipped it."""
        from app.ui.help import guide_seen

        if not guide_seen(self.ctx.ui_settings, self.ctx.staff.code):
            self.open_guide()

    def add_workspace(self, ws: Workspace) -> None:
        self.workspaces.append(ws)
        self.stack.addWidget(ws)
        item = QListWidgetItem(ws.title())
        if ws.icon_name:
            item.setIcon(icon(ws.icon_name))
        item.setSizeHint(QSize(120, 40))
        self.nav.addItem(item)

    def _on_nav(self, row: int) -> None:
        if 0 <= row < len(self.workspaces):
            if row:
                self.ctx.reader.release()
            self.stack.setCurrentIndex(row)
            self.workspaces[row].activated()

    def _build_menus(self) -> None:
        """显示 (text size, colour scheme) and 帮助 (help, the guide)."""
        from PySide6.QtGui import QActionGroup


        bar = self.menuBar()
        view = bar.addMenu(self.tr("&View"))
        self._menu_action(view, self.tr("Search everything…"), lambda: self.open_search(), "search",
                          QKeySequence("Ctrl+K"))
        view.addSeparator()
        sizes = view.addMenu(self.tr("Text size"))
        self.size_actions: dict[int, QAction] = {}
        group = QActionGroup(self)
        now = appearance.text_percent(self.ctx.ui_settings)
        for pct in appearance.TEXT_SIZES:
            act = sizes.addAction(f"{pct}%")
            act.setCheckable(True)
            act.setChecked(pct == now)
            act.triggered.connect(lambda _=False, p=pct: self.set_appearance(percent=p))
            group.addAction(act)
            self.size_actions[pct] = act
        schemes = view.addMenu(self.tr("Colours"))
        self.theme_actions: dict[str, QAction] = {}
        tgroup = QActionGroup(self)
        names = {"system": self.tr("Follow Windows (light, dark, high contrast)"), "light": self.tr("Light"),
                 "dark": self.tr("Dark")}
        scheme = appearance.theme(self.ctx.ui_settings)
        for key in appearance.THEMES:
            act = schemes.addAction(names[key])
            act.setCheckable(True)
            act.setChecked(key == scheme)
            act.triggered.connect(lambda _=False, k=key: self.set_appearance(scheme=k))
            tgroup.addAction(act)
            self.theme_actions[key] = act
        helper = bar.addMenu(self.tr("&Help"))
        self._menu_action(helper, self.tr("Help for this page"), lambda: self.open_help(), "help",
                          QKeySequence(QKeySequence.StandardKey.HelpContents))
        self._menu_action(helper, self.tr("Contents"), lambda: self.open_help("index.html"))
        self._menu_action(helper, self.tr("Keyboard"), lambda: self.open_help("shortcuts.html"))
        self._menu_action(helper, self.tr("First-run guide…"), self.open_guide, "guide")

    def _menu_action(self, menu: Any, text: str, slot: Any, icon_name: str = "",
                     shortcut: QKeySequence | None = None) -> QAction:
        act = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
            act.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        act.triggered.connect(lambda _=False: slot())
        menu.addAction(act)
        return act

    def set_appearance(self, *, percent: int | None = None, scheme: str | None = None) -> None:
        """Change the text size or the colours now, for every window, and keep the choice. UI thread."""


        percent = appearance.text_percent(self.ctx.ui_settings) if percent is None else percent
        scheme = appearance.theme(self.ctx.ui_settings) if scheme is None else scheme
        appearance.save(self.ctx.ui_settings, percent, scheme)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        appearance.apply(app, percent, scheme)
        for pct, act in self.size_actions.items():
            act.setChecked(pct == percent)
        for key, act in self.theme_actions.items():
            act.setChecked(key == scheme)
        self._recolour_icons()
        self._fit_navigation()

    def _recolour_icons(self) -> None:
        for row, ws in enumerate(self.workspaces):  # icons take the text colour
            if ws.icon_name:
                self.nav.item(row).setIcon(icon(ws.icon_name))

    def changeEvent(self, event: QEvent) -> None:
        """Windows switched light, dark or high contrast (the application's palette changed): the error
        red and the icons follow."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.workspaces:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                appearance.tone(app)  # sets the palette again only when its red must change
            self._recolour_icons()

    def _fit_navigation(self) -> None:
        """The navigation as wide as its longest title with its icon, at the current text size."""
        fm = self.nav.fontMetrics()
        widest = max((fm.horizontalAdvance(self.nav.item(i).text()) for i in range(self.nav.count())), default=60)
        self.nav.setFixedWidth(max(132, widest + 20 + 12 + 32))
        row = max(40, fm.height() + 16)
        for i in range(self.nav.count()):
            self.nav.item(i).setSizeHint(QSize(self.nav.width() - 12, row))
        self.nav.setIconSize(QSize(20, 20))

    def _build_shortcuts(self) -> None:
        for i in range(min(9, len(self.workspaces))):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            self.addAction(act)
        # Ctrl+K and F1 are the View and Help menus' own shortcuts (_build_menus)

    # --- status bar ----------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        staff = self.ctx.staff
        self.staff_label = QLabel(
            self.tr("Signed in: %1 (%2)").replace("%1", staff.name).replace("%2", self._role_label())
        )
        self.file_label = QLabel(self.tr("Data: %1").replace("%1", str(self.ctx.store.path)))
        self.file_label.setToolTip(str(self.ctx.store.path))
        self._sync_text = self.tr("Last sync: never")  # the Sync workspace's line
        self._sync_state: SyncStatus | None = None
        self.sync_label = QLabel(self._sync_text, objectName="syncLabel")
        self.pending_label = QLabel()
        # staleness grows with the clock, not only with events: look again every few minutes (no query)
        self._stale_timer = QTimer(self, interval=5 * 60 * 1000)
        self._stale_timer.timeout.connect(self._show_sync)
        self._stale_timer.start()
        for w in (self.staff_label, self.sync_label, self.pending_label):
            bar.addPermanentWidget(w)
        source = self.ctx.settings.key_source
        if source == KEY_SOURCE_KEYFILE:
            warn = QLabel(self.tr("Warning: the database key is kept in a key file"))
            warn.setStyleSheet(ERROR_STYLE)
            bar.addPermanentWidget(warn)
        elif source == KEY_SOURCE_DEMO:
            bar.addPermanentWidget(QLabel(self.tr("Demo data")))
        bar.addWidget(self.file_label, 1)

    def _role_label(self) -> str:
        return domain(Role(self.ctx.staff.role).label)

    def _on_changes(self, changes: Changes, _source: object) -> None:
        if changes.journal:
            self.refresh_status()

    def refresh_status(self) -> None:
        """Re-read the count of unsynced changes (on the reader thread)."""

        store = self.ctx.store

        def read(tc: TaskContext) -> SyncStatus:
            return sync_status(store, tc.db, recent=0)

        self.ctx.reader.submit(read, success=self._on_status, name="sync-status")

    def _on_status(self, status: SyncStatus) -> None:
        self.pending_label.setText(self.tr("Unsynced changes: %1").replace("%1", f"{status.pending:,}"))
        self._sync_state = status
        self._show_sync()

    def _on_sync_text(self, text: str) -> None:
        """The Sync workspace's line changed (a sync ended, settings saved): show it, and read the last
        confirmed time again for the staleness check."""
        self._sync_text = text
        self._show_sync()
        self.refresh_status()

    def _age_text(self, age: timedelta | None) -> str:
        if age is None:
            return self.tr("never")
        hours = age.total_seconds() / 3600
        if hours < 48:
            return self.tr("%1 hours ago").replace("%1", str(int(hours)))
        return self.tr("%1 days ago").replace("%1", str(int(hours // 24)))

    def _show_sync(self) -> None:
        """The sync label: the Sync workspace's line; on amber, with the age, when an enrolled PC's last
        confirmed sync is older than ``stale_hours`` (or it never had one). A PC not enrolled is never amber."""
        state = self._sync_state
        stale_hours = SyncSettings.load(self.ctx.settings).stale_hours
        stale = state is not None and is_stale(state, stale_hours)
        if stale and state is not None:
            self.sync_label.setText(
                self.tr("Last confirmed sync: %1").replace("%1", self._age_text(confirmed_age(state))))
            self.sync_label.setToolTip(
                self.tr("Head office has not confirmed a sync for more than %1 hours: sync in the Sync workspace"
                        " (its settings say when this warning shows).").replace("%1", f"{stale_hours:g}")
                + "\n" + self._sync_text)
        else:
            self.sync_label.setText(self._sync_text)
            self.sync_label.setToolTip("")
        if self.sync_label.property("stale") != stale:
            self.sync_label.setProperty("stale", stale)
            self.sync_label.setStyleSheet(STALE_STYLE if stale else "")

    # --- geometry --------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geo = opts.MAIN_GEOMETRY.get(self.ctx.ui_settings)
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        state = opts.MAIN_STATE.get(self.ctx.ui_settings)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        for ws in self.workspaces:
            ws.shutdown()
        if self.search is not None:
            self.search.shutdown()
        opts.MAIN_GEOMETRY.set(self.ctx.ui_settings, self.saveGeometry())
        opts.MAIN_STATE.set(self.ctx.ui_settings, self.saveState())
        self.ctx.ui_settings.sync()
        super().closeEvent(event)
