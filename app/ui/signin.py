"""Sign-in and the idle lock.

Staff pick themselves from the branch roster and enter their PIN; on first use
they set one (kept as a salted scrypt hash by ``app.services.auth``). PIN checks
run on the writer thread (scrypt is deliberately slow). The idle lock covers
the window after ``Settings.idle_lock_minutes`` without keyboard or mouse input
and asks the same person's PIN again. UI thread.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.roles import Role, Staff
from app.services import auth
from app.store.reference import ReferenceData
from app.ui.appearance import emphasize
from app.ui.labels import domain
from app.ui.tasks import DbThread, TaskContext
from app.ui.widgets import ERROR_STYLE


class SignInDialog(QDialog):
    """Choose yourself, enter (or set) your PIN. ``staff`` holds the result when accepted."""

    def __init__(self, writer: DbThread, *, default_code: str = "", lock_to: Staff | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.writer = writer
        self.staff: Staff | None = None
        self._has_pin: dict[str, bool] = {}
        self._lock_to = lock_to
        self.setWindowTitle(self.tr("BranchDesk — sign in") if lock_to is None else self.tr("BranchDesk — locked"))
        self.setObjectName("signInDialog")
        heading = QLabel(self.tr("Sign in to BranchDesk") if lock_to is None
                         else self.tr("Locked after inactivity. Enter your PIN to continue."))
        emphasize(heading, 1.3, bold=True)
        heading.setWordWrap(True)
        self.who = QComboBox()
        self.who.setObjectName("staffChoice")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.pin.setPlaceholderText(self.tr("6–12 digits"))
        self.pin2 = QLineEdit()
        self.pin2.setObjectName("pinRepeat")
        self.pin2.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin2.setMaxLength(12)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("signInError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Staff member"), self.who)
        form.addRow(self.tr("PIN"), self.pin)
        self.repeat_label = QLabel(self.tr("Repeat PIN"))
        form.addRow(self.repeat_label, self.pin2)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            self.tr("Quit") if lock_to is None else self.tr("Sign out and quit"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addSpacing(8)
        lay.addLayout(form)
        lay.addWidget(self.hint)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.who.currentIndexChanged.connect(self._on_who)
        self._default = lock_to.code if lock_to else default_code
        self.writer.submit(self._roster, success=self._fill, name="roster")

    @staticmethod
    def _roster(tc: TaskContext) -> list[tuple[str, str, str, bool]]:
        ref = ReferenceData(tc.db)
        return [(s.code, s.name, s.role, s.has_pin) for s in ref.staff.values() if s.active]

    def _fill(self, roster: list[tuple[str, str, str, bool]]) -> None:
        self.who.clear()
        for code, name, role, has_pin in roster:
            if self._lock_to is not None and code != self._lock_to.code:
                continue
            self.who.addItem(f"{name}（{code}，{domain(Role(role).label)}）", code)
            self._has_pin[code] = has_pin
        self.who.setCurrentIndex(max(0, self.who.findData(self._default)))
        self.who.setEnabled(self._lock_to is None)
        self._on_who()
        self.pin.setFocus()

    def _on_who(self) -> None:
        first = not self._has_pin.get(self.who.currentData() or "", True)
        self.repeat_label.setVisible(first)
        self.pin2.setVisible(first)
        self.hint.setText(self.tr("First sign-in: choose a PIN of 6 to 12 digits and enter it twice.") if first else "")
        self.error.clear()

    def submit(self) -> None:
        code = self.who.currentData()
        if not code:
            return
        pin, pin2 = self.pin.text(), self.pin2.text()
        first = not self._has_pin.get(code, True)
        if first and pin != pin2:
            self.error.setText(self.tr("The two PINs differ."))
            return
        self.buttons.setEnabled(False)

        def work(tc: TaskContext) -> Any:
            if first:
                found = auth.load_staff(tc.db, code)
                if found is None:
                    return FieldError("staff", "员工", "unknown", "员工不存在。")
                problem = auth.set_pin(tc.db, found[0].id, pin)
                if problem:
                    return problem
            return auth.sign_in(tc.db, code, pin)

        self.writer.submit(work, success=self._done, name="sign-in")

    def _done(self, result: Any) -> None:
        self.buttons.setEnabled(True)
        if isinstance(result, FieldError):
            self.error.setText(result.message)
            self.pin.selectAll()
            self.pin.setFocus()
            return
        self.staff = result
        self.accept()


class IdleLock(QObject):
    """Watches input application-wide; emits ``locked`` after ``minutes`` of none."""

    locked = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_s = max(0.0, minutes * 60)
        self.last_input = time.monotonic()
        self.is_locked = False
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._check)
        app = QApplication.instance()
        if app is not None and self.timeout_s > 0:
            app.installEventFilter(self)
            self._timer.start()

    _INPUT: ClassVar[set[QEvent.Type]] = {
        QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    }

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT:
            self.last_input = time.monotonic()
        return False

    def _check(self) -> None:
        if not self.is_locked and time.monotonic() - self.last_input >= self.timeout_s:
            self.is_locked = True
            self.locked.emit()

    def unlocked(self) -> None:
        self.is_locked = False
        self.last_input = time.monotonic()


def lock_window(window: QWidget, writer: DbThread, staff: Staff, lock: IdleLock) -> SignInDialog:
    """Hide the window's content behind the PIN dialog until the same person signs in again."""
    central = getattr(window, "centralWidget", lambda: None)()
    if central is not None:
        central.setVisible(False)
    dlg = SignInDialog(writer, lock_to=staff, parent=window)
    dlg.setWindowModality(Qt.WindowModality.ApplicationModal)

    def done(code: int) -> None:
        if code == QDialog.DialogCode.Accepted:
            if central is not None:
                central.setVisible(True)
            lock.unlocked()
        else:
            window.close()

    dlg.finished.connect(done)
    dlg.open()
    return dlg
