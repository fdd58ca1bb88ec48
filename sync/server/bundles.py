"""Carried bundles at head office: keys, and importing a PC's bundle exactly as its push would be.

``import_bundle`` takes the bytes of a PC's bundle (``sync.bundle``)
and returns the bytes of the reply for that PC. Before anything is applied the
bundle must be whole, signed by an active device's key, of that device's
branch, decryptable by head office, and newer than the last bundle taken from
that device (the same bundle again is answered again and changes nothing: its
changes are duplicates by change id). Then its changes go through ``push`` in
batches, the records the PC is missing are read with ``pull`` from the
bundle's cursor, and the reply carries both and head office's checkpoint
summaries, sealed for the PC and signed by head office.

Head office's own keys are made on first need and kept in ``hq_meta``.
Runs on the calling thread (the CLI, or a request's worker thread).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from sync import bundle as b
from sync import protocol as p
from sync.server.base import StoreBase
from sync.server.db import Device, HQError, devices, hq_meta, now

log = logging.getLogger("sync.server")

_KEYS = "bundle_keys"
PUSH_BATCH = 2_000  # the online push takes at most 2,000 per request too
PULL_PAGE = 20_000
MAX_CHANGES = 1_000_000


@dataclass
class ImportSummary:
    branch: str
    device: int
    number: int
    repeated: bool  # the same bundle again: answered again, nothing changed
    changes: int
    counts: dict[str, int]  # answers by status
    records: int  # records sent back
    reply_bytes: int = 0


class BundleStore(StoreBase):
    def hq_keys(self) -> b.KeyPair:
        """Head office's bundle keys, made on first need (one writer wins a race; all read its keys)."""
        with self._read() as c:
            raw = c.execute(sa.select(hq_meta.c.value).where(hq_meta.c.key == _KEYS)).scalar()
        if raw is None:
            fresh = b.KeyPair.generate()
            try:
                with self.engine.begin() as c:
                    c.execute(hq_meta.insert().values(key=_KEYS, value=fresh.to_json()))
            except sa.exc.IntegrityError:
                pass
            with self._read() as c:
                raw = c.execute(sa.select(hq_meta.c.value).where(hq_meta.c.key == _KEYS)).scalar()
        return b.KeyPair.from_json(raw)

    def set_device_keys(self, device_id: int, sign_pub: str, box_pub: str) -> b.PublicKeys:
        """Keep a device's public bundle keys; returns head office's. HQError(400) for malformed keys."""
        keys = b.PublicKeys(sign_pub, box_pub)
        try:
            keys.check()
        except ValueError as exc:
            raise HQError("离线包公钥格式不正确。", 400) from exc
        with self.engine.begin() as c:
            c.execute(devices.update().where(devices.c.id == device_id).values(sign_pub=sign_pub, box_pub=box_pub))
        return self.hq_keys().public

    def import_bundle(self, data: bytes) -> tuple[bytes, ImportSummary]:
        """Apply a PC's bundle and seal the reply. ``BundleError`` (nothing applied) when it is refused."""
        sealed = b.read(data)
        if sealed.kind != b.REQUEST:
            raise b.BundleError("这是总行的回执包，应在网点的电脑上导入（branchdesk sync import-bundle）。",
                                "wrong_type")
        with self._read() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.county, devices.c.revoked_at,
                          devices.c.enrolled_at, devices.c.sign_pub, devices.c.box_pub, devices.c.last_bundle,
                          devices.c.last_bundle_hash)
                .where(devices.c.id == sealed.device)
            ).first()
        if row is None or not row.enrolled_at or not row.sign_pub:
            raise b.BundleError(f"总行没有设备 {sealed.device} 的离线包密钥（设备不存在，或注册后从未联网同步）。"
                                "未导入任何数据。", "unknown_device")
        sealed.verify(row.sign_pub)
        if row.branch != sealed.branch:
            self.deny(Device(row.id, row.branch, row.name), f"bundle {sealed.branch}",  # type: ignore[attr-defined]
                      "bundle for another branch")
            raise b.BundleError(f"离线包标明网点 {sealed.branch}，而设备 {row.id} 属于网点 {row.branch}。"
                                "未导入任何数据。", "foreign")
        if row.revoked_at:
            raise b.BundleError(f"设备 {row.id} 已被吊销，它的离线包不再接受。未导入任何数据。", "revoked")
        last = row.last_bundle or 0
        repeated = sealed.number == last and sealed.digest == row.last_bundle_hash
        if sealed.number < last or (sealed.number == last and not repeated):
            raise b.BundleError(
                f"这是设备 {row.id} 较早的第 {sealed.number} 号离线包，总行已导入到第 {last} 号"
                "（旧包或重放，不再接受）。请在网点重新导出最新的离线包。未导入任何数据。", "replayed")
        payload = sealed.open(self.hq_keys())
        device = Device(row.id, row.branch, row.name, row.county)
        changes, cursor = _request(payload)

        counts: dict[str, int] = {}
        results: list[dict[str, Any]] = []
        for n in range(0, len(changes), PUSH_BATCH):
            for r in self.push(device, changes[n : n + PUSH_BATCH]):  # type: ignore[attr-defined]
                counts[r.status] = counts.get(r.status, 0) + 1
                answer: dict[str, Any] = {"change_id": r.change_id, "status": r.status, "seq": r.seq}
                if r.reason is not None or r.code is not None:
                    answer.update(reason=r.reason, code=r.code)
                if r.conflicts:
                    answer["conflicts"] = [asdict(f) for f in r.conflicts]
                results.append(answer)
        scopes = self.read_scopes(device)  # type: ignore[attr-defined]
        pages: list[dict[str, Any]] = []
        records = 0
        at = cursor
        while True:
            page = self.pull(device.branch, at, PULL_PAGE, scopes=scopes)  # type: ignore[attr-defined]
            kinds = {k: {"columns": list(cols), "rows": json.loads(f"[{','.join(rows)}]")}
                     for k, (cols, rows) in page.kinds.items()}
            records += sum(len(v["rows"]) for v in kinds.values())
            if kinds:
                pages.append({"cursor": page.cursor, "kinds": kinds,
                              **({"branches": page.branches} if page.branches else {})})
            at = page.cursor
            if not page.more:
                break
        top, summaries = self.summaries(device.branch, scopes=scopes)  # type: ignore[attr-defined]
        reply = {
            "reply_to": sealed.header["id"], "results": results, "pages": pages, "from": cursor, "cursor": at,
            "high": top, "scopes": {k: asdict(v) for k, v in summaries.items()}, "server_time": now(),
        }
        with self.engine.begin() as c:
            c.execute(devices.update().where(devices.c.id == row.id)
                      .values(last_bundle=sealed.number, last_bundle_hash=sealed.digest, last_seen=now()))
        out = b.seal(b.REPLY, branch=row.branch, device=row.id, number=sealed.number, payload=reply,
                     sender=self.hq_keys(), reader_box=row.box_pub,
                     extra={"changes": len(results), "records": records})
        log.info("bundle %s of device %s imported: %d changes %s, %d records back", sealed.number, row.id,
                 len(changes), counts, records)
        return out, ImportSummary(row.branch, row.id, sealed.number, repeated, len(changes), counts, records,
                                  len(out))


def _request(payload: dict[str, Any]) -> tuple[list[p.Change], int]:
    """The changes and cursor of a bundle's payload (signed by the device: malformed means a broken build)."""
    raw, cursor = payload.get("changes"), payload.get("cursor")
    if not isinstance(raw, list) or len(raw) > MAX_CHANGES or not isinstance(cursor, int) or cursor < 0:
        raise b.BundleError("离线包内容格式不正确（变更或游标）。未导入任何数据。", "format")
    out: list[p.Change] = []
    for c in raw:
        if not isinstance(c, dict) or not isinstance(c.get("after"), dict) or not isinstance(c.get("before", {}), dict):
            raise b.BundleError("离线包中有格式不正确的变更。未导入任何数据。", "format")
        base = c.get("base_seq")
        out.append(p.Change(
            change_id=str(c.get("change_id") or ""), kind=str(c.get("kind") or ""), uid=str(c.get("uid") or ""),
            op=str(c.get("op") or ""), after=c["after"], before=c.get("before") or {},
            base_seq=base if isinstance(base, int) else None, author=str(c.get("author") or ""),
            local_time=str(c.get("local_time") or ""),
        ))
    return out, cursor
