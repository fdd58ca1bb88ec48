"""The whitelist service on the demo county (issue 14): views, consent, scope, outcomes that
write nothing when refused, reassignment that keeps history, the funnel, nominations."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core.roles import Staff
from app.services import auth
from app.services.whitelist import WhitelistService
from app.store import journal
from app.store.store import Store
from app.store.whitelist import WhitelistFilter

TODAY = date(2026, 12, 2)


def _svc(demo_dir: Path, code: str = "A0001") -> WhitelistService:
    db = Store.open(demo_dir).connect()
    found = auth.load_staff(db, code)
    assert found is not None
    staff: Staff = found[0]
    return WhitelistService(db, staff, today=TODAY)


@pytest.fixture
def head(demo_dir: Path):
    svc = _svc(demo_dir)
    yield svc
    svc.db.close()


def test_views_by_cluster_village_expiry_and_never_contacted(head: WhitelistService) -> None:
    total = head.count()
    assert total > 1000
    tea = head.count(WhitelistFilter(cluster="tea"))
    assert 0 < tea < total
    row = head.page(WhitelistFilter(cluster="tea"), limit=1)[0]
    village_id = head.db.conn.execute("SELECT village_id FROM clients WHERE uid = ?", (row.client_uid,)).fetchone()[0]
    both = head.page(WhitelistFilter(cluster="tea", village_id=village_id), limit=500)
    assert both and all(r.cluster == "tea" and r.village == row.village for r in both)
    soon = head.page(WhitelistFilter(expiring_days=30), limit=5000)
    assert soon and all(TODAY.isoformat() <= r.valid_to <= (TODAY + timedelta(days=30)).isoformat() for r in soon)
    n30, n60, n90 = (head.count(WhitelistFilter(expiring_days=d)) for d in (30, 60, 90))
    assert n30 <= n60 <= n90
    lapsed = head.page(WhitelistFilter(expired=True), limit=5000)
    assert lapsed and all(r.valid_to < TODAY.isoformat() for r in lapsed)
    never = head.page(WhitelistFilter(never_contacted=True), limit=5000)
    assert never and all(r.reached == 0 for r in never)
    # the default order: the live ones soonest to lapse first, the lapsed after them
    first = head.page(limit=3)
    assert all(r.valid_to >= TODAY.isoformat() for r in first)


def test_clients_without_consent_are_marked_and_left_out_of_outreach(head: WhitelistService) -> None:
    everyone = head.page(limit=5000)
    unconsented = [r for r in everyone if not r.consent]
    assert unconsented, "the demo has clients who did not consent"
    outreach = head.page(WhitelistFilter(outreach=True), limit=5000)
    assert outreach and all(r.consent is True for r in outreach)
    assert head.count(WhitelistFilter(outreach=True)) == len(everyone) - len(unconsented)


def test_a_manager_sees_and_works_only_their_own_entries(demo_dir: Path, head: WhitelistService) -> None:
    m1 = _svc(demo_dir, "M0001")
    try:
        mine = m1.page(limit=5000)
        assert mine and all(r.manager == "M0001" for r in mine)
        other = head.page(WhitelistFilter(manager="M0002"), limit=1)[0]
        refused = m1.record_outcome(other.uid, "已联系")
        assert not refused.ok and "分配给自己" in refused.message
        assert not m1.assign([mine[0].uid], "M0002").ok  # only the branch head assigns
    finally:
        m1.db.close()


def test_a_refused_outcome_writes_nothing(head: WhitelistService) -> None:
    e = head.page(WhitelistFilter(status="applied", expired=False), limit=1)[0]
    pending = journal.pending_count(head.db)
    before = head.db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0]
    over = head.record_outcome(e.uid, "已用信", amount_fen=e.limit_fen + 1)
    assert not over.ok and "超过核定额度" in over.message
    back = head.record_outcome(e.uid, "有意向")
    assert not back.ok and "不能退回" in back.message
    early = head.record_outcome(e.uid, "已用信", amount_fen=1, on="2020-01-01")
    assert not early.ok and "不能早于上一次状态" in early.message
    assert head.db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0] == before
    assert journal.pending_count(head.db) == pending
    ok = head.record_outcome(e.uid, "已用信", amount_fen=e.limit_fen, note="全额用信")
    assert ok.ok and journal.pending_count(head.db) == pending + 1
    d = head.detail(e.uid)
    assert d.entry.status == "drawn" and d.entry.drawn_fen == e.limit_fen and d.next_statuses == ()
    assert d.outcomes[-1].status == "已用信" and not d.outcomes[-1].synced


def test_an_expired_entry_is_flagged_and_cannot_be_applied_for(head: WhitelistService) -> None:
    e = head.page(WhitelistFilter(expired=True, status="not_contacted"), limit=1)[0]
    d = head.detail(e.uid)
    assert d.expired
    r = head.record_outcome(e.uid, "已申请")
    assert not r.ok and "已过有效期" in r.message


def test_reassigning_keeps_history_in_the_journal(head: WhitelistService) -> None:
    e = head.page(WhitelistFilter(manager="M0001"), limit=1)[0]
    assert head.assign([e.uid], "M0002").ok
    assert head.assign([e.uid], "M0003").ok
    trail = journal.history(head.db, "whitelist", e.uid)
    assert [(t.before.get("manager"), t.after.get("manager")) for t in trail] == [("M0001", "M0002"),
                                                                                  ("M0002", "M0003")]
    assert not head.assign([e.uid], "A0001").ok  # the branch head is not a 客户经理


def test_the_automatic_split_is_balanced_and_takes_only_the_unassigned(head: WhitelistService) -> None:
    unassigned = head.count(WhitelistFilter(manager=""))
    plan = head.plan()
    assert isinstance(plan, dict) and len(plan) == unassigned
    assert head.apply_plan(plan).ok
    assert head.count(WhitelistFilter(manager="")) == 0
    loads = [head.count(WhitelistFilter(manager=f"M000{i}")) for i in range(1, 7)]
    assert max(loads) - min(loads) <= 0.25 * max(loads), loads


def test_the_funnel_adds_up(head: WhitelistService) -> None:
    by_manager = head.funnel("manager")
    by_cluster = head.funnel("cluster")
    for rows in (by_manager, by_cluster):
        assert sum(r.entries for r in rows) == head.count()
        assert all(r.entries >= r.contacted >= r.applied >= r.drawn for r in rows)
        assert all(r.drawn_fen <= r.applied_fen for r in rows)
    drawn = head.db.conn.execute(
        "SELECT coalesce(sum(amount_fen), 0) FROM whitelist_outcomes WHERE status = 'drawn' AND deleted = 0"
    ).fetchone()[0]
    assert sum(r.drawn_fen for r in by_cluster) == drawn
    assert not isinstance(head.funnel("village"), list)


def test_nominations_are_checked_and_a_second_open_one_refused(demo_dir: Path) -> None:
    m3 = _svc(demo_dir, "M0003")
    try:
        base = {"name": "谭光荣", "id_number": "500229198803150036", "cluster": "tea", "amount": "6万",
                "inputs": {"household_size": 3, "labour": 2, "net_income_last_wan": 4}}
        first = m3.nominate(base)
        assert first.ok, first.message
        assert first.value.values["amount_fen"] == 60_000_00 and first.value.values["staff"] == "M0003"
        again = m3.nominate(base)
        assert not again.ok and "已有一条推荐在等总行结论" in again.message and "500229********0036" in again.message
        for bad, message in (
            ({"id_number": "500229198803150037"}, "校验位"),
            ({"cluster": "apple"}, "产业集群“apple”不存在"),
            ({"name": ""}, "姓名/名称不能为空"),
            ({"amount": "很多"}, "建议额度应为金额"),
            ({"inputs": {"labour": "两个"}}, "劳动力应为数字"),
            ({"inputs": {"horses": 3}}, "不认识的评分输入"),
        ):
            r = m3.nominate({**base, "id_number": "500229199001010028", **bad})
            assert not r.ok and message in r.message, (bad, r.message)
        listed = m3.db.conn.execute(
            "SELECT c.id_number FROM whitelist w JOIN clients c ON c.uid = w.client_uid"
            " WHERE w.valid_to >= ? AND c.kind = 'individual' LIMIT 1", (TODAY.isoformat(),)).fetchone()[0]
        r = m3.nominate({**base, "id_number": listed})
        assert not r.ok and "已在白名单中" in r.message
    finally:
        m3.db.close()


def test_an_outcome_with_a_channel_logs_the_contact_too(head: WhitelistService) -> None:
    e = head.page(WhitelistFilter(never_contacted=True, expired=False), limit=1)[0]
    r = head.record_outcome(e.uid, "已联系", channel="上门", note="赶集日在家")
    assert r.ok, r.message
    assert r.changes.touches("contact")
    assert head.contacts(e.uid) == [(TODAY.isoformat(), "上门", "已联系", "赶集日在家")]
    row = head.db.conn.execute("SELECT client_uid, staff FROM contacts WHERE whitelist_uid = ?", (e.uid,)).fetchone()
    assert row == (e.client_uid, "A0001")
    assert head.detail(e.uid).outcomes[-1].channel == "上门"
    bad = head.record_outcome(e.uid, "有意向", channel="飞鸽传书")
    assert not bad.ok and "触达方式应为" in bad.message
    assert len(head.contacts(e.uid)) == 1


def _acks(svc: WhitelistService) -> list[tuple]:
    return svc.db.conn.execute("SELECT staff, kind, row_uid, detail FROM audit_log WHERE action = 'ack_wording'"
                               " ORDER BY id").fetchall()


def test_an_outcome_note_is_held_to_the_word_list(head: WhitelistService) -> None:
    e = head.page(WhitelistFilter(never_contacted=True, expired=False), limit=1)[0]
    pending = journal.pending_count(head.db)
    outcomes = head.db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0]
    # a blocked word: refused, confirmed or not, and nothing is written (not even the contact)
    for ack in (False, True):
        r = head.record_outcome(e.uid, "已联系", channel="电话", note="跟他说贷款秒到账，很安全", acknowledged=ack)
        assert not r.ok and "blocked" in {x.code for x in r.errors}
        assert any("“秒到账”" in x.message and x.field == "note" for x in r.errors)
    # a warned word: refused until acknowledged
    warned = head.record_outcome(e.uid, "已联系", channel="电话", note="客户说我们服务最好，身份证尾号1234")
    assert not warned.ok and [x.code for x in warned.errors] == ["warning"] and "“最好”" in warned.message
    assert head.db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0] == outcomes
    assert journal.pending_count(head.db) == pending and head.contacts(e.uid) == [] and _acks(head) == []
    ok = head.record_outcome(e.uid, "已联系", channel="电话", note="客户说我们服务最好，身份证尾号1234",
                             acknowledged=True)
    assert ok.ok, ok.message
    rows = _acks(head)
    assert len(rows) == 1
    assert rows[0][:3] == ("A0001", "whitelist_outcome", ok.value.uid)
    assert "最好" in rows[0][3] and "1234" not in rows[0][3]
    # an allowed compound (安全生产, 保证金) is no warning
    fine = head.record_outcome(e.uid, "有意向", note="参加了安全生产培训，问了保证金")
    assert fine.ok, fine.message
    assert len(_acks(head)) == 1
