"""Carried bundles (issue 18): a PC with no line exports its changes to a file, head office imports it
and writes a reply, the PC imports the reply. Real encrypted stores, the real head-office store and
service on loopback, the real keys made at enrolment.

What must hold: the round trip applies everything once; the same bundle or reply twice changes
nothing; a tampered (one byte in any part), truncated, foreign or replayed bundle is refused with
nothing applied; bundles interleaved with normal syncs lose and double nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.store import journal, syncdata
from app.store.reference import meta_get
from sync import bundle as b
from sync.client import bundle as cb
from sync.client.bundle_keys import HQ_SIGN, SLOT
from sync.client.config import SyncSettings, load_secret
from sync.server import cli as hq_cli
from sync.server.db import changes, devices
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, assert_same, server_state, service, sync, workstation


def _edit_clients(store: Any, n: int, mobile_prefix: str = "1370000", offset: int = 0) -> list[str]:
    """Offline edits: ``n`` clients (from ``offset``) get a new phone number. Returns their uids."""
    db, svc = service(store)
    try:
        rows = db.conn.execute("SELECT id, uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT ? OFFSET ?",
                               (n, offset)).fetchall()
        for i, (cid, _uid) in enumerate(rows):
            assert svc.edit(cid, {"mobile": f"{mobile_prefix}{i:04d}"}).ok
        return [uid for _cid, uid in rows]
    finally:
        db.close()


def _local(store: Any) -> tuple[dict[str, int], int, str | None, str | None]:
    """What an import could change at the PC: journal states, cursor, the last reply taken."""
    db = store.connect(readonly=True)
    try:
        states = dict(db.conn.execute("SELECT sync_state, count(*) FROM journal GROUP BY sync_state").fetchall())
        return states, syncdata.get_cursor(db), meta_get(db, cb.REPLIED), meta_get(db, cb.REPLIED_HASH)
    finally:
        db.close()


def _hq_changes(hq: Any) -> int:
    with hq.store.engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(changes)).scalar()


def _last_bundle(hq: Any, device_id: int) -> tuple[int | None, str | None]:
    with hq.store.engine.connect() as c:
        return tuple(c.execute(sa.select(devices.c.last_bundle, devices.c.last_bundle_hash)
                               .where(devices.c.id == device_id)).one())


def _device(store: Any) -> int:
    return SyncSettings.load(store.settings).device_id


@pytest.fixture
def branch_pc(hq: Any, tmp_path: Path) -> Any:
    seed_demo(hq.store, n_clients=200)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    return store


def test_round_trip_applies_every_change_once_and_is_confirmed(hq: Any, branch_pc: Any, tmp_path: Path) -> None:
    store = branch_pc
    uids = _edit_clients(store, 25)
    db = store.connect(readonly=True)
    try:  # a client changed only at head office: the PC lacks that change
        other = db.conn.execute("SELECT uid FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT 1 OFFSET 30"
                                ).fetchone()[0]
    finally:
        db.close()
    hq.store.publish("client", DEMO_BRANCH, [{"uid": other, "address": "总行改的地址"}])
    out = tmp_path / "bundle.bdbundle"
    exported = cb.export_bundle(store, out)
    assert (exported.number, exported.changes) == (1, 25)
    raw = out.read_bytes()
    assert b"1370000" not in raw and "客户".encode() not in raw  # sealed: no personal data in the clear
    assert _local(store)[0].get(journal.SYNC_PENDING) == 25  # still pending until the answer comes back

    reply, summary = hq.store.import_bundle(raw)
    assert (summary.changes, summary.counts, summary.repeated) == (25, {"applied": 25}, False)
    assert summary.records >= 26  # the 25 edited clients come back with head office's seq, plus the new address
    server = server_state(hq.store)
    assert all(server["client"][u][2]["mobile"].startswith("1370000") for u in uids)

    rpath = tmp_path / "reply.bdbundle"
    rpath.write_bytes(reply)
    got = cb.import_reply(store, rpath)
    assert (got.acked, got.duplicates, got.quarantined, got.status) == (25, 0, 0, cb.SYNCED), got
    states, _cursor, replied, _h = _local(store)
    assert states.get(journal.SYNC_PENDING, 0) == 0 and replied == "1"
    assert_same(hq.store, store)
    db = store.connect(readonly=True)
    try:
        assert db.conn.execute("SELECT address FROM clients WHERE uid = ?", (other,)).fetchone()[0] == "总行改的地址"
        assert syncdata.last_confirmed(db) is not None
    finally:
        db.close()
    # and a normal sync afterwards has nothing to send and confirms
    after = sync(store)
    assert after.synced and after.pushed == 0 and after.pulled == 0


def test_importing_the_same_bundle_or_reply_twice_changes_nothing(hq_sqlite: Any, tmp_path: Path) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    _edit_clients(store, 10)
    out = tmp_path / "b.bdbundle"
    cb.export_bundle(store, out)
    reply1, _s1 = hq.store.import_bundle(out.read_bytes())
    state, n_changes = server_state(hq.store), _hq_changes(hq)
    reply2, s2 = hq.store.import_bundle(out.read_bytes())
    assert s2.repeated and s2.counts == {"duplicate": 10}
    assert server_state(hq.store) == state and _hq_changes(hq) == n_changes

    (tmp_path / "r1").write_bytes(reply1)
    first = cb.import_reply(store, tmp_path / "r1")
    assert first.acked == 10 and not first.repeated
    before = _local(store)
    again = cb.import_reply(store, tmp_path / "r1")
    assert again.repeated and _local(store) == before
    # the second reply (to the same bundle) changes nothing either: its answers are for changes already acked
    (tmp_path / "r2").write_bytes(reply2)
    second = cb.import_reply(store, tmp_path / "r2")
    assert (second.acked, second.duplicates, second.pulled) == (0, 0, 0)
    assert _local(store)[:2] == before[:2]
    assert_same(hq.store, store)


def _parts(data: bytes) -> dict[str, int]:
    """Offsets of one byte inside each part of a bundle file."""
    hlen = int.from_bytes(data[8:12], "big")
    body_at = 12 + hlen + 8
    return {
        "magic": 2, "header length": 11, "header": 12 + hlen // 2, "body length": 12 + hlen + 7,
        "nonce": body_at + 3, "ciphertext": body_at + 40, "tag": len(data) - 64 - 5, "signature": len(data) - 10,
    }


def test_a_tampered_truncated_or_foreign_bundle_is_refused_at_head_office_with_nothing_applied(
    hq_sqlite: Any, tmp_path: Path
) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    _edit_clients(store, 5)
    out = tmp_path / "b.bdbundle"
    cb.export_bundle(store, out)
    good = out.read_bytes()
    state, n_changes, last = server_state(hq.store), _hq_changes(hq), _last_bundle(hq, _device(store))

    def refused(data: bytes) -> str:
        with pytest.raises(b.BundleError) as exc:
            hq.store.import_bundle(data)
        assert server_state(hq.store) == state and _hq_changes(hq) == n_changes
        assert _last_bundle(hq, _device(store)) == last
        assert "未导入任何数据" in str(exc.value), exc.value
        return exc.value.code

    for part, at in _parts(good).items():
        flipped = bytearray(good)
        flipped[at] ^= 0x01
        code = refused(bytes(flipped))
        assert code in ("not_bundle", "truncated", "damaged", "signature", "unknown_device"), (part, code)
    for cut in (5, 20, len(good) // 2, len(good) - 1):
        assert refused(good[:cut]) in ("not_bundle", "truncated")
    assert refused(good + b"\0") == "damaged"
    assert refused(b"") == "not_bundle"

    # a bundle that claims another branch, properly signed with this device's own key: refused and logged
    keys = b.KeyPair.from_json(load_secret(store.settings, store.data_dir, SyncSettings.load(store.settings), SLOT))
    foreign = b.seal(b.REQUEST, branch="500229-09", device=_device(store), number=9,
                     payload={"cursor": 0, "changes": []}, sender=keys, reader_box=hq.store.hq_keys().public.box)
    assert refused(foreign) == "foreign"
    assert any("bundle" in d["reason"] for d in hq.store.list_denials())
    # head office's own reply is not a bundle to import at head office
    reply, _s = hq.store.import_bundle(good)
    with pytest.raises(b.BundleError) as exc:
        hq.store.import_bundle(reply)
    assert exc.value.code == "wrong_type"


def test_a_tampered_truncated_foreign_or_old_reply_is_refused_at_the_pc_with_nothing_applied(
    hq_sqlite: Any, tmp_path: Path
) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    other = workstation(tmp_path / "ws2", hq.url, hq.store)  # a second PC of the same branch
    assert sync(store).synced and sync(other).synced
    _edit_clients(store, 5)
    cb.export_bundle(store, tmp_path / "b1")
    reply1, _ = hq.store.import_bundle((tmp_path / "b1").read_bytes())
    _edit_clients(store, 3, "1360000")
    cb.export_bundle(store, tmp_path / "b2")
    reply2, _ = hq.store.import_bundle((tmp_path / "b2").read_bytes())
    before = _local(store)

    def refused(data: bytes, pc: Any = store) -> str:
        path = tmp_path / "reply.bdbundle"
        path.write_bytes(data)
        was = _local(pc)
        with pytest.raises(b.BundleError) as exc:
            cb.import_reply(pc, path)
        assert _local(pc) == was
        return exc.value.code

    for part, at in _parts(reply2).items():
        flipped = bytearray(reply2)
        flipped[at] ^= 0x80
        assert refused(bytes(flipped)) in ("not_bundle", "truncated", "damaged", "signature"), part
    for cut in (3, 30, len(reply2) - 64):
        assert refused(reply2[:cut]) in ("not_bundle", "truncated")
    assert refused(reply2, other) == "foreign"  # another PC's reply
    assert refused((tmp_path / "b2").read_bytes()) == "wrong_type"  # its own bundle, not a reply
    assert _local(store) == before

    (tmp_path / "r2").write_bytes(reply2)
    got = cb.import_reply(store, tmp_path / "r2")
    assert (got.acked, got.duplicates) == (3, 5)  # the second bundle carried all eight; five came with the first
    assert refused(reply1) == "replayed"  # the older reply, after the newer one
    assert_same(hq.store, store)


def test_an_old_bundle_replayed_at_head_office_is_refused(hq_sqlite: Any, tmp_path: Path) -> None:
    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    _edit_clients(store, 4)
    cb.export_bundle(store, tmp_path / "b1")
    _edit_clients(store, 2, "1350000")
    cb.export_bundle(store, tmp_path / "b2")
    _r2, s2 = hq.store.import_bundle((tmp_path / "b2").read_bytes())
    assert s2.number == 2 and s2.counts == {"applied": 6}
    state = server_state(hq.store)
    with pytest.raises(b.BundleError) as exc:
        hq.store.import_bundle((tmp_path / "b1").read_bytes())
    assert exc.value.code == "replayed" and "第 1 号" in str(exc.value)
    assert server_state(hq.store) == state


def test_bundles_interleaved_with_normal_syncs_lose_and_double_nothing(hq: Any, branch_pc: Any,
                                                                       tmp_path: Path) -> None:
    store = branch_pc
    first = _edit_clients(store, 6)
    cb.export_bundle(store, tmp_path / "b1")
    # the line comes back before the bundle reaches head office: a normal sync sends the same changes
    report = sync(store)
    assert report.synced and report.acked == 6
    # head office changes more; the PC edits more, offline again
    hq.store.publish("client", DEMO_BRANCH, [{"uid": first[0], "address": "新地址一"}])
    second = _edit_clients(store, 3, "1390000", offset=10)
    # the old bundle is carried in anyway: its changes are duplicates, nothing applied twice
    reply1, s1 = hq.store.import_bundle((tmp_path / "b1").read_bytes())
    assert s1.counts == {"duplicate": 6}
    (tmp_path / "r1").write_bytes(reply1)
    got = cb.import_reply(store, tmp_path / "r1")
    assert got.acked == 0 and got.duplicates == 0  # already acked by the sync
    states = _local(store)[0]
    assert states.get(journal.SYNC_PENDING) == 3  # the later edits are still waiting
    db = store.connect(readonly=True)
    try:
        assert db.conn.execute("SELECT address FROM clients WHERE uid = ?", (first[0],)).fetchone()[0] == "新地址一"
    finally:
        db.close()
    # a second bundle carries the later edits; a sync runs between its import and its reply's import
    cb.export_bundle(store, tmp_path / "b2")
    reply2, s2 = hq.store.import_bundle((tmp_path / "b2").read_bytes())
    assert s2.counts == {"applied": 3}
    hq.store.publish("client", DEMO_BRANCH, [{"uid": second[0], "address": "新地址二"}])
    report = sync(store)  # the sync sends the three again (duplicates) and pulls everything
    assert report.synced and report.duplicates == 3
    (tmp_path / "r2").write_bytes(reply2)
    late = cb.import_reply(store, tmp_path / "r2")
    assert late.pulled == 0 and late.skipped > 0 and late.acked == 0  # everything was already here
    assert _local(store)[0].get(journal.SYNC_PENDING, 0) == 0
    assert_same(hq.store, store)
    with hq.store.engine.connect() as c:
        applied = c.execute(sa.select(sa.func.count()).select_from(changes)
                            .where(changes.c.status == "applied")).scalar()
    assert applied == 9  # six and three: each change applied exactly once
    assert sync(store).synced


def test_a_pc_enrolled_before_bundles_gets_keys_at_its_next_sync(hq_sqlite: Any, tmp_path: Path) -> None:
    from app.store.db import write

    hq = hq_sqlite
    seed_demo(hq.store, n_clients=50)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    db = store.connect()
    try:
        with write(db):
            db.conn.execute("DELETE FROM meta WHERE key LIKE 'bundle.%'")
    finally:
        db.close()
    with pytest.raises(Exception, match="离线包"):
        cb.export_bundle(store, tmp_path / "x")
    assert not (tmp_path / "x").exists()
    assert sync(store).synced  # makes the keys on the way
    db = store.connect(readonly=True)
    try:
        assert meta_get(db, HQ_SIGN) == hq.store.hq_keys().public.sign
    finally:
        db.close()
    _edit_clients(store, 2)
    cb.export_bundle(store, tmp_path / "b")
    assert hq.store.import_bundle((tmp_path / "b").read_bytes())[1].counts == {"applied": 2}


def test_cli_round_trip_and_clear_errors(hq_sqlite: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main as branchdesk

    hq = hq_sqlite
    seed_demo(hq.store, n_clients=100)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    _edit_clients(store, 7)
    data = ["--data-dir", str(tmp_path / "ws")]
    out = tmp_path / "carry" / "巴山-0001.bdbundle"
    out.parent.mkdir()
    assert branchdesk(["sync", "export-bundle", str(out), *data]) == 0
    printed = capsys.readouterr().out
    assert "第 1 号离线包" in printed and "7 条" in printed
    db_url = str(hq.store.engine.url)
    assert hq_cli.main(["--db", db_url, "import-bundle", str(out)]) == 0
    printed = capsys.readouterr().out
    reply = out.with_name("巴山-0001-回执.bdbundle")
    assert reply.exists() and "已应用 7" in printed
    assert hq_cli.main(["--db", db_url, "import-bundle", str(reply)]) == 1
    assert "回执包" in capsys.readouterr().err
    assert branchdesk(["sync", "import-bundle", str(reply), *data]) == 0
    printed = capsys.readouterr().out
    assert "已同步" in printed and "上传确认 7" in printed
    assert branchdesk(["sync", "import-bundle", str(reply), *data]) == 0
    assert "此前已导入" in capsys.readouterr().out
    # wrong input: a missing file, a folder, a file that is not a bundle
    assert branchdesk(["sync", "import-bundle", str(tmp_path / "nope.bdbundle"), *data]) != 0
    assert "找不到文件" in capsys.readouterr().err
    (tmp_path / "junk.txt").write_text("hello", encoding="utf-8")
    assert branchdesk(["sync", "import-bundle", str(tmp_path / "junk.txt"), *data]) != 0
    assert "不是 BranchDesk 离线包" in capsys.readouterr().err
    assert hq_cli.main(["--db", db_url, "import-bundle", str(tmp_path / "junk.txt")]) == 1
    assert "不是 BranchDesk 离线包" in capsys.readouterr().err
    # a folder given for the export: a file named for the PC and the time goes in it
    assert branchdesk(["sync", "export-bundle", str(out.parent), *data]) == 0
    assert len(list(out.parent.glob("*.bdbundle"))) == 3
    assert json.loads(json.dumps(_local(store)[0]))  # journal readable after all of it


def test_a_connected_pc_of_another_branch_relays_a_bundle_over_the_line(hq: Any, branch_pc: Any, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main as branchdesk
    from sync.client.transport import SyncError

    store = branch_pc
    hq.store.create_branch("500229-02", "城口县支行巴山网点")
    relay_pc = workstation(tmp_path / "relay", hq.url, hq.store, branch="500229-02")
    _edit_clients(store, 9)
    carried = tmp_path / "usb" / "outlet.bdbundle"
    carried.parent.mkdir()
    cb.export_bundle(store, carried)

    damaged = bytearray(carried.read_bytes())
    damaged[-3] ^= 0x04
    (tmp_path / "usb" / "bad.bdbundle").write_bytes(bytes(damaged))
    state = server_state(hq.store)
    with pytest.raises(SyncError, match="签名不符"):
        cb.relay_bundle(relay_pc, tmp_path / "usb" / "bad.bdbundle")
    assert server_state(hq.store) == state and not (tmp_path / "usb" / "bad-回执.bdbundle").exists()

    assert branchdesk(["sync", "relay-bundle", str(carried), "--data-dir", str(tmp_path / "relay")]) == 0
    printed = capsys.readouterr().out
    assert f"网点 {DEMO_BRANCH}" in printed and "9 条修改" in printed
    reply = carried.with_name("outlet-回执.bdbundle")
    got = cb.import_reply(store, reply)
    assert got.acked == 9 and got.status == cb.SYNCED
    assert_same(hq.store, store)
    # the relaying PC took nothing of the other branch's
    db = relay_pc.connect(readonly=True)
    try:
        assert db.conn.execute("SELECT count(*) FROM clients").fetchone()[0] == 0
    finally:
        db.close()
