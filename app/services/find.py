"""One search across everything (Ctrl+K): clients, whitelist entries, campaigns, scenarios,
villages and printed worksheets, a few of each, as one member of staff may see them.

Clients come from the client book's own search (its full-text index: a name, part of a
name, the last digits of a phone or ID number, a client number), masked as the book shows
them; whitelist entries are those of the clients found (by index) or of a core client number;
the rest are small tables or the reference data in memory. Runs on the thread that owns
``db`` (the app's reader thread); read only.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from app.core.masking import mask_mobile
from app.core.roles import Action, Role, Staff, can
from app.services.clients import ClientService
from app.store.reference import ReferenceData
from app.store.search import ClientFilter

# the kinds in the order the results are shown
KINDS = ("client", "whitelist", "campaign", "scenario", "village", "sheet")
PER_KIND = 6
LIKE_ESCAPE = str.maketrans({"%": r"\%", "_": r"\_", "\\": r"\\"})


@dataclass(frozen=True)
class Hit:
    kind: str  # one of KINDS
    key: str  # what opens it: client id, whitelist uid, campaign code, scenario uid, village (乡镇+村), sheet number
    title: str
    detail: str
    client_id: int | None = None


class Finder:
    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.mine = staff.code if Role(staff.role) == Role.MANAGER else None

    def find(self, text: str, per_kind: int = PER_KIND) -> list[Hit]:
        """Up to ``per_kind`` hits of each kind, grouped in the order of ``KINDS``. Reader thread."""
        text = " ".join(text.split())[:60]
        if not text:
            return []
        hits: list[Hit] = []
        client_ids: list[int] = []
        if can(self.staff, Action.VIEW_CLIENT, client_manager_id=self.staff.id):
            # the first matches the index gives (not all of them sorted: a surname matches 70,000)
            # a manager's own clients also through the index's manager term: the index intersects the two,
            # rather than listing every 李 in the county and dropping the others' afterwards
            mine = (self.staff.id,) if self.mine else ()
            rows = ClientService(self.db, self.staff, self.ref).page(ClientFilter(text=text, manager_ids=mine),
                                                                      sort=None, limit=max(per_kind, 50))
            if isinstance(rows, list):
                rows.sort(key=lambda r: (r.name != text, not r.name.startswith(text), len(r.name), r.name))
                client_ids = [r.id for r in rows]
                hits += [Hit("client", str(r.id), r.name,
                             " · ".join(p for p in (f"{r.township}{r.village}", r.mobile or "", r.client_no or "",
                                                   r.manager) if p), r.id) for r in rows[:per_kind]]
        if can(self.staff, Action.VIEW_WHITELIST):
            hits += self._whitelist(text, client_ids, per_kind)
        like = f"%{text.translate(LIKE_ESCAPE)}%"
        hits += [Hit("campaign", code, name, " · ".join(p for p in (code, f"{starts or '—'} ~ {ends or '—'}") if p))
                 for code, name, starts, ends in self.db.conn.execute(
                     "SELECT code, name, starts, ends FROM campaigns WHERE deleted = 0"
                     " AND (name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\')"
                     " ORDER BY ends IS NULL, ends DESC, code LIMIT ?", (like, like, per_kind))]
        hits += self._scenarios(like, per_kind)
        hits += self._villages(text, per_kind)
        hits += [Hit("sheet", number, title, f"{number} · {printed_at[:10]} · {rows} 行")
                 for number, title, printed_at, rows in self.db.conn.execute(
                     "SELECT number, title, printed_at, row_count FROM sheets WHERE number LIKE ? ESCAPE '\\'"
                     + (" AND manager = ?" if self.mine else "") + " ORDER BY number DESC LIMIT ?",
                     (f"%{text.upper().translate(LIKE_ESCAPE)}%", *([self.mine] if self.mine else []), per_kind))]
        return hits

    def _whitelist(self, text: str, client_ids: list[int], per_kind: int) -> list[Hit]:
        """Entries of the clients found, and of the client with that core number: from those clients
        to their entries by index (CROSS JOIN keeps that order; led by the entries, SQLite walked them
        all in date order, seconds at 376,000 entries)."""
        mine = " AND w.manager = ?" if self.mine else ""
        scope = [self.mine] if self.mine else []
        marks = ",".join("?" * len(client_ids)) or "NULL"
        rows = self.db.conn.execute(
            f"""SELECT w.uid, c.id, c.name, c.mobile, w.limit_fen, w.valid_to, w.client_no
                  FROM clients c CROSS JOIN whitelist w ON w.client_uid = c.uid
                 WHERE (c.id IN ({marks}) OR c.client_no = ?) AND c.deleted = 0 AND w.deleted = 0{mine}
                 ORDER BY w.valid_to DESC LIMIT ?""", (*client_ids, text.upper(), *scope, per_kind))
        return [Hit("whitelist", uid, name, " · ".join(p for p in (
            f"额度 {limit / 1_000_000:,.2f} 万元", f"{valid_to} 到期" if valid_to else "", mask_mobile(mobile) or "",
            client_no or "") if p), cid) for uid, cid, name, mobile, limit, valid_to, client_no in rows]

    def _scenarios(self, like: str, per_kind: int) -> list[Hit]:
        if not can(self.staff, Action.VIEW_CLIENT, client_manager_id=self.staff.id):
            return []
        out = []
        for uid, name, partner, village_id in self.db.conn.execute(
                "SELECT s.uid, s.name, s.partner, v.id FROM scenarios s LEFT JOIN villages v ON v.code = s.village"
                " WHERE s.deleted = 0 AND (s.name LIKE ? ESCAPE '\\' OR s.partner LIKE ? ESCAPE '\\')"
                " ORDER BY s.name LIMIT ?", (like, like, per_kind)):
            v = self.ref.villages.get(village_id) if village_id is not None else None
            out.append(Hit("scenario", uid, name, " · ".join(
                p for p in (self.ref.full_name(v) if v else "", partner or "") if p)))
        return out

    def _villages(self, text: str, per_kind: int) -> list[Hit]:
        folded = text.replace(" ", "")
        out = []
        for v in sorted(self.ref.villages.values(), key=lambda v: (v.code,)):
            full = self.ref.full_name(v)
            if folded in full or folded == v.code:
                out.append(Hit("village", full, full, f"村编码 {v.code} · {v.groups} 个村民小组"))
                if len(out) >= per_kind:
                    break
        return out
