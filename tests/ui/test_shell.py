"""The desktop app's shell: opens on the demo county, in Chinese, with every workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.workspace import PlaceholderWorkspace

WORKSPACES = ["今日", "客户", "场景", "白名单", "营销", "跟进", "工作单", "报表", "同步"]


@pytest.fixture
def window(qtbot, demo_dir: Path):
    app = create_application([])
    assert i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), None)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    ctx.shutdown()
    i18n.install(app, "zh_CN")


def test_navigation_lists_every_workspace_in_chinese(window: MainWindow) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == WORKSPACES
    window.nav.setCurrentRow(0)
    assert window.stack.currentWidget().objectName() == "" and window.stack.currentWidget().title() == "今日"
    for i in range(1, len(WORKSPACES)):
        window.nav.setCurrentRow(i)
        page = window.stack.currentWidget()
        assert page.title() == WORKSPACES[i]
        if isinstance(page, PlaceholderWorkspace):
            labels = [lb.text() for lb in page.findChildren(QLabel)]
            assert WORKSPACES[i] in labels[0]
            assert any(len(t) > 10 for t in labels[1:])  # a workspace to come says what it is for


def test_status_bar_shows_staff_and_unsynced_changes(qtbot, window: MainWindow) -> None:
    assert "当前用户" in window.staff_label.text() and "网点负责人" in window.staff_label.text()
    qtbot.waitUntil(lambda: window.pending_label.text() != "", timeout=5000)
    assert window.pending_label.text() == "待同步变更：0 条"


def test_no_visible_text_is_left_in_english(window: MainWindow) -> None:
    texts = [lb.text() for lb in window.findChildren(QLabel) if lb.isVisibleTo(window) and lb.text()]
    texts += [window.nav.item(i).text() for i in range(window.nav.count())]
    english = [t for t in texts if t.isascii() and any(ch.isalpha() for ch in t)]
    assert not english, english


def test_english_can_be_chosen(qtbot, demo_dir: Path) -> None:
    app = QApplication.instance()
    i18n.install(app, "en")
    ctx = build_context(Store.open(demo_dir), None)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert w.nav.item(0).text() == "Today" and w.nav.item(1).text() == "Clients"
    w.close()
    ctx.shutdown()
    i18n.install(app, "zh_CN")


def test_the_translation_is_complete_and_compiled() -> None:
    assert i18n.check() == []
