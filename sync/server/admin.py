"""Head office's admin queries: what a branch pushed, its conflicts, its records (no personal data logged)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from sync import protocol as p
from sync.server.base import StoreBase
from sync.server.db import SHARED, changes, conflicts, records


class AdminQueries(StoreBase):
    def pushed(self, branch: str, limit: int = 50) -> list[dict[str, Any]]:
        """What ``branch`` pushed, newest first (kinds, ids, answers)."""
        with self._read() as c:
            rows = c.execute(
                sa.select(changes.c.received_at, changes.c.device_id, changes.c.change_id, changes.c.kind,
                          changes.c.uid, changes.c.op, changes.c.status, changes.c.seq, changes.c.reason)
                .where(changes.c.branch == branch)
                .order_by(changes.c.received_at.desc(), changes.c.seq.desc())
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    def push_counts(self, branch: str) -> dict[str, int]:
        with self._read() as c:
            rows = c.execute(
                sa.select(changes.c.status, sa.func.count()).where(changes.c.branch == branch)
                .group_by(changes.c.status)
            )
            return {r[0]: r[1] for r in rows}

    def conflicts(self, branch: str) -> list[dict[str, Any]]:
        with self._read() as c:
            rows = c.execute(sa.select(conflicts).where(conflicts.c.branch == branch).order_by(conflicts.c.id))
            return [dict(r._mapping) for r in rows]

    def records(self, branch: str, kind: str) -> Iterator[tuple[str, int, bool, dict[str, Any]]]:
        """(uid, seq, deleted, values) of one kind as ``branch`` sees it (tests, reports)."""
        columns = p.KINDS[kind].wire_columns
        with self._read() as c:
            for uid, seq, deleted, data in c.execute(
                sa.select(records.c.uid, records.c.seq, records.c.deleted, records.c.data).where(
                    records.c.kind == kind, records.c.branch.in_((branch, SHARED))
                )
            ):
                yield uid, seq, bool(deleted), dict(zip(columns, json.loads(data), strict=True))
