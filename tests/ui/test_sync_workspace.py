"""The Sync workspace against the real head-office service: enrol from the form, sync, see it confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.sync_workspace import SyncWorkspace
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, assert_same
from tests.support.hq import start_hq


@pytest.fixture
def hq(tmp_path: Path):
    running = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    seed_demo(running.store, n_clients=5000)
    yield running
    running.stop()


def test_enrol_and_sync_from_the_sync_workspace(qtbot, demo_dir: Path, hq, tmp_path: Path) -> None:
    app = create_application([])
    assert i18n.install(app, "zh_CN")
    store = Store.open(demo_dir)
    ctx = build_context(store, None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    page = next(ws for ws in w.workspaces if isinstance(ws, SyncWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(page))
    assert page.enrol_box.isVisible() and not page.sync_button.isEnabled()
    assert w.sync_label.text() == "上次同步：从未同步"

    # a bad code: the message names the field and the problem, in Chinese
    page.server_edit.setText(hq.url)
    page.code_edit.setText("")
    page.enrol_button.click()
    assert page.enrol_error.text().startswith("一次性注册码")
    page.code_edit.setText("NOPE-NOPE-NOPE")
    page.enrol_button.click()
    qtbot.waitUntil(lambda: "注册码无效" in page.enrol_error.text(), timeout=10_000)

    _device, code = hq.store.new_enrolment(DEMO_BRANCH, "ui")
    page.code_edit.setText(code)
    page.enrol_button.click()
    qtbot.waitUntil(lambda: not page.enrol_box.isVisible(), timeout=10_000)
    assert DEMO_BRANCH in page.device_label.text()

    page.sync_now()
    assert page.running and page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    assert page.result_label.text().startswith("已同步（总行已确认）"), page.result_label.text()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5_000)
    assert page.table.item(0, 1).text() == "已同步（总行已确认）"
    qtbot.waitUntil(lambda: w.sync_label.text().startswith("上次同步：总行已确认"), timeout=5_000)
    assert "未上传的修改：0" in page.queue_label.text() and "等待安装" not in page.queue_label.text()
    # IT rolls out a newer version: the next sync says it is waiting to be installed
    hq.store.set_release("99.0.0")
    page.sync_now()
    qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    qtbot.waitUntil(lambda: "新版本 99.0.0 已由银行 IT 发布，等待安装" in page.queue_label.text(), timeout=5_000)
    if shots := __import__("os").environ.get("BRANCHDESK_SHOTS"):
        w.grab().save(str(Path(shots) / "6-sync.png"))
    w.close()
    ctx.shutdown()
    assert_same(hq.store, store)
    i18n.install(app, "zh_CN")


def test_cancel_leaves_whole_pages_and_the_next_sync_finishes(qtbot, demo_dir: Path, hq) -> None:
    from sync.client.engine import enrol

    app = create_application([])
    assert i18n.install(app, "zh_CN")
    store = Store.open(demo_dir)
    _device, code = hq.store.new_enrolment(DEMO_BRANCH, "ui")
    enrol(store, hq.url, code)
    ctx = build_context(store, None)
    page = SyncWorkspace(ctx, auto=False)
    qtbot.addWidget(page)
    page.sync_now()
    page.cancel()
    qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    assert page.result_label.text().startswith(("已取消", "已同步"))
    page.sync_now()
    qtbot.waitUntil(lambda: not page.running, timeout=60_000)
    assert page.result_label.text().startswith("已同步（总行已确认）")
    page.shutdown()
    ctx.shutdown()
    assert_same(hq.store, store)


def test_refused_changes_show_with_their_reason_and_can_be_discarded(qtbot, demo_dir: Path, hq,
                                                                      monkeypatch) -> None:
    """Issue 13, item 2: the Sync workspace lists what head office refused, with the reason, and a
    branch head can discard it (audited); the record comes back as head office has it."""
    from PySide6.QtWidgets import QMessageBox

    from app.store import journal
    from app.store.db import write
    from sync.client.engine import SyncEngine, enrol

    app = create_application([])
    assert i18n.install(app, "zh_CN")
    store = Store.open(demo_dir)
    _device, code = hq.store.new_enrolment(DEMO_BRANCH, "ui")
    enrol(store, hq.url, code)
    assert SyncEngine(store).run().synced
    db = store.connect()
    rid, uid = db.conn.execute(
        "SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    with write(db):
        journal.record(db, kind="client", row_uid=uid, row_id=rid, op="update", before={},
                       after={"village": "NOWHERE-1"}, author="A0001", base_seq=None)
    db.close()
    assert SyncEngine(store).run().quarantined == 1
    ctx = build_context(store, None)
    page = SyncWorkspace(ctx, auto=False)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.refused_table.rowCount() == 1, timeout=5_000)
    assert page.tabs.tabText(1) == "总行拒绝的修改（1）"
    assert "所属村" in page.refused_table.item(0, 4).text() and "不存在" in page.refused_table.item(0, 4).text()
    assert "所属村" in page.refused_table.item(0, 3).text()
    page.tabs.setCurrentIndex(1)
    if shots := __import__("os").environ.get("BRANCHDESK_SHOTS"):
        page.grab().save(str(Path(shots) / "7-sync-refused.png"))
    page.refused_table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.discard_button.click()
    qtbot.waitUntil(lambda: page.refused_table.rowCount() == 0, timeout=5_000)
    db = store.connect(readonly=True)
    actions = [a for (a,) in db.conn.execute("SELECT action FROM audit_log WHERE row_uid = ?", (uid,))]
    db.close()
    assert actions == ["discard_change"]
    page.shutdown()
    ctx.shutdown()
