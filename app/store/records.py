"""Records of any declared kind in their local table: read by uid, and written with a journal row.

The client book has its own repository (``app.store.clients``: search index,
tags, derived sort columns); every other kind is stored the same way, so it is
handled here, from its declaration (``app.store.kinds``). Values go in and come
out in wire form (JSON values: references as codes or uids, dates as ISO
text), which is also what the journal records and sync pushes.

Writes run inside ``db.write(db)``: the row and its journal row in the
caller's transaction. Values are checked against the declaration and the
shared ownership rules first (``sync.protocol.schema``), the same checks head
office runs, so nothing is journaled that head office would refuse for a
value or an ownership reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.store import journal
from app.store.kinds import Table, table, to_stored, to_wire
from app.store.reference import ReferenceData
from sync.protocol import KINDS
from sync.protocol.schema import DELETE, INSERT, UPDATE, Problem, branch_change_problem, branch_ref_problem


@dataclass(frozen=True)
class StoredRecord:
    """One record as this PC holds it: wire values plus bookkeeping."""

    id: int
    uid: str
    values: dict[str, Any]  # wire names and values
    hq_seq: int | None
    version: int
    deleted: bool


class RecordError(Exception):
    """A write refused before anything was written; ``problems`` name the fields."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("；".join(p.message for p in problems))
        self.problems = problems


class Records:
    """The local table of one kind (not clients) over one connection. Runs on the connection's thread."""

    def __init__(self, db: sqlite_utils.Database, kind: str, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.table: Table = table(kind)
        if kind == "client" or self.table.key != "uid":
            raise ValueError(f"{kind} has a repository of its own")
        self.kind = self.table.kind
        self._ref = ref

    @property
    def ref(self) -> ReferenceData:
        if self._ref is None:
            self._ref = ReferenceData(self.db)
        return self._ref

    # --- reading -------------------------------------------------------------------------

    def _select(self) -> str:
        return f"SELECT id, uid, hq_seq, version, deleted, {', '.join(self.table.local_names)} FROM {self.table.name}"

    def _record(self, row: tuple) -> StoredRecord:
        rid, uid, seq, version, deleted, *values = row
        wire = {}
        for col, v in zip(self.table.columns, values, strict=True):
            if col.local_ref:
                wire[col.name] = self.ref.code_of(col.ref, v) if v is not None else None  # type: ignore[arg-type]
            else:
                wire[col.name] = to_wire(col, v)
        return StoredRecord(rid, uid, wire, seq, version, bool(deleted))

    def get(self, uid: str, *, include_deleted: bool = False) -> StoredRecord | None:
        row = self.db.conn.execute(f"{self._select()} WHERE uid = ?", (uid,)).fetchone()
        rec = self._record(row) if row else None
        return None if rec is None or (rec.deleted and not include_deleted) else rec

    def all(self, *, include_deleted: bool = False) -> Iterator[StoredRecord]:
        where = "" if include_deleted else " WHERE deleted = 0"
        for row in self.db.conn.execute(f"{self._select()}{where} ORDER BY id"):
            yield self._record(row)

    # --- writing (inside db.write) ----------------------------------------------------------

    def _stored(self, values: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for name, v in values.items():
            col = self.kind.by_name[name]
            if col.local_ref and v is not None:
                local = self.ref.id_of(col.ref).get(v)  # type: ignore[arg-type]
                if local is None:
                    raise RecordError([Problem(name, "unknown", f"{col.label}“{v}”在本机不存在。")])
                v = local
            out[col.local_name] = to_stored(col, v)
        return out

    def _check(self, op: str, values: Mapping[str, Any], current: Mapping[str, Any] | None) -> None:
        problems = self.kind.problems(values, insert=op == INSERT) if op != DELETE else []
        owner = branch_change_problem(self.kind, op, values, current)
        if owner is not None:
            problems.append(owner)
        elif op != DELETE:
            own = branch_ref_problem(self.kind, values, KINDS.__getitem__, self._referenced)
            if own is not None:
                problems.append(own)
        if problems:
            raise RecordError(problems)

    def _referenced(self, kind: str, uid: str) -> dict[str, Any] | None:
        """A record this PC holds, by uid (for the own-reference rule)."""
        if kind == "client" or table(kind).key != "uid":
            return None
        rec = Records(self.db, kind, self._ref).get(uid)
        return rec.values if rec is not None else None

    def insert(self, values: Mapping[str, Any], *, author: str, uid: str | None = None) -> StoredRecord:
        """A new record made at this branch (wire values); journaled for sync."""
        full = self.kind.complete(values)
        for col in self.kind.columns:
            if col.branch_value is not None:
                full[col.name] = col.branch_value
        self._check(INSERT, full, None)
        uid = uid or str(uuid.uuid4())
        now = journal.local_now()
        stored = self._stored(full)
        cols = ["uid", *stored, "version", "created_at", "updated_at"]
        cur = self.db.conn.execute(
            f"INSERT INTO {self.table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [uid, *stored.values(), 1, now, now],
        )
        journal.record(self.db, kind=self.kind.name, row_uid=uid, row_id=cur.lastrowid, op=INSERT, before={},
                       after=full, author=author, base_seq=None)
        rec = self.get(uid)
        assert rec is not None
        return rec

    def update(self, uid: str, changes: Mapping[str, Any], *, author: str,
               expected_version: int | None = None) -> StoredRecord:
        """Change some columns (wire values); journals the difference. Unknown uid: LookupError."""
        old = self.get(uid)
        if old is None:
            raise LookupError(uid)
        if expected_version is not None and old.version != expected_version:
            raise RecordError([Problem("version", "stale", "这条记录已被他人修改，请刷新后重新编辑。")])
        diff = {k: v for k, v in changes.items() if old.values.get(k) != v}
        if not diff:
            return old
        self._check(UPDATE, diff, old.values)
        stored = self._stored(diff)
        sets = ", ".join(f"{c} = ?" for c in stored)
        self.db.conn.execute(
            f"UPDATE {self.table.name} SET {sets}, version = version + 1, updated_at = ? WHERE id = ?",
            [*stored.values(), journal.local_now(), old.id],
        )
        journal.record(self.db, kind=self.kind.name, row_uid=uid, row_id=old.id, op=UPDATE,
                       before={k: old.values.get(k) for k in diff}, after=diff, author=author, base_seq=old.hq_seq)
        rec = self.get(uid)
        assert rec is not None
        return rec

    def delete(self, uid: str, *, author: str) -> StoredRecord:
        """Tombstone: the row stays (deleted = 1) so the deletion syncs."""
        old = self.get(uid)
        if old is None:
            raise LookupError(uid)
        self._check(DELETE, {}, old.values)
        self.db.conn.execute(
            f"UPDATE {self.table.name} SET deleted = 1, version = version + 1, updated_at = ? WHERE id = ?",
            (journal.local_now(), old.id),
        )
        journal.record(self.db, kind=self.kind.name, row_uid=uid, row_id=old.id, op=DELETE, before=old.values,
                       after={"deleted": True}, author=author, base_seq=old.hq_seq)
        rec = self.get(uid, include_deleted=True)
        assert rec is not None
        return rec
