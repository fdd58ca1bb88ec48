"""The change signal: every screen hears what every operation changed, and decides for itself.

Anki's ``operation_did_execute(changes, handler)`` in Qt form. Whoever performs
an operation (a workspace saving a form, the sync finishing, an import) hands
its ``Changes`` (``app.core.result``) to ``ChangeBus.publish``; every workspace
that shows records of a kind connects to ``changed`` and refreshes when
``changes.touches(...)`` its kinds. Screens never call each other to refresh.
UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.result import Changes


class ChangeBus(QObject):
    """Emits ``changed(changes, source)``; ``source`` is the object that made the change (or None)."""

    changed = Signal(object, object)

    def publish(self, changes: Changes, source: object | None = None) -> None:
        """Tell every screen what changed (nothing is emitted for an operation that changed nothing)."""
        if changes:
            self.changed.emit(changes, source)
