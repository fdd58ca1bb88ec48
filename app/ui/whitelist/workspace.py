"""The whitelist workspace (白名单): the list with its views (cluster, village, expiring within
30/60/90 days, never contacted, lapsed, outreach), an entry's detail and outcome form, the
branch head's assignment, the funnel, and nominations with the scorecard pre-check.

Every change is published on the change signal; the page reloads when any change (its
own, the sync's) touches the whitelist, its outcomes or nominations. UI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.money import format_wan
from app.core.result import Changes, Result
from app.core.roles import Action, Role, can
from app.core.whitelist import Status, balance
from app.services.whitelist import WhitelistService
from app.store.reference import ReferenceData
from app.store.whitelist import WhitelistFilter
from app.ui.contact import SHORTCUT as CONTACT_SHORTCUT
from app.ui.contact import ContactDialog
from app.ui.context import AppContext
from app.ui.labels import domain
from app.ui.tasks import PerConnection, TaskContext
from app.ui.whitelist.detail import EntryPanel
from app.ui.whitelist.dialogs import AssignPreviewDialog, NominationDialog
from app.ui.whitelist.funnel import FunnelPanel
from app.ui.whitelist.model import WhitelistTableModel
from app.ui.widgets import EmptyHint
from app.ui.workspace import Workspace

KINDS = ("whitelist", "whitelist_outcome", "nomination", "scorecard")


class WhitelistWorkspace(Workspace):
    """See the module docstring. ``openClient(id)``: show a client in the client book."""

    openClient = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: WhitelistService(db, staff, ReferenceData(db)))
        self.model = WhitelistTableModel(ctx.reader, self.services, self)
        self.clusters: list[tuple[str, str]] = []
        head = can(ctx.staff, Action.ASSIGN_WHITELIST)

        # --- top bar
        self.search = QLineEdit()
        self.search.setObjectName("whitelistSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search: client name or client number (Ctrl+F)"))
        self.view = QComboBox()
        self.view.setObjectName("whitelistView")
        for label, data in (
            (self.tr("All entries"), "all"), (self.tr("Expiring within 30 days"), "30"),
            (self.tr("Expiring within 60 days"), "60"), (self.tr("Expiring within 90 days"), "90"),
            (self.tr("Never reached"), "never"), (self.tr("Past validity"), "lapsed"),
            (self.tr("Outreach list (consented only)"), "outreach"),
        ):
            self.view.addItem(label, data)
        self.cluster = QComboBox()
        self.cluster.setObjectName("whitelistCluster")
        self.township = QComboBox()
        self.township.setObjectName("whitelistTownship")
        self.village = QComboBox()
        self.village.setObjectName("whitelistVillage")
        self.manager = QComboBox()
        self.manager.setObjectName("whitelistManager")
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("whitelistStatus")
        self.status_filter.addItem(self.tr("Any status"), None)
        for s in Status:
            self.status_filter.addItem(domain(s.label), s.value)
        self.sort = QComboBox()
        self.sort.setObjectName("whitelistSort")
        for label, key in ((self.tr("Soonest to lapse"), "valid_to"), (self.tr("Largest limit"), "limit"),
                           (self.tr("By village"), "village"), (self.tr("By name"), "name"),
                           (self.tr("Least progress"), "status")):
            self.sort.addItem(label, key)
        self.nominate_button = QPushButton(self.tr("Nominate…"))
        self.nominate_button.setObjectName("nominateButton")
        self.assign_button = QPushButton(self.tr("Assign selected…"))
        self.assign_button.setObjectName("assignButton")
        self.auto_button = QPushButton(self.tr("Auto-assign…"))
        self.auto_button.setObjectName("autoAssignButton")
        for b in (self.assign_button, self.auto_button):
            b.setVisible(head)
        self.print_button = QPushButton(self.tr("Print visit sheet…"))
        self.print_button.setObjectName("printVisitSheet")
        self.print_button.setToolTip(self.tr("A manager's live entries with consent on paper, by village, in the"
                                             " cluster and village chosen, with a QR code per row"))
        self.nominate_button.setEnabled(can(ctx.staff, Action.NOMINATE))
        self.import_button = QPushButton(self.tr("Import nominations…"))
        self.import_button.setObjectName("importNominations")
        self.import_button.setToolTip(self.tr("A list of candidates from a spreadsheet (xlsx, xls, et, csv), each"
                                              " checked by the nomination rules"))
        self.import_button.setEnabled(can(ctx.staff, Action.NOMINATE))
        self.import_button.clicked.connect(self.import_nominations)
        bar1 = QHBoxLayout()
        bar1.addWidget(self.search, 1)
        bar1.addWidget(self.view)
        bar1.addWidget(self.nominate_button)
        bar1.addWidget(self.import_button)
        bar1.addWidget(self.print_button)
        bar1.addWidget(self.assign_button)
        bar1.addWidget(self.auto_button)
        bar2 = QHBoxLayout()
        for label, w in ((self.tr("Cluster"), self.cluster), (self.tr("Township"), self.township),
                         (self.tr("Village"), self.village), (self.tr("Manager"), self.manager),
                         (self.tr("Status"), self.status_filter), (self.tr("Order"), self.sort)):
            bar2.addWidget(QLabel(label))
            bar2.addWidget(w)
        bar2.addStretch(1)
        self.manager.setVisible(Role(ctx.staff.role) != Role.MANAGER)

        # --- list tab
        self.table = QTableView()
        self.table.setObjectName("whitelistTable")
        self.table.setModel(self.model)
        self.empty = EmptyHint(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setResizeContentsPrecision(100)  # the first page only: no reads
        self.table.horizontalHeader().setStretchLastSection(True)
        self.entry = EntryPanel(ctx.reader, ctx.writer, self.services)
        self.entry.setMinimumWidth(400)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.entry)
        split.setStretchFactor(0, 1)
        split.setSizes([860, 440])
        self.funnel = FunnelPanel()
        self.nominations = QTableWidget(0, 8)
        self.nominations.setObjectName("nominationTable")
        self.nominations.setHorizontalHeaderLabels([
            self.tr("Date"), self.tr("Name"), self.tr("ID number"), self.tr("Cluster"),
            self.tr("Suggested (10k yuan)"), self.tr("Manager"), self.tr("Head office"), self.tr("Opinion"),
        ])
        self.nominations.verticalHeader().setVisible(False)
        self.nominations.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.nominations.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.nominations.horizontalHeader().setStretchLastSection(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, self.tr("List"))
        self.tabs.addTab(self.funnel, self.tr("Funnel"))
        self.tabs.addTab(self.nominations, self.tr("Nominations"))
        self.status = QLabel()
        self.status.setObjectName("whitelistStatusLine")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(bar1)
        lay.addLayout(bar2)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.status)

        # --- wiring
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)
        for combo in (self.view, self.cluster, self.village, self.manager, self.status_filter, self.sort):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        for combo in (self.view, self.cluster, self.township, self.village, self.manager, self.status_filter,
                      self.sort):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._sized = False
        self.township.currentIndexChanged.connect(self._on_township)
        self.model.countChanged.connect(self._on_count)
        self.model.loadFailed.connect(lambda m: self.status.setText(self.tr("Could not load: %1").replace("%1", m)))
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.entry.saved.connect(self._publish)
        self.entry.openClient.connect(self.openClient)
        self.entry.contactRequested.connect(self.log_contact)
        self.funnel.byChanged.connect(lambda _by: self.load_funnel())
        self.tabs.currentChanged.connect(self._on_tab)
        self.nominate_button.clicked.connect(self.nominate)
        self.print_button.clicked.connect(self.print_sheet)
        self.assign_button.clicked.connect(self.assign_selected)
        self.auto_button.clicked.connect(self.auto_assign)
        ctx.changes.changed.connect(self._on_changes)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=lambda: self.entry.status.setFocus(),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(CONTACT_SHORTCUT), self, activated=self.entry.request_contact,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._choices_loaded = False
        self._shown = False  # the page has been opened: its list may be counted
        self._townships: list[tuple[int, str]] = []
        self._villages: list[tuple[int, int, str]] = []
        self._load_choices()

    icon_name = "whitelist"
    help_page = "whitelist.html"

    def open_item(self, kind: str, key: str) -> None:
        """An entry by uid in the panel, or the list of those expiring or never reached."""
        if kind == "whitelist":
            self.tabs.setCurrentIndex(0)
            self.entry.show_entry(key)
        elif kind == "list":
            view = {"whitelist_expiring": "30", "whitelist_never": "never"}.get(key)
            if view is not None:
                self.view.setCurrentIndex(self.view.findData(view))

    def title(self) -> str:
        return self.tr("Whitelist")

    def activated(self) -> None:
        self._shown = True
        if self.model.total == 0:
            self.apply_filter()

    # --- choices and filter -----------------------------------------------------------------

    def _load_choices(self) -> None:
        services = self.services

        def load(tc: TaskContext) -> dict[str, Any]:
            svc = services(tc.db)
            ref = svc.ref
            return {
                "clusters": svc.repo.clusters(),
                "townships": sorted((t.id, t.name) for t in ref.townships.values()),
                "villages": sorted((v.id, v.township_id, v.name) for v in ref.villages.values()),
                "managers": sorted((s.code, s.name) for s in ref.staff.values() if s.active and s.role == "manager"),
                "names": {s.code: s.name for s in ref.staff.values()},
            }

        self.ctx.reader.submit(load, success=self._choices, name="whitelist-choices")

    def _choices(self, c: dict[str, Any]) -> None:
        widgets = (self.cluster, self.township, self.village, self.manager)
        for w in widgets:
            w.blockSignals(True)
            w.clear()
        self.clusters = c["clusters"]
        self.cluster.addItem(self.tr("All clusters"), None)
        for code, name in self.clusters:
            self.cluster.addItem(name, code)
        self._townships, self._villages = c["townships"], c["villages"]
        self.township.addItem(self.tr("All townships"), None)
        for tid, name in self._townships:
            self.township.addItem(name, tid)
        self._fill_villages(None)
        self.manager.addItem(self.tr("All managers"), None)
        self.manager.addItem(self.tr("Unassigned"), "")
        for code, name in c["managers"]:
            self.manager.addItem(f"{name}（{code}）", code)
        for w in widgets:
            w.blockSignals(False)
        names = {code: f"{name}" for code, name in c["names"].items()}
        cluster_names = dict(self.clusters)
        for holder in (self.model, self.entry):
            holder.clusters = cluster_names
            holder.managers = names
        self.manager_names = names
        self._choices_loaded = True
        if self._shown:  # (a page not yet opened counts nothing: 4.8 s for a branch's 376,000 entries)
            self.apply_filter()

    def _fill_villages(self, township: int | None) -> None:
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(self.tr("All villages"), None)
        for vid, tid, name in self._villages:
            if township is None or tid == township:
                self.village.addItem(name, vid)
        self.village.blockSignals(False)

    def _on_township(self) -> None:
        self._fill_villages(self.township.currentData())
        self.apply_filter()

    def current_filter(self) -> WhitelistFilter:
        view = self.view.currentData()
        days = int(view) if view in ("30", "60", "90") else None
        return WhitelistFilter(
            cluster=self.cluster.currentData(), village_id=self.village.currentData(),
            township_id=self.township.currentData(),
            manager=self.manager.currentData() if self.manager.isVisibleTo(self) else None,
            status=self.status_filter.currentData(), expiring_days=days,
            expired=True if view == "lapsed" else None, never_contacted=view == "never",
            outreach=view == "outreach", text=self.search.text().strip(),
        )

    def apply_filter(self) -> None:
        if not self._choices_loaded:
            return
        self.table.clearSelection()
        self.entry.show_entry(None)
        self.model.set_filter(self.current_filter(), self.sort.currentData())
        if self.tabs.currentIndex() == 1:
            self.load_funnel()

    def _on_count(self, total: int) -> None:
        self.status.setText(self.tr("%1 entries match").replace("%1", f"{total:,}"))
        self.empty.show_for(total, self.tr(
            "No whitelist entries yet. Head office sends the pre-approved credit lines: they arrive at the next"
            " sync (the Sync page).") if self.current_filter() == WhitelistFilter() else
            self.tr("No entry matches these filters. Clear them to see every entry."))
        if total and not self._sized:
            # the first page read: columns as wide as what they show (names cut at 12 characters)
            self._sized = True
            self.table.resizeColumnsToContents()
            name_max = self.table.fontMetrics().horizontalAdvance("复兴街兴田蒲浩种植专业") + 16
            self.table.setColumnWidth(0, min(self.table.columnWidth(0), name_max))
        # a new filter shows its first entry; a reload after a change keeps the entry being
        # worked on in the panel, even when the change took it out of the filtered list
        if total and self.entry.uid is None:
            self.select_row(0)

    def select_row(self, row: int) -> None:
        idx = self.model.index(row, 0)
        self.table.setCurrentIndex(idx)
        self.table.selectRow(row)

    def _on_current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        r = self.model.row_at(current.row()) if current.isValid() else None
        if r is None and current.isValid():
            QTimer.singleShot(100, lambda: self._on_current(self.table.currentIndex(), QModelIndex()))
            return
        self.entry.show_entry(r.uid if r is not None else None)

    def selected_uids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [r.uid for row in rows if (r := self.model.row_at(row)) is not None]

    # --- funnel and nominations ----------------------------------------------------------------

    def _on_tab(self, index: int) -> None:
        if index == 1:
            self.load_funnel()
        elif index == 2:
            self.load_nominations()

    def load_funnel(self) -> None:
        services, by, f = self.services, self.funnel.group, self.current_filter()

        def load(tc: TaskContext) -> Any:
            return services(tc.db).funnel(by, f)

        def show(rows: Any) -> None:
            if isinstance(rows, FieldError):
                self.status.setText(rows.message)
                return
            names = dict(self.clusters) if by == "cluster" else getattr(self, "manager_names", {})
            self.funnel.set_rows(rows, names)

        self.ctx.reader.submit(load, success=show, name="whitelist-funnel")

    def load_nominations(self) -> None:
        services = self.services

        def show(rows: list[dict[str, Any]]) -> None:
            decisions = {"pending": self.tr("Waiting"), "accepted": self.tr("Accepted"),
                         "declined": self.tr("Declined")}
            clusters = dict(self.clusters)
            self.nominations.setRowCount(len(rows))
            for i, r in enumerate(rows):
                limit = f"（{format_wan(r['decided_limit_fen'])}）" if r["decided_limit_fen"] else ""
                names = getattr(self, "manager_names", {})
                cells = (r["created"], r["name"], r["id_number"], clusters.get(r["cluster"], r["cluster"] or ""),
                         format_wan(r["amount_fen"], unit=False), names.get(r["staff"], r["staff"]),
                         decisions.get(r["decision"], r["decision"]) + limit, r["decision_reason"])
                for j, text in enumerate(cells):
                    self.nominations.setItem(i, j, QTableWidgetItem(text))

        self.ctx.reader.submit(lambda tc: services(tc.db).nominations(), success=show, name="nominations")

    # --- actions -----------------------------------------------------------------------------

    def _publish(self, result: Result) -> None:
        if result.ok:
            self.ctx.changes.publish(result.changes, self)

    def _on_changes(self, changes: Changes, _source: object) -> None:
        if changes.reference:
            self.services.reload()
            self._load_choices()
            return
        if changes.touches(*KINDS, "client"):
            self.model.reload()
            if self.tabs.currentIndex() == 1:
                self.load_funnel()
            if self.tabs.currentIndex() == 2 or changes.touches("nomination"):
                self.load_nominations()

    def log_contact(self, client_id: int, heading: str, uid: str) -> ContactDialog:
        """The contact form for an entry's client, the contact tied to the entry."""
        dlg = ContactDialog(self.ctx, client_id, heading=heading, whitelist=uid, parent=self)
        self.contact_dialog = dlg
        dlg.saved.connect(lambda _r: self.status.setText(self.tr("Contact logged.")))
        dlg.open()
        return dlg

    def print_sheet(self) -> None:
        """The visit sheet of the manager chosen (a manager's own), in the cluster and village chosen."""
        from app.ui.printing import open_sheet, sheet_manager

        current = self.manager.currentData() if self.manager.isVisibleTo(self) else None
        names = getattr(self, "manager_names", {})
        managers = {c: n for c, n in names.items()
                    if any(self.manager.itemData(i) == c for i in range(self.manager.count()))}
        manager = sheet_manager(self.ctx, self, managers, current or None)
        if manager is None:
            return
        cluster, village = self.cluster.currentData(), self.village.currentData()
        open_sheet(self.ctx, self, self.tr("Whitelist visit sheet"),
                   lambda svc: svc.plan_whitelist(manager=manager, cluster=cluster, village_id=village))

    def import_nominations(self) -> QWidget:
        """The import wizard for a list of candidates (``app.ui.import_wizard``)."""
        from app.ui.import_wizard import open_import

        self.import_wizard = open_import(self.ctx, "nominations", self)
        return self.import_wizard

    def nominate(self) -> None:
        dlg = NominationDialog(self.ctx.reader, self.ctx.writer, self.services, self.clusters, self)
        dlg.submitted.connect(lambda r: (self._publish(r), self.status.setText(
            self.tr("Nomination submitted; it goes to head office with the next sync."))))
        dlg.open()
        self.nomination_dialog = dlg

    def assign_selected(self) -> None:
        uids = self.selected_uids()
        if not uids:
            self.status.setText(self.tr("Select the entries to assign first."))
            return
        names = [self.manager.itemText(i) for i in range(2, self.manager.count())]
        codes = [self.manager.itemData(i) for i in range(2, self.manager.count())]
        choice, ok = QInputDialog.getItem(self, self.tr("Assign"), self.tr("Give %1 entries to:").replace(
            "%1", str(len(uids))), names, 0, False)
        if ok and choice in names:
            self.assign(uids, codes[names.index(choice)])

    def assign(self, uids: list[str], manager: str) -> None:
        services = self.services
        self.ctx.writer.submit(lambda tc: services(tc.db).assign(uids, manager), success=self._assigned,
                               name="whitelist-assign")

    def _assigned(self, result: Result) -> None:
        if not result.ok:
            self.status.setText(result.message)
            return
        self.status.setText(self.tr("%1 entries assigned (recorded for sync).").replace("%1", str(result.value)))
        self._publish(result)

    def auto_assign(self) -> None:
        services = self.services

        def plan(tc: TaskContext) -> Any:
            return services(tc.db).plan()

        self.ctx.reader.submit(plan, success=self._preview, name="whitelist-plan")

    def _preview(self, plan: Any) -> None:
        if isinstance(plan, FieldError):
            self.status.setText(plan.message)
            return
        if not plan:
            self.status.setText(self.tr("Every entry already has a manager."))
            return
        codes = [self.manager.itemData(i) for i in range(2, self.manager.count())]
        dlg = AssignPreviewDialog(plan, balance(plan, codes), getattr(self, "manager_names", {}), self)
        self.preview_dialog = dlg

        def done(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                services = self.services
                self.ctx.writer.submit(lambda tc: services(tc.db).apply_plan(plan), success=self._assigned,
                                       name="whitelist-apply-plan")

        dlg.finished.connect(done)
        dlg.open()
