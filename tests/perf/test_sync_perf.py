"""Sync benchmark: 200,000 clients + 20,000 whitelist entries over loopback (run with -m perf -s).

The head-office service runs as its own process (``branchdesk-hq serve``, as in
production), the workstation is a fresh encrypted store. Figures printed:

* initial sync, end to end (push nothing, pull every page, apply, checkpoint):
  seconds and records/s; goal >= 20,000 records/s (200,000 clients in <= 10 s);
* bytes on the wire per client record (gzip bodies); goal <= 120 B;
* an incremental sync of 1,000 local changes; goal <= 2 s;
* the same client rows bulk-inserted straight into another fresh store
  (``app.store.bulk.load_clients``, same batch size as a page), once keeping the
  indexes and once dropping and rebuilding them as a first sync does: the raw
  local insert rates, and sync throughput as a ratio of each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from app.store import bulk
from app.store.store import Store
from sync import protocol as p
from sync.client.config import SyncSettings, load_token
from sync.client.engine import SyncEngine, enrol
from sync.client.transport import Transport
from sync.server.demo import demo_records
from sync.server.sheets import UID_NAMESPACE as _UID_NS
from sync.server.store import HQStore
from tests.conftest import REPO
from tests.support.branch import DEMO_BRANCH, client_count, service
from tests.support.hq import free_port

CLIENTS = int(os.environ.get("BRANCHDESK_SYNC_PERF_CLIENTS", "200000"))
WHITELIST = CLIENTS // 10
PAGE = 5000


def _seed(url: str) -> dict[str, int]:
    hq = HQStore.open(url)
    hq.create_branch(DEMO_BRANCH, "城口县支行葛城网点")
    counts: dict[str, int] = {}
    clients: list[dict] = []
    for kind, branch, rows in demo_records(seed=2026, n_clients=CLIENTS):
        if kind == "whitelist":
            continue
        if kind == "client":
            clients = rows
        counts[kind] = counts.get(kind, 0) + hq.publish(kind, branch, rows)
    eligible = [c for c in clients if c["client_no"]][:WHITELIST]
    counts["whitelist"] = hq.publish("whitelist", DEMO_BRANCH, [
        {"uid": str(uuid.uuid5(_UID_NS, f"wl:{c['uid']}")), "client_uid": c["uid"], "client_no": c["client_no"],
         "product": "xingnong_e_dai", "limit_fen": 50_000_00 + (i % 25) * 10_000_00, "rate_bp": 385,
         "valid_from": "2026-10-01", "valid_to": "2027-09-30", "batch": "2026Q4"}
        for i, c in enumerate(eligible)
    ])
    hq.engine.dispose()
    return counts


@pytest.mark.perf
def test_sync_initial_and_incremental(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    t0 = time.perf_counter()
    counts = _seed(url)
    seed_s = time.perf_counter() - t0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "--db", url, "serve", "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        hq = HQStore.open(url)
        _device, code = hq.new_enrolment(DEMO_BRANCH, "perf")
        store = Store.open(tmp_path / "ws", create=True)
        enrol(store, base, code)

        # --- initial sync ------------------------------------------------------------
        t0 = time.perf_counter()
        report = SyncEngine(store, page_size=PAGE).run()
        initial_s = time.perf_counter() - t0
        assert report.status == "synced", report
        total = sum(counts.values())
        assert report.pulled == total and client_count(store) == CLIENTS

        # bytes per client record: the client pages alone, as the initial sync fetched them
        settings = SyncSettings.load(store.settings)
        t = Transport(settings.transport(), load_token(store.settings, store.data_dir, settings))
        after, n = 0, 0
        while True:
            ans = t.request("GET", f"/v1/branches/{DEMO_BRANCH}/pull",
                            params={"after": after, "limit": PAGE, "kinds": "client"})
            n += sum(len(k["rows"]) for k in ans["kinds"].values())
            after = ans["cursor"]
            if not ans["more"]:
                break
        client_bytes = t.bytes_down
        t.close()
        assert n == CLIENTS

        # --- incremental: 1,000 local changes --------------------------------------------
        db, svc = service(store)
        ids = [r[0] for r in db.conn.execute("SELECT id FROM clients ORDER BY id LIMIT 1000")]
        for i in ids:
            svc.edit(i, {"notes": f"回访记录 {i}"})
        db.close()
        t0 = time.perf_counter()
        inc = SyncEngine(store, page_size=PAGE).run()
        incremental_s = time.perf_counter() - t0
        assert inc.status == "synced" and inc.acked == 1000 and inc.pulled == 1000, inc

        # --- raw local bulk insert of the same client rows ---------------------------------
        # twice: into a store keeping its indexes (the plain insert), and into one that drops
        # and rebuilds them as a first sync does (the best the local store can do)
        town_rows, village_rows, staff_rows, tag_rows, clients = [], [], [], [], []
        for kind, _branch, rows in demo_records(seed=2026, n_clients=CLIENTS):
            if kind == "township":
                town_rows = [{"id": i, "code": r["code"], "name": r["name"]} for i, r in enumerate(rows, 1)]
            elif kind == "village":
                tid = {r["code"]: r["id"] for r in town_rows}
                village_rows = [{"id": i, "township_id": tid[r["township"]], "code": r["code"],
                                 "name": r["name"], "groups": r["groups"]} for i, r in enumerate(rows, 1)]
            elif kind == "staff":
                staff_rows = [{"id": i, "code": r["code"], "name": r["name"], "role": r["role"], "active": 1}
                              for i, r in enumerate(rows, 1)]
            elif kind == "tag":
                tag_rows += [{"id": len(tag_rows) + i, "code": r["code"], "name": r["name"],
                              "source": r["source"], "category": r["category"] or ""}
                             for i, r in enumerate(rows, 1)]
            elif kind == "client":
                clients = rows
        # the reference rows carry their ids, so both stores give a code the same id
        vid = {r["code"]: r["id"] for r in village_rows}
        sid = {r["code"]: r["id"] for r in staff_rows}
        local_rows = [
            {**c, "village_id": vid[c["village"]], "manager_id": sid.get(c["manager"]),
             "tags": [*c["hq_tags"], *c["branch_tags"]]}
            for c in clients
        ]
        raw_s: dict[bool, float] = {}
        for fresh in (False, True):
            rdb = Store.open(tmp_path / f"raw-{fresh}", create=True).connect()
            bulk.load_reference(rdb, townships=town_rows, villages=village_rows, staff=staff_rows, tags=tag_rows)
            t0 = time.perf_counter()
            assert bulk.load_clients(rdb, local_rows, batch_size=PAGE, fresh=fresh) == CLIENTS
            raw_s[fresh] = time.perf_counter() - t0
            rdb.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    sync_rate = total / initial_s
    client_rate = CLIENTS / initial_s
    plain_rate, fresh_rate = CLIENTS / raw_s[False], CLIENTS / raw_s[True]
    per_client = client_bytes / CLIENTS
    print(
        f"\nsync benchmark ({CLIENTS:,} clients + {counts['whitelist']:,} whitelist + "
        f"{total - CLIENTS - counts['whitelist']:,} other records; head office seeded in {seed_s:.1f} s)\n"
        f"  initial sync:      {initial_s:6.2f} s  {sync_rate:,.0f} records/s  ({client_rate:,.0f} clients/s)"
        f"  [goal >= 20,000/s]\n"
        f"    waiting for head office {report.wait_seconds:.2f} s, applying pages {report.apply_seconds:.2f} s,"
        f" phases {report.phase_seconds}\n"
        f"    wire: down {report.bytes_down / 1e6:.1f} MB, up {report.bytes_up / 1e3:.1f} kB,"
        f" {report.bytes_down / total:.1f} B/record overall\n"
        f"  client record:     {per_client:6.1f} B on the wire  [goal <= 120 B]\n"
        f"  incremental sync:  {incremental_s:6.2f} s for 1,000 local changes (pushed + pulled back)  [goal <= 2 s]"
        f"  up {inc.bytes_up / 1e3:.0f} kB down {inc.bytes_down / 1e3:.0f} kB\n"
        f"  raw bulk insert:   {raw_s[False]:6.2f} s  {plain_rate:,.0f} clients/s into a new store, indexes kept\n"
        f"                     {raw_s[True]:6.2f} s  {fresh_rate:,.0f} clients/s with indexes dropped and rebuilt\n"
        f"  ratio:             sync {client_rate / plain_rate:.2f}x the plain insert rate,"
        f" {client_rate / fresh_rate:.2f}x the index-free one (clients/s vs clients/s)"
    )
    assert p.PROTOCOL_VERSION == 1
