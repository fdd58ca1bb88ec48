"""The client book workspace (客户): search, filters, the lazy table, detail,
add / delete / merge, export, saved views. UI thread; all data work runs on the
database threads and comes back through signals."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.roles import Action, can
from app.services import clients as client_services
from app.services.clients import ClientService
from app.services.export import ExportCancelled, export_clients
from app.store.reference import ReferenceData
from app.store.search import ClientFilter
from app.ui.clients.detail import ClientDetailPanel, ClientForm
from app.ui.clients.filter_panel import Choices, FilterPanel
from app.ui.clients.model import COLUMNS, DEFAULT_HIDDEN, ClientTableModel
from app.ui.context import AppContext
from app.ui.tasks import DbThread, Task, TaskContext
from app.ui.workspace import Workspace

SEARCH_DEBOUNCE_MS = 250


class ServiceCache:
    """One ClientService (and its reference data) per database-thread connection."""

    def __init__(self, staff) -> None:
        self.staff = staff
        self._by_db: dict[int, ClientService] = {}

    def __call__(self, db) -> ClientService:
        svc = self._by_db.get(id(db))
        if svc is None or svc.db is not db:
            svc = ClientService(db, self.staff, ReferenceData(db))
            self._by_db[id(db)] = svc
        return svc

    def reload(self) -> None:
        for svc in self._by_db.values():
            svc.ref.reload()


class ClientsWorkspace(Workspace):
    """See the module docstring."""

    exportFinished = Signal(object)  # ExportResult | FieldError | None (cancelled)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = ServiceCache(ctx.staff)
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
        self.export_button = QPushButton(self.tr("Export"))
        self.columns_button = QPushButton(self.tr("Columns"))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(QLabel(self.tr("My views")))
        top.addWidget(self.views)
        top.addWidget(self.save_view_button)
        for b in (self.add_button, self.delete_button, self.merge_button, self.export_button, self.columns_button):
            top.addWidget(b)

        # --- table
        self.table = QTableView()
        self.table.setObjectName("clientTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(False)  # sorting goes to the store, by header click
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda _pos: self._column_menu().exec(self.cursor().pos()))
        header.sectionClicked.connect(self._on_header_clicked)
        header.sectionMoved.connect(lambda *_: self._save_layout())
        header.sectionResized.connect(lambda *_: self._layout_timer.start())

        self.filters = FilterPanel()
        self.detail = ClientDetailPanel(ctx.reader, ctx.writer, self.services)
        self.detail.setMinimumWidth(360)
        self.status = QLabel()
        self.status.setObjectName("clientStatus")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.filters)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 760, 400])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.status)

        # --- wiring
        self._change_message = ""  # what the last add/delete/merge did, shown with the next count
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self._layout_timer = QTimer(self, singleShot=True, interval=500)
        self._layout_timer.timeout.connect(self._save_layout)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.filters.changed.connect(self.apply_filter)
        self.model.countChanged.connect(self._on_count)
        self.model.loadFailed.connect(lambda m: self.status.setText(self.tr("Could not load: %1").replace("%1", m)))
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.doubleClicked.connect(lambda _i: self.detail.form.inputs["name"].setFocus())
        self.detail.saved.connect(lambda _cid: self._refresh_after_change())
        self.detail.message.connect(self.status.setText)
        self.add_button.clicked.connect(self.add_client)
        self.delete_button.clicked.connect(self.delete_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.export_button.clicked.connect(self.export_dialog)
        self.columns_button.clicked.connect(lambda: self._column_menu().exec(
            self.columns_button.mapToGlobal(self.columns_button.rect().bottomLeft())))
        self.save_view_button.clicked.connect(self.save_view_dialog)
        self.views.activated.connect(self._on_view_chosen)

        staff = ctx.staff
        self.add_button.setEnabled(can(staff, Action.ADD_CLIENT))
        self.delete_button.setEnabled(can(staff, Action.DELETE_CLIENT))
        self.merge_button.setEnabled(can(staff, Action.MERGE_CLIENTS))
        self.export_button.setEnabled(can(staff, Action.EXPORT_CLIENTS, client_manager_id=staff.id))
        self._shortcuts()
        self._restore_layout()
        self._load_views()
        self._load_choices()
        self.apply_filter()

    def title(self) -> str:
        return self.tr("Clients")

    def shutdown(self) -> None:
        self._save_layout()
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
            managers = [s for s in ref.staff.values() if s.role in ("manager", "branch_head") and s.active]
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
            self.filters.set_choices(choices, show_manager=str(staff.role) != "manager")
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
        self.table.horizontalHeader().setSortIndicator(
            section, Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder
        )
        self.model.set_sort(key, desc)
        self._save_layout()

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

    def _refresh_after_change(self, message: str = "") -> None:
        """Reload the table after a change; ``message`` (what was done) stays in the status
        line beside the new count instead of being replaced by it."""
        self._change_message = message
        if message:
            self.status.setText(message)
        self.model.reload()
        win = self.window()
        if hasattr(win, "refresh_status"):
            win.refresh_status()

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

        def done(result: Any) -> None:
            if isinstance(result, list):
                rest = dlg.form.show_errors(result)
                dlg.general.setText("\n".join(e.message for e in rest))
                return
            dlg.accept()
            self._refresh_after_change(self.tr("Client %1 created.").replace("%1", result.name))

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

        def done(results: list) -> None:
            errors = [r.message for r in results if isinstance(r, FieldError)]
            self._refresh_after_change("；".join(errors) if errors else self.tr("Deleted."))

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

        def done(result: Any) -> None:
            if isinstance(result, FieldError):
                self.status.setText(result.message)
                return
            self._refresh_after_change(self.tr("Merged into %1.").replace("%1", result.name))

        self.ctx.writer.submit(work, success=done, name="merge")

    # --- export ---------------------------------------------------------------------------------

    def export_dialog(self) -> None:
        if not self.export_button.isEnabled():
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export clients"), str(Path.home() / "客户导出.xlsx"),
            self.tr("Excel workbook (*.xlsx);;CSV (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path, *, unmasked: bool = False) -> Task:
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
                return export_clients(svc, f, path, sort=sort, unmasked=unmasked,
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

    # --- columns and layout ----------------------------------------------------------------------

    def _column_menu(self) -> QMenu:
        menu = QMenu(self)
        header = self.table.horizontalHeader()
        for i, _col in enumerate(COLUMNS):
            act = QAction(self.model.headerData(i, Qt.Orientation.Horizontal), menu)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(i))
            act.toggled.connect(lambda on, i=i: self.set_column_visible(i, on))
            menu.addAction(act)
        return menu

    def set_column_visible(self, section: int, visible: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(section, not visible)
        self._save_layout()

    def _save_layout(self) -> None:
        s = self.ctx.ui_settings
        s.setValue("clients/header", self.table.horizontalHeader().saveState())
        s.setValue("clients/splitter", self.splitter.saveState())
        s.setValue("clients/sort", json.dumps(list(self.model.sort_key)))

    def _restore_layout(self) -> None:
        s = self.ctx.ui_settings
        header = self.table.horizontalHeader()
        state = s.value("clients/header")
        if isinstance(state, QByteArray) and not state.isEmpty():
            header.restoreState(state)
        else:
            for i, col in enumerate(COLUMNS):
                header.setSectionHidden(i, col.key in DEFAULT_HIDDEN)
            widths = {"name": 90, "id_number": 170, "mobile": 110, "village": 150, "aum": 110, "tags": 200}
            for i, col in enumerate(COLUMNS):
                header.resizeSection(i, widths.get(col.key, 95))
        split = s.value("clients/splitter")
        if isinstance(split, QByteArray) and not split.isEmpty():
            self.splitter.restoreState(split)
        try:
            key, desc = json.loads(s.value("clients/sort", '["name", false]'))
            self.model._sort, self.model._desc = key, bool(desc)
        except (TypeError, ValueError):
            pass

    # --- saved views ("my views") -----------------------------------------------------------------

    def _views_key(self) -> str:
        return f"views/{self.ctx.staff.code}"

    def saved_views(self) -> dict[str, dict]:
        raw = self.ctx.ui_settings.value(self._views_key(), "{}")
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return {}

    def _load_views(self) -> None:
        self.views.clear()
        self.views.addItem(self.tr("(current)"), None)
        for name in sorted(self.saved_views()):
            self.views.addItem(name, name)

    def save_view_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save view"), self.tr("Name of this view:"))
        if ok and name.strip():
            self.save_view(name.strip())

    def save_view(self, name: str) -> None:
        views = self.saved_views()
        views[name] = {"filter": asdict(self.current_filter()), "sort": list(self.model.sort_key)}
        self.ctx.ui_settings.setValue(self._views_key(), json.dumps(views, ensure_ascii=False))
        self._load_views()
        self.views.setCurrentIndex(self.views.findData(name))

    def _on_view_chosen(self, index: int) -> None:
        name = self.views.itemData(index)
        if name:
            self.load_view(name)

    def load_view(self, name: str) -> None:
        view = self.saved_views().get(name)
        if not view:
            return
        f = view["filter"]
        cf = ClientFilter(**{k: tuple(v) if isinstance(v, list) else v for k, v in f.items()})
        self.search.blockSignals(True)
        self.search.setText(cf.text)
        self.search.blockSignals(False)
        self.filters.load(cf)
        key, desc = view.get("sort", ["name", False])
        self.model._sort, self.model._desc = key, bool(desc)
        self.model.set_filter(self.current_filter())


class AddClientDialog(QDialog):
    """A new prospect: the same form and inline validation as the detail panel."""

    submit = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New client"))
        self.form = ClientForm()
        for key in ("id_number", "mobile"):
            self.form.reveal_buttons[key].setVisible(False)
        self.general = QLabel()
        self.general.setStyleSheet("color: #b00020;")
        self.general.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(lambda: self.submit.emit(self.form.values()))
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        lay.addWidget(self.general)
        lay.addWidget(buttons)
        self.resize(460, 640)


class MergeDialog(QDialog):
    """The preview of a merge: which record survives, what it gains, what is folded in."""

    def __init__(self, plan: client_services.MergePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.core.client import CLIENT_FIELDS
        from app.core.masking import mask_id

        self.setWindowTitle(self.tr("Merge duplicates"))
        s = plan.survivor
        lines = [
            self.tr("Keep: %1 (no. %2, %3)").replace("%1", s.name).replace("%2", str(s.id))
            .replace("%3", s.client_no or self.tr("prospect")),
            self.tr("ID number: %1").replace("%1", mask_id(s.id_number)),
            "",
            self.tr("Folded in and marked deleted:"),
        ]
        lines += [f"  · {c.name}（{c.id}，{c.client_no or self.tr('prospect')}）" for c in plan.absorbed]
        lines.append("")
        if plan.changes:
            lines.append(self.tr("The kept record gains:"))
            for k, v in plan.changes.items():
                label = CLIENT_FIELDS[k].label if k in CLIENT_FIELDS else k
                text = "、".join(v) if isinstance(v, tuple) else ("****" if k == "mobile" else str(v))
                lines.append(f"  · {label}：{text}")
        else:
            lines.append(self.tr("The kept record does not change."))
        lines.append("")
        lines.append(self.tr("Every step is written to the change journal."))
        body = QLabel("\n".join(lines))
        body.setObjectName("mergePreview")
        body.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Merge"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(body)
        lay.addWidget(buttons)
