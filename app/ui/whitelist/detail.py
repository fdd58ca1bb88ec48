"""One whitelist entry: head office's terms (read-only), the outcome history, and the
keyboard-first outcome form (status, date, amount when drawn, reason when refused or
unreachable, note; Enter or Ctrl+S saves; a note with words to use with care is saved only
once the warning is ticked as read), and "Log contact…" for the entry's client. UI thread;
reads and writes on the database threads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import validation as v
from app.core.compliance import Finding
from app.core.errors import FieldError
from app.core.money import format_wan
from app.core.result import Result
from app.core.whitelist import NEEDS_REASON, Status, product_label
from app.services.whitelist import EntryDetail, WhitelistService
from app.ui.appearance import emphasize
from app.ui.contact import WORDING, WordingWarning, note_findings, select_finding, wording_refused
from app.ui.labels import domain
from app.ui.tasks import DbThread, TaskContext
from app.ui.widgets import ERROR_STYLE, scrolled
from sync.protocol.kinds import CONTACT_CHANNELS


class EntryPanel(QWidget):
    """See the module docstring. ``saved(result)`` after a recorded outcome; ``openClient(id)``."""

    saved = Signal(object)
    openClient = Signal(int)
    contactRequested = Signal(int, str, str)  # client id, heading, whitelist uid: the contact form

    def __init__(self, reader: DbThread, writer: DbThread, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reader, self.writer, self.service = reader, writer, service
        self.uid: str | None = None
        self.detail: EntryDetail | None = None
        self.clusters: dict[str, str] = {}
        self.managers: dict[str, str] = {}
        outer = QVBoxLayout(self)  # the panel scrolls rather than squeeze its rows (small screens, large text)
        outer.setContentsMargins(0, 0, 0, 0)
        content = QWidget()
        outer.addWidget(scrolled(content))
        lay = QVBoxLayout(content)
        lay.setContentsMargins(6, 0, 0, 0)
        self.title = QLabel(self.tr("No entry selected"))
        self.title.setObjectName("entryTitle")
        emphasize(self.title, 1.3, bold=True)
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        self.flags = QLabel()
        self.flags.setObjectName("entryFlags")
        self.flags.setStyleSheet(ERROR_STYLE)
        self.flags.setWordWrap(True)
        lay.addWidget(self.flags)

        terms = QGroupBox(self.tr("Head office's terms (read-only)"))
        grid = QGridLayout(terms)
        self.fields: dict[str, QLabel] = {}
        rows = [
            ("client", self.tr("Client")), ("village", self.tr("Village")), ("mobile", self.tr("Mobile")),
            ("product", self.tr("Product")), ("limit", self.tr("Approved limit")), ("rate", self.tr("Rate")),
            ("valid", self.tr("Valid")), ("cluster", self.tr("Cluster")), ("score", self.tr("Score / band")),
            ("batch", self.tr("Batch")), ("manager", self.tr("Manager")), ("status", self.tr("Status")),
        ]
        for i, (key, label) in enumerate(rows):
            value = QLabel("—")
            value.setObjectName(f"entry_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            grid.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            grid.addWidget(value, i // 2, (i % 2) * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        lay.addWidget(terms)
        self.client_button = QPushButton(self.tr("Open client record"))
        self.client_button.setObjectName("openClient")
        self.client_button.clicked.connect(self._open_client)
        self.contact_button = QPushButton(self.tr("Log contact… (Ctrl+T)"))
        self.contact_button.setObjectName("logContactButton")
        self.contact_button.setToolTip(self.tr("Record a call, visit or other contact about this entry"))
        self.contact_button.clicked.connect(self.request_contact)
        row = QHBoxLayout()
        row.addWidget(self.client_button)
        row.addWidget(self.contact_button)
        row.addStretch(1)
        lay.addLayout(row)

        form_box = QGroupBox(self.tr("Record an outcome"))
        form = QFormLayout(form_box)
        self.status = QComboBox()
        self.status.setObjectName("outcomeStatus")
        self.date = QLineEdit()
        self.date.setObjectName("outcomeDate")
        self.date.setPlaceholderText(date.today().isoformat())
        self.amount = QLineEdit()
        self.amount.setObjectName("outcomeAmount")
        self.amount.setPlaceholderText(self.tr("e.g. 5万 or 50000"))
        self.channel = QComboBox()
        self.channel.setObjectName("outcomeChannel")
        self.channel.addItem(self.tr("— (not logged as a contact)"), None)
        for c in CONTACT_CHANNELS:
            self.channel.addItem(domain(c.label), c.value)
        self.reason = QLineEdit()
        self.reason.setObjectName("outcomeReason")
        self.note = QLineEdit()
        self.note.setObjectName("outcomeNote")
        form.addRow(self.tr("Status"), self.status)
        form.addRow(self.tr("Date"), self.date)
        form.addRow(self.tr("Contacted by"), self.channel)
        form.addRow(self.tr("Amount drawn"), self.amount)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Note"), self.note)
        self.wording = WordingWarning()
        self.wording.setObjectName("outcomeWording")
        form.addRow(self.wording)
        self.error = QLabel()
        self.error.setObjectName("outcomeError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form.addRow(self.error)
        self.save_button = QPushButton(self.tr("Save outcome (Ctrl+S)"))
        self.save_button.setObjectName("saveOutcome")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        lay.addWidget(form_box)

        self.history = QTableWidget(0, 5)
        self.history.setObjectName("outcomeHistory")
        self.history.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Status"), self.tr("Details"), self.tr("Staff"), self.tr("Sync")])
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setWordWrap(True)
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(QLabel(self.tr("Outcome history")))
        lay.addWidget(self.history, 1)

        self.status.currentIndexChanged.connect(self._on_status)
        self.save_button.clicked.connect(self.save)
        for edit in (self.date, self.amount, self.reason, self.note):
            edit.returnPressed.connect(self.save)
        self.wording.ack.toggled.connect(lambda on: on and self.note.setFocus())  # then Enter saves
        self.note.textEdited.connect(lambda _t: self.wording.clear())  # a new text: warn afresh
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.setEnabled(False)

    # --- showing ---------------------------------------------------------------------------

    def show_entry(self, uid: str | None) -> None:
        if uid != self.uid:
            self.wording.clear()
        self.uid = uid
        self.error.clear()
        if uid is None:
            self.detail = None
            self.title.setText(self.tr("No entry selected"))
            self.setEnabled(False)
            return
        service = self.service

        def load(tc: TaskContext) -> EntryDetail | FieldError:
            return service(tc.db).detail(uid)

        self.reader.submit(load, success=lambda d, u=uid: self._loaded(u, d), name="whitelist-detail")

    def _loaded(self, uid: str, d: Any) -> None:
        if uid != self.uid:
            return
        if isinstance(d, FieldError):
            self.detail = None
            self.title.setText(d.message)
            self.setEnabled(False)
            return
        self.detail = d
        e = d.entry
        self.setEnabled(True)
        self.title.setText(f"{e.name}  ·  {e.client_no or self.tr('prospect')}")
        flags = []
        if d.expired:
            flags.append(self.tr("Past its validity (to %1): it can no longer be applied for.").replace(
                "%1", e.valid_to or ""))
        if not e.consent:
            flags.append(self.tr("The client has not consented to marketing: left out of outreach lists."))
        self.flags.setText("\n".join(flags))
        rate = f"{e.rate_bp / 100:.2f}%" if e.rate_bp is not None else "—"
        values = {
            "client": e.client_no or "—", "village": f"{e.township} {e.village}", "mobile": e.mobile or "—",
            "product": product_label(e.product), "limit": format_wan(e.limit_fen), "rate": rate,
            "valid": f"{e.valid_from or '—'} ~ {e.valid_to or '—'}",
            "cluster": self.clusters.get(e.cluster or "", e.cluster or "—"),
            "score": f"{e.score if e.score is not None else '—'} / {e.band or '—'}", "batch": e.batch or "—",
            "manager": self.managers.get(e.manager or "", e.manager or self.tr("Unassigned")),
            "status": domain(Status(e.status).label)
            + (f"（{format_wan(e.drawn_fen)}）" if e.drawn_fen else ""),
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.client_button.setEnabled(e.client_id is not None)
        self.contact_button.setEnabled(e.client_id is not None and d.can_work)
        self.status.blockSignals(True)
        self.status.clear()
        for s in d.next_statuses:
            self.status.addItem(domain(s.label), s.value)
        self.status.blockSignals(False)
        can_record = d.can_work and bool(d.next_statuses)
        for w in (self.status, self.date, self.channel, self.amount, self.reason, self.note, self.save_button):
            w.setEnabled(can_record)
        if not d.next_statuses:
            self.error.setText(self.tr("Drawn is the final status: nothing more to record."))
        self._on_status()
        self.history.setRowCount(len(d.outcomes))
        for i, o in enumerate(reversed(d.outcomes)):
            details = "；".join(x for x in (
                domain(o.channel) if o.channel else "", format_wan(o.amount_fen) if o.amount_fen else "", o.reason,
                o.note) if x)
            cells = (o.date, domain(o.status), details, o.staff, self.tr("Synced") if o.synced else self.tr("Not yet"))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history.setItem(i, j, item)
        self.history.resizeRowsToContents()

    def _on_status(self) -> None:
        value = self.status.currentData()
        drawn = value == Status.DRAWN.value
        self.amount.setEnabled(drawn and self.save_button.isEnabled())
        if not drawn:
            self.amount.clear()
        needs = value in {s.value for s in NEEDS_REASON}
        self.reason.setPlaceholderText(self.tr("Required") if needs else self.tr("Optional"))

    def request_contact(self) -> None:
        """Ask for the contact form for this entry's client (the workspace opens it)."""
        d = self.detail
        if d is None or self.uid is None or d.entry.client_id is None or not self.contact_button.isEnabled():
            return
        heading = " · ".join(x for x in (d.entry.name, d.entry.village) if x)
        self.contactRequested.emit(d.entry.client_id, heading, self.uid)

    def _open_client(self) -> None:
        if self.detail is not None and self.detail.entry.client_id is not None:
            self.openClient.emit(self.detail.entry.client_id)

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        if self.detail is None or self.uid is None or not self.save_button.isEnabled():
            return
        status = self.status.currentData()
        if not status:
            return
        amount = v.money_fen(self.amount.text(), field="amount_fen", label="用信金额")
        if isinstance(amount, FieldError):
            self.error.setText(amount.message)
            return
        uid, on, reason, note, service = self.uid, self.date.text().strip(), self.reason.text(), self.note.text(), \
            self.service
        channel = self.channel.currentData()
        acknowledged = self.wording.acknowledged
        self.save_button.setEnabled(False)

        def work(tc: TaskContext) -> tuple[Result, list[Finding]]:
            svc: WhitelistService = service(tc.db)
            result = svc.record_outcome(uid, status, on=on or None, amount_fen=amount, reason=reason, note=note,
                                        channel=channel, acknowledged=acknowledged)
            return result, note_findings(tc.db, note.strip()) if wording_refused(result.errors) else []

        self.writer.submit(work, success=self._saved, failure=self._failed, name="whitelist-outcome")

    def _saved(self, answer: tuple[Result, list[Finding]]) -> None:
        self.save_button.setEnabled(True)
        result, found = answer
        if not result.ok:
            self.error.setText("\n".join(e.message for e in result.errors if e.code not in WORDING))
            if found:
                text = self.note.text().strip()
                self.wording.show_findings(text, found)
                (self.wording.ack if self.wording.ack.isVisibleTo(self) else self.note).setFocus()
                select_finding(self.note, text, found)
            return
        self.error.clear()
        self.wording.clear()
        for edit in (self.amount, self.reason, self.note, self.date):
            edit.clear()
        self.channel.setCurrentIndex(0)
        self.saved.emit(result)
        self.show_entry(self.uid)

    def _failed(self, exc: BaseException, _tb: str) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(self.tr("Could not save: %1").replace("%1", type(exc).__name__))
