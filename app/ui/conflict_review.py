"""Deciding one sync conflict: both values side by side, who changed each and when, and the decision.

Opened from the Sync workspace's conflicts table. A person keeps this branch's
value, keeps head office's, or types a merged value; the decision runs
``SyncReview.resolve`` on the writer thread (a journaled edit of the record, the
conflict closed and the decision audited, in one transaction), its changes are
published on the change signal and the dialog closes. A refused decision
(a merged value the field's rules refuse, no permission) is shown in red and
nothing was written. Values are masked as everywhere else. UI thread.
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
from app.services.sync_review import KEEP_MINE, KEEP_THEIRS, ConflictDetail, ConflictSide, SyncReview
from app.store.errors import StoreError
from app.ui.appearance import emphasize
from app.ui.context import AppContext
from app.ui.tasks import TaskContext
from app.ui.widgets import ERROR_STYLE

_VALUE_STYLE = "font-size: 15pt; font-weight: 600; padding: 4px 0;"
_NOTE_STYLE = "color: palette(mid);"


def load_conflict(db: Any, staff: Any, conflict_id: int) -> ConflictDetail | FieldError:
    """On a database thread: the conflict as the dialog shows it."""
    return SyncReview(db, staff).conflict(conflict_id)


def decide(db: Any, staff: Any, conflict_id: int, keep: str | None, value: str | None) -> Result:
    """On the writer thread: the decision (see ``SyncReview.resolve``)."""
    return SyncReview(db, staff).resolve(conflict_id, keep=keep, value=value)


class ConflictReviewDialog(QDialog):
    """See the module docstring. ``resolved(result)`` after a decision was written (its changes
    already published, with this dialog as the source)."""

    resolved = Signal(object)

    def __init__(self, ctx: AppContext, conflict_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflict_id = conflict_id
        self.detail: ConflictDetail | None = None
        self._busy = False
        self.setObjectName("conflictReviewDialog")
        self.setWindowTitle(self.tr("Review a sync conflict"))
        self.setMinimumWidth(680)
        lay = QVBoxLayout(self)

        self.heading = QLabel(self.tr("Loading…"))
        self.heading.setObjectName("conflictRecord")
        self.heading.setWordWrap(True)
        emphasize(self.heading, 1.25, bold=True)
        lay.addWidget(self.heading)
        self.field_label = QLabel()
        self.field_label.setObjectName("conflictField")
        lay.addWidget(self.field_label)
        self.note = QLabel()
        self.note.setObjectName("conflictNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(_NOTE_STYLE)
        lay.addWidget(self.note)

        sides = QHBoxLayout()
        self.mine_box, self.mine_value, self.mine_by, self.keep_mine_button = self._side(
            self.tr("This branch"), self.tr("Keep this branch's"), "Mine")
        self.theirs_box, self.theirs_value, self.theirs_by, self.keep_theirs_button = self._side(
            self.tr("Head office"), self.tr("Keep head office's"), "Theirs")
        sides.addWidget(self.mine_box, 1)
        sides.addWidget(self.theirs_box, 1)
        lay.addLayout(sides)

        self.merge_box = QGroupBox(self.tr("Or a merged value"))
        merge = QHBoxLayout(self.merge_box)
        self.value_edit = QLineEdit()
        self.value_edit.setObjectName("conflictValue")
        self.use_button = QPushButton(self.tr("Use this value"))
        self.use_button.setObjectName("conflictUseValue")
        merge.addWidget(self.value_edit, 1)
        merge.addWidget(self.use_button)
        lay.addWidget(self.merge_box)

        self.error = QLabel()
        self.error.setObjectName("conflictError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        about = QLabel(self.tr("The decision is saved as a change to the record and sent to head office at the"
                               " next sync. The audit trail records who decided which side, not the values."))
        about.setWordWrap(True)
        about.setStyleSheet(_NOTE_STYLE)
        lay.addWidget(about)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("conflictClose")
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.close_button)
        lay.addLayout(buttons)

        self.keep_mine_button.clicked.connect(lambda: self._decide(KEEP_MINE, None))
        self.keep_theirs_button.clicked.connect(lambda: self._decide(KEEP_THEIRS, None))
        self.use_button.clicked.connect(self._use_value)
        self.value_edit.returnPressed.connect(self._use_value)
        self.value_edit.textEdited.connect(lambda _t: self._show_error(""))
        self.close_button.clicked.connect(self.reject)
        self._set_enabled(False)
        self._load()

    def _side(self, title: str, action: str, name: str) -> tuple[QGroupBox, QLabel, QLabel, QPushButton]:
        box = QGroupBox(title)
        box.setObjectName(f"conflict{name}")
        grid = QGridLayout(box)
        value = QLabel("—")
        value.setObjectName(f"conflict{name}Value")
        value.setStyleSheet(_VALUE_STYLE)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        by = QLabel()
        by.setObjectName(f"conflict{name}By")
        by.setWordWrap(True)
        by.setStyleSheet(_NOTE_STYLE)
        button = QPushButton(action)
        button.setObjectName(f"conflictKeep{name}")
        button.setAutoDefault(False)
        grid.addWidget(value, 0, 0)
        grid.addWidget(by, 1, 0)
        grid.addWidget(button, 2, 0)
        grid.setRowStretch(0, 1)
        return box, value, by, button

    # --- loading --------------------------------------------------------------------------

    def _load(self) -> None:
        staff, cid = self.ctx.staff, self.conflict_id
        self.ctx.reader.submit(lambda tc: load_conflict(tc.db, staff, cid), success=self._show,
                               failure=self._failed, name="conflict-load")

    def _who(self, side: ConflictSide) -> str:
        if not side.by and not side.at:
            return self.tr("Changed by: not known")
        return (self.tr("Changed by %1 at %2").replace("%1", side.by or self.tr("not known"))
                .replace("%2", side.at or self.tr("an unknown time")))

    def _show(self, detail: ConflictDetail | FieldError) -> None:
        if isinstance(detail, FieldError):
            self.heading.setText(self.tr("This conflict cannot be reviewed"))
            self._show_error(detail.message)
            return
        self.detail = detail
        v = detail.view
        self.heading.setText(v.record)
        self.field_label.setText(self.tr("Field: %1").replace("%1", v.field))
        kept = (self.tr("Head office kept this branch's value; its own value was overwritten.") if v.side == "push"
                else self.tr("This PC took head office's value; this branch's value was kept for review."))
        self.note.setText(f"{kept} {v.note}".strip())
        self.mine_value.setText(detail.mine.value)
        self.mine_by.setText(self._who(detail.mine))
        self.theirs_value.setText(detail.theirs.value)
        self.theirs_by.setText(self._who(detail.theirs))
        self.merge_box.setVisible(detail.can_merge)
        if detail.hint:
            self.value_edit.setPlaceholderText(detail.hint)
        self._set_enabled(True)
        self.adjustSize()  # the values and names arrived after the first layout

    def _set_enabled(self, on: bool) -> None:
        d = self.detail
        self.keep_mine_button.setEnabled(on and d is not None and d.can_keep_mine)
        self.keep_theirs_button.setEnabled(on and d is not None)
        self.use_button.setEnabled(on and d is not None and d.can_merge)
        self.value_edit.setEnabled(on and d is not None and d.can_merge)

    # --- deciding -------------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _use_value(self) -> None:
        if not self.value_edit.text().strip():
            self._show_error(self.tr("Type the merged value first."))
            return
        self._decide(None, self.value_edit.text())

    def _decide(self, keep: str | None, value: str | None) -> None:
        """Run the decision on the writer thread; the answer comes back to ``_done``."""
        if self._busy or self.detail is None:
            return
        staff, cid = self.ctx.staff, self.conflict_id
        self._busy = True
        self._set_enabled(False)
        self._show_error("")

        def work(tc: TaskContext) -> Result:
            return decide(tc.db, staff, cid, keep, value)

        self.ctx.writer.submit(work, success=self._done, failure=self._failed, name="conflict-resolve")

    def _done(self, result: Result) -> None:
        self._busy = False
        if not result.ok:
            self._set_enabled(True)
            self._show_error(result.message)
            return
        self.ctx.changes.publish(result.changes, self)
        self.resolved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException, _tb: str) -> None:
        self._busy = False
        self._set_enabled(True)
        text = str(exc) if isinstance(exc, StoreError) else type(exc).__name__
        self._show_error(self.tr("Could not save: %1").replace("%1", text))
