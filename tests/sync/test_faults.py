"""Cut the sync at many points; after each, one good sync leaves both sides identical.

Three kinds of fault, all in front of the real service and the real encrypted
store: a TCP proxy cutting the connection after N bytes (both directions,
across the whole cycle), the service answering 500 or stalling before or after
doing the work, and the ``branchdesk sync`` process killed with SIGKILL
mid-pull and mid-push. After every fault: nothing lost (every local change id
reached head office, data equal), nothing doubled (one server change per id,
no extra records), no change left pending.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from app.store import journal
from sync.client.engine import SyncEngine
from sync.server.demo import seed_demo
from tests.conftest import REPO
from tests.support.branch import DEMO_BRANCH, assert_same, client_count, service, sync, workstation
from tests.support.faults import CuttingProxy, Fault, FaultInjector
from tests.support.hq import start_hq


@pytest.fixture(params=["sqlite", "postgresql"])
def faulty_hq(request: pytest.FixtureRequest, tmp_path: Path):
    url = (f"sqlite:///{tmp_path / 'hq.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_cluster").new_database())
    holder: dict[str, FaultInjector] = {}

    def wrap(app):
        holder["f"] = FaultInjector(app)
        return holder["f"]

    running = start_hq(url, app_wrapper=wrap)
    running.faults = holder["f"]
    yield running
    running.stop()


class Workload:
    """Changes on both sides between syncs: branch edits/adds/deletes, head-office publishes."""

    def __init__(self, hq, store, seed: int) -> None:
        self.hq, self.store = hq, store
        self.rng = random.Random(seed)
        self.n = 0

    def step(self) -> None:
        self.n += 1
        db, svc = service(self.store)
        try:
            ids = [r[0] for r in db.conn.execute("SELECT id FROM clients WHERE deleted = 0")]
            for cid in self.rng.sample(ids, 3):
                assert svc.edit(cid, {"notes": f"第 {self.n} 轮走访 {cid}"}).ok
            if self.n % 2:
                village = db.conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
                name = "新客" + "甲乙丙丁戊己庚辛壬癸"[self.n % 10] + "子丑寅卯辰巳午未申酉戌亥"[self.n % 12]
                added = svc.add({"kind": "individual", "name": name, "village": village,
                                 "segment": "farmer", "lifecycle": "new"})
                assert added.ok, added.message
            if self.n % 5 == 0:
                assert svc.delete(self.rng.choice(ids)).ok
            hq_uids = [u for (u,) in db.conn.execute(
                "SELECT uid FROM clients WHERE client_no IS NOT NULL AND deleted = 0")]
        finally:
            db.close()
        self.hq.store.publish("client", DEMO_BRANCH, [
            {"uid": u, "aum_fen": self.rng.randrange(10**9)} for u in self.rng.sample(hq_uids, 3)
        ])


def check_converged(hq, store) -> None:
    report = sync(store)
    assert report.status == "synced", report
    assert_same(hq.store, store)
    db = store.connect(readonly=True)
    try:
        assert journal.pending_count(db) == 0
        local_ids = {r[0] for r in db.conn.execute("SELECT change_id FROM journal WHERE sync_state != 'local'")}
    finally:
        db.close()
    server_ids = {r["change_id"] for r in hq.store.pushed(DEMO_BRANCH, limit=10**6)}
    assert local_ids == server_ids  # nothing lost, and one server change per id (its primary key)
    counts = hq.store.push_counts(DEMO_BRANCH)
    assert sum(counts.values()) == len(local_ids) and set(counts) <= {"applied", "conflict"}, counts


def test_connection_cut_after_n_bytes(faulty_hq, tmp_path: Path):
    hq = faulty_hq
    seed_demo(hq.store, n_clients=300)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    proxy = CuttingProxy(int(hq.url.rsplit(":", 1)[1]))
    work = Workload(hq, store, seed=1)
    base = SyncEngine(store).transport_config
    through_proxy = replace(base, server_url=proxy.url, retries=0, read_timeout=5)
    # calibrate: how many bytes does one cycle carry each way?
    work.step()
    proxy.reset_totals()
    assert SyncEngine(store, transport_config=through_proxy).run().synced
    totals = dict(proxy.totals)
    points = [(d, int(totals[d] * k / 12)) for d in ("up", "down") for k in range(12)]
    failed = 0
    for direction, n in points:
        work.step()
        proxy.arm(n, direction)
        report = SyncEngine(store, transport_config=through_proxy).run()
        proxy.disarm()
        failed += report.status != "synced"
        check_converged(hq, store)
    proxy.close()
    print(f"\ncut points tried: {len(points)} (bytes per cycle up={totals['up']} down={totals['down']},"
          f" cycles cut short: {failed}, connections cut: {proxy.cuts})")
    assert proxy.cuts >= len(points) - 2
    assert failed >= len(points) // 2


FAULTS = [
    Fault("/push", "before", "500"),
    Fault("/push", "after", "500"),
    Fault("/push", "after", "stall"),
    Fault("/pull", "before", "500"),
    Fault("/pull", "after", "500"),
    Fault("/pull", "after", "stall"),
    Fault("/pull", "before", "stall", nth=2),
    Fault("/checkpoint", "after", "500"),
    Fault("/checkpoint", "before", "stall"),
]


def test_server_errors_and_stalls(faulty_hq, tmp_path: Path):
    hq = faulty_hq
    seed_demo(hq.store, n_clients=300)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    work = Workload(hq, store, seed=2)
    impatient = replace(SyncEngine(store).transport_config, retries=0, read_timeout=1.0)
    for fault in FAULTS:
        work.step()
        hq.faults.arm(replace(fault, stall_seconds=2.0))
        report = SyncEngine(store, transport_config=impatient, page_size=2).run()
        assert hq.faults.fault.fired, fault
        assert report.status == "failed" and report.error, (fault, report)
        check_converged(hq, store)
    # with retries (the default), a single 500 or stall is absorbed inside one sync
    for fault in FAULTS[:3]:
        work.step()
        hq.faults.arm(replace(fault, stall_seconds=2.0))
        fast_retry = replace(impatient, retries=3, backoff_base=0.05)
        assert SyncEngine(store, transport_config=fast_retry).run().synced
        check_converged(hq, store)
    print(f"\nserver fault points tried: {len(FAULTS) + 3}")


def _spawn_sync(data_dir: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "sync", "--data-dir", str(data_dir), "--quiet", *extra],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _kill_after(hq, path_part: str, nth: int, delay: float, proc: subprocess.Popen) -> threading.Event:
    """SIGKILL ``proc`` ``delay`` seconds after the service receives the nth request to ``path_part``."""
    hit = threading.Event()
    seen = {"n": 0}

    def tap(path: str) -> None:
        if path_part in path:
            seen["n"] += 1
            if seen["n"] == nth and not hit.is_set():
                hit.set()
                threading.Timer(delay, lambda: proc.poll() is None and os.kill(proc.pid, signal.SIGKILL)).start()

    hq.faults.taps[:] = [tap]
    return hit


def _kill_rounds(hq, store, path_part: str, points, *cli_args: str) -> int:
    """Run ``branchdesk sync`` once per (nth request, delay) point, killing it there; how many died mid-sync."""
    kills = 0
    for nth, delay in points:
        proc = _spawn_sync(store.data_dir, *cli_args)
        hit = _kill_after(hq, path_part, nth, delay, proc)
        if proc.wait(timeout=120) == -signal.SIGKILL and hit.is_set():
            kills += 1
    return kills


def test_sigkill_mid_pull_and_mid_push(hq_sqlite_faulty, tmp_path: Path):
    hq = hq_sqlite_faulty
    seed_demo(hq.store, n_clients=3000)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    # mid-pull: the first sync, 100 records a page
    kills = _kill_rounds(hq, store, "/pull", ((2, 0.0), (4, 0.01), (6, 0.03), (8, 0.005)), "--page-size", "100")
    pulled_before = client_count(store)
    assert 0 < pulled_before <= 3000
    check_converged(hq, store)
    # a first sync killed mid-way had dropped the book's indexes for the load: they are back
    from app.store.bulk import _SORT_INDEX_NAMES, DROPPED_KEY

    db = store.connect(readonly=True)
    names = {n for (n,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert set(_SORT_INDEX_NAMES) <= names
    assert db.conn.execute("SELECT count(*) FROM meta WHERE key = ?", (DROPPED_KEY,)).fetchone()[0] == 0
    db.close()
    assert client_count(store) == 3000
    # mid-push: 1,200 local edits, 100 a batch
    db, svc = service(store)
    ids = [r[0] for r in db.conn.execute("SELECT id FROM clients ORDER BY id LIMIT 1200")]
    for i in ids:
        svc.edit(i, {"notes": f"批量回访 {uuid.uuid4().hex[:6]}"})
    db.close()
    kills += _kill_rounds(hq, store, "/push", ((1, 0.0), (2, 0.02), (3, 0.005), (4, 0.05)), "--push-batch", "100")
    hq.faults.taps.clear()
    check_converged(hq, store)
    assert hq.store.push_counts(DEMO_BRANCH) == {"applied": 1200}
    print(f"\nSIGKILL points tried: 8, processes killed mid-sync: {kills}")
    assert kills >= 7


@pytest.fixture
def hq_sqlite_faulty(tmp_path: Path):
    holder: dict[str, FaultInjector] = {}

    def wrap(app):
        holder["f"] = FaultInjector(app)
        return holder["f"]

    running = start_hq(f"sqlite:///{tmp_path / 'hq.db'}", app_wrapper=wrap)
    running.faults = holder["f"]
    yield running
    running.stop()
