"""Create the demo county database (``branchdesk demo``).

The demo database uses the fixed, documented demo key (``app.store.keys``), so
it opens on any machine, with or without a credential store. It must never
hold real client data, and this command refuses to touch a data folder that
holds a real (non-demo) database.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.core.roles import Role
from app.store import bulk
from app.store.config import DB_FILENAME, KEY_SOURCE_DEMO, Settings, default_data_dir
from app.store.db import write
from app.store.errors import StoreError
from app.store.reference import meta_set
from app.store.store import Store
from resources.demo_county import build_county, campaign_followups, campaigns, iter_clients, scorecards, whitelist
from resources.demo_county import campaign_work as branch_campaign_work
from resources.demo_scenarios import county_scenarios
from sync.protocol.figures import metric_uid


@dataclass(frozen=True)
class DemoResult:
    data_dir: Path
    clients: int
    seconds: float
    rate: float  # clients per second, generation and load together
    file_bytes: int
    default_user: str


class DemoExistsError(StoreError):
    """A demo database is already there and ``replace`` was not given."""


def describe_existing(data_dir: Path) -> list[str]:
    """What a demo database in ``data_dir`` holds that a rebuild would lose, in Chinese."""
    from app.store import journal
    from app.store.store import Store

    out: list[str] = []
    try:
        store = Store.open(data_dir)
        db = store.connect(readonly=True)
        try:
            n = db.conn.execute("SELECT count(*) FROM clients WHERE deleted = 0").fetchone()[0]
            out.append(f"{n:,} 位客户")
            pending = journal.pending_count(db)
            out.append(f"{pending} 条尚未同步的变更" if pending else "没有未同步的变更")
        finally:
            db.close()
    except (StoreError, OSError) as exc:
        out.append(f"无法读取：{exc}")
    sync = Settings.load(data_dir).extra.get("sync") or {}
    if isinstance(sync, dict) and sync.get("device_id"):
        out.append(f"已登记到总行（{sync.get('branch', '')}，设备 {sync['device_id']}）")
    return out


def create_demo(
    data_dir: Path | None = None,
    *,
    n_clients: int = 5000,
    seed: int = 2026,
    progress: Callable[[int, int], None] | None = None,
    replace: bool = False,
    campaign_work: bool = True,
) -> DemoResult:
    """Build a fresh demo database in ``data_dir``.

    An older demo there is replaced only with ``replace`` (``demo --force``); without it
    DemoExistsError says what would be lost (its clients, unsent changes, enrolment).
    A real database is never replaced. ``campaign_work``: head office's campaigns come with the
    branch's work on them so far (targets distributed, contacts logged), as a branch mid-campaign
    has them; without it they arrive untouched, as on the day head office published them."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    if not 1 <= n_clients <= 5_000_000:
        raise StoreError("客户数量需在 1 到 5,000,000 之间。")
    settings = Settings.load(data_dir)
    db_path = data_dir / DB_FILENAME
    if db_path.exists() and not settings.demo:
        raise StoreError(
            f"数据目录 {data_dir} 中已有正式数据库，演示数据不会覆盖它。请用 --data-dir 指定另一个目录。"
        )
    if db_path.exists() and not replace:
        raise DemoExistsError(
            f"数据目录 {data_dir} 中已有演示数据库（{'；'.join(describe_existing(data_dir))}）。"
            "重建会丢失这些内容；确认重建请加 --force，或用 --data-dir 指定另一个目录。"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    from sync.client.config import TOKEN_FILENAME

    (data_dir / TOKEN_FILENAME).unlink(missing_ok=True)  # a device token belongs to the old database

    t0 = time.perf_counter()
    county = build_county(seed=seed, n_clients=n_clients)
    branch_head = next(s for s in county.staff if s.role == Role.BRANCH_HEAD)
    settings = Settings(key_source=KEY_SOURCE_DEMO, demo=True, default_user=branch_head.code)
    store = Store.open(data_dir, create=True, settings=settings)
    db = store.connect()
    try:
        bulk.load_reference(
            db,
            townships=[asdict(t) for t in county.townships],
            villages=[asdict(v) for v in county.villages],
            staff=[{**asdict(s), "active": 1} for s in county.staff],
            tags=[asdict(t) for t in county.tags],
        )
        with write(db):
            for key, value in (
                ("demo", "1"),
                ("demo_seed", str(seed)),
                ("branch_code", county.branch_code),
                ("branch_name", county.branch_name),
                ("county_code", county.county_code),
                ("county_name", county.county_name),
            ):
                meta_set(db, key, value)
        loaded = bulk.load_clients(
            db,
            iter_clients(county),
            fresh=True,
            progress=(lambda n: progress(n, n_clients)) if progress else None,
        )
        bulk.optimize_search(db)
        _book_history(db, seed)
        # head office's whitelist and scorecards, and the branch's work on it so far (the same
        # as branchdesk-hq demo publishes: resources.demo_county.whitelist)
        entries, outcomes = whitelist(county, iter_clients(county))
        bulk.load_records(db, "scorecard", scorecards())
        bulk.load_records(db, "whitelist", entries)
        bulk.load_records(db, "whitelist_outcome", outcomes)
        camps, targets = campaigns(iter_clients(county))
        bulk.load_records(db, "campaign", camps)
        contacts: list[dict[str, Any]] = []
        followups: list[dict[str, Any]] = []
        if campaign_work:  # the branch's work on them so far: targets distributed, contacts logged, follow-ups
            targets, contacts = branch_campaign_work(county, targets, iter_clients(county))
            followups = campaign_followups(county, contacts)
        bulk.load_records(db, "campaign_target", targets)
        bulk.load_records(db, "contact", contacts)
        bulk.load_records(db, "followup", followups)
        # the branch's scenarios with three years of figures (as branchdesk-hq demo holds them)
        rows, figures, links = county_scenarios(county, iter_clients(county), figure_uid=metric_uid)
        bulk.load_records(db, "scenario", rows)
        bulk.load_records(db, "scenario_metric", figures)
        bulk.load_records(db, "scenario_client", links)
    finally:
        db.close()
    store.close_cleanly()
    seconds = time.perf_counter() - t0
    return DemoResult(
        data_dir=data_dir,
        clients=loaded,
        seconds=seconds,
        rate=loaded / seconds if seconds else 0.0,
        file_bytes=db_path.stat().st_size,
        default_user=branch_head.code,
    )


# Segment moves of the demo's year (客群提升): (from, to, share of the "to" clients that came from "from")
DEMO_MOVES = (("farmer", "sole_trader", 0.05), ("student", "payroll", 0.06), ("payroll", "retiree", 0.02),
              ("farmer", "payroll", 0.03), ("sole_trader", "farmer", 0.01))


def _book_history(db: Any, seed: int) -> None:
    """A book that has a past: each client entered it on a day of the last seven years (the
    clients table's ``created_at``), and some clients moved segment this year: their moves are
    kept in client_segment_history as the v14 trigger keeps a writer's (each client's current
    segment is where it moved to), so the segment-growth report has something to say. Only
    dates and the history are written: every derived column stays as the load made it.
    Deterministic for a seed. Runs on the thread that owns ``db``."""
    rng = random.Random(f"book-history-{seed}")
    today = date.today()
    first = today - timedelta(days=7 * 365)
    year_start = date(today.year, 1, 1)
    span = max(1, (today - year_start).days)
    with write(db):
        rows = db.conn.execute("SELECT id, segment FROM clients WHERE deleted = 0 ORDER BY id").fetchall()
        created = {cid: first + timedelta(days=int(rng.random() ** 0.7 * (today - first).days)) for cid, _s in rows}
        db.conn.executemany("UPDATE clients SET created_at = ?, updated_at = ? WHERE id = ?",
                            ((f"{d:%Y-%m-%d}T09:00:00",) * 2 + (cid,) for cid, d in created.items()))
        by_segment: dict[str, list[int]] = {}
        for cid, segment in rows:
            if created[cid] < year_start:  # in the book before this year: may have moved during it
                by_segment.setdefault(segment, []).append(cid)
        moves = []
        for old, new, share in DEMO_MOVES:
            pool = by_segment.get(new, [])
            for cid in rng.sample(pool, int(len(pool) * share)):
                pool.remove(cid)
                when = year_start + timedelta(days=rng.randrange(span))
                moves.append((cid, f"{when:%Y-%m-%d}T10:00:00", old, new))
        db.conn.executemany("INSERT INTO client_segment_history (client_id, changed_at, old_segment, new_segment)"
                            " VALUES (?, ?, ?, ?)", moves)
