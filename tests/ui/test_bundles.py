"""Carried bundles from the Sync workspace (issue 18): export the unsent changes, hand a bundle on to head
office over the line, import head office's reply, see it confirmed; a damaged reply is refused in red with
nothing applied. Real encrypted store, the real head-office service on loopback, real Qt widgets offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.sync_workspace import SyncWorkspace
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, assert_same, service, sync
from tests.support.hq import start_hq


@pytest.fixture
def hq(tmp_path: Path):
    running = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    seed_demo(running.store, n_clients=5000)
    yield running
    running.stop()


def test_export_a_bundle_and_import_the_reply_from_the_sync_workspace(qtbot, demo_dir: Path, hq,
                                                                        tmp_path: Path) -> None:
    from sync.client.engine import enrol

    app = create_application([])
    assert i18n.install(app, "zh_CN")
    store = Store.open(demo_dir)
    _device, code = hq.store.new_enrolment(DEMO_BRANCH, "ui")
    enrol(store, hq.url, code)
    assert sync(store).synced
    db, svc = service(store)
    try:
        for cid, in db.conn.execute("SELECT id FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 12"
                                    ).fetchall():
            assert svc.edit(cid, {"address": "离线时改的地址"}).ok
    finally:
        db.close()

    ctx = build_context(store, None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    page = next(ws for ws in w.workspaces if isinstance(ws, SyncWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(page))
    qtbot.waitUntil(lambda: "未上传的修改：12" in page.queue_label.text(), timeout=5_000)
    assert page.export_button.isEnabled() and page.import_button.isEnabled()

    bundle = tmp_path / "carry.bdbundle"
    page.carry_bundle("export", str(bundle))
    assert not page.sync_button.isEnabled() and not page.import_button.isEnabled()  # one at a time
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert page.bundle_label.text().startswith("已写出第 1 号离线包：12 条"), page.bundle_label.text()
    assert bundle.exists() and page.sync_button.isEnabled()

    # carried to a PC with a line (here the same page, as any enrolled PC may hand it on)
    page.carry_bundle("relay", str(bundle))
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert "已交给总行（12 条修改）" in page.bundle_label.text(), page.bundle_label.text()
    reply = bundle.with_name("carry-回执.bdbundle").read_bytes()
    damaged = bytearray(reply)
    damaged[len(damaged) // 2] ^= 0x10
    (tmp_path / "damaged.bdbundle").write_bytes(bytes(damaged))
    page.carry_bundle("import", str(tmp_path / "damaged.bdbundle"))
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert "签名不符" in page.bundle_label.text() and "未导入任何数据" in page.bundle_label.text()
    assert "color" in page.bundle_label.styleSheet()
    assert "未上传的修改：12" in page.queue_label.text()

    (tmp_path / "reply.bdbundle").write_bytes(reply)
    page.carry_bundle("import", str(tmp_path / "reply.bdbundle"))
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert page.bundle_label.text().startswith("已同步（总行已确认）"), page.bundle_label.text()
    assert "确认 12" in page.bundle_label.text()
    qtbot.waitUntil(lambda: "未上传的修改：0" in page.queue_label.text(), timeout=5_000)
    qtbot.waitUntil(lambda: w.sync_label.text().startswith("上次同步：总行已确认"), timeout=5_000)
    if shots := os.environ.get("BRANCHDESK_SHOTS"):
        w.grab().save(str(Path(shots) / "18-bundle.png"))
    page.carry_bundle("import", str(tmp_path / "reply.bdbundle"))
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    assert page.bundle_label.text() == "这份回执此前已导入，本次没有任何改动。"
    w.close()
    ctx.shutdown()
    assert_same(hq.store, store)
