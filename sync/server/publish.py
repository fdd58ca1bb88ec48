"""Publishing master data: head office's records of a kind, checked against the kind's declaration.

Every value is checked before anything is written (``check_rows``): a sheet
with one bad cell publishes nothing and says which row and column. Then the
rows go in batches, each one transaction holding the sequence lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync import protocol as p
from sync.protocol.schema import Owner
from sync.server.base import StoreBase
from sync.server.db import SHARED, HQError, changes, now, records
from sync.server.records import Sequencer, WorkingSet

BATCH = 5000
MAX_LISTED = 10  # problems listed in one refusal


class PublishStore(StoreBase):
    def check_rows(self, kind: str, rows: Sequence[dict[str, Any]], *, first_row: int = 1) -> list[str]:
        """Every problem that would stop ``rows`` from being published, in Chinese with the row
        (``first_row`` is the number of ``rows[0]``: 2 for a sheet under its header)."""
        k = p.KINDS.get(kind)
        if k is None:
            return [f"未知的数据类型“{kind}”，可选：{'、'.join(p.KINDS.names)}。"]
        out: list[str] = []
        uids = [str(r.get("uid")) for r in rows]
        existing = self._existing(kind, uids)
        seen: set[str] = set()
        client_nos: dict[str, int] = {}
        for i, r in enumerate(rows):
            where = f"第 {i + first_row} 行："
            uid = r.get("uid")
            why = p.id_problem(uid, "编号（uid）")
            if why:
                out.append(where + why.message)
                continue
            if uid in seen:
                out.append(f"{where}编号 {uid} 在本次发布中重复。")
            seen.add(uid)
            if "deleted" in r and type(r["deleted"]) is not bool:
                out.append(f"{where}deleted 应为 是/否。")
            values = {c: v for c, v in r.items() if c not in ("uid", "deleted")}
            for problem in k.problems(values, insert=uid not in existing and not r.get("deleted")):
                out.append(f"{where}{problem.message}")
            if k.uid == "code" and values.get("code") not in (None, uid):
                out.append(f"{where}编号应与代码（code）相同。")
            number = values.get("client_no") if kind == "client" else None
            if number:
                if number in client_nos:
                    out.append(f"{where}核心客户号 {number} 与第 {client_nos[number] + first_row} 行重复。")
                client_nos.setdefault(number, i)
            if len(out) > 200:
                break
        return out

    def _existing(self, kind: str, uids: list[str]) -> set[str]:
        found: set[str] = set()
        with self._read() as c:
            for n in range(0, len(uids), 2000):
                found.update(
                    u for (u,) in c.execute(
                        sa.select(records.c.uid).where(records.c.kind == kind, records.c.uid.in_(uids[n : n + 2000]))
                    )
                )
        return found

    def publish(self, kind: str, branch: str | None, rows: Iterable[dict[str, Any]], *, by: str = "hq",
                first_row: int = 1) -> int:
        """Insert or update head-office records of ``kind`` for ``branch`` (None: all branches).

        Each row is a dict with ``uid`` and the kind's columns; columns it lacks
        keep their current value. Head office never overwrites the branch's own
        columns of an existing record; a shared column it overwrites with a value
        a branch set is kept as a conflict. ``deleted: True`` tombstones a record.
        Unchanged rows get no new sequence number. Returns how many records changed.
        Raises HQError, having written nothing, when any value breaks the declaration.
        """
        k = p.KINDS.get(kind)
        if k is None:
            raise HQError(f"未知的数据类型“{kind}”，可选：{'、'.join(p.KINDS.names)}。")
        if branch is not None and self.branch_name(branch) is None:  # type: ignore[attr-defined]
            raise HQError(f"没有网点 {branch}。", 404)
        rows = [_with_code(k, r) for r in rows]
        problems = self.check_rows(kind, rows, first_row=first_row)
        if problems:
            more = f"（另有 {len(problems) - MAX_LISTED} 处）" if len(problems) > MAX_LISTED else ""
            raise HQError(f"“{k.label}”数据有误，未发布任何记录：\n" + "\n".join(problems[:MAX_LISTED]) + more)
        changed = 0
        for n in range(0, len(rows), BATCH):
            changed += self._publish_batch(k, branch, rows[n : n + BATCH], by)
        return changed

    def _publish_batch(self, k: p.Kind, branch: str | None, batch: list[dict[str, Any]], by: str) -> int:
        stamp = now()
        scope = branch or SHARED
        with self.engine.begin() as c:
            seq = Sequencer(c, scope)
            work = WorkingSet(c, scope, ((k.name, str(r["uid"])) for r in batch))
            changed = 0
            for r in batch:
                uid = str(r["uid"])
                deleted = bool(r.get("deleted", False))
                cur = work.get(k.name, uid)
                if cur is not None and cur.branch != scope:
                    raise HQError(f"记录 {k.name}/{uid} 属于网点 {cur.branch or '全辖'}，不能作为 "
                                  f"{branch or '全辖'} 的数据发布。")
                if cur is None:
                    work.insert(k.name, uid, scope, seq.next(), k.complete(r), deleted)
                    changed += 1
                    continue
                new = dict(cur.data)
                for col in k.columns:
                    name = col.name
                    if name not in r:
                        continue
                    if col.owner == Owner.BRANCH:
                        continue  # the branch's own column: head office does not overwrite it
                    if (
                        col.owner == Owner.SHARED
                        and cur.data.get(name) != r[name]
                        and _branch_touched(c, k.name, uid, name)
                    ):
                        # head office overwrites a value the branch set: keep it for review
                        work.conflicts.append(
                            dict(branch=scope, change_id=None, kind=k.name, uid=uid, field=name,
                                 base_value=None, server_value=json.dumps(r[name], ensure_ascii=False),
                                 branch_value=json.dumps(cur.data.get(name), ensure_ascii=False), kept="hq",
                                 created_at=stamp)
                        )
                    new[name] = r[name]
                if new == cur.data and deleted == cur.deleted:
                    continue
                cur.data, cur.deleted, cur.seq, cur.dirty = new, deleted, seq.next(), True
                changed += 1
            work.flush(stamp, by, seq.finish())
        return changed


def _with_code(k: p.Kind, r: dict[str, Any]) -> dict[str, Any]:
    """A reference record's code is its uid: a row may give either."""
    if k.uid == "code" and "code" not in r and r.get("uid") is not None:
        return {**r, "code": r["uid"]}
    return r


def _branch_touched(c: Connection, kind: str, uid: str, col: str) -> bool:
    """Did a branch ever set ``col`` of this record? (Then overwriting it is a conflict to show.)"""
    rows = c.execute(
        sa.select(changes.c.payload).where(
            changes.c.kind == kind, changes.c.uid == uid, changes.c.status.in_((p.APPLIED, p.CONFLICT))
        )
    )
    return any(col in json.loads(r.payload).get("after", {}) for r in rows)
