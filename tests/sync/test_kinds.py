"""The kind declarations: wire order is append-only, the fast row check agrees with the column checks,
every kind round-trips unchanged between a PC and head office, and a new column needs only its
declaration line and a migration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store import kinds as local_kinds
from app.store import schema
from app.store.db import write
from app.store.kinds import Table
from app.store.records import Records
from app.store.store import Store
from resources.demo_county import scorecards
from sync import protocol as p
from sync.protocol import kinds as declared
from sync.protocol.schema import Column, Creator, Owner, Registry, T, json_schema
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, assert_same, local_state, server_state, sync, workstation
from tests.support.records import sample

# Protocol 2 as released: each kind's wire columns in order. A kind may gain columns at the end only
# (a PC maps columns by name, but head office's stored arrays and older PCs' pages keep this order).
# The kinds that got tables of their own in schema v3 were released with exactly those columns.
RELEASED: dict[str, tuple[str, ...]] = {
    **schema.V3_KINDS,
    "township": ("code", "name"),
    "village": ("code", "township", "name", "groups"),
    "staff": ("code", "name", "role", "active"),
    "tag": ("code", "name", "source", "category"),
    "scenario_client": ("scenario", "client_uid", "date"),
    "client": (
        "client_no", "kind", "name", "id_number", "mobile", "village", "group_name", "address", "segment",
        "aum_fen", "deposit_fen", "loan_fen", "mb_signed", "mb_active", "lifecycle", "potential", "manager",
        "consent", "consent_date", "consent_channel", "notes", "last_contact", "id_override", "hq_tags",
        "branch_tags",
    ),
}


def test_wire_order_only_grows_at_the_end() -> None:
    assert set(RELEASED) == set(p.KINDS.names)
    for name, released in RELEASED.items():
        assert p.KINDS[name].wire_columns[: len(released)] == released, name


def test_references_point_at_known_kinds_and_schemas_describe_every_column() -> None:
    for kind in p.KINDS:
        described = json_schema(kind)
        assert set(described["properties"]) == set(kind.wire_columns)
        for col in kind.columns:
            if col.type == T.REF:
                assert col.ref in p.KINDS


# --- the generated row check agrees with the per-column checks ------------------------------------

_values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=30), st.text(alphabet="0123456789-", min_size=10, max_size=10),
    st.sampled_from(["farmer", "individual", "2026-11-30", "2026-02-30", "13800138000", "A0001", "", " ", "\x00",
                     "\ud800", "x" * 600, "1" * 18, "11010519491231002X"]),
    st.lists(st.sampled_from(["hq_a", "br_b", "", "坏\x01"]), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_generated_row_check_agrees_with_the_column_checks(data) -> None:
    kind = data.draw(st.sampled_from(p.KINDS.kinds))
    values = [data.draw(_values) for _ in kind.columns]
    header = [data.draw(st.sampled_from([1, 0, -1, 2**63, True, "7"])), data.draw(
        st.sampled_from(["u-1", "", "坏", "x" * 65])), data.draw(st.sampled_from([0, 1, True, 2, "0", None]))]
    row = [*header, *values]
    expected = (
        type(header[0]) is int and 0 < header[0] <= 2**62 and p.valid_id(header[1])
        and header[2] in (0, 1) and type(header[2]) in (int, bool)
        and all(c.ok(v) for c, v in zip(kind.columns, values, strict=True))
    )
    assert kind.check_row(row) == expected
    assert kind.check_row(row[:-1]) is False


# --- round trips: record -> local table -> wire -> head office -> wire -> local table ------------------


def _refs(hq_store) -> dict[str, str]:
    """A record of each kind others refer to, from the seeded head office."""
    out = {}
    for kind in ("township", "village", "staff", "client", "whitelist", "campaign", "scenario_type"):
        out[kind] = next(u for u, _s, deleted, _v in hq_store.records(DEMO_BRANCH, kind) if not deleted)
    return out


def test_every_kind_round_trips_unchanged(hq_sqlite, tmp_path: Path) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=30)
    refs = _refs(hq.store)
    # a scenario to hang a metric on (made at the branch below, so its uid is known here)
    refs["scenario"] = "scenario-roundtrip-1"
    # master data: head office publishes one record of each kind
    published = {}
    for n, kind in enumerate(p.KINDS):
        if kind.creator == Creator.BRANCH or kind.name == "client":
            continue
        rec = sample(kind, refs, n)
        uid = rec["code"] if kind.uid == "code" else f"{kind.name}-roundtrip-{n}"
        if kind.source_column is not None:  # head office's own record (tag, campaign, target)
            rec[kind.source_column.name] = "hq"
        if kind.name == "scorecard":  # a card must be one the branch can evaluate
            card = scorecards()[0]
            rec.update(factors=card["factors"], bands=card["bands"])
        hq.store.publish(kind.name, DEMO_BRANCH, [{"uid": uid, **rec}])
        published[kind.name] = (uid, rec)
    banked = sample(p.KINDS["client"], refs, 99)
    banked.update(client_no="CQ0000000099", village=refs["village"], manager=refs["staff"])
    hq.store.publish("client", DEMO_BRANCH, [{"uid": "client-roundtrip-hq", **banked}])
    published["client"] = ("client-roundtrip-hq", banked)

    pc1 = workstation(tmp_path / "pc1", hq.url, hq.store)
    assert sync(pc1).synced
    held = local_state(pc1)
    for name, (uid, rec) in published.items():
        assert held[name][uid][2] == rec, name

    # field work: the branch makes one record of each kind it may create, in its local table
    db = pc1.connect()
    made = {}
    with write(db):
        for n, kind in enumerate(p.KINDS):
            if kind.creator != Creator.BRANCH:
                continue
            # every column the branch owns (head office's, like a nomination's decision, stay empty)
            rec = {k: v for k, v in sample(kind, refs, n).items() if kind.by_name[k].owner != Owner.HQ}
            uid = refs["scenario"] if kind.name == "scenario" else None
            made[kind.name] = Records(db, kind.name).insert(rec, author="A0001", uid=uid)
    db.close()
    report = sync(pc1)
    assert report.synced and report.quarantined == 0, report
    server = server_state(hq.store)
    for name, rec in made.items():
        assert server[name][rec.uid][2] == rec.values, name

    # a second PC of the branch receives all of it exactly as sent
    pc2 = workstation(tmp_path / "pc2", hq.url, hq.store)
    assert sync(pc2).synced
    assert local_state(pc2) == local_state(pc1)
    assert_same(hq.store, pc2)


# --- a new column: its declaration line and a migration, nothing else ---------------------------------


def test_a_new_column_needs_only_its_declaration_and_a_migration(hq_sqlite, tmp_path: Path, monkeypatch) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=20)
    refs = _refs(hq.store)
    pc = workstation(tmp_path / "pc", hq.url, hq.store)  # made under today's declarations
    assert sync(pc).synced

    # the change a developer makes: one Column(...) in the kind, one AddColumns step in the migrations
    old = p.KINDS["contact"]
    contact = dataclasses.replace(
        old, columns=(*old.columns, Column("mood", T.TEXT, "客户态度", owner=declared.BRANCH, null=False, max_len=20))
    )
    registry = Registry(tuple(contact if k.name == "contact" else k for k in p.KINDS.kinds))
    monkeypatch.setattr(p, "KINDS", registry)
    monkeypatch.setattr(declared, "KINDS", registry)
    monkeypatch.setitem(local_kinds.TABLES, "contact", Table(contact, contact.table))
    version = schema.latest_version() + 1
    monkeypatch.setattr(schema, "MIGRATIONS", [
        *schema.MIGRATIONS, schema.Migration(version, "contact mood", schema.add_columns("contact", ("mood",)))
    ])
    hq.store.create_schema()  # head office at its next start: stored arrays follow the declaration

    pc = Store.open(tmp_path / "pc")  # the PC at its next start: the migration runs
    assert pc.migrated_from == version - 1
    db = pc.connect()
    with write(db):
        rec = Records(db, "contact").insert({**sample(contact, refs, 1), "mood": "很满意"}, author="A0001")
    db.close()
    assert sync(pc).synced
    assert server_state(hq.store)["contact"][rec.uid][2]["mood"] == "很满意"
    pc2 = workstation(tmp_path / "pc2", hq.url, hq.store)
    assert sync(pc2).synced
    db = pc2.connect(readonly=True)
    assert Records(db, "contact").get(rec.uid).values["mood"] == "很满意"
    db.close()
