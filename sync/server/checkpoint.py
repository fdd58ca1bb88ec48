"""Checkpoint: both sides compare, per kind, the count and hash of ``uid:seq`` of what they hold.

What head office holds for a device is the sum over the scopes it reads (a
branch device: its branch and the shared scope; a county device: every branch
of its county too).

Head office keeps each scope's summary up to date as records change
(``sync.server.records``), so confirming a checkpoint reads a few summary rows,
never the records: O(kinds), whatever the size of the branch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from sync import protocol as p
from sync.server.base import StoreBase
from sync.server.db import SHARED, Device, HQError, branches, devices, hq_meta, now, safe_text, summaries
from sync.server.pull import high, scopes_of

RELEASE_KEY = "release"
VERSION = re.compile(r"\d{1,4}(\.\d{1,4}){1,3}")

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
                scopes: Sequence[str] | None = None, app_version: str = "") -> p.CheckpointResponse:
        """Compare the device's per-kind summaries with ours over the scopes it reads (by default
        ``read_scopes(device)``); a match at or past our high seq confirms the sync, and records the
        app version the device runs. The answer says which version IT rolled out."""
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
                values: dict[str, Any] = {"last_confirmed": now(), "last_cursor": cursor}
                if app_version:
                    values["app_version"] = safe_text(app_version, 40)
                c.execute(devices.update().where(devices.c.id == device.id).values(**values))
        names = self.branch_names(scopes) if sum(1 for s in scopes if s != SHARED) > 1 else {}
        return p.CheckpointResponse(confirmed=confirmed, high=top, mismatched=mismatched, scopes=ours,
                                    server_time=now(), release=self.release(), branch_names=names)

    def branch_names(self, codes: Sequence[str]) -> dict[str, str]:
        """The names of the branches among ``codes`` (a county device's scopes), for its screens."""
        with self._read() as c:
            return {code: name or code for code, name in c.execute(
                sa.select(branches.c.code, branches.c.name).where(branches.c.code.in_(list(codes))))}

    def release(self) -> str:
        """The app version IT rolled out to the branches ("" when none is set)."""
        with self._read() as c:
            return c.execute(sa.select(hq_meta.c.value).where(hq_meta.c.key == RELEASE_KEY)).scalar() or ""

    def set_release(self, version: str) -> str:
        """Say which app version IT rolled out ("" withdraws it); every PC learns it at its next sync.
        Raises HQError (400) for something that is not a version number."""
        version = version.strip()
        if version and not VERSION.fullmatch(version):
            raise HQError(f"版本号“{safe_text(version, 40)}”不对：应写作 数字.数字.数字，如 0.2.0。", 400)
        with self.engine.begin() as c:
            c.execute(sa.delete(hq_meta).where(hq_meta.c.key == RELEASE_KEY))
            if version:
                c.execute(hq_meta.insert().values(key=RELEASE_KEY, value=version))
        return version
