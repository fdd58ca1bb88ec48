"""Pulls from a PostgreSQL read replica (``serve --read-db``): a real hot standby of the tests'
cluster, streaming on loopback. Pages are read there while it holds everything the device can
see; while it lags behind that (its replay paused here), the database answers, so a workstation
never gets older data than it pushed or was told. A replica that cannot be reached is passed
over: the database answers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.server.demo import seed_demo
from sync.server.store import HQStore
from tests.support.branch import DEMO_BRANCH, assert_same, client_count, service, sync, workstation
from tests.support.hq import PostgresStandby, free_port, start_hq, start_hq_process

N = 200


@pytest.fixture(scope="module")
def standby(pg_cluster):
    s = PostgresStandby(pg_cluster)
    yield s
    s.stop()


def _page_reads(engine: Engine) -> list[int]:
    """A counter of the pull pages read through ``engine`` (statements paging records by seq)."""
    seen = [0]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args) -> None:
        if "FROM records" in statement and "ORDER BY records.seq" in statement:
            seen[0] += 1

    return seen


def test_pages_come_from_the_replica_unless_it_lags(pg_cluster, standby, tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    standby.wait_caught_up()
    hq = start_hq(url, replica=standby.url_of(url))
    try:
        on_replica, on_database = _page_reads(hq.store.replica), _page_reads(hq.store.engine)
        seed_demo(hq.store, n_clients=N)
        standby.wait_caught_up()
        store = workstation(tmp_path / "ws", hq.url, hq.store)
        first = sync(store)
        assert first.status == "synced" and client_count(store) == N
        assert on_replica[0] > 0 and on_database[0] == 0  # the first sync read the replica alone
        assert_same(hq.store, store)

        standby.pause()  # the replica stops where it is
        try:
            uids = [u for u, *_ in hq.store.records(DEMO_BRANCH, "client")][:5]
            hq.store.publish("client", DEMO_BRANCH, [{"uid": u, "aum_fen": 777_00} for u in uids])
            db, svc = service(store)
            one = db.conn.execute("SELECT id FROM clients ORDER BY id LIMIT 1").fetchone()[0]
            assert svc.edit(one, {"notes": "副本滞后时的修改"}).ok
            db.close()
            before = on_replica[0]
            lagging = sync(store)
            # the replica has none of it: the database answered, and the sync is whole
            assert lagging.status == "synced", lagging
            assert lagging.pushed == 1 and lagging.acked == 1
            assert lagging.pulled == len(uids)  # head office's five
            assert on_replica[0] == before and on_database[0] > 0
            assert_same(hq.store, store)
        finally:
            standby.resume()
        standby.wait_caught_up()
        again = sync(store)
        assert again.status == "synced" and again.pulled == 0  # nothing twice
        assert client_count(store) == N
    finally:
        hq.stop()


def test_an_unreachable_replica_is_passed_over(pg_cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = pg_cluster.new_database()
    hq = start_hq(url, replica=f"postgresql://hq@127.0.0.1:{free_port()}/nowhere")
    try:
        seed_demo(hq.store, n_clients=N)
        store = workstation(tmp_path / "ws", hq.url, hq.store)
        with caplog.at_level(logging.WARNING, logger="sync.server"):
            report = sync(store)
        assert report.status == "synced" and client_count(store) == N
        assert_same(hq.store, store)
        assert sum("read replica failed" in r.getMessage() for r in caplog.records) == 1  # then left alone a while
    finally:
        hq.stop()


def test_serve_with_workers_reads_the_replica(pg_cluster, standby, tmp_path: Path) -> None:
    """``branchdesk-hq serve --workers 2 --read-db``: both worker processes read pages there."""
    url = pg_cluster.new_database()
    seeded = HQStore.open(url)
    seed_demo(seeded, n_clients=N)
    standby.wait_caught_up()
    replica = standby.url_of(url)
    read_before = standby.rows_read(replica)
    hq = start_hq_process(url, workers=2, log_dir=tmp_path, read_db=replica)
    try:
        store = workstation(tmp_path / "ws", hq.url, seeded)
        report = sync(store)
        assert report.status == "synced" and client_count(store) == N
        assert_same(seeded, store)
        assert standby.rows_read(replica) - read_before >= N  # the clients were read off the standby
    finally:
        hq.stop()
        seeded.engine.dispose()
    assert "Traceback" not in hq.output()
