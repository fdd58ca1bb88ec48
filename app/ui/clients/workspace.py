"""The client book workspace (客户): search, filters, the lazy table, detail,
add / delete / merge, export, saved views. UI thread; all data work runs on the
database threads and comes back through signals.

Its dialogs are in ``dialogs``, its column layout and saved views in ``layout``.
Every change it makes is published on the change signal (``ctx.changes``), and
it reloads when any change (its own, the sync's, another screen's) touches clients.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Role, can
from app.services import clients as client_services
from app.services.clients import ClientService
from app.services.export import ExportCancelled, export_clients
from app.store.reference import ReferenceData
from app.store.search import ClientFilter
from app.ui.clients.detail import ClientDetailPanel
from app.ui.clients.dialogs import AddClientDialog, ExportOptionsDialog, MergeDialog
from app.ui.clients.filter_panel import Choices, FilterPanel
from app.ui.clients.layout import ColumnLayout, SavedViews
from app.ui.clients.model import COLUMNS, ClientTableModel
from app.ui.contact import SHORTCUT as CONTACT_SHORTCUT
from app.ui.contact import ContactDialog
from app.ui.context import AppContext
from app.ui.tasks import DbThread, PerConnection, Task, TaskContext
from app.ui.widgets import EmptyHint
from app.ui.workspace import Workspace

SEARCH_DEBOUNCE_MS = 250


class ClientsWorkspace(Workspace):
    """See the module docstring."""

    exportFinished = Signal(object)  # ExportResult | FieldError | None (cancelled)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: ClientService(db, staff, ReferenceData(db)))
        self.model = ClientTableModel(ctx.reader, self.services, self)
        self._export_task: Task | None = None
        self._export_thread: DbThread | None = None
        self.last_export: Any = None

        # --- top bar: search, saved views, actions
        self.search = QLineEdit()
        self.search.setObjectName("clientSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            self.tr("Search: name, village, phone or ID last 4/6 digits, client number (Ctrl+F)")
        )
        self.views = QComboBox()
        self.views.setObjectName("savedViews")
        self.views.setMinimumWidth(140)
        self.views.setToolTip(self.tr("My views"))
        self.save_view_button = QPushButton(self.tr("Save view"))
        self.add_button = QPushButton(self.tr("New client"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.merge_button = QPushButton(self.tr("Merge duplicates"))
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.setObjectName("importClients")
        self.export_button = QPushButton(self.tr("Export"))
        self.columns_button = QPushButton(self.tr("Columns"))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(QLabel(self.tr("My views")))
        top.addWidget(self.views)
        top.addWidget(self.save_view_button)
        for b in (self.add_button, self.delete_button, self.merge_button, self.import_button, self.export_button,
                  self.columns_button):
            top.addWidget(b)

        # --- table
        self.table = QTableView()
        self.table.setObjectName("clientTable")
        self.table.setModel(self.model)
        self.empty = EmptyHint(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(False)  # sorting goes to the store, by header click
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setVisible(False)

        self.filters = FilterPanel()
        self.detail = ClientDetailPanel(ctx.reader, ctx.writer, self.services)
        self.detail.setMinimumWidth(360)
        ctx.unsaved.register(self.detail, self.tr("client details"),
                             lambda: self.detail.detail is not None and bool(self.detail.form.changed_values()))
        self.status = QLabel()
        self.status.setObjectName("clientStatus")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.filters)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 800, 380])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.status)
        self.layout_ = ColumnLayout(self.table, self.splitter, self.model, ctx.ui_settings, self)
        self.saved_views = SavedViews(ctx.ui_settings, ctx.staff.code)
        header = self.table.horizontalHeader()
        header.customContextMenuRequested.connect(lambda _pos: self.layout_.menu(self).exec(self.cursor().pos()))
        header.sectionClicked.connect(self._on_header_clicked)

        # --- wiring
        self._change_message = ""  # what the last add/delete/merge did, shown with the next count
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.filters.changed.connect(self.apply_filter)
        self.model.countChanged.connect(self._on_count)
        self.model.loadFailed.connect(lambda m: self.status.setText(self.tr("Could not load: %1").replace("%1", m)))
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.doubleClicked.connect(lambda _i: self.detail.form.inputs["name"].setFocus())
        self.detail.saved.connect(lambda result: self._publish(result))
        ctx.changes.changed.connect(self._on_changes)
        self.detail.message.connect(self.status.setText)
        self.detail.contactRequested.connect(self.log_contact)
        self.detail.scenarioRequested.connect(self.link_scenario)
        self.add_button.clicked.connect(self.add_client)
        self.delete_button.clicked.connect(self.delete_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.export_button.clicked.connect(self.export_dialog)
        self.import_button.clicked.connect(self.import_dialog)
        self.columns_button.clicked.connect(lambda: self.layout_.menu(self).exec(
            self.columns_button.mapToGlobal(self.columns_button.rect().bottomLeft())))
        self.save_view_button.clicked.connect(self.save_view_dialog)
        self.views.activated.connect(self._on_view_chosen)

        staff = ctx.staff
        self.add_button.setEnabled(can(staff, Action.ADD_CLIENT))
        self.delete_button.setEnabled(can(staff, Action.DELETE_CLIENT))
        self.merge_button.setEnabled(can(staff, Action.MERGE_CLIENTS))
        self.export_button.setEnabled(can(staff, Action.EXPORT_CLIENTS, client_manager_id=staff.id))
        self.import_button.setEnabled(can(staff, Action.ADD_CLIENT))
        self._shortcuts()
        self.layout_.restore()
        self.layout_.show_sort(*self.model.sort_key)
        self._load_views()
        self._load_choices()
        self._counted = False  # the book is first counted when the page is first shown (the front page comes first)

    def title(self) -> str:
        return self.tr("Clients")

    icon_name = "clients"
    help_page = "clients.html"

    def open_item(self, kind: str, key: str) -> None:
        """A client by id in the detail panel; a village as the book's search for it."""
        if kind == "client" and key.isdigit():
            self.open_client(int(key))
        elif kind == "village":
            self.search.setText(key)

    def activated(self) -> None:
        if not self._counted:
            self._counted = True
            self.apply_filter()

    def open_client(self, client_id: int) -> None:
        """Show one client's record in the detail panel (from another workspace)."""
        self.detail.show_client(client_id)

    def shutdown(self) -> None:
        self.layout_.save()
        if self._export_thread is not None:
            self._export_thread.shutdown()
            self._export_thread = None

    # --- keyboard -------------------------------------------------------------------

    def _shortcuts(self) -> None:
        def sc(key: QKeySequence | str, fn) -> None:
            QShortcut(QKeySequence(key), self, activated=fn, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        sc(QKeySequence.StandardKey.Find, self.focus_search)
        sc("Ctrl+N", self.add_client)
        sc("Ctrl+E", self.export_dialog)
        sc("Ctrl+Shift+M", self.merge_selected)
        sc("F5", self.model.reload)
        sc("Ctrl+L", lambda: self.table.setFocus())
        sc("Ctrl+D", lambda: self.detail.form.inputs["name"].setFocus())
        sc("Ctrl+Shift+L", self.filters.clear)
        sc(CONTACT_SHORTCUT, self.detail.request_contact)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.table, activated=self.delete_selected)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        back = QShortcut(QKeySequence("Escape"), self.search, activated=self.search.clear)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        down = QShortcut(QKeySequence("Down"), self.search, activated=self._search_to_table)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter = QShortcut(QKeySequence("Return"), self.table,
                          activated=lambda: self.detail.form.inputs["name"].setFocus())
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.setTabOrder(self.search, self.table)
        self.setTabOrder(self.table, self.detail)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search_to_table(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    # --- data -----------------------------------------------------------------------------

    def _load_choices(self) -> None:
        staff = self.ctx.staff

        def work(tc: TaskContext) -> tuple[Choices, list, list]:
            ref = ReferenceData(tc.db)
            tags = sorted(ref.tags.values(), key=lambda t: (t.source != "hq", t.id))
            villages = sorted(ref.villages.values(), key=lambda v: (v.township_id, v.name.encode("gb18030")))
            managers = [s for s in ref.staff.values() if s.role in (Role.MANAGER, Role.BRANCH_HEAD) and s.active]
            return (
                Choices(
                    tags=[(t.id, t.name) for t in tags],
                    townships=[(t.id, t.name) for t in ref.townships.values()],
                    villages=[(v.id, v.township_id, v.name) for v in villages],
                    managers=[(s.id, s.name) for s in managers],
                ),
                [(v.id, f"{ref.townships[v.township_id].name} {v.name}") for v in villages],
                [(t.code, t.name) for t in tags],
            )

        def done(r: tuple) -> None:
            choices, villages, tags = r
            self.filters.set_choices(choices, show_manager=staff.role != Role.MANAGER)
            self.detail.set_choices(villages, tags)
            self._choices = r

        self.ctx.reader.submit(work, success=done, name="client-choices")

    def current_filter(self) -> ClientFilter:
        return self.filters.apply_to(ClientFilter(text=self.search.text().strip()))

    def apply_filter(self) -> None:
        self._debounce.stop()
        f = self.current_filter()
        if f != self.model.filter or self.model.total == 0:
            self.model.set_filter(f)

    def _on_count(self, n: int) -> None:
        self.filters.set_count(n)
        self.empty.show_for(n, self.tr(
            "No clients yet. Import a client list (Import… above) or sync with head office (the Sync page).")
            if self.current_filter() == ClientFilter() else
            self.tr("No client matches the search and the filters. Clear them to see every client."))
        text = self.tr("%1 clients match").replace("%1", f"{n:,}")
        if self._change_message:
            text = f"{self._change_message}　{text}"
            self._change_message = ""
        self.status.setText(text)

    def _on_header_clicked(self, section: int) -> None:
        key = COLUMNS[section].sort
        if key is None:
            self.status.setText(self.tr("This column cannot be sorted."))
            return
        cur, desc = self.model.sort_key
        desc = not desc if cur == key else False
        self.layout_.show_sort(key, desc)
        self.model.set_sort(key, desc)
        self.layout_.save()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return  # a reload (after a save) keeps the client on show
        cid = self.model.data(self.model.index(current.row(), 0), Qt.ItemDataRole.UserRole)
        if cid is not None and cid != self.detail.client_id:
            self.detail.show_client(cid)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        out = []
        for r in rows:
            cid = self.model.data(self.model.index(r, 0), Qt.ItemDataRole.UserRole)
            if cid is not None:
                out.append(cid)
        return out

    def select_row(self, row: int) -> None:
        idx = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )

    def _publish(self, result: Result, message: str = "") -> None:
        """Tell every screen what an operation here changed; ``message`` (what was done) stays in
        the status line beside the new count instead of being replaced by it."""
        self._change_message = message
        if message:
            self.status.setText(message)
        self.ctx.changes.publish(result.changes, self)

    def _on_changes(self, changes: Changes, _source: object) -> None:
        """Any change to clients (here, by the sync, by another screen): the table is read again."""
        if changes.reference:
            self.services.reload()
            self._load_choices()
        if (changes.touches("client") or changes.reference) and self._counted:
            self.model.reload()

    # --- contacts ---------------------------------------------------------------------------

    def log_contact(self, client_id: int, heading: str = "") -> ContactDialog:
        """The contact form for one client; once saved, the detail shows the client afresh
        (its last contact and version moved)."""
        dlg = ContactDialog(self.ctx, client_id, heading=heading, parent=self)
        self.contact_dialog = dlg

        def saved(_result: Result) -> None:
            self.status.setText(self.tr("Contact logged."))
            if self.detail.client_id == client_id:
                self.detail.show_client(client_id)

        dlg.saved.connect(saved)
        dlg.open()
        return dlg

    def link_scenario(self, client_id: int, village: str) -> None:
        """Which scenario won this client: the scenarios are read, those of the client's village
        first, then one is chosen and the link written (writer thread)."""
        from app.services.scenarios import ScenarioService

        staff = self.ctx.staff

        def load(tc: TaskContext) -> Any:
            rows = ScenarioService(tc.db, staff).list()
            return rows if isinstance(rows, list) else []

        def ask(rows: list) -> None:
            if not rows:
                self.status.setText(self.tr("No scenarios recorded yet (场景 workspace)."))
                return
            rows = sorted(rows, key=lambda r: (r.village_name != village, r.township_name, r.name))
            labels = [f"{r.name}（{r.township_name}{r.village_name}）" for r in rows]
            dlg = QInputDialog(self)
            dlg.setObjectName("linkScenarioDialog")
            dlg.setWindowTitle(self.tr("Won through a scenario"))
            dlg.setLabelText(self.tr("Which scenario won this client?"))
            dlg.setComboBoxItems(labels)
            dlg.setComboBoxEditable(False)
            dlg.textValueSelected.connect(lambda text: self._link_scenario(client_id, rows[labels.index(text)]))
            self.scenario_dialog = dlg
            dlg.open()

        self.ctx.reader.submit(load, success=ask, name="client-scenarios")

    def _link_scenario(self, client_id: int, row: Any) -> None:
        from app.services.scenarios import ScenarioService

        staff, uid = self.ctx.staff, row.uid

        def work(tc: TaskContext) -> Result:
            return ScenarioService(tc.db, staff).link_clients(uid, [client_id])

        def done(result: Result) -> None:
            if not result.ok:
                self.status.setText(result.message)
                return
            self.ctx.changes.publish(result.changes, self)
            self.status.setText(self.tr("Linked to “%1”.").replace("%1", row.name) if result.value
                                else self.tr("Already linked to “%1”.").replace("%1", row.name))

        self.ctx.writer.submit(work, success=done, name="client-link-scenario")

    # --- add / delete / merge ---------------------------------------------------------------

    def add_client(self) -> None:
        if not self.add_button.isEnabled():
            return
        dlg = AddClientDialog(self)
        if hasattr(self, "_choices"):
            dlg.form.set_choices(self._choices[1], self._choices[2])
        dlg.submit.connect(lambda values: self._submit_add(dlg, values))
        dlg.open()

    def _submit_add(self, dlg: AddClientDialog, values: dict[str, str]) -> None:
        service = self.services

        def work(tc: TaskContext) -> Any:
            return service(tc.db).add({k: v for k, v in values.items() if v not in ("", None)})

        def done(result: Result) -> None:
            if not result.ok:
                rest = dlg.form.show_errors(list(result.errors))
                dlg.general.setText("\n".join(e.message for e in rest))
                return
            dlg.accept()
            self._publish(result, self.tr("Client %1 created.").replace("%1", result.value.name))

        self.ctx.writer.submit(work, success=done, name="client-add")

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or not self.delete_button.isEnabled():
            return
        names = [self.model.data(self.model.index(i.row(), 0)) for i in self.table.selectionModel().selectedRows()]
        answer = QMessageBox.question(
            self,
            self.tr("Delete clients"),
            self.tr("Delete %1 client(s): %2?\nThe record is kept as deleted so that the deletion syncs.")
            .replace("%1", str(len(ids)))
            .replace("%2", "、".join(n for n in names[:5] if n) + ("…" if len(names) > 5 else "")),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.delete_ids(ids)

    def delete_ids(self, ids: list[int]) -> None:
        service = self.services

        def work(tc: TaskContext) -> list:
            return [service(tc.db).delete(i) for i in ids]

        def done(results: list[Result]) -> None:
            errors = [r.message for r in results if not r.ok]
            changes = Changes()
            for r in results:
                changes |= r.changes
            self._publish(Result(changes=changes), "；".join(errors) if errors else self.tr("Deleted."))

        self.ctx.writer.submit(work, success=done, name="client-delete")

    def merge_selected(self) -> None:
        """Merge the selected clients, or the current client's duplicates, after a preview."""
        if not self.merge_button.isEnabled():
            return
        ids = self.selected_ids()
        service = self.services

        def work(tc: TaskContext) -> Any:
            svc = service(tc.db)
            chosen = ids
            if len(chosen) == 1:
                c = svc.repo.get(chosen[0])
                if c is not None and c.id_number:
                    chosen = [d.id for d in svc.repo.find_by_id_number(c.id_number)]
            return client_services.plan_merge(svc, chosen)

        self.ctx.reader.submit(work, success=self._show_merge_plan, name="merge-plan")

    def _show_merge_plan(self, plan: Any) -> None:
        if isinstance(plan, FieldError):
            QMessageBox.information(self, self.tr("Merge duplicates"), plan.message)
            return
        dlg = MergeDialog(plan, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        self.merge_ids([plan.survivor.id, *(c.id for c in plan.absorbed)])

    def merge_ids(self, ids: list[int]) -> None:
        service = self.services

        def work(tc: TaskContext) -> Any:
            return client_services.merge(service(tc.db), ids)

        def done(result: Result) -> None:
            if not result.ok:
                self.status.setText(result.message)
                return
            self._publish(result, self.tr("Merged into %1.").replace("%1", result.value.name))

        self.ctx.writer.submit(work, success=done, name="merge")

    # --- import ---------------------------------------------------------------------------------

    def import_dialog(self) -> Any:
        """The import wizard for a client roster (``app.ui.import_wizard``); None when not allowed."""
        if not self.import_button.isEnabled():
            return None
        from app.ui.import_wizard import CLIENTS, ImportWizard

        if getattr(self, "import_wizard", None) is not None:
            self.import_wizard.deleteLater()  # the last one is closed (it was modal): free its rows
        self.import_wizard = ImportWizard(self.ctx, CLIENTS, self)
        self.import_wizard.open()
        return self.import_wizard

    # --- export ---------------------------------------------------------------------------------

    def export_dialog(self) -> None:
        if not self.export_button.isEnabled():
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export clients"), str(Path.home() / "客户导出.xlsx"),
            self.tr("Excel workbook (*.xlsx);;CSV (*.csv)"),
        )
        if not path:
            return
        options = ExportOptionsDialog(can(self.ctx.staff, Action.EXPORT_UNMASKED), self)
        if options.exec() == QDialog.DialogCode.Accepted:
            self.export_to(Path(path), unmasked=options.unmasked, mask_names=options.mask_names)

    def export_to(self, path: Path, *, unmasked: bool = False, mask_names: bool = True) -> Task:
        """Export the current view in the background with a progress dialog and cancel."""
        f, (sort, _desc) = self.model.filter, self.model.sort_key
        staff = self.ctx.staff
        if self._export_thread is None:
            # its own connection, so the table stays responsive during a long export
            self._export_thread = DbThread("db-export", self.ctx.store.connect, self)
        progress = QProgressDialog(self.tr("Exporting clients…"), self.tr("Cancel"), 0, 100, self)
        progress.setObjectName("exportProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def work(tc: TaskContext) -> Any:
            svc = ClientService(tc.db, staff)
            try:
                return export_clients(svc, f, path, sort=sort, unmasked=unmasked, mask_names=mask_names,
                                      progress=tc.progress, cancelled=tc.cancelled)
            except ExportCancelled:
                return None

        def on_progress(done: int, total: int) -> None:
            progress.setMaximum(max(total, 1))
            progress.setValue(done)

        def finished(result: Any) -> None:
            progress.reset()
            self.last_export = result
            if result is None:
                self.status.setText(self.tr("Export cancelled; no file was written."))
            elif isinstance(result, FieldError):
                self.status.setText(result.message)
            else:
                self.status.setText(
                    self.tr("Exported %1 rows to %2.").replace("%1", f"{result.rows:,}").replace("%2", str(result.path))
                )
            self.exportFinished.emit(result)

        task = self._export_thread.submit(work, success=finished, name="export")
        task.progressed.connect(on_progress)
        progress.canceled.connect(task.cancel)
        self._export_task = task
        return task

    # --- saved views ("my views") -----------------------------------------------------------------

    def _load_views(self) -> None:
        self.views.clear()
        self.views.addItem(self.tr("(current)"), None)
        for name in self.saved_views.names():
            self.views.addItem(name, name)

    def save_view_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save view"), self.tr("Name of this view:"))
        if ok and name.strip():
            self.save_view(name.strip())

    def save_view(self, name: str) -> None:
        self.saved_views.save(name, self.current_filter(), self.model.sort_key)
        self._load_views()
        self.views.setCurrentIndex(self.views.findData(name))

    def _on_view_chosen(self, index: int) -> None:
        name = self.views.itemData(index)
        if name:
            self.load_view(name)

    def load_view(self, name: str) -> None:
        view = self.saved_views.load(name)
        if view is None:
            return
        f, (key, desc) = view
        self.search.blockSignals(True)
        self.search.setText(f.text)
        self.search.blockSignals(False)
        self.filters.load(f)
        self.model.set_sort(key, desc, reload=False)
        self.layout_.show_sort(key, desc)
        self.model.set_filter(self.current_filter())
