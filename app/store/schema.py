"""Numbered schema migrations. ``PRAGMA user_version`` holds the schema version.

Rules: a migration is appended, never edited once released; each runs in its
own transaction together with the version bump, so a crash leaves either the
old or the new schema, never half of one. ``app.store.store`` takes a backup
before upgrading an existing file and refuses a file newer than this build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Migration:
    version: int
    title: str
    apply: Callable[[sqlite_utils.Database], None]


def _sql(script: str) -> Callable[[sqlite_utils.Database], None]:
    statements = [s.strip() for s in script.split(";\n") if s.strip()]

    def run(db: sqlite_utils.Database) -> None:
        for statement in statements:
            db.conn.execute(statement)

    return run


# --- v1: the foundation -----------------------------------------------------
#
# clients.id is the local row id (fast joins, FTS rowid); clients.uid is the
# global id that sync uses. name_key is the name in GB18030 bytes: GB2312's
# first-level hanzi are in pinyin order, so ORDER BY name_key sorts 张/王/李 the
# way staff expect without a pinyin dictionary. Sort indexes are partial on
# deleted = 0 (tombstones stay for sync but never slow the live book).
#
# client_search is a contentless FTS5 index over terms the store computes
# (app.store.search): CJK unigrams and bigrams of names, bigrams of place
# names, phone and ID suffixes, and filter attributes (tags, segment, tier,
# village, manager...). detail=none keeps it small: only rowids are stored.
V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE townships (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);
CREATE TABLE villages (
    id          INTEGER PRIMARY KEY,
    township_id INTEGER NOT NULL REFERENCES townships(id),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    groups      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX villages_township ON villages(township_id);
CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('manager','branch_head','county','admin')),
    active     INTEGER NOT NULL DEFAULT 1,
    pin_hash   TEXT,
    updated_at TEXT
);
CREATE TABLE tags (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    source   TEXT NOT NULL CHECK (source IN ('hq','branch')),
    category TEXT NOT NULL DEFAULT '',
    deleted  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE clients (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    client_no       TEXT UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('individual','business')),
    name            TEXT NOT NULL,
    name_key        BLOB NOT NULL,
    id_number       TEXT,
    mobile          TEXT,
    village_id      INTEGER NOT NULL REFERENCES villages(id),
    group_name      TEXT,
    address         TEXT,
    segment         TEXT NOT NULL,
    aum_fen         INTEGER NOT NULL DEFAULT 0 CHECK (aum_fen >= 0),
    deposit_fen     INTEGER NOT NULL DEFAULT 0 CHECK (deposit_fen >= 0),
    loan_fen        INTEGER NOT NULL DEFAULT 0 CHECK (loan_fen >= 0),
    tier            INTEGER NOT NULL DEFAULT 0,
    mb_signed       INTEGER NOT NULL DEFAULT 0,
    mb_active       INTEGER NOT NULL DEFAULT 0,
    lifecycle       TEXT NOT NULL,
    potential       INTEGER NOT NULL DEFAULT 0,
    manager_id      INTEGER REFERENCES staff(id),
    consent         INTEGER,
    consent_date    TEXT,
    consent_channel TEXT,
    notes           TEXT NOT NULL DEFAULT '',
    last_contact    TEXT,
    id_override     INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    hq_seq          INTEGER,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX clients_id_number ON clients(id_number) WHERE id_number IS NOT NULL;
CREATE INDEX clients_mobile ON clients(mobile) WHERE mobile IS NOT NULL;
CREATE INDEX clients_by_name ON clients(name_key, id) WHERE deleted = 0;
CREATE INDEX clients_by_village ON clients(village_id, name_key, id) WHERE deleted = 0;
CREATE INDEX clients_by_tier ON clients(tier, aum_fen, id) WHERE deleted = 0;
CREATE INDEX clients_by_aum ON clients(aum_fen, id) WHERE deleted = 0;
CREATE INDEX clients_by_contact ON clients(last_contact, id) WHERE deleted = 0;
CREATE INDEX clients_by_lifecycle ON clients(
    (CASE lifecycle WHEN 'new' THEN 0 WHEN 'honeymoon' THEN 1 WHEN 'mature' THEN 2
     WHEN 'churn_warning' THEN 3 WHEN 'churned' THEN 4 WHEN 'recovered' THEN 5 ELSE 6 END),
    name_key, id) WHERE deleted = 0;
CREATE INDEX clients_by_manager ON clients(manager_id, name_key, id) WHERE deleted = 0;
CREATE TABLE client_tags (
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (client_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX client_tags_by_tag ON client_tags(tag_id, client_id);
CREATE VIRTUAL TABLE client_search USING fts5(
    terms, content='', contentless_delete=1, detail=none,
    tokenize='unicode61 remove_diacritics 0'
);
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id  TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    row_uid    TEXT NOT NULL,
    row_id     INTEGER,
    op         TEXT NOT NULL CHECK (op IN ('insert','update','delete')),
    before     TEXT NOT NULL,
    after      TEXT NOT NULL,
    base_seq   INTEGER,
    author     TEXT NOT NULL,
    local_time TEXT NOT NULL,
    sync_state TEXT NOT NULL DEFAULT 'pending'
               CHECK (sync_state IN ('pending','acked','conflict','quarantined','local')),
    server_seq INTEGER,
    sync_note  TEXT,
    synced_at  TEXT
);
CREATE INDEX journal_by_state ON journal(sync_state, seq);
CREATE INDEX journal_by_row ON journal(kind, row_uid, seq);
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    time      TEXT NOT NULL,
    staff     TEXT NOT NULL,
    action    TEXT NOT NULL,
    kind      TEXT,
    row_uid   TEXT,
    detail    TEXT NOT NULL DEFAULT '',
    synced    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_by_row ON audit_log(kind, row_uid, id);
CREATE INDEX audit_by_time ON audit_log(time)
"""

# --- v2: sync with head office ----------------------------------------------------
#
# sync_records mirrors every pulled record other than clients (which live in
# ``clients`` with their server sequence in ``hq_seq``): the values as head
# office sent them, keyed by kind and uid, with the server sequence the
# checkpoint hashes. Reference kinds are also materialised into townships,
# villages, staff and tags. sync_conflicts keeps both sides of every conflict
# for a person to review; sync_log one row per sync run; sync_deferred the
# records a pull set aside because they had unsent local changes (asked for
# again by uid once those changes have gone up). The pull cursor is
# meta 'sync.cursor', saved in the same transaction as each page.
V2 = """
CREATE TABLE sync_records (
    kind    TEXT NOT NULL,
    uid     TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    data    TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID;
CREATE TABLE sync_conflicts (
    id           INTEGER PRIMARY KEY,
    time         TEXT NOT NULL,
    side         TEXT NOT NULL CHECK (side IN ('push','pull')),
    kind         TEXT NOT NULL,
    row_uid      TEXT NOT NULL,
    change_id    TEXT,
    field        TEXT,
    base_value   TEXT,
    local_value  TEXT,
    server_value TEXT,
    server_seq   INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    resolved_at  TEXT
);
CREATE INDEX sync_conflicts_open ON sync_conflicts(resolved_at, id);
CREATE TABLE sync_log (
    id           INTEGER PRIMARY KEY,
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    status       TEXT NOT NULL,
    pushed       INTEGER NOT NULL DEFAULT 0,
    acked        INTEGER NOT NULL DEFAULT 0,
    conflicts    INTEGER NOT NULL DEFAULT 0,
    quarantined  INTEGER NOT NULL DEFAULT 0,
    pulled       INTEGER NOT NULL DEFAULT 0,
    bytes_up     INTEGER NOT NULL DEFAULT 0,
    bytes_down   INTEGER NOT NULL DEFAULT 0,
    cursor       INTEGER,
    server_time  TEXT,
    skew_seconds REAL,
    error        TEXT
);
CREATE INDEX clients_sync ON clients(uid, hq_seq) WHERE hq_seq IS NOT NULL;
CREATE TABLE sync_deferred (
    kind TEXT NOT NULL,
    uid  TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID
"""

# --- v3: every record kind in a table of its own, derived from its declaration ---------------
#
# Steps built from the kinds' declarations (``sync.protocol.kinds``) through
# ``app.store.kinds``: ``CreateKindTable`` makes a kind's table with the columns
# it names, ``AddColumns`` adds declared columns to an existing table. A step
# names its columns because a migration is history: the declaration may grow
# later, and the later growth is a later migration.


def create_kind_table(kind: str, columns: tuple[str, ...]) -> Callable[[sqlite_utils.Database], None]:
    """CreateKindTable: the table of ``kind`` with the declared ``columns`` (types from the declaration)."""
    from app.store.kinds import table

    def run(db: sqlite_utils.Database) -> None:
        for statement in table(kind).create_sql(columns):
            db.conn.execute(statement)

    return run


def add_columns(kind: str, columns: tuple[str, ...]) -> Callable[[sqlite_utils.Database], None]:
    """AddColumns: declared columns added to the table of ``kind`` (types and defaults from the declaration)."""
    from app.store.kinds import table

    def run(db: sqlite_utils.Database) -> None:
        t = table(kind)
        have = {r[1] for r in db.conn.execute(f"PRAGMA table_info({t.name})")}
        for name in columns:
            if t.kind.by_name[name].local_name not in have:  # added early by v3's adoption (below)
                db.conn.execute(t.add_column_sql(name))

    return run


def _steps(*steps: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
    def run(db: sqlite_utils.Database) -> None:
        for step in steps:
            step(db)

    return run


# The kinds that got tables of their own in v3, with their columns at that time.
V3_KINDS: dict[str, tuple[str, ...]] = {
    "scenario_type": ("code", "name", "metrics"),
    "compliance_words": ("version", "block", "warn", "risk_line", "allowed"),
    "scorecard": ("cluster", "name", "version", "product", "factors", "bands", "valid_from"),
    "whitelist": ("client_uid", "client_no", "product", "limit_fen", "rate_bp", "valid_from", "valid_to", "batch",
                  "cluster", "score", "band", "manager"),
    "campaign": ("code", "name", "product", "starts", "ends", "script", "benefits", "goal"),
    "campaign_target": ("campaign", "client_uid", "manager", "note"),
    "contact": ("client_uid", "staff", "date", "channel", "outcome", "note", "campaign", "whitelist_uid", "next_date"),
    "followup": ("client_uid", "campaign", "due", "done", "result", "note", "staff", "snoozed_until",
                 "snooze_reason"),
    "scenario": ("scenario_type", "name", "village", "partner", "partner_contact", "owner", "status", "status_dates",
                 "note"),
    "scenario_metric": ("scenario", "period", "metric", "value", "source"),
    "whitelist_outcome": ("whitelist_uid", "status", "amount_fen", "date", "reason", "note", "staff"),
    "nomination": ("client_uid", "name", "id_number", "cluster", "product", "amount_fen", "inputs", "reason", "staff",
                   "decision", "decided_limit_fen", "decision_reason"),
}

# clients_sync served the checkpoint's ordered scan of (uid, hq_seq); the checkpoint
# now reads running totals, so it only cost every first sync a rebuild.
# sync_summary: per kind, the count and hash of (uid, server seq) of every record held from
# head office, kept up to date as pulls apply (the checkpoint reads it instead of every
# row). sync_rejected: pulled records that broke their kind's declaration, kept with the
# reason (they count as held, so a checkpoint still confirms) until a valid version comes.
V3 = """
DROP INDEX IF EXISTS clients_sync;
ALTER TABLE townships ADD COLUMN hq_seq INTEGER;
ALTER TABLE townships ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE villages ADD COLUMN hq_seq INTEGER;
ALTER TABLE villages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN hq_seq INTEGER;
ALTER TABLE staff ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tags ADD COLUMN hq_seq INTEGER;
CREATE TABLE sync_summary (
    kind  TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
CREATE TABLE sync_rejected (
    kind   TEXT NOT NULL,
    uid    TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    data   TEXT NOT NULL,
    reason TEXT NOT NULL,
    time   TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID
"""


def _move_mirrored(db: sqlite_utils.Database) -> None:
    """Records v2 mirrored in sync_records go into their kinds' tables; then the summaries."""
    from app.store import syncdata
    from app.store.kinds import table
    from sync.protocol.kinds import KINDS

    # the records are adopted under today's declarations: columns later migrations add come now
    # (those migrations then find them there)
    for kind, cols in V3_KINDS.items():
        t = table(kind)
        for col in t.columns:
            if col.name not in cols:
                db.conn.execute(t.add_column_sql(col.name))
    syncdata.adopt_mirrored(db)
    db.conn.execute("DROP TABLE sync_records")
    # the kinds with a table by now (a kind declared since gets its table, empty, in a later migration)
    tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    syncdata.rebuild_summaries(db, [k for k in KINDS.names if table(k).name in tables])


# --- v4: the whitelist worked at the branch -------------------------------------------------
#
# An entry's outcome is the latest of its whitelist_outcome records (by date, then entry
# order); the funnel wants how far it ever came. whitelist_state keeps both per entry,
# kept by triggers, so every writer (the service, a pull from the branch's other PC, a
# restore) leaves it right and the list and funnel read one row per entry.
# reached: 0 not reached, 1 contacted (or refused after contact), 2 interested, 3 applied,
# 4 drawn (app.core.whitelist.STAGE).
_STATE_REFRESH = """
    DELETE FROM whitelist_state WHERE whitelist_uid = {uid};
    INSERT INTO whitelist_state (whitelist_uid, status, status_date, reached, drawn_fen, outcomes)
    SELECT {uid},
           (SELECT status FROM whitelist_outcomes WHERE whitelist_uid = {uid} AND deleted = 0
             ORDER BY date DESC, id DESC LIMIT 1),
           (SELECT date FROM whitelist_outcomes WHERE whitelist_uid = {uid} AND deleted = 0
             ORDER BY date DESC, id DESC LIMIT 1),
           max(CASE status WHEN 'drawn' THEN 4 WHEN 'applied' THEN 3 WHEN 'interested' THEN 2
                           WHEN 'contacted' THEN 1 WHEN 'refused' THEN 1 ELSE 0 END),
           coalesce(sum(CASE status WHEN 'drawn' THEN amount_fen ELSE 0 END), 0),
           count(*)
      FROM whitelist_outcomes WHERE whitelist_uid = {uid} AND deleted = 0
    HAVING count(*) > 0;
"""
V4 = f"""
CREATE TABLE whitelist_state (
    whitelist_uid TEXT PRIMARY KEY,
    status        TEXT NOT NULL,
    status_date   TEXT,
    reached       INTEGER NOT NULL,
    drawn_fen     INTEGER NOT NULL,
    outcomes      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX whitelist_outcomes_entry ON whitelist_outcomes (whitelist_uid, date, id);
CREATE INDEX whitelist_client ON whitelist (client_uid);
CREATE INDEX whitelist_cluster ON whitelist (cluster, valid_to) WHERE deleted = 0;
CREATE INDEX whitelist_valid_to ON whitelist (valid_to) WHERE deleted = 0;
CREATE INDEX whitelist_manager ON whitelist (manager) WHERE deleted = 0;
CREATE INDEX nominations_id_number ON nominations (id_number) WHERE deleted = 0;
CREATE TRIGGER whitelist_outcomes_ai AFTER INSERT ON whitelist_outcomes BEGIN
{_STATE_REFRESH.format(uid="NEW.whitelist_uid")}
END;
CREATE TRIGGER whitelist_outcomes_au AFTER UPDATE ON whitelist_outcomes BEGIN
{_STATE_REFRESH.format(uid="OLD.whitelist_uid")}
{_STATE_REFRESH.format(uid="NEW.whitelist_uid")}
END;
CREATE TRIGGER whitelist_outcomes_ad AFTER DELETE ON whitelist_outcomes BEGIN
{_STATE_REFRESH.format(uid="OLD.whitelist_uid")}
END
"""


def _v4(db: sqlite_utils.Database) -> None:
    for statement in _split_v4(V4):
        db.conn.execute(statement)
    # entries already worked (outcomes pulled before v4): their state from the start
    db.conn.execute("UPDATE whitelist_outcomes SET id = id")


def _split_v4(script: str) -> list[str]:
    """Statements of V4; a trigger's body keeps its inner semicolons."""
    out, buf, depth = [], [], 0
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("CREATE TRIGGER"):
            depth = 1
        buf.append(line)
        if depth and stripped in ("END;", "END"):
            depth = 0
            out.append("\n".join(buf).strip().removesuffix(";"))
            buf = []
        elif not depth and stripped.endswith(";"):
            out.append("\n".join(buf).strip().removesuffix(";"))
            buf = []
    if "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out


# --- v5: campaigns and follow-ups at scale ----------------------------------------------------
#
# A campaign's targets by campaign and manager; whether a target was reached is a lookup of
# its client's contacts for that campaign; a manager's queue is their open follow-ups.
V5 = """
CREATE INDEX campaign_targets_by_campaign ON campaign_targets (campaign, manager) WHERE deleted = 0;
CREATE INDEX campaign_targets_by_client ON campaign_targets (client_uid);
CREATE INDEX contacts_by_client ON contacts (client_uid, campaign) WHERE deleted = 0;
CREATE INDEX contacts_by_entry ON contacts (whitelist_uid) WHERE whitelist_uid IS NOT NULL;
CREATE INDEX followups_queue ON followups (staff, done, due) WHERE deleted = 0;
CREATE INDEX followups_by_client ON followups (client_uid)
"""


# --- v6: printed worksheets and keying them back ------------------------------------------------
#
# Sheets are this PC's own (not synced): the number printed on every page and QR code, and
# each row's record. Keying a row back writes contacts and follow-ups (journaled, synced)
# and marks the row keyed in the same transaction, so keying a sheet twice changes nothing.
V6 = """
CREATE TABLE sheets (
    number     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('marketing','followups','whitelist')),
    title      TEXT NOT NULL,
    manager    TEXT NOT NULL,
    campaign   TEXT,
    printed_at TEXT NOT NULL,
    printed_by TEXT NOT NULL,
    row_count  INTEGER NOT NULL,
    unmasked   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE sheet_rows (
    number      TEXT NOT NULL REFERENCES sheets (number),
    row         INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    client_uid  TEXT NOT NULL,
    client_name TEXT NOT NULL,
    village     TEXT NOT NULL DEFAULT '',
    keyed_at    TEXT,
    keyed_by    TEXT,
    keyed       TEXT,
    PRIMARY KEY (number, row)
) WITHOUT ROWID
"""

# --- v7: the campaign list at 100,000 targets -------------------------------------------------
#
# The list counts every target of every campaign: its client's consent, whether it was reached,
# whether converted. Each index answers one of those from the index alone: a campaign's targets
# in (campaign, client) order; a live client's consent, for clients who answered (consent <> 0:
# the rest are left out, so the ones not found are counted apart); a campaign's contacts per
# client with their outcomes.
V7 = """
CREATE INDEX campaign_targets_by_campaign_client ON campaign_targets (campaign, client_uid, manager) WHERE deleted = 0;
CREATE INDEX clients_marketing ON clients (uid, consent) WHERE deleted = 0 AND consent <> 0;
CREATE INDEX contacts_by_campaign ON contacts (campaign, client_uid, outcome) WHERE deleted = 0
"""

# --- v9: smart-village scenarios at scale ---------------------------------------------------------
#
# A scenario's clients won (a kind of its own), and the figures read by metric and month (the
# comparisons and the dashboard) and by scenario (a scenario's own table, entering a month again).
V9 = """
CREATE INDEX scenario_metrics_by_metric ON scenario_metrics (metric, period, scenario, value) WHERE deleted = 0;
CREATE INDEX scenario_metrics_by_scenario ON scenario_metrics (scenario, period, metric) WHERE deleted = 0;
CREATE INDEX scenario_clients_by_scenario ON scenario_clients (scenario, client_uid) WHERE deleted = 0
"""

# --- v12: the scenario report joins the printed sheets --------------------------------------------
#
# SQLite cannot change a CHECK: both tables are rebuilt (the rows' table first, so no foreign key
# is ever left pointing at a dropped table; renaming the new sheets table carries the reference).
V12 = """
CREATE TABLE sheets_v12 (
    number     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('marketing','followups','whitelist','scenarios')),
    title      TEXT NOT NULL,
    manager    TEXT NOT NULL,
    campaign   TEXT,
    printed_at TEXT NOT NULL,
    printed_by TEXT NOT NULL,
    row_count  INTEGER NOT NULL,
    unmasked   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO sheets_v12 SELECT number, kind, title, manager, campaign, printed_at, printed_by, row_count, unmasked
  FROM sheets;
CREATE TABLE sheet_rows_v12 (
    number      TEXT NOT NULL REFERENCES sheets_v12 (number),
    row         INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    client_uid  TEXT NOT NULL,
    client_name TEXT NOT NULL,
    village     TEXT NOT NULL DEFAULT '',
    keyed_at    TEXT,
    keyed_by    TEXT,
    keyed       TEXT,
    PRIMARY KEY (number, row)
) WITHOUT ROWID;
INSERT INTO sheet_rows_v12 SELECT number, row, ref, client_uid, client_name, village, keyed_at, keyed_by, keyed
  FROM sheet_rows;
DROP TABLE sheet_rows;
DROP TABLE sheets;
ALTER TABLE sheets_v12 RENAME TO sheets;
ALTER TABLE sheet_rows_v12 RENAME TO sheet_rows
"""

# --- v13: deciding a conflict ------------------------------------------------------
#
# A person decides an open conflict (app.services.sync_review): the decision is a
# normal journaled edit of the record; the conflict row keeps which side won
# ('mine', 'theirs' or 'merged', never the value) and who decided, beside resolved_at.
V13 = """
ALTER TABLE sync_conflicts ADD COLUMN resolution TEXT;
ALTER TABLE sync_conflicts ADD COLUMN resolved_by TEXT
"""

# --- v14: process reports (过程管控) ----------------------------------------------------------------
#
# Segment growth (客群提升) asks which segment a client was in at a past date: every change of
# ``clients.segment`` is kept in client_segment_history by a trigger, so every writer (a sync
# pull, the client service, a bundle imported, an update by hand) is covered without code of
# its own. The row's time is the client's new ``updated_at`` (every writer sets it with the
# change), or SQLite's local clock when a writer left it as it was.
#
# Inserts are not recorded: ``clients.created_at`` (set by every writer, never changed) already
# says when a client came into the book, and the segment it came with is the first change's
# old_segment (or its current segment, when it never changed). A row per insert would only
# repeat that, and a first sync of 1,000,000 clients would write a second million-row table with
# its index (measured in tests/perf/test_report_perf.py). old_segment stays nullable for a
# writer that does record a creation.
#
# The indexes the reports read, each measured at 1,000,000 clients (tests/perf/test_report_perf.py):
# clients_report: the per-village and per-segment counts (mobile-banking penetration, the segments
# at a date) from the index alone instead of every client's row. It leads with created_at, which a
# load writes in ascending order (one time per batch), so a first sync of 1,000,000 clients appends
# to it (led by the village, its entries went all over the index: +17% CPU for the load; this
# way the reports pay a sort instead, 0.4–0.7 s at a million). clients_tombstones: the few deleted clients, so a
# count of live clients (a scenario's) subtracts them instead of reading each client's row; it
# holds no live client, so loading a book never touches it. campaign_targets_by_client_campaign
# and contacts_by_client_campaign_date: a period's targets in client order with their contacts'
# dates and outcomes, so every target's consent and contacts are looked up in ascending order.
V14 = """
CREATE TABLE client_segment_history (
    client_id   INTEGER NOT NULL,
    changed_at  TEXT NOT NULL,
    old_segment TEXT,
    new_segment TEXT NOT NULL
);
CREATE INDEX client_segment_history_by_time ON client_segment_history (changed_at, client_id, old_segment, new_segment);
CREATE TRIGGER clients_segment_au AFTER UPDATE OF segment ON clients WHEN OLD.segment IS NOT NEW.segment BEGIN
    INSERT INTO client_segment_history (client_id, changed_at, old_segment, new_segment)
    VALUES (NEW.id,
            CASE WHEN NEW.updated_at IS NOT OLD.updated_at THEN NEW.updated_at
                 ELSE strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime') END,
            OLD.segment, NEW.segment);
END;
CREATE INDEX clients_report ON clients (created_at, village_id, manager_id, segment, mb_signed, mb_active)
    WHERE deleted = 0;
CREATE INDEX clients_tombstones ON clients (uid) WHERE deleted = 1;
CREATE INDEX campaign_targets_by_client_campaign ON campaign_targets (client_uid, campaign, manager) WHERE deleted = 0;
CREATE INDEX contacts_by_client_campaign_date ON contacts (client_uid, campaign, date, outcome) WHERE deleted = 0
"""


def _v14(db: sqlite_utils.Database) -> None:
    for statement in _split_v4(V14):  # the trigger's body keeps its semicolon
        db.conn.execute(statement)


# --- v15: whose each record is, on a device that reads several branches (a county's) -----------------
#
# Head office tells a county device which branch each pulled record belongs to (the pull page's
# "branches"); the reports filter by it. A branch's PC is never told, and keeps this table empty.
V15 = """
CREATE TABLE record_branch (
    kind   TEXT NOT NULL,
    uid    TEXT NOT NULL,
    branch TEXT NOT NULL,
    PRIMARY KEY (kind, uid)
) WITHOUT ROWID;
CREATE INDEX record_branch_by_branch ON record_branch (kind, branch, uid)
"""


# --- v16: the front page's follow-ups, soonest first -------------------------------------------------
#
# The front page lists the first few open follow-ups due before today (or today) in the order they
# count from (the day put off to, else the due date). Indexed on that expression, the list is read
# in order and stops at the sixth (0.7 ms), instead of sorting a branch's 38,000 overdue ones (100 ms);
# the count of overdue and today's reads it alone (covering) rather than every follow-up ever made.
V16 = """
CREATE INDEX followups_soonest ON followups (coalesce(snoozed_until, due), id, client_uid, staff, snoozed_until, due)
    WHERE deleted = 0 AND done = 0
"""


# --- v17: a manager's whitelist, soonest to lapse first -------------------------------------------
#
# The front page lists a 客户经理's first few lines expiring soon (or never contacted), soonest first.
# On (manager) alone SQLite read all of that manager's entries (2,000 at a million clients) and sorted
# them (30–40 ms cold); on (manager, valid_to, id) it reads them in order and stops at the sixth,
# and with the uid too the count of a manager's never-contacted lines reads the index alone.
V17 = """
DROP INDEX whitelist_manager;
CREATE INDEX whitelist_manager ON whitelist (manager, valid_to, id, uid) WHERE deleted = 0
"""


MIGRATIONS: list[Migration] = [
    Migration(1, "foundation: reference data, clients, search, journal, audit", _sql(V1)),
    Migration(2, "sync: mirrored records, conflicts, sync log", _sql(V2)),
    Migration(
        3,
        "record kinds: a table per kind from its declaration, checkpoint summaries, rejected records",
        _steps(_sql(V3), *(create_kind_table(k, cols) for k, cols in V3_KINDS.items()), _move_mirrored),
    ),
    Migration(4, "whitelist at the branch: each entry's outcome and furthest stage, kept by triggers", _v4),
    Migration(5, "campaigns and follow-ups: indexes for targets, contacts and the queue", _sql(V5)),
    Migration(6, "printed worksheets and their rows, for keying returned sheets back", _sql(V6)),
    Migration(7, "the campaign list at 100,000 targets: covering indexes for targets, consent and contacts",
              _sql(V7)),
    Migration(8, "local campaigns: a campaign's and a target's source (head office's, or this branch's own)",
              _steps(add_columns("campaign", ("source",)), add_columns("campaign_target", ("source",)))),
    Migration(9, "scenarios: the clients each one won, and indexes for figures by metric and by scenario",
              _steps(create_kind_table("scenario_client", ("scenario", "client_uid", "date")), _sql(V9))),
    Migration(10, "scenarios: the files attached to each (names, sizes and hashes; the files stay on the PC)",
              add_columns("scenario", ("attachments",))),
    Migration(11, "scenarios of a whole township: the township when there is no village",
              add_columns("scenario", ("township",))),
    Migration(12, "printed sheets: the scenario report joins them", _sql(V12)),
    Migration(13, "conflict review: how a conflict was decided (mine, theirs, merged) and by whom", _sql(V13)),
    Migration(14, "process reports: each client's segment changes (kept by a trigger), indexes for the reports",
              _v14),
    Migration(15, "county devices: whose each record is (the reports' branch filter)", _sql(V15)),
    Migration(16, "the front page: open follow-ups in the order they count from", _sql(V16)),
    Migration(17, "the front page: a manager's whitelist lines in the order they lapse", _sql(V17)),
]


def latest_version() -> int:
    return MIGRATIONS[-1].version if MIGRATIONS else 0
