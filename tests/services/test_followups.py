"""Contacts and the follow-up queue (issue 15): ordering on fixed dates, snooze, done,
consent exclusion, scope, and refusals that write nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core.roles import Staff
from app.services import auth
from app.services.followups import FollowupService
from app.store import journal
from app.store.db import write
from app.store.store import Store
from tests.conftest import run_cli

TODAY = date(2026, 12, 2)  # a Wednesday: the week runs to Sunday 2026-12-06


def _svc(demo_dir: Path, code: str = "A0001", today: date = TODAY) -> FollowupService:
    db = Store.open(demo_dir).connect()
    found = auth.load_staff(db, code)
    assert found is not None
    staff: Staff = found[0]
    return FollowupService(db, staff, today=today)


def _clients(svc: FollowupService, manager: str, n: int, consent: int | None = 1) -> list[int]:
    where = "c.consent = 1" if consent == 1 else "(c.consent IS NULL OR c.consent = 0)"
    return [r[0] for r in svc.db.conn.execute(
        f"SELECT c.id FROM clients c JOIN staff s ON s.id = c.manager_id WHERE s.code = ? AND {where}"
        " AND c.deleted = 0 ORDER BY c.id LIMIT ?", (manager, n))]


def test_the_queue_is_overdue_first_then_today_then_the_week(demo_dir: Path) -> None:
    # contacts made on earlier days (as the manager would have), each with its next date
    dates = {5: TODAY - timedelta(days=5), 1: TODAY - timedelta(days=1), 0: TODAY, 3: TODAY + timedelta(days=3),
             10: TODAY + timedelta(days=10)}
    ids = _clients(_svc(demo_dir), "M0001", len(dates))
    for cid, (_k, due) in zip(ids, sorted(dates.items()), strict=True):
        early = _svc(demo_dir, "M0001", today=due - timedelta(days=14))
        r = early.contact(cid, channel="电话", outcome="有意向", on=due - timedelta(days=14), next_date=due)
        assert r.ok, r.message
        early.db.close()
    m1 = _svc(demo_dir, "M0001")
    try:
        rows = m1.queue()
        assert [r.when for r in rows] == ["overdue", "overdue", "today", "week", "later"]
        assert [r.days_late for r in rows[:2]] == [5, 1]
        assert [r.due for r in rows] == sorted(r.due for r in rows)
        assert [r.when for r in m1.queue(due="overdue")] == ["overdue", "overdue"]
        assert [r.when for r in m1.queue(due="today")] == ["today"]
        assert [r.when for r in m1.queue(due="week")] == ["overdue", "overdue", "today", "week"]
        assert all("****" in r.mobile or not r.mobile for r in rows)
        # snooze the most overdue to Friday: it moves into the week, with its reason
        first = rows[0]
        assert not m1.snooze(first.uid, TODAY, "x").ok  # not in the past or today
        assert not m1.snooze(first.uid, TODAY + timedelta(days=2), " ").ok  # a reason is required
        assert m1.snooze(first.uid, TODAY + timedelta(days=2), "客户外出打工，周五回").ok
        moved = next(r for r in m1.queue() if r.uid == first.uid)
        assert moved.when == "week" and moved.snooze_reason == "客户外出打工，周五回"
        assert [r.when for r in m1.queue(due="overdue")] == ["overdue"]
        # done with a result leaves the queue; done twice is refused
        assert not m1.done(rows[1].uid, "").ok
        assert m1.done(rows[1].uid, "已办理手机银行").ok
        assert rows[1].uid not in {r.uid for r in m1.queue()}
        assert not m1.done(rows[1].uid, "again").ok
    finally:
        m1.db.close()
    head = _svc(demo_dir)
    try:
        assert head.overdue_counts().get("M0001", 0) == 0
        assert len(head.queue(manager="M0001")) == 4
        m2 = _svc(demo_dir, "M0002")
        assert m2.queue() == [] and not m2.done(rows[2].uid, "x").ok  # not theirs
        assert not isinstance(m2.overdue_counts(), dict)  # the branch head's view only
        m2.db.close()
    finally:
        head.db.close()


def test_clients_without_consent_never_appear_in_the_queue(demo_dir: Path) -> None:
    svc = _svc(demo_dir)
    try:
        no = _clients(svc, "M0003", 1, consent=None)[0]
        yes = _clients(svc, "M0003", 1)[0]
        for cid in (no, yes):
            assert svc.contact(cid, channel="上门", next_date=TODAY + timedelta(days=1)).ok
        queued = svc.queue(manager="M0003")
        assert {r.client_id for r in queued} == {yes}
        # consent withdrawn later: the follow-up leaves the queue too
        with write(svc.db):
            svc.db.conn.execute("UPDATE clients SET consent = 0 WHERE id = ?", (yes,))
        assert svc.queue(manager="M0003") == []
    finally:
        svc.db.close()


def test_a_contact_is_journaled_moves_last_contact_and_refusals_write_nothing(demo_dir: Path) -> None:
    svc = _svc(demo_dir)
    try:
        cid = _clients(svc, "M0004", 1)[0]
        pending = journal.pending_count(svc.db)
        for kwargs, message in (
            ({"channel": "飞鸽传书"}, "触达方式应为"),
            ({"channel": "电话", "on": "2026-12-03"}, "不能晚于今天"),
            ({"channel": "电话", "next_date": "2026-12-01"}, "应晚于这次触达"),
            ({"channel": "电话", "next_date": "下周"}, "下次跟进日期应写成"),
            ({"channel": "电话", "campaign": "no-such"}, "营销活动“no-such”不存在"),
        ):
            r = svc.contact(cid, **kwargs)
            assert not r.ok and message in r.message, (kwargs, r.message)
        assert journal.pending_count(svc.db) == pending
        ok = svc.contact(cid, channel="微信", outcome="已发资料", next_date="2026-12-09")
        assert ok.ok, ok.message
        assert ok.changes.touches("contact", "followup", "client")
        assert journal.pending_count(svc.db) == pending + 3  # the contact, the follow-up, last_contact
        assert svc.db.conn.execute("SELECT last_contact FROM clients WHERE id = ?", (cid,)).fetchone()[0] == \
            TODAY.isoformat()
        m5 = _svc(demo_dir, "M0005")
        refused = m5.contact(cid, channel="电话")
        assert not refused.ok and "自己管户" in refused.message
        m5.db.close()
    finally:
        svc.db.close()


@pytest.mark.parametrize("due", ["overdue", "today", "week"])
def test_followups_headless(demo_dir: Path, due: str) -> None:
    out = run_cli("followups", "--due", due, "--json")
    assert out.returncode == 0 and out.stdout.strip().startswith("[")


def test_contact_and_followups_commands(demo_dir: Path) -> None:
    svc = _svc(demo_dir, today=date.today())
    client_no = svc.db.conn.execute(
        "SELECT client_no FROM clients WHERE consent = 1 AND client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
    svc.db.close()
    nxt = (date.today() + timedelta(days=2)).isoformat()
    made = run_cli("contact", client_no, "--channel", "电话", "--outcome", "有意向", "--next", nxt)
    assert made.returncode == 0 and "跟进已排入队列" in made.stdout, made.stderr
    listed = run_cli("followups")
    assert listed.returncode == 0 and ("本周" in listed.stdout or "以后" in listed.stdout)
    uid = listed.stdout.splitlines()[1].split()[0]
    assert run_cli("followups", "done", uid).returncode == 1
    assert run_cli("followups", "done", uid, "--result", "已办理").returncode == 0
    assert run_cli("followups", "done").returncode == 2
    bad = run_cli("contact", client_no, "--channel", "飞鸽")
    assert bad.returncode == 1 and "触达方式应为" in bad.stderr


def _audit(svc: FollowupService) -> list[tuple]:
    return svc.db.conn.execute("SELECT staff, action, kind, row_uid, detail FROM audit_log"
                               " WHERE action = 'ack_wording' ORDER BY id").fetchall()


def test_a_blocked_word_in_the_note_refuses_the_contact_and_writes_nothing(demo_dir: Path) -> None:
    svc = _svc(demo_dir)
    try:
        cid = _clients(svc, "M0004", 1)[0]
        pending = journal.pending_count(svc.db)
        contacts = svc.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
        # blocked whatever the person confirms: 保本 is never acceptable in a note
        for ack in (False, True):
            r = svc.contact(cid, channel="电话", note="跟客户说这款产品保本，安全", next_date="2026-12-09",
                            acknowledged=ack)
            assert not r.ok
            blocked = [e for e in r.errors if e.code == "blocked"]
            assert [(e.field, e.label) for e in blocked] == [("note", "备注")]
            assert "“保本”" in blocked[0].message and "禁用词" in blocked[0].message
            assert "广告法" in blocked[0].message  # the rule, not just the word
        assert journal.pending_count(svc.db) == pending
        assert svc.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == contacts
        assert _audit(svc) == []
    finally:
        svc.db.close()


def test_a_warned_word_needs_acknowledging_and_is_audited_once(demo_dir: Path) -> None:
    svc = _svc(demo_dir)
    try:
        cid = _clients(svc, "M0004", 1)[0]
        pending = journal.pending_count(svc.db)
        note = "客户问是否安全，已说明是第一次办理，电话13812345678"
        refused = svc.contact(cid, channel="电话", note=note)
        assert not refused.ok and {e.code for e in refused.errors} == {"warning"}
        assert "“安全”" in refused.message and "“第一”" in refused.message
        assert "需谨慎使用" in refused.message
        assert journal.pending_count(svc.db) == pending and _audit(svc) == []
        ok = svc.contact(cid, channel="电话", note=note, acknowledged=True)
        assert ok.ok, ok.message
        assert ok.value.values["note"] == note
        rows = _audit(svc)
        assert len(rows) == 1
        staff, action, kind, uid, detail = rows[0]
        assert (staff, action, kind, uid) == ("A0001", "ack_wording", "contact", ok.value.uid)
        assert "安全" in detail and "第一" in detail
        assert "13812345678" not in detail and "客户问" not in detail  # the words, never the note
        assert journal.pending_count(svc.db) == pending + 2  # the contact and last_contact
        # a note without warned words writes no audit row, acknowledged or not
        assert svc.contact(cid, channel="上门", note="已约好下周赶集日见面", acknowledged=True).ok
        assert len(_audit(svc)) == 1
    finally:
        svc.db.close()


def test_a_compound_the_list_allows_passes_without_acknowledging(demo_dir: Path) -> None:
    svc = _svc(demo_dir)
    try:
        cid = _clients(svc, "M0004", 1)[0]
        r = svc.contact(cid, channel="上门", note="村里开安全生产会，第一书记在场，交了保证金")
        assert r.ok, r.message
        assert _audit(svc) == []
    finally:
        svc.db.close()


def test_contact_refuses_wording_on_the_command_line(demo_dir: Path) -> None:
    svc = _svc(demo_dir, today=date.today())
    client_no = svc.db.conn.execute(
        "SELECT client_no FROM clients WHERE consent = 1 AND client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
    before = svc.db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    svc.db.close()
    blocked = run_cli("contact", client_no, "--channel", "电话", "--note", "这个理财稳赚不赔", "--ack-warnings")
    assert blocked.returncode == 1 and "禁用词“稳赚不赔”" in blocked.stderr and "【稳赚不赔】" in blocked.stderr
    warned = run_cli("contact", client_no, "--channel", "电话", "--note", "利率在本县最好")
    assert warned.returncode == 1 and "“最好”" in warned.stderr and "--ack-warnings" in warned.stderr
    acked = run_cli("contact", client_no, "--channel", "电话", "--note", "利率在本县最好", "--ack-warnings")
    assert acked.returncode == 0, acked.stderr
    db = Store.open(demo_dir).connect(readonly=True)
    try:
        assert db.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == before + 1
        assert db.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'ack_wording'").fetchone()[0] == 1
    finally:
        db.close()
