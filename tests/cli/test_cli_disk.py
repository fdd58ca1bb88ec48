"""Trust at the branch PC (issue 13): a damaged or unusual disk, met on the command line."""

from __future__ import annotations

import os
from pathlib import Path

from app.store.store import Store
from tests.conftest import run_cli

PAGE = 4096


def _damage_middle(path: Path) -> None:
    """Overwrite two pages in the middle of the file (a bad sector, a half-written copy)."""
    with open(path, "r+b") as fh:
        fh.seek((path.stat().st_size // 2) // PAGE * PAGE)
        fh.write(b"\0" * 2 * PAGE)


def _damage_first_page(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.seek(16)
        fh.write(os.urandom(64))


def _no_english_internals(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "sqlcipher" not in stderr.lower() and "ERROR CORE" not in stderr and "hmac" not in stderr


def _settle(data_dir: Path) -> None:
    """Today's check and daily backup taken, WAL folded in: the state of a PC in use."""
    store = Store.open(data_dir)
    store.check()
    store.backup("daily")
    store.close_cleanly()


def test_reading_a_damaged_file_says_so_in_chinese_and_exits_3(demo_dir: Path) -> None:
    """Item 9: no traceback, no SQLCipher lines, exit 3, and the way out (``branchdesk restore``)."""
    _settle(demo_dir)
    _damage_middle(demo_dir / "branchdesk.db")
    done = run_cli("clients", "list", "--search", "王", "--limit", "100000")
    assert done.returncode == 3, (done.stdout[-300:], done.stderr[-2000:])
    assert "损坏" in done.stderr and "branchdesk restore" in done.stderr
    _no_english_internals(done.stderr)


def test_a_damaged_first_page_points_to_restore(demo_dir: Path) -> None:
    _settle(demo_dir)
    _damage_first_page(demo_dir / "branchdesk.db")
    done = run_cli("clients", "list")
    assert done.returncode == 3
    assert "branchdesk restore" in done.stderr
    _no_english_internals(done.stderr)


def test_editing_a_damaged_file_takes_no_damaged_backup(demo_dir: Path) -> None:
    """The day's first edit takes the daily backup: on a damaged file that must fail cleanly
    (exit 3) and leave no backup that looks whole."""
    store = Store.open(demo_dir)
    store.check()
    store.close_cleanly()
    _damage_middle(demo_dir / "branchdesk.db")
    done = run_cli("clients", "edit", "5", "--notes", "坏盘上的修改")
    assert done.returncode == 3, done.stderr[-2000:]
    assert "损坏" in done.stderr and "branchdesk restore" in done.stderr
    _no_english_internals(done.stderr)
    assert not list((demo_dir / "backups").glob("*daily*"))


def _unsent(data_dir: Path) -> int:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return db.conn.execute("SELECT count(*) FROM journal WHERE sync_state = 'pending'").fetchone()[0]
    finally:
        db.close()


def test_restore_refuses_to_lose_unsent_changes_unless_told(demo_dir: Path) -> None:
    """Item 10: two edits after the last backup, never synced: restore names them and refuses;
    ``--discard-unsent`` goes ahead, keeps the old file aside and audits what was given up."""
    backup = Store.open(demo_dir).backup("daily")
    for cid, note in (("5", "回访一"), ("6", "回访二")):
        assert run_cli("clients", "edit", cid, "--notes", note).returncode == 0
    before = (demo_dir / "branchdesk.db").read_bytes()

    refused = run_cli("restore", str(backup), "--yes")
    assert refused.returncode == 1, refused.stderr
    assert "2 条变更尚未发送到总行" in refused.stderr and "--discard-unsent" in refused.stderr
    assert (demo_dir / "branchdesk.db").read_bytes() == before
    assert _unsent(demo_dir) == 2

    done = run_cli("restore", str(backup), "--yes", "--discard-unsent")
    assert done.returncode == 0, done.stderr
    assert _unsent(demo_dir) == 0
    db = Store.open(demo_dir).connect(readonly=True)
    try:
        (detail,) = db.conn.execute("SELECT detail FROM audit_log WHERE action = 'restore_backup'").fetchone()
    finally:
        db.close()
    assert "放弃 2 条" in detail
    kept = [b for b in Store.open(demo_dir).backups() if b.reason == "prerestore"]
    assert len(kept) == 1


def test_restore_keeps_unsent_changes_the_backup_already_holds(demo_dir: Path) -> None:
    assert run_cli("clients", "edit", "5", "--notes", "备份之前的修改").returncode == 0
    backup = Store.open(demo_dir).backup("manual")
    done = run_cli("restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    assert _unsent(demo_dir) >= 1


def test_restore_of_a_damaged_file_whose_journal_cannot_be_read_needs_the_flag(demo_dir: Path) -> None:
    _settle(demo_dir)
    _damage_first_page(demo_dir / "branchdesk.db")
    refused = run_cli("restore", "--yes")
    assert refused.returncode == 1 and "--discard-unsent" in refused.stderr
    _no_english_internals(refused.stderr)
    done = run_cli("restore", "--yes", "--discard-unsent")
    assert done.returncode == 0, done.stderr
    assert list(demo_dir.glob("branchdesk-damaged-*.db")), "the damaged file must be kept aside"
    assert run_cli("clients", "list", "--limit", "1").returncode == 0


def test_restore_refuses_a_backup_of_another_database(demo_dir: Path, tmp_path: Path) -> None:
    """Item 11: another demo county opens with the same public key, but it is not our backup."""
    from app.services.demo import create_demo

    other = tmp_path / "other-county"
    create_demo(other, n_clients=200, seed=7)
    foreign = Store.open(other).backup("manual")
    before = (demo_dir / "branchdesk.db").read_bytes()
    done = run_cli("restore", str(foreign), "--yes", "--discard-unsent")
    assert done.returncode == 1, done.stderr
    assert "另一个数据库" in done.stderr
    assert (demo_dir / "branchdesk.db").read_bytes() == before
