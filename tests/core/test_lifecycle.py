"""Lifecycle rules on fixed dates (issue 15): events move clients, each move journaled with its rule."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from app.core.client import Lifecycle as L
from app.core.lifecycle import LifecycleRules, author_label, on_calendar, on_contact, rule_author
from app.services import auth
from app.services.followups import FollowupService
from app.services.history import describe
from app.services.lifecycle import run_calendar
from app.store import journal
from app.store.db import write
from app.store.reference import ReferenceData
from app.store.store import Store
from tests.conftest import run_cli

TODAY = date(2026, 12, 2)
RULES = LifecycleRules(honeymoon_days=90, quiet_days=180)


def test_contacts_move_new_and_lapsed_clients() -> None:
    assert on_contact(1, L.NEW).new == L.HONEYMOON and on_contact(1, L.NEW).rule == "first_contact"
    assert on_contact(1, L.CHURN_WARNING).new == L.RECOVERED
    assert on_contact(1, L.CHURNED).new == L.RECOVERED
    assert on_contact(1, L.MATURE) is None and on_contact(1, L.HONEYMOON) is None


def test_the_calendar_on_fixed_dates() -> None:
    def cal(stage, first, last, rules=RULES):
        return on_calendar(1, stage, first_contact=first, last_contact=last, today=TODAY, rules=rules)

    day = TODAY - timedelta(days=90)
    assert cal(L.HONEYMOON, day, TODAY).new == L.MATURE  # exactly 90 days: over
    assert cal(L.HONEYMOON, day + timedelta(days=1), TODAY) is None
    quiet = TODAY - timedelta(days=181)
    assert cal(L.MATURE, None, quiet).new == L.CHURN_WARNING
    assert cal(L.MATURE, None, TODAY - timedelta(days=180)) is None  # 180 days: not yet
    assert cal(L.HONEYMOON, quiet, quiet).new == L.CHURN_WARNING  # quiet wins over maturing
    assert cal(L.RECOVERED, None, quiet).new == L.CHURN_WARNING
    assert cal(L.NEW, None, quiet) is None and cal(L.CHURNED, None, quiet) is None
    short = LifecycleRules(honeymoon_days=30, quiet_days=60)
    assert cal(L.MATURE, None, TODAY - timedelta(days=61), short).new == L.CHURN_WARNING


def test_rules_come_from_settings_and_bad_values_keep_the_defaults() -> None:
    assert LifecycleRules.from_settings({"lifecycle": {"honeymoon_days": 60, "quiet_days": 120}}) == \
        LifecycleRules(60, 120)
    assert LifecycleRules.from_settings({"lifecycle": {"honeymoon_days": "60", "quiet_days": -1}}) == \
        LifecycleRules()
    assert LifecycleRules.from_settings({}) == LifecycleRules()
    assert author_label(rule_author("quiet")) == "规则：长期无触达 → 流失预警" and author_label("A0001") is None


def test_a_first_contact_moves_the_client_with_the_rule_in_the_journal(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        cid, uid = db.conn.execute(
            "SELECT id, uid FROM clients WHERE lifecycle = 'new' AND consent = 1 AND deleted = 0 LIMIT 1").fetchone()
        staff = auth.load_staff(db, "A0001")[0]
        assert FollowupService(db, staff).contact(cid, channel="上门", outcome="初次拜访").ok
        assert db.conn.execute("SELECT lifecycle FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "honeymoon"
        moved = [e for e in journal.history(db, "client", uid) if "lifecycle" in e.after]
        assert moved[-1].author == "rule:first_contact"
        view = describe(moved[-1], ReferenceData(db))
        assert view.author == "规则：首次触达 → 蜜月期" and "蜜月期" in view.summary
    finally:
        db.close()


def test_the_calendar_run_moves_quiet_clients_and_is_idempotent(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        cid = db.conn.execute("SELECT id FROM clients WHERE lifecycle = 'mature' AND deleted = 0 LIMIT 1").fetchone()[0]
        with write(db):
            db.conn.execute("UPDATE clients SET last_contact = ? WHERE id = ?",
                            ((TODAY - timedelta(days=400)).isoformat(), cid))
        dry = run_calendar(db, TODAY, RULES, dry_run=True).value
        assert any(m.client_id == cid and m.new == L.CHURN_WARNING for m in dry)
        pending = journal.pending_count(db)
        done = run_calendar(db, TODAY, RULES).value
        assert len(done) == len(dry) and journal.pending_count(db) == pending + len(done)
        assert db.conn.execute("SELECT lifecycle FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "churn_warning"
        assert run_calendar(db, TODAY, RULES).value == []
    finally:
        db.close()


def test_lifecycle_run_headless(demo_dir: Path) -> None:
    dry = run_cli("lifecycle", "run", "--dry-run")
    assert dry.returncode == 0 and "将变更" in dry.stdout
    refused = run_cli("--user", "M0001", "lifecycle", "run")
    assert refused.returncode == 1 and "无权" in refused.stderr
    future = run_cli("lifecycle", "run", "--date", "2999-01-01")
    assert future.returncode == 1 and "不能晚于今天" in future.stderr
