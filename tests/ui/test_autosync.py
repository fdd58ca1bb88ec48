"""Background sync in the app against the real head-office service (issue 18): it starts when the
network comes back (the change is simulated; the sync is real), waits for a form with unsaved
edits, and backs off with jitter after failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtNetwork import QNetworkInformation

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.main_window import MainWindow
from app.ui.sync_workspace import SyncWorkspace
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH
from tests.support.hq import start_hq

R = QNetworkInformation.Reachability


@pytest.fixture
def hq(tmp_path: Path):
    running = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    seed_demo(running.store, n_clients=5000)
    yield running
    running.stop()


def _runs(page: SyncWorkspace) -> int:
    return page.table.rowCount()


@pytest.mark.timeout(300)
def test_background_sync_follows_the_network_waits_for_unsaved_edits_and_backs_off(qtbot, demo_dir: Path,
                                                                                   hq) -> None:
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), None)
    w = MainWindow(ctx, auto_sync=True)  # background sync on, as in the field
    qtbot.addWidget(w)
    try:
        _exercise(qtbot, w, hq)
    finally:  # a failure must not leave the sync and database threads running into the next test
        w.close()
        ctx.shutdown()


def _exercise(qtbot, w: MainWindow, hq) -> None:
    w.resize(1280, 800)
    w.show()
    page = next(x for x in w.workspaces if isinstance(x, SyncWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(page))
    _device, code = hq.store.new_enrolment(DEMO_BRANCH, "autosync")
    page.server_edit.setText(hq.url)
    page.code_edit.setText(code)
    page.enrol_button.click()
    # enrolled: the first background sync follows by itself
    qtbot.waitUntil(lambda: _runs(page) >= 1 and not page.running, timeout=120_000)
    assert page.result_label.text().startswith("已同步"), page.result_label.text()
    assert page.timer.isActive() and page.timer.remainingTime() > 60_000  # the next one in about 15 minutes

    # the network drops and comes back: a sync starts within seconds, not in 15 minutes
    before = _runs(page)
    page.reach.changed(R.Disconnected)
    page.reach.changed(R.Online)
    assert page.timer.remainingTime() <= 2500  # 2 s, give or take the coarse timer's 5 %
    qtbot.waitUntil(lambda: _runs(page) == before + 1 and not page.running, timeout=60_000)
    page.reach.changed(R.Online)  # online again while online: nothing new
    assert page.timer.remainingTime() > 60_000

    # a client form with an unsaved edit: the sync waits, and goes once the edit is reverted
    book = next(x for x in w.workspaces if isinstance(x, ClientsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(book))
    qtbot.waitUntil(lambda: book.model.total > 0, timeout=10_000)
    book.model.row_at(0)
    qtbot.waitUntil(lambda: book.model.is_loaded(0), timeout=5000)
    book.select_row(0)
    qtbot.waitUntil(lambda: book.detail.detail is not None, timeout=5000)
    book.detail.form.inputs["address"].setText("正在修改的地址")
    before = _runs(page)
    page.sync_now()
    assert page.waiting and not page.running and "客户资料" in page.progress_label.text()
    qtbot.wait(3500)
    assert page.waiting and _runs(page) == before  # still waiting
    book.detail.form.load(book.detail.detail)  # reverted
    qtbot.waitUntil(lambda: _runs(page) == before + 1 and not page.running, timeout=60_000)
    assert not page.waiting

    # head office away: each failure waits longer, with jitter, never a hammering loop
    hq.stop()
    page.sync_now()
    qtbot.waitUntil(lambda: not page.running, timeout=120_000)
    assert page.schedule.failures == 1 and page.timer.isActive()
    first = page.timer.remainingTime()
    assert 3_000 <= first <= 60_000  # at least 5 s when set; read a moment later
    page.sync_now()
    qtbot.waitUntil(lambda: not page.running, timeout=120_000)
    assert page.schedule.failures == 2 and 3_000 <= page.timer.remainingTime() <= 120_000
