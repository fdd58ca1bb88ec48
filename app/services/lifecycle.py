"""Applying the lifecycle rules (``app.core.lifecycle``): on a contact, and on the calendar
(``branchdesk lifecycle run``, or the app's daily pass). Each move is a journaled client
update whose author is the rule, so it syncs and the History tab names the rule. Runs on
the thread that owns ``db``; inside the caller's transaction when there is one.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from app.core.client import Lifecycle
from app.core.lifecycle import LifecycleRules, Move, on_calendar, on_contact, rule_author
from app.core.result import Changes, Result
from app.store.clients import ClientRepository
from app.store.db import write
from app.store.reference import ReferenceData


def apply(db: sqlite_utils.Database, moves: list[Move], ref: ReferenceData | None = None) -> int:
    """Write the moves (each journaled with its rule as author). Returns how many."""
    repo = ClientRepository(db, ref or ReferenceData(db))
    with write(db):
        for m in moves:
            repo.update(m.client_id, {"lifecycle": m.new}, author=rule_author(m.rule))
    return len(moves)


def after_contact(db: sqlite_utils.Database, client_id: int, ref: ReferenceData | None = None) -> Move | None:
    """The move a contact triggers, written (call inside the contact's transaction)."""
    row = db.conn.execute("SELECT lifecycle FROM clients WHERE id = ? AND deleted = 0", (client_id,)).fetchone()
    if row is None:
        return None
    move = on_contact(client_id, Lifecycle(row[0]))
    if move is not None:
        apply(db, [move], ref)
    return move


def calendar_moves(db: sqlite_utils.Database, today: date, rules: LifecycleRules) -> list[Move]:
    """What the calendar moves today (nothing written): clients in 蜜月期 / 成熟 / 挽回 only."""
    quiet_since = today.toordinal() - rules.quiet_days
    honeymoon_end = today.toordinal() - rules.honeymoon_days
    rows = db.conn.execute(
        """SELECT c.id, c.lifecycle, c.last_contact,
                  (SELECT min(k.date) FROM contacts k WHERE k.client_uid = c.uid AND k.deleted = 0)
             FROM clients c
            WHERE c.deleted = 0 AND c.lifecycle IN ('honeymoon', 'mature', 'recovered')""").fetchall()
    out = []
    for cid, stage, last, first in rows:
        last_d = date.fromisoformat(last) if last else None
        first_d = date.fromisoformat(first) if first else last_d
        if (last_d is None or last_d.toordinal() >= quiet_since) and (
                stage != "honeymoon" or first_d is None or first_d.toordinal() > honeymoon_end):
            continue
        move = on_calendar(cid, Lifecycle(stage), first_contact=first_d, last_contact=last_d, today=today,
                           rules=rules)
        if move is not None:
            out.append(move)
    return out


def run_calendar(db: sqlite_utils.Database, today: date, rules: LifecycleRules, *, dry_run: bool = False
                 ) -> Result[list[Move]]:
    moves = calendar_moves(db, today, rules)
    if dry_run or not moves:
        return Result.done(moves)
    apply(db, moves)
    return Result.done(moves, Changes.of("client"))
