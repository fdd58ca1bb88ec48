"""The branch side of sync in the local store: cursor, pulled records, checkpoint summaries, conflicts, log.

Everything here runs on the calling thread's connection. Functions that write
say so and expect the caller to hold ``db.write`` (one transaction per pulled
page, cursor included), so an interrupted sync keeps whole pages only.

Records arrive in protocol form (``sync.protocol``): a kind, a uid, the server
sequence, a tombstone flag and the kind's columns, named in the page. Each kind
goes into its own table (``app.store.kinds``): columns are matched by name, so
a page from a newer head office with a column this PC does not know, or
without one it does, still applies. Every record is checked against its kind's
declaration first; one that breaks it is set aside in ``sync_rejected`` with
the reason (and counts as held, so the checkpoint still confirms), and the
rest of the page applies. A record with unsent local changes is never
overwritten: it is recorded as a pull conflict instead, and arrives again
after the local change is pushed.

The checkpoint compares per-kind counts and hashes of (uid, seq): this PC keeps
its side in ``sync_summary``, updated with every record applied (O(1) each),
so a checkpoint never reads the records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from app.store import bulk
from app.store.db import write
from app.store.journal import SYNC_ACKED, SYNC_CONFLICT, SYNC_PENDING, local_now
from app.store.kinds import Table, table, to_stored, to_wire
from app.store.reference import ReferenceData, meta_get, meta_set
from app.store.search import client_document
from sync import protocol as p
from sync.protocol.schema import Creator, Kind, Owner

CURSOR_KEY = "sync.cursor"
_CHUNK = 900


RELEASE_KEY = "hq_release"  # meta: the app version head office says IT rolled out ("" none)
BRANCH_NAMES_KEY = "hq_branch_names"  # meta: a county device's branches, {code: name} as JSON
WHOSE_DONE_KEY = "record_branch_filled"  # meta: a county device has asked whose its older records are
# the kinds whose branch a county device keeps apart (its reports filter clients and scenarios by branch)
WHOSE_KINDS = ("client", "scenario")

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


def _chunks(items: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


# --- checkpoint summaries -----------------------------------------------------------------


class Summaries:
    """Changes to the per-kind (count, hash) of held records, gathered over a page, saved once."""

    def __init__(self) -> None:
        self.delta: dict[str, list[int]] = {}

    def replace(self, kind: str, uid: str, old: int | None, new: int | None) -> None:
        """Record ``uid`` moving from server seq ``old`` to ``new`` (None: not held)."""
        if old == new:
            return
        d = self.delta.get(kind)
        if d is None:
            d = self.delta[kind] = [0, 0]
        if old is not None:
            d[0] -= 1
            d[1] -= p.record_digest(uid, old)
        if new is not None:
            d[0] += 1
            d[1] += p.record_digest(uid, new)

    def save(self, db: sqlite_utils.Database) -> None:
        """Add the deltas to ``sync_summary`` (inside the page's transaction)."""
        for kind, (dn, dh) in self.delta.items():
            row = db.conn.execute("SELECT count, hash FROM sync_summary WHERE kind = ?", (kind,)).fetchone()
            n, h = (row[0], int(row[1], 16)) if row else (0, 0)
            db.conn.execute(
                "INSERT INTO sync_summary (kind, count, hash) VALUES (?, ?, ?) ON CONFLICT(kind) DO UPDATE"
                " SET count = excluded.count, hash = excluded.hash",
                (kind, n + dn, p.hash_text(h + dh)),
            )
        self.delta = {}


def local_summaries(db: sqlite_utils.Database) -> dict[str, p.ScopeSummary]:
    """What this PC holds from head office, per kind: the checkpoint's side of the comparison."""
    return {
        kind: p.ScopeSummary(n, h)
        for kind, n, h in db.conn.execute("SELECT kind, count, hash FROM sync_summary WHERE count > 0")
    }


def held(db: sqlite_utils.Database, kind: str) -> dict[str, int]:
    """uid -> server seq of every record of ``kind`` this PC holds (rejected versions win)."""
    t = table(kind)
    out = dict(db.conn.execute(f"SELECT {t.key}, hq_seq FROM {t.name} WHERE hq_seq IS NOT NULL"))
    out.update(db.conn.execute("SELECT uid, seq FROM sync_rejected WHERE kind = ?", (kind,)))
    return out


def rebuild_summaries(db: sqlite_utils.Database, kinds: Iterable[str] | None = None) -> None:
    """Recompute the summaries from the tables (after a migration, a re-pull, or to repair)."""
    for kind in kinds or p.KINDS.names:
        s = p.scope_summary(held(db, kind).items())
        db.conn.execute(
            "INSERT INTO sync_summary (kind, count, hash) VALUES (?, ?, ?) ON CONFLICT(kind) DO UPDATE"
            " SET count = excluded.count, hash = excluded.hash",
            (kind, s.count, s.hash),
        )


# --- applying a page ----------------------------------------------------------------------


@dataclass
class PageResult:
    applied: int = 0
    deferred: int = 0  # not applied: local unsent changes (kept as pull conflicts)
    rejected: int = 0  # not applied: broke the kind's declaration, or names what this PC lacks
    ignored: int = 0  # kinds this version does not know (a newer head office)
    conflicts: int = 0  # applied, but head office's value replaced one this branch had set (kept for review)
    reasons: list[str] = field(default_factory=list)  # a few rejection reasons, for the report


def conform(kind: Kind, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    """Rows as [seq, uid, deleted, *values in the declared column order], matched by column name.

    A column the page lacks gets its empty value; one this version does not declare is dropped.
    """
    want = kind.wire_columns
    if tuple(columns) == want:
        return list(rows)
    pos = {c: n + 3 for n, c in enumerate(columns)}
    empty = [c.empty for c in kind.columns]
    picks = [(pos.get(c), e) for c, e in zip(want, empty, strict=True)]
    return [[*r[:3], *(r[i] if i is not None else e for i, e in picks)] for r in rows]


def record_branches(db: sqlite_utils.Database, whose: Any) -> int:
    """Keep whose each pulled record is, as head office says to a device that reads several
    branches (a county's): ``{kind: {branch: [uid, ...]}}``. Anything else is ignored (a branch's PC
    is never told). Call inside ``db.write``, with the page it came with. Returns rows written."""
    if not isinstance(whose, dict):
        return 0
    rows = [(kind, uid, branch) for kind, by_branch in whose.items() if isinstance(kind, str)
            and isinstance(by_branch, dict) for branch, uids in by_branch.items() if isinstance(branch, str)
            and isinstance(uids, list) for uid in uids if isinstance(uid, str)]
    db.conn.executemany("INSERT OR REPLACE INTO record_branch (kind, uid, branch) VALUES (?, ?, ?)", rows)
    return len(rows)


def without_branch(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """The uids of records of ``WHOSE_KINDS`` held without a ``record_branch`` row (pulled by a version
    that was not told whose they are, or shared records), per kind."""
    out: dict[str, list[str]] = {}
    for kind in WHOSE_KINDS:
        name = table(kind).name
        uids = [r[0] for r in db.conn.execute(
            f"SELECT uid FROM {name} t WHERE NOT EXISTS"
            " (SELECT 1 FROM record_branch b WHERE b.kind = ? AND b.uid = t.uid) ORDER BY uid", (kind,))]
        if uids:
            out[kind] = uids
    return out


def keep_branch_names(db: sqlite_utils.Database, names: dict[Any, Any]) -> None:
    """Keep a county device's branch names as head office gave them (codes and names as text, at most
    200 of them; anything else ignored). Call inside ``db.write``."""
    clean = {k[:32]: v[:100] for k, v in list(names.items())[:200] if isinstance(k, str) and isinstance(v, str)}
    meta_set(db, BRANCH_NAMES_KEY, _dumps(clean))


def branch_names(db: sqlite_utils.Database) -> dict[str, str]:
    """A county device's branch names by code (empty when head office has not said)."""
    try:
        names = json.loads(meta_get(db, BRANCH_NAMES_KEY, "") or "{}")
    except ValueError:
        return {}
    return names if isinstance(names, dict) else {}


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
    summaries = Summaries()
    rejected_any = db.conn.execute("SELECT 1 FROM sync_rejected LIMIT 1").fetchone() is not None
    for kind_name, columns, raw in kinds:
        if not raw:
            continue
        k = p.KINDS.get(kind_name)
        if k is None:
            result.ignored += len(raw)
            continue
        width = 3 + len(k.columns)
        keep, bad = [], []
        check = k.check_row
        for row in conform(k, columns, raw):
            if not check(row):
                bad.append(row)
            elif (kind_name, row[1]) in pending:
                add_conflict(
                    db, side="pull", kind=kind_name, row_uid=row[1], server_seq=row[0],
                    server_value=_dumps(dict(zip(k.wire_columns, row[3:], strict=True))),
                    note="本地有尚未上传的修改，未用总行数据覆盖；上传后会再次同步。",
                )
                db.conn.execute("INSERT OR IGNORE INTO sync_deferred (kind, uid) VALUES (?, ?)", (kind_name, row[1]))
                result.deferred += 1
            else:
                keep.append(row)
        if not fresh and keep and db.conn.execute("SELECT 1 FROM sync_deferred LIMIT 1").fetchone():
            clear_deferred(db, kind_name, [r[1] for r in keep])  # arrived again: no longer set aside
        t = table(kind_name)
        if kind_name == "client":
            unresolved, overwritten = _apply_clients(db, t, keep, summaries, fresh=fresh, rejected_any=rejected_any)
            result.conflicts += overwritten
        else:
            unresolved = _apply_records(db, t, keep, summaries, rejected_any=rejected_any)
        for row in bad:
            reject(db, k, row, summaries, _row_reason(k, row, width))
        for row, reason in unresolved:
            reject(db, k, row, summaries, reason)
        n_bad = len(bad) + len(unresolved)
        result.applied += len(keep) - len(unresolved)
        result.rejected += n_bad
        if n_bad and len(result.reasons) < 5:
            first = bad[0] if bad else unresolved[0][0]
            why = _row_reason(k, first, width) if bad else unresolved[0][1]
            result.reasons.append(f"{k.label} {_short(first)}：{why}")
    summaries.save(db)
    return result


def _short(row: Sequence[Any]) -> str:
    uid = row[1] if len(row) > 1 and p.valid_id(row[1]) else "?"
    return str(uid)[:12]


def _row_reason(k: Kind, row: Sequence[Any], width: int) -> str:
    if len(row) != width:
        return f"列数不对（应为 {width}，收到 {len(row)}）。"
    if not (type(row[0]) is int and 0 < row[0] <= 2**62):
        return "序号无效。"
    if not p.valid_id(row[1]):
        return "记录编号无效。"
    if row[2] not in (0, 1):
        return "删除标记无效。"
    return "；".join(x.message for x in k.row_problems(row[3:])[:3]) or "数据不符合要求。"


def reject(db: sqlite_utils.Database, k: Kind, row: Sequence[Any], summaries: Summaries, reason: str) -> None:
    """Set a pulled record aside with the reason (inside the page's transaction); it counts as held."""
    uid = row[1] if len(row) > 1 and p.valid_id(row[1]) else None
    seq = row[0] if row and type(row[0]) is int and 0 < row[0] <= 2**62 else None
    if uid is None or seq is None:
        return  # nothing to key it on: head office sent garbage; the checkpoint will say so
    data = json.dumps(list(row[3:]), ensure_ascii=True, default=str)[:100_000]
    old = _held_seq(db, k, uid)
    db.conn.execute(
        "INSERT INTO sync_rejected (kind, uid, seq, data, reason, time) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(kind, uid) DO UPDATE SET seq = excluded.seq, data = excluded.data, reason = excluded.reason,"
        " time = excluded.time",
        (k.name, uid, seq, data, reason, local_now()),
    )
    summaries.replace(k.name, uid, old, seq)


def _held_seq(db: sqlite_utils.Database, k: Kind, uid: str) -> int | None:
    row = db.conn.execute("SELECT seq FROM sync_rejected WHERE kind = ? AND uid = ?", (k.name, uid)).fetchone()
    if row:
        return row[0]
    t = table(k.name)
    row = db.conn.execute(f"SELECT hq_seq FROM {t.name} WHERE {t.key} = ?", (uid,)).fetchone()
    return row[0] if row else None


def _rejected_seqs(db: sqlite_utils.Database, kind: str, uids: Sequence[str]) -> dict[str, int]:
    """Previously rejected versions among ``uids`` (they are held: the summary counts them); removed."""
    found: dict[str, int] = {}
    for part in _chunks(uids):
        marks = ",".join("?" * len(part))
        found.update(db.conn.execute(
            f"SELECT uid, seq FROM sync_rejected WHERE kind = ? AND uid IN ({marks})", [kind, *part]
        ))
    if found:
        db.conn.executemany("DELETE FROM sync_rejected WHERE kind = ? AND uid = ?", [(kind, u) for u in found])
    return found


# --- every kind but clients: one upsert per page --------------------------------------------------


def _apply_records(
    db: sqlite_utils.Database, t: Table, rows: Sequence[Sequence[Any]], summaries: Summaries, *,
    rejected_any: bool,
) -> list[tuple[Sequence[Any], str]]:
    """Insert or overwrite records of one kind (declared order rows). Returns rows it could not
    store, with the reason (a reference to reference data this PC does not have)."""
    if not rows:
        return []
    k = t.kind
    cols = t.columns
    refs = {c.ref: ReferenceData(db).id_of(c.ref) for c in cols if c.local_ref}  # type: ignore[misc]
    positions = [(k.columns.index(c) + 3, c) for c in cols]
    uids = [r[1] for r in rows]
    old: dict[str, int | None] = {}
    for part in _chunks(uids):
        marks = ",".join("?" * len(part))
        old.update(db.conn.execute(f"SELECT {t.key}, hq_seq FROM {t.name} WHERE {t.key} IN ({marks})", list(part)))
    if rejected_any:
        old.update(_rejected_seqs(db, k.name, uids))
    now = local_now()
    values, unresolved = [], []
    for r in rows:
        stored = []
        problem = None
        for i, c in positions:
            v = r[i]
            if c.local_ref and v is not None:
                local = refs[c.ref].get(v)  # type: ignore[index]
                if local is None:
                    problem = f"{c.label}“{v}”在本机不存在，未能写入。"
                    break
                v = local
            stored.append(to_stored(c, v))
        if problem is not None:
            unresolved.append((r, problem))
            continue
        values.append((r[1], *stored, r[0], 1 if r[2] else 0, now))
        summaries.replace(k.name, r[1], old.get(r[1]), r[0])
    names = [c.local_name for c in cols]
    if t.key == "code":  # schema v1's reference tables: code is the uid
        insert_cols = [*names, "hq_seq", "deleted"]
        rows_sql = [v[1:-1] for v in values]
        if k.name == "staff":
            insert_cols.append("updated_at")
            rows_sql = [(*v[1:-1], v[-1]) for v in values]
    else:
        insert_cols = ["uid", *names, "hq_seq", "deleted", "created_at", "updated_at"]
        rows_sql = [(*v, v[-1]) for v in values]
    updates = ", ".join(f"{c} = excluded.{c}" for c in insert_cols if c not in ("uid", "created_at"))
    version = ", version = version + 1" if "version" in t.bookkeeping else ""
    db.conn.executemany(
        f"INSERT INTO {t.name} ({', '.join(insert_cols)}) VALUES ({', '.join('?' * len(insert_cols))})"
        f" ON CONFLICT({t.key}) DO UPDATE SET {updates}{version}",
        rows_sql,
    )
    return unresolved


# --- clients: the bulk path -------------------------------------------------------------------------

_CLIENT = p.KINDS["client"]
_STORED = [c for c in _CLIENT.columns if not c.link]  # ``bulk.ROW_FIELDS`` order after the first three
_REF_POS = [(i + 3, c) for i, c in enumerate(_STORED) if c.local_ref]
_CLIENT_NO = _CLIENT.wire_columns.index("client_no") + 3
_SHARED_LOCAL = frozenset(c.local_name for c in _STORED if c.owner == Owner.SHARED)
_HQ_TAGS = _CLIENT.wire_columns.index("hq_tags") + 3
_BRANCH_TAGS = _CLIENT.wire_columns.index("branch_tags") + 3
assert [c.local_name for c in _STORED] == list(bulk.ROW_FIELDS[3:-1])


def _apply_clients(
    db: sqlite_utils.Database, t: Table, rows: Sequence[Sequence[Any]], summaries: Summaries, *,
    fresh: bool = False, rejected_any: bool = False,
) -> tuple[list[tuple[Sequence[Any], str]], int]:
    """Insert or overwrite clients (declared order rows). Returns the rows it could not store (with the
    reason) and how many shared values set by this branch head office's version replaced."""
    if not rows:
        return [], 0
    ref = ReferenceData(db)
    ids = {c.ref: ref.id_of(c.ref) for _i, c in _REF_POS}  # type: ignore[misc]
    tag_id, village_info = bulk.lookups(ref)
    existing: dict[str, tuple[int, int | None]] = {}
    old_rejected: dict[str, int] = {}
    if not fresh:
        uids = [r[1] for r in rows]
        for part in _chunks(uids):
            existing.update(
                (u, (i, s)) for u, i, s in db.conn.execute(
                    f"SELECT uid, id, hq_seq FROM clients WHERE uid IN ({','.join('?' * len(part))})", list(part)
                )
            )
        if rejected_any:
            old_rejected = _rejected_seqs(db, "client", uids)
    # A core-banking number is unique in the book: one head office sends twice (a data error
    # there) is set aside with the reason instead of failing the whole page.
    holders: dict[str, str] = {}
    numbers = [r[_CLIENT_NO] for r in rows if r[_CLIENT_NO]]
    for part in _chunks(numbers):
        holders.update(db.conn.execute(
            f"SELECT client_no, uid FROM clients WHERE client_no IN ({','.join('?' * len(part))})", list(part)
        ))
    new: list[list[Any]] = []
    changed: list[tuple[int, list[Any]]] = []
    unresolved: list[tuple[Sequence[Any], str]] = []
    end = 3 + len(_STORED)
    for r in rows:
        number = r[_CLIENT_NO]
        if number:
            holder = holders.setdefault(number, r[1])
            if holder != r[1]:
                unresolved.append((r, f"核心客户号“{number}”已属于本机另一位客户（{holder[:8]}…），未能写入。"))
                continue
        row = list(r[:end])
        problem = None
        for i, c in _REF_POS:
            code = row[i]
            if code is not None:
                local = ids[c.ref].get(code)  # type: ignore[index]
                if local is None:
                    problem = f"{c.label}“{code}”在本机不存在，未能写入。"
                    break
                row[i] = local
        if problem is not None:
            unresolved.append((r, problem))
            continue
        hq_tags, branch_tags = r[_HQ_TAGS], r[_BRANCH_TAGS]
        tags = [*hq_tags, *branch_tags] if branch_tags else hq_tags
        row.append([x for x in tags if x in tag_id] if tags else ())
        uid = r[1]
        found = existing.get(uid)
        old_seq = old_rejected.get(uid, found[1] if found else None)
        summaries.replace("client", uid, old_seq, r[0])
        if found is None:
            new.append(row)
        else:
            changed.append((found[0], row))
    if new:
        bulk.insert_batch(db, new, tag_id, village_info)
    overwritten = _overwrite(db, changed, tag_id, village_info) if changed else 0
    return unresolved, overwritten


# The columns a pulled version is compared on: the declared ones, the two the book derives
# from them, and the tombstone flag. Only the ones that differ are written, so an index
# that does not cover a changed column is not touched (head office changing balances moves
# two index entries per client, not eleven).
_INSERT_COLS = list(bulk._INSERT_COLS)
_CMP_COLS = [*(c.local_name for c in _STORED), *bulk.CLIENT_EXTRA, "deleted"]
_CMP_POS = [_INSERT_COLS.index(c) for c in _CMP_COLS]
_SEQ_POS = _INSERT_COLS.index("hq_seq")
_DOC_COLS = ("name", "mobile", "id_number", "village_id", "segment", "tier", "lifecycle", "manager_id", "mb_signed",
             "mb_active", "consent", "potential")
_DOC_AT = [_CMP_COLS.index(c) for c in _DOC_COLS]
_DELETED_AT = _CMP_COLS.index("deleted")


def _document(values: Sequence[Any], tids: Sequence[int], village_info: dict[int, tuple[int, int, str, str]]) -> str:
    """The search document of a client from its ``_CMP_COLS`` values ("" for a tombstone)."""
    if values[_DELETED_AT]:
        return ""
    name, mobile, id_number, vid, segment, tier, lifecycle, manager, mbs, mba, consent, potential = (
        values[i] for i in _DOC_AT
    )
    v, t, vname, tname = village_info.get(vid, (vid, 0, "", ""))
    return client_document(name, mobile, id_number, v, t, vname, tname, segment, tier, lifecycle, manager,
                                mbs, mba, consent, potential, tids)


def _overwrite(
    db: sqlite_utils.Database,
    changed: list[tuple[int, list[Any]]],
    tag_id: dict[str, int],
    village_info: dict[int, tuple[int, int, str, str]],
) -> int:
    """Overwrite existing clients with pulled values, writing only what differs: rows whose
    values and tags are already what head office sent (our own change, echoed back) only get
    the new ``hq_seq``; tags and search terms are rewritten only when they changed. A shared
    value this branch set that head office's version replaces is kept as a conflict (head
    office keeps the same one): returns how many."""
    current: dict[int, tuple] = {}
    current_tags: dict[int, list[int]] = {}
    all_ids = [row_id for row_id, _d in changed]
    for part in _chunks(all_ids):
        marks = ",".join("?" * len(part))
        for row in db.conn.execute(f"SELECT id, {', '.join(_CMP_COLS)} FROM clients WHERE id IN ({marks})", part):
            current[row[0]] = tuple(row[1:])
        for client_id, tag in db.conn.execute(
            f"SELECT client_id, tag_id FROM client_tags WHERE client_id IN ({marks}) ORDER BY client_id, tag_id", part
        ):
            current_tags.setdefault(client_id, []).append(tag)
    now = local_now()
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    seq_only, tag_ids, tag_rows, doc_ids, docs = [], [], [], [], []
    shared: list[tuple[str, int, str, Any, Any]] = []  # uid, server seq, column, local value, head office's
    for row_id, row in changed:
        values, tags, terms = bulk.prepare([row], row_id, tag_id, village_info)
        v = values[0]
        new = tuple(v[p] for p in _CMP_POS)
        old = current.get(row_id, ())
        new_tids = [t for _i, t in tags]
        old_tids = current_tags.get(row_id, [])
        diff = tuple(c for c, a, b in zip(_CMP_COLS, old, new, strict=True) if a != b)
        if not diff and new_tids == old_tids:
            seq_only.append((v[_SEQ_POS], row_id))
            continue
        groups.setdefault(diff, []).append([*(new[_CMP_COLS.index(c)] for c in diff), v[_SEQ_POS], now, row_id])
        shared.extend((row[1], row[0], c, old[_CMP_COLS.index(c)], new[_CMP_COLS.index(c)]) for c in diff
                      if c in _SHARED_LOCAL)
        if new_tids != old_tids:
            tag_ids.append((row_id,))
            tag_rows.extend(tags)
        new_doc = terms[0][1] if terms else ""
        if new_doc != _document(old, old_tids, village_info):
            doc_ids.append((row_id,))
            if new_doc:
                docs.append((row_id, new_doc))
    cur = db.conn.cursor()
    cur.executemany("UPDATE clients SET hq_seq = ? WHERE id = ?", seq_only)
    for cols, rows in groups.items():
        sets = "".join(f"{c} = ?, " for c in cols)
        cur.executemany(f"UPDATE clients SET {sets}hq_seq = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                        rows)
    cur.executemany("DELETE FROM client_tags WHERE client_id = ?", tag_ids)
    cur.executemany("INSERT INTO client_tags (client_id, tag_id) VALUES (?, ?)", tag_rows)
    cur.executemany("DELETE FROM client_search WHERE rowid = ?", doc_ids)
    cur.executemany("INSERT INTO client_search (rowid, terms) VALUES (?, ?)", docs)
    return _keep_overwritten_branch_values(db, shared) if shared else 0


def _keep_overwritten_branch_values(db: sqlite_utils.Database, shared: list[tuple[str, int, str, Any, Any]]) -> int:
    """Head office's version replaced shared values (phone, address, village): those this branch
    set itself (its last sent change to that field carried the value now replaced) are kept as
    conflicts for a person to review, the same ones head office records (``kept: hq``)."""
    ref = ReferenceData(db)
    n = 0
    for uid, seq, local_name, mine, theirs in shared:
        col = _CLIENT.by_local[local_name]
        if col.local_ref:
            mine = ref.code_of(col.ref, mine) if mine is not None else None  # type: ignore[arg-type]
            theirs = ref.code_of(col.ref, theirs) if theirs is not None else None  # type: ignore[arg-type]
        last = db.conn.execute(
            "SELECT after FROM journal WHERE kind = 'client' AND row_uid = ? AND sync_state IN (?, ?)"
            " AND instr(after, ?) > 0 ORDER BY seq DESC LIMIT 1",
            (uid, SYNC_ACKED, SYNC_CONFLICT, json.dumps(col.name)),
        ).fetchone()
        if last is None or json.loads(last[0]).get(col.name, object()) != mine:
            continue
        add_conflict(
            db, side="pull", kind="client", row_uid=uid, field=col.name, local_value=_dumps(mine),
            server_value=_dumps(theirs), server_seq=seq,
            note="总行发来的新值覆盖了本网点修改过的值：已按收到顺序采用总行的值，本网点的值留存待复核。",
        )
        n += 1
    return n


# --- records held, in wire form (tests, reports) --------------------------------------------------------


def held_records(db: sqlite_utils.Database, kind: str) -> Iterator[tuple[str, int, bool, dict[str, Any]]]:
    """(uid, server seq, deleted, wire values) of every record of ``kind`` held from head office.

    Clients are read through ``app.store.clients`` (their tags live in a table of their own)."""
    t = table(kind)
    if kind == "client":
        from app.store.clients import ClientRepository

        repo = ClientRepository(db)
        for row_id, seq in db.conn.execute("SELECT id, hq_seq FROM clients WHERE hq_seq IS NOT NULL"):
            c = repo.get(row_id, include_deleted=True)
            assert c is not None
            yield c.uid, seq, c.deleted, repo.wire(c)
        return
    ref = ReferenceData(db)
    names = [c.local_name for c in t.columns]
    for key, seq, deleted, *values in db.conn.execute(
        f"SELECT {t.key}, hq_seq, deleted, {', '.join(names)} FROM {t.name} WHERE hq_seq IS NOT NULL"
    ):
        out = {}
        for c, v in zip(t.columns, values, strict=True):
            out[c.name] = (ref.code_of(c.ref, v) if v is not None else None) if c.local_ref else to_wire(c, v)
        yield key, seq, bool(deleted), out


def rejected_records(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Pulled records set aside because they broke their kind's declaration, with the reason."""
    cur = db.conn.execute("SELECT kind, uid, seq, reason, time FROM sync_rejected ORDER BY time, kind, uid")
    return [dict(zip(("kind", "uid", "seq", "reason", "time"), r, strict=True)) for r in cur]


def adopt_mirrored(db: sqlite_utils.Database) -> None:
    """Schema v3: records schema v2 mirrored in ``sync_records`` go into their kinds' tables
    (columns by name, checked like any pulled record). Inside the migration's transaction."""
    by_kind: dict[str, list[tuple[int, str, int, dict[str, Any]]]] = {}
    for kind, uid, seq, deleted, data in db.conn.execute("SELECT kind, uid, seq, deleted, data FROM sync_records"):
        by_kind.setdefault(kind, []).append((seq, uid, deleted, json.loads(data)))
    parts = []
    for kind in p.KINDS.names:
        recs = by_kind.get(kind)
        if not recs:
            continue
        columns = sorted({c for *_r, d in recs for c in d})
        rows = [[seq, uid, deleted, *(d.get(c) for c in columns)] for seq, uid, deleted, d in recs]
        parts.append((kind, columns, rows))
    if parts:
        apply_page(db, parts, pending=set())


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


def refetch_later(db: sqlite_utils.Database, kind: str, uid: str) -> None:
    """Ask head office for this record again at the next sync (inside a transaction): after a
    local change to it was given up, the PC returns to head office's version."""
    db.conn.execute("INSERT OR IGNORE INTO sync_deferred (kind, uid) VALUES (?, ?)", (kind, uid))


def clear_deferred(db: sqlite_utils.Database, kind: str, uids: Sequence[str]) -> None:
    """Forget set-aside records that have been fetched again (inside the page's transaction)."""
    db.conn.executemany("DELETE FROM sync_deferred WHERE kind = ? AND uid = ?", [(kind, u) for u in uids])


# --- after a full re-pull ---------------------------------------------------------------


def forget_missing(db: sqlite_utils.Database, kind: str, server_uids: set[str]) -> int:
    """After a full re-pull of ``kind``: let go of records head office no longer has.

    Master data (created only by head office) is deleted; anything a branch may
    have created is only detached (``hq_seq`` cleared), so nothing written here is
    lost. Call inside ``db.write``; the kind's summary is recomputed. Returns how
    many were affected.
    """
    t = table(kind)
    gone = [k for k in held(db, kind) if k not in server_uids]
    db.conn.executemany("DELETE FROM sync_rejected WHERE kind = ? AND uid = ?", [(kind, u) for u in gone])
    if t.kind.creator == Creator.HQ and kind not in ("township", "village", "staff"):
        db.conn.executemany(f"DELETE FROM {t.name} WHERE {t.key} = ?", [(u,) for u in gone])
    else:
        db.conn.executemany(f"UPDATE {t.name} SET hq_seq = NULL WHERE {t.key} = ?", [(u,) for u in gone])
    rebuild_summaries(db, [kind])
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


def open_conflict_count(db: sqlite_utils.Database) -> int:
    return db.conn.execute("SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL").fetchone()[0]


def rejected_count(db: sqlite_utils.Database) -> int:
    return db.conn.execute("SELECT count(*) FROM sync_rejected").fetchone()[0]


def last_confirmed(db: sqlite_utils.Database) -> str | None:
    """When the last run head office confirmed ended (local time), or None."""
    row = db.conn.execute("SELECT max(ended_at) FROM sync_log WHERE status = 'synced'").fetchone()
    return row[0] if row else None


def open_conflicts(db: sqlite_utils.Database) -> list[ConflictRow]:
    rows = db.conn.execute(
        "SELECT id, time, side, kind, row_uid, change_id, field, base_value, local_value, server_value,"
        " server_seq, note FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY id"
    ).fetchall()
    return [ConflictRow(*r) for r in rows]


def open_conflict(db: sqlite_utils.Database, conflict_id: int) -> ConflictRow | None:
    """One conflict still waiting for a person, or None (unknown, or already decided)."""
    row = db.conn.execute(
        "SELECT id, time, side, kind, row_uid, change_id, field, base_value, local_value, server_value,"
        " server_seq, note FROM sync_conflicts WHERE id = ? AND resolved_at IS NULL", (int(conflict_id),)
    ).fetchone()
    return ConflictRow(*row) if row else None


def close_conflict(db: sqlite_utils.Database, conflict_id: int, *, resolution: str, by: str) -> None:
    """Mark a conflict decided (inside the decision's transaction): which side won, never the value."""
    db.conn.execute(
        "UPDATE sync_conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ?",
        (local_now(), resolution, by, int(conflict_id)),
    )


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
