"""The follow-ups workspace (跟进): a manager's queue (overdue first, then today, then the
week), done with a result, put off with a reason, and a contact logged from the same form
(which may set the next follow-up; its note is held to the marketing word list, a warning
saved only once ticked as read) or from the contact form (Ctrl+T). The branch head sees every
manager's queue and the overdue counts. UI thread; reads and writes on the database threads.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.compliance import Finding
from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Role, can
from app.services.followups import FollowupService, QueueRow
from app.store.reference import ReferenceData
from app.ui.appearance import bad, emphasize
from app.ui.contact import SHORTCUT as CONTACT_SHORTCUT
from app.ui.contact import WORDING, ContactDialog, WordingWarning, note_findings, select_finding, wording_refused
from app.ui.context import AppContext
from app.ui.labels import domain
from app.ui.tasks import PerConnection, TaskContext
from app.ui.widgets import ERROR_STYLE, EmptyHint
from app.ui.workspace import Workspace
from sync.protocol.kinds import CONTACT_CHANNELS

Index = QModelIndex | QPersistentModelIndex


class QueueModel(QAbstractTableModel):
    """The queue as read (a manager's is short; the branch head's a few thousand rows at most)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[QueueRow] = []
        self.names: dict[str, str] = {}
        self._when = {"overdue": self.tr("Overdue"), "today": self.tr("Today"), "week": self.tr("This week"),
                      "later": self.tr("Later")}
        self._cols = [self.tr("When"), self.tr("Date"), self.tr("Client"), self.tr("Village"), self.tr("Mobile"),
                      self.tr("Manager"), self.tr("Campaign"), self.tr("Note")]

    def set_rows(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cols)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._cols[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and r.when == "overdue" and index.column() in (0, 1):
            return QBrush(bad())  # overdue, in the red of the colour scheme in force
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        when = self._when[r.when]
        if r.days_late:
            when += self.tr(" (%1 days)").replace("%1", str(r.days_late))
        return (when, r.due, r.client_name, r.village, r.mobile, self.names.get(r.staff, r.staff),
                r.campaign or "", r.note or r.snooze_reason)[index.column()]


class FollowupsWorkspace(Workspace):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: FollowupService(db, staff, ReferenceData(db)))
        head = can(ctx.staff, Action.ASSIGN_WHITELIST)
        self.model = QueueModel(self)
        self._open_uid: str | None = None  # a follow-up to show once the queue is read (the front page)
        self._shown = False  # the page has been opened: its queue may be read
        self._reads = 0  # queue reads asked for; only the newest one's answer is shown
        self.due = QComboBox()
        self.due.setObjectName("followupDue")
        for label, data in ((self.tr("Everything open"), None), (self.tr("Overdue"), "overdue"),
                            (self.tr("Today"), "today"), (self.tr("This week"), "week")):
            self.due.addItem(label, data)
        self.manager = QComboBox()
        self.manager.setObjectName("followupManager")
        self.manager.setVisible(head)
        for combo in (self.due, self.manager):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.overdue = QLabel()
        self.overdue.setObjectName("overdueCounts")
        self.overdue.setStyleSheet(ERROR_STYLE)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Show")))
        bar.addWidget(self.due)
        if head:
            bar.addWidget(QLabel(self.tr("Manager")))
            bar.addWidget(self.manager)
        bar.addWidget(self.overdue, 1)
        self.print_button = QPushButton(self.tr("Print follow-up sheet…"))
        self.print_button.setObjectName("printFollowups")
        self.print_button.setToolTip(self.tr("Overdue and this week's follow-ups on paper, with a QR code per row"
                                             " for keying back"))
        self.print_button.clicked.connect(self.print_sheet)
        bar.addWidget(self.print_button)

        self.table = QTableView()
        self.table.setObjectName("followupTable")
        self.table.setModel(self.model)
        self.empty = EmptyHint(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        side = QWidget()
        sl = QVBoxLayout(side)
        self.heading = QLabel(self.tr("No follow-up selected"))
        self.heading.setObjectName("followupTitle")
        emphasize(self.heading, 1.2, bold=True)
        sl.addWidget(self.heading)
        contact = QGroupBox(self.tr("Log the contact"))
        cf = QFormLayout(contact)
        self.channel = QComboBox()
        self.channel.setObjectName("contactChannel")
        for c in CONTACT_CHANNELS:
            self.channel.addItem(domain(c.label), c.value)
        self.outcome = QLineEdit()
        self.outcome.setObjectName("contactOutcome")
        self.outcome.setPlaceholderText(self.tr("e.g. 有意向, 已办理"))
        self.note = QLineEdit()
        self.note.setObjectName("contactNote")
        self.note.setMaxLength(500)
        self.note.setPlaceholderText(self.tr("What was said (checked for marketing wording)"))
        self.wording = WordingWarning()
        self.wording.setObjectName("contactWording")
        self.next = QLineEdit()
        self.next.setObjectName("contactNext")
        self.next.setPlaceholderText(self.tr("next follow-up, e.g. 2026-12-09"))
        cf.addRow(self.tr("Channel"), self.channel)
        cf.addRow(self.tr("Outcome"), self.outcome)
        cf.addRow(self.tr("Note"), self.note)
        cf.addRow(self.wording)
        cf.addRow(self.tr("Next"), self.next)
        self.result = QLineEdit()
        self.result.setObjectName("followupResult")
        cf.addRow(self.tr("Result (to close)"), self.result)
        self.done_button = QPushButton(self.tr("Done (Ctrl+Enter)"))
        self.done_button.setObjectName("doneButton")
        cf.addRow(self.done_button)
        self.contact_button = QPushButton(self.tr("Log contact… (Ctrl+T)"))
        self.contact_button.setObjectName("logContactButton")
        self.contact_button.setToolTip(self.tr("Record a contact without closing the follow-up"))
        cf.addRow(self.contact_button)
        sl.addWidget(contact)
        snooze = QGroupBox(self.tr("Put off"))
        sf = QFormLayout(snooze)
        self.until = QLineEdit()
        self.until.setObjectName("snoozeUntil")
        self.until.setPlaceholderText("2026-12-10")
        self.reason = QLineEdit()
        self.reason.setObjectName("snoozeReason")
        sf.addRow(self.tr("Until"), self.until)
        sf.addRow(self.tr("Reason"), self.reason)
        self.snooze_button = QPushButton(self.tr("Put off"))
        self.snooze_button.setObjectName("snoozeButton")
        sf.addRow(self.snooze_button)
        sl.addWidget(snooze)
        self.error = QLabel()
        self.error.setObjectName("followupError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        sl.addWidget(self.error)
        sl.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 380])
        self.status = QLabel()
        self.status.setObjectName("followupStatus")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addWidget(self.status)

        self.due.currentIndexChanged.connect(lambda _i: self.reload())
        self.manager.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._show(cur.row()))
        self.done_button.clicked.connect(self.done)
        self.snooze_button.clicked.connect(self.snooze)
        self.contact_button.clicked.connect(self.log_contact)
        for edit in (self.outcome, self.note, self.next, self.result):
            edit.returnPressed.connect(self.done)
        self.wording.ack.toggled.connect(lambda on: on and self.note.setFocus())  # then Enter closes it
        self.note.textEdited.connect(lambda _t: self.wording.clear())  # a new text: warn afresh
        QShortcut(QKeySequence(CONTACT_SHORTCUT), self, activated=self.log_contact,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reason.returnPressed.connect(self.snooze)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.done,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ctx.changes.changed.connect(self._on_changes)
        self._ready = False
        self._load_managers()

    icon_name = "followups"
    help_page = "followups.html"

    def title(self) -> str:
        return self.tr("Follow-ups")

    def open_item(self, kind: str, key: str) -> None:
        """A follow-up by uid (shown whatever its due date), a manager's overdue ones, or the list."""
        for combo in (self.due, self.manager):  # both filters set first, then one read
            combo.blockSignals(True)
        if kind == "followup":
            self._open_uid = key
            self.due.setCurrentIndex(0)  # everything open: the item is in it
        elif kind == "manager":
            found = self.manager.findData(key)
            if found >= 0:
                self.manager.setCurrentIndex(found)
            self.due.setCurrentIndex(self.due.findData("overdue"))
        for combo in (self.due, self.manager):
            combo.blockSignals(False)
        self.reload()

    def activated(self) -> None:
        self._shown = True
        if self._ready:  # before the roster is in, its arrival reads the queue anyway
            self.reload()

    def _load_managers(self) -> None:
        def load(tc: TaskContext) -> list[tuple[str, str]]:
            ref = ReferenceData(tc.db)
            return sorted((s.code, s.name) for s in ref.staff.values() if s.active and s.role == Role.MANAGER)

        def show(managers: list[tuple[str, str]]) -> None:
            self.manager.blockSignals(True)
            self.manager.clear()
            self.manager.addItem(self.tr("All managers"), None)
            for code, name in managers:
                self.manager.addItem(f"{name}（{code}）", code)
            self.manager.blockSignals(False)
            self.model.names = dict(managers)
            self._ready = True
            if self._shown:  # (a page not yet opened reads no queue: 2.5 s for a branch's 60,000 follow-ups)
                self.reload()

        self.ctx.reader.submit(load, success=show, name="followup-managers")

    def reload(self) -> None:
        services, due = self.services, self.due.currentData()
        manager = self.manager.currentData() if self.manager.isVisibleTo(self) else None
        head = can(self.ctx.staff, Action.ASSIGN_WHITELIST)

        def load(tc: TaskContext) -> Any:
            svc = services(tc.db)
            rows = svc.queue(manager=manager, due=due)
            return rows, (svc.overdue_counts() if head else None)

        self._reads += 1
        asked = self._reads
        self.ctx.reader.submit(load, success=lambda result: self._loaded(result) if asked == self._reads else None,
                               name="followup-queue")

    def _loaded(self, result: Any) -> None:
        """The newest read's queue (an older read's answer is dropped: its filter is no longer shown)."""
        rows, overdue = result
        if isinstance(rows, FieldError):
            self.status.setText(rows.message)
            return
        self.model.set_rows(rows)
        self.empty.show_for(len(rows), self.tr(
            "No open follow-ups here. Plan one when you log a contact with a client (Ctrl+T), or choose"
            " another manager or period above."))
        late = sum(1 for r in rows if r.when == "overdue")
        self.status.setText(self.tr("%1 open follow-ups, %2 overdue (clients who consented to marketing only)")
                            .replace("%1", str(len(rows))).replace("%2", str(late)))
        if isinstance(overdue, dict):
            parts = [f"{self.model.names.get(m, m)} {n}" for m, n in sorted(overdue.items()) if n]
            self.overdue.setText(self.tr("Overdue by manager: %1").replace("%1", "，".join(parts)) if parts else "")
        wanted, self._open_uid = self._open_uid, None
        at = next((i for i, r in enumerate(rows) if r.uid == wanted), 0) if wanted else 0
        if rows:
            self.table.selectRow(at)
            self.table.scrollTo(self.model.index(at, 0))
        else:
            self._show(-1)

    def _current(self) -> QueueRow | None:
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def _show(self, row: int) -> None:
        r = self.model.rows[row] if 0 <= row < len(self.model.rows) else None
        self.error.clear()
        self.heading.setText(f"{r.client_name} · {r.village}" if r else self.tr("No follow-up selected"))
        self.wording.clear()
        for w in (self.done_button, self.snooze_button, self.contact_button):
            w.setEnabled(r is not None)

    def _publish(self, result: Result) -> None:
        if not result.ok:
            self.error.setText(result.message)
            return
        self.error.clear()
        self.wording.clear()
        for edit in (self.outcome, self.note, self.next, self.result, self.until, self.reason):
            edit.clear()
        self.ctx.changes.publish(result.changes, self)
        self.reload()

    def done(self) -> None:
        """Close the selected follow-up with its result; with a channel and outcome the contact
        is logged too (and a next date puts a new follow-up in the queue)."""
        r = self._current()
        if r is None:
            return
        services = self.services
        channel, outcome, nxt, result = (self.channel.currentData(), self.outcome.text(), self.next.text().strip(),
                                         self.result.text() or self.outcome.text())
        note, acknowledged = self.note.text(), self.wording.acknowledged

        def work(tc: TaskContext) -> tuple[Result, list[Finding]]:
            svc = services(tc.db)
            if not result.strip():
                return Result.failed(FieldError("result", "跟进结果", "required", "完成跟进须填写结果。")), []
            if outcome.strip() or nxt or note.strip():
                # the same path as the contact form: the note is held to the word list there
                logged = svc.contact(r.client_id, channel=channel, outcome=outcome, note=note, next_date=nxt or None,
                                     campaign=r.campaign, acknowledged=acknowledged)
                if not logged.ok:
                    return logged, note_findings(tc.db, note.strip()) if wording_refused(logged.errors) else []
                closed = svc.done(r.uid, result)
                return Result(closed.value, closed.errors, logged.changes | closed.changes), []
            return svc.done(r.uid, result), []

        self.ctx.writer.submit(work, success=self._done, name="followup-done")

    def _done(self, answer: tuple[Result, list[Finding]]) -> None:
        result, found = answer
        if found:
            text = self.note.text().strip()
            self.wording.show_findings(text, found)
            self.error.setText("\n".join(e.message for e in result.errors if e.code not in WORDING))
            (self.wording.ack if self.wording.ack.isVisibleTo(self) else self.note).setFocus()
            select_finding(self.note, text, found)
            return
        self._publish(result)

    def log_contact(self) -> ContactDialog | None:
        """The contact form for the selected follow-up's client (and its campaign); the
        follow-up stays open."""
        r = self._current()
        if r is None:
            return None
        dlg = ContactDialog(self.ctx, r.client_id, heading=f"{r.client_name} · {r.village}", campaign=r.campaign,
                            parent=self)
        self.contact_dialog = dlg
        dlg.open()
        return dlg

    def print_sheet(self) -> None:
        """The follow-up sheet of the manager shown (the branch head picks one if all are shown)."""
        from app.ui.printing import open_sheet, sheet_manager

        current = self.manager.currentData() if self.manager.isVisibleTo(self) else None
        manager = sheet_manager(self.ctx, self, dict(self.model.names), current)
        if manager is not None:
            open_sheet(self.ctx, self, self.tr("Follow-up sheet"), lambda svc: svc.plan_followups(manager=manager))

    def snooze(self) -> None:
        r = self._current()
        if r is None:
            return
        services, until, reason = self.services, self.until.text(), self.reason.text()
        self.ctx.writer.submit(lambda tc: services(tc.db).snooze(r.uid, until, reason), success=self._publish,
                               name="followup-snooze")

    def _on_changes(self, changes: Changes, source: object) -> None:
        if source is not self and changes.touches("followup", "contact", "client") and self._shown:
            self.reload()
