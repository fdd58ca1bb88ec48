"""The front page's figures are the services' own (issue 21): on the worked demo county, for a
manager and for the branch head, every count and item agrees with the follow-up queue, the
whitelist filter, the campaign tally, the marketing report and the scenario dashboard; and the
search across everything finds each kind, within a manager's scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services import auth
from app.services.campaigns import CampaignService
from app.services.find import KINDS, Finder
from app.services.followups import FollowupService
from app.services.reports import ReportFilter, ReportService
from app.services.scenarios import ScenarioService
from app.services.sync_status import sync_status
from app.services.today import COUNT_CAP, EXPIRING_DAYS, SHOWN, TodayService
from app.services.whitelist import WhitelistService
from app.store.store import Store
from app.store.whitelist import WhitelistFilter


@pytest.fixture
def book(worked_demo_dir: Path):
    store = Store.open(worked_demo_dir)
    db = store.connect()
    yield store, db
    db.close()


def _staff(db, code: str):
    return auth.load_staff(db, code)[0]


def test_a_manager_s_front_page_is_the_services_own_figures(book) -> None:
    store, db = book
    m = _staff(db, "M0001")
    board = TodayService(db, m).board(sync_status(store, db, recent=0))
    queue = FollowupService(db, m)
    overdue, today = queue.queue(due="overdue"), queue.queue(due="today")
    assert board.section("overdue").count == len(overdue) > 0
    assert board.section("today").count == len(today)
    assert [i.key for i in board.section("overdue").items] == [r.uid for r in overdue[:SHOWN]]
    first = board.section("overdue").items[0]
    assert first.client_id == overdue[0].client_id and f"逾期 {overdue[0].days_late} 天" in first.detail
    assert "****" in first.detail and overdue[0].staff == "M0001"  # masked, and only their own
    wl = WhitelistService(db, m)
    soon = WhitelistFilter(expiring_days=EXPIRING_DAYS, never_contacted=True)
    assert board.section("expiring").count == wl.count(soon)
    assert [i.key for i in board.section("expiring").items] == [r.uid for r in wl.page(soon, limit=SHOWN)]
    never = WhitelistFilter(never_contacted=True, expired=False)
    assert board.section("never_contacted").count == wl.count(never)
    camp = CampaignService(db, m)
    running = {i.key: i for i in board.section("campaigns").items}
    assert running, "the worked demo has running campaigns with targets to reach"
    for code, item in running.items():
        (row,) = camp.campaigns(code)
        assert f"未触达 {row.targets - row.reached:,} / {row.targets:,} 户" in item.detail
    assert TodayService(db, m).figures() is None and TodayService(db, m).lines() == ((), "")


def test_the_branch_head_sees_each_manager_and_the_month(book) -> None:
    store, db = book
    head = _staff(db, "A0001")
    svc = TodayService(db, head)
    board = svc.board(sync_status(store, db, recent=0))
    figures = svc.figures()
    assert figures is not None and figures.lines_by == "manager"
    counts = FollowupService(db, head).overdue_counts()
    assert {line.key: line.overdue for line in figures.lines if line.overdue} == counts
    assert board.section("overdue").count == min(sum(counts.values()), COUNT_CAP) and figures.overdue == sum(
        counts.values())
    assert board.section("overdue").capped == (figures.overdue >= COUNT_CAP)
    assert figures.expiring == WhitelistService(db, head).count(WhitelistFilter(expiring_days=EXPIRING_DAYS,
                                                                                never_contacted=True))
    # lines with overdue work first
    assert [line.overdue for line in figures.lines] == sorted((line.overdue for line in figures.lines), reverse=True)
    never = WhitelistFilter(never_contacted=True, expired=False)
    funnel = {r.key: r.entries for r in WhitelistService(db, head).funnel("manager", never)}
    assert all(line.never_contacted == funnel.get(line.key, 0) for line in figures.lines)
    # the quick board counts the branch's never-contacted entries up to the cap; the figures count them all
    assert figures.never_contacted == WhitelistService(db, head).count(never)
    quick = board.section("never_contacted")
    assert quick.count == min(figures.never_contacted, COUNT_CAP) and quick.capped == (quick.count >= COUNT_CAP)
    # each manager's own page agrees with their line
    m = next(line for line in figures.lines if line.key == "M0002")
    mine = TodayService(db, _staff(db, "M0002")).board()
    assert (m.overdue, m.today, m.expiring, m.never_contacted, m.unreached) == (
        mine.section("overdue").count, mine.section("today").count, mine.section("expiring").count,
        mine.section("never_contacted").count, mine.section("campaigns").count)
    month = ReportService(db, head).marketing(ReportFilter(start=date.today().replace(day=1), end=date.today()))
    assert (figures.targets, figures.reached, figures.converted) == (
        month.meta["targets"], month.meta["reached"], month.meta["converted"])
    dash = ScenarioService(db, head).dashboard()
    assert figures.scenarios == dash.scenarios > 0 and sum(figures.by_status.values()) == dash.scenarios


def test_what_waits_for_sync_is_listed(book) -> None:
    store, db = book
    head = _staff(db, "A0001")
    status = sync_status(store, db, recent=0)
    section = TodayService(db, head).board(status).section("sync")
    assert section.count == status.open_conflicts + status.quarantined
    pending = [i for i in section.items if i.key == "pending"]
    assert bool(pending) == bool(status.pending)


def test_the_search_finds_each_kind_within_a_manager_s_scope(book) -> None:
    _store, db = book
    head, m = _staff(db, "A0001"), _staff(db, "M0001")
    name, client_id, manager_id = db.conn.execute(
        "SELECT name, id, manager_id FROM clients WHERE deleted = 0 AND manager_id = ? ORDER BY id LIMIT 1",
        (m.id,)).fetchone()
    hits = Finder(db, m).find(name)
    assert any(h.kind == "client" and h.client_id == client_id for h in hits)
    assert [h.kind for h in hits] == sorted((h.kind for h in hits), key=KINDS.index)  # grouped, in order
    # a manager finds only their own clients; the branch head finds anyone's
    other = db.conn.execute("SELECT name, id FROM clients WHERE deleted = 0 AND manager_id <> ? ORDER BY id LIMIT 1",
                            (manager_id,)).fetchone()
    assert not any(h.client_id == other[1] for h in Finder(db, m).find(other[0]) if h.kind == "client")
    assert any(h.client_id == other[1] for h in Finder(db, head).find(other[0]) if h.kind == "client")
    # the last 4 digits of a phone, shown masked
    mobile = db.conn.execute("SELECT mobile FROM clients WHERE id = ?", (client_id,)).fetchone()[0]
    by_phone = [h for h in Finder(db, m).find(mobile[-4:]) if h.kind == "client"]
    assert any(h.client_id == client_id for h in by_phone) and mobile not in " ".join(h.detail for h in by_phone)
    # a whitelist entry by its core client number, a campaign, a scenario and a village by words in their names
    uid, client_no = db.conn.execute(
        "SELECT uid, client_no FROM whitelist WHERE deleted = 0 AND client_no IS NOT NULL ORDER BY uid LIMIT 1"
    ).fetchone()
    assert any(h.kind == "whitelist" and h.key == uid for h in Finder(db, head).find(client_no))
    # a client by the core number (exact, through its unique index)
    cid, number = db.conn.execute("SELECT id, client_no FROM clients WHERE deleted = 0 AND client_no IS NOT NULL"
                                  " ORDER BY id DESC LIMIT 1").fetchone()
    assert [h.client_id for h in Finder(db, head).find(number) if h.kind == "client"] == [cid]
    assert [h.client_id for h in Finder(db, head).find(number.lower()) if h.kind == "client"] == [cid]
    code, campaign = db.conn.execute("SELECT code, name FROM campaigns WHERE deleted = 0 ORDER BY code").fetchone()
    assert any(h.kind == "campaign" and h.key == code for h in Finder(db, head).find(campaign[:4]))
    scen_uid, scen = db.conn.execute("SELECT uid, name FROM scenarios WHERE deleted = 0 ORDER BY uid").fetchone()
    assert any(h.kind == "scenario" and h.key == scen_uid for h in Finder(db, head).find(scen))
    village = db.conn.execute("SELECT name FROM villages ORDER BY id").fetchone()[0]
    assert any(h.kind == "village" and village in h.title for h in Finder(db, head).find(village))
    # wildcards are text, not patterns; nothing for nonsense or blanks
    assert Finder(db, head).find("%") == [] or all("%" in h.title + h.detail for h in Finder(db, head).find("%"))
    assert Finder(db, head).find("   ") == [] and Finder(db, head).find("没有这样的东西") == []
