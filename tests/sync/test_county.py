"""County-scope devices: the county manager's weekly sync, on SQLite and PostgreSQL.

A county device (``branchdesk-hq device enrol --county 500229``) reads every
branch of its county and what every branch sees, and nothing of another
county; it writes only its own records (its branch is the county code itself):
an edit to a branch's record is refused (403, logged) and quarantined on the PC.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from sync import protocol as p
from sync.client.config import SyncSettings, load_token
from sync.client.transport import RequestRejected, Transport
from sync.server import cli
from sync.server.db import SHARED, Device, HQError, branches
from sync.server.demo import seed_demo
from sync.server.store import HQStore
from tests.support.branch import DEMO_BRANCH, local_state, server_state, service, sync, workstation

COUNTY = "500229"
SECOND = "500229-02"  # another branch of the demo county
ELSEWHERE = "500230-01"  # a branch of another county


def _branch_data(store: HQStore, branch: str, prefix: str, township: str, n: int = 3) -> None:
    """A township, a village, a staff member and ``n`` clients of ``branch`` (uids and codes start with ``prefix``)."""
    store.publish("township", branch, [{"uid": township, "code": township, "name": f"{prefix}镇"}])
    village = f"{township}201"
    store.publish("village", branch, [{"uid": village, "code": village, "township": township, "name": f"{prefix}村",
                                       "groups": 4}])
    staff = f"{prefix.upper()}001"
    store.publish("staff", branch, [{"uid": staff, "code": staff, "name": f"{prefix}经理", "role": "manager",
                                     "active": True}])
    store.publish("client", branch, [
        {"uid": f"{prefix}-client-{i}", "client_no": f"CQ{prefix.upper()}{i:06d}", "kind": "individual",
         "name": f"{prefix}客户{i}", "village": village, "segment": "farmer", "lifecycle": "mature",
         "manager": staff, "aum_fen": 100_000 * (i + 1)}
        for i in range(n)
    ])


@pytest.fixture
def county_hq(hq):
    """The demo branch (500229-01), a second branch of its county, and a branch of another county."""
    seed_demo(hq.store, n_clients=40)
    hq.store.create_branch(SECOND, "城口县支行巴山网点")
    _branch_data(hq.store, SECOND, "bs", "500229950")
    hq.store.create_branch(ELSEWHERE, "巫溪县支行城厢网点")
    _branch_data(hq.store, ELSEWHERE, "wx", "500230100")
    return hq


def _expected(store: HQStore, *branch_codes: str) -> dict[str, dict[str, tuple[int, bool, dict]]]:
    """What a device reading these branches (and the shared scope) holds, by kind and uid."""
    out: dict[str, dict[str, tuple[int, bool, dict]]] = {}
    for code in branch_codes:
        for kind, recs in server_state(store, code).items():
            out.setdefault(kind, {}).update(recs)
    return out


def _uids(state: dict[str, dict[str, tuple]]) -> set[tuple[str, str]]:
    return {(kind, uid) for kind, recs in state.items() for uid in recs}


def _token(store) -> str:
    return load_token(store.settings, store.data_dir, SyncSettings.load(store.settings))


def _transport(store) -> Transport:
    return Transport(SyncSettings.load(store.settings).transport(), _token(store))


def test_the_county_manager_s_weekly_sync_reads_every_branch_of_the_county(county_hq, tmp_path: Path) -> None:
    hq = county_hq
    pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    s = SyncSettings.load(pc.settings)
    assert (s.branch, s.county) == (COUNTY, COUNTY)  # the PC knows what it is (shown in its Sync workspace)
    report = sync(pc)
    assert report.synced, report
    held = local_state(pc)
    want = _expected(hq.store, DEMO_BRANCH, SECOND)
    assert held == want  # every record of both branches and the shared ones: values, versions, tombstones
    assert {"bs-client-0", "bs-client-2"} <= set(held["client"])
    assert len(held["client"]) == 40 + 3
    assert "compliance_words" in held and "scorecard" in held  # the shared scope
    assert not _uids(held) & (_uids(server_state(hq.store, ELSEWHERE)) - _uids(server_state(hq.store, SHARED)))
    assert not any(uid.startswith("wx-") for uid in held["client"])
    device = next(d for d in hq.store.list_devices() if d["county"] == COUNTY)
    assert device["branch"] == COUNTY and device["last_confirmed"]  # head office confirmed the sync
    assert hq.store.branch_name(COUNTY) == f"{COUNTY} 县域管理"
    assert hq.store.list_denials() == []

    # next week: more figures for the second branch, and a branch the county opened since
    assert hq.store.publish("client", SECOND, [{"uid": "bs-client-0", "aum_fen": 123_456}]) == 1
    hq.store.create_branch("500229-03", "城口县支行新开网点")
    _branch_data(hq.store, "500229-03", "xk", "500229960", n=2)
    again = sync(pc)
    assert again.synced and again.pulled == 1 + 1 + 1 + 1 + 2, again
    assert local_state(pc) == _expected(hq.store, DEMO_BRANCH, SECOND, "500229-03")


def test_a_county_device_writes_no_branch_s_records(county_hq, tmp_path: Path) -> None:
    hq = county_hq
    pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    assert sync(pc).synced
    banked = next(u for u, _s, d, v in hq.store.records(DEMO_BRANCH, "client") if v["client_no"] and not d)
    before = server_state(hq.store, DEMO_BRANCH)["client"][banked]

    # an edit made on the county PC to a client of 500229-01 comes back quarantined with head office's 403
    db, svc = service(pc)
    client_id = db.conn.execute("SELECT id FROM clients WHERE uid = ?", (banked,)).fetchone()[0]
    assert svc.edit(client_id, {"notes": "县里走访"}).ok
    report = sync(pc)
    assert report.quarantined == 1 and report.acked == 0, report
    state, note = db.conn.execute(
        "SELECT sync_state, sync_note FROM journal WHERE row_uid = ?", (banked,)).fetchone()
    assert state == "quarantined" and "403" in note, note
    db.close()
    assert server_state(hq.store, DEMO_BRANCH)["client"][banked] == before
    denials = hq.store.list_denials()
    assert [(d["device_branch"], d["target"]) for d in denials] == [(COUNTY, f"client/{banked}")]
    assert denials[0]["reason"] == "push to a record of another branch"

    t = _transport(pc)
    try:
        # a record of the county's other branch, straight through the device's own door: 403, logged
        ans = t.request("POST", f"/v1/branches/{COUNTY}/push", body={"changes": [{
            "change_id": str(uuid.uuid4()), "kind": "client", "uid": "bs-client-1", "op": "update",
            "after": {"notes": "x"}}]})
        assert ans["results"][0]["status"] == p.REJECTED and ans["results"][0]["code"] == 403
        # an insert of its own that names another branch's client: refused, nothing stored
        contact = str(uuid.uuid4())
        ans = t.request("POST", f"/v1/branches/{COUNTY}/push", body={"changes": [{
            "change_id": str(uuid.uuid4()), "kind": "contact", "uid": contact, "op": "insert",
            "after": {"client_uid": banked, "staff": "A0001", "date": "2026-03-02", "channel": "visit",
                      "note": "县里走访"}}]})
        answer = ans["results"][0]
        assert answer["status"] == p.REJECTED and "不属于本网点" in answer["reason"], answer
        # a branch's own door stays shut to it
        for path in ("pull", "checkpoint"):
            with pytest.raises(RequestRejected) as refused:
                if path == "pull":
                    t.request("GET", f"/v1/branches/{DEMO_BRANCH}/pull")
                else:
                    t.request("POST", f"/v1/branches/{SECOND}/checkpoint", body={"cursor": 0, "scopes": {}})
            assert refused.value.status == 403
    finally:
        t.close()
    assert contact not in {u for b in (COUNTY, DEMO_BRANCH) for u, *_ in hq.store.records(b, "contact")}
    assert next(v for u, _s, _d, v in hq.store.records(SECOND, "client") if u == "bs-client-1")["notes"] == ""
    assert [(d["device_branch"], d["target"]) for d in hq.store.list_denials()[1:]] == [
        (COUNTY, "client/bs-client-1"), (COUNTY, f"GET /v1/branches/{DEMO_BRANCH}/pull"),
        (COUNTY, f"POST /v1/branches/{SECOND}/checkpoint"),
    ]
    # refused writes leave the sync whole
    assert sync(pc).synced


def test_a_branch_device_still_sees_only_its_branch(county_hq, tmp_path: Path) -> None:
    hq = county_hq
    county_pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    assert sync(county_pc).synced
    for code, folder in ((DEMO_BRANCH, "a"), (SECOND, "b"), (ELSEWHERE, "c")):
        pc = workstation(tmp_path / folder, hq.url, hq.store, branch=code)
        assert sync(pc).synced
        assert local_state(pc) == server_state(hq.store, code), code
    # the other county's manager reads only that county
    other = workstation(tmp_path / "other-county", hq.url, hq.store, county="500230")
    assert sync(other).synced
    assert local_state(other) == server_state(hq.store, ELSEWHERE)
    assert {d["branch"]: d["county"] for d in hq.store.list_devices()} == {
        COUNTY: COUNTY, DEMO_BRANCH: None, SECOND: None, ELSEWHERE: None, "500230": "500230"}


def test_branches_counties_and_read_scopes(tmp_path: Path) -> None:
    store = HQStore.open(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        store.create_branch("500229-01", "城口县支行营业部")
        store.create_branch("500229-02", "巴山网点")
        store.create_branch("B7", "没有区县的网点")
        store.create_branch("X9", "指定区县的网点", county="500230")
        for bad in ("5002", "50022a", "５００２２９", ""):
            with pytest.raises(HQError, match="6 位数字"):
                store.create_branch("Y1", "坏区县", county=bad)
        counties = {b["code"]: b["county"] for b in store.branch_details()}
        assert counties == {"500229-01": COUNTY, "500229-02": COUNTY, "B7": None, "X9": "500230"}
        assert [code for code, _name in store.list_branches()] == ["500229-01", "500229-02", "B7", "X9"]

        with pytest.raises(HQError, match="6 位数字"):
            store.new_enrolment(None, county="5002")
        with pytest.raises(HQError, match="没有属于区县 500231 的网点") as none:
            store.new_enrolment(None, county="500231")
        assert none.value.status == 404
        with pytest.raises(HQError, match="不属于区县"):
            store.new_enrolment("X9", county=COUNTY)
        with pytest.raises(HQError, match="没有网点"):
            store.new_enrolment(None)
        assert store.branch_name(COUNTY) is None  # nothing created by a refused enrolment

        _id, code = store.new_enrolment(None, "县长的电脑", county=COUNTY)
        device, token = store.enrol(code, "县长的电脑")
        assert device == Device(device.id, COUNTY, "县长的电脑", county=COUNTY)
        assert store.authenticate(token) == device
        assert store.read_scopes(device) == (SHARED, COUNTY, "500229-01", "500229-02")
        _id, code = store.new_enrolment(COUNTY, county=COUNTY)  # the county's own code: the same thing
        assert store.enrol(code)[0].branch == COUNTY
        plain, _token = store.enrol(store.new_enrolment("500229-01")[1])
        assert plain.county is None and store.read_scopes(plain) == ("500229-01", SHARED)
        x9, _token = store.enrol(store.new_enrolment(None, county="500230")[1])
        assert store.read_scopes(x9) == (SHARED, "500230", "X9")

        # a branch stored before schema 5 has no county recorded: its code still names it
        with store.engine.begin() as c:
            c.execute(branches.insert().values(code="500229-09", name="老网点", created_at="2025-01-01", county=None))
        assert "500229-09" in store.read_scopes(device)
        assert {b["code"]: b["county"] for b in store.branch_details()}["500229-09"] == COUNTY
        with store.engine.connect() as c:
            assert c.execute(sa.select(branches.c.county).where(branches.c.code == COUNTY)).scalar() == COUNTY
    finally:
        store.engine.dispose()


def test_cli_enrols_a_county_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'hq.db'}"]

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*db, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, _out, err = run("device", "enrol", "--county", COUNTY)
    assert code == 1 and f"没有属于区县 {COUNTY} 的网点" in err
    code, out, _err = run("branch", "create", "500229-01", "城口县支行营业部")
    assert code == 0 and "区县 500229" in out
    code, out, _err = run("branch", "create", "CK-02", "巴山网点", "--county", COUNTY)
    assert code == 0 and "CK-02" in out
    code, _out, err = run("branch", "create", "CK-03", "坏网点", "--county", "5002")
    assert code == 1 and "6 位数字" in err
    code, out, _err = run("device", "enrol", "--county", COUNTY, "--name", "县长的电脑")
    assert code == 0 and "县域设备" in out and "所有网点" in out
    enrol_code = out.strip().splitlines()[-1]
    code, out, _err = run("device", "enrol", "500229-01")
    assert code == 0 and "县域" not in out

    listing = json.loads(run("branch", "list", "--json")[1])
    assert {b["code"]: b["county"] for b in listing} == {COUNTY: COUNTY, "500229-01": COUNTY, "CK-02": COUNTY}
    assert "所属区县" in run("branch", "list")[1]
    devices = json.loads(run("device", "list", "--json")[1])
    assert [(d["branch"], d["county"], d["name"]) for d in devices] == [
        (COUNTY, COUNTY, "县长的电脑"), ("500229-01", None, "")]
    assert "县域" in run("device", "list")[1]

    # exactly one of a branch and --county
    for args, why in ((("device", "enrol"), "需要以下参数之一"),
                      (("device", "enrol", "500229-01", "--county", COUNTY), "不能与")):
        with pytest.raises(SystemExit) as exited:
            cli.main([*db, *args])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert why in err and "--county" in err, err

    store = HQStore.open(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        device, _token = store.enrol(enrol_code, "pc")
        assert device.county == COUNTY and store.read_scopes(device) == (SHARED, COUNTY, "500229-01", "CK-02")
    finally:
        store.engine.dispose()


def test_a_refused_county_edit_stays_quarantined_after_retry(county_hq, tmp_path: Path) -> None:
    """The quarantined edit does not go up again on the next sync (it waits for a person: ``branchdesk
    sync quarantine``), head office's record is untouched, and the weekly sync still confirms."""
    hq = county_hq
    pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    assert sync(pc).synced
    db, svc = service(pc)
    client_id, uid = db.conn.execute(
        "SELECT id, uid FROM clients WHERE uid LIKE 'bs-client-%' ORDER BY uid LIMIT 1").fetchone()
    assert svc.edit(client_id, {"notes": "县里改的"}).ok
    first = sync(pc)
    assert first.quarantined == 1 and first.synced, first
    assert db.conn.execute("SELECT count(*) FROM journal WHERE sync_state = 'pending'").fetchone()[0] == 0
    db.close()
    second = sync(pc)
    assert second.synced and second.pushed == 0 and second.quarantined == 0, second
    seq, _deleted, values = server_state(hq.store, SECOND)["client"][uid]
    assert values["notes"] == "" and local_state(pc)["client"][uid][0] == seq
    assert [d["target"] for d in hq.store.list_denials()] == [f"client/{uid}"]  # logged once, not per sync


def test_a_county_device_knows_whose_each_record_is_and_reports_one_branch(county_hq, tmp_path: Path) -> None:
    from app.services import auth
    from app.services.reports import ReportFilter, ReportService

    hq = county_hq
    pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    assert sync(pc).synced
    db = pc.connect()
    try:
        whose = dict(db.conn.execute("SELECT uid, branch FROM record_branch WHERE kind = 'client'").fetchall())
        assert whose == {**{uid: DEMO_BRANCH for uid in server_state(hq.store, DEMO_BRANCH)["client"]},
                         **{f"bs-client-{i}": SECOND for i in range(3)}}
        assert not db.conn.execute("SELECT count(*) FROM record_branch WHERE branch = ?", (SHARED,)).fetchone()[0]
        svc = ReportService(db, auth.load_staff(db, next(iter(
            r[0] for r in db.conn.execute("SELECT code FROM staff WHERE role = 'branch_head' ORDER BY code"))))[0])
        assert svc.branches() == [DEMO_BRANCH, SECOND]
        both = svc.mobile_banking()
        second = svc.mobile_banking(ReportFilter(branch=SECOND))
        assert both.meta["clients"] == 43 and second.meta["clients"] == 3
        assert [r[0] for r in second.rows] == ["bs镇bs村"] and "网点：城口县支行巴山网点（500229-02）" in second.scope
        # head office names the branches it reads (the report's branch box shows them so)
        assert svc.branch_label(SECOND) == "城口县支行巴山网点（500229-02）"
        assert svc.branch_label("500229-99") == "500229-99"
        first = svc.segments(ReportFilter(branch=DEMO_BRANCH))
        assert first.meta["end"] == 40
        wrong = svc.mobile_banking(ReportFilter(branch="500230-01"))
        assert not hasattr(wrong, "rows") and "不在本机的数据中" in wrong.message
        # the front page of a county's staff: one line per branch, named, with its whitelist counts
        from app.core.roles import Role, Staff
        from app.services.today import TodayService
        from app.services.whitelist import WhitelistService
        from app.store.whitelist import WhitelistFilter

        county_staff = Staff(0, "C0001", "县支行", Role.COUNTY)
        lines, by = TodayService(db, county_staff).lines()
        assert by == "branch" and [line.key for line in lines] == [DEMO_BRANCH, SECOND]
        assert lines[1].label == "城口县支行巴山网点（500229-02）"
        never = WhitelistService(db, county_staff).count(WhitelistFilter(never_contacted=True, expired=False))
        assert sum(line.never_contacted for line in lines) == never
        from datetime import date, timedelta

        from app.store import bulk

        today = date.today()
        consenting = [r[0] for r in db.conn.execute(
            "SELECT uid FROM clients WHERE deleted = 0 AND consent = 1 ORDER BY uid LIMIT 3")]
        bulk.load_records(db, "followup", [
            {"uid": f"county-followup-{n}", "client_uid": uid, "campaign": None,
             "due": (today + timedelta(days=days)).isoformat(), "done": False, "result": "", "note": "",
             "staff": "M0001", "snoozed_until": None, "snooze_reason": ""}
            for n, (uid, days) in enumerate(zip(consenting, (-3, -1, 0), strict=True))])
        figures = TodayService(db, county_staff).figures()
        assert figures.lines_by == "branch"
        # the counts the quick read stops at 100, in full: the open follow-ups of consenting live clients
        late, due = db.conn.execute(
            "SELECT count(*) FILTER (WHERE coalesce(f.snoozed_until, f.due) < date('now', 'localtime')),"
            " count(*) FILTER (WHERE coalesce(f.snoozed_until, f.due) = date('now', 'localtime'))"
            " FROM followups f JOIN clients c ON c.uid = f.client_uid AND c.deleted = 0 AND c.consent = 1"
            " WHERE f.deleted = 0 AND f.done = 0").fetchone()
        assert late > 0 and (figures.overdue, figures.today) == (late, due)
    finally:
        db.close()
    # a branch's own PC is never told whose a record is: it has only its own
    branch_pc = workstation(tmp_path / "branch", hq.url, hq.store)
    assert sync(branch_pc).synced
    db = branch_pc.connect()
    try:
        assert db.conn.execute("SELECT count(*) FROM record_branch").fetchone()[0] == 0
        wrong = ReportService(db, auth.load_staff(db, "A0001")[0]).segments(ReportFilter(branch=DEMO_BRANCH))
        assert "不是县级设备" in wrong.message
    finally:
        db.close()


def test_a_county_device_synced_before_it_was_told_learns_whose_its_records_are(county_hq, tmp_path: Path) -> None:
    """A county device whose records came before head office said whose each is (no ``record_branch``
    rows) asks once, by uid and for the branches only, on its next sync; then never again."""
    from app.store import syncdata
    from app.store.reference import meta_get

    hq = county_hq
    pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    assert sync(pc).synced
    db = pc.connect()
    try:
        whole = db.conn.execute("SELECT kind, uid, branch FROM record_branch WHERE kind IN ('client', 'scenario')"
                                " ORDER BY kind, uid").fetchall()
        assert {k for k, _u, _b in whole} == {"client", "scenario"}
        assert meta_get(db, syncdata.WHOSE_DONE_KEY) == "1" and len(whole) > 40
        with db.conn:  # as an older version left it
            db.conn.execute("DELETE FROM record_branch")
            db.conn.execute("DELETE FROM meta WHERE key = ?", (syncdata.WHOSE_DONE_KEY,))
        assert set(syncdata.without_branch(db)) == {"client", "scenario"}
    finally:
        db.close()
    report = sync(pc)
    assert report.synced and report.pulled == 0  # nothing pulled again: only whose each record is
    db = pc.connect()
    try:
        assert db.conn.execute("SELECT kind, uid, branch FROM record_branch ORDER BY kind, uid").fetchall() == whole, \
            db.conn.execute("SELECT kind, count(*) FROM record_branch GROUP BY kind").fetchall()
        assert meta_get(db, syncdata.WHOSE_DONE_KEY) == "1"
        with db.conn:  # asked once: a record still without a branch is not asked about on every sync
            db.conn.execute("DELETE FROM record_branch WHERE uid = 'bs-client-0'")
    finally:
        db.close()
    assert sync(pc).synced
    db = pc.connect()
    try:
        assert not db.conn.execute("SELECT count(*) FROM record_branch WHERE uid = 'bs-client-0'").fetchone()[0]
    finally:
        db.close()


def test_a_carried_bundle_tells_a_county_device_whose_the_records_are(county_hq, tmp_path: Path) -> None:
    from sync.client import bundle as cb

    hq = county_hq
    pc = workstation(tmp_path / "county", hq.url, hq.store, county=COUNTY)
    assert sync(pc).synced  # online once: the device's bundle keys are known to head office
    _branch_data(hq.store, SECOND, "bs2", "500229970", n=2)  # more clients of the second branch
    out = tmp_path / "b1"
    cb.export_bundle(pc, out)
    reply, summary = hq.store.import_bundle(out.read_bytes())
    assert summary.records >= 2
    (tmp_path / "r1").write_bytes(reply)
    assert cb.import_reply(pc, tmp_path / "r1").status == cb.SYNCED
    db = pc.connect()
    try:
        got = dict(db.conn.execute("SELECT uid, branch FROM record_branch WHERE kind = 'client' AND uid LIKE 'bs2-%'"))
        assert got == {"bs2-client-0": SECOND, "bs2-client-1": SECOND}
    finally:
        db.close()
