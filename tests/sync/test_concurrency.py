"""Many devices pushing at once while others pull with cursors, against head office run as
``branchdesk-hq serve --workers 2`` (two processes on one database), on SQLite and PostgreSQL.

Three branches in two counties; eight devices push batches of new ``contact`` records from
threads for a few seconds, head office publishes records every branch sees at the same time,
and reader devices pull incrementally, following the cursor, while all that runs: one or two
per branch and a county manager's device reading both branches of county 500229 (small
pages, so a pull often ends on a row that is still being written around). After the writers
stop, each reader pulls to the end. Each reader's stream must hold every record a push to a
branch it reads reported applied, and every shared record published, exactly once (none
skipped by a cursor, none doubled), and nothing else. Bounded: a few seconds of load, well
under 30 s a backend.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sync import protocol as p
from sync.server.store import HQStore
from tests.support.hq import start_hq_process

BRANCHES = {"500229-01": 3, "500229-02": 3, "500230-01": 2}  # branch -> pushing devices (two counties)
READERS = {"500229-01": (7, 200), "500229-02": (25,), "500230-01": (25,)}  # branch -> each reader's page size
COUNTY = "500229"  # a county device reads both its branches, merged on seq
PUSH_SECONDS = 4.0
BATCH = 25
WORKERS = 2


@dataclass
class Branch:
    code: str
    client: str
    staff: str
    pushers: list[str] = field(default_factory=list)  # device tokens
    readers: list[str] = field(default_factory=list)


def _seed(store: HQStore) -> dict[str, Branch]:
    """Branches, the shared reference rows a contact needs, one client and one staff member each, devices."""
    store.publish("township", None, [{"uid": "T01", "code": "T01", "name": "葛城镇"}])
    store.publish("village", None, [{"uid": "V01", "code": "V01", "township": "T01", "name": "东安村", "groups": 3}])
    out: dict[str, Branch] = {}
    for i, (code, pushers) in enumerate(BRANCHES.items()):
        store.create_branch(code, f"网点{i}")
        b = Branch(code, client=f"cl-{code}", staff=f"S{i:03d}")
        store.publish("staff", code, [{"uid": b.staff, "code": b.staff, "name": f"员工{i}", "role": "manager"}])
        store.publish("client", code, [{
            "uid": b.client, "client_no": f"CQ{i:06d}", "kind": "individual", "name": f"客户{i}", "village": "V01",
            "segment": "farmer", "lifecycle": "new",
        }])
        for n in range(pushers + len(READERS[code])):
            _dev, code_ = store.new_enrolment(code, f"pc{n}")
            (b.pushers if n < pushers else b.readers).append(store.enrol(code_, f"pc{n}")[1])
        out[code] = b
    return out


def _headers(token: str) -> dict[str, str]:
    return {p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION), "Authorization": f"Bearer {token}"}


class Pusher(threading.Thread):
    """One device: batches of new contacts until ``stop``; the uids head office said it applied."""

    def __init__(self, base: str, b: Branch, token: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.b, self.token, self.stop_ = base, b, token, stop
        self.applied: list[str] = []
        self.error: str | None = None

    def run(self) -> None:
        try:
            with requests.Session() as s:
                s.headers.update(_headers(self.token))
                while not self.stop_.is_set():
                    changes = [{
                        "change_id": str(uuid.uuid4()), "kind": "contact", "uid": str(uuid.uuid4()), "op": "insert",
                        "after": {"client_uid": self.b.client, "staff": self.b.staff, "date": "2026-12-03",
                                  "channel": "visit", "outcome": "已联系", "note": "并发测试"},
                    } for _ in range(BATCH)]
                    r = s.post(f"{self.base}/v1/branches/{self.b.code}/push", json={"changes": changes}, timeout=30)
                    assert r.status_code == 200, (r.status_code, r.text[:500])
                    results = r.json()["results"]
                    assert [x["change_id"] for x in results] == [c["change_id"] for c in changes]
                    bad = [x for x in results if x["status"] != p.APPLIED]
                    assert not bad, bad[:3]
                    self.applied += [c["uid"] for c in changes]
        except BaseException as exc:
            self.error = f"{type(exc).__name__}: {exc}"


class Reader(threading.Thread):
    """One device pulling after its cursor again and again until ``stop``, then once to the end.
    ``branch``: the branch in its path (its own); ``reads``: the branches whose records it sees."""

    def __init__(self, base: str, branch: str, token: str, limit: int, stop: threading.Event,
                 reads: tuple[str, ...] = ()) -> None:
        super().__init__(daemon=True)
        self.base, self.branch, self.token, self.limit, self.stop_ = base, branch, token, limit, stop
        self.reads = reads or (branch,)
        self.seen: list[tuple[str, str]] = []  # (kind, uid) in the order pulled
        self.cursor = 0
        self.pulls = 0
        self.error: str | None = None

    def pull_to_end(self, s: requests.Session) -> None:
        while True:
            r = s.get(f"{self.base}/v1/branches/{self.branch}/pull",
                      params={"after": self.cursor, "limit": self.limit}, timeout=30)
            assert r.status_code == 200, (r.status_code, r.text[:500])
            page = r.json()
            self.pulls += 1
            rows = [(row[0], kind, row[1]) for kind, part in page["kinds"].items() for row in part["rows"]]
            assert len(rows) <= self.limit
            assert all(seq > self.cursor for seq, _k, _u in rows), "a row at or before the cursor"
            assert page["cursor"] >= max((seq for seq, _k, _u in rows), default=self.cursor)
            self.seen += [(kind, uid) for _seq, kind, uid in sorted(rows)]
            self.cursor = page["cursor"]
            if not page["more"]:
                return

    def run(self) -> None:
        try:
            with requests.Session() as s:
                s.headers.update(_headers(self.token))
                while not self.stop_.is_set():
                    self.pull_to_end(s)
                    time.sleep(0.01)
        except BaseException as exc:
            self.error = f"{type(exc).__name__}: {exc}"


class Publisher(threading.Thread):
    """Head office publishing tags every branch sees, in small batches, while the devices sync."""

    def __init__(self, store: HQStore, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.store, self.stop_ = store, stop
        self.published: list[str] = []
        self.error: str | None = None

    def run(self) -> None:
        try:
            n = 0
            while not self.stop_.is_set():
                rows = [{"uid": f"hq_c{n + i}", "code": f"hq_c{n + i}", "name": f"标签{n + i}", "source": "hq"}
                        for i in range(5)]
                self.store.publish("tag", None, rows)
                self.published += [r["uid"] for r in rows]
                n += 5
                time.sleep(0.05)
        except BaseException as exc:
            self.error = f"{type(exc).__name__}: {exc}"


def test_concurrent_pushes_and_cursor_pulls_see_every_record_once(hq_db_url: str, tmp_path: Path) -> None:
    t0 = time.monotonic()
    store = HQStore.open(hq_db_url)
    branches = _seed(store)
    _dev, enrol_code = store.new_enrolment(None, "县支行", county=COUNTY)
    county_token = store.enrol(enrol_code, "县支行")[1]
    seeded = [("township", "T01"), ("village", "V01")]
    before = {code: [*seeded, ("staff", b.staff), ("client", b.client)] for code, b in branches.items()}
    hq = start_hq_process(hq_db_url, workers=WORKERS, log_dir=tmp_path)
    try:
        stop_writers, stop_readers = threading.Event(), threading.Event()
        readers = [Reader(hq.url, b.code, token, limit, stop_readers)
                   for b in branches.values() for token, limit in zip(b.readers, READERS[b.code], strict=True)]
        readers.append(Reader(hq.url, COUNTY, county_token, 40, stop_readers,
                              reads=tuple(code for code in branches if code.startswith(COUNTY + "-"))))
        pushers = [Pusher(hq.url, b, token, stop_writers) for b in branches.values() for token in b.pushers]
        publisher = Publisher(store, stop_writers)
        for t in (*readers, *pushers, publisher):
            t.start()
        time.sleep(PUSH_SECONDS)
        stop_writers.set()
        for t in (*pushers, publisher):
            t.join(timeout=40)
        stop_readers.set()
        for t in readers:
            t.join(timeout=40)
        errors = [t.error for t in (*readers, *pushers, publisher) if t.error or t.is_alive()]
        assert not errors, f"{errors}\n{hq.output()[-3000:]}"
        with requests.Session() as s:  # to the end, after the last write
            for r in readers:
                s.headers.update(_headers(r.token))
                r.pull_to_end(s)
        stored = {code: sum(1 for _ in store.records(code, "contact")) for code in branches}
    finally:
        hq.stop()
        store.engine.dispose()
    elapsed = time.monotonic() - t0

    shared = [("tag", uid) for uid in publisher.published]
    for r in readers:
        applied = [("contact", uid) for t in pushers if t.b.code in r.reads for uid in t.applied]
        expected = Counter([x for code in r.reads for x in before[code]] + applied + shared)
        got = Counter(r.seen)
        who = f"{r.branch} (pages of {r.limit})"
        doubled = [k for k, n in got.items() if n > 1]
        assert not doubled, f"{who}: {len(doubled)} records pulled twice, e.g. {doubled[:3]}"
        missing = expected.keys() - got.keys()
        assert not missing, f"{who}: {len(missing)} records never pulled, e.g. {list(missing)[:3]}"
        extra = got.keys() - expected.keys()
        assert not extra, f"{who}: {len(extra)} records not its own, e.g. {list(extra)[:3]}"
        assert r.pulls > 5, "the reader should have pulled while the pushes ran"
    assert all(t.applied for t in pushers), "every device should have pushed while the others did"
    assert stored == {code: sum(len(t.applied) for t in pushers if t.b.code == code) for code in branches}
    pushed = sum(len(t.applied) for t in pushers)
    print(f"\n{hq_db_url.split(':')[0]}, {WORKERS} workers: {pushed:,} contacts in {pushed // BATCH} pushes "
          f"by {len(pushers)} devices, {len(publisher.published)} shared records published, "
          f"{sum(r.pulls for r in readers)} pulls by {len(readers)} readers; {elapsed:.1f} s in all")
    assert elapsed < 30
