"""The branch side of sync in the local store: cursor, pulled records, conflicts, sync log.

Everything here runs on the calling thread's connection. Functions that write
say so and expect the caller to hold ``db.write`` (one transaction per pulled
page, cursor included), so an interrupted sync keeps whole pages only.

Records arrive in protocol form (``sync.protocol``): a kind, a uid, the server
sequence, a tombstone flag and the kind's columns. Clients go into ``clients``
(with ``hq_seq``); townships, villages, staff and tags are materialised into
their tables and mirrored in ``sync_records``; every other kind (whitelist,
campaigns, field work...) lives in ``sync_records`` until its screen exists.
A record with unsent local changes is never overwritten: it is recorded as a
pull conflict instead, and arrives again after the local change is pushed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.store import bulk
from app.store.db import write
from app.store.journal import SYNC_PENDING, local_now
from app.store.reference import ReferenceData, meta_get, meta_set

CURSOR_KEY = "sync.cursor"
_CHUNK = 900

# Columns of ``clients`` a pulled record sets (bulk insert order minus uid/created_at/version),
# and where each sits in a row ``bulk.prepare`` makes (+1: the id comes first).
_INSERT_COLS = [c.strip() for c in bulk._INSERT_COLS.split(",")]
_UPDATE_COLS = [c for c in _INSERT_COLS if c not in ("uid", "created_at", "version")]
_UPDATE_POS = [_INSERT_COLS.index(c) + 1 for c in _UPDATE_COLS]


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def get_cursor(db: sqlite_utils.Database) -> int:
    return int(meta_get(db, CURSOR_KEY, "0") or 0)


def set_cursor(db: sqlite_utils.Database, cursor: int) -> None:
    """Save the pull cursor (inside the page's transaction)."""
    meta_set(db, CURSOR_KEY, str(int(cursor)))


def client_book_empty(db: sqlite_utils.Database) -> bool:
    return db.conn.execute("SELECT 1 FROM clients LIMIT 1").fetchone() is None


def pending_keys(db: sqlite_utils.Database) -> set[tuple[str, str]]:
    """(kind, uid) of every record with unsent local changes."""
    return {
        (k, u)
        for k, u in db.conn.execute(
            "SELECT DISTINCT kind, row_uid FROM journal WHERE sync_state = ?", (SYNC_PENDING,)
        )
    }


@dataclass
class PageResult:
    applied: int = 0
    deferred: int = 0  # not applied: local unsent changes (kept as pull conflicts)
    problems: int = 0  # not applied: refers to something this workstation does not have


def apply_page(
    db: sqlite_utils.Database,
    kinds: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
    *,
    pending: set[tuple[str, str]],
    fresh: bool = False,
) -> PageResult:
    """Apply one pulled page, kinds in dependency order: (kind, columns, rows of [seq, uid, deleted, *values]).

    Call inside ``db.write``. ``pending`` is ``pending_keys(db)``. ``fresh``: a
    first sync into an empty client book (every client in the page is new).
    """
    result = PageResult()
    for kind, columns, rows in kinds:
        if not rows:
            continue
        keep = []
        for row in rows:
            if (kind, row[1]) in pending:
                add_conflict(
                    db, side="pull", kind=kind, row_uid=row[1], server_seq=row[0],
                    server_value=_dumps(dict(zip(columns, row[3:], strict=True))),
                    note="本地有尚未上传的修改，未用总行数据覆盖；上传后会再次同步。",
                )
                db.conn.execute("INSERT OR IGNORE INTO sync_deferred (kind, uid) VALUES (?, ?)", (kind, row[1]))
                result.deferred += 1
            else:
                keep.append(row)
        if not fresh and keep and db.conn.execute("SELECT 1 FROM sync_deferred LIMIT 1").fetchone():
            clear_deferred(db, kind, [r[1] for r in keep])  # arrived again: no longer set aside
        if kind == "client":
            applied, problems = _apply_clients(db, columns, keep, fresh=fresh)
            result.applied += applied
            result.problems += problems
            continue
        _mirror(db, kind, columns, keep)
        if kind in _MATERIALISE:
            _MATERIALISE[kind](db, columns, keep)
        result.applied += len(keep)
    return result


def _mirror(db: sqlite_utils.Database, kind: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    db.conn.executemany(
        "INSERT INTO sync_records (kind, uid, seq, deleted, data) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(kind, uid) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted, data = excluded.data",
        [(kind, r[1], r[0], int(bool(r[2])), _dumps(dict(zip(columns, r[3:], strict=True)))) for r in rows],
    )


def _townships(db: sqlite_utils.Database, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    i = {c: n + 3 for n, c in enumerate(columns)}
    db.conn.executemany(
        "INSERT INTO townships (code, name) VALUES (?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name",
        [(r[i["code"]], r[i["name"]]) for r in rows],
    )


def _villages(db: sqlite_utils.Database, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    i = {c: n + 3 for n, c in enumerate(columns)}
    town = dict(db.conn.execute("SELECT code, id FROM townships"))
    db.conn.executemany(
        "INSERT INTO villages (township_id, code, name, groups) VALUES (?, ?, ?, ?) ON CONFLICT(code) DO UPDATE"
        " SET township_id = excluded.township_id, name = excluded.name, groups = excluded.groups",
        [(town[r[i["township"]]], r[i["code"]], r[i["name"]], int(r[i["groups"]] or 0)) for r in rows],
    )


def _staff(db: sqlite_utils.Database, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    i = {c: n + 3 for n, c in enumerate(columns)}
    db.conn.executemany(
        "INSERT INTO staff (code, name, role, active, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE"
        " SET name = excluded.name, role = excluded.role, active = excluded.active, updated_at = excluded.updated_at",
        [
            (r[i["code"]], r[i["name"]], r[i["role"]], int(bool(r[i["active"]]) and not r[2]), local_now())
            for r in rows
        ],
    )


def _tags(db: sqlite_utils.Database, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    i = {c: n + 3 for n, c in enumerate(columns)}
    db.conn.executemany(
        "INSERT INTO tags (code, name, source, category, deleted) VALUES (?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE"
        " SET name = excluded.name, source = excluded.source, category = excluded.category,"
        " deleted = excluded.deleted",
        [(r[i["code"]], r[i["name"]], r[i["source"]], r[i["category"]] or "", int(bool(r[2]))) for r in rows],
    )


_MATERIALISE = {"township": _townships, "village": _villages, "staff": _staff, "tag": _tags}


# A pulled client row is [seq, uid, deleted, *values in the page's column order]. In the
# protocol's column order it becomes a ``bulk.ROW_FIELDS`` row by one slice and three
# substitutions (village and manager codes -> local ids, hq + branch tags -> tags).
_WIRE_COLUMNS = (
    *({"village_id": "village", "manager_id": "manager"}.get(f, f) for f in bulk.ROW_FIELDS[3:-1]),
    "hq_tags",
    "branch_tags",
)
_VILLAGE = bulk.ROW_FIELDS.index("village_id")
_MANAGER = bulk.ROW_FIELDS.index("manager_id")


def _apply_clients(
    db: sqlite_utils.Database, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, fresh: bool = False
) -> tuple[int, int]:
    """Insert or overwrite clients from wire rows; returns (applied, problems)."""
    if not rows:
        return 0, 0
    ref = ReferenceData(db)
    village_id = {code: v.id for code, v in ref.village_by_code.items()}
    staff_id = {code: s.id for code, s in ref.staff_by_code.items()}
    tag_id, village_info = bulk.lookups(ref)
    existing: dict[str, int] = {}
    uids = [] if fresh else [r[1] for r in rows]
    for n in range(0, len(uids), _CHUNK):
        part = uids[n : n + _CHUNK]
        existing.update(
            db.conn.execute(f"SELECT uid, id FROM clients WHERE uid IN ({','.join('?' * len(part))})", part)
        )
    if tuple(columns) != _WIRE_COLUMNS:  # another column order (or a missing column): put it in ours
        pos = {c: n + 3 for n, c in enumerate(columns)}
        rows = [[*r[:3], *(r[pos[c]] if c in pos else None for c in _WIRE_COLUMNS)] for r in rows]
    new: list[list[Any]] = []
    changed: list[tuple[int, list[Any]]] = []
    problems = 0
    for r in rows:
        row = list(r[:-1])  # without branch_tags; hq_tags' place becomes the tags
        vid = village_id.get(row[_VILLAGE])
        if vid is None:
            add_conflict(
                db, side="pull", kind="client", row_uid=r[1], server_seq=r[0],
                note=f"总行数据中的所属村“{row[_VILLAGE]}”在本机不存在，未能写入。",
            )
            problems += 1
            continue
        row[_VILLAGE] = vid
        manager = row[_MANAGER]
        row[_MANAGER] = staff_id.get(manager) if manager else None
        hq_tags, branch_tags = r[-2], r[-1]
        if branch_tags:
            hq_tags = [*(hq_tags or ()), *branch_tags]
        row[-1] = [t for t in hq_tags if t in tag_id] if hq_tags else ()
        row_id = existing.get(r[1])
        if row_id is None:
            new.append(row)
        else:
            changed.append((row_id, row))
    if new:
        bulk.insert_batch(db, new, tag_id, village_info)
    if changed:
        _overwrite(db, changed, tag_id, village_info)
    return len(new) + len(changed), problems


# Columns compared to tell "head office sent back what we already have" (our own
# pushed change, echoed by the pull) from a real change.
_SAME_COLS = [c for c in _UPDATE_COLS if c not in ("updated_at", "hq_seq")]
_SAME_POS = [_INSERT_COLS.index(c) + 1 for c in _SAME_COLS]
_SEQ_POS = _INSERT_COLS.index("hq_seq") + 1


def _overwrite(
    db: sqlite_utils.Database,
    changed: list[tuple[int, list[Any]]],
    tag_id: dict[str, int],
    village_info: dict[int, tuple[int, int, str, str]],
) -> None:
    """Overwrite existing clients with pulled values. Rows whose values (and tags) are
    already what head office sent only get the new ``hq_seq``: no index churn."""
    current: dict[int, tuple] = {}
    current_tags: dict[int, set[int]] = {}
    all_ids = [row_id for row_id, _d in changed]
    for n in range(0, len(all_ids), _CHUNK):
        part = all_ids[n : n + _CHUNK]
        marks = ",".join("?" * len(part))
        for row in db.conn.execute(f"SELECT id, {', '.join(_SAME_COLS)} FROM clients WHERE id IN ({marks})", part):
            current[row[0]] = tuple(row[1:])
        for client_id, tag in db.conn.execute(
            f"SELECT client_id, tag_id FROM client_tags WHERE client_id IN ({marks})", part
        ):
            current_tags.setdefault(client_id, set()).add(tag)
    sql = f"UPDATE clients SET {', '.join(f'{c} = ?' for c in _UPDATE_COLS)}, version = version + 1 WHERE id = ?"
    updates, seq_only, tag_rows, docs, ids = [], [], [], [], []
    for row_id, row in changed:
        values, tags, terms = bulk.prepare([row], row_id, tag_id, village_info)
        v = values[0]
        if current.get(row_id) == tuple(v[p] for p in _SAME_POS) and current_tags.get(row_id, set()) == {
            t for _i, t in tags
        }:
            seq_only.append((v[_SEQ_POS], row_id))
            continue
        updates.append([v[p] for p in _UPDATE_POS] + [row_id])
        tag_rows.extend(tags)
        docs.extend(terms)  # none for a tombstone
        ids.append((row_id,))
    cur = db.conn.cursor()
    cur.executemany("UPDATE clients SET hq_seq = ? WHERE id = ?", seq_only)
    cur.executemany(sql, updates)
    cur.executemany("DELETE FROM client_tags WHERE client_id = ?", ids)
    cur.executemany("INSERT INTO client_tags (client_id, tag_id) VALUES (?, ?)", tag_rows)
    cur.executemany("DELETE FROM client_search WHERE rowid = ?", ids)
    cur.executemany("INSERT INTO client_search (rowid, terms) VALUES (?, ?)", docs)


def deferred_ready(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Set-aside records whose local changes have all gone up: to be asked for again, by kind."""
    out: dict[str, list[str]] = {}
    for kind, uid in db.conn.execute(
        "SELECT d.kind, d.uid FROM sync_deferred d WHERE NOT EXISTS (SELECT 1 FROM journal j"
        " WHERE j.kind = d.kind AND j.row_uid = d.uid AND j.sync_state = ?) ORDER BY d.kind, d.uid",
        (SYNC_PENDING,),
    ):
        out.setdefault(kind, []).append(uid)
    return out


def clear_deferred(db: sqlite_utils.Database, kind: str, uids: Sequence[str]) -> None:
    """Forget set-aside records that have been fetched again (inside the page's transaction)."""
    db.conn.executemany("DELETE FROM sync_deferred WHERE kind = ? AND uid = ?", [(kind, u) for u in uids])


# --- checkpoint -------------------------------------------------------------------------


def local_items(db: sqlite_utils.Database) -> dict[str, list[tuple[str, int]]]:
    """(uid, server seq) of every record this workstation holds from head office, by kind."""
    out: dict[str, list[tuple[str, int]]] = {}
    clients = db.conn.execute(
        "SELECT uid, hq_seq FROM clients INDEXED BY clients_sync WHERE hq_seq IS NOT NULL ORDER BY uid"
    ).fetchall()
    if clients:
        out["client"] = clients
    for kind, uid, seq in db.conn.execute("SELECT kind, uid, seq FROM sync_records"):
        out.setdefault(kind, []).append((uid, seq))
    return out


def forget_missing(db: sqlite_utils.Database, kind: str, server_uids: set[str]) -> int:
    """After a full re-pull of ``kind``: drop mirrored records head office no longer has.

    Clients are never dropped, only detached (``hq_seq`` cleared), so nothing is lost.
    Call inside ``db.write``. Returns how many were affected.
    """
    if kind == "client":
        ids = [
            row_id
            for row_id, uid in db.conn.execute("SELECT id, uid FROM clients WHERE hq_seq IS NOT NULL")
            if uid not in server_uids
        ]
        db.conn.executemany("UPDATE clients SET hq_seq = NULL WHERE id = ?", [(i,) for i in ids])
        return len(ids)
    held = db.conn.execute("SELECT uid FROM sync_records WHERE kind = ?", (kind,)).fetchall()
    gone = [u for (u,) in held if u not in server_uids]
    db.conn.executemany("DELETE FROM sync_records WHERE kind = ? AND uid = ?", [(kind, u) for u in gone])
    return len(gone)


# --- conflicts ----------------------------------------------------------------------------


def add_conflict(
    db: sqlite_utils.Database,
    *,
    side: str,
    kind: str,
    row_uid: str,
    change_id: str | None = None,
    field: str | None = None,
    base_value: str | None = None,
    local_value: str | None = None,
    server_value: str | None = None,
    server_seq: int | None = None,
    note: str = "",
) -> None:
    """Keep both sides of a conflict for a person to review (inside a transaction)."""
    db.conn.execute(
        "INSERT INTO sync_conflicts (time, side, kind, row_uid, change_id, field, base_value, local_value,"
        " server_value, server_seq, note) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (local_now(), side, kind, row_uid, change_id, field, base_value, local_value, server_value, server_seq, note),
    )


@dataclass(frozen=True)
class ConflictRow:
    id: int
    time: str
    side: str
    kind: str
    row_uid: str
    change_id: str | None
    field: str | None
    base_value: str | None
    local_value: str | None
    server_value: str | None
    server_seq: int | None
    note: str


def open_conflicts(db: sqlite_utils.Database) -> list[ConflictRow]:
    rows = db.conn.execute(
        "SELECT id, time, side, kind, row_uid, change_id, field, base_value, local_value, server_value,"
        " server_seq, note FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY id"
    ).fetchall()
    return [ConflictRow(*r) for r in rows]


# --- sync log -------------------------------------------------------------------------------


def log_start(db: sqlite_utils.Database) -> int:
    """A new sync_log row (own transaction); earlier rows left 'running' by a crash become 'interrupted'."""
    with write(db):
        db.conn.execute(
            "UPDATE sync_log SET status = 'interrupted', ended_at = coalesce(ended_at, ?) WHERE status = 'running'",
            (local_now(),),
        )
        cur = db.conn.execute("INSERT INTO sync_log (started_at, status) VALUES (?, 'running')", (local_now(),))
    return int(cur.lastrowid)


LOG_FIELDS = (
    "status", "pushed", "acked", "conflicts", "quarantined", "pulled", "bytes_up", "bytes_down", "cursor",
    "server_time", "skew_seconds", "error",
)


def log_update(db: sqlite_utils.Database, log_id: int, *, end: bool = False, **values: Any) -> None:
    """Update the run's log row (own transaction)."""
    values = {k: v for k, v in values.items() if k in LOG_FIELDS}
    if end:
        values["ended_at"] = local_now()
    if not values:
        return
    with write(db):
        db.conn.execute(
            f"UPDATE sync_log SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?", [*values.values(), log_id]
        )


def recent_log(db: sqlite_utils.Database, limit: int = 20) -> list[dict[str, Any]]:
    cur = db.conn.execute(f"SELECT * FROM sync_log ORDER BY id DESC LIMIT {int(limit)}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def mirrored(db: sqlite_utils.Database, kind: str) -> Iterable[tuple[str, int, bool, dict[str, Any]]]:
    """(uid, seq, deleted, values) of the mirrored records of one kind."""
    for uid, seq, deleted, data in db.conn.execute(
        "SELECT uid, seq, deleted, data FROM sync_records WHERE kind = ? ORDER BY uid", (kind,)
    ):
        yield uid, seq, bool(deleted), json.loads(data)
