"""The access audit trail: who saw or printed what, unmasked.

Changes are audited by the journal; this table records access that changes
nothing but must be accountable under PIPL and JR/T 0171: revealing an ID or
phone number, printing or exporting unmasked, overriding a credit-code check,
saving a note after confirming the warned words in it (``ACK_WORDING``).
``detail`` never holds the personal data itself (which field, not its value).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from app.store.db import write
from app.store.journal import local_now

REVEAL_ID = "reveal_id_number"
REVEAL_MOBILE = "reveal_mobile"
EXPORT_UNMASKED = "export_unmasked"
PRINT_UNMASKED = "print_unmasked"
CREDIT_CODE_OVERRIDE = "credit_code_override"
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
RESTORE = "restore_backup"
DISCARD_CHANGE = "discard_change"  # a change head office refused, given up by a person
FIX_CHANGE = "fix_change"  # a change head office refused, corrected by a person and sent again (fields, not values)
RESOLVE_CONFLICT = "resolve_conflict"  # a sync conflict decided by a person (which side, never the values)
ACK_WORDING = "ack_wording"  # a note saved with words to use with care, confirmed by a person (the words, not the note)
IMPORT_CLIENTS = "import_clients"  # a spreadsheet imported: counts and the file name, never its rows
IMPORT_METRICS = "import_metrics"  # scenario figures imported from a spreadsheet: counts and the file name
IMPORT_NOMINATIONS = "import_nominations"  # whitelist candidates imported from a spreadsheet: counts and the file name


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    time: str
    staff: str
    action: str
    kind: str | None
    row_uid: str | None
    detail: str


def record(
    db: sqlite_utils.Database,
    *,
    staff: str,
    action: str,
    kind: str | None = None,
    row_uid: str | None = None,
    detail: str = "",
) -> None:
    """Append one audit row in its own transaction unless one is open."""
    sql = "INSERT INTO audit_log (time, staff, action, kind, row_uid, detail) VALUES (?,?,?,?,?,?)"
    args = (local_now(), staff, action, kind, row_uid, detail)
    if db.conn.in_transaction:
        db.conn.execute(sql, args)
    else:
        with write(db):
            db.conn.execute(sql, args)


def for_record(db: sqlite_utils.Database, kind: str, row_uid: str) -> list[AuditEntry]:
    rows = db.conn.execute(
        "SELECT id, time, staff, action, kind, row_uid, detail FROM audit_log"
        " WHERE kind = ? AND row_uid = ? ORDER BY id",
        (kind, row_uid),
    ).fetchall()
    return [AuditEntry(*r) for r in rows]


def recent(db: sqlite_utils.Database, *, limit: int = 100) -> list[AuditEntry]:
    rows = db.conn.execute(
        "SELECT id, time, staff, action, kind, row_uid, detail FROM audit_log"
        " ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [AuditEntry(*r) for r in rows]
