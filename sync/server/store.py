"""Head office's sync store, on SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

Tables: branches; devices (hashed enrolment codes and tokens); records (one
row per kind+uid: its branch, its server sequence, its values as a JSON array
in the kind's protocol column order, a tombstone flag); changes (every change
id a branch pushed, with its payload hash and the answer given); conflicts;
denials (403s, logged).

Ordering: ``counter`` holds the last sequence number. Every write transaction
first locks that row (``UPDATE counter ...``), so sequence numbers are handed
out and committed in the same order on both engines, and a reader paging by
``seq > cursor`` can never skip a row that commits later. The server's clock
stamps everything; a workstation's clock is only recorded, never compared.

Runs on the request's worker thread; every public method is one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync import protocol as p

log = logging.getLogger("sync.server")

ENROL_CODE_TTL = timedelta(hours=72)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

metadata = sa.MetaData()

branches = sa.Table(
    "branches",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("branch", sa.String(32), sa.ForeignKey("branches.code"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("code_hash", sa.String(64), unique=True),
    sa.Column("code_expires", sa.String(40)),
    sa.Column("token_hash", sa.String(64), unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("enrolled_at", sa.String(40)),
    sa.Column("revoked_at", sa.String(40)),
    sa.Column("last_seen", sa.String(40)),
    sa.Column("last_confirmed", sa.String(40)),
    sa.Column("last_cursor", sa.BigInteger),
)
counter = sa.Table(
    "counter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)
records = sa.Table(
    "records",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("uid", sa.String(64), primary_key=True),
    sa.Column("branch", sa.String(32)),  # NULL: every branch sees it (tag catalogue, word list...)
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("updated_by", sa.String(80), nullable=False),
)
sa.Index("records_branch_seq", records.c.branch, records.c.seq)
# covers the checkpoint's scan (kind, uid, seq of one branch) without reading the data
sa.Index("records_summary", records.c.branch, records.c.kind, records.c.uid, records.c.seq)
changes = sa.Table(
    "changes",
    metadata,
    sa.Column("change_id", sa.String(64), primary_key=True),
    sa.Column("branch", sa.String(32), nullable=False),
    sa.Column("device_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("uid", sa.String(64), nullable=False),
    sa.Column("op", sa.String(10), nullable=False),
    sa.Column("payload_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("seq", sa.BigInteger),
    sa.Column("reason", sa.Text),
    sa.Column("code", sa.Integer),
    sa.Column("author", sa.String(80), nullable=False, server_default=""),
    sa.Column("local_time", sa.String(40), nullable=False, server_default=""),
    sa.Column("received_at", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)
sa.Index("changes_branch_received", changes.c.branch, changes.c.received_at)
sa.Index("changes_record", changes.c.kind, changes.c.uid)
conflicts = sa.Table(
    "conflicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("branch", sa.String(32), nullable=False),
    sa.Column("change_id", sa.String(64)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("uid", sa.String(64), nullable=False),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("base_value", sa.Text),
    sa.Column("server_value", sa.Text),
    sa.Column("branch_value", sa.Text),
    sa.Column("kept", sa.String(12), nullable=False),  # which value the record now holds
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("resolved_at", sa.String(40)),
)
sa.Index("conflicts_branch", conflicts.c.branch, conflicts.c.id)
denials = sa.Table(
    "denials",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.String(40), nullable=False),
    sa.Column("device_id", sa.Integer),
    sa.Column("device_branch", sa.String(32)),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
)


def now() -> str:
    """The server clock, UTC, to the millisecond: the only clock that stamps anything."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _dump(values: list[Any]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


class HQError(Exception):
    """An admin or request error with a Chinese message; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Device:
    id: int
    branch: str
    name: str


@dataclass
class Page:
    cursor: int
    high: int
    more: bool
    kinds: dict[str, tuple[tuple[str, ...], list[str]]]  # kind -> (columns, row JSON texts)


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings the store relies on."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling is off; SQLAlchemy's BEGIN below
            # takes the write lock at once (no upgrade deadlocks between writers).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # readers get a deferred transaction (a WAL snapshot, no lock); writers take the
            # write lock up front
            read = conn.get_execution_options().get("branchdesk_read")
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_pre_ping=True)


_REUSED = "变更编号重复但内容不同，已拒绝（不会沿用第一次的结果）。"


@dataclass
class _Rec:
    branch: str | None
    seq: int
    deleted: bool
    data: dict[str, Any]
    dirty: bool = False
    new: bool = False


class _WorkingSet:
    """The records one push or publish batch touches: read once, changed in memory, written back once."""

    def __init__(self, c: Connection, branch: str | None, keys: Iterable[tuple[str, str]]) -> None:
        self.c = c
        self.branch = branch
        self.recs: dict[tuple[str, str], _Rec] = {}
        self.conflicts: list[dict[str, Any]] = []
        self._villages: set[str] | None = None
        wanted: dict[str, set[str]] = defaultdict(set)
        for kind, uid in keys:
            if kind in p.KIND_COLUMNS:
                wanted[kind].add(uid)
        for kind, uids in wanted.items():
            columns = p.KIND_COLUMNS[kind]
            for uid, rbranch, seq, deleted, data in c.execute(
                sa.select(records.c.uid, records.c.branch, records.c.seq, records.c.deleted, records.c.data)
                .where(records.c.kind == kind, records.c.uid.in_(sorted(uids)))
            ):
                self.recs[(kind, uid)] = _Rec(rbranch, seq, bool(deleted), dict(zip(columns, json.loads(data),
                                                                                       strict=True)))

    def get(self, kind: str, uid: str) -> _Rec | None:
        return self.recs.get((kind, uid))

    def insert(
        self, kind: str, uid: str, branch: str | None, seq: int, data: dict[str, Any], deleted: bool = False
    ) -> None:
        self.recs[(kind, uid)] = _Rec(branch, seq, deleted, data, dirty=True, new=True)

    def villages(self) -> set[str]:
        if self._villages is None:
            self._villages = {
                uid for (uid,) in self.c.execute(
                    sa.select(records.c.uid).where(
                        records.c.kind == "village", sa.or_(records.c.branch == self.branch, records.c.branch.is_(None))
                    )
                )
            }
        return self._villages

    def flush(self, stamp: str, by: str) -> None:
        inserts, updates = [], []
        for (kind, uid), r in self.recs.items():
            if not r.dirty:
                continue
            columns = p.KIND_COLUMNS[kind]
            row = dict(seq=r.seq, deleted=r.deleted, data=_dump([r.data.get(col) for col in columns]),
                       updated_at=stamp, updated_by=by)
            if r.new:
                inserts.append(dict(kind=kind, uid=uid, branch=r.branch, **row))
            else:
                updates.append(dict(k_kind=kind, k_uid=uid, **row))
        if inserts:
            self.c.execute(records.insert(), inserts)
        if updates:
            self.c.execute(
                records.update()
                .where(records.c.kind == sa.bindparam("k_kind"), records.c.uid == sa.bindparam("k_uid"))
                .values(seq=sa.bindparam("seq"), deleted=sa.bindparam("deleted"), data=sa.bindparam("data"),
                        updated_at=sa.bindparam("updated_at"), updated_by=sa.bindparam("updated_by")),
                updates,
            )
        if self.conflicts:
            self.c.execute(conflicts.insert(), self.conflicts)


class HQStore:
    """Head office's records, devices and change log. Thread-safe (one transaction per call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> HQStore:
        store = cls(make_engine(url))
        store.create_schema()
        return store

    def _read(self) -> Connection:
        """A connection for reading: one consistent snapshot, no write lock."""
        return self.engine.connect().execution_options(branchdesk_read=True)

    def create_schema(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as c:
            if c.execute(sa.select(counter.c.value).where(counter.c.id == 1)).first() is None:
                c.execute(counter.insert().values(id=1, value=0))

    # --- sequence ------------------------------------------------------------------

    @staticmethod
    def _lock(c: Connection) -> int:
        """Lock the counter row for this transaction; returns the last seq handed out."""
        c.execute(counter.update().where(counter.c.id == 1).values(value=counter.c.value))
        return c.execute(sa.select(counter.c.value).where(counter.c.id == 1)).scalar_one()

    @staticmethod
    def _set_seq(c: Connection, value: int) -> None:
        c.execute(counter.update().where(counter.c.id == 1).values(value=value))

    @staticmethod
    def _high(c: Connection, branch: str) -> int:
        q = sa.select(sa.func.max(records.c.seq)).where(sa.or_(records.c.branch == branch, records.c.branch.is_(None)))
        return c.execute(q).scalar() or 0

    # --- branches and devices ---------------------------------------------------------

    def create_branch(self, code: str, name: str) -> None:
        code = code.strip()
        if not code or len(code) > 32:
            raise HQError("网点代码不能为空，且不超过 32 个字符。")
        with self.engine.begin() as c:
            if c.execute(sa.select(branches.c.code).where(branches.c.code == code)).first():
                raise HQError(f"网点 {code} 已存在。", 409)
            c.execute(branches.insert().values(code=code, name=name, created_at=now()))

    def branch_name(self, code: str) -> str | None:
        with self._read() as c:
            return c.execute(sa.select(branches.c.name).where(branches.c.code == code)).scalar()

    def list_branches(self) -> list[tuple[str, str]]:
        with self._read() as c:
            return [tuple(r) for r in c.execute(sa.select(branches.c.code, branches.c.name).order_by(branches.c.code))]

    def new_enrolment(self, branch: str, name: str = "") -> tuple[int, str]:
        """A device slot for ``branch`` and its one-time code (shown once, stored hashed)."""
        if self.branch_name(branch) is None:
            raise HQError(f"没有网点 {branch}，请先创建网点。", 404)
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        expires = (datetime.now(UTC) + ENROL_CODE_TTL).isoformat(timespec="seconds")
        with self.engine.begin() as c:
            device_id = c.execute(
                devices.insert().values(
                    branch=branch, name=name, code_hash=_sha(code), code_expires=expires, created_at=now()
                )
            ).inserted_primary_key[0]
        return int(device_id), code

    def redeem(self, code: str, device_name: str) -> tuple[Device, str]:
        """Exchange a one-time code for a device token. Raises HQError(403) for a bad code."""
        code = code.strip().upper()
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.code_expires, devices.c.revoked_at)
                .where(devices.c.code_hash == _sha(code))
            ).first()
            if row is None or row.revoked_at or (row.code_expires or "") < datetime.now(UTC).isoformat():
                raise HQError("注册码无效、已使用或已过期，请向总行重新申请。", 403)
            c.execute(
                devices.update()
                .where(devices.c.id == row.id)
                .values(
                    code_hash=None,
                    code_expires=None,
                    token_hash=_sha(token),
                    enrolled_at=now(),
                    name=device_name or row.name,
                )
            )
        return Device(row.id, row.branch, device_name or row.name), token

    def authenticate(self, token: str) -> Device | None:
        with self._read() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name).where(
                    devices.c.token_hash == _sha(token), devices.c.revoked_at.is_(None)
                )
            ).first()
        return Device(row.id, row.branch, row.name) if row else None

    def revoke(self, device_id: int) -> None:
        with self.engine.begin() as c:
            n = c.execute(
                devices.update()
                .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                .values(revoked_at=now())
            ).rowcount
        if not n:
            raise HQError(f"没有未吊销的设备 {device_id}。", 404)

    def list_devices(self) -> list[dict[str, Any]]:
        with self._read() as c:
            rows = c.execute(
                sa.select(
                    devices.c.id, devices.c.branch, devices.c.name, devices.c.enrolled_at, devices.c.revoked_at,
                    devices.c.last_seen, devices.c.last_confirmed, devices.c.last_cursor,
                ).order_by(devices.c.id)
            )
            return [dict(r._mapping) for r in rows]

    def deny(self, device: Device | None, target: str, reason: str) -> None:
        """Record a refused access (403). Logged without personal data."""
        log.warning("denied: device=%s branch=%s target=%s reason=%s",
                    device.id if device else None, device.branch if device else None, target, reason)
        with self.engine.begin() as c:
            c.execute(
                denials.insert().values(
                    time=now(),
                    device_id=device.id if device else None,
                    device_branch=device.branch if device else None,
                    target=target,
                    reason=reason,
                )
            )

    def list_denials(self) -> list[dict[str, Any]]:
        with self._read() as c:
            return [dict(r._mapping) for r in c.execute(sa.select(denials).order_by(denials.c.id))]

    # --- publishing master data ---------------------------------------------------------

    def publish(self, kind: str, branch: str | None, rows: Iterable[dict[str, Any]], *, by: str = "hq") -> int:
        """Insert or update head-office records of ``kind`` for ``branch`` (None: all branches).

        Each row is a dict with ``uid`` and the kind's columns; columns it lacks
        keep their current value. For clients, head office never overwrites the
        branch's own fields of an existing record; a shared field it overwrites
        with a value the branch set is kept as a conflict. ``deleted: True``
        tombstones a record. Unchanged rows get no new sequence number.
        Returns how many records changed.
        """
        if kind not in p.KIND_COLUMNS:
            raise HQError(f"未知的数据类型“{kind}”。")
        if branch is not None and self.branch_name(branch) is None:
            raise HQError(f"没有网点 {branch}。", 404)
        columns = p.KIND_COLUMNS[kind]
        changed = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                changed += self._publish_batch(kind, branch, columns, batch, by)
                batch = []
        if batch:
            changed += self._publish_batch(kind, branch, columns, batch, by)
        return changed

    def _publish_batch(
        self, kind: str, branch: str | None, columns: tuple[str, ...], batch: list[dict[str, Any]], by: str
    ) -> int:
        stamp = now()
        with self.engine.begin() as c:
            seq = self._lock(c)
            work = _WorkingSet(c, branch, ((kind, str(r["uid"])) for r in batch))
            changed = 0
            for r in batch:
                uid = str(r["uid"])
                deleted = bool(r.get("deleted", False))
                cur = work.get(kind, uid)
                if cur is not None and cur.branch != branch:
                    raise HQError(f"记录 {kind}/{uid} 属于网点 {cur.branch}，不能作为 {branch or '全辖'} 的数据发布。")
                if cur is None:
                    seq += 1
                    work.insert(kind, uid, branch, seq, {col: r.get(col) for col in columns}, deleted)
                    changed += 1
                    continue
                new = dict(cur.data)
                for col in columns:
                    if col not in r:
                        continue
                    if kind == "client" and col in p.CLIENT_BRANCH_FIELDS:
                        continue
                    if (
                        kind == "client"
                        and col in p.CLIENT_SHARED_FIELDS
                        and cur.data[col] != r[col]
                        and self._branch_touched(c, kind, uid, col)
                    ):
                        # head office overwrites a value the branch set: keep it for review
                        work.conflicts.append(
                            dict(branch=branch or "", change_id=None, kind=kind, uid=uid, field=col,
                                 base_value=None, server_value=json.dumps(r[col], ensure_ascii=False),
                                 branch_value=json.dumps(cur.data[col], ensure_ascii=False), kept="hq",
                                 created_at=stamp)
                        )
                    new[col] = r[col]
                if new == cur.data and deleted == cur.deleted:
                    continue
                seq += 1
                cur.data, cur.deleted, cur.seq, cur.dirty = new, deleted, seq, True
                changed += 1
            work.flush(stamp, by)
            self._set_seq(c, seq)
        return changed

    @staticmethod
    def _branch_touched(c: Connection, kind: str, uid: str, col: str) -> bool:
        """Did a branch ever set ``col`` of this record? (Then overwriting it is a conflict to show.)"""
        rows = c.execute(
            sa.select(changes.c.payload).where(
                changes.c.kind == kind, changes.c.uid == uid, changes.c.status.in_((p.APPLIED, p.CONFLICT))
            )
        )
        return any(col in json.loads(r.payload).get("after", {}) for r in rows)

    # --- pull ------------------------------------------------------------------------------

    def pull(
        self, branch: str, after: int, limit: int, kinds: Iterable[str] | None = None, uids: Iterable[str] | None = None
    ) -> Page:
        """The records ``branch`` may see with seq > ``after``, oldest first, at most ``limit``.

        ``uids`` (with one kind): just those records, whatever their seq (a workstation
        asking again for records it had to set aside).
        """
        scope = sa.or_(records.c.branch == branch, records.c.branch.is_(None))
        q = (
            sa.select(records.c.kind, records.c.uid, records.c.seq, records.c.deleted, records.c.data)
            .where(records.c.seq > after, scope)
            .order_by(records.c.seq)
            .limit(limit + 1)
        )
        kinds = list(kinds or ())
        if kinds:
            q = q.where(records.c.kind.in_(kinds))
        uids = list(uids or ())
        if uids:
            q = q.where(records.c.uid.in_(uids))
        with self._read() as c:
            rows = c.execute(q).all()
            high = self._high(c, branch)
        more = len(rows) > limit
        rows = rows[:limit]
        out: dict[str, tuple[tuple[str, ...], list[str]]] = {}
        dumps = json.dumps
        for kind, uid, seq, deleted, data in rows:
            entry = out.get(kind)
            if entry is None:
                entry = out[kind] = (p.KIND_COLUMNS[kind], [])
            # data is the JSON array of values: splice it instead of re-encoding
            entry[1].append(f"[{seq},{dumps(uid)},{1 if deleted else 0},{data[1:]}")
        cursor = rows[-1].seq if rows else after
        return Page(cursor=cursor, high=high, more=more, kinds=out)

    # --- push ------------------------------------------------------------------------------

    def push(self, device: Device, batch: list[p.Change]) -> list[p.ChangeResult]:
        """Apply a batch in one transaction; one answer per change id, in order.

        The records the batch touches are read in one query per kind into a
        working set, changed there, and written back with one statement per
        table, so a batch of 500 costs a handful of round trips.
        """
        stamp = now()
        results: list[p.ChangeResult] = []
        denied: list[str] = []
        with self.engine.begin() as c:
            seq = self._lock(c)
            ids = [ch.change_id for ch in batch]
            seen = {
                r.change_id: r
                for r in c.execute(
                    sa.select(changes.c.change_id, changes.c.payload_hash, changes.c.status, changes.c.seq,
                              changes.c.reason).where(changes.c.change_id.in_(ids))
                )
            }
            work = _WorkingSet(c, device.branch, ((ch.kind, ch.uid) for ch in batch))
            change_rows: list[dict[str, Any]] = []
            in_batch: dict[str, str] = {}
            for ch in batch:
                payload = {
                    "kind": ch.kind, "uid": ch.uid, "op": ch.op, "before": ch.before, "after": ch.after,
                    "base_seq": ch.base_seq,
                }
                h = p.change_hash(payload)
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
                result, seq = self._apply(work, device, ch, seq, stamp)
                if result.code == 403:
                    denied.append(f"{ch.kind}/{ch.uid}")
                results.append(result)
                change_rows.append(dict(
                    change_id=ch.change_id, branch=device.branch, device_id=device.id, kind=ch.kind[:32],
                    uid=ch.uid[:64], op=ch.op[:10], payload_hash=h, status=result.status, seq=result.seq,
                    reason=result.reason, code=result.code, author=ch.author[:80], local_time=ch.local_time[:40],
                    received_at=stamp, payload=json.dumps(payload, ensure_ascii=False),
                ))
            work.flush(stamp, f"device:{device.id}")
            if change_rows:
                c.execute(changes.insert(), change_rows)
            self._set_seq(c, seq)
            c.execute(devices.update().where(devices.c.id == device.id).values(last_seen=stamp))
        for target in denied:
            self.deny(device, target, "push to a record of another branch")
        return results

    def _apply(
        self, work: _WorkingSet, device: Device, ch: p.Change, seq: int, stamp: str
    ) -> tuple[p.ChangeResult, int]:
        def reject(reason: str, code: int = 400) -> tuple[p.ChangeResult, int]:
            return p.ChangeResult(ch.change_id, p.REJECTED, reason=reason, code=code), seq

        if ch.kind not in p.PUSHABLE_KINDS:
            code = 403 if ch.kind in p.KIND_COLUMNS else 400
            return reject(f"网点不能上传“{ch.kind}”类数据（由总行维护或未知类型）。", code)
        if ch.op not in p.OPS:
            return reject(f"未知的操作“{ch.op}”。")
        if not ch.uid or len(ch.uid) > 64 or len(ch.change_id) > 64:
            return reject("记录编号或变更编号为空或过长。")
        columns = p.KIND_COLUMNS[ch.kind]
        cur = work.get(ch.kind, ch.uid)
        if cur is not None and cur.branch != device.branch:
            return reject("该记录属于其他网点或由总行统一维护，本设备无权修改。", 403)
        if ch.op != "delete":
            unknown = sorted(set(ch.after) - set(columns))
            if unknown:
                return reject(f"“{ch.kind}”没有字段：{'、'.join(unknown)}。")
        if ch.kind == "tag" and ch.op != "delete" and ch.after.get("source", "branch") != "branch":
            return reject("网点只能上传本网点自定义标签（source = branch）。", 403)

        if ch.op == "insert":
            if cur is not None:
                return reject("记录已存在，不能重复新建。", 409)
            problem = self._check_insert(work, ch)
            if problem:
                return reject(problem)
            data = {col: ch.after.get(col) for col in columns}
            if ch.kind == "tag":
                data["source"] = "branch"
            seq += 1
            work.insert(ch.kind, ch.uid, device.branch, seq, data)
            return p.ChangeResult(ch.change_id, p.APPLIED, seq=seq), seq

        if cur is None:
            return reject("总行没有这条记录（可能尚未上传新建，或编号有误）。", 404)
        if cur.deleted:
            return p.ChangeResult(ch.change_id, p.CONFLICT, code=409, reason="该记录已在总行删除，变更未应用。"), seq
        data = cur.data

        if ch.op == "delete":
            seq += 1
            cur.seq, cur.deleted, cur.dirty = seq, True, True
            return p.ChangeResult(ch.change_id, p.APPLIED, seq=seq), seq

        if ch.kind == "client":
            prospect = data.get("client_no") is None
            for col in ch.after:
                if col in p.CLIENT_HQ_FIELDS and not (prospect and col in p.CLIENT_PROSPECT_FIELDS):
                    return reject(f"字段“{col}”由总行核心系统维护，网点不能修改。", 403)
        found: list[p.FieldConflict] = []
        for col, value in ch.after.items():
            current = data.get(col)
            if col in ch.before:
                base = ch.before[col]
                if current != base and current != value:
                    # the author never saw the current value: order of receipt wins, a person reviews
                    found.append(p.FieldConflict(col, value, current, base))
            data[col] = value
        seq += 1
        cur.seq, cur.dirty = seq, True
        if found:
            work.conflicts.extend(
                dict(branch=device.branch, change_id=ch.change_id, kind=ch.kind, uid=ch.uid, field=f.field,
                     base_value=json.dumps(f.base_value, ensure_ascii=False),
                     server_value=json.dumps(f.server_value, ensure_ascii=False),
                     branch_value=json.dumps(f.branch_value, ensure_ascii=False), kept="branch", created_at=stamp)
                for f in found
            )
            return p.ChangeResult(ch.change_id, p.CONFLICT, seq=seq, conflicts=found,
                                  reason="已按收到顺序采用网点的值，被覆盖的总行值已留存待人工复核。"), seq
        return p.ChangeResult(ch.change_id, p.APPLIED, seq=seq), seq

    @staticmethod
    def _check_insert(work: _WorkingSet, ch: p.Change) -> str | None:
        a = ch.after
        if ch.kind == "client":
            for col in ("kind", "name", "village", "segment", "lifecycle"):
                if not a.get(col):
                    return f"新建客户缺少“{col}”。"
            if a.get("client_no"):
                return "核心客户号由总行分配，网点新建客户时不能填写。"
            if any(a.get(col) for col in ("aum_fen", "deposit_fen", "loan_fen", "mb_signed", "mb_active", "hq_tags")):
                return "资产、存贷款余额、手机银行状态和总行标签由总行维护，网点新建客户时不能填写。"
            if str(a["village"]) not in work.villages():
                return f"所属村“{a['village']}”不在本网点的辖区。"
        elif ch.kind == "tag" and not (a.get("code") and a.get("name")):
            return "标签缺少代码或名称。"
        return None

    # --- checkpoint ------------------------------------------------------------------------

    def summaries(self, branch: str) -> tuple[int, dict[str, p.ScopeSummary]]:
        """Per-kind count + hash of ``uid:seq`` over what ``branch`` can see, and the high seq."""
        items: dict[str, list[tuple[str, int]]] = defaultdict(list)
        with self._read() as c:
            for kind, uid, seq in c.execute(
                sa.select(records.c.kind, records.c.uid, records.c.seq).where(
                    sa.or_(records.c.branch == branch, records.c.branch.is_(None))
                )
            ):
                items[kind].append((uid, seq))
            high = self._high(c, branch)
        return high, {k: p.scope_summary(v) for k, v in items.items()}

    def confirm(self, device: Device, cursor: int, theirs: dict[str, p.ScopeSummary]) -> p.CheckpointResponse:
        high, ours = self.summaries(device.branch)
        mismatched = sorted(
            k for k in set(ours) | set(theirs)
            if (ours.get(k) or p.ScopeSummary(0, p.scope_summary([]).hash)) != (
                theirs.get(k) or p.ScopeSummary(0, p.scope_summary([]).hash)
            )
        )
        confirmed = not mismatched and cursor >= high
        if confirmed:
            with self.engine.begin() as c:
                c.execute(devices.update().where(devices.c.id == device.id)
                          .values(last_confirmed=now(), last_cursor=cursor))
        return p.CheckpointResponse(confirmed=confirmed, high=high, mismatched=mismatched, scopes=ours,
                                    server_time=now())

    # --- reports -------------------------------------------------------------------------------

    def pushed(self, branch: str, limit: int = 50) -> list[dict[str, Any]]:
        """What ``branch`` pushed, newest first (no personal data: kinds, ids, answers)."""
        with self._read() as c:
            rows = c.execute(
                sa.select(changes.c.received_at, changes.c.device_id, changes.c.change_id, changes.c.kind,
                          changes.c.uid, changes.c.op, changes.c.status, changes.c.seq, changes.c.reason)
                .where(changes.c.branch == branch)
                .order_by(changes.c.received_at.desc(), changes.c.seq.desc())
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    def push_counts(self, branch: str) -> dict[str, int]:
        with self._read() as c:
            rows = c.execute(
                sa.select(changes.c.status, sa.func.count()).where(changes.c.branch == branch)
                .group_by(changes.c.status)
            )
            return {r[0]: r[1] for r in rows}

    def conflicts(self, branch: str) -> list[dict[str, Any]]:
        with self._read() as c:
            rows = c.execute(sa.select(conflicts).where(conflicts.c.branch == branch).order_by(conflicts.c.id))
            return [dict(r._mapping) for r in rows]

    def records(self, branch: str, kind: str) -> Iterator[tuple[str, int, bool, dict[str, Any]]]:
        """(uid, seq, deleted, values) of one kind as ``branch`` sees it (tests, reports)."""
        columns = p.KIND_COLUMNS[kind]
        with self._read() as c:
            for uid, seq, deleted, data in c.execute(
                sa.select(records.c.uid, records.c.seq, records.c.deleted, records.c.data).where(
                    records.c.kind == kind, sa.or_(records.c.branch == branch, records.c.branch.is_(None))
                )
            ):
                yield uid, seq, bool(deleted), dict(zip(columns, json.loads(data), strict=True))
