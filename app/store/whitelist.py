"""The whitelist as the branch works it: entries joined to their clients and outcome state.

Entries (``whitelist``) are head office's; outcomes (``whitelist_outcomes``) the branch's;
``whitelist_state`` (schema v4, kept by triggers) holds each entry's current status and
how far it ever came, so a list or a funnel over 50,000 entries reads one row per entry.
Runs on the connection's thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from app.store.records import Records, StoredRecord


@dataclass(frozen=True)
class WhitelistFilter:
    """What the list shows. Empty fields do not filter."""

    cluster: str | None = None
    village_id: int | None = None
    township_id: int | None = None
    manager: str | None = None  # staff code; "" = not yet assigned
    status: str | None = None  # current status (not_contacted includes entries with no outcome)
    expiring_days: int | None = None  # valid_to within this many days from today (and not yet past)
    expired: bool | None = None
    never_contacted: bool = False  # never reached (no outcome, or only 无法联系)
    outreach: bool = False  # only clients who consented to marketing (an outreach list)
    text: str = ""  # client name or core client number, contains


@dataclass(frozen=True)
class EntryRow:
    """One entry as a list shows it (identity numbers masked by the service)."""

    uid: str
    client_uid: str
    client_id: int | None
    client_no: str | None
    name: str
    mobile: str | None
    village: str
    township: str
    product: str
    limit_fen: int
    rate_bp: int | None
    valid_from: str | None
    valid_to: str | None
    cluster: str | None
    score: int | None
    band: str | None
    batch: str | None
    manager: str | None  # staff code
    consent: bool | None
    status: str  # current status, "not_contacted" when nothing was recorded
    status_date: str | None
    reached: int
    drawn_fen: int


@dataclass(frozen=True)
class FunnelRow:
    key: str  # manager code or cluster code ("" = unassigned / none)
    entries: int
    limit_fen: int
    contacted: int
    contacted_fen: int  # limits of the entries reached
    applied: int
    applied_fen: int
    drawn: int
    drawn_fen: int  # amounts drawn


@dataclass
class Query:
    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    clients: bool = False  # the filter reads the client (village, consent, name)
    villages: bool = False  # ... and the village (township)

    def source(self, *, scan: bool = False) -> str:
        """FROM with only the joins the filter needs (a count or funnel of 50,000 entries with
        no place filter should not touch 50,000 clients). ``scan``: read the table itself, not
        an index: a funnel reads most entries, and without statistics (a fresh load, a pull)
        SQLite would walk the partial manager index and look every row up (98 ms against 65
        at 50,000 entries)."""
        out = f"FROM whitelist w{' NOT INDEXED' if scan else ''} LEFT JOIN whitelist_state s ON s.whitelist_uid = w.uid"
        if self.clients or self.villages:
            out += " LEFT JOIN clients c ON c.uid = w.client_uid"
        if self.villages:
            out += " LEFT JOIN villages v ON v.id = c.village_id"
        return out


_FROM = """
FROM whitelist w
LEFT JOIN whitelist_state s ON s.whitelist_uid = w.uid
LEFT JOIN clients c ON c.uid = w.client_uid
LEFT JOIN villages v ON v.id = c.village_id
LEFT JOIN townships t ON t.id = v.township_id
"""

_COLS = """w.uid, w.client_uid, c.id, w.client_no, coalesce(c.name, ''), c.mobile, coalesce(v.name, ''),
coalesce(t.name, ''), w.product, w.limit_fen, w.rate_bp, w.valid_from, w.valid_to, w.cluster, w.score, w.band,
w.batch, w.manager, c.consent, coalesce(s.status, 'not_contacted'), s.status_date, coalesce(s.reached, 0),
coalesce(s.drawn_fen, 0)"""

SORTS = {
    # the soonest to lapse first; entries already past their date after the live ones
    "valid_to": "(w.valid_to IS NOT NULL AND w.valid_to < :today), w.valid_to IS NULL, w.valid_to, w.id",
    "limit": "w.limit_fen DESC, w.id",
    "village": "t.name, v.name, c.name_key, w.id",
    "name": "c.name_key, w.id",
    "status": "coalesce(s.reached, 0), w.valid_to, w.id",
}


def _where(f: WhitelistFilter, today: date) -> Query:
    q = Query(["w.deleted = 0"])
    if f.cluster:
        q.where.append("w.cluster = ?")
        q.args.append(f.cluster)
    if f.village_id is not None:
        q.clients = True
        q.where.append("c.village_id = ?")
        q.args.append(f.village_id)
    if f.township_id is not None:
        q.villages = True
        q.where.append("v.township_id = ?")
        q.args.append(f.township_id)
    if f.manager is not None:
        if f.manager == "":
            q.where.append("w.manager IS NULL")
        else:
            q.where.append("w.manager = ?")
            q.args.append(f.manager)
    if f.status:
        q.where.append("coalesce(s.status, 'not_contacted') = ?")
        q.args.append(f.status)
    if f.expiring_days is not None:
        q.where.append("w.valid_to >= ? AND w.valid_to <= ?")
        q.args += [today.isoformat(), (today + timedelta(days=f.expiring_days)).isoformat()]
    if f.expired is True:
        q.where.append("w.valid_to < ?")
        q.args.append(today.isoformat())
    elif f.expired is False:
        q.where.append("(w.valid_to IS NULL OR w.valid_to >= ?)")
        q.args.append(today.isoformat())
    if f.never_contacted:
        q.where.append("coalesce(s.reached, 0) = 0")
    if f.outreach:
        q.clients = True
        q.where.append("c.consent = 1")
    if f.text.strip():
        q.clients = True
        q.where.append("(c.name LIKE ? OR w.client_no LIKE ?)")
        like = f"%{f.text.strip()}%"
        q.args += [like, like]
    return q


class WhitelistRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def count(self, f: WhitelistFilter, *, today: date, at_most: int | None = None) -> int:
        """Entries matching ``f``; with ``at_most``, counted no further than that (a quick "n+")."""
        q = _where(f, today)
        if at_most is None:
            return self.db.conn.execute(f"SELECT count(*) {q.source()} WHERE {' AND '.join(q.where)}",
                                        q.args).fetchone()[0]
        return self.db.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 {q.source()} WHERE {' AND '.join(q.where)} LIMIT ?)",
            [*q.args, at_most]).fetchone()[0]

    def page(self, f: WhitelistFilter, *, today: date, sort: str = "valid_to", offset: int = 0,
             limit: int = 200) -> list[EntryRow]:
        q = _where(f, today)
        order = SORTS.get(sort, SORTS["valid_to"]).replace(":today", "?")
        order_args = [today.isoformat()] * SORTS.get(sort, SORTS["valid_to"]).count(":today")
        rows = self.db.conn.execute(
            f"SELECT {_COLS} {_FROM} WHERE {' AND '.join(q.where)} ORDER BY {order} LIMIT ? OFFSET ?",
            [*q.args, *order_args, limit, offset],
        ).fetchall()
        return [_row(r) for r in rows]

    def get(self, uid: str) -> EntryRow | None:
        r = self.db.conn.execute(f"SELECT {_COLS} {_FROM} WHERE w.uid = ? AND w.deleted = 0", (uid,)).fetchone()
        return _row(r) if r else None

    def outcomes(self, uid: str) -> list[StoredRecord]:
        """The entry's outcome records, oldest first (the history the detail shows)."""
        recs = Records(self.db, "whitelist_outcome")
        ids = [r[0] for r in self.db.conn.execute(
            "SELECT uid FROM whitelist_outcomes WHERE whitelist_uid = ? AND deleted = 0 ORDER BY date, id", (uid,))]
        return [rec for u in ids if (rec := recs.get(u)) is not None]

    def funnel(self, by: str, f: WhitelistFilter, *, today: date) -> list[FunnelRow]:
        """Counts and amounts per manager or cluster: entries, reached, applied, drawn."""
        key = {"manager": "coalesce(w.manager, '')", "cluster": "coalesce(w.cluster, '')"}[by]
        q = _where(f, today)
        sql = f"""
            SELECT {key} AS k, count(*), sum(w.limit_fen),
                   sum(coalesce(s.reached, 0) >= 1), sum(CASE WHEN coalesce(s.reached, 0) >= 1 THEN w.limit_fen END),
                   sum(coalesce(s.reached, 0) >= 3), sum(CASE WHEN coalesce(s.reached, 0) >= 3 THEN w.limit_fen END),
                   sum(coalesce(s.reached, 0) >= 4), sum(coalesce(s.drawn_fen, 0))
            {q.source(scan=True)} WHERE {' AND '.join(q.where)} GROUP BY k ORDER BY k"""
        return [FunnelRow(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0, r[6] or 0, r[7] or 0, r[8] or 0)
                for r in self.db.conn.execute(sql, q.args)]

    def clusters(self) -> list[tuple[str, str]]:
        """(cluster code, name) of entries and published scorecards; the name from the scorecard."""
        names = {r[0]: r[1] for r in self.db.conn.execute(
            "SELECT cluster, name FROM scorecards WHERE deleted = 0 AND cluster IS NOT NULL ORDER BY id")}
        codes = [r[0] for r in self.db.conn.execute(
            "SELECT DISTINCT cluster FROM whitelist WHERE deleted = 0 AND cluster IS NOT NULL ORDER BY cluster")]
        for c in names:
            if c not in codes:
                codes.append(c)
        return [(c, names.get(c, c)) for c in codes]

    def scorecard(self, cluster: str) -> dict[str, Any] | None:
        """The newest scorecard published for ``cluster`` (wire values), or None."""
        r = self.db.conn.execute(
            "SELECT uid, cluster, name, card_version, product, factors, bands, valid_from FROM scorecards"
            " WHERE cluster = ? AND deleted = 0 ORDER BY valid_from DESC, id DESC LIMIT 1", (cluster,)).fetchone()
        if r is None:
            return None
        return {"uid": r[0], "cluster": r[1], "name": r[2], "version": r[3], "product": r[4],
                "factors": json.loads(r[5]), "bands": json.loads(r[6]), "valid_from": r[7]}

    def open_nominations(self, id_number: str) -> list[str]:
        """uids of nominations for this ID number that head office has not decided."""
        return [r[0] for r in self.db.conn.execute(
            "SELECT uid FROM nominations WHERE id_number = ? AND deleted = 0"
            " AND (decision IS NULL OR decision = 'pending')", (id_number,))]

    def accepted_nominations(self, id_number: str) -> list[str]:
        """uids of nominations for this ID number that head office accepted (now whitelisted)."""
        return [r[0] for r in self.db.conn.execute(
            "SELECT uid FROM nominations WHERE id_number = ? AND deleted = 0 AND decision = 'accepted'",
            (id_number,))]

    def load_by_manager(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.conn.execute(
            "SELECT manager, count(*) FROM whitelist WHERE deleted = 0 AND manager IS NOT NULL GROUP BY manager")}

    def unassigned(self, uids: list[str] | None = None) -> list[tuple[str, int | None, int | None]]:
        """(entry uid, client's village id, client's manager id) of entries to assign."""
        sql = ("SELECT w.uid, c.village_id, c.manager_id FROM whitelist w LEFT JOIN clients c ON c.uid = w.client_uid"
               " WHERE w.deleted = 0")
        if uids is None:
            return [tuple(r) for r in self.db.conn.execute(sql + " AND w.manager IS NULL ORDER BY w.id")]
        out = []
        for i in range(0, len(uids), 500):
            chunk = uids[i: i + 500]
            out += [tuple(r) for r in self.db.conn.execute(
                sql + f" AND w.uid IN ({','.join('?' * len(chunk))}) ORDER BY w.id", chunk)]
        return out


def _row(r: tuple) -> EntryRow:
    return EntryRow(*r[:18], consent=None if r[18] is None else bool(r[18]), status=r[19], status_date=r[20],
                    reached=r[21], drawn_fen=r[22])
