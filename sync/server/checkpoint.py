"""Checkpoint: both sides compare, per kind, the count and hash of ``uid:seq`` of what they hold.

What head office holds for a device is the sum over the scopes it reads (a
branch device: its branch and the shared scope; a county device: every branch
of its county too).

Head office keeps each scope's summary up to date as records change
(``sync.server.records``), so confirming a checkpoint reads a few summary rows,
never the records: O(kinds), whatever the size of the branch.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from sync import protocol as p
from sync.server.base import StoreBase
from sync.server.db import Device, devices, now, summaries
from sync.server.pull import high, scopes_of


class CheckpointStore(StoreBase):
    def summaries(self, branch: str, *, scopes: Sequence[str] | None = None) -> tuple[int, dict[str, p.ScopeSummary]]:
        """Per-kind count + hash over what ``branch`` can see, and the high seq. ``scopes``: the scopes
        it reads (``DeviceStore.read_scopes``; by default its own and the shared one)."""
        scopes = scopes_of(branch, scopes)
        totals: dict[str, list[int]] = {}
        with self._read() as c:
            for kind, n, h in c.execute(
                sa.select(summaries.c.kind, summaries.c.count, summaries.c.hash).where(
                    summaries.c.scope.in_(scopes)
                )
            ):
                t = totals.setdefault(kind, [0, 0])
                t[0] += n
                t[1] += int(h, 16)
            top = high(c, branch, scopes)
        return top, {k: p.ScopeSummary(n, p.hash_text(h)) for k, (n, h) in totals.items() if n}

    def confirm(self, device: Device, cursor: int, theirs: dict[str, p.ScopeSummary], *,
                scopes: Sequence[str] | None = None) -> p.CheckpointResponse:
        """Compare the device's per-kind summaries with ours over the scopes it reads (by default
        ``read_scopes(device)``); a match at or past our high seq confirms the sync."""
        if scopes is None:
            scopes = self.read_scopes(device)  # type: ignore[attr-defined]
        top, ours = self.summaries(device.branch, scopes=scopes)
        theirs = {k: v for k, v in theirs.items() if k in p.KINDS and v.count}  # what they send of others is noise
        mismatched = sorted(
            k for k in set(ours) | set(theirs)
            if (ours.get(k) or p.EMPTY_SUMMARY) != (theirs.get(k) or p.EMPTY_SUMMARY)
        )
        confirmed = not mismatched and cursor >= top
        if confirmed:
            with self.engine.begin() as c:
                c.execute(devices.update().where(devices.c.id == device.id)
                          .values(last_confirmed=now(), last_cursor=cursor))
        return p.CheckpointResponse(confirmed=confirmed, high=top, mismatched=mismatched, scopes=ours,
                                    server_time=now())
