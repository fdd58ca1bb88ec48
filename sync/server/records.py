"""The records one push or publish batch touches: read once, changed in memory, written back once.

Shared by publishing (``sync.server.publish``) and pushing (``sync.server.push``).
Runs inside the caller's write transaction, which holds the locks of what it writes
(``Sequencer``): sequence numbers are handed out in commit order. Writing
back also keeps each scope's checkpoint summary (count and hash of ``uid:seq``)
up to date, so a checkpoint never reads the records themselves.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import protocol as p
from sync.server.db import RECORDS_SEQ, SHARED, conflicts, counter, dump, records, summaries
from sync.server.devices import county_of

# PostgreSQL advisory lock namespaces (the first key; the second is the hash of a branch or county)
SHARED_LOCK, BRANCH_LOCK, COUNTY_LOCK = 0x42440001, 0x42440002, 0x42440003


class Sequencer:
    """Sequence numbers for one write transaction, in the order its writes commit for every reader
    that could see them. Numbers are provisional (-1, -2, ...) while the batch is checked and
    applied in memory; ``finish``, just before the writes, makes them real.

    SQLite has one writer at a time (``BEGIN IMMEDIATE``): ``counter`` holds the last seq.
    PostgreSQL has no global lock; a transaction takes advisory locks, released at its commit:
      - at the start, the shared scope's lock, shared (a publish of records every branch sees takes
        it exclusively: it waits for the pushes under way, and pushes that come after it wait for
        it; the lock manager queues them fairly) and, for a branch's records, the branch's lock
        (one batch of a branch at a time: its working set and change ids stay as read);
      - in ``finish``, the lock of the branch's county (a county device reads every branch of its
        county, merged on seq), then the numbers, drawn from ``records_seq``.
    Any two writes one device could see are thus one after the other from numbering to commit, so
    their numbers rise in commit order and a reader paging by ``seq > cursor`` (in one snapshot:
    ``StoreBase._read``) never skips a row that commits later; branches wait for each other only
    for the final writes of a batch in the same county. Locks are taken shared scope, branch,
    county, in that order: no deadlock.
    """

    def __init__(self, c: Connection, scope: str) -> None:
        self.c = c
        self.scope = scope
        self.pg = c.dialect.name == "postgresql"
        self.issued = 0
        if self.pg:
            # one round trip: the batch's lookups use their indexes (statistics or not), then the
            # locks, in the order the select list is evaluated (left to right)
            if scope == SHARED:
                c.execute(_PG_LOCK_SHARED_SCOPE, {"shared": SHARED_LOCK})
            else:
                c.execute(_PG_LOCK_BRANCH, {"shared": SHARED_LOCK, "ns": BRANCH_LOCK, "name": scope})

    def next(self) -> int:
        """A provisional number (negative): made real by ``finish``, in the order handed out."""
        self.issued += 1
        return -self.issued

    def finish(self) -> Callable[[int | None], int | None]:
        """Lock for numbering, draw the real numbers; returns the map from provisional to real (other
        values pass through). Call once, just before the writes."""
        n = self.issued
        if not self.pg:
            last = self.c.execute(sa.select(counter.c.value).where(counter.c.id == 1)).scalar_one()
            if n:
                self.c.execute(counter.update().where(counter.c.id == 1).values(value=last + n))
            real = list(range(last + 1, last + n + 1))
        else:
            if self.scope != SHARED:
                self.c.execute(_PG_LOCK_DOMAIN, {"ns": COUNTY_LOCK, "branch": self.scope,
                                                 "fallback": _fallback_domain(self.scope)})
            real = list(self.c.execute(
                sa.text(f"SELECT nextval('{RECORDS_SEQ}') FROM generate_series(1, :n)"), {"n": n}).scalars()
            ) if n else []

        def to_real(seq: int | None) -> int | None:
            return real[-seq - 1] if seq is not None and seq < 0 else seq

        return to_real


_SEQSCAN_OFF = "set_config('enable_seqscan', 'off', true)"
_PG_LOCK_SHARED_SCOPE = sa.text(f"SELECT {_SEQSCAN_OFF}, pg_advisory_xact_lock(:shared, 0)")
_PG_LOCK_BRANCH = sa.text(f"SELECT {_SEQSCAN_OFF}, pg_advisory_xact_lock_shared(:shared, 0), "
                          "pg_advisory_xact_lock(:ns, hashtext(:name))")
# what guards the numbering of a branch's records, read and locked in one statement: its county
# (as a county device's reads group branches: the ``county`` column, else the code's first six
# digits), else the branch
_PG_LOCK_DOMAIN = sa.text(
    "SELECT pg_advisory_xact_lock(:ns, hashtext(COALESCE("
    "'county:' || NULLIF((SELECT county FROM branches WHERE code = :branch), ''), :fallback)))"
)


def _fallback_domain(branch: str) -> str:
    county = county_of(branch)
    return f"county:{county}" if county else f"branch:{branch}"


@dataclass
class Rec:
    kind: str
    uid: str
    branch: str  # a branch code, or SHARED
    seq: int
    deleted: bool
    data: dict[str, Any]
    old_seq: int | None = None  # the seq it had when read (None: new in this batch)
    dirty: bool = False


class WorkingSet:
    """Records of a batch by (kind, uid), plus the references its changes name. ``branch``: the
    scope the batch writes (a branch code, or ``SHARED``)."""

    def __init__(self, c: Connection, branch: str, keys: Iterable[tuple[str, str]]) -> None:
        self.c = c
        self.branch = branch
        self.recs: dict[tuple[str, str], Rec] = {}
        self.conflicts: list[dict[str, Any]] = []
        self._load(keys)

    def _load(self, keys: Iterable[tuple[str, str]]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for kind, uid in keys:
            if kind in p.KINDS and (kind, uid) not in self.recs:
                wanted[kind].add(uid)
        if self.c.dialect.name == "postgresql":
            pairs = [(kind, uid) for kind, uids in wanted.items() for uid in sorted(uids)]
            found: Iterable[Any] = []
            for n in range(0, len(pairs), 2000):  # every kind in one statement, a probe per record
                chunk = pairs[n : n + 2000]
                found = [*found, *self.c.execute(_PG_RECORDS, {"kinds": [k for k, _ in chunk],
                                                               "uids": [u for _, u in chunk]})]
        else:
            found = [(kind, *row) for kind, uids in wanted.items()
                     for row in lookup(self.c, records, "kind", kind, "uid", sorted(uids),
                                       ("uid", "branch", "seq", "deleted", "data"))]
        for kind, uid, rbranch, seq, deleted, data in found:
            self.recs[(kind, uid)] = Rec(kind, uid, rbranch, seq, bool(deleted),
                                         dict(zip(p.KINDS[kind].wire_columns, json.loads(data), strict=True)),
                                         old_seq=seq)

    def get(self, kind: str, uid: str) -> Rec | None:
        return self.recs.get((kind, uid))

    def visible(self, kind: str, uid: str) -> bool:
        """Does this record exist where the batch's branch can see it?"""
        r = self.recs.get((kind, uid))
        return r is not None and r.branch in (SHARED, self.branch)

    def insert(self, kind: str, uid: str, branch: str, seq: int, data: dict[str, Any],
               deleted: bool = False) -> Rec:
        rec = self.recs[(kind, uid)] = Rec(kind, uid, branch, seq, deleted, data, dirty=True)
        return rec

    def flush(self, stamp: str, by: str, real: Callable[[int | None], int | None] | None = None) -> None:
        """Write changed records, conflicts and the summaries' deltas back (one statement per table,
        each a single multi-row statement on PostgreSQL). ``real``: the Sequencer's map from its
        provisional numbers to the real ones."""
        inserts, updates = [], []
        deltas: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for r in self.recs.values():
            if not r.dirty:
                continue
            if real is not None:
                r.seq = real(r.seq)  # type: ignore[assignment]
            columns = p.KINDS[r.kind].wire_columns
            row = dict(seq=r.seq, deleted=r.deleted, data=dump([r.data.get(col) for col in columns]),
                       updated_at=stamp, updated_by=by)
            d = deltas[(r.branch, r.kind)]
            d[1] += p.record_digest(r.uid, r.seq)
            if r.old_seq is None:
                inserts.append(dict(kind=r.kind, uid=r.uid, branch=r.branch, **row))
                d[0] += 1
            else:
                updates.append(dict(k_kind=r.kind, k_uid=r.uid, **row))
                d[1] -= p.record_digest(r.uid, r.old_seq)
            r.old_seq, r.dirty = r.seq, False
        if inserts:
            insert_rows(self.c, records, inserts)
        if updates:
            _update_records(self.c, updates)
        if self.conflicts:
            insert_rows(self.c, conflicts, self.conflicts)
            self.conflicts = []
        add_to_summaries(self.c, deltas)


_UPDATED = ("seq", "deleted", "data", "updated_at", "updated_by")


def _pg_type(column: sa.Column[Any]) -> str:
    """The PostgreSQL type a column's values are read as from a JSON recordset."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return "boolean"
    if isinstance(t, sa.BigInteger):
        return "bigint"
    if isinstance(t, sa.Integer):
        return "integer"
    return "text"


def _rows_json(rows: list[dict[str, Any]]) -> str:
    """Rows as one JSON parameter: encoded by the json module's C encoder in a fraction of a
    millisecond, where psycopg quotes each element of a text array with a regular expression
    (23 ms for the arrays of a 100-record push)."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


@functools.cache
def _pg_insert(table: sa.Table, names: tuple[str, ...]) -> sa.TextClause:
    fields = ", ".join(f"{n} {_pg_type(table.c[n])}" for n in names)
    listed = ", ".join(names)
    return sa.text(f"INSERT INTO {table.name} ({listed}) SELECT {listed} "
                   f"FROM json_to_recordset(CAST(:rows AS json)) AS v({fields})")


_PG_UPDATE = sa.text(
    "UPDATE records AS r SET " + ", ".join(f"{n} = v.{n}" for n in _UPDATED)
    + " FROM json_to_recordset(CAST(:rows AS json)) AS v(k_kind text, k_uid text, "
    + ", ".join(f"{n} {_pg_type(records.c[n])}" for n in _UPDATED)
    + ") WHERE r.kind = v.k_kind AND r.uid = v.k_uid"
)


@functools.cache
def _pg_lookup(table: str, scope: str, key: str, columns: tuple[str, ...]) -> sa.TextClause:
    # One primary-key probe per key, whatever the statistics say: OFFSET 0 keeps the subquery
    # apart, so it can only be planned as a lookup by both key columns. A plain ``key IN (...)``
    # was planned, while a growing table's statistics were stale, as a scan of the scope with
    # the keys as a filter: 7 ms for a branch with 5,000 changes, growing with every push.
    listed = ", ".join(columns)
    return sa.text(f"SELECT {listed} FROM unnest(CAST(:keys AS text[])) AS k(key) CROSS JOIN LATERAL "
                   f"(SELECT {listed} FROM {table} WHERE {scope} = :scope AND {key} = k.key OFFSET 0) AS t")


_PG_RECORDS = sa.text(
    "SELECT t.* FROM unnest(CAST(:kinds AS text[]), CAST(:uids AS text[])) AS k(kind, uid) CROSS JOIN LATERAL "
    "(SELECT kind, uid, branch, seq, deleted, data FROM records WHERE kind = k.kind AND uid = k.uid OFFSET 0) AS t"
)


def lookup(c: Connection, table: sa.Table, scope: str, scope_value: str, key: str, keys: list[str],
           columns: tuple[str, ...]) -> Iterable[sa.Row[Any]]:
    """The rows of ``table`` whose (``scope``, ``key``) primary key is (``scope_value``, one of
    ``keys``), with ``columns``: on PostgreSQL one probe per key, on SQLite ``IN`` (its planner
    uses the primary key for it)."""
    out: list[sa.Row[Any]] = []
    for n in range(0, len(keys), 2000):
        chunk = keys[n : n + 2000]
        if c.dialect.name == "postgresql":
            out += c.execute(_pg_lookup(table.name, scope, key, columns), {"keys": chunk, "scope": scope_value})
        else:
            out += c.execute(sa.select(*(table.c[x] for x in columns))
                             .where(table.c[scope] == scope_value, table.c[key].in_(chunk)))
    return out


def insert_rows(c: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys): on PostgreSQL as one ``INSERT ... SELECT FROM
    json_to_recordset`` (one statement of fixed text whatever the number of rows, so nothing is
    compiled per batch; an executemany is a statement per row there); on SQLite, in process, an
    executemany."""
    if not rows:
        return
    if c.dialect.name != "postgresql":
        c.execute(table.insert(), rows)
        return
    c.execute(_pg_insert(table, tuple(rows[0])), {"rows": _rows_json(rows)})


def _update_records(c: Connection, updates: list[dict[str, Any]]) -> None:
    """Rewrite records by (kind, uid): on PostgreSQL one ``UPDATE ... FROM json_to_recordset``,
    on SQLite an executemany."""
    if c.dialect.name != "postgresql":
        c.execute(
            records.update()
            .where(records.c.kind == sa.bindparam("k_kind"), records.c.uid == sa.bindparam("k_uid"))
            .values(**{name: sa.bindparam(name) for name in _UPDATED}),
            updates,
        )
        return
    c.execute(_PG_UPDATE, {"rows": _rows_json(updates)})


def add_to_summaries(c: Connection, deltas: dict[tuple[str, str], list[int]]) -> None:
    """Apply (count, hash) deltas per (scope, kind) inside the caller's locked transaction."""
    if not deltas:
        return
    keys = list(deltas)
    current = {
        (scope, kind): (n, int(h, 16))
        for scope, kind, n, h in c.execute(
            sa.select(summaries.c.scope, summaries.c.kind, summaries.c.count, summaries.c.hash).where(
                sa.tuple_(summaries.c.scope, summaries.c.kind).in_(keys)
            )
        )
    }
    ins, upd = [], []
    for key, (dn, dh) in deltas.items():
        n, h = current.get(key, (0, 0))
        row = {"count": n + dn, "hash": p.hash_text(h + dh)}
        if key in current:
            upd.append({"k_scope": key[0], "k_kind": key[1], **row})
        else:
            ins.append({"scope": key[0], "kind": key[1], **row})
    if ins:
        c.execute(summaries.insert(), ins)
    if upd:
        c.execute(
            summaries.update()
            .where(summaries.c.scope == sa.bindparam("k_scope"), summaries.c.kind == sa.bindparam("k_kind"))
            .values(count=sa.bindparam("count"), hash=sa.bindparam("hash")),
            upd,
        )
