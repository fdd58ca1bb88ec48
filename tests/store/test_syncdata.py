"""Pulled pages into the local store: the fast path for the protocol's column order and the general one."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from app.store import syncdata
from app.store.db import write
from app.store.store import Store
from sync import protocol as p
from sync.server.demo import demo_records

CLIENT_SQL = (
    "SELECT c.uid, c.hq_seq, c.deleted, c.client_no, c.kind, c.name, c.name_key, c.id_number, c.mobile, v.code,"
    " c.group_name, c.address, c.segment, c.aum_fen, c.deposit_fen, c.loan_fen, c.tier, c.mb_signed, c.mb_active,"
    " c.lifecycle, c.potential, s.code, c.consent, c.consent_date, c.consent_channel, c.notes, c.last_contact,"
    " c.id_override, (SELECT group_concat(t.code, ',') FROM (SELECT t.code FROM client_tags ct JOIN tags t"
    " ON t.id = ct.tag_id WHERE ct.client_id = c.id ORDER BY t.code) t)"
    " FROM clients c JOIN villages v ON v.id = c.village_id LEFT JOIN staff s ON s.id = c.manager_id ORDER BY c.uid"
)


def _pages(n_clients: int) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The demo county as pulled page parts: (kind, columns, [seq, uid, deleted, *values])."""
    seq = 0
    parts = []
    for kind, _branch, rows in demo_records(seed=7, n_clients=n_clients):
        cols = list(p.KINDS[kind].wire_columns)
        wire = []
        for r in rows:
            seq += 1
            wire.append([seq, str(r["uid"]), 0, *(r.get(c) for c in cols)])
        parts.append((kind, cols, wire))
    return parts


def _apply(folder: Path, parts: list[tuple[str, list[str], list[list[Any]]]], rejected: int = 0) -> list[tuple]:
    store = Store.open(folder, create=True)
    db = store.connect()
    try:
        with write(db):
            result = syncdata.apply_page(db, parts, pending=set(), fresh=True)
        assert result.rejected == rejected and result.deferred == 0, result
        return db.conn.execute(CLIENT_SQL).fetchall()
    finally:
        db.close()


def _shuffled(parts: list[tuple[str, list[str], list[list[Any]]]]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The same records with each kind's columns in another order (as another server version might send)."""
    rng = random.Random(3)
    out = []
    for kind, cols, rows in parts:
        order = list(range(len(cols)))
        rng.shuffle(order)
        out.append((kind, [cols[i] for i in order], [[*r[:3], *(r[3 + i] for i in order)] for r in rows]))
    return out


def test_column_order_does_not_change_what_is_stored(tmp_path: Path) -> None:
    parts = _pages(300)
    # one client with branch tags too: hq and branch tags both land in client_tags
    _kind, cols, rows = next(x for x in parts if x[0] == "client")
    branch_tag = next(r[3] for k, _c, rs in parts if k == "tag" for r in rs if r[3 + 2] == "branch")
    rows[0][3 + cols.index("branch_tags")] = [branch_tag]
    rows[1][3 + cols.index("manager")] = None
    rows[2][3 + cols.index("aum_fen")] = None  # money may not be NULL: this one record is set aside
    straight = _apply(tmp_path / "a", parts, rejected=1)
    shuffled = _apply(tmp_path / "b", _shuffled(parts), rejected=1)
    assert len(straight) == 299
    assert straight == shuffled
    by_uid = {r[0]: r for r in straight}
    assert branch_tag in by_uid[rows[0][1]][-1].split(",")
    assert by_uid[rows[1][1]][21] is None
    assert rows[2][1] not in by_uid
    # the pulled values arrived as sent
    for r in rows[3:50]:
        mine = by_uid[r[1]]
        assert mine[1] == r[0] and mine[5] == r[3 + cols.index("name")]
        assert mine[9] == r[3 + cols.index("village")] and mine[8] == r[3 + cols.index("mobile")]


def test_a_page_missing_a_column_still_applies(tmp_path: Path) -> None:
    """A server that does not send a column (an older one, say): the field is empty, the rest arrives."""
    parts = _pages(50)
    out = []
    for kind, cols, rows in parts:
        if kind == "client":
            gone = cols.index("consent_channel")
            cols = cols[:gone] + cols[gone + 1 :]
            rows = [r[: 3 + gone] + r[4 + gone :] for r in rows]
        out.append((kind, cols, rows))
    stored = _apply(tmp_path / "ws", out)
    assert len(stored) == 50 and all(r[24] is None for r in stored)
