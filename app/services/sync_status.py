"""Where this PC stands with head office: one answer for the CLI (``branchdesk sync status``) and the app.

Runs on the thread that owns ``db`` (the app's reader thread, the CLI's main
thread); reads only. The desktop app never queries the journal or the sync
tables itself: it asks here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from app import __version__
from app.store import journal, syncdata
from app.store.reference import meta_get
from app.store.store import Store


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server: str
    branch: str
    device: int
    county: str  # a county manager's device reads every branch of this county; "" for a branch's PC
    cursor: int
    pending: int  # local changes not yet sent
    quarantined: int  # local changes head office refused (with the reason, in the journal)
    rejected: int  # pulled records set aside: they broke their kind's declaration
    open_conflicts: int
    last_status: str | None  # the last finished run: synced, unconfirmed, failed, cancelled, interrupted
    last_confirmed: str | None  # when head office last confirmed both sides hold the same data
    recent: list[dict[str, Any]] = field(default_factory=list)  # newest first
    release: str = ""  # the app version IT rolled out, as head office last said ("" none)
    running: str = ""  # the app version this PC runs

    @property
    def upgrade_waiting(self) -> bool:
        """IT rolled out a newer version than this PC runs (the app never updates itself)."""
        return bool(self.release) and _version(self.release) > _version(self.running)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sync_status(store: Store, db: sqlite_utils.Database, *, recent: int = 20) -> SyncStatus:
    """The queue, conflicts, set-aside records and recent runs of this PC."""
    from sync.client.config import SyncSettings

    s = SyncSettings.load(store.settings)
    counts = journal.state_counts(db)
    runs = syncdata.recent_log(db, recent)
    last = next((r for r in runs if r["status"] != "running"), None)
    confirmed = syncdata.last_confirmed(db)
    return SyncStatus(
        enrolled=s.enrolled,
        server=s.server_url,
        branch=s.branch,
        device=s.device_id,
        county=s.county,
        cursor=syncdata.get_cursor(db),
        pending=counts.get(journal.SYNC_PENDING, 0),
        quarantined=counts.get(journal.SYNC_QUARANTINED, 0),
        rejected=syncdata.rejected_count(db),
        open_conflicts=syncdata.open_conflict_count(db),
        last_status=last["status"] if last else None,
        last_confirmed=confirmed,
        recent=runs,
        release=meta_get(db, syncdata.RELEASE_KEY, "") or "",
        running=__version__,
    )


def _version(text: str) -> tuple[int, ...]:
    """0.10.2 as (0, 10, 2), for comparing; anything not a number counts as 0."""
    return tuple(int(p) if p.isdigit() else 0 for p in text.split("."))


def confirmed_age(status: SyncStatus, now: datetime | None = None) -> timedelta | None:
    """How long ago head office last confirmed a sync (never negative), or None when it never did.

    ``last_confirmed`` is the PC's local time with its offset; a time without one is read as local.
    """
    if not status.last_confirmed:
        return None
    try:
        when = datetime.fromisoformat(status.last_confirmed).astimezone()
    except ValueError:
        return None  # unreadable: as if never confirmed, so the PC is not shown as up to date
    return max(timedelta(0), (now or datetime.now().astimezone()) - when)


def is_stale(status: SyncStatus, stale_hours: float, now: datetime | None = None) -> bool:
    """An enrolled PC whose last confirmed sync is older than ``stale_hours``, or that never had one.

    A PC that is not enrolled (the demo, a PC still to be set up) is never stale: it has nothing to sync with.
    """
    if not status.enrolled:
        return False
    age = confirmed_age(status, now)
    return age is None or age > timedelta(hours=stale_hours)
