"""What every screen needs: the store, who is signed in, the database threads, the change signal."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from app.core.roles import Staff
from app.store.config import Settings
from app.store.store import Store
from app.ui.autosync import UnsavedEdits
from app.ui.changes import ChangeBus
from app.ui.tasks import DbThread


@dataclass
class AppContext:
    store: Store
    settings: Settings
    staff: Staff
    writer: DbThread  # every change goes through this one connection
    reader: DbThread  # queries for tables and counts, never blocked by writes
    ui_settings: QSettings  # window geometry, column layout, saved views (ui.ini in the data folder)
    changes: ChangeBus = field(default_factory=ChangeBus)  # what every operation changed (app.ui.changes)
    unsaved: UnsavedEdits = field(default_factory=UnsavedEdits)  # forms background sync waits for

    def shutdown(self) -> None:
        self.reader.shutdown()
        self.writer.shutdown()
