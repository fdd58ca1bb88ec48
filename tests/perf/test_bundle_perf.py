"""Carried-bundle benchmark (issue 18): prints its figures (run with -m perf -s).

    .venv/bin/python -m pytest -m perf -s tests/perf/test_bundle_perf.py

A branch PC on the 20,000-client demo county, synced, then 10,000 offline edits of
clients (a phone number each; the journal holds 10,000 pending changes). Timed:
``export_bundle`` (read the queue, compress, encrypt, sign, write) ≤ 2 s; head office's
``import_bundle`` (verify, decrypt, apply as a push, read the records back, seal the
reply) ≤ 2 s; the PC's ``import_reply`` (verify, decrypt, record answers, apply the
records, checkpoint) ≤ 2 s. Printed: each time and the bundle's size per change.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.store.db import write
from sync.client import bundle as cb
from sync.server.demo import seed_demo
from tests.support.branch import assert_same, service, sync, workstation
from tests.support.hq import start_hq

CLIENTS = 20_000
CHANGES = 10_000


@pytest.mark.perf
def test_bundle_round_trip_of_ten_thousand_changes(tmp_path: Path) -> None:
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        _round_trip(hq, tmp_path)
    finally:
        hq.stop()


def _round_trip(hq, tmp_path: Path) -> None:
    seed_demo(hq.store, n_clients=CLIENTS)
    store = workstation(tmp_path / "ws", hq.url, hq.store)
    assert sync(store).synced
    db, svc = service(store)
    try:
        ids = [r[0] for r in db.conn.execute("SELECT id FROM clients WHERE client_no IS NOT NULL ORDER BY id LIMIT ?",
                                             (CHANGES,))]
        t0 = time.perf_counter()
        with write(db):  # one transaction for the setup: each edit journaled as the app does it
            for n, cid in enumerate(ids):
                assert svc.edit(cid, {"mobile": f"137{n:08d}"}).ok
        edit_s = time.perf_counter() - t0
    finally:
        db.close()
    assert len(ids) == CHANGES

    out = tmp_path / "b.bdbundle"
    t0 = time.perf_counter()
    exported = cb.export_bundle(store, out)
    export_s = time.perf_counter() - t0
    data = out.read_bytes()

    t0 = time.perf_counter()
    reply, summary = hq.store.import_bundle(data)
    hq_s = time.perf_counter() - t0
    (tmp_path / "r.bdbundle").write_bytes(reply)

    t0 = time.perf_counter()
    got = cb.import_reply(store, tmp_path / "r.bdbundle")
    reply_s = time.perf_counter() - t0

    print(
        f"\ncarried bundle, {CHANGES:,} pending changes on a {CLIENTS:,}-client book "
        f"(edits made in {edit_s:.1f} s):\n"
        f"  export_bundle   {export_s:6.2f} s   bundle {len(data) / 1024:,.0f} KB"
        f" = {len(data) / CHANGES:.0f} B/change\n"
        f"  HQ import       {hq_s:6.2f} s   ({summary.counts}, {summary.records:,} records back)\n"
        f"  import_reply    {reply_s:6.2f} s   reply {len(reply) / 1024:,.0f} KB = {len(reply) / CHANGES:.0f} B/change"
        f" ({got.acked:,} acked, {got.pulled:,} records applied, {got.status})"
    )
    assert exported.changes == CHANGES and summary.counts == {"applied": CHANGES}
    assert got.acked == CHANGES and got.status == cb.SYNCED
    assert_same(hq.store, store)
    assert export_s <= 2 and hq_s <= 2 and reply_s <= 2, (export_s, hq_s, reply_s)
