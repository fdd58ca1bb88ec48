"""Pull: the records a device may see after a cursor, one page at a time, in O(page).

A branch device sees two scopes: its own records (``branch = b``) and what every
branch sees (``branch = SHARED``); a county device sees every branch of its
county as well (``DeviceStore.read_scopes``). Each scope is read in seq order
straight off an index (``(branch, seq)``, or ``(branch, kind, seq)`` with a
kind filter), at most ``limit + 1`` rows per scope and kind, and the streams are
merged here: no query sorts, and a page costs the same at the start of a
million records as at the end (``tests/sync/test_pull_plans.py`` checks the
plans) -- at most ``(limit + 1) x scopes x kinds`` rows read, whatever the cursor.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import protocol as p
from sync.server.base import StoreBase
from sync.server.db import SHARED, records


@dataclass
class Page:
    cursor: int
    high: int
    more: bool
    kinds: dict[str, tuple[tuple[str, ...], list[str]]]  # kind -> (columns, row JSON texts)
    # for a device that reads several branches (a county's): kind -> branch -> uids of the page's
    # records of that branch, so the device can tell whose each record is (its reports' branch filter)
    branches: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def page_query(scope: str, after: int, limit: int, kind: str | None = None) -> sa.Select[Any]:
    """One scope's records (a branch's, or ``SHARED``) after ``after`` in seq order (the index order)."""
    q = sa.select(records.c.seq, records.c.kind, records.c.uid, records.c.deleted, records.c.data).where(
        records.c.branch == scope, records.c.seq > after
    )
    if kind is not None:
        q = q.where(records.c.kind == kind)
    return q.order_by(records.c.seq).limit(limit)


def high_query(scope: str) -> sa.Select[Any]:
    """The newest seq of one scope: the last entry of its index."""
    return sa.select(sa.func.max(records.c.seq)).where(records.c.branch == scope)


def scopes_of(branch: str, scopes: Iterable[str] | None = None) -> tuple[str, ...]:
    """The scopes to read: ``scopes`` (each once, in order), by default ``branch``'s own and ``SHARED``."""
    return tuple(dict.fromkeys((branch, SHARED) if scopes is None else scopes))


def high(c: Connection, branch: str, scopes: Sequence[str] | None = None) -> int:
    """The newest seq over the scopes read (by default ``branch``'s and ``SHARED``): one index
    lookup each, in one statement."""
    subqueries = [high_query(scope).scalar_subquery() for scope in scopes_of(branch, scopes)]
    return max((x or 0 for x in c.execute(sa.select(*subqueries)).one()), default=0)


class PullStore(StoreBase):
    def pull(
        self, branch: str, after: int, limit: int, kinds: Iterable[str] | None = None,
        uids: Iterable[str] | None = None, *, scopes: Sequence[str] | None = None, whose_only: bool = False,
    ) -> Page:
        """The records ``branch`` may see with seq > ``after``, oldest first, at most ``limit``.

        ``scopes``: the scopes it reads (``DeviceStore.read_scopes``; by default ``branch``
        and ``SHARED``). ``uids`` (with one kind): just those records, whatever their seq
        (a workstation asking again for records it had to set aside).

        With a read replica, the page is read there when the replica holds everything the
        device can see that the database does (their high-water marks of the device's scopes
        agree): a device never reads anything older than what it was told or pushed itself,
        and a checkpoint's full re-read of a kind never stops short. Otherwise (the replica is
        behind for these scopes, down, or fails the read), the database answers.
        """
        kinds = list(kinds or ())
        uids = list(uids or ())
        scopes = scopes_of(branch, scopes)
        # "anything new?": most polls are answered by the scopes' high-water marks alone, in one
        # statement. (Numbers rise in commit order for what a device sees: ``Sequencer``.)
        with self._one_statement() as c:
            top = high(c, branch, scopes)
        if top <= after and not uids:
            return Page(cursor=after, high=top, more=False, kinds={})
        if self._replica_has(lambda c: high(c, branch, scopes) >= top):
            try:
                return self._pull(True, branch, after, limit, kinds, uids, scopes, whose_only)
            except sa.exc.DBAPIError as exc:
                # the replica went away mid-read, or cancelled the read to go on replaying (a
                # conflict with recovery; hot_standby_feedback avoids most): the database answers
                self._replica_failed(exc)
        return self._pull(False, branch, after, limit, kinds, uids, scopes, whose_only)

    def _pull(self, replica: bool, branch: str, after: int, limit: int, kinds: list[str], uids: list[str],
              scopes: tuple[str, ...], whose_only: bool) -> Page:
        several = sum(1 for scope in scopes if scope != SHARED) > 1  # a county device: say whose each record is
        with self._read(replica=replica) as c:
            if uids:
                rows = sorted(c.execute(
                    sa.select(records.c.seq, records.c.kind, records.c.uid, records.c.deleted, records.c.data,
                              records.c.branch).where(
                        records.c.kind == kinds[0], records.c.uid.in_(uids),
                        records.c.branch.in_(scopes),
                    )
                ).all())
            else:
                streams = [
                    [(*r, scope) for r in c.execute(page_query(scope, after, limit + 1, kind)).all()]
                    if several else c.execute(page_query(scope, after, limit + 1, kind)).all()
                    for scope in scopes
                    for kind in (kinds or [None])
                ]
                rows = list(islice(heapq.merge(*streams, key=lambda r: r[0]), limit + 1))
            top = high(c, branch, scopes)
        more = len(rows) > limit
        rows = rows[:limit]
        out: dict[str, tuple[tuple[str, ...], list[str]]] = {}
        whose: dict[str, dict[str, list[str]]] = {}
        dumps = json.dumps
        for seq, kind, uid, deleted, data, *scope in rows:
            if whose_only:
                if several and scope[0] != SHARED:
                    whose.setdefault(kind, {}).setdefault(scope[0], []).append(uid)
                continue
            entry = out.get(kind)
            if entry is None:
                entry = out[kind] = (p.KINDS[kind].wire_columns, [])
            # data is the JSON array of values: splice it instead of re-encoding
            entry[1].append(f"[{seq},{dumps(uid)},{1 if deleted else 0},{data[1:]}")
            if several and scope and scope[0] != SHARED:
                whose.setdefault(kind, {}).setdefault(scope[0], []).append(uid)
        cursor = rows[-1][0] if rows and not uids else after
        return Page(cursor=cursor, high=top, more=more and not uids, kinds=out, branches=whose)
