"""Trust at the branch PC (issue 13): what a new user and an attacker found, each with its test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services import auth
from app.store import journal, syncdata
from app.store.db import write
from sync.server.demo import seed_demo
from tests.conftest import run_cli
from tests.support.branch import DEMO_BRANCH, assert_same, service, sync, workstation


def test_head_office_overwriting_a_value_the_branch_set_is_a_conflict_on_both_sides(hq, tmp_path: Path) -> None:
    """Item 1: the branch set a client's mobile (synced); head office then publishes another: the branch
    takes head office's value (order of receipt) and keeps its own for review, as head office does."""
    seed_demo(hq.store, n_clients=60)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    assert svc.edit(cid, {"mobile": "13700000002"}).ok
    assert sync(store).synced
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": "13900000001"}])
    report = sync(store)
    assert report.status == "synced" and report.conflicts == 1, report
    assert db.conn.execute("SELECT mobile FROM clients WHERE id = ?", (cid,)).fetchone()[0] == "13900000001"
    [hq_side] = hq.store.conflicts(DEMO_BRANCH)
    [local] = syncdata.open_conflicts(db)
    assert (hq_side["field"], hq_side["kept"]) == ("mobile", "hq")
    assert (local.field, local.side, local.row_uid) == ("mobile", "pull", uid)
    assert json.loads(local.local_value) == "13700000002" and json.loads(local.server_value) == "13900000001"
    # a value head office changes that the branch never set is no conflict
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "address": "总行登记的新地址"}])
    assert sync(store).conflicts == 0 and len(syncdata.open_conflicts(db)) == 1
    assert_same(hq.store, store)
    db.close()


def _cli_env(store, user: str = "A0001", pin: str | None = "482913") -> dict[str, str]:
    env = {"BRANCHDESK_DATA_DIR": str(store.data_dir), "BRANCHDESK_USER": user}
    if pin is not None:
        env["BRANCHDESK_PIN"] = pin
    return env


def _protect(store, code: str = "A0001", pin: str = "482913") -> None:
    db = store.connect()
    try:
        staff = auth.load_staff(db, code)[0]
        assert auth.set_pin(db, staff.id, pin) is None
    finally:
        db.close()


def test_sync_commands_sign_in_and_show_conflicts_masked(hq_sqlite, tmp_path: Path) -> None:
    """Item 4: on a PIN-protected database the sync commands ask for sign-in like ``clients list``,
    and conflicts show ID and phone numbers masked, never in full."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    _protect(store)
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": "13900000001"}])
    assert svc.edit(cid, {"mobile": "13700000002"}).ok
    db.close()
    for args in (("sync", "conflicts"), ("sync", "quarantine")):
        refused = run_cli(*args, env=_cli_env(store, pin=None))
        assert refused.returncode == 1 and "PIN" in refused.stderr, (args, refused.stdout, refused.stderr)
    # the run is the device's (its token): it prints counts, no client data, and needs nobody's PIN
    ran = run_cli("sync", "--quiet", env=_cli_env(store, pin=None))
    assert ran.returncode == 0 and "已同步" in ran.stdout, ran.stdout + ran.stderr
    assert "13700000002" not in ran.stdout + ran.stderr
    shown = run_cli("sync", "conflicts", env=_cli_env(store))
    assert shown.returncode == 0, shown.stderr
    assert "137****0002" in shown.stdout and "139****0001" in shown.stdout and "手机号" in shown.stdout
    assert "13700000002" not in shown.stdout and "13900000001" not in shown.stdout
    as_json = run_cli("sync", "conflicts", "--json", env=_cli_env(store))
    assert "13700000002" not in as_json.stdout and json.loads(as_json.stdout)[0]["mine"] == "137****0002"
    # a manager may not review conflicts (the branch head does)
    manager = next(c for c, r in _roster(store) if r == "manager")
    _protect(store, manager, "593017")
    denied = run_cli("sync", "conflicts", env=_cli_env(store, manager, "593017"))
    assert denied.returncode == 1 and "无权" in denied.stderr


def _roster(store) -> list[tuple[str, str]]:
    db = store.connect(readonly=True)
    try:
        return db.conn.execute("SELECT code, role FROM staff ORDER BY code").fetchall()
    finally:
        db.close()


def test_refused_changes_are_listed_with_their_reason_and_can_be_retried_or_discarded(hq_sqlite, tmp_path: Path):
    """Item 2: a change head office refused shows with its reason in Chinese at the branch; a person
    sends it again or discards it (audited, and the record returns to head office's version)."""
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    _protect(store)
    db = store.connect()
    rows = db.conn.execute(
        "SELECT id, uid, notes FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 2").fetchall()
    with write(db):  # changes head office refuses: the first names a village of no branch; the second too
        for rid, ruid, _notes in rows:
            journal.record(db, kind="client", row_uid=ruid, row_id=rid, op="update", before={},
                           after={"village": "NOWHERE-1", "notes": "搬到了新村"}, author="A0001", base_seq=None)
            db.conn.execute("UPDATE clients SET notes = '搬到了新村' WHERE id = ?", (rid,))
    db.close()
    report = sync(store)
    assert report.quarantined == 2 and report.status == "synced", report
    listed = run_cli("sync", "quarantine", env=_cli_env(store))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("原因：") == 2 and "所属村" in listed.stdout and "不存在" in listed.stdout
    ids = json.loads(run_cli("sync", "quarantine", "--json", env=_cli_env(store)).stdout)
    first, second = ids[0]["change"]["change_id"], ids[1]["change"]["change_id"]
    # discard: audited, and the record goes back to head office's version at the next sync
    assert run_cli("sync", "quarantine", "discard", first, env=_cli_env(store)).returncode == 1  # no --yes
    done = run_cli("sync", "quarantine", "discard", first, "--yes", env=_cli_env(store))
    assert done.returncode == 0 and "审计" in done.stdout, done.stdout + done.stderr
    # retry: the same values go up again under a new change id (and are refused again, with the reason)
    again = run_cli("sync", "quarantine", "retry", second, env=_cli_env(store))
    assert again.returncode == 0 and "新变更" in again.stdout, again.stdout + again.stderr
    report = sync(store)
    assert report.status == "synced" and report.quarantined == 1, report
    db = store.connect(readonly=True)
    assert db.conn.execute("SELECT notes FROM clients WHERE id = ?", (rows[0][0],)).fetchone()[0] == rows[0][2]
    assert [a for (a,) in db.conn.execute("SELECT action FROM audit_log WHERE action = 'discard_change'")] == [
        "discard_change"]
    db.close()
    assert len(json.loads(run_cli("sync", "quarantine", "--json", env=_cli_env(store)).stdout)) == 1


def test_enrolment_is_two_step_and_a_failed_local_step_leaves_the_code_usable(hq_sqlite, tmp_path: Path) -> None:
    """Item 3: a PC that cannot keep its token (no credential store) or whose database belongs to
    another branch does not burn the one-time code; a key-file PC keeps its token beside its key."""
    import keyring
    from keyring.backends.fail import Keyring as NoStore

    from app.store.reference import meta_set
    from app.store.store import Store
    from sync.client.engine import enrol
    from sync.client.transport import SyncError

    hq = hq_sqlite
    seed_demo(hq.store, n_clients=20)
    device_id, code = hq.store.new_enrolment(DEMO_BRANCH, "pc")
    store = Store.open(tmp_path / "pc", create=True)
    working = keyring.get_keyring()
    keyring.set_keyring(NoStore())
    try:
        with pytest.raises(SyncError) as err:
            enrol(store, hq.url, code)
        assert "凭据存储" in str(err.value)
    finally:
        keyring.set_keyring(working)
    device = next(d for d in hq.store.list_devices() if d["id"] == device_id)
    assert device["enrolled_at"] is None  # not active: nobody holds a working token
    # a PC whose database belongs to another branch: refused, the code still good
    other = Store.open(tmp_path / "other", create=True)
    db = other.connect()
    with write(db):
        meta_set(db, "branch_code", "500229-09")
    db.close()
    with pytest.raises(SyncError) as err:
        enrol(other, hq.url, code)
    assert "500229-09" in str(err.value) and "仍然有效" in str(err.value)
    # the cause fixed, the same code enrols, and the device works
    settings = enrol(store, hq.url, code)
    assert settings.device_id == device_id and sync(store).synced
    assert next(d for d in hq.store.list_devices() if d["id"] == device_id)["enrolled_at"]
    with pytest.raises(SyncError):  # now the code is spent
        enrol(Store.open(tmp_path / "third", create=True), hq.url, code)


def test_a_key_file_pc_keeps_its_device_token_beside_its_key_and_syncs(hq_sqlite, tmp_path: Path) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoStore

    from app.store.store import Store
    from sync.client.config import TOKEN_FILENAME
    from sync.client.engine import enrol

    hq = hq_sqlite
    seed_demo(hq.store, n_clients=20)
    working = keyring.get_keyring()
    keyring.set_keyring(NoStore())
    try:
        store = Store.open(tmp_path / "pc", create=True, allow_keyfile=True)
        _device, code = hq.store.new_enrolment(DEMO_BRANCH, "pc")
        enrol(store, hq.url, code)
        token_file = store.data_dir / TOKEN_FILENAME
        assert token_file.exists() and (token_file.stat().st_mode & 0o077) == 0
        assert sync(store).synced
    finally:
        keyring.set_keyring(working)


def test_head_office_admin_commands_read_as_tables_with_values_masked(hq_sqlite, tmp_path: Path) -> None:
    """Item 20: ``branchdesk-hq conflicts`` (and the other listings) print a Chinese table, values
    unquoted and personal numbers masked; ``--json`` gives scripts the data."""
    from tests.sync.test_hq_admin import hq_cli

    hq = hq_sqlite
    seed_demo(hq.store, n_clients=40)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    cid, uid = db.conn.execute("SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    assert svc.edit(cid, {"mobile": "13700000002"}).ok
    db.close()
    assert sync(store).synced
    hq.store.publish("client", DEMO_BRANCH, [{"uid": uid, "mobile": "13900000001"}])
    assert sync(store).conflicts == 1
    hq_db = tmp_path / "hq.db"
    shown = hq_cli(hq_db, "conflicts", DEMO_BRANCH)
    assert shown.returncode == 0, shown.stderr
    header, line = shown.stdout.splitlines()[:2]
    assert header.split()[:4] == ["编号", "时间", "类型", "字段"]
    assert "客户" in line and "手机号" in line and "保留总行的值" in line
    assert "137****0002" in line and "139****0001" in line and '"' not in shown.stdout
    assert "13700000002" not in shown.stdout and "13900000001" not in shown.stdout
    [as_json] = json.loads(hq_cli(hq_db, "conflicts", DEMO_BRANCH, "--json").stdout)
    assert as_json["branch_value"] == "137****0002" and as_json["kept"] == "hq"
    clear = hq_cli(hq_db, "conflicts", DEMO_BRANCH, "--unmasked")
    assert "13700000002" in clear.stdout
    for args in (("device", "list"), ("branch", "list"), ("pushed", DEMO_BRANCH), ("denials",)):
        out = hq_cli(hq_db, *args)
        assert out.returncode == 0 and not out.stdout.lstrip().startswith(("{", "[")), (args, out.stdout)
    pushed = hq_cli(hq_db, "pushed", DEMO_BRANCH)
    assert "已应用" in pushed.stdout and "客户" in pushed.stdout and "修改" in pushed.stdout
    helped = hq_cli(hq_db, "conflicts", "--help")
    assert "用法：" in helped.stdout and "显示帮助并退出" in helped.stdout
