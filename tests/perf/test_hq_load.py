"""Head office under load (issue 22): many branch devices pushing at once (run with -m perf -s).

    .venv/bin/pytest -m perf -s -p no:cacheprovider tests/perf/test_hq_load.py
    BRANCHDESK_HQ_LOAD=quick .venv/bin/pytest -m perf -s -p no:cacheprovider tests/perf/test_hq_load.py

Head office runs as ``branchdesk-hq serve --workers N`` (its own processes, as in
production) on SQLite and on PostgreSQL (a throwaway cluster on loopback with fsync on, or
``BRANCHDESK_TEST_PG_URL``), with 1, 2 and 4 workers; against each, 10, 50 and 100 devices
(one branch each, five branches a county) push batches of 100 new ``contact`` records as
fast as they are answered, for ``BRANCHDESK_HQ_LOAD_SECONDS`` (10) after a 2 s warm-up. The
bodies are made before the clock starts (gzip, as the workstation sends them, every change
id unique); the devices are threads, one ``requests.Session`` each. Threads are enough: the
load generator spends about 2.5 ms of CPU a push, at most a tenth of one CPU in the runs
below (``gen CPU``, printed so the figures can be read against it), so a process pool would
only take memory and start-up time from the two CPUs head office needs.
``BRANCHDESK_HQ_LOAD=quick``: 50 devices, 1 and 2 workers.

Printed per configuration: pushes/s and records/s, push latency p50/p95/p99, and the poll of
a quiet branch (its own county, pushes nothing; a pull with an up-to-date cursor every
100 ms) p50/p95 while the load runs and idle after it. Then the check: each branch's
contact records at head office (the records, the pushed-change log, the checkpoint
summary) equal what its pushes were told was applied.

Figures on 2026-12-03 (second run of the day), this machine: 2 CPUs shared by head office,
PostgreSQL 15 and the load generator. A push's lookups probe the primary key once per key
(LATERAL ... OFFSET 0: with stale statistics ``IN (...)`` was planned as a scan of the branch
with the keys as a filter, growing with every push); rows go in as one JSON recordset (psycopg
quoted each text-array element with a regular expression: 23 ms of CPU a push); locks, lookups
and the county's lock in 5 fewer round trips; a quiet poll answered from the scopes'
high-water marks in one statement, the token checked in one. Push latency and polls in ms:

    backend     workers devices pushes/s records/s   p50   p95   p99  poll p50/p95 load  idle      gen CPU
    sqlite            1      10     42.4     4,240    52  1303  3064        15 /   26    5 / 7       0.10
    sqlite            1      50     42.8     4,280   915  2445  4305       850 / 1316    5 / 6       0.10
    sqlite            1     100     31.1     3,110  2848  4558  5937      2478 / 3035    6 / 7       0.08
    sqlite            2      10     45.3     4,530    48  1221  2346         8 /   19    5 / 6       0.11
    sqlite            2      50     47.7     4,770   663  3188  5396       148 /  415    5 / 7       0.09
    sqlite            2     100     51.5     5,150  1590  3878  5462      1425 / 2254    5 / 7       0.09
    sqlite            4      10     45.7     4,570    47  1178  2524        11 /   23    5 / 6       0.11
    sqlite            4      50     50.7     5,070   131  4590  6891         7 /   15    5 / 6       0.11
    sqlite            4     100     37.9     3,790  1663  5755  8805      2665 / 5349    7 / 8       0.10
    postgresql        1      10     41.4     4,140   234   336   411        51 /   81    7 / 8       0.10
    postgresql        1      50     47.7     4,770  1074  1330  1524       713 /  893    7 / 9       0.11
    postgresql        1     100     42.1     4,210  2319  2899  3059      2129 / 2524    7 / 9       0.09
    postgresql        2      10     53.4     5,340   183   270   298        44 /   75    7 / 8       0.12
    postgresql        2      50     67.7     6,770   728   990  1126       309 /  485    7 / 8       0.12
    postgresql        2     100     61.6     6,160  1642  2570  2954      1729 / 2113    8 / 10      0.12
    postgresql        4      10     69.3     6,930   136   209   293        25 /   47    5 / 7       0.13
    postgresql        4      50     63.0     6,300   779  1120  1315       116 /  275    6 / 8       0.11
    postgresql        4     100     55.4     5,540  1820  3217  3654      1303 / 1913    7 / 8       0.11

The first run of the day, before these changes: PostgreSQL 20-28 pushes/s (50 devices: 22.8,
23.2 and 27.7 at 1, 2 and 4 workers), idle polls 10-15 ms at p50. Runs vary by a quarter or more
on this shared machine. Against the goal (at 50 devices, 200 pushes/s with p95 <= 500 ms, a
quiet poll <= 2 ms at p95) this is a third: the two CPUs are the limit. A worker spends about
22 ms of CPU on a push of 100 contacts (about 15 ms of it in the store: checking each change
against its kind, hashing, a dozen statements through SQLAlchemy and psycopg; the rest in
FastAPI, JSON and HTTP), PostgreSQL 4-8 ms; one worker is bound by its GIL at ~45 pushes/s
(the machine 60 % busy), two workers fill both CPUs. An idle poll costs head office about
2.5 ms in process (token 0.6 ms, high-water marks 0.7 ms, FastAPI the rest); the 5-7 ms measured
here include the ``requests`` client (1.2 ms against ``http.client``) and loopback HTTP.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from sync import protocol as p
from sync.server.store import HQStore
from tests.support.hq import PostgresCluster, RunningHQProcess, start_hq_process

QUICK = os.environ.get("BRANCHDESK_HQ_LOAD", "").lower() == "quick"
DEVICES = (50,) if QUICK else (10, 50, 100)
WORKERS = (1, 2) if QUICK else (1, 2, 4)
SECONDS = float(os.environ.get("BRANCHDESK_HQ_LOAD_SECONDS", "10"))
WARMUP = 2.0
BATCH = 100
PER_COUNTY = 5
QUIET = "599999-01"  # the quiet branch, a county of its own
POLL_EVERY = 0.1
PG_SETTINGS = {"max_connections": "300"}  # 4 workers x (pool 20 + overflow 10) and the benchmark's own


def _code(i: int) -> str:
    return f"{510000 + i // PER_COUNTY}-{i % PER_COUNTY + 1:02d}"


@dataclass
class Device:
    branch: str
    client: str
    staff: str
    token: str
    bodies: list[bytes] = field(default_factory=list)
    sent: int = 0  # bodies used
    ran_out: int = 0  # times it needed more bodies while the clock ran
    applied: int = 0  # records head office said it applied, this phase
    latencies: list[float] = field(default_factory=list)  # seconds, of pushes answered in the measured window
    error: str | None = None


def _seed(store: HQStore, n: int) -> tuple[list[Device], str]:
    """``n`` branches with one device, a client and a staff member each, and the quiet branch's device."""
    store.publish("township", None, [{"uid": "T01", "code": "T01", "name": "葛城镇"}])
    store.publish("village", None, [{"uid": "V01", "code": "V01", "township": "T01", "name": "东安村", "groups": 3}])
    devices = []
    for i in range(n):
        code = _code(i)
        store.create_branch(code, f"网点{i}")
        staff, client = f"S{i:04d}", f"cl-{code}"
        store.publish("staff", code, [{"uid": staff, "code": staff, "name": f"员工{i}", "role": "manager"}])
        store.publish("client", code, [{"uid": client, "client_no": f"CQ{i:08d}", "kind": "individual",
                                        "name": f"客户{i}", "village": "V01", "segment": "farmer", "lifecycle": "new"}])
        _dev, enrol_code = store.new_enrolment(code, f"pc{i}")
        devices.append(Device(code, client, staff, store.enrol(enrol_code, f"pc{i}")[1]))
    store.create_branch(QUIET, "安静网点")
    _dev, enrol_code = store.new_enrolment(QUIET, "quiet")
    return devices, store.enrol(enrol_code, "quiet")[1]


def _bodies(d: Device, n: int) -> list[bytes]:
    """``n`` push bodies of ``BATCH`` new contacts, gzip-compressed as the workstation sends them."""
    after = json.dumps({"client_uid": d.client, "staff": d.staff, "date": "2026-12-03", "channel": "phone",
                        "outcome": "有意向", "note": "电话回访，客户有意向办理兴农e贷，约下周到网点面谈"},
                       ensure_ascii=False, separators=(",", ":"))
    out = []
    for _ in range(n):
        changes = ",".join(f'{{"change_id":"{uuid.uuid4()}","kind":"contact","uid":"{uuid.uuid4()}",'
                           f'"op":"insert","after":{after}}}' for _ in range(BATCH))
        out.append(gzip.compress(f'{{"changes":[{changes}]}}'.encode(), 5, mtime=0))
    return out


def _headers(token: str) -> dict[str, str]:
    return {p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION), "Authorization": f"Bearer {token}",
            "Content-Type": "application/json", "Accept-Encoding": "gzip"}


def _pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) in milliseconds; 0 when there is nothing."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[min(98, max(0, round(q) - 1))] * 1000


def _push_loop(base: str, d: Device, start: float, end: float, stop: threading.Event) -> None:
    try:
        with requests.Session() as s:
            s.headers.update(_headers(d.token))
            url = f"{base}/v1/branches/{d.branch}/push"
            while not stop.is_set():
                if d.sent == len(d.bodies):  # faster than foreseen: more bodies (the generator's CPU shows it)
                    d.bodies += _bodies(d, 20)
                    d.ran_out += 1
                body = d.bodies[d.sent]
                d.sent += 1
                t0 = time.perf_counter()
                r = s.post(url, data=body, headers={"Content-Encoding": "gzip"}, timeout=120)
                t1 = time.perf_counter()
                if r.status_code != 200:
                    raise AssertionError(f"push answered {r.status_code}: {r.text[:300]}")
                results = r.json()["results"]
                applied = sum(1 for x in results if x["status"] == p.APPLIED)
                d.applied += applied
                if applied != BATCH:
                    raise AssertionError(f"not all applied: {[x for x in results if x['status'] != p.APPLIED][:2]}")
                if start <= t1 <= end:  # answered inside the measured window
                    d.latencies.append(t1 - t0)
                if t1 > end:
                    return
    except Exception as exc:
        d.error = f"{type(exc).__name__}: {exc}"
        stop.set()


class QuietPoller:
    """The quiet branch's device: its cursor up to date, a pull every ``POLL_EVERY`` s."""

    def __init__(self, base: str, token: str) -> None:
        self.url = f"{base}/v1/branches/{QUIET}/pull"
        self.s = requests.Session()
        self.s.headers.update(_headers(token))
        self.cursor = 0
        while True:
            page = self._pull()
            if not page["more"]:
                break

    def _pull(self) -> dict:
        r = self.s.get(self.url, params={"after": self.cursor, "limit": 1000}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        page = r.json()
        self.cursor = page["cursor"]
        return page

    def poll(self) -> float:
        t0 = time.perf_counter()
        page = self._pull()
        took = time.perf_counter() - t0
        assert not page["kinds"], "the quiet branch got records it did not expect"
        return took

    def during(self, start: float, end: float, out: list[float]) -> None:
        while time.perf_counter() < end:
            took = self.poll()
            if time.perf_counter() >= start:
                out.append(took)
            time.sleep(POLL_EVERY)


@dataclass
class Row:
    backend: str
    workers: int
    devices: int
    pushes_s: float
    push_ms: tuple[float, float, float]
    poll_load: tuple[float, float]
    poll_idle: tuple[float, float]
    gen_cpu: float  # the load generator's CPU seconds per wall second (1.0: one core)
    pushes: int
    ran_out: int = 0

    def line(self) -> str:
        return (f"{self.backend:<11} {self.workers:>7} {self.devices:>7} {self.pushes_s:>8.1f} "
                f"{self.pushes_s * BATCH:>9,.0f} {self.push_ms[0]:>5.0f} {self.push_ms[1]:>5.0f} "
                f"{self.push_ms[2]:>5.0f} {self.poll_load[0]:>9.0f} / {self.poll_load[1]:>4.0f} "
                f"{self.poll_idle[0]:>4.0f} / {self.poll_idle[1]:<4.0f} {self.gen_cpu:>7.2f}"
                + (f"  ({self.ran_out} devices made more bodies while timed)" if self.ran_out else ""))


HEADER = ("backend     workers devices pushes/s records/s   p50   p95   p99  poll p50/p95 load  idle      gen CPU\n"
          "                                                  (push, ms)        (quiet branch, ms)")


def _phase(backend: str, hq: RunningHQProcess, devices: list[Device], quiet: QuietPoller, workers: int) -> Row:
    """``devices`` push for WARMUP + SECONDS; the quiet branch polls; then idle polls."""
    expected = (WARMUP + SECONDS) * 300 / len(devices) + 20  # bodies a device may need (fair share of 300/s)
    for d in devices:
        d.bodies, d.sent, d.applied, d.latencies, d.error, d.ran_out = _bodies(d, int(expected)), 0, 0, [], None, 0
    stop = threading.Event()
    t_start = time.perf_counter()
    start, end = t_start + WARMUP, t_start + WARMUP + SECONDS
    cpu0 = time.process_time()
    threads = [threading.Thread(target=_push_loop, args=(hq.url, d, start, end, stop), daemon=True) for d in devices]
    polls: list[float] = []
    poller = threading.Thread(target=quiet.during, args=(start, end, polls), daemon=True)
    for t in (*threads, poller):
        t.start()
    for t in (*threads, poller):
        t.join(timeout=WARMUP + SECONDS + 180)
    gen_cpu = (time.process_time() - cpu0) / (time.perf_counter() - t_start)
    errors = [d.error for d in devices if d.error]
    assert not errors, f"{errors[:3]}\n{hq.output()[-3000:]}"
    assert not any(t.is_alive() for t in threads), "a device never got its answer"
    idle = []
    time.sleep(0.5)
    for _ in range(50):
        idle.append(quiet.poll())
        time.sleep(0.02)
    latencies = [x for d in devices for x in d.latencies]
    return Row(backend, workers, len(devices), len(latencies) / SECONDS,
               (_pct(latencies, 50), _pct(latencies, 95), _pct(latencies, 99)),
               (_pct(polls, 50), _pct(polls, 95)), (_pct(idle, 50), _pct(idle, 95)), gen_cpu, len(latencies),
               ran_out=sum(1 for d in devices if d.ran_out))


def _check(store: HQStore, devices: list[Device], applied: dict[str, int]) -> None:
    """Each branch's contact records at head office equal what its pushes were told was applied."""
    for d in devices:
        want = applied.get(d.branch, 0)
        records = sum(1 for _ in store.records(d.branch, "contact"))
        logged = store.push_counts(d.branch).get(p.APPLIED, 0)
        summary = store.summaries(d.branch)[1].get("contact")
        counted = summary.count if summary is not None else 0
        assert records == logged == counted == want, (d.branch, records, logged, counted, want)


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(fsync=True, settings=PG_SETTINGS)
    yield cluster
    cluster.stop()


@pytest.mark.perf
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_hq_load(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    rows: list[Row] = []
    most = max(DEVICES)
    for workers in WORKERS:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'hq-{workers}.db'}"
        else:
            url = request.getfixturevalue("pg").new_database()
        store = HQStore.open(url)
        all_devices, quiet_token = _seed(store, most)
        hq = start_hq_process(url, workers=workers, log_dir=tmp_path)
        applied: dict[str, int] = {}
        try:
            quiet = QuietPoller(hq.url, quiet_token)
            for n in DEVICES:
                row = _phase(backend, hq, all_devices[:n], quiet, workers)
                rows.append(row)
                for d in all_devices[:n]:
                    applied[d.branch] = applied.get(d.branch, 0) + d.applied
                    d.bodies = []
                _check(store, all_devices, applied)
                print(("\n" + HEADER + "\n" if len(rows) == 1 else "") + row.line(), flush=True)
            quiet.s.close()
        finally:
            hq.stop()
            store.engine.dispose()
        errors = [line for line in hq.output().splitlines() if "Traceback" in line or " 500 " in line]
        assert not errors, hq.output()[-3000:]
    print(f"\n{backend}: {SECONDS:.0f} s a configuration after {WARMUP:.0f} s warm-up, {BATCH} contacts a push, "
          f"{PER_COUNTY} branches a county" + (", PostgreSQL with fsync on" if backend == "postgresql" else ""))
