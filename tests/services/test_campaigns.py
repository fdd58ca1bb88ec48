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


# --- local campaigns (本网点活动) -------------------------------------------------------------------

RISK = "理财非存款，产品有风险，投资须谨慎"
LOCAL = {"name": "茶季存款回馈", "product": "deposit", "starts": "2026-12-01", "ends": "2026-12-31",
         "script": "您好，茶季回款后可以来网点办理定期存款。", "benefits": "到店赠送毛巾", "goal": "40"}


def _clients(db, consent: int | None, n: int) -> list[int]:
    where = "consent IS NULL OR consent = 0" if consent is None else "consent = 1"
    return [r[0] for r in db.conn.execute(f"SELECT id FROM clients WHERE deleted = 0 AND ({where}) ORDER BY id"
                                          f" LIMIT {n}")]


def test_a_local_campaign_is_made_with_its_consented_targets_in_one_journaled_write(head: CampaignService) -> None:
    yes, no = _clients(head.db, 1, 5), _clients(head.db, None, 3)
    pending = journal.pending_count(head.db)
    result = head.create_local(LOCAL, [*yes, *no, yes[0]])
    assert result.ok, result.message
    made = result.value
    branch = head.db.conn.execute("SELECT value FROM meta WHERE key = 'branch_code'").fetchone()[0]
    assert made.code.startswith(f"{branch}-L") and made.targets == 5 and made.no_consent == 3
    assert result.changes.touches("campaign", "campaign_target") and result.changes.journal
    assert journal.pending_count(head.db) == pending + 1 + 5  # the campaign and each target, for sync
    row = next(r for r in head.campaigns() if r.code == made.code)
    assert row.local and row.goal == 40 and row.targets == 5 and row.excluded == 0
    assert not next(r for r in head.campaigns() if r.code == CODE).local
    src = head.db.conn.execute("SELECT source FROM campaign_targets WHERE campaign = ?", (made.code,)).fetchall()
    assert {s for (s,) in src} == {"branch"}
    # distributed like head office's
    assert head.apply_plan(head.plan(made.code)).ok
    assert all(t.manager for t in head.targets(made.code))
    # two local campaigns never share a code
    assert head.create_local(LOCAL, yes).value.code != made.code


def test_a_local_campaign_is_checked_field_by_field(head: CampaignService) -> None:
    bad = head.create_local({**LOCAL, "name": " ", "starts": "2026-12-31", "ends": "2026-12-01", "goal": "-1",
                             "script": ""}, [])
    fields = {e.field: e.message for e in bad.errors}
    assert set(fields) >= {"name", "ends", "goal", "script"}, fields
    assert "活动主题不能为空" in fields["name"] and "结束日期不能早于开始日期" in fields["ends"]
    assert "不能小于 0" in fields["goal"]
    assert not head.create_local({**LOCAL, "starts": "2026-02-30"}, []).ok
    assert not head.create_local(LOCAL, [99_999_999]).ok  # an unknown client
    assert head.db.conn.execute("SELECT count(*) FROM campaigns WHERE source = 'branch'").fetchone()[0] == 0
    m1 = CampaignService(head.db, _staff(head.db, "M0001"))
    denied = m1.create_local(LOCAL, [])
    assert not denied.ok and denied.errors[0].code == "permission"


def test_the_script_is_held_to_the_word_list(head: CampaignService) -> None:
    blocked = head.create_local({**LOCAL, "script": "本产品保本保息，放心存。"}, [], acknowledged=True)
    assert not blocked.ok and blocked.errors[0].code == "blocked" and blocked.errors[0].field == "script"
    wealth = head.create_local({**LOCAL, "product": "wealth", "script": "理财季，欢迎咨询。"}, [])
    assert not wealth.ok and any(e.code == "risk_line" for e in wealth.errors)
    assert head.create_local({**LOCAL, "product": "wealth", "script": f"理财季，欢迎咨询。{RISK}"}, []).ok
    warned = head.create_local({**LOCAL, "script": "资金安全，欢迎到店。"}, [])
    assert not warned.ok and warned.errors[0].code == "warning"
    audits = head.db.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'ack_wording'").fetchone()[0]
    ok = head.create_local({**LOCAL, "script": "资金安全，欢迎到店。"}, [], acknowledged=True)
    assert ok.ok
    detail = head.db.conn.execute(
        "SELECT detail, kind, row_uid FROM audit_log WHERE action = 'ack_wording' ORDER BY id DESC").fetchone()
    assert head.db.conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'ack_wording'").fetchone()[0] == audits + 1
    assert detail[1:] == ("campaign", ok.value.code) and "安全" in detail[0] and "话术" in detail[0]


def test_only_local_campaigns_may_be_changed(head: CampaignService) -> None:
    made = head.create_local(LOCAL, _clients(head.db, 1, 2)).value
    changed = head.edit_local(made.code, {"script": "新话术：欢迎到店咨询。", "ends": "2027-01-15"})
    assert changed.ok, changed.message
    assert head.detail(made.code).script == "新话术：欢迎到店咨询。"
    assert not head.edit_local(made.code, {"starts": "2027-02-01"}).ok  # after the end
    assert head.edit_local(made.code, {"script": "保证收益"}).errors[0].code == "blocked"
    assert not head.edit_local(made.code, {"product": "wealth"}).ok  # the product stays
    hq = head.edit_local(CODE, {"script": "改一下"})
    assert not hq.ok and "由总行发布" in hq.message
    assert not head.add_targets(CODE, _clients(head.db, 1, 1)).ok
    more = head.add_targets(made.code, _clients(head.db, 1, 4) + _clients(head.db, None, 1))
    assert more.ok and more.value.targets == 2 and more.value.already == 2 and more.value.no_consent == 1


def test_the_branch_store_refuses_what_head_office_would(head: CampaignService) -> None:
    """Below the service: the shared ownership rules at the branch's own table writes."""
    from app.store.db import write
    from app.store.records import RecordError, Records

    client = head.db.conn.execute("SELECT uid FROM clients WHERE consent = 1 LIMIT 1").fetchone()[0]
    with pytest.raises(RecordError, match="由总行发布"), write(head.db):
        Records(head.db, "campaign_target").insert({"campaign": CODE, "client_uid": client}, author="A0001")
    with pytest.raises(RecordError, match="由总行维护"), write(head.db):
        Records(head.db, "campaign").update(CODE, {"script": "改"}, author="A0001")
    with pytest.raises(RecordError, match="由总行维护"), write(head.db):
        Records(head.db, "campaign").delete(CODE, author="A0001")
    target = head.db.conn.execute("SELECT uid FROM campaign_targets WHERE campaign = ? LIMIT 1", (CODE,)).fetchone()[0]
    with write(head.db):  # the manager of head office's target stays the branch's
        Records(head.db, "campaign_target").update(target, {"manager": "M0001"}, author="A0001")
