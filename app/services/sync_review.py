"""What sync left for a person: conflicts to review, and changes head office refused (quarantined).

For one signed-in staff member, below the UI: ``branchdesk sync conflicts`` /
``sync quarantine`` and the Sync workspace show the same lists, read the same
way (Chinese labels and values, ID and phone numbers masked). A refused change
can be sent again (under a new change id, after the record was corrected or
what it refers to now exists) or discarded: discarding is audited, and the
record is asked for again from head office at the next sync so the PC returns
to head office's version. Runs on the thread that owns ``db``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Staff, check
from app.services.history import ChangeView, conflict_values, describe
from app.store import audit, journal, syncdata
from app.store.db import write
from app.store.reference import ReferenceData


def _reason(note: str | None) -> str:
    """Head office's reason as a person reads it (without the HTTP status the journal keeps)."""
    return re.sub(r"^HTTP \d+：", "", note or "") or "总行拒绝（未说明原因）"


@dataclass(frozen=True)
class ConflictView:
    id: int
    time: str
    side: str  # "push": head office kept this branch's value; "pull": it kept its own
    kind: str
    record: str  # the record as a person knows it (a client's name), never a number
    field: str
    mine: str  # this branch's value, masked
    theirs: str  # head office's value, masked
    note: str


@dataclass(frozen=True)
class QuarantinedView:
    change: ChangeView
    record: str
    reason: str


class SyncReview:
    """Conflicts and quarantined changes as one staff member may see and handle them."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)

    def _record_name(self, kind: str, uid: str) -> str:
        if kind == "client":
            row = self.db.conn.execute("SELECT name FROM clients WHERE uid = ?", (uid,)).fetchone()
            if row:
                return f"客户 {row[0]}"
        return f"{kind} {uid[:8]}…"

    def conflicts(self) -> list[ConflictView] | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        out = []
        for c in syncdata.open_conflicts(self.db):
            label, mine, theirs = conflict_values(c.kind, c.field, c.local_value, c.server_value, self.ref)
            out.append(ConflictView(c.id, c.time[:16].replace("T", " "), c.side, c.kind,
                                    self._record_name(c.kind, c.row_uid), label, mine, theirs, c.note))
        return out

    def quarantined(self) -> list[QuarantinedView] | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        return [
            QuarantinedView(describe(e, self.ref), self._record_name(e.kind, e.row_uid), _reason(e.sync_note))
            for e in journal.by_state(self.db, journal.SYNC_QUARANTINED)
        ]

    def _quarantined_entry(self, change_id: str) -> journal.JournalEntry | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        entry = journal.get(self.db, change_id)
        if entry is None or entry.sync_state != journal.SYNC_QUARANTINED:
            return FieldError("change", "变更", "unknown", f"没有被总行拒绝、待处理的变更“{change_id}”。")
        return entry

    def retry(self, change_id: str) -> Result[str]:
        """Send a refused change again, under a new change id (the old one stays refused at head office)."""
        entry = self._quarantined_entry(change_id)
        if isinstance(entry, FieldError):
            return Result.failed(entry)
        with write(self.db):
            new_id = journal.record(
                self.db, kind=entry.kind, row_uid=entry.row_uid, row_id=entry.row_id, op=entry.op,
                before=entry.before, after=entry.after, author=self.staff.code, base_seq=entry.base_seq,
            )
            journal.mark(self.db, change_id, journal.SYNC_LOCAL,
                         note=f"{entry.sync_note or ''}；已由 {self.staff.code} 重新上传（新变更 {new_id}）")
        return Result.done(new_id, Changes.of(entry.kind, uids=[entry.row_uid]))

    def discard(self, change_id: str) -> Result[str]:
        """Give up a refused change: audited; the record is fetched again from head office at the next sync."""
        entry = self._quarantined_entry(change_id)
        if isinstance(entry, FieldError):
            return Result.failed(entry)
        with write(self.db):
            journal.mark(self.db, change_id, journal.SYNC_LOCAL,
                         note=f"{entry.sync_note or ''}；已由 {self.staff.code} 放弃")
            audit.record(self.db, staff=self.staff.code, action=audit.DISCARD_CHANGE, kind=entry.kind,
                         row_uid=entry.row_uid, detail=f"放弃被总行拒绝的变更 {change_id}")
            if entry.op != "insert":
                syncdata.refetch_later(self.db, entry.kind, entry.row_uid)
        return Result.done(change_id, Changes.of(entry.kind, uids=[entry.row_uid]))
