"""Every local table holds exactly what its kind declares; rows map to dataclasses by name."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from app.core.client import Client
from app.store import journal, schema, syncdata
from app.store.db import write
from app.store.kinds import BOOKKEEPING, CLIENT_EXTRA, TABLES, check_domain_fields, column_ddl, sql_type, table
from app.store.records import RecordError, Records
from app.store.store import Store
from sync import protocol as p


@pytest.fixture
def db(tmp_path: Path):
    store = Store.open(tmp_path / "ws", create=True)
    conn = store.connect()
    yield conn
    conn.close()


def _columns(db, name: str) -> dict[str, tuple[str, bool, str | None]]:
    return {r[1]: (r[2], bool(r[3]), r[4]) for r in db.conn.execute(f"PRAGMA table_info({name})")}


def test_every_kind_has_a_table_with_exactly_its_declared_columns(db) -> None:
    assert set(TABLES) == set(p.KINDS.names)
    for kind in p.KINDS:
        t = table(kind.name)
        have = _columns(db, t.name)
        assert have, f"no table {t.name} for {kind.name}"
        for col in t.columns:
            assert col.local_name in have, (kind.name, col.local_name)
            sqltype, notnull, _default = have[col.local_name]
            assert sqltype == sql_type(col), (kind.name, col.local_name, sqltype)
            if not col.null and col.empty is not None:
                assert notnull, (kind.name, col.local_name)
        local_only = set(have) - set(t.local_names) - set(t.bookkeeping) - set(t.extra)
        if t.key == "uid":
            assert local_only == set(), (kind.name, local_only)
        else:  # schema v1's reference tables keep a few columns of their own (a PIN hash, a timestamp)
            assert local_only <= {"pin_hash", "updated_at"}, (kind.name, local_only)


def test_the_client_dataclass_has_a_field_for_every_declared_column() -> None:
    assert check_domain_fields(Client, table("client"), extra=("tags",)) == []
    declared = {c.local_name for c in table("client").columns} | {"tags"} | {"id", "uid", "version", "deleted"}
    assert {f.name for f in fields(Client)} == declared


def test_a_migration_step_derives_its_sql_from_the_declaration() -> None:
    t = table("contact")
    assert t.add_column_sql("note") == f"ALTER TABLE contacts ADD COLUMN {column_ddl(t.kind.column('note'))}"
    assert column_ddl(t.kind.column("note")) == "note TEXT NOT NULL DEFAULT ''"
    assert column_ddl(t.kind.column("next_date")) == "next_date TEXT"
    assert column_ddl(p.KINDS["followup"].column("done")) == "done INTEGER NOT NULL DEFAULT 0"
    # a declared column's local name may not shadow bookkeeping (compliance_words.version is list_version)
    assert "version" not in table("compliance_words").local_names and "version" in BOOKKEEPING
    assert CLIENT_EXTRA == ("name_key", "tier")


def test_a_record_written_here_is_checked_journaled_and_read_back_in_wire_form(db) -> None:
    with write(db):
        db.conn.execute("INSERT INTO townships (code, name) VALUES ('T1', '葛城街道')")
        db.conn.execute("INSERT INTO villages (township_id, code, name, groups) VALUES (1, 'V1', '石桥村', 5)")
        db.conn.execute("INSERT INTO staff (code, name, role) VALUES ('M0001', '王芳', 'manager')")
    contacts = Records(db, "contact")
    values = {"client_uid": "c-1", "staff": "M0001", "date": "2026-11-30", "channel": "visit",
              "note": "带去了惠农e贷的资料\n下周再访"}
    with write(db):
        rec = contacts.insert(values, author="M0001")
    assert rec.values == p.KINDS["contact"].complete(values)
    entry = journal.history(db, "contact", rec.uid)[0]
    assert entry.op == "insert" and entry.after == rec.values and entry.sync_state == "pending"
    with write(db):
        rec2 = contacts.update(rec.uid, {"outcome": "有意向", "next_date": "2026-12-07"}, author="M0001")
    assert rec2.version == 2 and rec2.values["outcome"] == "有意向"
    assert journal.history(db, "contact", rec.uid)[-1].after == {"outcome": "有意向", "next_date": "2026-12-07"}
    # refused before anything is written: a value the declaration refuses, an unknown channel
    n = db.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    for bad in ({"note": "坏\x00字符"}, {"channel": "pigeon"}, {"date": "2026-02-30"}):
        with pytest.raises(RecordError) as err, write(db):
            contacts.update(rec.uid, bad, author="M0001")
        assert err.value.problems[0].field == next(iter(bad))
    assert db.conn.execute("SELECT count(*) FROM journal").fetchone()[0] == n
    assert contacts.get(rec.uid).values == rec2.values
    # master data is head office's: the branch cannot create a whitelist entry
    with pytest.raises(RecordError) as err, write(db):
        Records(db, "whitelist").insert({"client_uid": "c-1", "product": "p"}, author="M0001")
    assert err.value.problems[0].status == 403


def test_a_v2_database_moves_its_mirrored_records_into_the_kinds_tables(tmp_path: Path) -> None:
    """An existing PC (schema v2 kept non-client records as JSON in sync_records) upgrades in place."""
    folder = tmp_path / "old"
    saved = list(schema.MIGRATIONS)
    schema.MIGRATIONS[:] = saved[:2]
    try:
        store = Store.open(folder, create=True)
        db = store.connect()
        with write(db):
            rows = [
                ("township", "T1", 1, 0, {"code": "T1", "name": "葛城街道"}),
                ("village", "V1", 2, 0, {"code": "V1", "township": "T1", "name": "石桥村", "groups": 5}),
                ("whitelist", "w-1", 3, 0, {"client_uid": "c-1", "client_no": "CQ1", "product": "xingnong_e_dai",
                                            "limit_fen": 5000000, "rate_bp": 385, "valid_from": "2026-10-01",
                                            "valid_to": "2027-09-30", "batch": "2026Q4"}),
                ("campaign", "c26", 4, 0, {"code": "c26", "name": "手机银行激活季", "product": "mb", "starts": None,
                                           "ends": None, "script": "介绍", "targets": ["c-1"]}),
                ("whitelist", "w-bad", 5, 0, {"client_uid": "c-2", "product": "p", "limit_fen": {"x": 1}}),
            ]
            db.conn.executemany(
                "INSERT INTO sync_records (kind, uid, seq, deleted, data) VALUES (?, ?, ?, ?, ?)",
                [(k, u, s, d, json.dumps(v, ensure_ascii=False)) for k, u, s, d, v in rows],
            )
        db.close()
    finally:
        schema.MIGRATIONS[:] = saved
    store = Store.open(folder)  # upgrades to the latest schema, after a backup
    assert store.migrated_from == 2
    db = store.connect(readonly=True)
    try:
        held = {k: dict(syncdata.held(db, k)) for k in ("township", "village", "whitelist", "campaign")}
        assert held == {"township": {"T1": 1}, "village": {"V1": 2}, "whitelist": {"w-1": 3, "w-bad": 5},
                        "campaign": {"c26": 4}}
        w = Records(db, "whitelist").get("w-1")
        assert w is not None and w.values["limit_fen"] == 5000000 and w.values["manager"] is None
        assert Records(db, "campaign").get("c26").values["name"] == "手机银行激活季"
        rejected = syncdata.rejected_records(db)
        assert [(r["uid"], "核定额度" in r["reason"]) for r in rejected] == [("w-bad", True)]
        summaries = syncdata.local_summaries(db)
        assert summaries["whitelist"] == p.scope_summary([("w-1", 3), ("w-bad", 5)])
        assert db.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sync_records'").fetchone()[0] == 0
    finally:
        db.close()
