"""Head office's tables, engine and schema upgrades, on SQLAlchemy Core (SQLite or PostgreSQL).

Tables: branches; devices (hashed enrolment codes and tokens); records (one
row per kind+uid: its branch, its server sequence, its values as a JSON array
in the kind's declared column order, a tombstone flag); changes (every change
id a branch pushed, keyed by branch and change id, with its payload hash and
the answer given); conflicts; denials (403s); summaries (per scope and kind:
the count and hash a checkpoint compares, kept up to date as records change);
kind_layouts (the column order each kind's stored arrays are in).

Ordering: a reader paging by ``seq > cursor`` must never skip a row that commits
later. On SQLite (one writer at a time) ``counter`` holds the last sequence number.
On PostgreSQL there is no global lock: a write transaction takes advisory locks on
what it writes (its branch, its county, the shared scope), and draws numbers from
the ``records_seq`` sequence while holding them, so writes a device could both see
commit in seq order while other counties go on at once
(``sync.server.records.Sequencer``); a pull reads in one snapshot.

Pull reads records of one scope (a branch, or NULL for what every branch sees)
in seq order straight off the ``(branch, seq)`` and ``(branch, kind, seq)``
indexes: a page costs the same whatever comes after it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync import protocol as p
from sync.protocol.schema import bad_char

log = logging.getLogger("sync.server")

SCHEMA_VERSION = 7
SHARED = ""  # the scope of records every branch sees (tag catalogue, word list...): equality, never NULL,
# so both engines read it off the (branch, seq) index in order

metadata = sa.MetaData()

hq_meta = sa.Table(
    "hq_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
branches = sa.Table(
    "branches",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # the county (区县代码, e.g. 500229) the branch belongs to: a county-scope device reads all of its branches
    sa.Column("county", sa.String(16)),
)
devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("code_hash", sa.String(64), unique=True),
    sa.Column("code_expires", sa.String(40)),
    sa.Column("token_hash", sa.String(64), unique=True),
    # enrolment is two-step: redeeming a code issues a token that works only once the PC confirms it
    # stored it; until then the code stays usable (a PC that failed to keep its token enrols again)
    sa.Column("pending_token_hash", sa.String(64)),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("enrolled_at", sa.String(40)),
    sa.Column("revoked_at", sa.String(40)),
    sa.Column("last_seen", sa.String(40)),
    sa.Column("last_confirmed", sa.String(40)),
    sa.Column("last_cursor", sa.BigInteger),
    # a county manager's device: reads every branch of this county (writes only its own branch's records)
    sa.Column("county", sa.String(16)),
    # carried bundles: the device's public keys (Ed25519 to verify, X25519 to encrypt replies to), made
    # at enrolment, and the number and hash of the last bundle imported from it (replays are refused)
    sa.Column("sign_pub", sa.String(64)),
    sa.Column("box_pub", sa.String(64)),
    sa.Column("last_bundle", sa.BigInteger),
    sa.Column("last_bundle_hash", sa.String(64)),
    sa.Column("app_version", sa.String(40)),  # the app version it ran at its last confirmed sync
)
counter = sa.Table(  # SQLite: the last seq handed out (PostgreSQL draws from the records_seq sequence)
    "counter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)
RECORDS_SEQ = "records_seq"
records = sa.Table(
    "records",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("uid", sa.String(64), primary_key=True),
    sa.Column("branch", sa.String(32), nullable=False, server_default=SHARED),  # a branch code, or SHARED
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("updated_by", sa.String(80), nullable=False),
)
# "after seq" for one scope, with and without a kind filter: index order is page order
sa.Index("records_branch_seq", records.c.branch, records.c.seq)
sa.Index("records_branch_kind_seq", records.c.branch, records.c.kind, records.c.seq)
changes = sa.Table(
    "changes",
    metadata,
    sa.Column("branch", sa.String(32), primary_key=True),
    sa.Column("change_id", sa.String(64), primary_key=True),
    sa.Column("device_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("uid", sa.String(64), nullable=False),
    sa.Column("op", sa.String(10), nullable=False),
    sa.Column("payload_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("seq", sa.BigInteger),
    sa.Column("reason", sa.Text),
    sa.Column("code", sa.Integer),
    sa.Column("author", sa.String(80), nullable=False, server_default=""),
    sa.Column("local_time", sa.String(40), nullable=False, server_default=""),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)
sa.Index("changes_branch_received", changes.c.branch, changes.c.received_at)
sa.Index("changes_record", changes.c.kind, changes.c.uid)
conflicts = sa.Table(
    "conflicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("branch", sa.String(32), nullable=False),
    sa.Column("change_id", sa.String(64)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("uid", sa.String(64), nullable=False),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("base_value", sa.Text),
    sa.Column("server_value", sa.Text),
    sa.Column("branch_value", sa.Text),
    sa.Column("kept", sa.String(12), nullable=False),  # which value the record now holds
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("resolved_at", sa.String(40)),
)
sa.Index("conflicts_branch", conflicts.c.branch, conflicts.c.id)
denials = sa.Table(
    "denials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("device_id", sa.Integer),
    sa.Column("device_branch", sa.String(32)),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
)
summaries = sa.Table(
    "summaries",
    metadata,
    sa.Column("scope", sa.String(32), primary_key=True),  # a branch code, or "" for records every branch sees
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(32), nullable=False),
)
kind_layouts = sa.Table(
    "kind_layouts",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("columns", sa.Text, nullable=False),  # JSON list: the order of the stored value arrays
)


def now() -> str:
    """The server clock, UTC, to the millisecond: the only clock that stamps anything."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()


def dump(values: list[Any]) -> str:
    """A record's values as stored: JSON, UTF-8 (values passed the declaration's checks)."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def safe_text(value: Any, limit: int) -> str:
    """Any client-sent string made storable on both engines: no NUL or lone surrogates, clipped."""
    text = str(value)
    if bad_char(text) is not None:
        text = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)
    return text[:limit]


class HQError(Exception):
    """An admin or request error with a Chinese message; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Device:
    id: int
    branch: str
    name: str
    county: str | None = None  # a county-scope device (reads every branch of the county)


def make_engine(url: str, *, connect_timeout: int | None = None) -> Engine:
    """An engine for ``url`` with the settings the store relies on. ``connect_timeout`` (seconds,
    PostgreSQL): give up connecting after it (a read replica that does not answer)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling is off; SQLAlchemy's BEGIN below
            # takes the write lock at once (no upgrade deadlocks between writers).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # readers get a deferred transaction (a WAL snapshot, no lock); writers take the
            # write lock up front
            read = conn.get_execution_options().get("branchdesk_read")
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # each worker process has its own pool: workers x (pool + overflow) must stay under the server's
    # max_connections (README: "Head office as several worker processes"); a handler, on one of the
    # worker's threads, holds one connection
    pool = int(os.environ.get("BRANCHDESK_HQ_POOL", "20"))
    return sa.create_engine(url, pool_pre_ping=True, pool_size=pool, max_overflow=pool // 2, pool_timeout=30,
                            connect_args={"connect_timeout": connect_timeout} if connect_timeout else {})


# --- schema: create, upgrade, and keep stored arrays in each kind's declared order -----------------


def create_schema(engine: Engine) -> None:
    """Create missing tables; upgrade an older head-office database; align stored records
    with the kinds' declared columns. Idempotent; run at every open. On PostgreSQL under an
    advisory lock: several workers starting at once create and upgrade it one after another."""
    if engine.dialect.name != "postgresql":
        _create_schema(engine)
        return
    with engine.connect() as lock:
        lock.exec_driver_sql(f"SELECT pg_advisory_lock({_SCHEMA_LOCK})")
        lock.commit()
        try:
            _create_schema(engine)
        finally:
            lock.exec_driver_sql(f"SELECT pg_advisory_unlock({_SCHEMA_LOCK})")
            lock.commit()


_SCHEMA_LOCK = 0x42446871  # "BDhq": the advisory lock schema creation and upgrades hold on PostgreSQL


def _create_schema(engine: Engine) -> None:
    old = _version(engine)
    if old == 1:
        _upgrade_from_v1(engine)
    if old in (1, 2):
        with engine.begin() as c:  # schema 3: the shared scope is "" (an equality the indexes order by)
            c.execute(records.update().where(records.c.branch.is_(None)).values(branch=SHARED))
    if old in (1, 2, 3):
        with engine.begin() as c:  # schema 4: two-step enrolment
            c.exec_driver_sql("ALTER TABLE devices ADD COLUMN pending_token_hash VARCHAR(64)")
    if old in (1, 2, 3, 4):
        with engine.begin() as c:  # schema 5: county scope, carried bundles
            c.exec_driver_sql("ALTER TABLE branches ADD COLUMN county VARCHAR(16)")
            for col, typ in (("county", "VARCHAR(16)"), ("sign_pub", "VARCHAR(64)"), ("box_pub", "VARCHAR(64)"),
                             ("last_bundle", "BIGINT"), ("last_bundle_hash", "VARCHAR(64)")):
                c.exec_driver_sql(f"ALTER TABLE devices ADD COLUMN {col} {typ}")
    if old in (1, 2, 3, 4, 5):
        with engine.begin() as c:  # schema 6: the app version each device runs
            c.exec_driver_sql("ALTER TABLE devices ADD COLUMN app_version VARCHAR(40)")
    metadata.create_all(engine)
    with engine.begin() as c:
        if c.execute(sa.select(counter.c.value).where(counter.c.id == 1)).first() is None:
            c.execute(counter.insert().values(id=1, value=0))
        if engine.dialect.name == "postgresql":
            _create_sequence(c)
        c.execute(sa.delete(hq_meta).where(hq_meta.c.key == "schema_version"))
        c.execute(hq_meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
    align_layouts(engine)
    if old in (1, 2):
        rebuild_summaries(engine)


def _create_sequence(c: Connection) -> None:
    """PostgreSQL (schema 7): ``records_seq``, started after every seq handed out so far (the counter
    of schema 6 and before, and the records)."""
    exists = c.exec_driver_sql(f"SELECT to_regclass('{RECORDS_SEQ}')").scalar()
    if exists is None:
        c.exec_driver_sql(f"CREATE SEQUENCE {RECORDS_SEQ} AS BIGINT")
        last = max(c.execute(sa.select(counter.c.value).where(counter.c.id == 1)).scalar() or 0,
                   c.execute(sa.select(sa.func.max(records.c.seq))).scalar() or 0)
        if last:
            c.execute(sa.text(f"SELECT setval('{RECORDS_SEQ}', :v)"), {"v": last})


def _version(engine: Engine) -> int | None:
    names = set(sa.inspect(engine).get_table_names())
    if "records" not in names:
        return None  # a new database
    if "hq_meta" not in names:
        return 1
    with engine.connect() as c:
        v = c.execute(sa.select(hq_meta.c.value).where(hq_meta.c.key == "schema_version")).scalar()
    return int(v or 1)


# The column order protocol 1 stored records in (the kinds it had), for the upgrade only.
_V1_LAYOUTS = {
    "township": ("code", "name"),
    "village": ("code", "township", "name", "groups"),
    "staff": ("code", "name", "role", "active"),
    "tag": ("code", "name", "source", "category"),
    "client": (
        "client_no", "kind", "name", "id_number", "mobile", "village", "group_name", "address", "segment",
        "aum_fen", "deposit_fen", "loan_fen", "mb_signed", "mb_active", "lifecycle", "potential", "manager",
        "consent", "consent_date", "consent_channel", "notes", "last_contact", "id_override", "hq_tags",
        "branch_tags",
    ),
    "whitelist": ("client_uid", "client_no", "product", "limit_fen", "rate_bp", "valid_from", "valid_to", "batch"),
    "campaign": ("code", "name", "product", "starts", "ends", "script", "targets"),
    "scenario_type": ("code", "name", "metrics"),
    "compliance_words": ("version", "block", "warn"),
    "contact": ("client_uid", "staff", "date", "channel", "outcome", "note", "campaign"),
    "followup": ("client_uid", "campaign", "due", "done", "result", "note", "staff"),
    "scenario": ("scenario_type", "village", "period", "metrics", "note"),
    "whitelist_outcome": ("whitelist_uid", "status", "amount_fen", "date", "note", "staff"),
    "nomination": ("client_uid", "product", "amount_fen", "reason", "staff"),
}


def _upgrade_from_v1(engine: Engine) -> None:
    """Protocol 1's database: change ids become per branch, pull indexes, layouts recorded."""
    log.warning("upgrading the head-office database from schema 1")
    with engine.begin() as c:
        c.exec_driver_sql("ALTER TABLE changes RENAME TO changes_v1")
        for name in ("changes_branch_received", "changes_record", "records_summary"):
            c.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    metadata.create_all(engine)
    cols = ", ".join(c.name for c in changes.columns)
    with engine.begin() as c:
        c.exec_driver_sql(f"INSERT INTO changes ({cols}) SELECT {cols} FROM changes_v1")
        c.exec_driver_sql("DROP TABLE changes_v1")
        c.execute(sa.delete(kind_layouts))
        c.execute(kind_layouts.insert(), [{"kind": k, "columns": json.dumps(v)} for k, v in _V1_LAYOUTS.items()])


def align_layouts(engine: Engine, batch: int = 5000) -> int:
    """Rewrite stored value arrays of every kind whose declared columns changed (by name:
    a column added anywhere gets its empty value, a removed one is dropped). Returns rows
    rewritten. A kind seen for the first time just records its layout."""
    rewritten = 0
    with engine.connect() as c:
        stored = {k: json.loads(cols) for k, cols in c.execute(sa.select(kind_layouts.c.kind, kind_layouts.c.columns))}
    for kind in p.KINDS:
        want = list(kind.wire_columns)
        have = stored.get(kind.name)
        if have == want:
            continue
        if have is not None:
            empty = {col.name: col.empty for col in kind.columns}
            after = ""
            while True:
                with engine.begin() as c:
                    rows = c.execute(
                        sa.select(records.c.uid, records.c.data)
                        .where(records.c.kind == kind.name, records.c.uid > after)
                        .order_by(records.c.uid).limit(batch)
                    ).all()
                    if not rows:
                        break
                    c.execute(
                        records.update()
                        .where(records.c.kind == kind.name, records.c.uid == sa.bindparam("k_uid"))
                        .values(data=sa.bindparam("data")),
                        [
                            {"k_uid": uid, "data": dump([dict(zip(have, json.loads(data), strict=False)).get(
                                col, empty[col]) for col in want])}
                            for uid, data in rows
                        ],
                    )
                    after = rows[-1].uid
                    rewritten += len(rows)
            log.warning("stored %s records rewritten for the declared columns", kind.name)
        with engine.begin() as c:
            c.execute(sa.delete(kind_layouts).where(kind_layouts.c.kind == kind.name))
            c.execute(kind_layouts.insert().values(kind=kind.name, columns=json.dumps(want)))
    return rewritten


def rebuild_summaries(engine: Engine) -> None:
    """Recompute every (scope, kind) checkpoint summary from the records (an upgrade, or repair)."""
    totals: dict[tuple[str, str], list[int]] = {}
    with engine.connect() as c:
        for kind, uid, branch, seq in c.execute(
            sa.select(records.c.kind, records.c.uid, records.c.branch, records.c.seq)
        ):
            t = totals.setdefault((branch or SHARED, kind), [0, 0])
            t[0] += 1
            t[1] += p.record_digest(uid, seq)
    with engine.begin() as c:
        c.execute(sa.delete(summaries))
        if totals:
            c.execute(summaries.insert(), [
                {"scope": scope, "kind": kind, "count": n, "hash": p.hash_text(h)}
                for (scope, kind), (n, h) in totals.items()
            ])
