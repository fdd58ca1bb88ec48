"""Knowing what runs where (issue 20): every PC tells head office the app version it runs at each
confirmed sync, head office says which version IT rolled out, and the PC says when an upgrade is
waiting (it never updates itself). On SQLite and PostgreSQL, with the real service over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import __version__
from app.services.sync_status import sync_status
from sync.server import cli
from sync.server.db import HQError
from sync.server.demo import seed_demo
from tests.conftest import run_cli
from tests.support.branch import sync, workstation


def _status(pc):
    db = pc.connect(readonly=True)
    try:
        return sync_status(pc, db)
    finally:
        db.close()


def test_head_office_learns_each_pc_s_version_and_the_pc_learns_the_release(hq, tmp_path: Path) -> None:
    seed_demo(hq.store, n_clients=20)
    pc = workstation(tmp_path / "pc", hq.url, hq.store)
    assert sync(pc).synced
    (device,) = hq.store.list_devices()
    assert device["app_version"] == __version__ and device["last_confirmed"]
    st = _status(pc)
    assert (st.release, st.running, st.upgrade_waiting) == ("", __version__, False)

    assert hq.store.set_release("99.1.0") == "99.1.0"
    assert sync(pc).synced
    st = _status(pc)
    assert (st.release, st.upgrade_waiting) == ("99.1.0", True)
    assert st.as_dict()["release"] == "99.1.0"

    hq.store.set_release(__version__)  # the PC already runs what IT rolled out
    assert sync(pc).synced and not _status(pc).upgrade_waiting
    hq.store.set_release("")  # withdrawn
    assert sync(pc).synced and _status(pc).release == ""

    for bad in ("v2", "0.2.0-beta; drop table", "1", "1.2.3.4.5"):
        with pytest.raises(HQError) as caught:
            hq.store.set_release(bad)
        assert caught.value.status == 400 and "版本号" in str(caught.value)
    assert hq.store.release() == ""


def test_the_commands_say_it(hq_sqlite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=20)
    pc = workstation(tmp_path / "pc", hq.url, hq.store)
    assert sync(pc).synced
    db = ["--db", hq.store.engine.url.render_as_string(hide_password=False)]

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*db, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _err = run("release")
    assert code == 0 and "尚未发布版本" in out
    code, out, _err = run("release", "99.0.0")
    assert code == 0 and "已发布版本 99.0.0" in out and "不会自行更新" in out
    code, _out, err = run("release", "新版本")
    assert code != 0 and "版本号“新版本”不对" in err
    code, out, _err = run("device", "list")
    assert code == 0 and "程序版本" in out and f"{__version__}（待升级）" in out
    assert sync(pc).synced
    status = run_cli("--data-dir", str(pc.data_dir), "sync", "status")
    assert status.returncode == 0 and f"新版本 99.0.0 已由银行 IT 发布，等待安装（本机为 {__version__}" in status.stdout
    code, out, _err = run("release", "--clear")
    assert code == 0 and "已撤回" in out


def test_a_pc_enrols_only_with_the_address_it_set_by_policy(hq_sqlite, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from app import policy
    from app.store.store import Store
    from sync.client.config import SyncSettings
    from sync.client.engine import enrol
    from sync.client.transport import SyncError
    from tests.support.branch import DEMO_BRANCH

    hq = hq_sqlite
    seed_demo(hq.store, n_clients=5)
    rules = tmp_path / "policy.json"
    rules.write_text(json.dumps({"ServerUrl": hq.url}), encoding="utf-8")
    monkeypatch.setenv(policy.POLICY_FILE_ENV, str(rules))
    policy.reload()
    try:
        store = Store.open(tmp_path / "pc", create=True)
        _id, code = hq.store.new_enrolment(DEMO_BRANCH, "pc")
        with pytest.raises(SyncError) as refused:
            enrol(store, "https://elsewhere.example", code)
        assert f"总行地址由银行 IT 统一设置为 {hq.url}" in str(refused.value) and "注册码仍然有效" in str(refused.value)
        s = enrol(store, hq.url + "/", code)  # the same address, as typed
        assert s.enrolled and SyncSettings.load(store.settings).server_url == hq.url
        assert sync(store).synced
    finally:
        monkeypatch.delenv(policy.POLICY_FILE_ENV)
        policy.reload()
