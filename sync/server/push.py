"""Pushed changes: each checked against its kind's declaration and the shared ownership rules,
applied at most once per (branch, change id), answered one by one.

Nothing a branch sends is stored unchecked: a wrong type, a value outside the
declared choices or length, NUL or control characters, lone surrogates, NaN, a
reference to a record the branch cannot see, or a column the branch does not
own is refused for that change alone, with a Chinese reason the branch shows,
and the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sync import protocol as p
from sync.protocol.schema import (
    DELETE,
    INSERT,
    OPS,
    T,
    branch_change_problem,
    branch_ref_problem,
    json_value_problem,
)
from sync.server.base import StoreBase
from sync.server.db import Device, changes, devices, now, safe_text
from sync.server.records import Sequencer, WorkingSet, insert_rows, lookup

log = logging.getLogger("sync.server")

_REUSED = "变更编号重复但内容不同，已拒绝（不会沿用第一次的结果）。"
MAX_STORED_PAYLOAD = 64 * 1024  # a refused change's payload beyond this is not kept, only its hash


def _refs(ch: p.Change) -> list[tuple[str, str]]:
    """The records a change's reference columns name."""
    k = p.KINDS.get(ch.kind)
    if k is None or not isinstance(ch.after, dict):
        return []
    return [
        (c.ref, v) for c in k.columns
        if c.type == T.REF and c.ref and p.valid_id(v := ch.after.get(c.name))
    ]


class PushStore(StoreBase):
    def push(self, device: Device, batch: list[p.Change]) -> list[p.ChangeResult]:
        """Apply a batch in one transaction; one answer per change id, in order.

        The records the batch touches (and the ones its references name) are
        read in one query per kind into a working set, changed there, and
        written back with one statement per table: a batch of 500 costs a
        handful of round trips.
        """
        stamp = now()
        results: list[p.ChangeResult] = []
        cross_branch: list[str] = []
        with self.engine.begin() as c:
            seq = Sequencer(c, device.branch)
            ids = [ch.change_id for ch in batch if p.valid_id(ch.change_id)]
            seen = {
                r.change_id: r
                for r in lookup(c, changes, "branch", device.branch, "change_id", ids,
                                ("change_id", "payload_hash", "status", "seq", "reason"))
            } if ids else {}
            keys = [(ch.kind, ch.uid) for ch in batch if p.valid_id(ch.uid)]
            # the records the batch changes and the ones its references name, read together
            work = WorkingSet(c, device.branch, [*keys, *(ref for ch in batch for ref in _refs(ch))])
            change_rows: list[dict[str, Any]] = []
            in_batch: dict[str, str] = {}
            for ch in batch:
                why = p.id_problem(ch.change_id, "变更编号")
                if why is not None:
                    # not stored: without a valid id there is nothing to be idempotent about
                    results.append(p.ChangeResult(safe_text(ch.change_id, 64), p.REJECTED, reason=why.message,
                                                  code=400))
                    continue
                payload = {
                    "kind": ch.kind, "uid": ch.uid, "op": ch.op, "before": ch.before, "after": ch.after,
                    "base_seq": ch.base_seq,
                }
                canon = p.canonical(payload)  # the keys change_hash covers: hashed and stored from one encoding
                h = hashlib.sha256(canon).hexdigest()
                prior = seen.get(ch.change_id)
                if prior is None and ch.change_id in in_batch:
                    results.append(
                        p.ChangeResult(ch.change_id, p.DUPLICATE, reason="本批次中重复")
                        if in_batch[ch.change_id] == h
                        else p.ChangeResult(ch.change_id, p.CONFLICT, code=409, reason=_REUSED)
                    )
                    continue
                if prior is not None:
                    if prior.payload_hash == h:
                        results.append(p.ChangeResult(ch.change_id, p.DUPLICATE, seq=prior.seq,
                                                      reason=f"已于先前处理：{prior.status}"))
                    else:
                        log.warning("change id reused with another payload: device=%s", device.id)
                        results.append(p.ChangeResult(ch.change_id, p.CONFLICT, code=409, reason=_REUSED))
                    continue
                in_batch[ch.change_id] = h
                result, other_branch = _apply(work, device, ch, seq, stamp)
                if other_branch:
                    cross_branch.append(f"{ch.kind}/{ch.uid}")
                results.append(result)
                stored = canon.decode("ascii")
                if result.status == p.REJECTED and len(stored) > MAX_STORED_PAYLOAD:
                    stored = json.dumps({"kind": safe_text(ch.kind, 32), "truncated": len(stored)})
                change_rows.append(dict(
                    change_id=ch.change_id, branch=device.branch, device_id=device.id, kind=safe_text(ch.kind, 32),
                    uid=safe_text(ch.uid, 64), op=safe_text(ch.op, 10), payload_hash=h, status=result.status,
                    seq=result.seq, reason=result.reason, code=result.code, author=safe_text(ch.author, 80),
                    local_time=safe_text(ch.local_time, 40), received_at=stamp, payload=stored,
                ))
            real = seq.finish()  # the numbering lock, then the writes: Python's part of the batch is done
            for r in results:
                r.seq = real(r.seq)
            for row in change_rows:
                row["seq"] = real(row["seq"])
            work.flush(stamp, f"device:{device.id}", real)
            insert_rows(c, changes, change_rows)
            c.execute(devices.update().where(devices.c.id == device.id).values(last_seen=stamp))
        for target in cross_branch:
            self.deny(device, target, "push to a record of another branch")  # type: ignore[attr-defined]
        return results


def _apply(work: WorkingSet, device: Device, ch: p.Change, seq: Sequencer, stamp: str) -> tuple[p.ChangeResult, bool]:
    """One change against the working set: (answer, refused as another branch's)."""

    def reject(reason: str, code: int = 400, other: bool = False) -> tuple[p.ChangeResult, bool]:
        return p.ChangeResult(ch.change_id, p.REJECTED, reason=reason, code=code), other

    k = p.KINDS.get(ch.kind)
    if k is None:
        return reject(f"未知的数据类型“{safe_text(ch.kind, 32)}”。")
    if not k.branch_writes:
        return reject(f"“{k.label}”由总行维护，网点不能上传。", 403)
    if ch.op not in OPS:
        return reject(f"未知的操作“{safe_text(ch.op, 10)}”。")
    why = p.id_problem(ch.uid, "记录编号")
    if why is not None:
        return reject(why.message)
    for name, v in ch.before.items():
        if name not in k.by_name or json_value_problem(v) is not None:
            return reject(f"变更的原值（before）中“{safe_text(name, 32)}”不符合要求。")
    cur = work.get(k.name, ch.uid)
    if cur is not None and cur.branch != device.branch:
        return reject("该记录属于其他网点或由总行统一维护，本设备无权修改。", 403, other=True)
    if ch.op == INSERT and cur is not None:
        return reject("记录已存在，不能重复新建。", 409)
    if ch.op != DELETE:
        problems = k.problems(ch.after, insert=ch.op == INSERT)
        if problems:
            return reject("；".join(x.message for x in problems[:3]))
    owner = branch_change_problem(k, ch.op, ch.after, cur.data if cur is not None else None)
    if owner is not None:
        return reject(owner.message, owner.status)
    if ch.op != DELETE:
        for col in k.columns:
            v = ch.after.get(col.name)
            if col.type == T.REF and col.ref and v not in (None, "") and not work.visible(col.ref, v):
                return reject(f"{col.label}“{v}”在总行不存在，或不属于本网点。")

        def referenced(kind: str, uid: str) -> dict[str, Any] | None:
            r = work.get(kind, uid)
            return r.data if r is not None and not r.deleted else None

        own = branch_ref_problem(k, ch.after, p.KINDS.__getitem__, referenced)
        if own is not None:
            return reject(own.message, own.status)

    if ch.op == INSERT:
        data = k.complete(ch.after)
        for col in k.columns:
            if col.branch_value is not None:
                data[col.name] = col.branch_value
        n = seq.next()
        work.insert(k.name, ch.uid, device.branch, n, data)
        return p.ChangeResult(ch.change_id, p.APPLIED, seq=n), False

    assert cur is not None  # branch_change_problem answers 404 otherwise
    if cur.deleted:
        return p.ChangeResult(ch.change_id, p.CONFLICT, code=409, reason="该记录已在总行删除，变更未应用。"), False
    if ch.op == DELETE:
        n = seq.next()
        cur.seq, cur.deleted, cur.dirty = n, True, True
        return p.ChangeResult(ch.change_id, p.APPLIED, seq=n), False

    found: list[p.FieldConflict] = []
    data = cur.data
    before = ch.before
    for col, value in ch.after.items():
        current = data.get(col)
        if col in before:
            base = before[col]
            if current != base and current != value:
                # the author never saw the current value: order of receipt wins, a person reviews
                found.append(p.FieldConflict(col, value, current, base))
        data[col] = value
    n = seq.next()
    cur.seq, cur.dirty = n, True
    if found:
        work.conflicts.extend(
            dict(branch=device.branch, change_id=ch.change_id, kind=k.name, uid=ch.uid, field=f.field,
                 base_value=json.dumps(f.base_value, ensure_ascii=True),
                 server_value=json.dumps(f.server_value, ensure_ascii=False),
                 branch_value=json.dumps(f.branch_value, ensure_ascii=False), kept="branch", created_at=stamp)
            for f in found
        )
        return p.ChangeResult(ch.change_id, p.CONFLICT, seq=n, conflicts=found,
                              reason="已按收到顺序采用网点的值，被覆盖的总行值已留存待人工复核。"), False
    return p.ChangeResult(ch.change_id, p.APPLIED, seq=n), False
