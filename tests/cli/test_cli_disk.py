"""Trust at the branch PC (issue 13): a damaged or unusual disk, met on the command line."""

from __future__ import annotations

import os
from pathlib import Path

from app.store.store import Store
from tests.conftest import run_cli

PAGE = 4096


def _damage_middle(path: Path) -> None:
    """Overwrite two pages at a few places past the first fifth of the file (a bad sector, a
    half-written copy): where the client book lies, whatever the demo adds after it."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for share in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            fh.seek(int(size * share) // PAGE * PAGE)
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


def _journal_and_files(data_dir: Path) -> tuple[int, list[str]]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        (n,) = db.conn.execute("SELECT count(*) FROM journal").fetchone()
    finally:
        db.close()
    return n, sorted(p.name for p in data_dir.iterdir())


def _read_only(data_dir: Path, *args: str):
    """Run the CLI with ``data_dir`` mounted read-only (a user and mount namespace: works
    for root, who ignores permission bits, and for an ordinary user alike)."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import REPO

    if shutil.which("unshare") is None:
        raise AssertionError("util-linux unshare is needed (CI installs it)")
    script = f'mount --bind "{data_dir}" "{data_dir}" && mount -o remount,ro,bind "{data_dir}" && exec "$@"'
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "-", sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_a_read_only_data_folder_is_named_and_nothing_is_lost(demo_dir: Path) -> None:
    """Item 12: edit, add, sync, backup, doctor on a read-only folder: a Chinese message, a
    non-zero exit, no traceback, the data as it was."""
    _settle(demo_dir)
    before = _journal_and_files(demo_dir)
    commands = [
        (("clients", "edit", "5", "--notes", "只读"), 3),
        (("clients", "add", "--name", "张三", "--id-number", "110105194912310025", "--mobile", "13812345678",
          "--village", "黄坪村"), 3),
        (("sync",), 3),
        (("backup",), 3),
        (("doctor",), 1),
    ]
    for args, code in commands:
        done = _read_only(demo_dir, *args)
        assert done.returncode == code, (args, done.returncode, done.stderr[-1500:])
        assert "只读" in done.stdout + done.stderr, (args, done.stdout, done.stderr)
        _no_english_internals(done.stderr)
    assert _journal_and_files(demo_dir) == before


def test_a_mistyped_data_folder_is_not_created_and_doctor_fails(tmp_path: Path) -> None:
    """Item 14: reading commands create nothing; doctor says the folder is missing and fails."""
    typo = tmp_path / "BranchDsek"
    for args in (("clients", "list"), ("sync", "status"), ("backup", "--list"), ("clients", "show", "1"),
                 ("restore", "--yes")):
        done = run_cli("--data-dir", str(typo), *args)
        assert done.returncode != 0, args
        assert "Traceback" not in done.stderr
        assert not typo.exists(), f"{args} created the folder"
    doctor = run_cli("--data-dir", str(typo), "doctor")
    assert doctor.returncode == 1
    assert "不存在" in doctor.stdout and not typo.exists()


def test_demo_refuses_to_rebuild_an_existing_demo_without_force(demo_dir: Path) -> None:
    """Item 15: an existing demo with an unsent change is not silently replaced."""
    assert run_cli("clients", "edit", "5", "--notes", "演示中的修改").returncode == 0
    before = (demo_dir / "branchdesk.db").stat().st_mtime_ns, _journal_and_files(demo_dir)
    refused = run_cli("demo", "--clients", "100")
    assert refused.returncode == 1
    assert "1 条尚未同步的变更" in refused.stderr and "5,000 位客户" in refused.stderr
    assert "--force" in refused.stderr
    assert ((demo_dir / "branchdesk.db").stat().st_mtime_ns, _journal_and_files(demo_dir)) == before
    kept = run_cli("demo", "--if-missing")
    assert kept.returncode == 0 and _journal_and_files(demo_dir) == before[1]
    rebuilt = run_cli("demo", "--clients", "100", "--force")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _journal_and_files(demo_dir)[0] == 0


def test_screenshots_leave_the_live_database_alone(demo_dir: Path, tmp_path: Path) -> None:
    """Item 16: the note typed for the history screenshot goes into a throwaway copy."""
    before = _journal_and_files(demo_dir)
    done = run_cli("screenshots", str(tmp_path / "shots"), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    shots = {p.name for p in (tmp_path / "shots").glob("*.png")}
    # book, sync, lists, print, scenarios, reports; the front page and the search; 16 of size, text and colours
    assert len(shots) == 39 and {"0-today.png", "0-search.png", "30-today-1366x768-150-dark.png"} <= shots
    assert _journal_and_files(demo_dir)[0] == before[0]
