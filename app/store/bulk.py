"""Bulk loading: the demo county, and head office's first full client list.

Bulk-loaded rows are master data as head office sent them, not changes a
person made, so they write no journal rows. Each batch is one transaction;
an interrupted load keeps whole batches only. On a fresh database the sort
indexes are dropped for the load and rebuilt afterwards (much faster than
maintaining seven indexes row by row).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

import sqlite_utils

from app.core.client import tier_for_aum
from app.store.clients import name_key
from app.store.db import write
from app.store.journal import local_now
from app.store.kinds import CLIENT_EXTRA, table, to_stored
from app.store.reference import ReferenceData, meta_get, meta_set
from app.store.search import client_document

_SORT_INDEX_NAMES = (
    "clients_by_name",
    "clients_by_village",
    "clients_by_tier",
    "clients_by_aum",
    "clients_by_contact",
    "clients_by_lifecycle",
    "clients_by_manager",
    "clients_id_number",
    "clients_mobile",
    "client_tags_by_tag",
)

_CLIENTS = table("client")
# The INSERT's columns: the declared ones (by local name), the two the book derives,
# then bookkeeping. Every position below is looked up by name in these tuples.
_INSERT_COLS = ("id", "uid", *_CLIENTS.local_names, *CLIENT_EXTRA, "version", "created_at", "updated_at", "deleted",
                "hq_seq")
_INSERT_SQL = f"INSERT INTO clients ({', '.join(_INSERT_COLS)}) VALUES ({', '.join('?' * len(_INSERT_COLS))})"


def load_reference(
    db: sqlite_utils.Database,
    *,
    townships: Iterable[dict[str, Any]],
    villages: Iterable[dict[str, Any]],
    staff: Iterable[dict[str, Any]],
    tags: Iterable[dict[str, Any]],
) -> None:
    """Insert or replace the reference tables (one transaction)."""
    with write(db):
        db["townships"].insert_all(townships, pk="id", replace=True)
        db["villages"].insert_all(villages, pk="id", replace=True)
        db["staff"].insert_all(staff, pk="id", replace=True)
        db["tags"].insert_all(tags, pk="id", replace=True)


def load_records(db: sqlite_utils.Database, kind: str, records: Iterable[dict[str, Any]]) -> int:
    """Insert records of a kind kept in its own table (wire values, ``uid`` included), as
    head office sent them: no journal rows. One transaction. Returns how many went in."""
    t = table(kind)
    if t.key != "uid":
        raise ValueError(f"{kind} has a loader of its own")
    ref = ReferenceData(db)
    cols = ["uid", *t.local_names, "version", "created_at", "updated_at"]
    sql = f"INSERT INTO {t.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    now = local_now()
    n = 0
    with write(db):
        for r in records:
            values = []
            for col in t.columns:
                v = r.get(col.name, col.empty)
                if col.local_ref and v is not None:
                    v = ref.id_of(col.ref)[v]  # type: ignore[arg-type]
                values.append(to_stored(col, v))
            db.conn.execute(sql, [r["uid"], *values, 1, now, now])
            n += 1
    return n


def _batches(it: Iterable[dict[str, Any]], n: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(it)
    while batch := list(islice(it, n)):
        yield batch


def load_clients(
    db: sqlite_utils.Database,
    rows: Iterable[dict[str, Any]],
    *,
    fresh: bool = False,
    batch_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Insert client dicts (keys as ``app.core.client.Client``; ``tags`` = tag codes).

    ``fresh``: the clients table is empty and nobody else is using the file, so
    secondary indexes can be dropped during the load. Returns rows loaded.
    Runs on the connection's thread; ``progress`` is called after each batch.
    """
    tag_id, village_info = lookups(ReferenceData(db))
    if fresh:
        with write(db):
            drop_sort_indexes(db)
    loaded = 0
    try:
        for batch in _batches(rows, batch_size):
            if cancelled is not None and cancelled():
                break
            with write(db):
                insert_batch(db, [row_from_dict(r) for r in batch], tag_id, village_info)
            loaded += len(batch)
            if progress is not None:
                progress(loaded)
    finally:
        if fresh:
            restore_sort_indexes(db)
    return loaded


def lookups(ref: ReferenceData) -> tuple[dict[str, int], dict[int, tuple[int, int, str, str]]]:
    """What ``insert_batch`` needs from the reference data: tag id by code, and village
    id -> (village id, township id, village name, township name)."""
    tag_id = {t.code: t.id for t in ref.tags.values()}
    village_info = {
        v.id: (v.id, v.township_id, v.name, ref.townships[v.township_id].name) for v in ref.villages.values()
    }
    return tag_id, village_info


DROPPED_KEY = "bulk.dropped_indexes"


def drop_sort_indexes(db: sqlite_utils.Database) -> int:
    """Drop the client book's secondary indexes for a bulk load (inside ``db.write``).

    Their SQL is saved in ``meta`` in the same transaction, so a crash during
    the load cannot lose them: ``restore_sort_indexes`` (also run whenever the
    store is opened) puts them back. Returns how many were dropped.
    """
    saved = json.loads(meta_get(db, DROPPED_KEY, "[]") or "[]")
    rows = db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    dropped = [(name, sql) for name, sql in rows if name in _SORT_INDEX_NAMES]
    for name, _sql in dropped:
        db.conn.execute(f"DROP INDEX {name}")
    meta_set(db, DROPPED_KEY, json.dumps(saved + [sql for _n, sql in dropped]))
    return len(dropped)


# While indexes are rebuilt, SQLite's sorter may use helper threads and a larger page cache:
# each index of a million clients builds in 1.9 s instead of 2.7 s (measured here).
REBUILD_CACHE_KIB = 512 * 1024


def restore_sort_indexes(db: sqlite_utils.Database) -> int:
    """Recreate indexes a bulk load dropped (one transaction). Returns how many."""
    saved = json.loads(meta_get(db, DROPPED_KEY, "[]") or "[]")
    if not saved:
        return 0
    cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")
    db.conn.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
    try:
        with write(db):
            for sql in saved:
                db.conn.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            db.conn.execute("DELETE FROM meta WHERE key = ?", (DROPPED_KEY,))
    finally:
        db.conn.execute(f"PRAGMA cache_size = {cache}")
        db.conn.execute("PRAGMA threads = 0")
    return len(saved)


# A client row as ``insert_batch`` takes it (a list or tuple): head office's sequence
# (None for a client head office has not seen), the uid (None: a new one is made), the
# tombstone flag, then the client's declared columns in declaration order (local names:
# the village and the manager as local ids), then the tags (codes, hq and branch together).
ROW_FIELDS = ("hq_seq", "uid", "deleted", *_CLIENTS.local_names, "tags")
_N = len(_CLIENTS.local_names)
_AT = {name: i for i, name in enumerate(_CLIENTS.local_names)}  # position within the declared values
# columns that may not be NULL locally, with the value a missing one gets
_FILL = tuple((_AT[c.local_name], to_stored(c, c.empty)) for c in _CLIENTS.columns if not c.null)
(_NAME, _MOBILE, _ID_NUMBER, _VILLAGE, _SEGMENT, _AUM, _LIFECYCLE, _MANAGER, _MB_SIGNED, _MB_ACTIVE, _CONSENT,
 _POTENTIAL) = (_AT[n] for n in ("name", "mobile", "id_number", "village_id", "segment", "aum_fen", "lifecycle",
                                 "manager_id", "mb_signed", "mb_active", "consent", "potential"))


def row_from_dict(r: dict[str, Any]) -> list[Any]:
    """A client dict (keys as ``app.core.client.Client``; ``tags`` = tag codes) as a ``ROW_FIELDS`` row."""
    values = [r.get(name) for name in _CLIENTS.local_names]
    for i, v in enumerate(values):
        if isinstance(v, date):
            values[i] = v.isoformat()
    for i, empty in _FILL:
        if values[i] is None:
            values[i] = empty
    return [r.get("hq_seq"), r.get("uid"), r.get("deleted"), *values, r.get("tags") or ()]


def insert_batch(
    db: sqlite_utils.Database,
    batch: list[Any],
    tag_id: dict[str, int],
    village_info: dict[int, tuple[int, int, str, str]],
) -> int:
    """Insert client rows (``ROW_FIELDS``) with their tags and search terms; returns the first new id.

    Call inside ``db.write``: holding the write lock, the ids after the current
    maximum are ours. ``village_info`` maps village id to (id, township id,
    village name, township name). Tombstones are stored, not indexed.
    """
    base = db.conn.execute("SELECT coalesce(max(id), 0) FROM clients").fetchone()[0]
    values, tag_rows, docs = prepare(batch, base + 1, tag_id, village_info)
    cur = db.conn.cursor()
    cur.executemany(_INSERT_SQL, values)
    cur.executemany("INSERT INTO client_tags (client_id, tag_id) VALUES (?, ?)", tag_rows)
    cur.executemany("INSERT INTO client_search (rowid, terms) VALUES (?, ?)", docs)
    return base + 1


def prepare(
    batch: Iterable[Any],
    first_id: int,
    tag_id: dict[str, int],
    village_info: dict[int, tuple[int, int, str, str]],
) -> tuple[list[tuple], list[tuple[int, int]], list[tuple[int, str]]]:
    """``ROW_FIELDS`` rows -> (``clients`` rows, ``client_tags`` rows, search documents), ids from ``first_id``.

    The one place a client's stored and derived columns (name key, tier, flags,
    search terms) are computed for bulk writes; tombstones get no document.
    Pure Python on the calling thread; a first sync calls it once per row.
    """
    now = local_now()
    values: list[tuple] = []
    tag_rows: list[tuple[int, int]] = []
    docs: list[tuple[int, str]] = []
    end = 3 + _N
    # Booleans bind as 0/1 as they are (bool is an int); values passed their kind's checks, so
    # the NOT NULL columns hold values (``row_from_dict`` fills them for rows made here).
    for i, r in enumerate(batch, start=first_id):
        hq_seq, uid, deleted = r[0], r[1], r[2]
        name = r[3 + _NAME]
        tier = int(tier_for_aum(r[3 + _AUM]))
        values.append((i, uid or str(uuid.uuid4()), *r[3:end], name_key(name), tier, 1, now, now, 1 if deleted else 0,
                       hq_seq))
        tags = r[end]
        tids = sorted(tag_id[t] for t in tags) if tags else ()
        for t in tids:
            tag_rows.append((i, t))
        if not deleted:
            vid, tid, vname, tname = village_info[r[3 + _VILLAGE]]
            docs.append((i, client_document(
                name, r[3 + _MOBILE], r[3 + _ID_NUMBER], vid, tid, vname, tname, r[3 + _SEGMENT], tier,
                r[3 + _LIFECYCLE], r[3 + _MANAGER], r[3 + _MB_SIGNED], r[3 + _MB_ACTIVE], r[3 + _CONSENT],
                r[3 + _POTENTIAL], tids,
            )))
    return values, tag_rows, docs


def optimize_search(db: sqlite_utils.Database) -> None:
    """Merge the FTS5 index's segments (after a bulk load: faster queries)."""
    with write(db):
        db.conn.execute("INSERT INTO client_search (client_search) VALUES ('optimize')")
    db.conn.execute("PRAGMA optimize")
