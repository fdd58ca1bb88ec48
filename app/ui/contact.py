"""Logging a contact (记录触达): one keyboard-first form, opened from the client book, a
campaign's target list, a whitelist entry and the follow-ups queue.

Channel, outcome, note and the next follow-up date; Enter moves to the next field and saves
from the last one (Ctrl+Enter saves from anywhere), Esc cancels. The save runs
``FollowupService.contact`` on the writer thread and the field errors come back beside their
fields, in Chinese. The note is held to the marketing word list by the service: a blocked
word is shown in place and nothing is saved; a warned word is shown in place with a
checkbox, and only a ticked box saves it (``acknowledged=True``, audited by the service).
``WordingWarning`` is that part alone, for the other forms that save a note. UI thread.
"""

from __future__ import annotations

import sqlite_utils
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.compliance import Finding, highlight
from app.core.errors import FieldError
from app.core.result import Result
from app.services import compliance
from app.services.followups import FollowupService
from app.store.reference import ReferenceData
from app.ui.appearance import themed
from app.ui.context import AppContext
from app.ui.labels import domain
from app.ui.tasks import TaskContext
from app.ui.widgets import ERROR_STYLE
from sync.protocol.kinds import CONTACT_CHANNELS

WARN_STYLE = "color: {warn};"  # for ``appearance.themed``: the amber of the colour scheme in force
WORDING = ("blocked", "warning")  # the codes of a note refused for its wording
SHORTCUT = "Ctrl+T"  # "Log contact…" (触达) wherever it is offered; Ctrl+K is the search across everything


def wording_refused(errors: tuple[FieldError, ...] | list[FieldError]) -> bool:
    return any(e.code in WORDING for e in errors)


def note_findings(db: sqlite_utils.Database, text: str) -> list[Finding]:
    """The blocked and warned words of a note, by the list in force on this PC. Database thread."""
    return compliance.check(text, db)[0]


class WordingWarning(QWidget):
    """The words a save was refused for, each marked 【thus】 in its context with the rule,
    and, when they are only warnings, the box a person ticks to save anyway."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.findings = QLabel()
        self.findings.setObjectName("wordingFindings")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.PlainText)
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ack = QCheckBox(self.tr("I have read the warning — save anyway"))
        self.ack.setObjectName("ackWarnings")
        self.ack.setToolTip(self.tr("The confirmation is recorded in the audit trail (the words, not the note)."))
        lay.addWidget(self.findings)
        lay.addWidget(self.ack)
        self._warned = False
        self.setVisible(False)

    @property
    def acknowledged(self) -> bool:
        """True when warnings were shown and the box is ticked."""
        return self._warned and self.ack.isChecked()

    def show_findings(self, text: str, findings: list[Finding]) -> None:
        """Show why ``text`` was refused; the box only when no word is blocked."""
        words = [f for f in findings if f.level in ("block", "warn")]
        has_block = any(f.level == "block" for f in words)
        lines = []
        for f in words:
            kind = self.tr("Blocked") if f.level == "block" else self.tr("Use with care")
            lines.append(f"{kind}：{highlight(text, f)}\n{f.message}")
        if has_block:
            lines.append(self.tr("Reword it: words that are blocked cannot be saved."))
        self.findings.setText("\n".join(lines))
        themed(self.findings, ERROR_STYLE if has_block else WARN_STYLE)
        self._warned = bool(words) and not has_block
        self.ack.setChecked(False)
        self.ack.setVisible(self._warned)
        self.setVisible(bool(words))

    def clear(self) -> None:
        self._warned = False
        self.ack.setChecked(False)
        self.findings.clear()
        self.setVisible(False)


def select_finding(edit: QLineEdit, text: str, findings: list[Finding]) -> None:
    """Select the first blocked (else warned) word in ``edit``, whose text ``text`` was stripped from."""
    words = [f for f in findings if f.level in ("block", "warn")]
    if not words:
        return
    first = next((f for f in words if f.level == "block"), words[0])
    lead = len(edit.text()) - len(edit.text().lstrip())
    if edit.text().strip() == text:
        edit.setSelection(lead + first.start, len(first.word))


class ContactDialog(QDialog):
    """See the module docstring. ``saved(result)`` after a contact was logged (its changes
    already published on the change signal, with this dialog as the source)."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, client_id: int, *, heading: str = "", campaign: str | None = None,
                 whitelist: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.client_id = client_id
        self.campaign = campaign
        self.whitelist = whitelist
        self.setObjectName("contactDialog")
        self.setWindowTitle(self.tr("Log contact"))
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setObjectName("contactHeading")
        self.heading.setWordWrap(True)
        f = self.heading.font()
        f.setBold(True)
        self.heading.setFont(f)
        lay.addWidget(self.heading)
        if campaign:
            lay.addWidget(QLabel(self.tr("Campaign: %1").replace("%1", campaign)))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, QLabel] = {}
        self.channel = QComboBox()
        self.channel.setObjectName("contactChannel")
        for c in CONTACT_CHANNELS:
            self.channel.addItem(domain(c.label), c.value)
        self.outcome = QLineEdit()
        self.outcome.setObjectName("contactOutcome")
        self.outcome.setMaxLength(40)
        self.outcome.setPlaceholderText(self.tr("e.g. 有意向, 已办理"))
        self.note = QLineEdit()
        self.note.setObjectName("contactNote")
        self.note.setMaxLength(500)
        self.note.setPlaceholderText(self.tr("What was said (checked for marketing wording)"))
        self.next = QLineEdit()
        self.next.setObjectName("contactNext")
        self.next.setPlaceholderText(self.tr("next follow-up, e.g. 2026-12-09 (optional)"))
        self.warning = WordingWarning()
        self.warning.setObjectName("contactWording")
        for key, label, widget in (("channel", self.tr("Channel"), self.channel),
                                   ("outcome", self.tr("Outcome"), self.outcome),
                                   ("note", self.tr("Note"), self.note),
                                   ("next_date", self.tr("Next follow-up"), self.next)):
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(1)
            v.addWidget(widget)
            if key == "note":
                v.addWidget(self.warning)
            err = QLabel()
            err.setObjectName(f"contactError_{key}")
            err.setStyleSheet(ERROR_STYLE)
            err.setWordWrap(True)
            err.setVisible(False)
            v.addWidget(err)
            self.errors[key] = err
            form.addRow(label, box)
        lay.addLayout(form)
        self.general = QLabel()
        self.general.setObjectName("contactError")
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        lay.addWidget(self.general)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel (Esc)"))
        self.cancel_button.setObjectName("contactCancel")
        self.save_button = QPushButton(self.tr("Save (Enter)"))
        self.save_button.setObjectName("contactSave")
        for b in (self.cancel_button, self.save_button):
            b.setAutoDefault(False)  # Enter is ours: it moves on, and saves from the last field
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.setTabOrder(self.channel, self.outcome)
        self.setTabOrder(self.outcome, self.note)
        self.setTabOrder(self.note, self.next)
        self.setTabOrder(self.next, self.warning.ack)
        self.setTabOrder(self.warning.ack, self.save_button)
        self.setTabOrder(self.save_button, self.cancel_button)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        # a changed note is a new text: the warning (and its confirmation) no longer applies
        self.note.textEdited.connect(lambda _t: (self.warning.clear(), self._clear_error("note")))
        self._busy = False
        self.channel.setFocus()

    # --- keyboard ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = self.focusWidget()
            if focus is self.cancel_button:
                self.reject()
            elif (event.modifiers() & Qt.KeyboardModifier.ControlModifier
                  or focus in (self.next, self.warning.ack, self.save_button)):
                self.save()
            else:
                self.focusNextChild()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- saving --------------------------------------------------------------------------------

    def _clear_error(self, key: str) -> None:
        self.errors[key].clear()
        self.errors[key].setVisible(False)

    def save(self) -> None:
        """Log the contact on the writer thread; the answer comes back to ``_done``."""
        if self._busy:
            return
        staff, cid, campaign, whitelist = self.ctx.staff, self.client_id, self.campaign, self.whitelist
        channel, outcome, nxt = self.channel.currentData(), self.outcome.text(), self.next.text().strip()
        note = self.note.text()
        acknowledged = self.warning.acknowledged

        def work(tc: TaskContext) -> tuple[Result, list[Finding]]:
            svc = FollowupService(tc.db, staff, ReferenceData(tc.db))
            result = svc.contact(cid, channel=channel, outcome=outcome, note=note, next_date=nxt or None,
                                 campaign=campaign, whitelist=whitelist, acknowledged=acknowledged)
            found = note_findings(tc.db, note.strip()) if wording_refused(result.errors) else []
            return result, found

        self._busy = True
        self.save_button.setEnabled(False)
        self.ctx.writer.submit(work, success=self._done, failure=self._failed, name="contact-save")

    def _done(self, answer: tuple[Result, list[Finding]]) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        result, found = answer
        if result.ok:
            self.ctx.changes.publish(result.changes, self)
            self.saved.emit(result)
            self.accept()
            return
        for key in self.errors:
            self._clear_error(key)
        rest = []
        for e in result.errors:
            if e.code in WORDING:
                continue  # shown in place, below the note
            key = "next_date" if e.field == "next_date" else e.field
            lab = self.errors.get(key)
            if lab is None:
                rest.append(e.message)
                continue
            lab.setText((lab.text() + "\n" if lab.text() else "") + e.message)
            lab.setVisible(True)
        self.general.setText("\n".join(rest))
        if found:
            text = self.note.text().strip()
            self.warning.show_findings(text, found)
            if self.warning.ack.isVisibleTo(self):
                self.warning.ack.setFocus()
            else:
                self.note.setFocus()
            select_finding(self.note, text, found)
        else:  # refused for another field: a confirmation already given still holds for this note
            first = next((k for k in ("channel", "outcome", "note", "next_date") if self.errors[k].text()), None)
            if first is not None:
                {"channel": self.channel, "outcome": self.outcome, "note": self.note,
                 "next_date": self.next}[first].setFocus()

    def _failed(self, exc: BaseException, _tb: str) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.general.setText(self.tr("Could not save: %1").replace("%1", type(exc).__name__))
