"""Unexpected exceptions: a friendly dialog with "copy details", and the rotating log.

The details hold the exception type and traceback (code locations), never the
values of local variables, so no personal data reaches the clipboard or the log.
UI thread (exceptions from worker threads arrive through the task's failed signal).
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from app import __version__

log = logging.getLogger("app.ui.errors")


def details_text(exc_type: type[BaseException], tb: TracebackType | str | None) -> str:
    body = tb if isinstance(tb, str) else "".join(traceback.format_tb(tb))
    return f"BranchDesk {__version__}\n{exc_type.__name__}\n{body}"


def show_error(parent: QWidget | None, exc_type: type[BaseException], tb: TracebackType | str | None) -> QMessageBox:
    """Log the failure and show the dialog (non-blocking; returns it for tests)."""
    details = details_text(exc_type, tb)
    log.error("unexpected error: %s\n%s", exc_type.__name__, details)
    box = QMessageBox(parent)
    box.setObjectName("errorDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QApplication.translate("errors", "Something went wrong"))
    box.setText(QApplication.translate(
        "errors",
        "BranchDesk met an unexpected problem. Your saved data is safe; the last action may not have"
        " completed. If it happens again, send the details to IT.",
    ))
    box.setDetailedText(details)
    copy = QPushButton(QApplication.translate("errors", "Copy details"))
    copy.setObjectName("copyDetails")
    box.addButton(copy, QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.addButton(QMessageBox.StandardButton.Close)
    box.open()
    return box


def install_excepthook() -> None:
    """Route uncaught exceptions on the UI thread to the dialog instead of a crash."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        show_error(QApplication.activeWindow(), exc_type, tb)

    sys.excepthook = hook
