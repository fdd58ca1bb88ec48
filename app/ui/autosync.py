"""What background sync waits for: the network to come back, and forms to be saved.

``Reachability`` wraps QtNetwork's ``QNetworkInformation``: when the PC goes from no network
(or a local network only) to online, it says so once; the sync that follows is the check
against head office (a failure goes to the usual backoff, the signal alone is never taken
for "synced"). Where no backend loads, background sync keeps to its timer.

``UnsavedEdits`` is where a screen with a form says how to tell whether it holds edits not
saved yet; a sync that would pull records under such a form waits until it is saved or
reverted. UI thread.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class UnsavedEdits(QObject):
    """Forms that may hold unsaved edits, each with a check; asked, not told."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._forms: list[tuple[weakref.ref, str, Callable[[], bool]]] = []

    def register(self, widget: QObject, what: str, dirty: Callable[[], bool]) -> None:
        """``dirty()`` says whether ``widget``'s form holds unsaved edits; ``what`` names it."""
        self._forms.append((weakref.ref(widget), what, dirty))

    def pending(self) -> list[str]:
        """What holds unsaved edits now (forms whose widget is gone are forgotten)."""
        alive, out = [], []
        for ref, what, dirty in self._forms:
            widget = ref()
            if widget is None:
                continue
            alive.append((ref, what, dirty))
            try:
                if dirty():
                    out.append(what)
            except RuntimeError:  # the Qt object behind the widget was deleted
                alive.pop()
        self._forms = alive
        return out


class Reachability(QObject):
    """Says ``online`` once each time the network comes back."""

    online = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = False
        self._online: bool | None = None
        try:
            from PySide6.QtNetwork import QNetworkInformation

            self._Online = QNetworkInformation.Reachability.Online
            if QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
                info = QNetworkInformation.instance()
                if info is not None:
                    self.available = True
                    self._online = info.reachability() == self._Online
                    info.reachabilityChanged.connect(self.changed)
        except (ImportError, AttributeError) as exc:  # a bundle or platform without it: the timer alone
            log.info("network reachability not available: %s", type(exc).__name__)
        if not self.available:
            log.info("no network-information backend: background sync keeps to its timer")

    def changed(self, reachability: object) -> None:
        """The network's state moved (Qt's signal, or a test)."""
        now = reachability == self._Online if hasattr(self, "_Online") else bool(reachability)
        back = now and self._online is False
        self._online = now
        if back:
            self.online.emit()
