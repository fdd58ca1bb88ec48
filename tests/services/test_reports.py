"""Process reports (issue 19): every report's figures against hand-computed values on a small
book built here, the segment history kept by the v14 trigger across a pulled update and a
service edit, what a manager sees, the filter's errors, and no ID or phone number anywhere."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import FieldError
from app.core.roles import Staff
from app.services import auth
from app.services.campaigns import CampaignService
from app.services.clients import ClientService
from app.services.followups import FollowupService
from app.services.reports import HEADINGS, REPORTS, Report, ReportFilter, ReportService
from app.services.scenarios import ScenarioService
from app.services.whitelist import WhitelistService
from app.store import bulk, syncdata
from app.store.clients import ClientRepository
from app.store.db import write
from app.store.store import Store
from app.store.whitelist import WhitelistFilter
from sync import protocol as p

TODAY = date(2026, 12, 2)

TOWNSHIPS = [{"id": 1, "code": "T1", "name": "甲乡"}, {"id": 2, "code": "T2", "name": "乙镇"}]
VILLAGES = [{"id": 1, "township_id": 1, "code": "V1", "name": "一村", "groups": 3},
            {"id": 2, "township_id": 1, "code": "V2", "name": "二村", "groups": 2},
            {"id": 3, "township_id": 2, "code": "V3", "name": "三村", "groups": 1}]
STAFF = [{"id": 1, "code": "A0001", "name": "刘主任", "role": "branch_head", "active": 1},
         {"id": 2, "code": "M0001", "name": "张经理", "role": "manager", "active": 1},
         {"id": 3, "code": "M0002", "name": "李经理", "role": "manager", "active": 1},
         {"id": 4, "code": "Z0001", "name": "王管理", "role": "admin", "active": 1}]
# name, village, manager id, segment, consent, mb signed, mb active
CLIENTS = [
    ("赵一", 1, 2, "farmer", True, True, True),
    ("钱二", 1, 2, "farmer", True, True, False),
    ("孙三", 1, 2, "student", True, False, False),
    ("李四", 2, 3, "retiree", True, True, True),
    ("周五", 2, 3, "payroll", True, True, False),
    ("吴六", 3, 3, "sole_trader", False, False, False),
]


def _id_number(i: int) -> str:
    first = f"5002291990010{i:04d}"[:17]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, weights, strict=True)) % 11]


def _staff(db, code: str) -> Staff:
    found = auth.load_staff(db, code)
    assert found is not None
    return found[0]


@pytest.fixture
def book(data_dir: Path):
    """A small branch: two townships, three villages, a branch head, two managers, six clients in
    the book since 5 January (their numbers are the client ids 1–6)."""
    store = Store.open(data_dir, create=True)
    db = store.connect()
    bulk.load_reference(db, townships=TOWNSHIPS, villages=VILLAGES, staff=STAFF, tags=[])
    bulk.load_clients(db, [
        {"kind": "individual", "name": name, "village_id": v, "manager_id": m, "segment": seg, "consent": consent,
         "mb_signed": signed, "mb_active": active, "lifecycle": "mature", "mobile": f"1380013{8000 + i:04d}",
         "id_number": _id_number(i)}
        for i, (name, v, m, seg, consent, signed, active) in enumerate(CLIENTS, start=1)])
    with write(db):  # a direct write: the book's creation dates, which no service sets
        db.conn.execute("UPDATE clients SET created_at = '2026-01-05T09:00:00+08:00'")
    yield db
    db.close()


def _uid(db, client_id: int) -> str:
    return db.conn.execute("SELECT uid FROM clients WHERE id = ?", (client_id,)).fetchone()[0]


def _reports(db, code: str = "A0001", today: date | None = TODAY) -> ReportService:
    return ReportService(db, _staff(db, code), today=today)


def _ok(r: Report | FieldError) -> Report:
    assert isinstance(r, Report), r
    return r


def _rows(r: Report | FieldError) -> list[tuple[Any, ...]]:
    return _ok(r).rows


# --- 1 and 2: marketing and reach ----------------------------------------------------------------


def _campaigns(db) -> None:
    """C1 runs October–November with five targets (吴六 never consented), C2 ran in June."""
    bulk.load_records(db, "campaign", [
        {"uid": "C1", "code": "C1", "name": "秋季手机银行", "product": "mobile_banking", "starts": "2026-10-01",
         "ends": "2026-11-30", "script": "介绍手机银行。", "benefits": "", "goal": 10, "source": "hq"},
        {"uid": "C2", "code": "C2", "name": "六月社保卡", "product": "social_card", "starts": "2026-06-01",
         "ends": "2026-06-30", "script": "协助激活社保卡。", "benefits": "", "goal": 10, "source": "hq"},
    ])
    targets = [("C1", 1, "M0001"), ("C1", 2, "M0001"), ("C1", 3, "M0002"), ("C1", 4, None), ("C1", 6, "M0001"),
               ("C2", 1, "M0001"), ("C2", 3, "M0002")]
    bulk.load_records(db, "campaign_target", [
        {"uid": str(uuid.uuid4()), "campaign": c, "client_uid": _uid(db, cid), "manager": m, "note": "",
         "source": "hq"} for c, cid, m in targets])
    fu = FollowupService(db, _staff(db, "A0001"), today=TODAY)
    for cid, day, outcome, camp in ((1, "2026-10-05", "有意向", "C1"), (1, "2026-10-20", "已开通手机银行", "C1"),
                                    (2, "2026-09-20", "有意向", "C1"), (3, "2026-11-03", "已办理", "C1"),
                                    (3, "2026-06-10", "有意向", "C2"), (5, "2026-10-08", "已办理", None)):
        assert fu.contact(cid, channel="电话", outcome=outcome, on=day, campaign=camp).ok


def test_marketing_per_manager_and_per_campaign_by_hand(book) -> None:
    _campaigns(book)
    svc = _reports(book)
    autumn = ReportFilter(date(2026, 10, 1), TODAY)
    # C1 only (C2 ended in June); 吴六 left out (no consent); 钱二 was reached in September, before the period
    assert _rows(svc.marketing(autumn)) == [
        ("张经理（M0001）", 2, 1, 1, 0.5, 0.5),
        ("李经理（M0002）", 1, 1, 1, 1.0, 1.0),
        ("（未分发）", 1, 0, 0, 0.0, 0.0),
    ]
    assert _rows(svc.marketing(autumn, by="campaign")) == [("秋季手机银行", "C1", 4, 2, 2, 0.5, 0.5)]
    r = _ok(svc.marketing(ReportFilter(date(2026, 10, 1), TODAY, village="V1")))  # 赵一, 钱二, 孙三
    assert r.rows == [("张经理（M0001）", 2, 1, 1, 0.5, 0.5), ("李经理（M0002）", 1, 1, 1, 1.0, 1.0)]
    assert "村：甲乡一村" in r.scope and r.chart.kind == "bar" and r.percent_columns == (4, 5)
    # a manager sees their own targets only, whatever they ask for
    mine = _reports(book, "M0002")
    assert _rows(mine.marketing(autumn)) == [("李经理（M0002）", 1, 1, 1, 1.0, 1.0)]
    # over the whole year every contact counts: the same figures as the campaign list
    year = ReportFilter(date(2026, 1, 1), TODAY)
    camp = CampaignService(book, _staff(book, "A0001"), today=TODAY)
    by_campaign = {r[1]: r[2:5] for r in _rows(svc.marketing(year, by="campaign"))}
    assert by_campaign == {f.key: (f.targets, f.reached, f.converted) for f in camp.figures("campaign")}
    assert by_campaign == {"C1": (4, 3, 2), "C2": (2, 1, 0)}
    by_manager = {r[0]: r[1:4] for r in _rows(svc.marketing(year))}
    assert by_manager == {svc._manager_label(f.key): (f.targets, f.reached, f.converted)
                          for f in camp.figures("manager")}


def test_reach_by_week_and_by_month_by_hand(book) -> None:
    _campaigns(book)
    svc = _reports(book)
    r = _ok(svc.reach(ReportFilter(date(2026, 10, 1), date(2026, 11, 15))))
    assert r.meta["targets"] == 4 and r.columns[0] == "周次" and r.chart.kind == "line"
    # 钱二 was first reached before the period (25% to start with); 赵一 on 5 Oct, converted 20 Oct;
    # 孙三 reached and converted on 3 Nov
    assert r.rows == [
        ("2026-W40", date(2026, 10, 1), date(2026, 10, 4), 0, 0, 0, 0.25, 0.0),
        ("2026-W41", date(2026, 10, 5), date(2026, 10, 11), 1, 1, 0, 0.5, 0.0),
        ("2026-W42", date(2026, 10, 12), date(2026, 10, 18), 0, 0, 0, 0.5, 0.0),
        ("2026-W43", date(2026, 10, 19), date(2026, 10, 25), 1, 0, 1, 0.5, 0.25),
        ("2026-W44", date(2026, 10, 26), date(2026, 11, 1), 0, 0, 0, 0.5, 0.25),
        ("2026-W45", date(2026, 11, 2), date(2026, 11, 8), 1, 1, 1, 0.75, 0.5),
        ("2026-W46", date(2026, 11, 9), date(2026, 11, 15), 0, 0, 0, 0.75, 0.5),
    ]
    # the campaign's own weekly figures say the same at each week's end
    weekly = {date.fromisoformat(w): (n, seen, done) for w, n, seen, done in
              CampaignService(book, _staff(book, "A0001"), today=TODAY).weekly("C1")}
    for label, lo, _hi, *_n, reach, conv in r.rows[1:]:
        n, seen, done = weekly[lo]
        assert (seen / n, done / n) == (reach, conv), label
    # longer than 26 weeks: by month, the last month cut at today
    year = _ok(svc.reach(ReportFilter(date(2026, 1, 1), TODAY)))
    assert year.columns[0] == "月份" and [x[0] for x in year.rows] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert year.rows[-1][1:3] == (date(2026, 12, 1), TODAY)
    assert year.meta["targets"] == 6 and year.rows[5][3:6] == (1, 1, 0)  # June: 孙三 for C2
    assert sum(x[3] for x in year.rows) == 5 and year.rows[-1][6:] == (4 / 6, 2 / 6)
    m1 = _ok(_reports(book, "M0001").reach(ReportFilter(date(2026, 10, 1), date(2026, 11, 15))))
    assert m1.meta["targets"] == 2 and m1.rows[-1][6:] == (1.0, 0.5)  # 赵一 and 钱二 (C1): both reached


# --- 3. segment growth -----------------------------------------------------------------------------


def test_segment_growth_between_two_dates_by_hand(book) -> None:
    db = book
    repo_new = bulk.load_clients(db, [
        {"kind": "individual", "name": "郑七", "village_id": 1, "manager_id": 2, "segment": "student",
         "consent": True, "lifecycle": "new"},
        {"kind": "individual", "name": "冯八", "village_id": 2, "manager_id": 3, "segment": "farmer",
         "consent": True, "lifecycle": "new"}])
    assert repo_new == 2
    # pulled changes as head office's sync writes them (the row's new updated_at is the change's time)
    changes = [(1, "sole_trader", "2026-03-10T10:00:00+08:00"),   # before the start: at the start already
               (2, "payroll", "2026-08-01T10:00:00+08:00"),       # farmer → payroll: up
               (3, "farmer", "2026-07-15T10:00:00+08:00"),        # student → farmer: up…
               (3, "retiree", "2026-12-01T10:00:00+08:00"),       # …and on after the end date
               (4, "student", "2026-09-09T10:00:00+08:00"),       # retiree → student: down
               (5, "farmer", "2026-06-30T18:00:00+08:00"),        # on the start date: before the period
               (7, "farmer", "2026-11-20T10:00:00+08:00")]        # a new client, moved after joining
    with write(db):
        db.conn.execute("UPDATE clients SET created_at = '2026-11-10T09:00:00+08:00' WHERE id = 7")
        db.conn.execute("UPDATE clients SET created_at = '2026-12-01T09:00:00+08:00' WHERE id = 8")
        for cid, seg, at in changes:
            db.conn.execute("UPDATE clients SET segment = ?, updated_at = ? WHERE id = ?", (seg, at, cid))
        db.conn.execute("UPDATE clients SET notes = '只改备注', updated_at = '2026-10-01T00:00:00+08:00'"
                        " WHERE id = 6")  # not the segment: nothing recorded
    assert db.conn.execute("SELECT count(*) FROM client_segment_history").fetchone()[0] == len(changes)
    r = _ok(_reports(db).segments(ReportFilter(date(2026, 6, 30), date(2026, 11, 30))))
    assert r.columns == ("客群", "期初户数", "期末户数", "净增", "新增客户", "转入", "上移", "下移")
    assert r.rows == [
        ("学生", 1, 1, 0, 0, 1, 1, 0),
        ("农户", 2, 3, 1, 1, 1, 1, 0),
        ("退休", 1, 0, -1, 0, 0, 0, 1),
        ("代发工资", 0, 1, 1, 0, 1, 0, 0),
        ("个体工商户", 2, 2, 0, 0, 0, 0, 0),
        ("合作社", 0, 0, 0, 0, 0, 0, 0),
        ("小微企业", 0, 0, 0, 0, 0, 0, 0),
    ]
    for _seg, start, end, _net, new, moved_in, up, down in r.rows:
        assert end == start + new + moved_in - up - down
    assert (r.meta["up"], r.meta["down"], r.meta["start"], r.meta["end"]) == (2, 1, 6, 7)
    # a manager's own clients: 李四 (retiree → student), 周五, 吴六; 冯八 joined after the end date
    m2 = _ok(_reports(db, "M0002").segments(ReportFilter(date(2026, 6, 30), date(2026, 11, 30))))
    assert {x[0]: x[1:3] for x in m2.rows if x[1] or x[2]} == {"学生": (0, 1), "农户": (1, 1), "退休": (1, 0),
                                                              "个体工商户": (1, 1)}
    # one village: 赵一, 钱二, 孙三, 郑七
    v1 = _ok(_reports(db).segments(ReportFilter(date(2026, 6, 30), date(2026, 11, 30), village="一村")))
    assert (v1.meta["start"], v1.meta["end"], v1.meta["up"], v1.meta["down"]) == (3, 4, 2, 0)
    # today (2 December): 孙三 is a retiree now, 冯八 is in the book
    now = _ok(_reports(db).segments(ReportFilter(date(2026, 11, 30), TODAY)))
    assert now.meta["new"] == 1 and (now.meta["up"], now.meta["down"]) == (1, 0)


def _wire_row(db, client_id: int, seq: int, **changes: Any) -> list[Any]:
    repo = ClientRepository(db)
    wire = {**repo.wire(repo.get(client_id)), **changes}
    return [seq, repo.get(client_id).uid, 0, *(wire[c] for c in p.KINDS["client"].wire_columns)]


def test_segment_history_across_a_pulled_update_and_a_service_edit(book) -> None:
    db = book
    # a pull from head office that changes 钱二's segment, and one that changes only 赵一's balance
    parts = [("client", list(p.KINDS["client"].wire_columns),
              [_wire_row(db, 2, 101, segment="sole_trader"), _wire_row(db, 1, 102, aum_fen=123_400)])]
    with write(db):
        result = syncdata.apply_page(db, parts, pending=syncdata.pending_keys(db))
    assert result.applied == 2 and result.rejected == 0
    # the branch head moves 李四 on in the client book
    head = ClientService(db, _staff(db, "A0001"))
    assert head.edit(4, {"segment": "代发工资"}).ok
    assert head.edit(4, {"notes": "退休返聘"}).ok  # not the segment: nothing recorded
    history = db.conn.execute(
        "SELECT client_id, old_segment, new_segment, substr(changed_at, 1, 10) FROM client_segment_history"
        " ORDER BY rowid").fetchall()
    today = date.today()
    assert history == [(2, "farmer", "sole_trader", today.isoformat()), (4, "retiree", "payroll", today.isoformat())]
    r = _ok(_reports(db, today=None).segments(ReportFilter(today - timedelta(days=1), today)))
    got = {x[0]: x[1:] for x in r.rows}
    assert got["农户"][:2] == (2, 1) and got["农户"][5] == 1  # 钱二 left the farmers upwards
    assert got["个体工商户"][:2] == (1, 2) and got["个体工商户"][4] == 1
    assert got["退休"][:2] == (1, 0) and got["退休"][5] == 1  # retiree → payroll is up
    assert got["代发工资"][:2] == (1, 2)
    assert (r.meta["up"], r.meta["down"]) == (2, 0)
    # yesterday the book was as it was before both changes
    before = _ok(_reports(db, today=None).segments(ReportFilter(today - timedelta(days=2), today - timedelta(days=1))))
    assert {x[0]: x[2] for x in before.rows}["农户"] == 2 and before.meta["up"] == 0


def test_a_first_load_records_no_history_and_keeps_the_report_index(data_dir: Path) -> None:
    """A bulk load (a first sync's path) inserts without history rows; the indexes it drops come back
    and the report index stays."""
    store = Store.open(data_dir, create=True)
    db = store.connect()
    try:
        bulk.load_reference(db, townships=TOWNSHIPS, villages=VILLAGES, staff=STAFF, tags=[])
        n = bulk.load_clients(db, [{"kind": "individual", "name": f"客户{i}", "village_id": 1 + i % 3,
                                    "manager_id": 2, "segment": "farmer", "lifecycle": "new"} for i in range(300)],
                              fresh=True)
        assert n == 300
        indexes = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"clients_report", "clients_by_name", "clients_by_village", "clients_by_manager"} <= indexes
        assert db.conn.execute("SELECT count(*) FROM client_segment_history").fetchone()[0] == 0
        assert db.conn.execute("SELECT value FROM meta WHERE key = ?", (bulk.DROPPED_KEY,)).fetchone() is None
        r = _ok(ReportService(db, _staff(db, "A0001")).segments(ReportFilter(date.today(), date.today())))
        assert r.meta["new"] == 0 and r.meta["end"] == 300  # in the book by the end of today
    finally:
        db.close()


# --- 4. mobile banking ------------------------------------------------------------------------------


def test_mobile_banking_by_village_and_township_by_hand(book) -> None:
    svc = _reports(book)
    r = _ok(svc.mobile_banking())
    assert r.rows == [("甲乡一村", 3, 2, 1, 2 / 3, 1 / 3), ("甲乡二村", 2, 2, 1, 1.0, 0.5),
                      ("乙镇三村", 1, 0, 0, 0.0, 0.0)]
    assert "当前状态" in r.scope and r.meta == {"clients": 6, "signed": 4, "active": 2, "by": "village"}
    assert _rows(svc.mobile_banking(by="township")) == [("甲乡", 5, 4, 2, 0.8, 0.4), ("乙镇", 1, 0, 0, 0.0, 0.0)]
    with write(book):  # head office's core-banking flags arrive (a direct write: no service sets them)
        book.conn.execute("UPDATE clients SET mb_signed = 1, mb_active = 1 WHERE id = 6")
        book.conn.execute("UPDATE clients SET deleted = 1 WHERE id = 3")
    assert _rows(svc.mobile_banking(by="township")) == [("甲乡", 4, 4, 2, 1.0, 0.5), ("乙镇", 1, 1, 1, 1.0, 1.0)]
    assert _rows(svc.mobile_banking(ReportFilter(village="V2"))) == [("甲乡二村", 2, 2, 1, 1.0, 0.5)]
    assert _rows(_reports(book, "M0001").mobile_banking()) == [("甲乡一村", 2, 2, 1, 1.0, 0.5)]


# --- 5. the whitelist funnel ------------------------------------------------------------------------


def test_whitelist_funnel_by_cluster_by_hand(book) -> None:
    entries = [("E1", 1, "tea", 10_000_000, "M0001"), ("E2", 2, "tea", 20_000_000, "M0001"),
               ("E3", 3, "tea", 5_000_000, "M0002"), ("E4", 4, "pig", 10_000_000, "M0002")]
    bulk.load_records(book, "whitelist", [
        {"uid": str(uuid.UUID(int=i)), "client_uid": _uid(book, cid), "client_no": None, "product": "xingnong_e_dai",
         "limit_fen": limit, "rate_bp": 385, "valid_from": "2026-01-01", "valid_to": "2028-12-31", "batch": "B1",
         "cluster": cluster, "score": 700, "band": "A", "manager": m}
        for i, (_e, cid, cluster, limit, m) in enumerate(entries, start=1)])
    wl = WhitelistService(book, _staff(book, "A0001"), today=TODAY)
    e1, e2, e4 = (str(uuid.UUID(int=i)) for i in (1, 2, 4))
    for uid, status, amount, reason in ((e1, "已联系", 0, ""), (e2, "已联系", 0, ""), (e2, "已申请", 0, ""),
                                        (e2, "已用信", 8_000_000, ""), (e4, "已联系", 0, ""),
                                        (e4, "拒绝", 0, "暂无资金需求")):
        assert wl.record_outcome(uid, status, on="2026-11-01", amount_fen=amount, reason=reason).ok
    r = _ok(_reports(book).whitelist_funnel())
    assert r.rows == [("pig", 1, 10.0, 1, 0, 0, 0.0, 1.0, 0.0),
                      ("tea", 3, 35.0, 2, 1, 1, 8.0, 2 / 3, 1 / 3)]
    assert r.formats[2] == "wan" and r.chart.series == (1, 3, 4, 5)
    # the same as the service's funnel, and a manager sees the entries given to them
    assert [(x[1], x[3], x[4], x[5]) for x in r.rows] == [
        (f.entries, f.contacted, f.applied, f.drawn) for f in wl.funnel("cluster")]
    assert _rows(_reports(book, "M0002").whitelist_funnel()) == [("pig", 1, 10.0, 1, 0, 0, 0.0, 1.0, 0.0),
                                                                ("tea", 1, 5.0, 0, 0, 0, 0.0, 0.0, 0.0)]
    mine = WhitelistService(book, _staff(book, "M0002"), today=TODAY).funnel("cluster", WhitelistFilter())
    assert sum(f.entries for f in mine) == 2
    assert _rows(_reports(book).whitelist_funnel(ReportFilter(village="V2"))) == [  # 李四's entry only
        ("pig", 1, 10.0, 1, 0, 0, 0.0, 1.0, 0.0)]
    # one village's funnel is read from its clients: the same figures as the service's village filter,
    # a deleted client's entry included (as the service counts it), for the branch and for a manager
    with write(book):
        book.conn.execute("UPDATE clients SET deleted = 1 WHERE id = 3")
    for code in ("A0001", "M0001", "M0002"):
        report = _rows(_reports(book, code).whitelist_funnel(ReportFilter(village="V1")))
        service = WhitelistService(book, _staff(book, code), today=TODAY).funnel(
            "cluster", WhitelistFilter(village_id=1))
        assert [(x[1], x[2], x[3], x[4], x[5], x[6]) for x in report] == [
            (f.entries, f.limit_fen / 1e6, f.contacted, f.applied, f.drawn, f.drawn_fen / 1e6) for f in service], code
        assert report, code


# --- 6. scenarios ----------------------------------------------------------------------------------


def test_scenario_acquisition_by_hand(book) -> None:
    sc = ScenarioService(book, _staff(book, "A0001"), today=TODAY)
    s1 = sc.add({"scenario_type": "智慧畜牧", "name": "一村生猪智慧畜牧", "village": "一村",
                 "status": "运营"}).value.uid
    s2 = sc.add({"scenario_type": "教育缴费", "name": "二村小学缴费", "village": "二村", "owner": "M0002"}).value.uid
    links = [(s1, 1, "2026-09-01"), (s1, 2, "2026-10-10"), (s1, 3, "2026-11-20"), (s1, 6, "2026-10-12"),
             (s2, 4, "2026-10-02"), (s2, 5, "2026-12-01")]
    bulk.load_records(book, "scenario_client", [
        {"uid": str(uuid.uuid4()), "scenario": s, "client_uid": _uid(book, cid), "date": day} for s, cid, day in links])
    with write(book):
        book.conn.execute("UPDATE clients SET deleted = 1 WHERE id = 6")  # a client deleted since: not counted
    assert sc.record(s1, "2026-11", {"开户数": 12, "手机银行注册": 9, "手机银行月活": 30}).ok
    assert sc.record(s1, "2026-10", {"开户数": 7}).ok
    r = _ok(_reports(book).scenarios(ReportFilter(date(2026, 10, 1), date(2026, 11, 30))))
    assert r.columns[7:] == ("开户数（2026-11）", "手机银行注册（2026-11）", "手机银行月活（2026-11）")
    assert r.rows == [("一村生猪智慧畜牧", "智慧畜牧", "甲乡一村", "运营", 1, 2, 3, 12, 9, 30),
                      ("二村小学缴费", "教育缴费", "甲乡二村", "调研", 0, 1, 1, None, None, None)]
    assert r.chart.kind == "stacked" and r.chart.series == (4, 5)
    # a manager sees the scenarios they own; a village filter keeps that village's
    assert [x[0] for x in _rows(_reports(book, "M0002").scenarios(ReportFilter(date(2026, 10, 1))))] == ["二村小学缴费"]
    assert [x[0] for x in _rows(_reports(book).scenarios(ReportFilter(village="V1")))] == ["一村生猪智慧畜牧"]


# --- who may see what, and the filter ------------------------------------------------------------


def test_permission_and_filter_errors_name_the_field(book) -> None:
    denied = _reports(book, "Z0001").marketing()
    assert isinstance(denied, FieldError) and denied.field == "permission" and "查看报表" in denied.message
    other = _reports(book, "M0001").segments(ReportFilter(manager="M0002"))
    assert isinstance(other, FieldError) and other.field == "manager"
    own = _ok(_reports(book, "M0001").segments(ReportFilter(manager="M0001")))
    assert own.filter.manager == "M0001" and "张经理（M0001）" in own.scope
    svc = _reports(book)
    for f, field in ((ReportFilter(date(2026, 11, 2), date(2026, 11, 1)), "start"),
                     (ReportFilter(date(2027, 1, 1)), "start"),
                     (ReportFilter(manager="M9999"), "manager"),
                     (ReportFilter(village="不存在村"), "village")):
        for name in REPORTS:
            err = svc.run(name, f)
            assert isinstance(err, FieldError) and err.field == field, (name, f, err)
    assert svc.run("nope").field == "report"
    assert svc.marketing(by="village").field == "by" and svc.mobile_banking(by="county").field == "by"
    # defaults: from 1 January of the end's year to today; an end after today is today
    r = _ok(svc.reach(ReportFilter(end=date(2027, 3, 1))))
    assert (r.filter.start, r.filter.end) == (date(2026, 1, 1), TODAY)


def test_demo_county_reports_agree_and_hold_no_id_or_phone_number(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        head = ReportService(db, _staff(db, "A0001"))
        camp = CampaignService(db, _staff(db, "A0001"))
        assert camp.apply_plan(camp.plan("2026-mb-activation")).ok
        fu = FollowupService(db, _staff(db, "A0001"))
        for t in camp.targets("2026-mb-activation")[:30]:
            assert fu.contact(t.client_id, channel="上门", outcome="已开通" if t.client_id % 3 == 0 else "有意向",
                              campaign="2026-mb-activation").ok
        reports = {name: _ok(head.run(name)) for name in REPORTS}
        by_campaign = _ok(head.marketing(by="campaign"))
        assert sum(x[1] for x in reports["marketing"].rows) == sum(x[2] for x in by_campaign.rows)
        assert reports["marketing"].meta["reached"] == 30
        town = _ok(head.mobile_banking(by="township"))
        assert town.meta["clients"] == reports["mobile_banking"].meta["clients"] == db.conn.execute(
            "SELECT count(*) FROM clients WHERE deleted = 0").fetchone()[0]
        m1 = _staff(db, "M0001")
        mine = _ok(ReportService(db, m1).mobile_banking())
        assert mine.meta["clients"] == db.conn.execute(
            "SELECT count(*) FROM clients WHERE deleted = 0 AND manager_id = ?", (m1.id,)).fetchone()[0]
        assert _ok(ReportService(db, m1).segments()).meta["end"] == mine.meta["clients"]
        secrets = {r[0] for r in db.conn.execute("SELECT id_number FROM clients WHERE id_number IS NOT NULL")}
        secrets |= {r[0] for r in db.conn.execute("SELECT mobile FROM clients WHERE mobile IS NOT NULL")}
        for r in [*reports.values(), by_campaign, town, mine]:
            text = " ".join([r.title, r.scope, *r.notes, *(str(v) for row in r.rows for v in row)])
            assert not set(re.findall(r"\d{11,18}X?", text)) & secrets, r.name
            # every title and heading is one the desktop has in English (a month in it as "{}")
            shown = [r.title, *r.columns, r.chart.axis_title]
            assert {re.sub(r"（\d{4}-\d{2}）$", "（{}）", h) for h in shown} <= set(HEADINGS), r.name
    finally:
        db.close()
