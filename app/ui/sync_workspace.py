"""The Sync workspace: enrol this PC, sync now (progress, cancel), the state of the queue, recent runs,
the changes head office refused (with the reason; send again or discard) and the conflicts to review.

The sync itself (``sync.client.engine``, no Qt) runs on its own QThread with its
own connection; progress and the final report come back as queued signals. A
timer syncs again on a schedule: every 15 minutes after a confirmed sync, with
backoff and jitter after a failure, so a queue never waits for a new local
write. "Synced" is shown only for a run head office confirmed.
"""

from __future__ import annotations

import logging
import platform
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.services.sync_review import SyncReview
from app.services.sync_status import SyncStatus, sync_status
from app.ui.appearance import emphasize
from app.ui.autosync import Reachability
from app.ui.context import AppContext
from app.ui.tasks import TaskContext
from app.ui.widgets import ERROR_STYLE
from app.ui.workspace import Workspace
from sync.client.config import SyncSettings
from sync.client.scheduler import RetrySchedule

log = logging.getLogger(__name__)

REFERENCE_KINDS = frozenset({"township", "village", "staff", "tag"})  # screens cache these lists


class _SyncRunner(QObject):
    """Lives on the sync thread; runs one cycle (or an enrolment) per request."""

    progressed = Signal(str, int, int, str)  # phase, done, total, message
    finished = Signal(object)  # SyncReport
    enrolled = Signal(object, str)  # SyncSettings or None, error message
    start_sync = Signal()
    start_enrol = Signal(str, str, str, str)
    start_bundle = Signal(str, str)  # "export" or "import", the file
    bundle_done = Signal(str, object)  # what, the report, or the reason it was refused (str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._cancel = False
        self.start_sync.connect(self._run)
        self.start_enrol.connect(self._enrol)
        self.start_bundle.connect(self._bundle)

    def cancel(self) -> None:
        self._cancel = True

    @Slot()
    def _run(self) -> None:
        from sync.client.engine import FAILED, SyncEngine, SyncReport
        from sync.client.transport import SyncError

        self._cancel = False
        try:
            engine = SyncEngine(
                self.ctx.store,
                progress=lambda p: self.progressed.emit(p.phase, p.done, p.total, p.message),
                cancelled=lambda: self._cancel,
            )
            report = engine.run()
        except SyncError as exc:
            report = SyncReport(status=FAILED, error=str(exc))
        except Exception as exc:  # never leave the UI waiting
            log.exception("sync crashed")
            report = SyncReport(status=FAILED, error=type(exc).__name__)
        self.finished.emit(report)

    @Slot(str, str)
    def _bundle(self, what: str, path: str) -> None:
        """A carried bundle written or a reply imported, on the sync thread (never beside a sync run)."""
        from pathlib import Path

        from sync.bundle import BundleError
        from sync.client.bundle import export_bundle, import_reply, relay_bundle
        from sync.client.transport import SyncError

        work = {"export": export_bundle, "import": import_reply, "relay": relay_bundle}[what]
        try:
            report = work(self.ctx.store, Path(path))
        except (SyncError, BundleError) as exc:
            self.bundle_done.emit(what, str(exc))
        except Exception as exc:  # never leave the UI waiting
            log.exception("bundle %s crashed", what)
            self.bundle_done.emit(what, type(exc).__name__)
        else:
            self.bundle_done.emit(what, report)

    @Slot(str, str, str, str)
    def _enrol(self, server: str, code: str, proxy: str, ca_bundle: str) -> None:
        from sync.client.engine import enrol
        from sync.client.transport import SyncError

        try:
            s = enrol(self.ctx.store, server, code, device_name=platform.node(),
                      proxy=proxy or None, ca_bundle=ca_bundle or None)
        except SyncError as exc:
            self.enrolled.emit(None, str(exc))
        except Exception as exc:
            log.exception("enrolment crashed")
            self.enrolled.emit(None, type(exc).__name__)
        else:
            self.enrolled.emit(s, "")


class SyncWorkspace(Workspace):
    """UI thread."""

    statusChanged = Signal(str)  # a one-line status for the status bar

    AUTO_INTERVAL_S = 15 * 60

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, auto: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        # AUTO_INTERVAL_S is the default; the PC's sync settings (interval_min) decide
        self.schedule = RetrySchedule(interval=self._settings().interval_min * 60)
        self._thread = QThread()
        self._thread.setObjectName("sync")
        self._runner = _SyncRunner(ctx)
        self._runner.moveToThread(self._thread)
        self._runner.progressed.connect(self._on_progress)
        self._runner.finished.connect(self._on_finished)
        self._runner.enrolled.connect(self._on_enrolled)
        self._runner.bundle_done.connect(self._on_bundle_done)
        self._thread.start()
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.sync_now)
        self.auto = auto
        # waits: forms with unsaved edits (asked every few seconds while waiting), and the network
        self.waiting = False
        self.wait_timer = QTimer(self, interval=3000)
        self.wait_timer.timeout.connect(self._check_waiting)
        self.reach = Reachability(self)
        self.reach.online.connect(self.network_back)
        self._build()
        self.refresh()
        if auto and self._settings().enrolled:
            self.timer.start(60_000)  # a first sync a minute after start-up

    icon_name = "sync"
    help_page = "sync.html"

    def title(self) -> str:
        return self.tr("Sync")

    # --- layout -----------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        heading = QLabel(self.tr("Sync with head office"))
        emphasize(heading, 1.5, bold=True)
        layout.addWidget(heading)
        about = QLabel(self.tr(
            "Changes made on this PC go to head office, and head office's data comes here. A sync is"
            " marked synced only after head office has confirmed that both sides hold the same data."
        ))
        about.setWordWrap(True)
        layout.addWidget(about)

        self.enrol_box = QGroupBox(self.tr("Enrol this PC"))
        form = QFormLayout(self.enrol_box)
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("https://sync.bank.local")
        held = SyncSettings.load(self.ctx.settings)
        if "server_url" in held.locked:  # the address IT set for every PC (app.policy)
            self.server_edit.setText(held.server_url)
            self.server_edit.setReadOnly(True)
            self.server_edit.setToolTip(self.tr("Set for every PC by the bank's IT (policy); it cannot be changed"
                                                " here."))
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("ABCD-EFGH-JKLM")
        self.proxy_edit = QLineEdit()
        self.proxy_edit.setPlaceholderText(self.tr("optional, e.g. http://proxy:8080"))
        ca_row = QHBoxLayout()
        self.ca_edit = QLineEdit()
        self.ca_edit.setPlaceholderText(self.tr("optional: the bank's CA certificate (PEM)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_ca)
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        form.addRow(self.tr("Head-office address"), self.server_edit)
        form.addRow(self.tr("One-time code"), self.code_edit)
        form.addRow(self.tr("Proxy"), self.proxy_edit)
        form.addRow(self.tr("CA certificate"), ca_row)
        self.enrol_button = QPushButton(self.tr("Enrol"))
        self.enrol_button.clicked.connect(self._enrol)
        self.enrol_error = QLabel()
        self.enrol_error.setStyleSheet(ERROR_STYLE)
        self.enrol_error.setWordWrap(True)
        form.addRow(self.enrol_button, self.enrol_error)
        layout.addWidget(self.enrol_box)

        self.device_label = QLabel()
        self.device_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.device_label)

        row = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress_label = QLabel()
        row.addWidget(self.sync_button)
        row.addWidget(self.cancel_button)
        self.settings_button = QPushButton(self.tr("Settings…"))
        self.settings_button.setObjectName("syncSettings")
        self.settings_button.setToolTip(self.tr("Head-office address, proxy, CA certificate, how often to sync"))
        self.settings_button.clicked.connect(self.open_settings)
        row.addWidget(self.settings_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.progress_label, 1)
        layout.addLayout(row)

        carry = QHBoxLayout()
        self.export_button = QPushButton(self.tr("Export offline bundle…"))
        self.export_button.setObjectName("exportBundle")
        self.export_button.setToolTip(self.tr(
            "No line? Write the unsent changes to an encrypted, signed file and carry it to a connected PC"
            " or to head office"))
        self.export_button.clicked.connect(self._export_bundle)
        self.import_button = QPushButton(self.tr("Import head office's reply…"))
        self.import_button.setObjectName("importBundle")
        self.import_button.setToolTip(self.tr(
            "Bring back the reply head office wrote for your bundle: answers, missing data, check"))
        self.import_button.clicked.connect(self._import_bundle)
        self.relay_button = QPushButton(self.tr("Hand on a bundle…"))
        self.relay_button.setObjectName("relayBundle")
        self.relay_button.setToolTip(self.tr(
            "Someone brought a bundle from a PC with no line: send it to head office over this PC's line and"
            " write the reply for them to carry back"))
        self.relay_button.clicked.connect(self._relay_bundle)
        self.bundle_label = QLabel()
        self.bundle_label.setWordWrap(True)
        carry.addWidget(self.export_button)
        carry.addWidget(self.import_button)
        carry.addWidget(self.relay_button)
        carry.addWidget(self.bundle_label, 1)
        layout.addLayout(carry)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.result_label)
        self.queue_label = QLabel()
        layout.addWidget(self.queue_label)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("syncTabs")
        self.table = self._table([
            self.tr("Started"), self.tr("Result"), self.tr("Sent"), self.tr("Received"), self.tr("Conflicts"),
            self.tr("Quarantined"), self.tr("Data (KB)"), self.tr("Problem"),
        ], stretch=7)
        self.tabs.addTab(self.table, self.tr("Recent syncs"))

        refused = QWidget()
        rl = QVBoxLayout(refused)
        rl.setContentsMargins(0, 6, 0, 0)
        self.refused_table = self._table(
            [self.tr("Time"), self.tr("Staff"), self.tr("Record"), self.tr("Change"), self.tr("Reason")], stretch=4
        )
        self.refused_table.setObjectName("refusedTable")
        self.refused_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        rl.addWidget(self.refused_table, 1)
        actions = QHBoxLayout()
        self.review_note = QLabel()
        self.review_note.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("Send again"))
        self.retry_button.setToolTip(self.tr("After correcting the record, send the refused change again"))
        self.discard_button = QPushButton(self.tr("Discard…"))
        self.discard_button.setToolTip(self.tr("Give up the change; the record returns to head office's version"))
        self.retry_button.clicked.connect(lambda: self._handle_refused("retry"))
        self.discard_button.clicked.connect(lambda: self._handle_refused("discard"))
        self.fix_button = QPushButton(self.tr("Fix…"))
        self.fix_button.setObjectName("refusedFix")
        self.fix_button.setToolTip(self.tr("Correct the refused values and send the change again"))
        self.fix_button.clicked.connect(self._fix_refused)
        actions.addWidget(self.review_note, 1)
        actions.addWidget(self.fix_button)
        actions.addWidget(self.retry_button)
        actions.addWidget(self.discard_button)
        rl.addLayout(actions)
        self.tabs.addTab(refused, self.tr("Refused by head office"))

        self.conflict_table = self._table([
            self.tr("Time"), self.tr("Record"), self.tr("Field"), self.tr("This branch"), self.tr("Head office"),
            self.tr("Note"),
        ], stretch=5)
        self.conflict_table.setObjectName("conflictTable")
        self.conflict_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.conflict_table.doubleClicked.connect(lambda _index: self._review_conflict())
        conflicts = QWidget()
        cl = QVBoxLayout(conflicts)
        cl.addWidget(self.conflict_table, 1)
        conflict_actions = QHBoxLayout()
        conflict_actions.addStretch(1)
        self.review_button = QPushButton(self.tr("Review…"))
        self.review_button.setObjectName("conflictReview")
        self.review_button.setToolTip(self.tr("Decide the chosen conflict: keep one side's value or type a merged one"))
        self.review_button.clicked.connect(self._review_conflict)
        conflict_actions.addWidget(self.review_button)
        cl.addLayout(conflict_actions)
        self.tabs.addTab(conflicts, self.tr("Conflicts to review"))
        self._conflict_ids: list[int] = []
        layout.addWidget(self.tabs, 1)
        self._refused_ids: list[str] = []

    def _table(self, headers: list[str], *, stretch: int) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setWordWrap(True)
        t.verticalHeader().setVisible(False)
        header = t.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return t

    # --- state ----------------------------------------------------------------------

    def _settings(self) -> SyncSettings:
        return SyncSettings.load(self.ctx.store.settings)

    def status_text(self, status: str) -> str:
        return {
            "synced": self.tr("Synced (confirmed by head office)"),
            "unconfirmed": self.tr("Not confirmed"),
            "failed": self.tr("Failed"),
            "cancelled": self.tr("Cancelled"),
            "running": self.tr("Running"),
            "interrupted": self.tr("Interrupted"),
        }.get(status, status)

    def activated(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-read the queue and recent runs (on the reader thread)."""
        s = self._settings()
        self.enrol_box.setVisible(not s.enrolled)
        self.sync_button.setEnabled(s.enrolled and not self.running)
        self.export_button.setEnabled(s.enrolled and not self.running)
        self.import_button.setEnabled(s.enrolled and not self.running)
        self.relay_button.setEnabled(s.enrolled and not self.running)
        if s.enrolled:
            self.device_label.setText(
                self.tr("Head office: %1 · Branch: %2 · Device: %3")
                .replace("%1", s.server_url).replace("%2", s.branch).replace("%3", str(s.device_id))
                + (self.tr(" · County device: reads every branch of county %1").replace("%1", s.county)
                   if s.county else "")
            )
        else:
            self.device_label.setText(self.tr("This PC is not enrolled with head office yet."))

        store, staff = self.ctx.store, self.ctx.staff

        def read(tc: TaskContext) -> tuple[SyncStatus, Any, Any]:
            review = SyncReview(tc.db, staff)
            return sync_status(store, tc.db, recent=20), review.quarantined(), review.conflicts()

        self.ctx.reader.submit(read, success=self._show_all, name="sync-state")

    def _show_all(self, result: tuple[SyncStatus, Any, Any]) -> None:
        state, refused, conflicts = result
        self._show_state(state)
        self._show_refused(refused)
        self._show_conflicts(conflicts)

    def _fill(self, table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for i, values in enumerate(rows):
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v)
                table.setItem(i, j, item)
        table.resizeRowsToContents()

    def _show_refused(self, refused: Any) -> None:
        allowed = not isinstance(refused, FieldError)
        items = refused if allowed else []
        self._refused_ids = [q.change.change_id for q in items]
        self._fill(self.refused_table, [
            [q.change.time, q.change.author, q.record, f"{q.change.op}：{q.change.summary}", q.reason] for q in items
        ])
        self.retry_button.setEnabled(bool(items))
        self.fix_button.setEnabled(bool(items))
        self.discard_button.setEnabled(bool(items))
        self.review_note.setText(
            self.tr("Correct the record in its workspace, then send the change again; or discard it.")
            if allowed else refused.message
        )
        self.tabs.setTabText(1, self.tr("Refused by head office (%1)").replace("%1", str(len(items))))

    def _show_conflicts(self, conflicts: Any) -> None:
        items = [] if isinstance(conflicts, FieldError) else conflicts
        self._conflict_ids = [c.id for c in items]
        self.review_button.setEnabled(bool(items))
        kept = {"push": self.tr("head office kept this branch's value"),
                "pull": self.tr("this PC took head office's value")}
        self._fill(self.conflict_table, [
            [c.time, c.record, c.field, c.mine, c.theirs, f"{kept.get(c.side, c.side)}。{c.note}"] for c in items
        ])
        self.tabs.setTabText(2, self.tr("Conflicts to review (%1)").replace("%1", str(len(items))))

    def _review_conflict(self) -> None:
        """Open the chosen conflict for a decision; the lists are read again after one."""
        from app.ui.conflict_review import ConflictReviewDialog

        row = self.conflict_table.currentRow()
        if not 0 <= row < len(self._conflict_ids):
            return
        dialog = ConflictReviewDialog(self.ctx, self._conflict_ids[row], self)
        dialog.resolved.connect(lambda _result: self.refresh())
        dialog.finished.connect(dialog.deleteLater)
        self.conflict_dialog = dialog  # tests and screenshots reach the open dialog here
        dialog.open()

    def _fix_refused(self) -> None:
        """Open the chosen refused change to correct its values; the lists are read again after a fix."""
        from app.ui.quarantine_fix import QuarantineFixDialog

        row = self.refused_table.currentRow()
        if not 0 <= row < len(self._refused_ids):
            self.review_note.setText(self.tr("Choose a refused change in the list first."))
            return
        dialog = QuarantineFixDialog(self.ctx, self._refused_ids[row], self)
        dialog.accepted.connect(self.refresh)
        dialog.finished.connect(dialog.deleteLater)
        self.fix_dialog = dialog  # tests and screenshots reach the open dialog here
        dialog.open()

    def _handle_refused(self, action: str) -> None:
        row = self.refused_table.currentRow()
        if not 0 <= row < len(self._refused_ids):
            self.review_note.setText(self.tr("Choose a refused change in the list first."))
            return
        change_id, staff = self._refused_ids[row], self.ctx.staff
        if action == "discard":
            answer = QMessageBox.question(
                self, self.tr("Discard the change"),
                self.tr("Give up this change? The record returns to head office's version at the next sync. "
                        "This is recorded in the audit trail."),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        def work(tc: TaskContext) -> Result:
            review = SyncReview(tc.db, staff)
            return review.retry(change_id) if action == "retry" else review.discard(change_id)

        self.ctx.writer.submit(work, success=self._on_handled, name=f"refused-{action}")

    def _on_handled(self, result: Result) -> None:
        if not result.ok:
            self.review_note.setText(result.message)
            return
        self.ctx.changes.publish(result.changes, self)
        self.refresh()

    def _show_state(self, state: SyncStatus) -> None:
        text = (
            self.tr("Unsent changes: %1 · Quarantined (refused by head office): %2 · Conflicts to review: %3")
            .replace("%1", f"{state.pending:,}").replace("%2", f"{state.quarantined:,}")
            .replace("%3", f"{state.open_conflicts:,}")
        )
        if state.rejected:
            text += self.tr(" · Records from head office set aside (invalid): %1").replace("%1", f"{state.rejected:,}")
        if state.upgrade_waiting:  # IT rolled out a newer version: it is installed by IT, never by the app itself
            text += "\n" + self.tr("Version %1 has been released by the bank's IT and is waiting to be installed"
                                    " (this PC runs %2).").replace("%1", state.release).replace("%2", state.running)
        self.queue_label.setText(text)
        rows = state.recent
        self._fill(self.table, [[
            (r["started_at"] or "")[:19].replace("T", " "),
            self.status_text(r["status"]),
            f"{r['pushed']:,}",
            f"{r['pulled']:,}",
            f"{r['conflicts']:,}",
            f"{r['quarantined']:,}",
            f"{(r['bytes_up'] + r['bytes_down']) / 1024:,.0f}",
            r["error"] or "",
        ] for r in rows])
        for i in range(len(rows)):
            for j in (2, 3, 4, 5, 6):
                self.table.item(i, j).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        last = next((r for r in rows if r["status"] != "running"), None)
        confirmed = next((r for r in rows if r["status"] == "synced"), None)
        if last is None:
            text = self.tr("Last sync: never")
        elif last["status"] == "synced":
            text = self.tr("Last sync: confirmed by head office at %1").replace("%1", (last["ended_at"] or "")[11:16])
        else:
            text = self.tr("Last sync: %1").replace("%1", self.status_text(last["status"]))
            if confirmed:
                when = (confirmed["ended_at"] or "")[:16].replace("T", " ")
                text += self.tr(" (last confirmed %1)").replace("%1", when)
        self.statusChanged.emit(text)

    # --- actions ------------------------------------------------------------------------

    def network_back(self) -> None:
        """The network came back: sync soon (the sync itself is the check against head office),
        whatever the backoff after the failures while it was away."""
        if self.auto and not self.running and self._settings().enrolled:
            self.schedule.failures = 0
            self.timer.start(2000)  # a moment for the line to settle (reconnections flap)

    def _check_waiting(self) -> None:
        if not self.ctx.unsaved.pending():
            self.wait_timer.stop()
            self.waiting = False
            self.sync_now()

    def sync_now(self) -> None:
        if self.running or not self._settings().enrolled:
            return
        unsaved = self.ctx.unsaved.pending()
        if unsaved:
            # a pull could change records under a form being edited: wait until it is saved or reverted
            self.timer.stop()
            self.waiting = True
            self.progress_label.setText(self.tr("Sync waits for unsaved edits to be saved or reverted: %1")
                                        .replace("%1", "、".join(unsaved)))
            self.wait_timer.start()
            return
        self.waiting = False
        self.wait_timer.stop()
        self.timer.stop()
        self.running = True
        self._set_busy(True)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress_label.setText(self.tr("Connecting to head office…"))
        self.result_label.clear()
        self._runner.start_sync.emit()

    def cancel(self) -> None:
        self._runner.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("Cancelling…"))

    def open_settings(self) -> QWidget:
        """Open the sync settings (window-modal, not blocking); returns the dialog."""
        from app.ui.sync_settings import SyncSettingsDialog

        dialog = SyncSettingsDialog(self.ctx.settings, self.ctx.store.data_dir, self)
        dialog.saved.connect(self._on_settings_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _on_settings_saved(self, s: SyncSettings) -> None:
        """The background interval follows the settings; a wait longer than the new interval is cut short
        (a backoff after failures is left to run)."""
        self.schedule.interval = s.interval_min * 60
        ms = int(self.schedule.interval * 1000)
        if self.timer.isActive() and self.schedule.failures == 0 and self.timer.remainingTime() > ms:
            self.timer.start(ms)
        self.refresh()

    @Slot(str, int, int, str)
    def _on_progress(self, phase: str, done: int, total: int, message: str) -> None:
        phases = {"push": self.tr("Sending changes"), "pull": self.tr("Receiving data"),
                  "verify": self.tr("Checking with head office")}
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self.progress_label.setText(f"{phases.get(phase, phase)} · {message}")

    @Slot(object)
    def _on_finished(self, report: Any) -> None:
        self.running = False
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if report.status == "synced" else 0)
        self.progress_label.clear()
        lines = [
            self.status_text(report.status)
            + " · "
            + self.tr("sent %1, received %2, conflicts %3, quarantined %4, %5 KB, %6 s")
            .replace("%1", f"{report.pushed:,}").replace("%2", f"{report.pulled:,}")
            .replace("%3", f"{report.conflicts:,}").replace("%4", f"{report.quarantined:,}")
            .replace("%5", f"{(report.bytes_up + report.bytes_down) / 1024:,.0f}")
            .replace("%6", f"{report.seconds:.1f}")
        ]
        lines += report.warnings
        if report.error:
            lines.append(report.error)
        self.result_label.setText("\n".join(lines))
        self.result_label.setStyleSheet("" if report.status == "synced" else ERROR_STYLE)
        if self.auto and report.status != "cancelled":
            self.timer.start(int(self.schedule.next_delay(report.status == "synced") * 1000))
        kinds = getattr(report, "kinds", set())
        self.ctx.changes.publish(
            Changes.of(*kinds, journal=bool(report.pushed), reference=bool(kinds & REFERENCE_KINDS)), self
        )
        self.refresh()

    # --- carried bundles -------------------------------------------------------------

    def _export_bundle(self) -> None:
        from datetime import datetime
        from pathlib import Path

        s = self._settings()
        name = f"{s.branch}-{s.device_id}-{datetime.now():%Y%m%d-%H%M}.bdbundle"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export offline bundle"), str(Path.home() / name),
                                              self.tr("Offline bundle (*.bdbundle)"))
        if path:
            self.carry_bundle("export", path)

    def _import_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import head office's reply"), "",
                                              self.tr("Offline bundle (*.bdbundle);;All files (*)"))
        if path:
            self.carry_bundle("import", path)

    def _relay_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Hand on a bundle"), "",
                                              self.tr("Offline bundle (*.bdbundle);;All files (*)"))
        if path:
            self.carry_bundle("relay", path)

    def carry_bundle(self, what: str, path: str) -> None:
        """Export to / import from ``path`` on the sync thread; the answer comes back in ``_on_bundle_done``."""
        if self.running:
            self.bundle_label.setText(self.tr("A sync is running; try again when it has finished."))
            return
        self.running = True
        self._set_busy(True)
        self.bundle_label.setStyleSheet("")
        self.bundle_label.setText({"export": self.tr("Writing the bundle…"), "import": self.tr("Importing the reply…"),
                                   "relay": self.tr("Sending the bundle to head office…")}[what])
        self._runner.start_bundle.emit(what, path)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.sync_button, self.export_button, self.import_button, self.relay_button):
            button.setEnabled(not busy and self._settings().enrolled)

    @Slot(str, object)
    def _on_bundle_done(self, what: str, report: Any) -> None:
        self.running = False
        self._set_busy(False)
        if isinstance(report, str):
            self.bundle_label.setStyleSheet(ERROR_STYLE)
            self.bundle_label.setText(report)
            return
        if what == "export":
            text = (self.tr("Bundle %1 written: %2 unsent changes, %3 KB. Carry it to a connected PC or to head"
                            " office, then import the reply here. The changes stay unsent until then.")
                    .replace("%1", str(report.number)).replace("%2", f"{report.changes:,}")
                    .replace("%3", f"{report.size / 1024:,.0f}"))
        elif what == "relay":
            text = (self.tr("Bundle %1 of branch %2, device %3 handed to head office (%4 changes). Reply written"
                            " to %5: carry it back to that PC and import it there.")
                    .replace("%1", str(report.number)).replace("%2", report.branch)
                    .replace("%3", str(report.device)).replace("%4", f"{report.changes:,}")
                    .replace("%5", report.reply))
        elif report.repeated:
            text = self.tr("This reply was imported before; nothing changed.")
        else:
            text = (self.status_text(report.status) + " · "
                    + self.tr("reply to bundle %1: confirmed %2, conflicts %3, quarantined %4, received %5")
                    .replace("%1", str(report.number)).replace("%2", f"{report.acked + report.duplicates:,}")
                    .replace("%3", f"{report.conflicts:,}").replace("%4", f"{report.quarantined:,}")
                    .replace("%5", f"{report.pulled:,}"))
            if report.warnings:
                text += "\n" + "\n".join(report.warnings)
            kinds = report.kinds
            self.ctx.changes.publish(
                Changes.of(*kinds, journal=True, reference=bool(kinds & REFERENCE_KINDS)), self)
        self.bundle_label.setStyleSheet("" if what != "import" or report.repeated or report.status == "synced"
                                        else ERROR_STYLE)
        self.bundle_label.setText(text)
        self.refresh()

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("CA certificate"), "", "PEM (*.pem *.crt *.cer)")
        if path:
            self.ca_edit.setText(path)

    def _enrol(self) -> None:
        server, code = self.server_edit.text().strip(), self.code_edit.text().strip()
        if not server.startswith(("http://", "https://")):
            self.enrol_error.setText(self.tr("Head-office address: enter an address starting with https://"))
            return
        if not code:
            self.enrol_error.setText(self.tr("One-time code: enter the code head office gave you"))
            return
        self.enrol_error.clear()
        self.enrol_button.setEnabled(False)
        self._runner.start_enrol.emit(server, code, self.proxy_edit.text().strip(), self.ca_edit.text().strip())

    @Slot(object, str)
    def _on_enrolled(self, settings: Any, error: str) -> None:
        self.enrol_button.setEnabled(True)
        if settings is None:
            self.enrol_error.setText(error)
            return
        self.code_edit.clear()
        self.refresh()
        if self.auto:
            self.timer.start(1000)

    def shutdown(self) -> None:
        self._runner.cancel()
        self.timer.stop()
        self.wait_timer.stop()
        self._thread.quit()
        self._thread.wait(30_000)
