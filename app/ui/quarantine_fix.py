"""Fixing a change head office refused: its reason, the refused values, the corrected ones, sent again.

Opened from the Sync workspace's list of refused changes ("Fix…"). What may be
corrected comes from ``SyncReview.fixable`` on the reader thread: one line per
field, with its label, the refused value and how to type a value. ID and phone
numbers are shown masked, as everywhere else, so their line starts empty: the
corrected number is typed whole, or the line left empty to send it as it was.
"Fix and send again" runs ``SyncReview.fix`` on the writer thread with the
lines that were changed (the corrected change journaled again, the record
corrected, the refused change closed and the fix audited, in one transaction);
its changes are published and the dialog closes. A value the field's rules
refuse is shown in red naming the field, nothing was written, and the dialog
stays open. UI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.result import Result
from app.services.sync_review import FixField, QuarantineFix, SyncReview
from app.store.errors import StoreError
from app.ui.appearance import emphasize, themed
from app.ui.context import AppContext
from app.ui.tasks import TaskContext
from app.ui.widgets import ERROR_STYLE

_NOTE_STYLE = "color: palette(mid);"
_REASON_STYLE = "font-weight: 600; padding: 4px 0;"
_BAD_EDIT_STYLE = "QLineEdit { border: 1px solid {bad}; }"  # (``appearance.themed``)


def load_fix(db: Any, staff: Any, change_id: str) -> QuarantineFix | FieldError:
    """On a database thread: the refused change as the dialog shows it."""
    return SyncReview(db, staff).fixable(change_id)


def send_fix(db: Any, staff: Any, change_id: str, values: dict[str, str]) -> Result:
    """On the writer thread: the fix (see ``SyncReview.fix``)."""
    return SyncReview(db, staff).fix(change_id, values)


class QuarantineFixDialog(QDialog):
    """See the module docstring. ``fixed(result)`` after a fix was written (its changes already
    published, with this dialog as the source), just before the dialog is accepted."""

    fixed = Signal(object)

    def __init__(self, ctx: AppContext, change_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.change_id = change_id
        self.detail: QuarantineFix | None = None
        self.edits: dict[str, QLineEdit] = {}
        self._initial: dict[str, str] = {}
        self._fields: dict[str, FixField] = {}
        self._busy = False
        self.setObjectName("quarantineFixDialog")
        self.setWindowTitle(self.tr("Fix a change head office refused"))
        self.setMinimumWidth(640)
        lay = QVBoxLayout(self)

        self.heading = QLabel(self.tr("Loading…"))
        self.heading.setObjectName("quarantineFixRecord")
        self.heading.setWordWrap(True)
        emphasize(self.heading, 1.25, bold=True)
        lay.addWidget(self.heading)
        self.change_label = QLabel()
        self.change_label.setObjectName("quarantineFixChange")
        self.change_label.setWordWrap(True)
        self.change_label.setStyleSheet(_NOTE_STYLE)
        lay.addWidget(self.change_label)

        reason_box = QGroupBox(self.tr("Head office's reason"))
        rl = QVBoxLayout(reason_box)
        self.reason = QLabel()
        self.reason.setObjectName("quarantineFixReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(_REASON_STYLE)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rl.addWidget(self.reason)
        lay.addWidget(reason_box)

        self.form_box = QGroupBox(self.tr("Corrected values"))
        self.form = QGridLayout(self.form_box)
        self.form.setColumnStretch(1, 1)
        lay.addWidget(self.form_box)

        self.error = QLabel()
        self.error.setObjectName("quarantineFixError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        about = QLabel(self.tr("The corrected change is sent to head office at the next sync; the values you do not"
                               " change are sent as they were. The audit trail records which fields were corrected,"
                               " not the values."))
        about.setWordWrap(True)
        about.setStyleSheet(_NOTE_STYLE)
        lay.addWidget(about)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.send_button = QPushButton(self.tr("Fix and send again"))
        self.send_button.setObjectName("quarantineFixSend")
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("quarantineFixCancel")
        self.cancel_button.setAutoDefault(False)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_button)
        lay.addLayout(buttons)

        self.send_button.clicked.connect(self._send)
        self.cancel_button.clicked.connect(self.reject)
        self._set_enabled(False)
        self._load()

    # --- loading --------------------------------------------------------------------------

    def _load(self) -> None:
        staff, cid = self.ctx.staff, self.change_id
        self.ctx.reader.submit(lambda tc: load_fix(tc.db, staff, cid), success=self._show,
                               failure=self._failed, name="quarantine-fix-load")

    def _show(self, detail: QuarantineFix | FieldError) -> None:
        if isinstance(detail, FieldError):
            self.heading.setText(self.tr("This change cannot be fixed here"))
            self.form_box.setVisible(False)
            self._show_error(detail.message)
            return
        self.detail = detail
        c = detail.change
        self.heading.setText(detail.record)
        self.change_label.setText(
            self.tr("%1 by %2 at %3: %4").replace("%1", c.op).replace("%2", c.author).replace("%3", c.time)
            .replace("%4", c.summary)
        )
        self.reason.setText(detail.reason)
        for row, field in enumerate(detail.fields):
            self._add_row(row, field)
        self._set_enabled(True)
        first = next(iter(self.edits.values()), None)
        if first is not None:
            first.setFocus()
        self.adjustSize()  # the fields arrived after the first layout

    def _add_row(self, row: int, field: FixField) -> None:
        label = QLabel(field.label)
        if field.named:  # the field head office's reason names
            f = label.font()
            f.setBold(True)
            label.setFont(f)
        edit = QLineEdit()
        edit.setObjectName(f"quarantineFix_{field.field}")
        edit.setText(field.text)
        if field.hint:
            edit.setPlaceholderText(field.hint)
            edit.setToolTip(field.hint)
        label.setBuddy(edit)
        refused = QLabel(self.tr("Refused: %1").replace("%1", field.refused))
        refused.setObjectName(f"quarantineFixRefused_{field.field}")
        refused.setStyleSheet(_NOTE_STYLE)
        refused.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addWidget(label, row, 0)
        self.form.addWidget(edit, row, 1)
        self.form.addWidget(refused, row, 2)
        edit.textEdited.connect(lambda _t, e=edit: self._edited(e))
        edit.returnPressed.connect(self._send)
        self.edits[field.field] = edit
        self._initial[field.field] = edit.text()  # as the line holds it (one line of a multi-line text)
        self._fields[field.field] = field

    def _set_enabled(self, on: bool) -> None:
        ready = on and self.detail is not None
        self.send_button.setEnabled(ready)
        for edit in self.edits.values():
            edit.setEnabled(ready)

    # --- sending --------------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _edited(self, edit: QLineEdit) -> None:
        edit.setStyleSheet("")
        self._show_error("")

    def values(self) -> dict[str, str]:
        """The lines a person changed: field (wire name) -> text as typed."""
        return {name: e.text() for name, e in self.edits.items() if e.text() != self._initial[name]}

    def _send(self) -> None:
        """Run the fix on the writer thread; the answer comes back to ``_done``."""
        if self._busy or self.detail is None:
            return
        values = self.values()
        if not values:
            self._show_error(self.tr("Correct at least one value first (or close this and send the change again"
                                     " as it was)."))
            return
        staff, cid = self.ctx.staff, self.change_id
        self._busy = True
        self._set_enabled(False)
        self._show_error("")

        def work(tc: TaskContext) -> Result:
            return send_fix(tc.db, staff, cid, values)

        self.ctx.writer.submit(work, success=self._done, failure=self._failed, name="quarantine-fix")

    def _done(self, result: Result) -> None:
        self._busy = False
        if not result.ok:
            self._set_enabled(True)
            self._show_error(result.message)
            self._mark(result.errors)
            return
        self.ctx.changes.publish(result.changes, self)
        self.fixed.emit(result)
        self.accept()

    def _mark(self, errors: Any) -> None:
        """Outline the lines the errors name (by field or by label)."""
        first = None
        for e in errors:
            for name, field in self._fields.items():
                if e.field in (name, field.label) or e.label == field.label:
                    themed(self.edits[name], _BAD_EDIT_STYLE)
                    first = first or self.edits[name]
        if first is not None:
            first.setFocus()

    def _failed(self, exc: BaseException, _tb: str) -> None:
        self._busy = False
        self._set_enabled(True)
        text = str(exc) if isinstance(exc, StoreError) else type(exc).__name__
        self._show_error(self.tr("Could not save: %1").replace("%1", text))
