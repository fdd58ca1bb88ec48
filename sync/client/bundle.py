"""Carried bundles at the branch: export the pending changes to a file, import head office's reply.

For an outlet with no line (``sync.bundle`` has the format and the
cryptography). ``export_bundle`` writes every pending change and the pull
cursor, sealed for head office and signed with this PC's key; the changes stay
pending, so a normal sync later (or a later bundle) sends them again and head
office answers "duplicate". ``import_reply`` takes head office's reply and, in
one local transaction, records its answers (as a push would), applies the
records the PC was missing (only those past the cursor, so a reply that
arrives after a normal sync doubles nothing), moves the cursor, and compares
the checkpoint summaries head office sent; an interrupted import leaves
nothing half-done. A reply older than one already imported is refused; the
same reply again changes nothing.

Keys: made at enrolment (``enrol``), or for a PC enrolled before bundles
existed at its next online sync (``ensure_keys``). The private keys are kept
where the device token is; head office's public keys in the encrypted
database. No Qt; runs on the calling thread (a worker in the app).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.store import journal, syncdata
from app.store.db import write
from app.store.reference import meta_get, meta_set
from app.store.store import Store
from sync import bundle as b
from sync import protocol as p
from sync.client.bundle_keys import HQ_BOX, HQ_SIGN, SLOT
from sync.client.config import SyncSettings, load_secret
from sync.client.engine import SYNCED, UNCONFIRMED, SyncReport, record_answers, wire_change
from sync.client.transport import SyncError

log = logging.getLogger("sync.client")

EXPORTED = "bundle.exported"  # the number of the last bundle written
LAST_EXPORT = "bundle.last_export"  # JSON: number, time, changes, file
REPLIED, REPLIED_HASH = "bundle.replied", "bundle.replied_hash"  # the last reply imported

Progress = Callable[[str], None]


def _own_keys(store: Store, s: SyncSettings) -> b.KeyPair:
    raw = load_secret(store.settings, store.data_dir, s, SLOT)
    if not raw:
        raise SyncError("本机还没有离线包密钥：请联网同步一次（或重新注册本机）后再使用离线包。")
    try:
        return b.KeyPair.from_json(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise SyncError("本机保存的离线包密钥已损坏：请联网同步一次或重新注册本机。") from exc


def _settings(store: Store) -> SyncSettings:
    s = SyncSettings.load(store.settings)
    if not s.enrolled:
        raise SyncError("本机尚未注册到总行。请先用一次性注册码注册（branchdesk sync enrol）。")
    return s


@dataclass
class ExportReport:
    path: str
    number: int
    changes: int
    cursor: int
    size: int
    seconds: float


def export_bundle(store: Store, path: Path, *, progress: Progress | None = None) -> ExportReport:
    """Write every pending change and the cursor into ``path``, sealed for head office. Any worker thread.

    The file appears whole or not at all (written beside it, flushed, renamed). Changes stay
    pending: they are marked only when head office's answer comes back, by reply or by sync.
    """
    started = time.monotonic()
    say = progress or (lambda _m: None)
    s = _settings(store)
    keys = _own_keys(store, s)
    db = store.connect()
    try:
        hq_box = meta_get(db, HQ_BOX)
        if not hq_box or not meta_get(db, HQ_SIGN):
            raise SyncError("本机还没有总行的离线包公钥：请联网同步一次（或重新注册本机）后再使用离线包。")
        say("读取待上传的变更")
        changes: list[dict[str, Any]] = []
        after = 0
        while True:
            batch = journal.pending(db, limit=5000, after_seq=after)
            if not batch:
                break
            changes.extend(wire_change(e) for e in batch)
            after = batch[-1].seq
        cursor = syncdata.get_cursor(db)
        with write(db):
            number = int(meta_get(db, EXPORTED, "0") or 0) + 1
            meta_set(db, EXPORTED, str(number))  # before the file: a failed write leaves a harmless gap
        say("加密并签名")
        data = b.seal(b.REQUEST, branch=s.branch, device=s.device_id, number=number,
                      payload={"cursor": cursor, "changes": changes}, sender=keys, reader_box=hq_box,
                      extra={"changes": len(changes)})
        say("写入文件")
        _write_whole(path, data)
        with write(db):
            meta_set(db, LAST_EXPORT, json.dumps({"number": number, "time": journal.local_now(),
                                                  "changes": len(changes), "file": path.name}, ensure_ascii=False))
    finally:
        db.close()
    log.info("bundle %d exported: %d changes, %d bytes", number, len(changes), len(data))
    return ExportReport(str(path), number, len(changes), cursor, len(data), time.monotonic() - started)


def _write_whole(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise SyncError(f"无法写入 {path}：{_why(exc)}。待上传的修改不受影响，可换个位置再试。") from exc


def _why(exc: OSError) -> str:
    """The reason a file could not be written, as a person reads it."""
    import errno

    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return "没有写入权限（文件夹只读，或U盘写保护）"
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足"
    if isinstance(exc, FileNotFoundError):
        return "文件夹不存在"
    return exc.strerror or type(exc).__name__


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SyncError(f"找不到文件 {path}。") from None
    except IsADirectoryError:
        raise SyncError(f"{path} 是文件夹，请选择离线包文件。") from None
    except OSError as exc:
        raise SyncError(f"无法读取 {path}：{exc.strerror or type(exc).__name__}。") from exc


@dataclass
class RelayReport:
    """A bundle handed on to head office by this (connected) PC, and where its reply was written."""

    reply: str
    branch: str
    device: int
    number: int
    changes: int
    records: int
    repeated: bool
    size: int


def relay_bundle(store: Store, path: Path, reply: Path | None = None) -> RelayReport:
    """On a PC with a line: hand a bundle carried from another PC to head office and write the reply
    beside it (or to ``reply``) for the person to carry back. Any worker thread.

    The bundle is checked here first (framing and kind: a damaged copy is refused before it is
    sent); head office checks the rest. SyncError (Chinese) when the line or head office refuses.
    """
    import base64

    from sync.client.config import load_token
    from sync.client.transport import RequestRejected, Transport

    data = read_file(path)
    sealed = b.read(data)
    if sealed.kind != b.REQUEST:
        raise b.BundleError("这是总行的回执包，应带回导出它的电脑导入（branchdesk sync import-bundle）。",
                            "wrong_type")
    out = reply or path.with_name(f"{path.name.removesuffix(b.SUFFIX)}-回执{b.SUFFIX}")
    if out.resolve() == path.resolve():
        raise SyncError("回执包不能覆盖离线包本身，请另选文件名。")
    s = _settings(store)
    t = Transport(s.transport(), load_token(store.settings, store.data_dir, s))
    try:
        ans = t.request("POST", "/v1/bundles", body={"bundle": base64.b64encode(data).decode("ascii")})
    except RequestRejected as exc:
        raise SyncError(str(exc)) from exc
    finally:
        t.close()
    raw = base64.b64decode(ans["reply"])
    _write_whole(out, raw)
    log.info("bundle %s of device %s relayed to head office", ans.get("number"), ans.get("device"))
    return RelayReport(str(out), str(ans["branch"]), int(ans["device"]), int(ans["number"]), int(ans["changes"]),
                       int(ans["records"]), bool(ans["repeated"]), len(raw))


@dataclass
class ImportReport:
    number: int
    repeated: bool = False  # this reply was imported before: nothing changed
    status: str = UNCONFIRMED  # SYNCED when head office's checkpoint matches what this PC now holds
    acked: int = 0
    duplicates: int = 0
    conflicts: int = 0
    quarantined: int = 0
    pulled: int = 0
    skipped: int = 0  # records already here from a later sync
    cursor: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)


def import_reply(store: Store, path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Finish a carried bundle's round with head office's reply. Any worker thread.

    ``BundleError`` / ``SyncError`` (Chinese) when it is refused; then nothing was applied.
    """
    started = time.monotonic()
    say = progress or (lambda _m: None)
    data = read_file(path)
    sealed = b.read(data)
    if sealed.kind != b.REPLY:
        raise b.BundleError("这是网点导出的离线包，应带到总行导入（branchdesk-hq import-bundle），"
                            "总行生成的回执包才在本机导入。", "wrong_type")
    s = _settings(store)
    if sealed.branch != s.branch or sealed.device != s.device_id:
        raise b.BundleError(f"这是网点 {sealed.branch} 设备 {sealed.device} 的回执包，本机是网点 {s.branch} "
                            f"设备 {s.device_id}。未导入任何数据。", "foreign")
    keys = _own_keys(store, s)
    db = store.connect()
    try:
        hq_sign = meta_get(db, HQ_SIGN)
        if not hq_sign:
            raise SyncError("本机还没有总行的离线包公钥：请联网同步一次（或重新注册本机）后再使用离线包。")
        sealed.verify(hq_sign)
        exported = int(meta_get(db, EXPORTED, "0") or 0)
        replied = int(meta_get(db, REPLIED, "0") or 0)
        r = ImportReport(sealed.number, cursor=syncdata.get_cursor(db))
        if sealed.number > exported:
            raise b.BundleError(f"本机没有导出过第 {sealed.number} 号离线包（最近一次是第 {exported} 号），"
                                "这份回执不属于本机。未导入任何数据。", "unknown_number")
        if sealed.number < replied:
            raise b.BundleError(f"这是第 {sealed.number} 号离线包的回执，本机已导入第 {replied} 号的回执"
                                "（旧回执，不再导入）。未导入任何数据。", "replayed")
        if sealed.number == replied and sealed.digest == meta_get(db, REPLIED_HASH):
            r.repeated = True
            r.seconds = time.monotonic() - started
            return r
        say("解密")
        payload = sealed.open(keys)
        results, pages, reply_cursor = _reply_parts(payload)
        say("写入本机")
        sync_report = SyncReport()
        log_id = syncdata.log_start(db)
        try:
            with write(db):
                ids = [a["change_id"] for a in results]
                entries = [e for n in range(0, len(ids), 500)
                           for e in journal.pending_by_ids(db, ids[n : n + 500])]
                record_answers(db, entries, results, sync_report)
                cursor = syncdata.get_cursor(db)
                for page, whose in pages:
                    parts = []
                    for kind, body in page.items():
                        rows = [row for row in body["rows"] if row[0] > cursor]
                        r.skipped += len(body["rows"]) - len(rows)
                        parts.append((kind, body["columns"], rows))
                    order = {k: n for n, k in enumerate(p.KINDS.names)}
                    parts.sort(key=lambda x: order.get(x[0], len(order)))
                    result = syncdata.apply_page(db, parts, pending=syncdata.pending_keys(db))
                    syncdata.record_branches(db, whose)
                    r.pulled += result.applied
                    r.conflicts += result.deferred + result.conflicts
                    r.kinds.update(k for k, _c, rows in parts if rows)
                    r.warnings.extend(w for w in result.reasons if len(r.warnings) < 10)
                r.cursor = max(cursor, reply_cursor)
                syncdata.set_cursor(db, r.cursor)
                meta_set(db, REPLIED, str(sealed.number))
                meta_set(db, REPLIED_HASH, sealed.digest)
            r.acked, r.duplicates = sync_report.acked, sync_report.duplicates
            r.conflicts += sync_report.conflicts
            r.quarantined = sync_report.quarantined
            r.status = _checkpoint(db, payload, r)
        finally:
            syncdata.log_update(db, log_id, end=True, status=r.status, acked=r.acked + r.duplicates,
                                pushed=r.acked + r.duplicates + r.conflicts + r.quarantined,
                                conflicts=r.conflicts, quarantined=r.quarantined, pulled=r.pulled, cursor=r.cursor,
                                bytes_down=len(data), server_time=str(payload.get("server_time") or "") or None,
                                error=None if r.status == SYNCED else "；".join(r.warnings[-1:]) or None)
    finally:
        db.close()
    r.seconds = time.monotonic() - started
    log.info("bundle reply %d imported: acked=%d dup=%d conflicts=%d quarantined=%d pulled=%d status=%s",
             r.number, r.acked, r.duplicates, r.conflicts, r.quarantined, r.pulled, r.status)
    return r


def _checkpoint(db: Any, payload: dict[str, Any], r: ImportReport) -> str:
    """SYNCED when this PC now holds exactly what head office held when it wrote the reply."""
    if r.cursor > int(payload.get("cursor") or 0):
        r.warnings.append("本机此前已联网同步到更新的数据，本次回执只补充了其中没有的部分；核对以联网同步为准。")
        return UNCONFIRMED
    if journal.pending_count(db):
        r.warnings.append("导出离线包之后本机又有新的修改，将随下一个离线包或下次联网同步上传。")
    theirs = {k: p.ScopeSummary(int(v["count"]), str(v["hash"]))
              for k, v in (payload.get("scopes") or {}).items() if isinstance(v, dict) and v.get("count")}
    ours = {k: v for k, v in syncdata.local_summaries(db).items() if k in p.KINDS and v.count}
    mismatched = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    if mismatched:
        r.warnings.append(f"与总行核对不一致：{'、'.join(mismatched)}。数据已保留，下次联网同步时会自动修复。")
        return UNCONFIRMED
    return SYNCED


def _reply_parts(payload: dict[str, Any]) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], Any]], int]:
    results, pages, cursor = payload.get("results"), payload.get("pages"), payload.get("cursor")
    if not isinstance(results, list) or not isinstance(pages, list) or not isinstance(cursor, int):
        raise b.BundleError("回执包内容格式不正确。未导入任何数据。", "format")
    out_pages = []
    for page in pages:
        kinds = page.get("kinds") if isinstance(page, dict) else None
        if not isinstance(kinds, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("columns"), list) and isinstance(v.get("rows"), list)
            for v in kinds.values()
        ):
            raise b.BundleError("回执包内容格式不正确。未导入任何数据。", "format")
        out_pages.append(({k: {"columns": v["columns"], "rows": [x for x in v["rows"] if isinstance(x, list)
                                                                  and x and isinstance(x[0], int)]}
                           for k, v in kinds.items()}, page.get("branches")))
    return [a for a in results if isinstance(a, dict) and isinstance(a.get("change_id"), str)], out_pages, cursor
