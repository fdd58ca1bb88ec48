"""One sync cycle: push the journal, pull pages, confirm a checkpoint with head office.

No Qt. ``SyncEngine.run`` runs on the calling thread (a worker thread in the
desktop app, the main thread in ``branchdesk sync``) with its own connection;
it reports through the ``progress`` callback and stops at the next page or
batch when ``cancelled()`` turns true. Whatever committed before a cut stays:

* push: batches of pending journal rows; each answer is recorded in one local
  transaction (applied/duplicate -> acked, conflict -> conflict + both sides
  kept, rejected -> quarantined with the reason). A lost answer leaves the rows
  pending; sending them again is answered "duplicate". A batch refused as a
  whole (400/422) is split until the bad change is alone and quarantined, so
  one bad change never blocks the queue.
* pull: each page is applied and the cursor saved in one transaction.
* checkpoint: per-kind count + hash of ``uid:seq``; a mismatched kind is pulled
  again in full. The run is "synced" only when the server confirms.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from app.store import bulk, journal, syncdata
from app.store.db import wal_checkpoint, write
from app.store.reference import meta_get, meta_set
from app.store.store import Store
from sync import protocol as p
from sync.client.bundle_keys import ensure_keys, keep_hq_keys, new_keys
from sync.client.config import SyncSettings, load_token, save_token
from sync.client.transport import (
    RequestRejected,
    ServerUnavailable,
    SyncCancelled,
    SyncError,
    Transport,
    TransportConfig,
)

log = logging.getLogger("sync.client")

CLOCK_SKEW_WARN_SECONDS = 300
VERIFY_ROUNDS = 3
RECOUNT_KEY = "sync.recounted_at"
RECOUNT_EVERY_S = 24 * 3600

SYNCED = "synced"
UNCONFIRMED = "unconfirmed"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass
class SyncProgress:
    phase: str  # push | pull | verify
    done: int
    total: int
    message: str


@dataclass
class SyncReport:
    status: str = FAILED
    pushed: int = 0
    acked: int = 0
    duplicates: int = 0
    conflicts: int = 0
    quarantined: int = 0
    pulled: int = 0
    deferred: int = 0
    rejected: int = 0  # pulled records set aside: they broke their kind's declaration (with the reason)
    recounted: bool = False  # the checkpoint totals were recounted from the tables first
    kinds: set[str] = field(default_factory=set)  # kinds of the records pulled (what screens must re-read)
    cursor: int = 0
    high: int = 0
    mismatched: list[str] = field(default_factory=list)
    resynced: list[str] = field(default_factory=list)
    bytes_up: int = 0
    bytes_down: int = 0
    server_time: str | None = None
    skew_seconds: float | None = None
    seconds: float = 0.0
    wait_seconds: float = 0.0  # waiting for head office (network + server work)
    apply_seconds: float = 0.0  # applying pulled pages locally
    phase_seconds: dict[str, float] = field(default_factory=dict)  # push / pull / verify
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def synced(self) -> bool:
        return self.status == SYNCED


def enrol(
    store: Store,
    server_url: str,
    code: str,
    *,
    device_name: str = "",
    proxy: str | None = None,
    ca_bundle: str | None = None,
) -> SyncSettings:
    """Exchange a one-time code for a device token, in two steps. Any thread.

    Head office hands out a token that works only once this PC confirms it has kept
    it. Every local step (the branch of this database, keeping the token where the
    database key is kept, the settings) comes before the confirmation, so a PC that
    fails at any of them leaves the code usable: enrol again once the cause is fixed.
    """
    held = SyncSettings.load(store.settings)
    if "server_url" in held.locked and server_url.strip().rstrip("/") != held.server_url:
        # the address IT set for every PC (app.policy) is the one this PC syncs with
        raise SyncError(f"总行地址由银行 IT 统一设置为 {held.server_url}，不能改用 {server_url.strip()}。"
                        "请用这个地址注册（注册码仍然有效）。")
    cfg = TransportConfig(server_url=server_url, proxy=proxy, ca_bundle=ca_bundle, retries=0)
    t = Transport(cfg)
    try:
        try:
            ans = t.request("POST", "/v1/enrol", body={"code": code, "device_name": device_name}, retry=False)
        except RequestRejected as exc:
            raise SyncError(str(exc)) from exc
        db = store.connect()
        try:
            local_branch = meta_get(db, "branch_code")
        finally:
            db.close()
        if local_branch and local_branch != ans["branch"]:
            raise SyncError(f"注册码属于网点 {ans['branch']}，而本机数据库属于网点 {local_branch}，未注册"
                            "（注册码仍然有效）。")
        # what the PC already chose (interval, stale age, timeouts) stays; the enrolment sets the rest
        s = dataclasses.replace(SyncSettings.load(store.settings), server_url=server_url, branch=ans["branch"],
                                device_id=int(ans["device_id"]), proxy=proxy, ca_bundle=ca_bundle,
                                county=str(ans.get("county") or ""))
        save_token(store.settings, store.data_dir, s, ans["token"])
        keys = new_keys(store, s)  # for carried bundles: head office learns the public halves on confirming
        try:
            t.request("POST", "/v1/enrol/confirm", retry=False,
                      body={"token": ans["token"], "sign_pub": keys.public.sign, "box_pub": keys.public.box})
        except RequestRejected as exc:
            raise SyncError(str(exc)) from exc
    finally:
        t.close()
    db = store.connect()
    try:
        with write(db):
            meta_set(db, "branch_code", ans["branch"])
            meta_set(db, "branch_name", ans.get("branch_name") or "")
            try:
                keep_hq_keys(db, str(ans.get("hq_sign_pub") or ""), str(ans.get("hq_box_pub") or ""))
            except ValueError:
                log.warning("head office sent malformed bundle keys; they will be asked for at the next sync")
    finally:
        db.close()
    s.save(store.settings, store.data_dir)
    log.info("enrolled as device %s of branch %s", s.device_id, s.branch)
    return s


class SyncEngine:
    def __init__(
        self,
        store: Store,
        settings: SyncSettings | None = None,
        *,
        token: str | None = None,
        progress: Callable[[SyncProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        page_size: int = 20_000,
        push_batch: int = 500,
        transport_config: TransportConfig | None = None,
        recount: bool | None = None,
    ) -> None:
        self.store = store
        self.recount = recount  # recount the checkpoint totals from the tables: True, False, None = when due
        self.settings = settings or SyncSettings.load(store.settings)
        if not self.settings.enrolled:
            raise SyncError("本机尚未注册到总行。请先用一次性注册码注册（branchdesk sync enrol）。")
        self.token = token or load_token(store.settings, store.data_dir, self.settings)
        self.progress = progress or (lambda _p: None)
        self.cancelled = cancelled or (lambda: False)
        self.page_size = page_size
        self.push_batch = push_batch
        self.transport_config = transport_config or self.settings.transport()
        self.report = SyncReport()
        self._path = f"/v1/branches/{self.settings.branch}"

    # --- the cycle ------------------------------------------------------------------------

    def run(self) -> SyncReport:
        """Push, pull, verify. Never raises for sync problems: the report says what happened."""
        started = time.monotonic()
        r = self.report = SyncReport()
        self.t = Transport(self.transport_config, self.token, cancelled=self.cancelled)
        db = self.store.connect()
        log_id = syncdata.log_start(db)
        try:
            steps = (("keys", self._keys), ("push", self._push), ("pull", self._pull), ("refetch", self._refetch),
                     ("whose", self._whose), ("verify", self._verify))
            for phase, step in steps:
                t0 = time.monotonic()
                step(db)
                r.phase_seconds[phase] = round(time.monotonic() - t0, 3)
        except SyncCancelled as exc:
            r.status, r.error = CANCELLED, str(exc)
        except SyncError as exc:
            r.status, r.error = FAILED, str(exc)
            log.warning("sync failed: %s", exc)
        finally:
            r.bytes_up, r.bytes_down = self.t.bytes_up, self.t.bytes_down
            r.server_time, r.skew_seconds = self.t.server_time, self.t.skew_seconds
            if r.skew_seconds is not None and abs(r.skew_seconds) > CLOCK_SKEW_WARN_SECONDS:
                minutes = round(abs(r.skew_seconds) / 60)
                r.warnings.append(
                    f"本机时钟与总行相差约 {minutes} 分钟，请校准系统时间。同步顺序以总行为准，不受影响。"
                )
                log.warning("workstation clock is off by %.0f s", r.skew_seconds)
            r.seconds = time.monotonic() - started
            try:
                syncdata.log_update(
                    db, log_id, end=True, status=r.status, pushed=r.pushed, acked=r.acked + r.duplicates,
                    conflicts=r.conflicts, quarantined=r.quarantined, pulled=r.pulled, bytes_up=r.bytes_up,
                    bytes_down=r.bytes_down, cursor=r.cursor, server_time=r.server_time,
                    skew_seconds=r.skew_seconds, error=r.error,
                )
            finally:
                db.close()
                self.t.close()
        log.info(
            "sync %s: pushed=%d acked=%d dup=%d conflicts=%d quarantined=%d pulled=%d up=%dB down=%dB %.2fs",
            r.status, r.pushed, r.acked, r.duplicates, r.conflicts, r.quarantined, r.pulled, r.bytes_up,
            r.bytes_down, r.seconds,
        )
        return r

    def _check(self) -> None:
        if self.cancelled():
            raise SyncCancelled()

    def _keys(self, db: Any) -> None:
        """Bundle keys for a PC enrolled before carried bundles existed (once; a failure only waits)."""
        try:
            ensure_keys(self.store, db, self.settings,
                        lambda body: self.t.request("POST", f"{self._path}/bundle-keys", body=body))
        except (RequestRejected, ValueError) as exc:
            log.warning("bundle keys not made this time: %s", exc)

    # --- push -------------------------------------------------------------------------------

    def _push(self, db: Any) -> None:
        total = journal.pending_count(db)
        after = 0
        done = 0
        while True:
            self._check()
            batch = journal.pending(db, limit=self.push_batch, after_seq=after)
            if not batch:
                break
            after = batch[-1].seq
            self._send(db, batch)
            done += len(batch)
            self.report.pushed += len(batch)
            self.progress(SyncProgress("push", done, total, f"上传变更 {done}/{total}"))

    def _send(self, db: Any, batch: list[journal.JournalEntry]) -> None:
        body = {"changes": [wire_change(e) for e in batch]}
        try:
            ans = self.t.request("POST", f"{self._path}/push", body=body)
        except RequestRejected as exc:
            if exc.status in (400, 413, 422):
                if len(batch) > 1:
                    half = len(batch) // 2
                    self._send(db, batch[:half])
                    self._send(db, batch[half:])
                    return
                with write(db):
                    journal.mark(db, batch[0].change_id, journal.SYNC_QUARANTINED, note=f"HTTP {exc.status}：{exc}")
                self.report.quarantined += 1
                return
            raise
        with write(db):
            record_answers(db, batch, ans.get("results", []), self.report)

    # --- pull -------------------------------------------------------------------------------

    def _pull(self, db: Any, *, kinds: list[str] | None = None, seen: set[str] | None = None) -> None:
        """Pull pages after the cursor (or, with ``kinds``, every record of those kinds from zero).

        The next page is fetched on a helper thread while this one is applied,
        so waiting for head office and writing locally overlap. A first sync
        into an empty client book drops the book's secondary indexes for the
        load (safely: see ``app.store.bulk.drop_sort_indexes``) and rebuilds
        them at the end.
        """
        full = kinds is not None
        cursor = 0 if full else syncdata.get_cursor(db)
        start = cursor
        r = self.report
        initial = not full and cursor == 0 and syncdata.client_book_empty(db)
        if initial:
            with write(db):
                bulk.drop_sort_indexes(db)
            # For the first load only: commits need not wait for the disk (WAL stays intact
            # on power loss; a lost commit loses its page and its cursor together, so the
            # next sync fetches that page again), and the WAL is checkpointed in large steps.
            db.conn.execute("PRAGMA synchronous = NORMAL")
            db.conn.execute("PRAGMA wal_autocheckpoint = 20000")
            # Every reference a pulled client makes is resolved against the same tables in the
            # same transaction (an unknown village is set aside, never written), so the per-row
            # foreign-key lookups of a first load check nothing new: a fifth of its insert time.
            db.conn.execute("PRAGMA foreign_keys = OFF")

        def fetch(after: int) -> bytes:
            """On the prefetch thread: network only (it releases the GIL). Parsing happens on the
            caller's thread: CPU-bound Python here would stall the SQLite writes there, which
            need the GIL back between rows."""
            params: dict[str, Any] = {"after": after, "limit": self.page_size}
            if full:
                params["kinds"] = ",".join(kinds)
            return self.t.request("GET", f"{self._path}/pull", params=params, decode=False)

        pool = ThreadPoolExecutor(1, thread_name_prefix="sync-prefetch")
        try:
            pending_fetch = pool.submit(fetch, cursor)
            first_high: int | None = None
            while True:
                self._check()
                t0 = time.monotonic()
                raw = pending_fetch.result()
                r.wait_seconds += time.monotonic() - t0  # time this thread sat waiting for head office
                with _gc_paused():
                    try:
                        ans = json.loads(raw)
                    except ValueError as exc:
                        raise ServerUnavailable("总行回应无法解析，稍后再试。") from exc
                    if first_high is None:
                        first_high = ans["high"]
                    if ans.get("more"):
                        pending_fetch = pool.submit(fetch, ans["cursor"])
                    t1 = time.monotonic()
                    parts = _page_parts(ans)
                    with write(db):
                        # a record changed on the server during a first sync comes round again with a
                        # seq above the first page's high: only pages below it are surely all new
                        fresh = initial and ans["cursor"] <= first_high
                        result = syncdata.apply_page(db, parts, pending=syncdata.pending_keys(db), fresh=fresh)
                        syncdata.record_branches(db, ans.get("branches"))
                        if not full:
                            syncdata.set_cursor(db, ans["cursor"])
                r.apply_seconds += time.monotonic() - t1
                if seen is not None:
                    for _k, _cols, rows in parts:
                        seen.update(row[1] for row in rows)
                r.pulled += result.applied
                r.kinds.update(k for k, _c, rows in parts if rows)
                r.deferred += result.deferred
                r.conflicts += result.deferred + result.conflicts
                r.rejected += result.rejected
                r.warnings.extend(w for w in result.reasons if len(r.warnings) < 10)
                cursor = ans["cursor"]
                r.high = max(r.high, ans["high"])
                if not full:
                    r.cursor = cursor
                span = max(1, r.high - start)
                self.progress(SyncProgress("pull", min(cursor - start, span), span, f"下载数据 {r.pulled} 条"))
                if not ans.get("more"):
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if initial:
                t2 = time.monotonic()
                self.progress(SyncProgress("pull", 1, 1, "建立客户索引"))
                bulk.restore_sort_indexes(db)
                db.conn.execute("PRAGMA foreign_keys = ON")
                with write(db):
                    # the running totals were built from the very rows just loaded: no recount today
                    meta_set(db, RECOUNT_KEY, str(time.time()))
                db.conn.execute("PRAGMA synchronous = FULL")
                db.conn.execute("PRAGMA wal_autocheckpoint = 1000")
                wal_checkpoint(db)
                r.apply_seconds += time.monotonic() - t2

    def _refetch(self, db: Any) -> None:
        """Ask again, by uid, for records a pull set aside while they had unsent changes.

        Their changes have gone up since; if head office refused one (quarantine), the
        record would otherwise never come round again and only a full re-sync of its
        kind would repair it.
        """
        r = self.report
        for kind, uids in syncdata.deferred_ready(db).items():
            for n in range(0, len(uids), 500):
                self._check()
                part = uids[n : n + 500]
                ans = self.t.request("POST", f"{self._path}/fetch", body={"kind": kind, "uids": part})
                parts = _page_parts(ans)
                with write(db):
                    syncdata.clear_deferred(db, kind, part)  # first: a record pending again is set aside anew
                    result = syncdata.apply_page(db, parts, pending=syncdata.pending_keys(db))
                    syncdata.record_branches(db, ans.get("branches"))
                r.pulled += result.applied
                r.kinds.update(k for k, _c, rows in parts if rows)
                r.high = max(r.high, ans["high"])

    def _whose(self, db: Any) -> None:
        """On a county device, once: ask whose each record it held before head office said so with
        every page (records pulled by an older version have no ``record_branch`` row, and would be
        missing from every report filtered by branch until they changed again). Only the branch of
        each is fetched, 500 uids a request; done when every kind has been asked through."""
        if not self.settings.county or meta_get(db, syncdata.WHOSE_DONE_KEY):
            return
        for kind, uids in syncdata.without_branch(db).items():
            for n in range(0, len(uids), 500):
                self._check()
                self.progress(SyncProgress("pull", n, len(uids), "补记各记录所属网点"))
                ans = self.t.request("POST", f"{self._path}/fetch",
                                     body={"kind": kind, "uids": uids[n : n + 500], "whose_only": True})
                with write(db):
                    syncdata.record_branches(db, ans.get("branches"))
        with write(db):
            meta_set(db, syncdata.WHOSE_DONE_KEY, "1")

    # --- verify -----------------------------------------------------------------------------

    def _recount_due(self, db: Any) -> bool:
        if self.recount is not None:
            return self.recount
        last = meta_get(db, RECOUNT_KEY)
        return last is None or time.time() - float(last) > RECOUNT_EVERY_S

    def _verify(self, db: Any) -> None:
        r = self.report
        repaired = False
        if self._recount_due(db):
            # The checkpoint compares running totals that every pull keeps up to date. Once a
            # day they are recounted from the tables themselves, so damage done behind sync's
            # back (a disk error, a hand edit) is found and repaired too (O(records), ~1 s
            # at a million).
            self.progress(SyncProgress("verify", 0, 1, "核对本机数据"))
            with write(db):
                syncdata.rebuild_summaries(db)
                meta_set(db, RECOUNT_KEY, str(time.time()))
            r.recounted = True
        for _round in range(VERIFY_ROUNDS):
            self._check()
            self.progress(SyncProgress("verify", 0, 1, "与总行核对"))
            scopes = {k: asdict(v) for k, v in syncdata.local_summaries(db).items()}
            cursor = syncdata.get_cursor(db)
            ans = self.t.request("POST", f"{self._path}/checkpoint", body={"cursor": cursor, "scopes": scopes})
            r.high = max(r.high, ans["high"])
            release = ans.get("release")
            if isinstance(release, str) and release != meta_get(db, syncdata.RELEASE_KEY, ""):
                with write(db):  # the version IT rolled out, for the status to say an upgrade waits
                    meta_set(db, syncdata.RELEASE_KEY, release[:40])
            names = ans.get("branch_names")
            if isinstance(names, dict) and names:  # a county device: the names of the branches it reads
                with write(db):
                    syncdata.keep_branch_names(db, names)
            if ans["confirmed"]:
                r.status = SYNCED
                r.mismatched = []
                self.progress(SyncProgress("verify", 1, 1, "已与总行核对一致"))
                return
            if ans["high"] > cursor:
                self._pull(db)  # head office published meanwhile
                continue
            r.mismatched = list(ans["mismatched"])
            if journal.pending_count(db):
                r.warnings.append("有新的本地修改尚未上传，下次同步时再核对。")
                break
            if not repaired:
                # first suspect our own running totals: recount them from the tables (cheap
                # next to a re-pull) and ask again before fetching anything
                repaired = True
                with write(db):
                    syncdata.rebuild_summaries(db, [k for k in r.mismatched if k in p.KINDS])
                continue
            for kind in r.mismatched:
                if kind not in p.KINDS:
                    continue
                log.warning("checkpoint mismatch for %s: pulling it again in full", kind)
                seen: set[str] = set()
                self._pull(db, kinds=[kind], seen=seen)
                with write(db):
                    syncdata.forget_missing(db, kind, seen)
                r.resynced.append(kind)
        r.status = UNCONFIRMED
        if r.mismatched:
            r.warnings.append(f"与总行核对不一致：{'、'.join(r.mismatched)}。数据已保留，请稍后再同步。")


def wire_change(e: journal.JournalEntry) -> dict[str, Any]:
    """A journal entry as a push (or a carried bundle) sends it."""
    return {"change_id": e.change_id, "kind": e.kind, "uid": e.row_uid, "op": e.op, "before": e.before,
            "after": e.after, "base_seq": e.base_seq, "author": e.author, "local_time": e.local_time}


def record_answers(db: Any, batch: list[journal.JournalEntry], results: list[dict[str, Any]],
                   r: SyncReport) -> None:
    """Head office's answers for pushed changes, recorded on their journal rows (inside ``write``):
    applied/duplicate -> acked, conflict -> conflict with both sides kept, refused -> quarantined
    with the reason. A change without an answer stays pending. Shared by push and carried bundles."""
    answers = {a["change_id"]: a for a in results if isinstance(a, dict) and "change_id" in a}
    marks: list[tuple[str, str, int | None, str | None]] = []
    for e in batch:
        a = answers.get(e.change_id)
        if a is None:
            continue  # stays pending; sent again next time
        status, seq, reason = a["status"], a.get("seq"), a.get("reason")
        if status == p.APPLIED:
            marks.append((e.change_id, journal.SYNC_ACKED, seq, None))
            r.acked += 1
        elif status == p.DUPLICATE:
            marks.append((e.change_id, journal.SYNC_ACKED, seq, reason))
            r.duplicates += 1
        elif status == p.CONFLICT:
            marks.append((e.change_id, journal.SYNC_CONFLICT, seq, reason))
            fields = a.get("conflicts") or []
            for f in fields:
                syncdata.add_conflict(
                    db, side="push", kind=e.kind, row_uid=e.row_uid, change_id=e.change_id,
                    field=f["field"], base_value=_j(f.get("base_value")),
                    local_value=_j(f.get("branch_value")), server_value=_j(f.get("server_value")),
                    server_seq=seq, note=reason or "",
                )
            if not fields:
                syncdata.add_conflict(db, side="push", kind=e.kind, row_uid=e.row_uid,
                                      change_id=e.change_id, server_seq=seq, note=reason or "")
            r.conflicts += 1
        else:
            code = a.get("code")
            note = f"{'HTTP ' + str(code) + '：' if code else ''}{reason or '总行拒绝'}"
            marks.append((e.change_id, journal.SYNC_QUARANTINED, None, note))
            r.quarantined += 1
    journal.mark_many(db, marks)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector while one pulled page is decoded and applied.

    A page is tens of thousands of small acyclic lists and strings: reference
    counting frees them all, but the collector, triggered every 700 new
    containers, would walk them (and the rest of the heap) again and again; a
    tenth of a first sync went there. Restored after each page, so the pause
    is one page long (a fraction of a second), whichever thread runs the sync.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _page_parts(ans: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """A pull answer's kinds as (kind, columns, rows), in the order they must be applied
    (the declarations' order: what others refer to comes first; unknown kinds last)."""
    page = ans.get("kinds")
    if not isinstance(page, dict):
        raise ServerUnavailable("总行回应格式不正确。")
    known = [k for k in p.KINDS.names if k in page]
    order = known + [k for k in page if k not in p.KINDS]
    parts = []
    for k in order:
        body = page[k]
        if not (isinstance(body, dict) and isinstance(body.get("columns"), list) and isinstance(body.get("rows"), list)
                and all(isinstance(c, str) for c in body["columns"])):
            raise ServerUnavailable(f"总行回应中“{str(k)[:32]}”的格式不正确。")
        parts.append((k, body["columns"], [r for r in body["rows"] if isinstance(r, list)]))
    return parts


def _j(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)
