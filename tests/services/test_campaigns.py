"""Campaigns at the branch (issue 15): the split, consent exclusion everywhere a list is made,
reach and conversion, the script checked (the round trip: tests/sync/test_campaign_roundtrip.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.core.roles import Staff
from app.services import auth
from app.services.campaigns import CampaignService
from app.services.followups import FollowupService
from app.store import journal
from app.store.store import Store
from tests.conftest import run_cli

CODE = "2026-mb-activation"


def _staff(db, code: str) -> Staff:
    found = auth.load_staff(db, code)
    assert found is not None
    return found[0]


@pytest.fixture
def head(demo_dir: Path):
    db = Store.open(demo_dir).connect()
    svc = CampaignService(db, _staff(db, "A0001"))
    yield svc
    db.close()


def test_the_automatic_split_is_within_one_and_keeps_relationships(head: CampaignService) -> None:
    plan = head.plan(CODE)
    assert isinstance(plan, dict) and plan
    after = head.balance(CODE, plan)
    assert max(after.values()) - min(after.values()) <= 1, after
    # a target goes to the client's own manager while that manager's share has room
    own = dict(head.db.conn.execute(
        "SELECT t.uid, s.code FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid"
        " JOIN staff s ON s.id = c.manager_id WHERE t.campaign = ?", (CODE,)).fetchall())
    kept = sum(1 for uid, m in plan.items() if own.get(uid) == m)
    assert kept >= 0.8 * len(plan), (kept, len(plan))
    pending = journal.pending_count(head.db)
    assert head.apply_plan(plan).value == len(plan)
    assert journal.pending_count(head.db) == pending + len(plan)  # each move journaled: history kept
    assert head.plan(CODE) == {}


def test_no_list_holds_a_client_without_consent(demo_dir: Path, head: CampaignService) -> None:
    no_consent = {r[0] for r in head.db.conn.execute(
        "SELECT t.uid FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid"
        " WHERE t.campaign = ? AND coalesce(c.consent, 0) = 0", (CODE,))}
    assert no_consent, "the demo's target list holds clients who did not consent"
    plan = head.plan(CODE)
    assert not set(plan) & no_consent
    listed = head.targets(CODE)
    assert not {t.uid for t in listed} & no_consent
    excluded = head.targets(CODE, excluded=True)
    assert {t.uid for t in excluded} == no_consent and all(t.consent is not True for t in excluded)
    row = next(r for r in head.campaigns() if r.code == CODE)
    assert row.excluded == len(no_consent) and row.targets == len(listed)
    forced = head.apply_plan({next(iter(no_consent)): "M0001"})
    assert not forced.ok and "未授权营销" in forced.message
    m1 = CampaignService(head.db, _staff(head.db, "M0001"))
    assert not isinstance(m1.targets(CODE, excluded=True), list)  # the branch head's view only
    shown = run_cli("--data-dir", str(demo_dir), "campaigns", "show", CODE, "--excluded")
    assert shown.returncode == 0 and ("未取得营销授权" in shown.stdout or "客户拒绝营销" in shown.stdout)


def test_reach_and_conversion_follow_the_contacts(head: CampaignService) -> None:
    assert head.apply_plan(head.plan(CODE)).ok
    targets = head.targets(CODE)
    fu = FollowupService(head.db, head.staff)
    for t in targets[:10]:
        assert fu.contact(t.client_id, channel="电话", outcome="有意向", campaign=CODE).ok
    for t in targets[:4]:
        assert fu.contact(t.client_id, channel="上门", outcome="已开通手机银行", campaign=CODE).ok
    row = next(r for r in head.campaigns() if r.code == CODE)
    assert (row.reached, row.converted) == (10, 4)
    figs = head.figures("campaign", CODE)
    assert len(figs) == 1 and figs[0].reach_rate == pytest.approx(10 / row.targets)
    by_manager = head.figures("manager", CODE)
    assert sum(f.reached for f in by_manager) == 10 and sum(f.targets for f in by_manager) == row.targets
    m = targets[0].manager
    mine = CampaignService(head.db, _staff(head.db, m))
    assert all(t.manager == m for t in mine.targets(CODE))
    assert sum(f.targets for f in mine.figures("manager")) == Counter(t.manager for t in targets)[m] + sum(
        1 for t in head.targets("2026-social-card") if t.manager == m) + sum(
        1 for t in head.targets("2026-ecny-market") if t.manager == m)


def test_the_script_is_checked_and_shown_with_its_risk_line(head: CampaignService) -> None:
    d = head.detail(CODE)
    assert not d.blocked and d.risk_line == "理财非存款，产品有风险，投资须谨慎"
    from app.store.db import write

    with write(head.db):
        head.db.conn.execute("UPDATE campaigns SET script = '本产品保本保息，稳赚不赔' WHERE code = ?", (CODE,))
    d = head.detail(CODE)
    assert d.blocked and [f.word for f in d.findings] == ["保本保息", "稳赚不赔"]


def test_campaign_commands(demo_dir: Path) -> None:
    listed = run_cli("--data-dir", str(demo_dir), "campaigns", "list")
    assert listed.returncode == 0 and "手机银行激活季" in listed.stdout and "未授权排除" in listed.stdout
    preview = run_cli("--data-dir", str(demo_dir), "campaigns", "assign", CODE, "--auto", "--preview")
    assert preview.returncode == 0 and "预览，未写入" in preview.stdout
    both = run_cli("--data-dir", str(demo_dir), "campaigns", "assign", CODE)
    assert both.returncode == 2 and "二选一" in both.stderr
    done = run_cli("--data-dir", str(demo_dir), "campaigns", "assign", CODE, "--auto")
    assert done.returncode == 0 and "已分发" in done.stdout
    figures = run_cli("--data-dir", str(demo_dir), "campaigns", "figures", "--by", "manager")
    assert figures.returncode == 0 and "触达率" in figures.stdout
    unknown = run_cli("--data-dir", str(demo_dir), "campaigns", "show", "nope")
    assert unknown.returncode == 1 and "可选" in unknown.stderr
    refused = run_cli("--data-dir", str(demo_dir), "--user", "M0001", "campaigns", "assign", CODE, "--auto")
    assert refused.returncode == 1 and "无权" in refused.stderr


def test_reach_and_conversion_week_by_week(head: CampaignService) -> None:
    from datetime import date, timedelta

    assert head.apply_plan(head.plan(CODE)).ok
    targets = head.targets(CODE)
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    fu = FollowupService(head.db, head.staff)
    two_weeks_ago = monday - timedelta(days=14)
    for t in targets[:3]:
        assert fu.contact(t.client_id, channel="电话", outcome="有意向", on=two_weeks_ago, campaign=CODE).ok
    assert fu.contact(targets[0].client_id, channel="上门", outcome="已开通", on=today, campaign=CODE).ok
    assert fu.contact(targets[3].client_id, channel="微信", outcome="有意向", on=today, campaign=CODE).ok
    weeks = head.weekly(CODE)
    assert [w for w, *_ in weeks] == [(two_weeks_ago + timedelta(days=7 * i)).isoformat() for i in range(3)]
    assert [(r, c) for _w, _t, r, c in weeks] == [(3, 0), (3, 0), (4, 1)]
    assert all(t == len(targets) for _w, t, _r, _c in weeks)


def test_the_list_counts_a_hand_built_campaign(head: CampaignService) -> None:
    """Six targets, each a case: the counts of the list, the figures and the detail agree with it."""
    from app.store import bulk
    from app.store.db import write

    db = head.db
    yes = [r[0] for r in db.conn.execute(
        "SELECT uid FROM clients WHERE consent = 1 AND deleted = 0 ORDER BY id LIMIT 4")]
    refused = db.conn.execute("SELECT uid FROM clients WHERE consent = 0 AND deleted = 0 LIMIT 1").fetchone()[0]
    unasked = db.conn.execute("SELECT uid FROM clients WHERE consent IS NULL AND deleted = 0 LIMIT 1").fetchone()[0]
    bulk.load_records(db, "campaign", [
        {"uid": c, "code": c, "name": c, "product": "ecny", "starts": "2026-01-01", "ends": "2099-01-01",
         "script": "介绍数字人民币。", "benefits": "", "goal": 10} for c in ("hand", "empty")])
    target = {"M0001": yes[0], "M0002": yes[1], None: yes[2]}
    bulk.load_records(db, "campaign_target", [
        *({"uid": f"t-{i}", "campaign": "hand", "client_uid": c, "manager": m, "note": ""}
          for i, (m, c) in enumerate(target.items())),
        {"uid": "t-3", "campaign": "hand", "client_uid": yes[3], "manager": "M0001", "note": ""},  # client deleted
        {"uid": "t-4", "campaign": "hand", "client_uid": refused, "manager": None, "note": ""},
        {"uid": "t-5", "campaign": "hand", "client_uid": unasked, "manager": None, "note": ""},
        {"uid": "t-6", "campaign": "hand", "client_uid": "no-such-client", "manager": None, "note": ""},
        {"uid": "t-7", "campaign": "hand", "client_uid": yes[1], "manager": None, "note": ""}])
    with write(db):
        db.conn.execute("UPDATE campaign_targets SET deleted = 1 WHERE uid = 't-7'")
    contact = {"staff": "M0001", "channel": "phone", "note": "", "whitelist_uid": None, "next_date": None}
    bulk.load_records(db, "contact", [
        {**contact, "uid": "k-0", "client_uid": yes[0], "date": "2026-03-02", "outcome": "有意向", "campaign": "hand"},
        {**contact, "uid": "k-1", "client_uid": yes[0], "date": "2026-03-09", "outcome": "已开通", "campaign": "hand"},
        {**contact, "uid": "k-2", "client_uid": yes[1], "date": "2026-03-03", "outcome": "有意向", "campaign": "hand"},
        {**contact, "uid": "k-3", "client_uid": yes[1], "date": "2026-03-04", "outcome": "已办理", "campaign": "hand"},
        {**contact, "uid": "k-4", "client_uid": yes[2], "date": "2026-03-03", "outcome": "已办理", "campaign": None},
        {**contact, "uid": "k-5", "client_uid": yes[2], "date": "2026-03-03", "outcome": "已办理", "campaign": "empty"},
        {**contact, "uid": "k-6", "client_uid": refused, "date": "2026-03-03", "outcome": "已办理", "campaign": "hand"},
        {**contact, "uid": "k-7", "client_uid": yes[3], "date": "2026-03-03", "outcome": "已办理", "campaign": "hand"}])
    with write(db):
        db.conn.execute("UPDATE contacts SET deleted = 1 WHERE uid = 'k-3'")  # yes[1]: reached, not converted
        db.conn.execute("UPDATE clients SET deleted = 1 WHERE uid = ?", (yes[3],))
    rows = {r.code: r for r in head.campaigns()}
    # targets: yes[0..2]; left out: refused, never asked, a deleted client, an unknown client
    assert (rows["hand"].targets, rows["hand"].excluded, rows["hand"].assigned) == (3, 4, 2)
    assert (rows["hand"].reached, rows["hand"].converted) == (2, 1)
    assert (rows["empty"].targets, rows["empty"].excluded, rows["empty"].reached) == (0, 0, 0)
    assert head.detail("hand").row == rows["hand"]
    assert [(f.key, f.targets, f.reached, f.converted) for f in head.figures("manager", "hand")] == [
        ("", 1, 0, 0), ("M0001", 1, 1, 1), ("M0002", 1, 1, 0)]
    assert [(f.key, f.targets, f.reached, f.converted) for f in head.figures("campaign", "hand")] == [("hand", 3, 2, 1)]
    m1 = {r.code: r for r in CampaignService(db, _staff(db, "M0001")).campaigns()}
    assert (m1["hand"].targets, m1["hand"].excluded, m1["hand"].reached, m1["hand"].converted) == (1, 1, 1, 1)
    assert (m1["empty"].targets, m1["empty"].excluded) == (0, 0)
