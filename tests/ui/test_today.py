"""The front page (今日), the search across everything (Ctrl+K) and help (F1) under offscreen Qt, on
the worked demo county (issue 21): the page is first and shows the services' figures, each item
opens its record, a change elsewhere reads the page again, the search is keyboard-only, and F1
opens the current workspace's bundled page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl

from app.services.followups import FollowupService
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.campaigns import CampaignsWorkspace
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.followups import FollowupsWorkspace
from app.ui.main_window import MainWindow
from app.ui.scenarios import ScenariosWorkspace
from app.ui.today import TodayWorkspace
from app.ui.whitelist.workspace import WhitelistWorkspace


def _open(qtbot, demo: Path, code: str | None = None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    today = w.workspace(TodayWorkspace)
    assert today is not None
    qtbot.waitUntil(lambda: today.board is not None and not today._reading, timeout=10_000)
    return w, today, ctx


def _current(w: MainWindow):
    return w.workspaces[w.stack.currentIndex()]


def test_the_front_page_comes_first_and_shows_the_services_figures(qtbot, worked_demo_dir: Path) -> None:
    w, today, ctx = _open(qtbot, worked_demo_dir, "M0001")
    try:
        assert w.workspaces[0] is today and w.nav.item(0).text() == "今日" and not w.nav.item(0).icon().isNull()
        assert today.heading.text().startswith("今日 · ")
        db = ctx.store.connect(readonly=True)
        try:
            overdue = FollowupService(db, ctx.staff).queue(due="overdue")
        finally:
            db.close()
        card = today.cards["overdue"]
        assert card.count.text() == f"{len(overdue):,}" and card.list.count() == min(6, len(overdue))
        assert card.list.item(0).data(Qt.ItemDataRole.UserRole).key == overdue[0].uid
        assert not today.lines.isVisible() and not today.figures_label.isVisible()  # a manager's page
        for name in ("overdue", "today", "expiring", "never_contacted", "campaigns", "sync"):
            assert today.cards[name].isVisible(), name
    finally:
        w.close()
        ctx.shutdown()


def test_each_item_opens_the_record_it_names(qtbot, worked_demo_dir: Path) -> None:
    w, today, ctx = _open(qtbot, worked_demo_dir)  # the branch head
    try:
        item = today.first_item("overdue")
        assert item is not None
        today.cards["overdue"].list.itemActivated.emit(today.cards["overdue"].list.item(0))
        follow = w.workspace(FollowupsWorkspace)
        assert _current(w) is follow
        qtbot.waitUntil(lambda: bool(follow.model.rows) and follow.table.currentIndex().isValid(), timeout=5000)
        assert follow.model.rows[follow.table.currentIndex().row()].uid == item.key

        w.show_workspace(today)
        entry = today.first_item("expiring")
        today.cards["expiring"].list.itemActivated.emit(today.cards["expiring"].list.item(0))
        wl = w.workspace(WhitelistWorkspace)
        assert _current(w) is wl
        qtbot.waitUntil(lambda: wl.entry.uid == entry.key, timeout=5000)

        w.show_workspace(today)
        camp = today.first_item("campaigns")
        today.cards["campaigns"].list.itemActivated.emit(today.cards["campaigns"].list.item(0))
        cw = w.workspace(CampaignsWorkspace)
        assert _current(w) is cw
        qtbot.waitUntil(lambda: cw.code == camp.key and cw.list.currentRow() >= 0
                        and cw.rows[cw.list.currentRow()].code == camp.key, timeout=5000)

        # the branch head's line per manager opens that manager's overdue follow-ups
        w.show_workspace(today)
        qtbot.waitUntil(lambda: today.figures is not None and today.figures_label.isVisible(), timeout=10_000)
        assert today.lines.isVisible() and today.lines.rowCount() == len(today.figures.lines) >= 5
        assert "触达率" in today.figures_label.text()
        # the counts the quick read stopped at 100 ("100+") are filled in from the figures, and stay
        # filled in when the text size changes (the cards are laid out again)
        full = today.figures.never_contacted
        assert full is not None and full > 100 and today.board.section("never_contacted").capped
        assert today.cards["never_contacted"].count.text() == f"{full:,}"
        w.set_appearance(percent=125)
        qtbot.wait(100)  # (the font change reaches the widgets as events)
        assert today.cards["never_contacted"].count.font().pointSizeF() > 11
        assert today.cards["never_contacted"].count.text() == f"{full:,}"
        w.set_appearance(percent=100)
        line = today.lines.item(0, 0).data(Qt.ItemDataRole.UserRole)
        today.lines.cellActivated.emit(0, 0)
        assert _current(w) is follow and follow.manager.currentData() == line.key
        assert follow.due.currentData() == "overdue"
        # (the manager and the due filter each read the queue: wait for the read with both)
        qtbot.waitUntil(lambda: bool(follow.model.rows) and all(r.staff == line.key and r.when == "overdue"
                                                                for r in follow.model.rows), timeout=5000)
        assert len(follow.model.rows) == line.overdue
    finally:
        w.close()
        ctx.shutdown()


def test_a_follow_up_done_elsewhere_reads_the_page_again(qtbot, worked_demo_dir: Path) -> None:
    w, today, ctx = _open(qtbot, worked_demo_dir, "M0001")
    try:
        before = today.board.section("overdue").count
        uid = today.first_item("overdue").key
        follow = w.workspace(FollowupsWorkspace)
        follow.open_item("followup", uid)
        w.show_workspace(follow)
        qtbot.waitUntil(lambda: bool(follow.model.rows) and follow.model.rows[follow.table.currentIndex().row()].uid
                        == uid, timeout=5000)
        follow.result.setText("已上门，客户已办理")
        follow.done()
        qtbot.waitUntil(lambda: today._stale, timeout=5000)  # told through the change signal, not read yet
        assert today.board.section("overdue").count == before
        w.show_workspace(today)
        qtbot.waitUntil(lambda: today.board.section("overdue").count == before - 1 and not today._reading,
                        timeout=5000)
        assert uid not in [i.key for i in today.board.section("overdue").items]
    finally:
        w.close()
        ctx.shutdown()


def test_ctrl_k_searches_everything_by_keyboard_and_opens_a_client(qtbot, worked_demo_dir: Path) -> None:
    w, _today, ctx = _open(qtbot, worked_demo_dir)
    try:
        db = ctx.store.connect(readonly=True)
        try:
            name, client_id = db.conn.execute(
                "SELECT name, id FROM clients WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()
            scen_uid, scen = db.conn.execute("SELECT uid, name FROM scenarios WHERE deleted = 0 ORDER BY uid"
                                             ).fetchone()
        finally:
            db.close()
        qtbot.keyClick(w, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        search = w.search
        assert search is not None and search.isVisible()
        assert search.focusWidget() is search.edit  # typing goes to the box at once
        with qtbot.waitSignal(search.answered, timeout=5000):
            search.edit.insert(name)  # (QTest cannot type hanzi: an input method would)
        assert search.list.item(0).text().startswith("客户")  # the group heading
        clients = [h for h in search.hits if h.kind == "client"]
        assert any(h.client_id == client_id for h in clients)
        # Down moves through the results (headings skipped); Enter opens the current one
        while search.list.currentItem().data(Qt.ItemDataRole.UserRole).client_id != client_id:
            qtbot.keyClick(search.edit, Qt.Key.Key_Down)
        qtbot.keyClick(search.edit, Qt.Key.Key_Return)
        book = w.workspace(ClientsWorkspace)
        assert not search.isVisible() and _current(w) is book
        qtbot.waitUntil(lambda: book.detail.detail is not None and book.detail.detail.client.id == client_id,
                        timeout=5000)
        # a scenario: to its page and selected
        w.open_search(scen)
        qtbot.waitUntil(lambda: any(h.kind == "scenario" for h in search.hits), timeout=5000)
        while search.list.currentItem().data(Qt.ItemDataRole.UserRole).kind != "scenario":
            qtbot.keyClick(search.edit, Qt.Key.Key_Down)
        qtbot.keyClick(search.edit, Qt.Key.Key_Return)
        scenarios = w.workspace(ScenariosWorkspace)
        assert _current(w) is scenarios
        qtbot.waitUntil(lambda: scenarios.list_page.uid == scen_uid, timeout=5000)
        # nothing found says what to try
        w.open_search("没有这样的东西")
        qtbot.waitUntil(lambda: "没有找到" in search.hint.text(), timeout=5000)
        assert search.list.count() == 0
        qtbot.keyClick(search.edit, Qt.Key.Key_Escape)
        assert not search.isVisible()
    finally:
        w.close()
        ctx.shutdown()


def test_f1_opens_the_page_of_the_current_workspace_and_the_guide(qtbot, worked_demo_dir: Path) -> None:
    w, _today, ctx = _open(qtbot, worked_demo_dir)
    try:
        qtbot.keyClick(w, Qt.Key.Key_F1)
        assert w.help is not None and w.help.isVisible()
        assert w.help.browser.source().fileName() == "today.html"
        assert "今日" in w.help.browser.document().toPlainText()
        w.show_workspace(w.workspace(WhitelistWorkspace))
        qtbot.keyClick(w, Qt.Key.Key_F1)
        assert w.help.browser.source().fileName() == "whitelist.html"
        # the first-run guide: offered once, five steps, skipped or finished it is not offered again
        from app.ui.help import GUIDE_SECTIONS, guide_seen

        assert not guide_seen(ctx.ui_settings, ctx.staff.code)
        w.offer_guide()
        guide = w.guide
        assert guide is not None and guide.isVisible() and len(guide.sections) == len(GUIDE_SECTIONS)
        assert guide.step.text() == "第 1 步，共 5 步" and not guide.prev.isEnabled()
        guide.page.anchorClicked.emit(QUrl("today.html"))  # a section's "详见…" link opens that help page
        assert w.help.browser.source().fileName() == "today.html"
        for _ in range(4):
            guide.next.click()
        assert guide.next.text() == "完成" and guide.step.text() == "第 5 步，共 5 步"
        guide.next.click()
        assert not guide.isVisible() and guide_seen(ctx.ui_settings, ctx.staff.code)
        w.guide = None
        w.offer_guide()
        assert w.guide is None
        w.help.guide.click()  # reopened from help
        assert w.guide is not None and w.guide.isVisible()
        w.guide.skip.click()
    finally:
        w.close()
        ctx.shutdown()
