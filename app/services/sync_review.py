"""What sync left for a person: conflicts to review, and changes head office refused (quarantined).

For one signed-in staff member, below the UI: ``branchdesk sync conflicts`` /
``sync quarantine`` and the Sync workspace show the same lists, read the same
way (Chinese labels and values, ID and phone numbers masked). A refused change
can be sent again (under a new change id, after the record was corrected or
what it refers to now exists) or discarded: discarding is audited, and the
record is asked for again from head office at the next sync so the PC returns
to head office's version. A conflict is decided by a person (``resolve``): keep
this branch's value, keep head office's, or type a merged one; the decision is
a normal journaled edit of the record (through the client service for a
client, so its rules apply), so it reaches head office at the next push; the
conflict is closed and the decision audited (which side, never the values) in
the same transaction. A refused insert or update can also be fixed (``fixable``
/ ``fix``): the refused values corrected as typed text, checked like a merged
value, the corrected change journaled again and the local record corrected,
the refused change closed and the fix audited (which fields, never the values),
in one transaction. Runs on the thread that owns ``db``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Staff, check
from app.services.history import ChangeView, conflict_values, describe, value_text
from app.store import audit, journal, syncdata
from app.store.db import write
from app.store.records import RecordError, Records
from app.store.reference import ReferenceData
from sync.protocol.kinds import KINDS
from sync.protocol.schema import (
    INSERT,
    UPDATE,
    Column,
    Kind,
    Owner,
    Problem,
    T,
    branch_change_problem,
    branch_may_set,
)

KEEP_MINE, KEEP_THEIRS, MERGED = "mine", "theirs", "merged"
DECISIONS = {KEEP_MINE: "保留本网点的值", KEEP_THEIRS: "采用总行的值", MERGED: "采用人工填写的合并值"}
HEAD_OFFICE = "总行"


def _reason(note: str | None) -> str:
    """Head office's reason as a person reads it (without the HTTP status the journal keeps)."""
    return re.sub(r"^HTTP \d+：", "", note or "") or "总行拒绝（未说明原因）"


@dataclass(frozen=True)
class ConflictView:
    id: int
    time: str
    side: str  # "push": head office kept this branch's value; "pull": it kept its own
    kind: str
    record: str  # the record as a person knows it (a client's name), never a number
    field: str
    mine: str  # this branch's value, masked
    theirs: str  # head office's value, masked
    note: str


@dataclass(frozen=True)
class QuarantinedView:
    change: ChangeView
    record: str
    reason: str


@dataclass(frozen=True)
class FixField:
    """One field of a refused change that a person may correct."""

    field: str  # the wire name
    label: str
    refused: str  # the refused value as a person reads it (ID and phone numbers masked)
    text: str  # what the entry starts with: the refused value as typed; "" for a masked column
    hint: str  # how to type a value
    masked: bool  # the refused number is shown masked: type the corrected number whole
    named: bool  # head office's reason names this field


@dataclass(frozen=True)
class QuarantineFix:
    """A refused insert or update as the fix dialog shows it."""

    change: ChangeView
    kind: str  # the kind's wire name (``change.kind`` is its Chinese label)
    record: str
    reason: str
    op: str  # insert / update
    fields: tuple[FixField, ...]  # the ones the reason names first


@dataclass(frozen=True)
class ConflictSide:
    value: str  # as a person reads it, masked
    by: str  # who changed it: 姓名（工号） from the journal, or 总行
    at: str  # when (local time, to the minute); "" when not known


@dataclass(frozen=True)
class ConflictDetail:
    """One open conflict as the review dialog shows it."""

    view: ConflictView
    field: str | None  # the wire name; None: the whole record
    mine: ConflictSide
    theirs: ConflictSide
    can_keep_mine: bool
    can_merge: bool  # a field conflict: a merged value may be typed
    hint: str  # how to type a merged value


@dataclass(frozen=True)
class Resolution:
    conflict_id: int
    decision: str  # KEEP_MINE / KEEP_THEIRS / MERGED
    change_ids: tuple[str, ...]  # the journaled edits (empty: the record already held the decided value)


class _Refused(Exception):
    """A decision refused inside the write transaction: rolled back, the errors said."""

    def __init__(self, *errors: FieldError) -> None:
        super().__init__("；".join(e.message for e in errors))
        self.errors = errors


def _field_error(kind: Kind, problem: Problem) -> FieldError:
    col = kind.by_name.get(problem.field)
    return FieldError(problem.field, col.label if col else problem.field, problem.code, problem.message)


def _bool_text(v: Any) -> str:
    return "" if v is None else ("是" if v else "否")


class SyncReview:
    """Conflicts and quarantined changes as one staff member may see and handle them."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)

    def _record_name(self, kind: str, uid: str) -> str:
        if kind == "client":
            row = self.db.conn.execute("SELECT name FROM clients WHERE uid = ?", (uid,)).fetchone()
            if row:
                return f"客户 {row[0]}"
        return f"{kind} {uid[:8]}…"

    def conflicts(self) -> list[ConflictView] | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        return [self._view(c) for c in syncdata.open_conflicts(self.db)]

    # --- deciding a conflict -----------------------------------------------------------------

    def _open(self, conflict_id: int) -> syncdata.ConflictRow | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        try:
            row = syncdata.open_conflict(self.db, int(conflict_id))
        except (TypeError, ValueError):
            row = None
        if row is None:
            return FieldError("conflict", "冲突", "unknown",
                              f"没有待处理的冲突“{conflict_id}”（编号不对，或已经处理过）。")
        return row

    def _view(self, c: syncdata.ConflictRow) -> ConflictView:
        label, mine, theirs = conflict_values(c.kind, c.field, c.local_value, c.server_value, self.ref)
        return ConflictView(c.id, c.time[:16].replace("T", " "), c.side, c.kind,
                            self._record_name(c.kind, c.row_uid), label, mine, theirs, c.note)

    def _local_change(self, c: syncdata.ConflictRow) -> journal.JournalEntry | None:
        """The change this branch's side comes from: the pushed change itself, or the record's
        latest journaled change (to that field, for a field conflict)."""
        if c.change_id:
            entry = journal.get(self.db, c.change_id)
            if entry is not None:
                return entry
        sql = "SELECT change_id FROM journal WHERE kind = ? AND row_uid = ?"
        args: list[Any] = [c.kind, c.row_uid]
        if c.field:
            sql += " AND instr(after, ?) > 0"
            args.append(json.dumps(c.field))
        row = self.db.conn.execute(sql + " ORDER BY seq DESC LIMIT 1", args).fetchone()
        return journal.get(self.db, row[0]) if row else None

    def conflict(self, conflict_id: int) -> ConflictDetail | FieldError:
        """One open conflict with who changed each side and when (values masked)."""
        c = self._open(conflict_id)
        if isinstance(c, FieldError):
            return c
        view = self._view(c)
        entry = self._local_change(c)
        shown = describe(entry, self.ref) if entry is not None else None
        mine = ConflictSide(view.mine, shown.author if shown else "", shown.time if shown else "")
        theirs = ConflictSide(view.theirs, HEAD_OFFICE, view.time)
        k = KINDS.get(c.kind)
        col = k.by_name.get(c.field) if (k is not None and c.field) else None
        return ConflictDetail(view, c.field, mine, theirs, can_keep_mine=bool(c.field) or c.side == "pull",
                              can_merge=col is not None, hint=self._hint(col) if col is not None else "")

    @staticmethod
    def _hint(col: Column) -> str:
        if col.pattern_hint:
            return col.pattern_hint
        if col.type == T.BOOL:
            return "是 或 否"
        if col.type == T.ENUM:
            return "、".join(ch.label for ch in col.choices)
        if col.type == T.DATE:
            return "日期，如 2026-12-01"
        if col.type == T.REF and col.ref == "village":
            return "村名（乡镇+村）或村代码"
        if col.type == T.REF and col.ref == "staff":
            return "员工号或姓名"
        if col.type == T.LIST:
            return "多项用逗号分隔"
        if col.max_len:
            return f"最多 {col.max_len} 个字"
        return ""

    def typed_value(self, col: Column, value: Any) -> Any:
        """A merged value as typed (text) in its column's wire form; anything else as given.
        What cannot be read is left as text, for the declaration to refuse with its own words."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        t = col.type
        if t == T.TEXT:
            if col.pattern:  # a number (phone, ID) as people write it: 138 0013 8000
                text = "".join(text.split())
            return text if text or not col.null else col.empty
        if not text:
            return col.empty if not col.null else None
        if t == T.BOOL:
            low = text.lower()
            if low in ("是", "y", "yes", "true", "1"):
                return True
            if low in ("否", "n", "no", "false", "0"):
                return False
        elif t == T.ENUM:
            return next((ch.value for ch in col.choices if text in (ch.value, ch.label)), text)
        elif t in (T.INT, T.MONEY) and re.fullmatch(r"-?\d+", text):
            return int(text)
        elif t == T.REF and col.ref == "village":
            if text in self.ref.village_by_code:
                return text
            found = self.ref.find_villages(text)
            return found[0].code if len(found) == 1 else text
        elif t == T.REF and col.ref == "staff":
            s = self.ref.find_staff(text)
            return s.code if s is not None else text
        elif t == T.LIST:
            parts = [x.strip() for x in re.split(r"[,，、]", text) if x.strip()]
            if col.item == T.CODE:
                parts = [self.ref.find_tag(x).code if self.ref.find_tag(x) else x for x in parts]
            return sorted(set(parts))
        return text

    def _decided(self, c: syncdata.ConflictRow, k: Kind, keep: str | None, value: Any,
                 current: dict[str, Any]) -> dict[str, Any]:
        """The values the decision sets (wire names), or ``_Refused`` saying why."""
        if c.field is None:
            if value is not None:
                raise _Refused(FieldError("value", "合并值", "whole_record",
                                          f"这条冲突涉及整条{k.label}记录，不能填写合并值；请选择保留本网点或总行的版本。"))
            if keep == KEEP_MINE:
                if c.side == "push":
                    raise _Refused(FieldError("keep", "处理方式", "gone",
                                              f"总行未采用本网点的这项修改（{c.note or '原因未说明'}），"
                                              "无法保留本网点的版本；只能采用总行的处理。"))
                return {}  # the unsent local change goes up at the next push
            if c.side == "push":
                return {}  # head office's handling stands; the next pull brings its version
            try:
                theirs = json.loads(c.server_value or "{}")
            except ValueError:
                theirs = {}
            # head office's version of what the branch may change; its own columns arrive with the next pull
            return {n: v for n, v in theirs.items() if n in k.by_name and k.by_name[n].owner != Owner.HQ
                    and current.get(n) != v}
        col = k.by_name.get(c.field)
        if col is None:
            raise _Refused(FieldError(c.field, c.field, "unknown",
                                      f"本版本不认识{k.label}的字段“{c.field}”，无法处理。"))
        if keep is not None:
            raw = c.local_value if keep == KEEP_MINE else c.server_value
            if raw is None:
                raise _Refused(FieldError(col.name, col.label, "missing",
                                          f"这条冲突没有留存{col.label}的{DECISIONS[keep][2:]}，无法采用。"))
            decided = json.loads(raw)
        else:
            decided = self.typed_value(col, value)
        problem = col.problem(decided)
        if problem is not None:
            raise _Refused(_field_error(k, problem))
        return {col.name: decided} if current.get(col.name) != decided else {}

    def _apply_client(self, c: syncdata.ConflictRow, k: Kind, keep: str | None, value: Any) -> None:
        """Through the client service's edit, so its permission, validation and ownership rules apply."""
        from app.services.clients import ClientService

        svc = ClientService(self.db, self.staff, self.ref)
        client = svc.repo.get_by_uid(c.row_uid)
        if client is None or client.id is None:
            if keep == KEEP_THEIRS and c.side == "push" and c.field is None:
                return  # deleted at head office, and so here: nothing to change
            raise _Refused(FieldError("client", "客户", "unknown", "该客户在本机不存在或已删除，无法按此处理。"))
        current = svc.repo.wire(client)
        changes = self._decided(c, k, keep, value, current)
        if not changes:
            return
        result = svc.edit(client.id, self._client_raw(k, changes, current))
        if not result.ok:
            raise _Refused(*result.errors)

    def _client_raw(self, k: Kind, changes: dict[str, Any], current: dict[str, Any]) -> dict[str, str]:
        """Wire values as the text the client service's edit takes (a village by its local id, tags joined)."""
        raw: dict[str, str] = {}
        for name, v in changes.items():
            col = k.by_name[name]
            if name == "hq_tags":
                raw["tags"] = ",".join(sorted(set(v or []) | set(current.get("branch_tags") or [])))
            elif name == "branch_tags":
                raw["tags"] = ",".join(sorted(set(v or []) | set(current.get("hq_tags") or [])))
            elif col.type == T.REF and col.ref == "village":
                village = self.ref.village_by_code.get(v) if v else None
                raw[col.local_name] = str(village.id) if village is not None else (v or "")
            elif col.type == T.BOOL:
                raw[col.local_name] = _bool_text(v)
            elif col.type == T.LIST:
                raw[col.local_name] = ",".join(v or [])
            else:
                raw[col.local_name] = "" if v is None else str(v)
        return raw

    def _apply_record(self, c: syncdata.ConflictRow, k: Kind, keep: str | None, value: Any) -> None:
        try:
            records = Records(self.db, c.kind, self.ref)
        except (KeyError, ValueError):
            records = None
        rec = records.get(c.row_uid) if records is not None else None
        if records is None or rec is None:
            if keep == KEEP_THEIRS and c.side == "push" and c.field is None:
                return
            raise _Refused(FieldError("record", k.label, "unknown",
                                      f"该{k.label}记录在本机不存在、已删除或不能在网点修改。"))
        changes = self._decided(c, k, keep, value, rec.values)
        if not changes:
            return
        try:
            records.update(c.row_uid, changes, author=self.staff.code)
        except RecordError as exc:
            raise _Refused(*(_field_error(k, pr) for pr in exc.problems)) from exc

    def resolve(self, conflict_id: int, *, keep: str | None = None, value: Any = None) -> Result[Resolution]:
        """Decide an open conflict: ``keep`` "mine" (this branch's value) or "theirs" (head office's),
        or ``value``, a merged value (wire form, or text as a person typed it).

        The decision is a journaled edit of the record when the record does not hold the decided
        value already (it goes to head office at the next push); the conflict is closed and the
        decision audited in the same transaction. A refused decision writes nothing.
        """
        how = "处理方式"
        if keep is not None and value is not None:
            return Result.failed(FieldError("keep", how, "both", "请只选一种处理方式：保留一方的值，或填写合并值。"))
        if keep is None and value is None:
            return Result.failed(FieldError("keep", how, "required", "请选择保留本网点或总行的值，或填写合并值。"))
        if keep is not None and keep not in (KEEP_MINE, KEEP_THEIRS):
            return Result.failed(FieldError("keep", how, "choice",
                                            f"处理方式只能是 mine（本网点）或 theirs（总行），不认识“{keep}”。"))
        c = self._open(conflict_id)
        if isinstance(c, FieldError):
            return Result.failed(c)
        k = KINDS.get(c.kind)
        if k is None:
            return Result.failed(FieldError("kind", "记录类型", "unknown",
                                            f"本版本不认识记录类型“{c.kind}”，无法处理。"))
        decision = keep or MERGED
        try:
            with write(self.db):
                last = self.db.conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0]
                if c.kind == "client":
                    self._apply_client(c, k, keep, value)
                else:
                    self._apply_record(c, k, keep, value)
                ids = tuple(r[0] for r in self.db.conn.execute(
                    "SELECT change_id FROM journal WHERE seq > ? ORDER BY seq", (last,)))
                syncdata.close_conflict(self.db, c.id, resolution=decision, by=self.staff.code)
                label = k.by_name[c.field].label if c.field and c.field in k.by_name else f"整条{k.label}记录"
                audit.record(
                    self.db, staff=self.staff.code, action=audit.RESOLVE_CONFLICT, kind=c.kind, row_uid=c.row_uid,
                    detail=f"处理同步冲突 {c.id}（{label}）：{DECISIONS[decision]}"
                           + ("；已记为修改，下次同步上传" if ids else "；本机已是该值，无需修改"),
                )
        except _Refused as exc:
            return Result.failed(*exc.errors)
        return Result.done(Resolution(c.id, decision, ids), Changes.of(c.kind, uids=[c.row_uid], journal=bool(ids)))

    def quarantined(self) -> list[QuarantinedView] | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        return [
            QuarantinedView(describe(e, self.ref), self._record_name(e.kind, e.row_uid), _reason(e.sync_note))
            for e in journal.by_state(self.db, journal.SYNC_QUARANTINED)
        ]

    def _quarantined_entry(self, change_id: str) -> journal.JournalEntry | FieldError:
        denied = check(self.staff, Action.REVIEW_CONFLICTS)
        if denied:
            return denied
        entry = journal.get(self.db, change_id)
        if entry is None or entry.sync_state != journal.SYNC_QUARANTINED:
            return FieldError("change", "变更", "unknown", f"没有被总行拒绝、待处理的变更“{change_id}”。")
        return entry

    def retry(self, change_id: str) -> Result[str]:
        """Send a refused change again, under a new change id (the old one stays refused at head office)."""
        entry = self._quarantined_entry(change_id)
        if isinstance(entry, FieldError):
            return Result.failed(entry)
        with write(self.db):
            new_id = journal.record(
                self.db, kind=entry.kind, row_uid=entry.row_uid, row_id=entry.row_id, op=entry.op,
                before=entry.before, after=entry.after, author=self.staff.code, base_seq=entry.base_seq,
            )
            journal.mark(self.db, change_id, journal.SYNC_LOCAL,
                         note=f"{entry.sync_note or ''}；已由 {self.staff.code} 重新上传（新变更 {new_id}）")
        return Result.done(new_id, Changes.of(entry.kind, uids=[entry.row_uid]))

    def discard(self, change_id: str) -> Result[str]:
        """Give up a refused change: audited; the record is fetched again from head office at the next sync."""
        entry = self._quarantined_entry(change_id)
        if isinstance(entry, FieldError):
            return Result.failed(entry)
        with write(self.db):
            journal.mark(self.db, change_id, journal.SYNC_LOCAL,
                         note=f"{entry.sync_note or ''}；已由 {self.staff.code} 放弃")
            audit.record(self.db, staff=self.staff.code, action=audit.DISCARD_CHANGE, kind=entry.kind,
                         row_uid=entry.row_uid, detail=f"放弃被总行拒绝的变更 {change_id}")
            if entry.op != "insert":
                syncdata.refetch_later(self.db, entry.kind, entry.row_uid)
        return Result.done(change_id, Changes.of(entry.kind, uids=[entry.row_uid]))

    # --- fixing a refused change ---------------------------------------------------------------

    def _local_values(self, kind: str, uid: str) -> dict[str, Any] | None:
        """The record as this PC holds it now (wire values), or None when it is not here (or deleted)."""
        if kind == "client":
            from app.store.clients import ClientRepository

            repo = ClientRepository(self.db, self.ref)
            client = repo.get_by_uid(uid)
            return repo.wire(client) if client is not None else None
        try:
            rec = Records(self.db, kind, self.ref).get(uid)
        except (KeyError, ValueError):
            return None
        return rec.values if rec is not None else None

    @staticmethod
    def _may_fix(k: Kind, op: str, col: Column, current: dict[str, Any]) -> bool:
        """May a branch correct ``col`` in a refused ``op`` of a record with values ``current``?"""
        if col.type == T.JSON or col.branch_value is not None:
            return False  # not typed on one line; a fixed value
        if k.uid == "code" and col.name == "code":
            return False  # the record's identity
        if op == INSERT:
            return k.source_column is not None or col.owner != Owner.HQ or col.provisional
        if k.branch_owns(current):
            return True
        if k.source_column is not None and col.owner == Owner.HQ:
            return False
        return branch_may_set(k, col.name, current) is None

    def _as_typed(self, col: Column, value: Any) -> str:
        """A wire value as a person would type it (the inverse of ``typed_value``)."""
        if value is None or value == "" or value == []:
            return ""
        t = col.type
        if t == T.BOOL:
            return _bool_text(value)
        if t == T.ENUM:
            return next((ch.label for ch in col.choices if ch.value == value), str(value))
        if t == T.REF and col.ref == "village" and isinstance(value, str):
            village = self.ref.village_by_code.get(value)
            return self.ref.full_name(village) if village is not None else value
        if t == T.LIST and isinstance(value, list):
            if col.item == T.CODE:
                return "，".join(self.ref.tag_by_code[x].name if x in self.ref.tag_by_code else str(x) for x in value)
            return "，".join(map(str, value))
        return str(value)

    def _fix_hint(self, col: Column, masked: bool) -> str:
        hint = self._hint(col)
        if col.type == T.MONEY:
            hint = "整数，单位：分"
        if masked:
            hint = "；".join(x for x in ("为保护个人信息不显示原值，请填写完整的号码，不更正则留空", hint) if x)
        return hint

    def fixable(self, change_id: str) -> QuarantineFix | FieldError:
        """A refused insert or update with the fields a person may correct: each with its Chinese
        label, the refused value (masked for ID and phone numbers, whose entry then starts empty:
        showing them in full is an audited reveal, not part of a fix) and how to type it. A delete
        has nothing to correct: it is sent again or discarded."""
        entry = self._quarantined_entry(change_id)
        if isinstance(entry, FieldError):
            return entry
        k = KINDS.get(entry.kind)
        if k is None:
            return FieldError("kind", "记录类型", "unknown",
                              f"本版本不认识记录类型“{entry.kind}”，无法更正：请选择重新上传或放弃。")
        if entry.op not in (INSERT, UPDATE):
            return FieldError("change", "变更", "not_fixable",
                              "这是一项删除，没有可以更正的字段：请选择重新上传，或放弃（恢复为总行的数据）。")
        current = self._local_values(entry.kind, entry.row_uid)
        if current is None:
            return FieldError("record", k.label, "unknown",
                              f"该{k.label}记录在本机不存在或已删除，无法更正：请选择重新上传或放弃。")
        reason = _reason(entry.sync_note)
        fields: list[FixField] = []
        for name, value in entry.after.items():
            col = k.by_name.get(name)
            if col is None or not self._may_fix(k, entry.op, col, current):
                continue
            named = col.label in reason
            if entry.op == INSERT and col.is_empty(value) and not col.required and not named:
                continue  # a new record lists what it says, not every empty column
            masked = bool(col.mask)
            fields.append(FixField(
                field=name, label=col.label, refused=value_text(col, value, self.ref),
                text="" if masked else self._as_typed(col, value), hint=self._fix_hint(col, masked),
                masked=masked, named=named,
            ))
        if not fields:
            return FieldError("change", "变更", "not_fixable",
                              "这项修改中没有网点可以更正的字段（由总行维护）：请选择重新上传或放弃。")
        fields.sort(key=lambda f: not f.named)
        return QuarantineFix(describe(entry, self.ref), entry.kind, self._record_name(entry.kind, entry.row_uid),
                             reason, entry.op, tuple(fields))

    def _later_fields(self, entry: journal.JournalEntry) -> set[str]:
        """Fields of the record that a later change set which went, or goes, to head office: a fix
        must not send the refused change's older value of those over them."""
        rows = self.db.conn.execute(
            "SELECT after FROM journal WHERE kind = ? AND row_uid = ? AND seq > ? AND sync_state IN (?, ?, ?)",
            (entry.kind, entry.row_uid, entry.seq, journal.SYNC_PENDING, journal.SYNC_ACKED, journal.SYNC_CONFLICT),
        )
        return {name for (after,) in rows for name in json.loads(after)}

    def _requeue_after(self, entry: journal.JournalEntry, insert_id: str) -> None:
        """Unsent changes of a record head office does not have yet, and unsent records that refer
        to it (a new client's contacts), go up after its corrected insert (each under a new change
        id, the old one closed), never before it."""
        rows = self.db.conn.execute(
            "SELECT change_id FROM journal WHERE sync_state = ? AND change_id != ?"
            " AND ((kind = ? AND row_uid = ?) OR instr(after, ?) > 0) ORDER BY seq",
            (journal.SYNC_PENDING, insert_id, entry.kind, entry.row_uid, json.dumps(entry.row_uid)),
        ).fetchall()
        for (cid,) in rows:
            e = journal.get(self.db, cid)
            assert e is not None
            if (e.kind, e.row_uid) != (entry.kind, entry.row_uid):
                k = KINDS.get(e.kind)
                refers = k is not None and any(
                    col.type == T.REF and col.ref == entry.kind and e.after.get(col.name) == entry.row_uid
                    for col in k.columns)
                if not refers:
                    continue
            new_id = journal.record(self.db, kind=e.kind, row_uid=e.row_uid, row_id=e.row_id, op=e.op,
                                    before=e.before, after=e.after, author=e.author, base_seq=e.base_seq)
            journal.mark(self.db, cid, journal.SYNC_LOCAL,
                         note=f"已移到更正后的新建（变更 {insert_id}）之后重新上传（新变更 {new_id}）")

    def _apply_fix(self, entry: journal.JournalEntry, k: Kind, changes: dict[str, Any]) -> None:
        """The corrected values into the local record: through the client service's edit for a
        client (its permission, validation and ownership rules), through ``Records`` otherwise."""
        if entry.kind == "client":
            from app.services.clients import ClientService

            svc = ClientService(self.db, self.staff, self.ref)
            client = svc.repo.get_by_uid(entry.row_uid)
            if client is None or client.id is None:
                raise _Refused(FieldError("client", "客户", "unknown", "该客户在本机不存在或已删除，无法更正。"))
            current = svc.repo.wire(client)
            todo = {n: v for n, v in changes.items() if current.get(n) != v}
            if todo:
                result = svc.edit(client.id, self._client_raw(k, todo, current))
                if not result.ok:
                    raise _Refused(*result.errors)
            return
        try:
            Records(self.db, entry.kind, self.ref).update(entry.row_uid, changes, author=self.staff.code)
        except RecordError as exc:
            raise _Refused(*(_field_error(k, pr) for pr in exc.problems)) from exc
        except (LookupError, ValueError) as exc:
            raise _Refused(FieldError("record", k.label, "unknown",
                                      f"该{k.label}记录在本机不存在、已删除或不能在网点修改。")) from exc

    def fix(self, change_id: str, values: dict[str, str]) -> Result[str]:
        """Correct a refused insert or update and send it again: ``values`` maps fields (wire names,
        or their Chinese labels) to text as a person typed it.

        Each value is read like a merged value and checked by its column; any refusal names the
        field and writes nothing. Otherwise, in one transaction: the refused change is journaled
        again under a new change id with the corrections merged in (the fields not corrected are
        sent as they were, unless a later change of the record set them; an insert goes before any
        unsent change of the same record, so head office never gets a change for a record it does
        not have), the local record takes the corrected values, the refused change is closed, and
        the fix is audited (which fields, never the values). The value is the new change's id.
        """
        offered = self.fixable(change_id)
        if isinstance(offered, FieldError):
            return Result.failed(offered)
        entry = journal.get(self.db, change_id)
        k = KINDS.get(entry.kind) if entry is not None else None
        if entry is None or k is None:  # pragma: no cover - fixable said it is here
            return Result.failed(FieldError("change", "变更", "unknown",
                                            f"没有被总行拒绝、待处理的变更“{change_id}”。"))
        by_key = {key: f for f in offered.fields for key in (f.field, f.label)}
        errors: list[FieldError] = []
        corrected: dict[str, Any] = {}
        for key, text in values.items():
            f = by_key.get(key)
            if f is None:
                col = k.by_name.get(key)
                label = col.label if col is not None else key
                errors.append(FieldError(key, label, "not_fixable",
                                         f"这项修改中没有可以更正的“{label}”；可更正的字段："
                                         f"{'、'.join(x.label for x in offered.fields)}。"))
                continue
            col = k.by_name[f.field]
            value = self.typed_value(col, text)
            problem = col.problem(value)
            if problem is not None:
                errors.append(_field_error(k, problem))
            else:
                corrected[col.name] = value
        if errors:
            return Result.failed(*errors)
        changed = {n: v for n, v in corrected.items() if v != entry.after.get(n)}
        if not changed:
            return Result.failed(FieldError(
                "values", "更正", "unchanged",
                "没有更正任何字段（填写的值与被拒绝的值相同）；如要原样重新上传，请选择“重新上传”。"))
        current = self._local_values(entry.kind, entry.row_uid) or {}
        later = self._later_fields(entry) if entry.op == UPDATE else set()
        after = {n: v for n, v in {**entry.after, **changed}.items() if n in changed or n not in later}
        if entry.op == INSERT:
            before: dict[str, Any] = {}
        else:  # what head office is expected to hold: the refused change's, or a later change's value
            before = {n: current.get(n) if n in later else entry.before[n]
                      for n in after if n in later or n in entry.before}
        whole = k.problems(after, insert=entry.op == INSERT)
        owner = branch_change_problem(k, entry.op, changed, current if entry.op == UPDATE else None)
        if owner is not None:
            whole.append(owner)
        if whole:
            return Result.failed(*(_field_error(k, pr) for pr in whole))
        labels = "、".join(k.by_name[n].label for n in changed)
        try:
            with write(self.db):
                new_id = journal.record(
                    self.db, kind=entry.kind, row_uid=entry.row_uid, row_id=entry.row_id, op=entry.op,
                    before=before, after=after, author=self.staff.code, base_seq=entry.base_seq,
                )
                if entry.op == INSERT:
                    self._requeue_after(entry, new_id)
                self._apply_fix(entry, k, changed)
                journal.mark(self.db, change_id, journal.SYNC_LOCAL,
                             note=f"{entry.sync_note or ''}；已由 {self.staff.code} 更正后重新上传（新变更 {new_id}）")
                audit.record(self.db, staff=self.staff.code, action=audit.FIX_CHANGE, kind=entry.kind,
                             row_uid=entry.row_uid,
                             detail=f"更正被总行拒绝的变更 {change_id}（{labels}）后重新上传（新变更 {new_id}）")
        except _Refused as exc:
            return Result.failed(*exc.errors)
        return Result.done(new_id, Changes.of(entry.kind, uids=[entry.row_uid]))
