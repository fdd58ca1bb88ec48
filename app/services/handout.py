"""Writing a distribution plan (uid -> manager) for any list given out to managers: the
whitelist's entries, a campaign's targets. One transaction, each move journaled (so a
reassignment keeps its history), refused whole when any row or manager is not valid.
Runs on the thread that owns ``db``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlite_utils

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Role, Staff, check
from app.store.db import write
from app.store.records import RecordError, Records
from app.store.reference import ReferenceData


def active_managers(ref: ReferenceData) -> list[str]:
    return [s.code for s in ref.staff.values() if s.active and s.role == Role.MANAGER]


class _Refused(Exception):
    def __init__(self, error: FieldError) -> None:
        super().__init__(error.message)
        self.error = error


def write_plan(db: sqlite_utils.Database, kind: str, plan: Mapping[str, str], staff: Staff, ref: ReferenceData,
               *, row_check: Callable[[str], FieldError | None]) -> Result[int]:
    """Give each row of ``kind`` in ``plan`` to its manager. ``row_check(uid)`` refuses a row
    (unknown, no consent…). Returns how many changed hands."""
    denied = check(staff, Action.ASSIGN_WHITELIST)
    if denied:
        return Result.failed(denied)
    valid = set(active_managers(ref))
    bad = sorted({m for m in plan.values() if m not in valid})
    if bad:
        return Result.failed(FieldError("manager", "客户经理", "unknown", f"“{'、'.join(bad)}”不是在岗的客户经理。"))
    recs = Records(db, kind, ref)
    changed = 0
    try:
        with write(db):
            for uid, manager in plan.items():
                refused = row_check(uid)
                if refused is not None:
                    raise _Refused(refused)
                old = recs.get(uid)
                if old is not None and old.values.get("manager") != manager:
                    recs.update(uid, {"manager": manager}, author=staff.code)
                    changed += 1
    except _Refused as exc:
        return Result.failed(exc.error)
    except RecordError as exc:
        return Result.failed(*[FieldError(p.field, p.field, p.code, p.message) for p in exc.problems])
    return Result.done(changed, Changes.of(kind, uids=list(plan)) if changed else Changes())
