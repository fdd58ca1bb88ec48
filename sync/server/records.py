"""The records one push or publish batch touches: read once, changed in memory, written back once.

Shared by publishing (``sync.server.publish``) and pushing (``sync.server.push``).
Runs inside the caller's write transaction, which holds the sequence lock
(``lock_sequence``): sequence numbers are handed out in commit order. Writing
back also keeps each scope's checkpoint summary (count and hash of ``uid:seq``)
up to date, so a checkpoint never reads the records themselves.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import protocol as p
from sync.server.db import SHARED, conflicts, counter, dump, records, summaries


def lock_sequence(c: Connection) -> int:
    """Lock the counter row for this transaction; returns the last seq handed out."""
    c.execute(counter.update().where(counter.c.id == 1).values(value=counter.c.value))
    return c.execute(sa.select(counter.c.value).where(counter.c.id == 1)).scalar_one()


def set_sequence(c: Connection, value: int) -> None:
    c.execute(counter.update().where(counter.c.id == 1).values(value=value))


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
        for kind, uids in wanted.items():
            columns = p.KINDS[kind].wire_columns
            ordered = sorted(uids)
            for n in range(0, len(ordered), 2000):
                for uid, rbranch, seq, deleted, data in self.c.execute(
                    sa.select(records.c.uid, records.c.branch, records.c.seq, records.c.deleted, records.c.data)
                    .where(records.c.kind == kind, records.c.uid.in_(ordered[n : n + 2000]))
                ):
                    self.recs[(kind, uid)] = Rec(kind, uid, rbranch, seq, bool(deleted),
                                                 dict(zip(columns, json.loads(data), strict=True)), old_seq=seq)

    def preload(self, keys: Iterable[tuple[str, str]]) -> None:
        """Read more records (the ones a batch's references name) in one query per kind."""
        self._load(keys)

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

    def flush(self, stamp: str, by: str) -> None:
        """Write changed records, conflicts and the summaries' deltas back (one statement per table)."""
        inserts, updates = [], []
        deltas: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for r in self.recs.values():
            if not r.dirty:
                continue
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
            self.c.execute(records.insert(), inserts)
        if updates:
            self.c.execute(
                records.update()
                .where(records.c.kind == sa.bindparam("k_kind"), records.c.uid == sa.bindparam("k_uid"))
                .values(seq=sa.bindparam("seq"), deleted=sa.bindparam("deleted"), data=sa.bindparam("data"),
                        updated_at=sa.bindparam("updated_at"), updated_by=sa.bindparam("updated_by")),
                updates,
            )
        if self.conflicts:
            self.c.execute(conflicts.insert(), self.conflicts)
            self.conflicts = []
        add_to_summaries(self.c, deltas)


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
