"""The client book's repository: rows, tags, search index and journal together.

Writes (``insert``, ``update``, ``delete``) must run inside ``db.write(db)``:
each writes the client row, its tags, its search terms and one journal row in
the caller's transaction, so a failure or a crash leaves all of them or none.
Values arriving here are already parsed and validated by ``app.services``;
the table's CHECK constraints are the last line of defence.

Reads are windowed: ``count`` and ``page`` never load the whole table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import Any

import sqlite_utils

from app.core.client import Client, tier_for_aum
from app.store import journal
from app.store.kinds import (
    RowMapping,
    insert_rows,
    mapping,
    stored_getter,
    stored_values,
    table,
    wire_json_maker,
    wire_values,
)
from app.store.reference import ReferenceData
from app.store.search import (
    ClientFilter,
    CompiledFilter,
    IndexedClient,
    client_document,
    client_terms,
    compile_filter,
)

KIND = "client"
TABLE = table(KIND)
# A Client read from its row, field by field by name (tags come from client_tags).
_READ = mapping(Client, TABLE, skip=("tags",))
_COLS = _READ.select
# insert_many: a client's stored row as a tuple, the columns it fills, and a Client's fields
# between id and uid (first) and version and deleted (last)
_STORED = stored_getter(TABLE)
_INSERT_COLS = (*TABLE.local_names, "name_key", "tier", "updated_at", "id", "uid", "version", "created_at", "deleted")
_SEGMENT = TABLE.local_names.index("segment")
_LIFECYCLE = TABLE.local_names.index("lifecycle")
_FIELDS = tuple(f.name for f in fields(Client))
assert _FIELDS[:2] == ("id", "uid") and _FIELDS[-2:] == ("version", "deleted")
_MIDDLE = attrgetter(*_FIELDS[2:-2])

# The stage order of the lifecycle, for sorting; the same expression is indexed.
LIFECYCLE_RANK = (
    "(CASE c.lifecycle WHEN 'new' THEN 0 WHEN 'honeymoon' THEN 1 WHEN 'mature' THEN 2"
    " WHEN 'churn_warning' THEN 3 WHEN 'churned' THEN 4 WHEN 'recovered' THEN 5 ELSE 6 END)"
)

# Sort keys the table offers. Each is backed by a partial index on deleted = 0,
# and ends with the id so that pages are stable.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("c.name_key", "c.id"),
    "village": ("c.village_id", "c.name_key", "c.id"),
    "tier": ("c.tier", "c.aum_fen", "c.id"),
    "aum": ("c.aum_fen", "c.id"),
    "last_contact": ("c.last_contact", "c.id"),
    "lifecycle": (LIFECYCLE_RANK, "c.name_key", "c.id"),
    "manager": ("c.manager_id", "c.name_key", "c.id"),
    "id": ("c.id",),
}


# The partial index behind each sort (deleted = 0), for INDEXED BY on large match sets.
SORT_INDEX = {
    "name": "clients_by_name",
    "village": "clients_by_village",
    "tier": "clients_by_tier",
    "aum": "clients_by_aum",
    "last_contact": "clients_by_contact",
    "lifecycle": "clients_by_lifecycle",
    "manager": "clients_by_manager",
}
INDEX_WALK_MIN = 5_000


def name_key(name: str) -> bytes:
    """Sort key for Chinese names: GB18030 bytes (GB2312 level-1 hanzi are in pinyin order)."""
    return name.encode("gb18030", errors="replace")


@dataclass(frozen=True, slots=True)
class ClientListRow:
    """One row of the client table. Identity numbers are raw: the service masks them."""

    id: int
    uid: str
    client_no: str | None
    kind: str
    name: str
    id_number: str | None
    mobile: str | None
    township: str
    village: str
    village_id: int
    group_name: str | None
    segment: str
    tier: int
    aum_fen: int
    deposit_fen: int
    loan_fen: int
    lifecycle: str
    last_contact: str | None
    manager_id: int | None
    manager: str
    mb_signed: bool
    mb_active: bool
    consent: bool | None
    potential: bool
    tags: tuple[str, ...]  # tag names


# Where each ClientListRow field comes from (clients c, villages v, townships w, staff s).
_LIST_EXPR = {
    **{n: f"c.{n}" for n in ClientListRow.__dataclass_fields__ if n != "tags"},
    "township": "w.name",
    "village": "v.name",
    "manager": "coalesce(s.name, '')",
}
_LIST = RowMapping(ClientListRow, TABLE, tuple(_LIST_EXPR))
_LIST_COLS = ", ".join(_LIST_EXPR.values())
_LIST_FROM = (
    " FROM clients c JOIN villages v ON v.id = c.village_id"
    " JOIN townships w ON w.id = v.township_id LEFT JOIN staff s ON s.id = c.manager_id"
)


class ClientRepository:
    """Client rows over one connection. Runs on the connection's thread."""

    def __init__(self, db: sqlite_utils.Database, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.ref = ref or ReferenceData(db)

    # --- reads -------------------------------------------------------------

    def get(self, client_id: int, *, include_deleted: bool = False) -> Client | None:
        row = self.db.conn.execute(f"SELECT {_COLS} FROM clients WHERE id = ?", (client_id,)).fetchone()
        c = self._client(row) if row is not None else None
        return None if c is None or (c.deleted and not include_deleted) else c

    def get_by_uid(self, uid: str, *, include_deleted: bool = False) -> Client | None:
        row = self.db.conn.execute(f"SELECT {_COLS} FROM clients WHERE uid = ?", (uid,)).fetchone()
        c = self._client(row) if row is not None else None
        return None if c is None or (c.deleted and not include_deleted) else c

    def hq_seq(self, client_id: int) -> int | None:
        row = self.db.conn.execute("SELECT hq_seq FROM clients WHERE id = ?", (client_id,)).fetchone()
        return row[0] if row else None

    def find_by_id_number(self, id_number: str) -> list[Client]:
        rows = self.db.conn.execute(
            f"SELECT {_COLS} FROM clients WHERE id_number = ? AND deleted = 0 ORDER BY id",
            (id_number,),
        ).fetchall()
        return [self._client(r) for r in rows]

    def identity_numbers(self, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
        """Raw ID and phone numbers for ``ids`` (unmasked export and print; the caller audits)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.conn.execute(
            f"SELECT id, id_number, mobile FROM clients WHERE id IN ({marks})", list(ids)
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def duplicate_groups(self, *, limit: int = 500, scope_manager_id: int | None = None) -> list[list[int]]:
        """Live clients sharing an ID number, as lists of ids (oldest first)."""
        scope = "AND manager_id = ?" if scope_manager_id is not None else ""
        params = [scope_manager_id] if scope_manager_id is not None else []
        rows = self.db.conn.execute(
            "SELECT group_concat(id) FROM (SELECT id, id_number FROM clients"
            f" WHERE deleted = 0 AND id_number IS NOT NULL {scope} ORDER BY id)"
            " GROUP BY id_number HAVING count(*) > 1 LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [[int(x) for x in r[0].split(",")] for r in rows]

    def _places(self, run: str) -> tuple[list[int], list[int]]:
        """Townships whose name contains ``run``, and villages (outside those) whose name does."""
        towns = [t.id for t in self.ref.townships.values() if run in t.name]
        villages = [v.id for v in self.ref.villages.values() if run in v.name and v.township_id not in towns]
        return towns, villages

    def _probe(self, match: str) -> int:
        row = self.db.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM client_search WHERE client_search MATCH ? LIMIT 1)", (match,)
        ).fetchone()
        return row[0]

    def compile(self, f: ClientFilter) -> CompiledFilter:
        return compile_filter(f, places=self._places, probe=self._probe)

    def _where(self, f: ClientFilter, scope_manager_id: int | None) -> tuple[str, list[Any], bool]:
        cf = self.compile(f)
        where = list(cf.where)
        params = list(cf.params)
        if cf.match is not None:
            where.append("c.id IN (SELECT rowid FROM client_search WHERE client_search MATCH ?)")
            params.append(cf.match)
        if scope_manager_id is not None:
            # The role restriction is enforced on the row itself, not only on the index.
            where.append("c.manager_id = ?")
            params.append(scope_manager_id)
        return " AND ".join(where), params, cf.impossible

    def count(self, f: ClientFilter = ClientFilter(), *, scope_manager_id: int | None = None) -> int:
        """How many live clients match. Milliseconds for FTS-only filters."""
        cf = self.compile(f)
        if cf.impossible:
            return 0
        if cf.match is not None and cf.where == ["c.deleted = 0"] and scope_manager_id is None:
            # Fast path: deleted clients are not indexed, so the index count is the answer.
            return self.db.conn.execute(
                "SELECT count(*) FROM client_search WHERE client_search MATCH ?", (cf.match,)
            ).fetchone()[0]
        where, params, _ = self._where(f, scope_manager_id)
        return self.db.conn.execute(
            f"SELECT count(*) FROM clients c WHERE {where}", params
        ).fetchone()[0]

    def page(
        self,
        f: ClientFilter = ClientFilter(),
        *,
        sort: str | None = "name",
        descending: bool = False,
        offset: int = 0,
        limit: int = 200,
        total: int | None = None,
        scope_manager_id: int | None = None,
    ) -> list[ClientListRow]:
        """Rows ``offset .. offset+limit`` in the chosen order (``sort`` None: whatever order the
        cheapest plan reads them in, for a few matches of a search without sorting them all).

        With ``total`` known, a window in the second half of the result is read
        from the other end (reverse order, small offset), so jumping to the end
        of a million rows costs no more than jumping to the middle.
        """
        where, params, impossible = self._where(f, scope_manager_id)
        if impossible or limit <= 0:
            return []
        reverse = total is not None and offset > total // 2
        if reverse:
            assert total is not None
            end = min(total, offset + limit)
            offset, limit = max(0, total - end), end - offset
        desc = descending != reverse
        order = ", ".join(f"{col} {'DESC' if desc else 'ASC'}" for col in SORTS[sort]) if sort else ""
        hint = ""
        if sort and total is not None and total >= INDEX_WALK_MIN and where.count(" AND ") <= 1 and "MATCH" in where:
            # Many matches of an FTS-only filter: walking the sort index and probing the
            # match set beats fetching and sorting every matching row (15k rows: ~270 ms
            # sorted vs ~16 ms walked at a million clients).
            hint = f" INDEXED BY {SORT_INDEX[sort]}" if sort in SORT_INDEX else ""
        frm = _LIST_FROM.replace("FROM clients c", f"FROM clients c{hint}")
        sql = f"SELECT {_LIST_COLS}{frm} WHERE {where}{f' ORDER BY {order}' if order else ''} LIMIT ? OFFSET ?"
        rows = self.db.conn.execute(sql, [*params, limit, offset]).fetchall()
        if reverse:
            rows.reverse()
        tags = self._tag_names([r[0] for r in rows])
        return [_LIST(r, tags=tags.get(r[0], ())) for r in rows]

    def ids(self, f: ClientFilter, *, sort: str = "name", scope_manager_id: int | None = None) -> Iterator[int]:
        """Matching ids in order, streamed (exports walk this, never a full list in memory)."""
        where, params, impossible = self._where(f, scope_manager_id)
        if impossible:
            return iter(())
        order = ", ".join(SORTS[sort])
        cur = self.db.conn.execute(f"SELECT c.id FROM clients c WHERE {where} ORDER BY {order}", params)
        return (r[0] for r in cur)

    def _tag_names(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out: dict[int, list[str]] = {}
        for cid, tid in self.db.conn.execute(
            f"SELECT client_id, tag_id FROM client_tags WHERE client_id IN ({marks})", list(ids)
        ):
            tag = self.ref.tags.get(tid)
            if tag:
                out.setdefault(cid, []).append(tag.name)
        return {k: tuple(v) for k, v in out.items()}

    def _tag_codes(self, client_id: int) -> tuple[str, ...]:
        rows = self.db.conn.execute(
            "SELECT tag_id FROM client_tags WHERE client_id = ?", (client_id,)
        ).fetchall()
        return tuple(sorted(self.ref.tags[t].code for (t,) in rows if t in self.ref.tags))

    def _client(self, r: tuple) -> Client:
        c: Client = _READ(r)
        return replace(c, tags=self._tag_codes(c.id)) if c.id is not None else c

    # --- the wire form (journal and sync) ----------------------------------

    def wire(self, c: Client, stored: dict[str, Any] | None = None) -> dict[str, Any]:
        """The client in sync-protocol form (from the declaration): codes for local ids, tags by owner.
        ``stored``: its ``stored_values`` when the caller has them already."""
        out = wire_values(TABLE, stored if stored is not None else stored_values(TABLE, c), self.ref.code_of)
        hq_tags, branch_tags = [], []
        for code in c.tags:
            tag = self.ref.tag_by_code.get(code)
            (branch_tags if tag is not None and tag.source == "branch" else hq_tags).append(code)
        out["hq_tags"] = sorted(hq_tags)
        out["branch_tags"] = sorted(branch_tags)
        return out

    # --- writes (inside db.write) ------------------------------------------

    def _row_values(self, c: Client, now: str) -> dict[str, Any]:
        """The row of ``c`` as stored: its declared columns, the derived ones, the time."""
        return {
            **stored_values(TABLE, c),
            "name_key": name_key(c.name),
            "tier": int(tier_for_aum(c.aum_fen)),
            "updated_at": now,
        }

    def insert(self, c: Client, *, author: str) -> Client:
        """Add a client (a branch-created record): row, tags, index, journal."""
        now = journal.local_now()
        c = replace(c, uid=c.uid or str(uuid.uuid4()), version=1, deleted=False)
        values = self._row_values(c, now)
        values.update(uid=c.uid, version=1, created_at=now, deleted=0)
        cols = ", ".join(values)
        cur = self.db.conn.execute(
            f"INSERT INTO clients ({cols}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
        c = replace(c, id=cur.lastrowid)
        self._set_tags(c.id, c.tags)
        self._index(c)
        journal.record(
            self.db,
            kind=KIND,
            row_uid=c.uid,
            row_id=c.id,
            op="insert",
            before={},
            after=self.wire(c),
            author=author,
            base_seq=None,
        )
        return c

    def insert_many(self, clients: Sequence[Client], *, author: str) -> list[Client]:
        """Add new clients (an import) exactly as ``insert`` adds each one (row, tags, search terms,
        journal entry), with a few multi-row statements (``kinds.insert_rows``) rather than six
        statements per client: the ids follow the current maximum, which is ours inside the write
        transaction (as the bulk loader takes them). Each record's stored row and wire form are made
        by functions generated once from the declaration (``kinds.stored_getter``, ``kinds.wire_json_maker``).
        Call inside ``db.write``."""
        if not clients:
            return []
        now = journal.local_now()
        base = self.db.conn.execute("SELECT coalesce(max(id), 0) FROM clients").fetchone()[0]
        part = _PartMaker(self.ref, now)(base, clients)
        insert_rows(self.db.conn, "clients", _INSERT_COLS, part.rows, keep_order=False)
        if part.tag_rows:
            insert_rows(self.db.conn, "client_tags", ("client_id", "tag_id"), part.tag_rows, verb="INSERT OR IGNORE")
        insert_rows(self.db.conn, "client_search", ("rowid", "terms"), part.terms)
        journal.record_inserts(self.db, KIND, author, part.records, local_time=now)
        return part.clients

    def update(
        self,
        client_id: int,
        changes: dict[str, Any],
        *,
        author: str,
        expected_version: int | None = None,
    ) -> Client:
        """Apply ``changes`` (Client field names -> typed values); journal the difference.

        Raises LookupError for a missing client and ``StaleEditError`` when
        ``expected_version`` is given and the row moved on since it was read.
        """
        old = self.get(client_id)
        if old is None:
            raise LookupError(client_id)
        if expected_version is not None and old.version != expected_version:
            raise StaleEditError(old.version)
        new = replace(old, **changes)
        before_w, after_w = self.wire(old), self.wire(new)
        diff = [k for k in after_w if after_w[k] != before_w[k]]
        if not diff:
            return old
        new = replace(new, version=old.version + 1)
        values = self._row_values(new, journal.local_now())
        values["version"] = new.version
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.conn.execute(
            f"UPDATE clients SET {sets} WHERE id = ?", [*values.values(), client_id]
        )
        if new.tags != old.tags:
            self._set_tags(client_id, new.tags)
        self._index(new)
        journal.record(
            self.db,
            kind=KIND,
            row_uid=new.uid,
            row_id=client_id,
            op="update",
            before={k: before_w[k] for k in diff},
            after={k: after_w[k] for k in diff},
            author=author,
            base_seq=self.hq_seq(client_id),
        )
        return new

    def delete(self, client_id: int, *, author: str, merged_into: str | None = None) -> Client:
        """Tombstone: the row stays (deleted = 1) so the deletion syncs."""
        old = self.get(client_id)
        if old is None:
            raise LookupError(client_id)
        now = journal.local_now()
        self.db.conn.execute(
            "UPDATE clients SET deleted = 1, version = version + 1, updated_at = ? WHERE id = ?",
            (now, client_id),
        )
        self.db.conn.execute("DELETE FROM client_search WHERE rowid = ?", (client_id,))
        journal.record(
            self.db,
            kind=KIND,
            row_uid=old.uid,
            row_id=client_id,
            op="delete",
            before=self.wire(old),
            after={"deleted": True, **({"merged_into": merged_into} if merged_into else {})},
            author=author,
            base_seq=self.hq_seq(client_id),
        )
        return replace(old, deleted=True, version=old.version + 1)

    def _set_tags(self, client_id: int, codes: Iterable[str]) -> None:
        ids = []
        for code in codes:
            tag = self.ref.tag_by_code.get(code)
            if tag is None:
                raise LookupError(f"unknown tag {code}")
            ids.append(tag.id)
        self.db.conn.execute("DELETE FROM client_tags WHERE client_id = ?", (client_id,))
        self.db.conn.executemany(
            "INSERT INTO client_tags (client_id, tag_id) VALUES (?, ?)",
            [(client_id, t) for t in sorted(set(ids))],
        )

    def indexed(self, c: Client) -> IndexedClient:
        v = self.ref.villages[c.village_id]
        t = self.ref.townships[v.township_id]
        return IndexedClient(
            name=c.name,
            mobile=c.mobile,
            id_number=c.id_number,
            village_id=v.id,
            township_id=t.id,
            village_name=v.name,
            township_name=t.name,
            segment=str(c.segment),
            tier=int(tier_for_aum(c.aum_fen)),
            lifecycle=str(c.lifecycle),
            manager_id=c.manager_id,
            mb_signed=c.mb_signed,
            mb_active=c.mb_active,
            consent=c.consent,
            potential=c.potential,
            tag_ids=sorted(self.ref.tag_by_code[code].id for code in c.tags),
        )

    def _index(self, c: Client) -> None:
        self.db.conn.execute("DELETE FROM client_search WHERE rowid = ?", (c.id,))
        if not c.deleted:
            self.db.conn.execute(
                "INSERT INTO client_search (rowid, terms) VALUES (?, ?)",
                (c.id, client_terms(self.indexed(c))),
            )


@dataclass(slots=True)
class _Part:
    """What ``insert_many`` writes for its clients: their rows, tag links, search terms, journal records."""

    clients: list[Client]
    rows: list[tuple[Any, ...]]
    tag_rows: list[tuple[int, int]]
    terms: list[tuple[int, str]]
    records: list[tuple[str, int, str]]  # (uid, id, after as the journal stores it)


class _PartMaker:
    """Makes what ``insert_many`` writes (Python over the drafts and the reference data: no SQL)."""

    def __init__(self, ref: ReferenceData, now: str) -> None:
        self.ref = ref
        self.now = now
        # a journal entry's ``after``: the client's wire form (``wire``) as ``journal.dumps`` writes it
        self.wire = wire_json_maker(TABLE, ref.code_of, journal.dumps, lists=("hq_tags", "branch_tags"))
        self.places: dict[int, tuple[int, int, str, str]] = {}

    def _place(self, village_id: int) -> tuple[int, int, str, str]:
        place = self.places.get(village_id)
        if place is None:
            v = self.ref.villages[village_id]
            place = self.places[village_id] = (v.id, v.township_id, v.name, self.ref.townships[v.township_id].name)
        return place

    def __call__(self, base: int, clients: Sequence[Client]) -> _Part:
        now, wire, tag_by_code = self.now, self.wire, self.ref.tag_by_code
        uids = journal.new_uuids(len(clients))
        part = _Part([], [], [], [], [])
        for n, draft in enumerate(clients):
            cid = base + n + 1
            uid = draft.uid or uids[n]
            stored = _STORED(draft)
            tier = int(tier_for_aum(draft.aum_fen))
            # name_key as a bytearray: the same BLOB, bound without sqlcipher3's adapter lookup
            part.rows.append((*stored, bytearray(name_key(draft.name)), tier, now, cid, uid, 1, now, 0))
            tags = []
            for code in draft.tags:
                tag = tag_by_code.get(code)
                if tag is None:
                    raise LookupError(f"unknown tag {code}")
                part.tag_rows.append((cid, tag.id))
                tags.append(tag)
            part.terms.append((cid, client_document(
                draft.name, draft.mobile, draft.id_number, *self._place(draft.village_id),  # type: ignore[arg-type]
                stored[_SEGMENT], tier, stored[_LIFECYCLE], draft.manager_id, draft.mb_signed, draft.mb_active,
                draft.consent, draft.potential, sorted(t.id for t in tags))))
            if tags:
                after = wire(stored, sorted(t.code for t in tags if t.source != "branch"),
                             sorted(t.code for t in tags if t.source == "branch"))
            else:
                after = wire(stored, (), ())
            part.records.append((uid, cid, after))
            part.clients.append(Client(cid, uid, *_MIDDLE(draft), 1, False))
        return part


class StaleEditError(Exception):
    """The record changed after the editor read it."""

    def __init__(self, current_version: int) -> None:
        super().__init__("该客户信息已被他人修改，请刷新后重新编辑。")
        self.current_version = current_version
