"""Empty states say what to do next (issue 21): a list with no rows shows a hint over its empty
area, once its read has answered (never while loading), and the hint differs between "nothing
here yet" (what to do to get some) and "nothing matches" (clear the filters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.campaigns import CampaignsWorkspace
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.followups import FollowupsWorkspace
from app.ui.main_window import MainWindow
from app.ui.scenarios import ScenariosWorkspace
from app.ui.whitelist.workspace import WhitelistWorkspace


@pytest.fixture
def app():
    app = create_application([])
    assert i18n.install(app, "zh_CN")
    return app


def _window(qtbot, data_dir: Path, code: str = "A0001") -> tuple[MainWindow, object]:
    ctx = build_context(Store.open(data_dir), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w, ctx


def _open(qtbot, w: MainWindow, kind: type):
    ws = w.workspace(kind)
    assert ws is not None
    w.show_workspace(ws)
    return ws


def _hint(qtbot, ws) -> str:
    qtbot.waitUntil(lambda: ws.empty.isVisible(), timeout=10_000)
    assert ws.empty.geometry().width() > 200  # over the list's empty area, not a sliver
    return ws.empty.text()


def test_nothing_yet_says_where_records_come_from(qtbot, app, worked_demo_dir: Path) -> None:
    db = Store.open(worked_demo_dir).connect()
    try:
        with db.conn:
            for table in ("clients", "whitelist", "campaigns", "scenarios", "followups"):
                db.conn.execute(f"UPDATE {table} SET deleted = 1")
    finally:
        db.close()
    w, ctx = _window(qtbot, worked_demo_dir)
    try:
        clients = _open(qtbot, w, ClientsWorkspace)
        assert "还没有客户" in _hint(qtbot, clients) and "导入" in clients.empty.text()
        whitelist = _open(qtbot, w, WhitelistWorkspace)
        assert "同步" in _hint(qtbot, whitelist)
        campaigns = _open(qtbot, w, CampaignsWorkspace)
        assert "新建本网点活动" in _hint(qtbot, campaigns)
        scenarios = _open(qtbot, w, ScenariosWorkspace)
        scenarios.tabs.setCurrentWidget(scenarios.list_page)
        assert "新建场景" in _hint(qtbot, scenarios.list_page)
        followups = _open(qtbot, w, FollowupsWorkspace)
        assert "Ctrl+T" in _hint(qtbot, followups)
    finally:
        ctx.shutdown()


def test_nothing_matches_says_clear_the_filters_and_goes_away_with_rows(qtbot, app, demo_dir: Path) -> None:
    w, ctx = _window(qtbot, demo_dir)
    try:
        clients = _open(qtbot, w, ClientsWorkspace)
        qtbot.waitUntil(lambda: clients.model.total > 0, timeout=10_000)
        assert not clients.empty.isVisible()  # rows: no hint
        clients.search.setText("锟斤拷烫烫烫")
        clients.apply_filter()
        assert "清除" in _hint(qtbot, clients)
        clients.search.setText("")
        clients.apply_filter()
        qtbot.waitUntil(lambda: not clients.empty.isVisible(), timeout=10_000)
        assert clients.model.total > 0
    finally:
        ctx.shutdown()
