"""Front page (今日) and Ctrl+K search benchmark: prints its figures (run with -m perf -s).

    BRANCHDESK_PERF_DIR=/some/dir [BRANCHDESK_PERF_CLIENTS=200000] \\
        .venv/bin/python -m pytest -m perf -s tests/perf/test_today_perf.py

The database of the report benchmark (``test_report_perf._build``: the demo county of
``BRANCHDESK_PERF_CLIENTS`` clients with its campaigns, targets, contacts and whitelist), topped
up once with 60,000 open follow-ups of consenting clients, each with the client's own manager,
due from 20 days ago to 10 days ahead (one in twenty snoozed a few days; half tied to a running
campaign), then ``ANALYZE followups``. The top-up is recorded in ``today-followups.json`` beside
the database and not repeated (``BRANCHDESK_PERF_DIR`` reuses both).

1. The front page after sign-in, as a person sees it: the window's modules imported first, as the
   app does while the sign-in dialog waits (``import_ahead``); then, from the sign-in accepted, ``build_context`` and
   ``MainWindow`` for the branch head (A0001) and for a manager (M0001), shown; to the board shown
   (``TodayWorkspace.board`` set: both halves, the campaign tallies read on a second connection)
   and to the page at rest (``_reading`` False: for the branch head after this month's figures
   too). Then ``TodayService.board`` (with the sync status, as the page reads it) on a fresh
   connection, first run and median of five, and ``figures`` alone. Target: the board shown
   ≤ 300 ms.
2. Search: 30 queries (surnames, two-character and full names, a village, phone and ID last
   digits, a client number, campaign words, nonsense), ``Finder.find`` on a warm connection for
   both, then through ``SearchDialog`` (its ``last_ms``: from the debounce's end to the results
   shown; the 80 ms debounce comes on top). Target: p95 ≤ 100 ms.

Measured (2026-12-03, 2-CPU container, SQLCipher, 1,000,000 clients, 376,309 whitelist entries of
which 206,760 live and never contacted, 301,000 campaign targets, 5 running campaigns, 60,000 open
follow-ups of which 38,310 overdue). First run of this benchmark, before the fixes: the front page
from the constructor returning to the board shown 10.0–11.1 s for the branch head (board read 8.2 s,
queued behind other pages' first reads on the shared reader) and 605–857 ms for a manager; search
p95 12.9 s for the branch head (the whitelist part walked every entry by date; a client number was a
LIKE over every name). After them (the page's own connection; pages not yet opened read nothing;
schema v16's index of open follow-ups in the order they count from; the branch's overdue and
whitelist counts taken to COUNT_CAP (1,000) on the quick path and in full in ``figures``; search
from the clients found, a client number through the name index), three runs on a quiet host:
board shown 171–210 ms for a manager and 280–471 ms for the branch head, timed from the window's
constructor returning. Since (timed from the sign-in accepted, which adds the window's making):
the front page is made first and reads in its constructor, beside the other pages' making; the
campaign tallies on a second connection; the shared reader holds the other pages' first reads
until the board is shown; no application-wide event filter (a Python call for every event, 75 ms
of the window's making); quick counts to 100 and today's list read in index order; schema v17's
whitelist_manager (manager, valid_to, id, uid). Board shown, sign-in to screen, first and second
sign-in: branch head 257 / 215 ms, manager 171 / 168 ms (before v17: 299 / 316 and 290 / 228);
``figures`` 2.4–2.5 s. Search, 30 queries typed once, debounce end to results shown p50 / p95:
branch head 6.9–10.2 / 16–21 ms, manager 4.4–6.1 / 10–14 ms (target p95 ≤ 100 ms: met; with the
80 ms debounce p95 93–103 ms); ``Finder.find`` alone p95 14 ms (head), 9–10 ms (manager; its
slowest a client number not its own, 73–96 ms, cold).
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core.roles import Role, Staff
from app.services.find import Finder
from app.services.sync_status import sync_status
from app.services.today import COUNT_CAP, TodayService
from app.store import bulk
from app.store.reference import ReferenceData
from app.store.store import Store
from tests.perf.conftest import PERF_CLIENTS
from tests.perf.test_report_perf import _build

BOARD_TARGET_MS = 300
SEARCH_TARGET_MS = 100
FOLLOWUPS = 60_000
FOLLOWUP_NS = uuid.UUID("6f1c1f2e-2d0b-4a55-9d3e-7c0a5b1e2026")
NOTES = ("", "", "约好到网点办理", "外出务工，春节回来", "考虑一下再说", "要和家里商量", "想了解利率")


def _followup_uid(i: int) -> str:
    return str(uuid.uuid5(FOLLOWUP_NS, f"perf-followup-{i}"))


def _top_up_followups(store: Store, folder: Path) -> dict:
    """60,000 open follow-ups, once (the marker, or the first uid already present, says done)."""
    marker = folder / "today-followups.json"
    if marker.exists():
        meta = json.loads(marker.read_text())
        if meta.get("followups") == FOLLOWUPS:
            return {**meta, "reused": True}
    db = store.connect()
    try:
        if db.conn.execute("SELECT 1 FROM followups WHERE uid = ?", (_followup_uid(0),)).fetchone():
            n = db.conn.execute("SELECT count(*) FROM followups").fetchone()[0]
            meta = {"followups": FOLLOWUPS, "in_table": n, "topped_up_on": "unknown (marker lost)"}
            marker.write_text(json.dumps(meta))
            return {**meta, "reused": True}
        today = date.today()
        rng = random.Random(20261203)
        t = time.perf_counter()
        owned = db.conn.execute(
            "SELECT c.uid, s.code FROM clients c JOIN staff s ON s.id = c.manager_id"
            " WHERE c.consent = 1 AND c.deleted = 0 AND s.role = 'manager'").fetchall()
        running = [r[0] for r in db.conn.execute(
            "SELECT code FROM campaigns WHERE deleted = 0 AND (starts IS NULL OR starts <= ?)"
            " AND (ends IS NULL OR ends >= ?)", (today.isoformat(), today.isoformat()))]
        rows = []
        for i, (client_uid, manager) in enumerate(rng.sample(owned, FOLLOWUPS)):
            due = today + timedelta(days=rng.randint(-20, 10))
            snoozed = rng.random() < 0.05
            rows.append({"uid": _followup_uid(i), "client_uid": client_uid,
                         "campaign": running[rng.randrange(len(running))] if running and rng.random() < 0.5 else None,
                         "due": due.isoformat(), "done": False, "result": "", "note": rng.choice(NOTES),
                         "staff": manager,
                         "snoozed_until": (due + timedelta(days=rng.randint(1, 7))).isoformat() if snoozed else None,
                         "snooze_reason": "客户外出，过几天再联系" if snoozed else ""})
        loaded = bulk.load_records(db, "followup", rows)  # one write transaction
        db.conn.execute("ANALYZE followups")
        meta = {"followups": loaded, "clients_with_manager": len(owned), "running_campaigns": len(running),
                "topped_up_on": today.isoformat(), "top_up_s": round(time.perf_counter() - t, 1)}
    finally:
        db.close()
    marker.write_text(json.dumps(meta))
    return meta


def _staff(ref: ReferenceData, code: str) -> Staff:
    s = ref.staff_by_code[code]
    return Staff(s.id, s.code, s.name, Role(s.role))


def _ms(seconds: float) -> float:
    return seconds * 1000


def _time(fn, runs: int = 5) -> tuple[float, float, object]:
    """(first run, median of ``runs`` more) in ms, and the last result."""
    t = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return _ms(first), _ms(statistics.median(times)), out


def _pcts(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 (nearest rank), max."""
    s = sorted(values)
    return statistics.median(s), s[max(0, math.ceil(0.95 * len(s)) - 1)], s[-1]


def _counts(board, figures=None) -> str:
    parts = [f"{s.name} {s.count:,}{'+' if s.capped else ''}" for s in board.sections]
    if figures is not None and figures.lines:
        late = sum(line.overdue for line in figures.lines)
        parts.append(f"{len(figures.lines)} lines by {figures.lines_by} (overdue in them {late:,})")
    return ", ".join(parts)


def _open_followups(db, day: date, staff: str | None) -> tuple[int, int]:
    """Overdue and today's open follow-ups of consenting live clients, counted directly."""
    late, due = db.conn.execute(
        "SELECT sum(coalesce(f.snoozed_until, f.due) < ?), sum(coalesce(f.snoozed_until, f.due) = ?)"
        " FROM followups f, clients c WHERE c.uid = f.client_uid AND c.deleted = 0 AND c.consent = 1"
        " AND f.deleted = 0 AND f.done = 0" + (" AND f.staff = ?" if staff else ""),
        (day.isoformat(), day.isoformat(), *([staff] if staff else []))).fetchone()
    return late or 0, due or 0


def _queries(db, manager: Staff) -> tuple[list[str], dict]:
    """Thirty things people type, taken from the data where they name a real client."""
    c = db.conn
    unique = c.execute(  # a three-character name only one client has, and one of M0001's
        "SELECT name, id FROM clients WHERE deleted = 0 AND length(name) = 3 AND manager_id != ?"
        " GROUP BY name HAVING count(*) = 1 ORDER BY name LIMIT 1", (manager.id,)).fetchone()
    mine = c.execute(
        "SELECT name, id FROM clients WHERE deleted = 0 AND length(name) = 3 AND manager_id = ?"
        " GROUP BY name HAVING count(*) = 1 ORDER BY name LIMIT 1", (manager.id,)).fetchone()
    two = [r[0] for r in c.execute(
        "SELECT name FROM clients WHERE deleted = 0 AND length(name) = 2 GROUP BY name"
        " ORDER BY count(*) DESC LIMIT 3")]
    number = c.execute("SELECT client_no, id FROM clients WHERE id = 424242").fetchone()
    phone = c.execute("SELECT substr(mobile, -4), id FROM clients WHERE id >= 123457 AND mobile IS NOT NULL"
                      " ORDER BY id LIMIT 1").fetchone()
    ident = c.execute("SELECT substr(id_number, -4) FROM clients WHERE id >= 777777 AND id_number IS NOT NULL"
                      " ORDER BY id LIMIT 1").fetchone()[0]
    village = c.execute(
        "SELECT v.name FROM clients c JOIN villages v ON v.id = c.village_id GROUP BY v.id"
        " ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    township = c.execute("SELECT name FROM townships ORDER BY code LIMIT 1").fetchone()[0]
    wl_no = c.execute("SELECT client_no FROM whitelist WHERE deleted = 0 AND client_no IS NOT NULL"
                      " ORDER BY uid LIMIT 1").fetchone()
    qs = ["李", "王", "张", "陈", "刘", "黄", "杨", *two, "张伟", "王芳", "刘强", unique[0], mine[0], village,
          village[:2], township, phone[0], ident, number[0], (wl_no[0] if wl_no else "CQ26"), "手机", "数字人民币",
          "压测活动", "智慧", "合作社", "xyzzy", "锟斤拷烫烫烫", "1357924680"]
    qs = list(dict.fromkeys(q for q in qs if q))  # distinct: setText of the same text asks nothing
    return qs, {"unique": unique, "mine": mine, "number": number, "phone": phone}


def _search_dialog(qtbot, window, queries: list[str]) -> tuple[list[float], list[float], float]:
    """Each query typed into the Ctrl+K dialog: (debounce end → shown, setText → shown) in ms, and the
    first answer's time (the dialog's own connection opened on first use)."""
    window.open_search()
    dlg = window.search
    with qtbot.waitSignal(dlg.answered, timeout=120_000):
        dlg.edit.setText("预热")
    cold = dlg.last_ms
    shown, wall = [], []
    for q in queries:
        t = time.perf_counter()
        with qtbot.waitSignal(dlg.answered, timeout=120_000, check_params_cb=lambda text, q=q: text == q):
            dlg.edit.setText(q)
        wall.append(_ms(time.perf_counter() - t))
        shown.append(dlg.last_ms)
    return shown, wall, cold


@pytest.fixture(scope="module")
def big(perf_dir: Path) -> dict:
    """The report benchmark's database with the follow-ups, and the queries taken from it."""
    folder = perf_dir / "reports"
    store, meta = _build(folder, PERF_CLIENTS)
    fmeta = _top_up_followups(store, folder)
    db = store.connect(readonly=True)
    try:
        ref = ReferenceData(db)
        head, manager = _staff(ref, "A0001"), _staff(ref, "M0001")
        queries, known = _queries(db, manager)
    finally:
        db.close()
    print(f"\nthe database: {meta}\n  follow-ups: {fmeta}")
    return {"folder": folder, "store": store, "head": head, "manager": manager, "queries": queries, "known": known}


class _ReaderLog:
    """What each database thread ran, and when (relative to ``zero``): where a wait goes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from app.ui.tasks import DbThread

        self.zero = time.perf_counter()
        self.rows: list[tuple[str, str, float, float, float]] = []  # thread, task, queued, start, end
        submit = DbThread.submit
        log = self

        def timed_submit(thread, fn, *, success=None, failure=None, name=""):
            queued = time.perf_counter()
            label = name or getattr(fn, "__name__", "task")

            def run(tc, fn=fn):
                start = time.perf_counter()
                try:
                    return fn(tc)
                finally:
                    log.rows.append((thread._thread.objectName(), label, queued, start, time.perf_counter()))

            return submit(thread, run, success=success, failure=failure, name=label)

        monkeypatch.setattr(DbThread, "submit", timed_submit)

    def show(self, thread: str, until: float) -> str:
        z = self.zero
        return "; ".join(f"{task} queued {_ms(q - z):.0f}, ran {_ms(s - z):.0f}–{_ms(e - z):.0f} ms"
                         for name, task, q, s, e in sorted(self.rows, key=lambda r: r[3])
                         if name == thread and s <= until)


@pytest.mark.perf
@pytest.mark.timeout(3600)
def test_front_page_at_a_million(big: dict, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import i18n
    from app.ui.app import build_context, create_application, import_ahead
    from app.ui.main_window import MainWindow
    from app.ui.today import TodayWorkspace

    store, head, manager = big["store"], big["head"], big["manager"]
    marks: dict[str, float] = {}
    show_board, done = TodayWorkspace._show_board, TodayWorkspace._done

    def timed_board(self, result):
        show_board(self, result)
        marks.setdefault("board", time.perf_counter())

    def timed_done(self):
        done(self)
        if not self._reading:
            marks.setdefault("done", time.perf_counter())

    monkeypatch.setattr(TodayWorkspace, "_show_board", timed_board)
    monkeypatch.setattr(TodayWorkspace, "_done", timed_done)
    app = create_application([])
    i18n.install(app, "zh_CN")
    import_ahead().join()  # as the app does while the sign-in dialog waits for the PIN
    print("\nfront page after sign-in (context and MainWindow built, shown; times from the sign-in accepted):")
    shown_boards = {}
    log = _ReaderLog(monkeypatch)
    for run, code in enumerate(("A0001", "M0001", "A0001", "M0001")):  # again: imports and OS cache warm
        marks.clear()
        log.rows.clear()
        t0 = log.zero = time.perf_counter()  # the sign-in accepted: from here the person waits
        ctx = build_context(Store.open(big["folder"]), code)
        w = None
        try:
            tc = time.perf_counter()
            w = MainWindow(ctx, auto_sync=False)
            t1 = time.perf_counter()
            qtbot.addWidget(w)
            w.resize(1440, 900)
            w.show()
            ws = w.workspace(TodayWorkspace)
            assert ws is not None
            qtbot.waitUntil(lambda ws=ws: ws.board is not None and not ws._reading, timeout=300_000)
            board_ms, done_ms = _ms(marks["board"] - t0), _ms(marks["done"] - t0)
            shown_boards.setdefault(code, ws.board)
            label = code + (" again" if run >= 2 else "")
            print(f"  {label:<11} context {_ms(tc - t0):4.0f} ms, window {_ms(t1 - tc):4.0f} ms;"
                  f" board shown {board_ms:6.0f} ms"
                  f" (its read {ws.read_ms:5.0f} ms), page at rest {done_ms:6.0f} ms"
                  f" (target: board shown ≤ {BOARD_TARGET_MS} ms)")
            print(f"    db-reader: {log.show('db-reader', marks['board'])}")
            print(f"    today-reader: {log.show('today-reader', marks['board'])}")
            print(f"    {_counts(ws.board)}")
            if ws.figures is not None:
                f = ws.figures
                print(f"    figures: from {f.month_start}: {f.targets:,} targets, reached {f.reached:,},"
                      f" converted {f.converted:,}; {f.scenarios} scenarios {f.by_status}, accounts {f.accounts}")
        finally:
            if w is not None:
                w.close()
            ctx.shutdown()
    monkeypatch.undo()

    db = store.connect(readonly=True)  # a fresh connection: nothing of the windows' reads in its cache
    try:
        t = time.perf_counter()
        ref = ReferenceData(db)
        print(f"  the services alone, on a fresh connection (ReferenceData {_ms(time.perf_counter() - t):.0f} ms):")
        boards = {}
        for who in (head, manager):
            svc = TodayService(db, who, ref)
            first, median, board = _time(lambda svc=svc: svc.board(sync_status(store, db, recent=0)))
            boards[who.code] = board
            _s_first, s_median, _s = _time(lambda: sync_status(store, db, recent=0), runs=3)
            print(f"    board({who.code})  first {first:6.0f} ms, median of 5 {median:6.0f} ms"
                  f" (sync_status in it: {s_median:.0f} ms)")
        first, median, figures = _time(lambda: TodayService(db, head, ref).figures(), runs=3)
        print(f"    figures(A0001) first {first:6.0f} ms, median of 3 {median:6.0f} ms: targets {figures.targets:,},"
              f" never contacted {figures.never_contacted:,}, {_counts(boards['A0001'], figures)}")

        # keep it honest: the counts are the open follow-ups the data holds, and the page showed them
        for who in (head, manager):
            b = boards[who.code]
            late, due = _open_followups(db, b.day, None if who is head else who.code)
            # (a branch's are counted to COUNT_CAP on the quick path, in full in the figures)
            shown_late, shown_due = (late, due) if who is not head else (min(late, COUNT_CAP), min(due, COUNT_CAP))
            assert (b.section("overdue").count, b.section("today").count) == (shown_late, shown_due), \
                (who.code, late, due)
            assert late > 0 and due > 0
            assert shown_boards[who.code].section("overdue").count == shown_late
            assert all(it.kind == "followup" for it in b.section("overdue").items)
        late, due = _open_followups(db, boards["A0001"].day, None)
        assert sum(x.overdue for x in figures.lines) == figures.overdue == late
        assert sum(x.today for x in figures.lines) == figures.today == due
        assert figures is not None and figures.targets > 0
    finally:
        db.close()


@pytest.mark.perf
@pytest.mark.timeout(3600)
def test_search_at_a_million(big: dict, qtbot) -> None:
    from app.ui import i18n
    from app.ui.app import build_context, create_application
    from app.ui.main_window import MainWindow
    from app.ui.today import TodayWorkspace

    store, head, manager, queries = big["store"], big["head"], big["manager"], big["queries"]
    print(f"\nsearch, {len(queries)} queries: {' '.join(queries)}")
    db = store.connect(readonly=True)
    try:
        ref = ReferenceData(db)
        for who in (head, manager):
            finder = Finder(db, who, ref)
            finder.find("预热")  # the statements and the index pages, as a window open a while has them
            timed = []
            for q in queries:
                t = time.perf_counter()
                hits = finder.find(q)
                timed.append((_ms(time.perf_counter() - t), q, len(hits)))
            p50, p95, worst = _pcts([ms for ms, _q, _n in timed])
            print(f"  Finder.find({who.code}) p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, max {worst:6.1f} ms"
                  f" (target p95 ≤ {SEARCH_TARGET_MS} ms); slowest: "
                  + ", ".join(f"{q} {ms:.0f} ms/{n} hits" for ms, q, n in sorted(timed, reverse=True)[:5]))
        # keep it honest: a name one client has finds that client first; a manager sees only their own
        known = big["known"]
        name, cid = known["unique"]
        assert [h.client_id for h in Finder(db, head, ref).find(name) if h.kind == "client"][:1] == [cid]
        assert not [h for h in Finder(db, manager, ref).find(name) if h.kind == "client"]
        name, cid = known["mine"]
        assert [h.client_id for h in Finder(db, manager, ref).find(name) if h.kind == "client"][:1] == [cid]
        number, cid = known["number"]
        assert [h.client_id for h in Finder(db, head, ref).find(number) if h.kind == "client"] == [cid]
        assert not Finder(db, head, ref).find("锟斤拷烫烫烫")
    finally:
        db.close()

    app = create_application([])
    i18n.install(app, "zh_CN")
    for code in ("A0001", "M0001"):
        ctx = build_context(Store.open(big["folder"]), code)
        w = None
        try:
            w = MainWindow(ctx, auto_sync=False)
            qtbot.addWidget(w)
            w.resize(1440, 900)
            w.show()
            ws = w.workspace(TodayWorkspace)
            qtbot.waitUntil(lambda ws=ws: ws.board is not None and not ws._reading, timeout=300_000)  # at rest
            shown, wall, cold = _search_dialog(qtbot, w, queries)
            p50, p95, worst = _pcts(shown)
            w50, w95, _wmax = _pcts(wall)
            slowest = sorted(zip(shown, queries, strict=True), reverse=True)[:5]
            print(f"  SearchDialog({code}) debounce end → results shown: p50 {p50:6.1f} ms, p95 {p95:6.1f} ms,"
                  f" max {worst:6.1f} ms (target p95 ≤ {SEARCH_TARGET_MS} ms); first answer (opens its"
                  f" connection) {cold:.0f} ms; setText → shown, the 80 ms debounce included: p50 {w50:.0f} ms,"
                  f" p95 {w95:.0f} ms; slowest: " + ", ".join(f"{q} {ms:.0f} ms" for ms, q in slowest))
        finally:
            if w is not None:
                w.close()
            ctx.shutdown()
