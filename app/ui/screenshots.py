"""``branchdesk screenshots OUTDIR``: retake the screenshots of the client book.

Runs the real widgets offscreen on a throwaway copy of the data folder's database
(normally the demo county; the note it types into a client never reaches the live
file or head office) and saves PNGs: the sign-in, the main window, a filtered
client table, the client detail with its history, the sync page. UI thread (it
drives its own event loop).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

SIZE = (1440, 900)


def take(data_dir: Path, out: Path, *, lang: str = "zh_CN") -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.store.store import Store
    from app.ui import i18n
    from app.ui.app import create_application

    app = create_application([])
    i18n.install(app, lang)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="branchdesk-screenshots-") as scratch:
        store = Store.open(data_dir).throwaway_copy(Path(scratch))
        return _take(app, store, out)


def _take(app, store, out: Path) -> list[Path]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from app.services.reports import REPORTS
    from app.store.search import ClientFilter
    from app.ui.app import build_context
    from app.ui.main_window import MainWindow
    from app.ui.reports import PERIODS
    from app.ui.signin import SignInDialog
    from app.ui.tasks import DbThread

    saved: list[Path] = []

    def wait(ms: int, until=None) -> None:
        loop = QEventLoop()
        deadline = QTimer(singleShot=True, interval=ms)
        deadline.timeout.connect(loop.quit)
        deadline.start()
        if until is not None:
            poll = QTimer(interval=50)
            poll.timeout.connect(lambda: until() and loop.quit())
            poll.start()
        loop.exec()

    def grab(widget, name: str) -> None:
        path = out / name
        widget.grab().save(str(path))
        saved.append(path)

    thread = DbThread("screens-signin", store.connect)
    dlg = SignInDialog(thread, default_code=store.settings.default_user)
    dlg.show()
    wait(3000, lambda: dlg.who.count() > 0)
    grab(dlg, "1-sign-in.png")
    dlg.close()
    thread.shutdown()

    ctx = build_context(store, None)
    w = MainWindow(ctx, auto_sync=False)
    w.resize(*SIZE)
    w.show()
    from app.ui.clients.workspace import ClientsWorkspace
    from app.ui.today import TodayWorkspace

    today = w.workspace(TodayWorkspace)
    if today is not None:  # the front page, first
        w.show_workspace(today)
        wait(8000, lambda: today.board is not None and not today._reading)
        wait(300)
        grab(w, "0-today.png")
        w.open_search("李")
        wait(5000, lambda: bool(w.search.hits))
        wait(300)
        grab(w.search, "0-search.png")
        w.search.hide()
    ws = w.workspace(ClientsWorkspace)
    assert ws is not None
    w.show_workspace(ws)
    wait(5000, lambda: ws.model.total > 0 and ws.model.is_loaded(0))
    ws.select_row(0)
    wait(3000, lambda: ws.detail.detail is not None)
    wait(300)
    grab(w, "2-main-window.png")

    ws.search.setText("张")
    seg = ws.filters.segments
    for i in range(seg.count()):
        if seg.item(i).data(Qt.ItemDataRole.UserRole) == "farmer":
            seg.item(i).setCheckState(Qt.CheckState.Checked)
    ws.apply_filter()
    wait(5000, lambda: ws.model.filter != ClientFilter() and ws.model.is_loaded(0))
    ws.select_row(1)
    wait(3000, lambda: ws.detail.detail is not None and ws.detail.detail.client.name.startswith("张"))
    wait(300)
    grab(w, "3-filtered-table.png")

    ws.detail.tabs.setCurrentIndex(0)
    form = ws.detail.form
    form.notes.setPlainText("已电话联系，周三上门介绍惠农e贷")
    form.inputs["mobile"].setText("13912345678")  # the history shows it masked
    ws.detail.save()
    wait(5000, lambda: ws.detail.history.rowCount() > 0)
    ws.detail.tabs.setCurrentIndex(1)
    wait(300)
    grab(ws.detail, "4-client-detail-history.png")
    ws.detail.tabs.setCurrentIndex(0)
    wait(200)
    grab(ws.detail, "5-client-detail.png")
    w.nav.setCurrentRow(len(w.workspaces) - 1)
    wait(1000)
    grab(w, "6-sync.png")

    from app.ui.whitelist.workspace import WhitelistWorkspace

    wl = next((x for x in w.workspaces if isinstance(x, WhitelistWorkspace)), None)
    if wl is not None:
        w.nav.setCurrentRow(w.workspaces.index(wl))
        wait(5000, lambda: wl.model.total > 0 and wl.model.is_loaded(0) and wl.entry.detail is not None)
        wait(300)
        grab(w, "7-whitelist.png")
        wl.tabs.setCurrentIndex(1)
        wait(3000, lambda: bool(wl.funnel.rows))
        wait(200)
        grab(w, "8-whitelist-funnel.png")
        wl.tabs.setCurrentIndex(0)
        wl.nominate()
        dlg = wl.nomination_dialog
        wait(3000, lambda: bool(dlg.cards))
        for key, value in {"household_size": "4", "labour": "2", "assets_wan": "30", "debts_wan": "5",
                           "net_income_last_wan": "6"}.items():
            dlg.inputs[key].setText(value)
        for key, value in (("overall", "4"), ("credit_record", "good")):
            dlg.inputs[key].setCurrentIndex(dlg.inputs[key].findData(value))
        dlg.name.setText("向德明")
        dlg.amount.setText("10万")
        wait(300)
        grab(dlg, "9-nomination-precheck.png")
        dlg.reject()

    from app.ui.followups import FollowupsWorkspace

    fu = next((x for x in w.workspaces if isinstance(x, FollowupsWorkspace)), None)
    if fu is not None:
        _seed_followups(store)
        w.nav.setCurrentRow(w.workspaces.index(fu))
        wait(3000, lambda: fu.model.rowCount() > 0)
        wait(300)
        grab(w, "10-followups.png")

    from app.ui.campaigns import CampaignsWorkspace

    camp = next((x for x in w.workspaces if isinstance(x, CampaignsWorkspace)), None)
    if camp is not None:
        _seed_campaign(store)
        w.nav.setCurrentRow(w.workspaces.index(camp))
        wait(3000, lambda: bool(camp.rows) and camp.script.toPlainText() != "")
        camp.tabs.setCurrentIndex(2)  # the week by week figures
        wait(3000, lambda: camp.weekly.rowCount() > 0 and camp.figures.rowCount() > 0)
        wait(300)
        grab(w, "11-campaigns.png")

        from app.ui.printing import SheetPrintDialog
        from app.ui.sheets import SheetsWorkspace

        code = camp.code
        manager = next((t.manager for t in camp.target_rows if getattr(t, "manager", None)), None)
        sheets = next((x for x in w.workspaces if isinstance(x, SheetsWorkspace)), None)
        if code and manager and sheets is not None:
            dlg = SheetPrintDialog(ctx, "营销工作单", lambda svc: svc.plan_marketing(campaign=code, manager=manager), w)
            dlg.resize(1200, 860)
            dlg.show()
            wait(20_000, lambda: dlg.print_button.isEnabled())
            wait(800)
            grab(dlg, "12-print-preview.png")
            number = dlg.number
            dlg.close()
            w.nav.setCurrentRow(w.workspaces.index(sheets))
            sheets.open_sheet(number)
            wait(3000, lambda: sheets.model.rowCount() > 0 and sheets.code.isEnabled())
            for code_text in ("32 1215", "0", "13"):
                keyed = sum(1 for r in sheets.model.rows if r.keyed)
                sheets.code.setText(code_text)
                sheets.key_current()
                wait(3000, lambda k=keyed: sum(1 for r in sheets.model.rows if r.keyed) > k)
            sheets.code.setText("92")
            sheets.key_current()
            wait(3000, lambda: bool(sheets.message.text()))
            wait(300)
            grab(w, "13-keying-back.png")

    from app.ui.scenarios import ScenariosWorkspace

    scen = next((x for x in w.workspaces if isinstance(x, ScenariosWorkspace)), None)
    if scen is not None:
        w.nav.setCurrentRow(w.workspaces.index(scen))
        scen.tabs.setCurrentIndex(0)
        wait(5000, lambda: scen.dashboard.dashboard is not None and not ctx.reader.busy)
        wait(300)
        grab(w, "14-scenarios-dashboard.png")
        scen.tabs.setCurrentIndex(2)
        wait(3000, lambda: scen.compare.table.rowCount() > 0)
        wait(300)
        grab(w, "15-scenarios-compare.png")

    from app.ui.reports import ReportsWorkspace

    rep = next((x for x in w.workspaces if isinstance(x, ReportsWorkspace)), None)
    if rep is not None:
        w.nav.setCurrentRow(w.workspaces.index(rep))
        for n, (name, period) in enumerate((("marketing", "year"), ("reach", "weeks12"),
                                            ("mobile_banking", "year"), ("segments", "year")), start=18):
            rep.list.setCurrentRow(list(REPORTS).index(name))
            rep.period.setCurrentIndex(PERIODS.index(period))
            wait(200)
            wait(8000, lambda r=rep, k=name: r.report is not None and r.report.name == k and not r._busy)
            wait(300)
            grab(w, f"{n}-report-{name}.png")

    from app.ui.sync_workspace import SyncWorkspace

    sync_page = next((x for x in w.workspaces if isinstance(x, SyncWorkspace)), None)
    if sync_page is not None and _seed_conflict(store):
        w.nav.setCurrentRow(w.workspaces.index(sync_page))
        sync_page.refresh()
        wait(3000, lambda: sync_page.conflict_table.rowCount() > 0)
        settings = sync_page.open_settings()
        wait(500)
        grab(settings, "16-sync-settings.png")
        settings.close()
        sync_page.conflict_table.setCurrentCell(0, 0)
        sync_page._review_conflict()
        review = sync_page.conflict_dialog
        wait(3000, lambda: review.detail is not None)
        wait(300)
        grab(review, "17-conflict-review.png")
        review.close()

    # the front page and the client book on a small and a large screen, at 100 % and 150 % text,
    # light and dark (issue 21): "30-today-1366x768-150-dark.png" …
    book = w.workspace(ClientsWorkspace)
    for width, height in ((1366, 768), (1920, 1080)):
        for percent in (100, 150):
            for scheme in ("light", "dark"):
                w.set_appearance(percent=percent, scheme=scheme)
                w.resize(width, height)
                for n, page in ((30, today), (31, book)):
                    if page is None:
                        continue
                    w.show_workspace(page)
                    wait(600)
                    grab(w, f"{n}-{'today' if page is today else 'clients'}-{width}x{height}-{percent}-{scheme}.png")
    w.set_appearance(percent=100, scheme="system")
    w.close()
    ctx.shutdown()
    QApplication.processEvents()
    return saved


def _seed_conflict(store) -> bool:
    """One conflict in the throwaway copy, as a push meets it: the branch changed a client's
    mobile while head office changed it too (head office kept this branch's value)."""
    from app.services import auth
    from app.services.clients import ClientService
    from app.store import syncdata
    from app.store.db import write

    db = store.connect()
    try:
        row = db.conn.execute("SELECT id, uid, mobile FROM clients WHERE deleted = 0 AND mobile IS NOT NULL"
                              " ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return False
        staff = auth.load_staff(db, store.settings.default_user or "A0001")[0]
        done = ClientService(db, staff).edit(row[0], {"mobile": "13900000001"})
        if not done.ok:
            return False
        change = db.conn.execute("SELECT change_id FROM journal WHERE row_uid = ? ORDER BY seq DESC LIMIT 1",
                                 (row[1],)).fetchone()[0]
        with write(db):
            syncdata.add_conflict(db, side="push", kind="client", row_uid=row[1], change_id=change, field="mobile",
                                  base_value=f'"{row[2]}"', local_value='"13900000001"',
                                  server_value='"13700000002"', server_seq=1,
                                  note="总行与本网点都修改了手机号")
        return True
    finally:
        db.close()


def _seed_followups(store) -> None:
    """A week of follow-ups in the throwaway copy, so the queue shows overdue, today and later."""
    from datetime import date, timedelta

    from app.services import auth
    from app.services.followups import FollowupService

    db = store.connect()
    try:
        rows = db.conn.execute(
            "SELECT c.id, s.code FROM clients c JOIN staff s ON s.id = c.manager_id WHERE c.consent = 1"
            " AND c.deleted = 0 ORDER BY c.id LIMIT 12").fetchall()
        for i, (cid, code) in enumerate(rows):
            staff = auth.load_staff(db, code)[0]
            due = date.today() + timedelta(days=i % 6 - 2)
            svc = FollowupService(db, staff, today=due - timedelta(days=10))
            svc.contact(cid, channel=("电话", "上门", "微信")[i % 3], outcome="有意向", note="约好再联系",
                        on=due - timedelta(days=10), next_date=due)
    finally:
        db.close()


def _seed_campaign(store) -> None:
    """The first campaign distributed and worked for six weeks in the throwaway copy, so its
    week by week figures have something to show."""
    from datetime import date, timedelta

    from app.services import auth
    from app.services.campaigns import CampaignService
    from app.services.followups import FollowupService

    db = store.connect()
    try:
        head = CampaignService(db, auth.load_staff(db, store.settings.default_user or "A0001")[0])
        rows = head.campaigns()
        if not isinstance(rows, list) or not rows:
            return
        code = rows[0].code
        plan = head.plan(code)
        if isinstance(plan, dict) and plan:
            head.apply_plan(plan)
        targets = head.targets(code)
        if not isinstance(targets, list):
            return
        monday = date.today() - timedelta(days=date.today().weekday())
        fu = FollowupService(db, head.staff)
        for i, t in enumerate(targets[: len(targets) * 3 // 5]):
            on = monday - timedelta(days=7 * (5 - i * 6 // max(len(targets) * 3 // 5, 1)) - i % 5)
            fu.contact(t.client_id, channel=("电话", "上门", "微信")[i % 3], on=min(on, date.today()),
                       outcome="已开通手机银行" if i % 3 == 0 else "有意向", campaign=code)
    finally:
        db.close()
