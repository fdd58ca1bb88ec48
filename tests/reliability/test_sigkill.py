"""SIGKILL in the middle of a 100,000-row write: nothing committed is lost,
nothing half-written is left (client row, tags, search terms and journal row
are all there, or none of them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.store import Store
from tests.conftest import REPO

TOTAL = 100_000
BATCH = 500


def _run_and_kill(data_dir: Path, kill_after_batches: int, extra_delay: float) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.bulk_writer", str(data_dir), str(TOTAL), str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=os.environ.copy(),
    )
    committed = 0
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("committed"):
                committed = int(line.split()[1])
                if committed >= kill_after_batches * BATCH:
                    break
        # Let it get into the middle of the next transaction, then kill without warning.
        time.sleep(extra_delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # Lines printed before the kill may still be in the pipe.
        for line in proc.stdout.read().splitlines():
            if line.startswith("committed"):
                committed = int(line.split()[1])
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    return committed


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize(("batches", "delay"), [(3, 0.0), (11, 0.05), (24, 0.13)])
def test_sigkill_mid_write_keeps_every_committed_row_and_no_partial_one(
    demo_dir: Path, batches: int, delay: float
) -> None:
    before = _counts(demo_dir)
    committed = _run_and_kill(demo_dir, batches, delay)
    assert committed >= batches * BATCH

    store = Store.open(demo_dir)
    store.check(full=True)  # integrity_check passes after the crash
    db = store.connect()
    c = db.conn
    new_clients = c.execute("SELECT count(*) FROM clients WHERE uid LIKE 'kill-test-%'").fetchone()[0]
    # Every committed row is there; anything beyond is whole batches only.
    assert new_clients >= committed
    assert new_clients % BATCH == 0
    assert new_clients < TOTAL
    ids = [r[0] for r in c.execute("SELECT uid FROM clients WHERE uid LIKE 'kill-test-%' ORDER BY uid")]
    assert ids == [f"kill-test-{i:06d}" for i in range(new_clients)]
    # ...each with its journal row and its search terms, and no orphan journal rows.
    journal_rows = c.execute(
        "SELECT count(*) FROM journal WHERE row_uid LIKE 'kill-test-%' AND op = 'insert'"
    ).fetchone()[0]
    assert journal_rows == new_clients
    orphans = c.execute(
        "SELECT count(*) FROM journal j WHERE j.row_uid LIKE 'kill-test-%'"
        " AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.uid = j.row_uid)"
    ).fetchone()[0]
    assert orphans == 0
    after = _counts(demo_dir)
    assert after["search"] == before["search"] + new_clients
    assert after["clients"] == before["clients"] + new_clients
    db.close()


def _counts(data_dir: Path) -> dict[str, int]:
    store = Store.open(data_dir)
    db = store.connect(readonly=True)
    try:
        return {
            "clients": db.conn.execute("SELECT count(*) FROM clients").fetchone()[0],
            "search": db.conn.execute("SELECT count(*) FROM client_search").fetchone()[0],
        }
    finally:
        db.close()
