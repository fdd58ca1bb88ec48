"""Sync at scale: first sync at 20,000, 200,000 and 1,000,000 clients in one run (``-m perf -s``).

For each size, head office (``branchdesk-hq serve`` in its own process, SQLite,
seeded with the demo county once and cached under ``BRANCHDESK_PERF_DIR``)
serves a fresh encrypted workstation. Printed per size: records, seconds,
records/s, microseconds per record (wall and the workstation's CPU), the time
spent waiting for head office and applying pages. Then:

* an incremental sync of 1,000 local changes at the largest size (goal <= 1 s);
* after a first sync of 200,000, head office changes 10,000 clients and the
  workstation pulls them (goal <= 2 s);
* the cost per record at the largest size against the smallest (goal <= 1.3x).

Targets from the issue (at 1M: >= 25,000 records/s) were set on a faster
machine of this kind; the run also prints this machine's Python speed so the
figures can be compared across machines. Sizes: ``BRANCHDESK_SYNC_SCALES``
(default ``20000,200000,1000000``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from app.store.store import Store
from sync.client.engine import SyncEngine, enrol
from sync.server.demo import seed_demo
from sync.server.store import HQStore
from tests.conftest import REPO
from tests.support.branch import DEMO_BRANCH, client_count, service
from tests.support.hq import free_port

SCALES = [int(x) for x in os.environ.get("BRANCHDESK_SYNC_SCALES", "20000,200000,1000000").split(",")]
PAGE = 20_000


def _hq_copy(perf_dir: Path, n: int, work: Path) -> Path:
    """A working copy of head office seeded with ``n`` demo clients (the seeded file is cached)."""
    cached = perf_dir / f"hq-sync-{n}.db"
    if not cached.exists():
        tmp = perf_dir / f"hq-sync-{n}.building.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        t0 = time.perf_counter()
        hq = HQStore.open(f"sqlite:///{tmp}")
        seed_demo(hq, n_clients=n)
        hq.engine.dispose()
        with contextlib.closing(sqlite3.connect(tmp)) as c:  # one self-contained file to copy
            c.execute("PRAGMA journal_mode = DELETE")
        os.replace(tmp, cached)
        print(f"\n  (head office seeded with {n:,} clients in {time.perf_counter() - t0:.0f} s, cached)")
    target = work / f"hq-{n}.db"
    shutil.copyfile(cached, target)
    return target


class _Server:
    def __init__(self, db: Path) -> None:
        self.url = f"sqlite:///{db}"
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--db", self.url, "serve", "--port", str(port)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if requests.get(self.base + "/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        self.hq = HQStore.open(self.url)

    def workstation(self, folder: Path) -> Store:
        store = Store.open(folder, create=True)
        _device, code = self.hq.new_enrolment(DEMO_BRANCH, "perf")
        enrol(store, self.base, code)
        return store

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.hq.engine.dispose()


def _timed_sync(store: Store) -> tuple[object, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    report = SyncEngine(store, page_size=PAGE, recount=False).run()
    return report, time.perf_counter() - t0, time.process_time() - c0


def _python_speed() -> float:
    """Seconds for 10 million integer additions in a Python loop (this machine's speed)."""
    t0 = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t0


@pytest.mark.perf
@pytest.mark.timeout(4 * 3600)
def test_first_sync_scales_and_incremental_syncs(perf_dir: Path, tmp_path: Path) -> None:
    lines = [f"\nsync at scale (page {PAGE:,}; Python: 10M additions in {_python_speed():.2f} s on this machine)"]
    per_record: dict[int, float] = {}
    for n in SCALES:
        server = _Server(_hq_copy(perf_dir, n, tmp_path))
        try:
            store = server.workstation(tmp_path / f"ws-{n}")
            report, wall, cpu = _timed_sync(store)
            assert report.status == "synced", report
            assert client_count(store) == n
            per_record[n] = wall / report.pulled
            lines.append(
                f"  first sync {n:>9,} clients: {report.pulled:>9,} records {wall:7.2f} s "
                f"{report.pulled / wall:>8,.0f} records/s  {wall / report.pulled * 1e6:6.1f} µs/record "
                f"(workstation CPU {cpu / report.pulled * 1e6:5.1f} µs)  waiting for head office "
                f"{report.wait_seconds:5.2f} s, applying {report.apply_seconds:6.2f} s"
            )
            if n == 200_000 or (n == SCALES[-1] and 200_000 not in SCALES):
                # head office changes 10,000 clients; the workstation pulls them
                uids = [u for u, *_ in server.hq.records(DEMO_BRANCH, "client")][:10_000]
                changed = [{"uid": u, "aum_fen": 888_00 + i} for i, u in enumerate(uids)]
                server.hq.publish("client", DEMO_BRANCH, changed)
                inc, wall, _cpu = _timed_sync(store)
                assert inc.status == "synced" and inc.pulled == len(uids), inc
                lines.append(f"    pulling {len(uids):,} head-office changes after it: {wall:5.2f} s  [goal <= 2 s]")
            if n == SCALES[-1]:
                db, svc = service(store)
                ids = [r[0] for r in db.conn.execute("SELECT id FROM clients ORDER BY id LIMIT 1000")]
                for i in ids:
                    assert svc.edit(i, {"notes": f"回访记录 {i}"}).ok
                db.close()
                inc, wall, _cpu = _timed_sync(store)
                assert inc.status == "synced" and inc.acked == 1000 and inc.pulled == 1000, inc
                lines.append(
                    f"    incremental sync of 1,000 local changes at {n:,}: {wall:5.2f} s  [goal <= 1 s]"
                    f"  (push {inc.phase_seconds.get('push', 0):.2f} s, pull {inc.phase_seconds.get('pull', 0):.2f} s,"
                    f" verify {inc.phase_seconds.get('verify', 0):.2f} s)"
                )
        finally:
            server.stop()
    small, large = SCALES[0], SCALES[-1]
    lines.append(
        f"  cost per record at {large:,} / at {small:,}: {per_record[large] / per_record[small]:.2f}x  [goal <= 1.3x]"
    )
    print("\n".join(lines))
