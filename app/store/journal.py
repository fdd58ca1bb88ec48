"""The change journal: the audit trail and the sync outbox in one table.

Every change a person makes is written with one journal row in the same
transaction as the change itself (callers hold ``db.write``). A row records:
the change id (a UUID made here, which the server applies at most once), the
kind and global uid of the record, the operation, the changed fields before
and after, the author's staff code, the local time, the server sequence of the
version the author edited (``base_seq``), and its sync state.

Field names and values in ``before``/``after`` are already in sync-protocol
form (village code rather than local village id, staff code rather than staff
id, tags split by owner into ``hq_tags``/``branch_tags``, dates as ISO text),
so pushing is a copy, and the history screen reads the same rows.

Deletes are tombstones: the row stays with ``deleted = 1`` and its journal
entry says ``delete``, so the deletion syncs.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from app.store.kinds import insert_rows

SYNC_PENDING = "pending"
SYNC_ACKED = "acked"
SYNC_CONFLICT = "conflict"
SYNC_QUARANTINED = "quarantined"
SYNC_LOCAL = "local"  # never synced (e.g. local-only bookkeeping)


def local_now() -> str:
    """The workstation's local time with its UTC offset, to the second.

    Informational only: ordering always comes from the server's sequence.
    """
    return datetime.now().astimezone().isoformat(timespec="seconds")


# One encoder for every journal text (``json.dumps`` builds a new one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps(d: dict[str, Any]) -> str:
    """A journal's ``before`` / ``after`` as stored (sorted keys, compact, Chinese as it is)."""
    return _ENCODER.encode(d)


_dumps = dumps


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, as ``str(uuid.uuid4())`` makes them, from one read of
    the OS's random source (a batch of an import takes thousands)."""
    raw = os.urandom(16 * n)
    out = []
    for i in range(0, 16 * n, 16):
        b = bytearray(raw[i : i + 16])
        b[6] = b[6] & 0x0F | 0x40  # version 4
        b[8] = b[8] & 0x3F | 0x80  # the RFC 4122 variant
        h = b.hex()
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


@dataclass(frozen=True, slots=True)
class JournalEntry:
    seq: int
    change_id: str
    kind: str
    row_uid: str
    row_id: int | None
    op: str
    before: dict[str, Any]
    after: dict[str, Any]
    base_seq: int | None
    author: str
    local_time: str
    sync_state: str
    server_seq: int | None
    sync_note: str | None


def record(
    db: sqlite_utils.Database,
    *,
    kind: str,
    row_uid: str,
    row_id: int | None,
    op: str,
    before: dict[str, Any],
    after: dict[str, Any],
    author: str,
    base_seq: int | None,
    sync_state: str = SYNC_PENDING,
) -> str:
    """Append one journal row; returns its change id. Call inside ``db.write``."""
    if not db.conn.in_transaction:
        raise RuntimeError("journal.record must run inside the change's transaction")
    change_id = str(uuid.uuid4())
    db.conn.execute(
        "INSERT INTO journal (change_id, kind, row_uid, row_id, op, before, after, base_seq,"
        " author, local_time, sync_state) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            change_id,
            kind,
            row_uid,
            row_id,
            op,
            _dumps(before),
            _dumps(after),
            base_seq,
            author,
            local_now(),
            sync_state,
        ),
    )
    return change_id


@dataclass(frozen=True)
class Entry:
    """One journal row to append with ``record_many`` (the arguments of ``record``)."""

    kind: str
    row_uid: str
    row_id: int | None
    op: str
    before: dict[str, Any]
    after: dict[str, Any]
    author: str
    base_seq: int | None


def record_many(db: sqlite_utils.Database, entries: Sequence[Entry], *, local_time: str | None = None,
                sync_state: str = SYNC_PENDING) -> list[str]:
    """Append journal rows as ``record`` appends each, with one statement; returns their change ids
    in order. Call inside ``db.write``."""
    rows = [(e.kind, e.row_uid, e.row_id, e.op, _dumps(e.before), _dumps(e.after), e.base_seq, e.author)
            for e in entries]
    return _append(db, rows, local_time, sync_state)


def record_inserts(db: sqlite_utils.Database, kind: str, author: str, records: Sequence[tuple[str, int | None, str]],
                   *, local_time: str | None = None, sync_state: str = SYNC_PENDING) -> list[str]:
    """``record_many`` for new records of one kind by one author (op insert, before {}, no base
    version): (row uid, row id, the record's ``after`` already as ``dumps`` makes it) each; returns
    the change ids in order. Call inside ``db.write``."""
    return _append(db, [(kind, uid, rid, "insert", "{}", after, None, author) for uid, rid, after in records],
                   local_time, sync_state)


_JOURNAL_COLS = ("change_id", "kind", "row_uid", "row_id", "op", "before", "after", "base_seq", "author",
                 "local_time", "sync_state")


def _append(db: sqlite_utils.Database, rows: list[tuple[Any, ...]], local_time: str | None,
            sync_state: str) -> list[str]:
    """(kind, row_uid, row_id, op, before, after, base_seq, author) rows appended, in order, with
    multi-row statements (``kinds.insert_rows``)."""
    if not db.conn.in_transaction:
        raise RuntimeError("journal.record_many must run inside the change's transaction")
    when = local_time or local_now()
    ids = new_uuids(len(rows))
    insert_rows(db.conn, "journal", _JOURNAL_COLS,
                [(cid, *r, when, sync_state) for cid, r in zip(ids, rows, strict=True)])
    return ids


_COLS = (
    "seq, change_id, kind, row_uid, row_id, op, before, after, base_seq, author,"
    " local_time, sync_state, server_seq, sync_note"
)


def _entry(row: tuple) -> JournalEntry:
    return JournalEntry(
        seq=row[0],
        change_id=row[1],
        kind=row[2],
        row_uid=row[3],
        row_id=row[4],
        op=row[5],
        before=json.loads(row[6]),
        after=json.loads(row[7]),
        base_seq=row[8],
        author=row[9],
        local_time=row[10],
        sync_state=row[11],
        server_seq=row[12],
        sync_note=row[13],
    )


def history(db: sqlite_utils.Database, kind: str, row_uid: str) -> list[JournalEntry]:
    """All journal rows of one record, oldest first (the history tab)."""
    rows = db.conn.execute(
        f"SELECT {_COLS} FROM journal WHERE kind = ? AND row_uid = ? ORDER BY seq",
        (kind, row_uid),
    ).fetchall()
    return [_entry(r) for r in rows]


def get(db: sqlite_utils.Database, change_id: str) -> JournalEntry | None:
    row = db.conn.execute(f"SELECT {_COLS} FROM journal WHERE change_id = ?", (change_id,)).fetchone()
    return _entry(row) if row else None


def by_state(db: sqlite_utils.Database, state: str, *, limit: int = 1000) -> list[JournalEntry]:
    """Journal rows in one sync state, oldest first (the quarantine list, the conflicts)."""
    rows = db.conn.execute(
        f"SELECT {_COLS} FROM journal WHERE sync_state = ? ORDER BY seq LIMIT ?", (state, limit)
    ).fetchall()
    return [_entry(r) for r in rows]


def pending(db: sqlite_utils.Database, *, limit: int = 500, after_seq: int = 0) -> list[JournalEntry]:
    """Unsent changes in journal order (the sync outbox)."""
    rows = db.conn.execute(
        f"SELECT {_COLS} FROM journal WHERE sync_state = ? AND seq > ? ORDER BY seq LIMIT ?",
        (SYNC_PENDING, after_seq, limit),
    ).fetchall()
    return [_entry(r) for r in rows]


def pending_by_ids(db: sqlite_utils.Database, change_ids: list[str]) -> list[JournalEntry]:
    """The still-pending rows among ``change_ids`` (at most a few hundred ids per call), in journal order."""
    if not change_ids:
        return []
    marks = ",".join("?" * len(change_ids))
    rows = db.conn.execute(
        f"SELECT {_COLS} FROM journal WHERE sync_state = ? AND change_id IN ({marks}) ORDER BY seq",
        (SYNC_PENDING, *change_ids),
    ).fetchall()
    return [_entry(r) for r in rows]


def pending_count(db: sqlite_utils.Database) -> int:
    return db.conn.execute(
        "SELECT count(*) FROM journal WHERE sync_state = ?", (SYNC_PENDING,)
    ).fetchone()[0]


def state_counts(
    db: sqlite_utils.Database, states: tuple[str, ...] = (SYNC_PENDING, SYNC_QUARANTINED, SYNC_CONFLICT)
) -> dict[str, int]:
    """How many journal rows are in each of ``states`` (index seeks: never a count of every acked change)."""
    return {
        s: db.conn.execute("SELECT count(*) FROM journal WHERE sync_state = ?", (s,)).fetchone()[0] for s in states
    }


def has_pending(db: sqlite_utils.Database, kind: str, row_uid: str) -> bool:
    """Does this record have unsent local changes? (A pull must not overwrite it.)"""
    return (
        db.conn.execute(
            "SELECT 1 FROM journal WHERE kind = ? AND row_uid = ? AND sync_state = ? LIMIT 1",
            (kind, row_uid, SYNC_PENDING),
        ).fetchone()
        is not None
    )


def mark(
    db: sqlite_utils.Database,
    change_id: str,
    state: str,
    *,
    server_seq: int | None = None,
    note: str | None = None,
    synced_at: str | None = None,
) -> None:
    """Record the server's answer for one change (inside a transaction)."""
    mark_many(db, [(change_id, state, server_seq, note)], synced_at=synced_at)


def mark_many(
    db: sqlite_utils.Database,
    answers: list[tuple[str, str, int | None, str | None]],
    *,
    synced_at: str | None = None,
) -> None:
    """``mark`` for many changes at once: (change_id, state, server_seq, note) each (inside a transaction)."""
    now = synced_at or local_now()
    db.conn.executemany(
        "UPDATE journal SET sync_state = ?, server_seq = coalesce(?, server_seq), sync_note = ?, synced_at = ?"
        " WHERE change_id = ?",
        [(state, seq, note, now, change_id) for change_id, state, seq, note in answers],
    )
