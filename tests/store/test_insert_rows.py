"""What a large import writes through (``ClientRepository.insert_many``): a record's stored tuple and the
journal's JSON text of its wire form, made by generated functions, are what ``stored_values`` and
``journal.dumps(wire)`` make; multi-row inserts with NULLs in the statement write every row as given
(in order for the journal); the change ids are random version 4 UUIDs."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlcipher3

from app.core.client import Client, ClientKind, ConsentChannel, Lifecycle, Segment
from app.store import journal, kinds
from app.store.clients import ClientRepository
from app.store.db import write
from app.store.kinds import insert_rows, stored_getter, stored_values, table, wire_json_maker
from app.store.store import Store


def _clients(rnd: random.Random) -> list[Client]:
    names = ["张三", "ABC农资", 'a"b\\c', "换\n行", "\u2028", "é", "𠀀"]
    out = []
    for n in range(300):
        out.append(Client(
            kind=rnd.choice(list(ClientKind)), name=rnd.choice(names), id_number=rnd.choice([None, f"5002{n:014d}"]),
            mobile=rnd.choice([None, f"138{n:08d}"]), village_id=rnd.choice([None, 1, 2]),
            group_name=rnd.choice([None, "1组"]), address=rnd.choice([None, "", "某路"]),
            segment=rnd.choice(list(Segment)), aum_fen=rnd.choice([0, 5, 10**12]), mb_signed=rnd.choice([True, False]),
            lifecycle=rnd.choice(list(Lifecycle)), potential=rnd.choice([True, False]),
            manager_id=rnd.choice([None, 1, 3]), consent=rnd.choice([None, True, False]),
            consent_date=rnd.choice([None, date(2026, 3, 5)]), consent_channel=rnd.choice([None, *ConsentChannel]),
            notes=rnd.choice([None, "", "备注"]), last_contact=rnd.choice([None, date(2025, 1, 2)]),
            id_override=rnd.choice([True, False]), client_no=rnd.choice([None, "CQ1"]),
        ))
    return out


def test_generated_stored_tuple_and_journal_text_are_the_plain_ones() -> None:
    t = table("client")
    stored = stored_getter(t)
    code = {("village", 1): "V1", ("village", 2): "V2", ("staff", 1): "A0001"}.get

    def ref_code(kind: str, local_id: int) -> str | None:
        return code((kind, local_id))

    as_json = wire_json_maker(t, ref_code, journal.dumps, lists=("hq_tags", "branch_tags"))
    for c in _clients(random.Random(7)):
        plain = stored_values(t, c)
        assert stored(c) == tuple(plain.values())
        for hq, branch in (((), ()), (["T1", "T2"], ["B\u00e9"])):
            wire = {**kinds.wire_values(t, plain, ref_code), "hq_tags": list(hq), "branch_tags": list(branch)}
            assert as_json(stored(c), hq, branch) == journal.dumps(wire)


def test_new_uuids_are_random_version_4_uuids() -> None:
    ids = journal.new_uuids(500)
    assert len(set(ids)) == 500
    for text in ids:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 4 and u.variant == uuid.RFC_4122


@pytest.mark.parametrize("keep_order", [True, False])
def test_insert_rows_writes_every_row_with_its_nulls(monkeypatch: pytest.MonkeyPatch, keep_order: bool) -> None:
    monkeypatch.setattr(kinds, "MAX_PARAMS", 7)  # several statements per group
    conn = sqlcipher3.connect(":memory:")
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a, b, c)")
    rnd = random.Random(3)
    rows = [(n, rnd.choice([None, 1, "x"]), rnd.choice([None, b"\x00\xff", bytearray(b"k")]), rnd.choice([None, 2.5]))
            for n in range(1, 60)]
    insert_rows(conn, "t", ("n", "a", "b", "c"), rows, keep_order=keep_order)
    got = conn.execute("SELECT n, a, b, c FROM t ORDER BY n").fetchall()
    assert got == [(n, a, None if b is None else bytes(b), c) for n, a, b, c in rows]
    if keep_order:
        assert [r[0] for r in conn.execute("SELECT n FROM t ORDER BY rowid")] == [r[0] for r in rows]


def test_insert_many_journals_in_order_with_the_stored_text(demo_template: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(demo_template, tmp_path / "d")
    db = Store.open(tmp_path / "d").connect()
    try:
        repo = ClientRepository(db)
        drafts = [replace(repo.get(i), id=None, uid="", id_number=None, client_no=None, mobile=None)
                  for (i,) in db.conn.execute("SELECT id FROM clients WHERE deleted = 0 ORDER BY id LIMIT 30")]
        with write(db):
            made = repo.insert_many(drafts, author="A0001")
        rows = db.conn.execute("SELECT row_id, row_uid, after, typeof(base_seq) FROM journal WHERE kind = 'client'"
                               " ORDER BY seq DESC LIMIT 30").fetchall()[::-1]
        assert [(r[0], r[1]) for r in rows] == [(c.id, c.uid) for c in made]
        assert all(r[2] == journal.dumps(repo.wire(c)) and r[3] == "null" for r, c in zip(rows, made, strict=True))
        assert {r[0] for r in db.conn.execute("SELECT typeof(name_key) FROM clients WHERE id >= ?", (made[0].id,))} \
            == {"blob"}
    finally:
        db.close()
