"""Working the microloan whitelist (白名单) for one signed-in staff member, GUI and CLI alike.

Head office publishes the entries (limits, validity, bands) and the scorecards; here the
branch assigns entries to managers, records each outcome, reads the funnel, and nominates
new candidates after an offline scorecard pre-check. Every change returns a ``Result``
and is journaled for sync; a refused one writes nothing. Runs on the thread that owns
``db`` (the GUI's database thread or the CLI's main thread).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlite_utils

from app.core import validation as v
from app.core.errors import FieldError
from app.core.masking import mask_id, mask_mobile
from app.core.result import Changes, Result
from app.core.roles import Action, Role, Staff, check
from app.core.whitelist import (
    EntryFacts,
    Status,
    ToAssign,
    check_move,
    plan_assignment,
)
from app.services import lifecycle
from app.services.compliance import check_note
from app.services.handout import active_managers, write_plan
from app.store import audit
from app.store.db import write
from app.store.records import RecordError, Records, StoredRecord
from app.store.reference import ReferenceData
from app.store.whitelist import EntryRow, FunnelRow, WhitelistFilter, WhitelistRepository
from sync.protocol.kinds import CONTACT_CHANNELS
from sync.protocol.scorecard import INPUT_BY_KEY, INPUTS, Evaluation, ScorecardError, evaluate, parse


@dataclass(frozen=True)
class OutcomeView:
    date: str
    status: str  # label
    channel: str  # the contact logged with it (电话, 上门…), or ""
    amount_fen: int
    reason: str
    note: str
    staff: str  # name (code)
    synced: bool  # nothing of it waits to be sent (or was refused)


@dataclass(frozen=True)
class EntryDetail:
    entry: EntryRow  # masked
    outcomes: tuple[OutcomeView, ...]  # oldest first
    next_statuses: tuple[Status, ...]  # the moves allowed from the current status
    expired: bool
    can_work: bool


ALL = WhitelistFilter()


def _field(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


def _problems(exc: RecordError) -> list[FieldError]:
    return [FieldError(p.field, p.field, p.code, p.message) for p in exc.problems]


class WhitelistService:
    """The whitelist as one staff member may see and work it."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.repo = WhitelistRepository(db)
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    # --- reading ---------------------------------------------------------------------------

    def _scoped(self, f: WhitelistFilter) -> WhitelistFilter | FieldError:
        denied = check(self.staff, Action.VIEW_WHITELIST)
        if denied:
            return denied
        if Role(self.staff.role) == Role.MANAGER:
            return replace(f, manager=self.staff.code)  # a manager works the entries given to them
        return f

    def count(self, f: WhitelistFilter = ALL, *, at_most: int | None = None) -> int | FieldError:
        scoped = self._scoped(f)
        return scoped if isinstance(scoped, FieldError) else self.repo.count(scoped, today=self.today,
                                                                            at_most=at_most)

    def page(self, f: WhitelistFilter = ALL, *, sort: str = "valid_to", offset: int = 0,
             limit: int = 200) -> list[EntryRow] | FieldError:
        scoped = self._scoped(f)
        if isinstance(scoped, FieldError):
            return scoped
        rows = self.repo.page(scoped, today=self.today, sort=sort, offset=offset, limit=limit)
        return [replace(r, mobile=mask_mobile(r.mobile)) for r in rows]

    def funnel(self, by: str = "manager", f: WhitelistFilter = ALL) -> list[FunnelRow] | FieldError:
        scoped = self._scoped(f)
        if isinstance(scoped, FieldError):
            return scoped
        if by not in ("manager", "cluster"):
            return _field("by", "分组", "choice", "漏斗只能按客户经理（manager）或产业集群（cluster）分组。")
        return self.repo.funnel(by, scoped, today=self.today)

    def _entry(self, uid: str) -> EntryRow | FieldError:
        e = self.repo.get(uid)
        if e is None:
            return _field("entry", "白名单", "unknown", f"白名单条目 {uid} 不存在。")
        if Role(self.staff.role) == Role.MANAGER and e.manager != self.staff.code:
            return _field("permission", "权限", "permission", "客户经理只能查看和处理分配给自己的白名单。")
        denied = check(self.staff, Action.VIEW_WHITELIST)
        return denied or e

    def resolve(self, text: str) -> str | FieldError:
        """An entry by its uid, its first 8 characters, or the client's core number."""
        t = (text or "").strip()
        if not t:
            return _field("entry", "白名单", "required", "请指明白名单条目（编号或核心客户号）。")
        rows = self.db.conn.execute(
            "SELECT uid FROM whitelist WHERE deleted = 0 AND (uid = ? OR uid LIKE ? OR client_no = ?) LIMIT 3",
            (t, f"{t}%" if len(t) >= 8 else t, t)).fetchall()
        if not rows:
            return _field("entry", "白名单", "unknown", f"找不到白名单条目“{t}”。")
        if len(rows) > 1:
            return _field("entry", "白名单", "ambiguous", f"“{t}”对应多条白名单，请给出完整编号。")
        return rows[0][0]

    def detail(self, uid: str) -> EntryDetail | FieldError:
        e = self._entry(uid)
        if isinstance(e, FieldError):
            return e
        outcomes = []
        logged = {(d, outcome): channel for d, channel, outcome, _note in self.contacts(uid)}
        for rec in self.repo.outcomes(uid):
            val = rec.values
            s = self.ref.staff_by_code.get(val["staff"])
            label = Status(val["status"]).label
            outcomes.append(OutcomeView(
                date=val["date"], status=label, channel=logged.get((val["date"], label), ""),
                amount_fen=val["amount_fen"] or 0,
                reason=val["reason"] or "", note=val["note"] or "",
                staff=f"{s.name}（{s.code}）" if s else str(val["staff"]),
                synced=not self.db.conn.execute(
                    "SELECT 1 FROM journal WHERE kind = 'whitelist_outcome' AND row_uid = ?"
                    " AND sync_state IN ('pending', 'quarantined') LIMIT 1", (rec.uid,)).fetchone(),
            ))
        status = Status(e.status)
        from app.core.whitelist import MOVES, expired

        facts = EntryFacts(status, e.limit_fen, e.valid_from, e.valid_to)
        return EntryDetail(
            entry=replace(e, mobile=mask_mobile(e.mobile)),
            outcomes=tuple(outcomes),
            next_statuses=tuple(s for s in Status if s in MOVES[status]),
            expired=expired(facts, self.today),
            can_work=check(self.staff, Action.WORK_WHITELIST) is None,
        )

    # --- working the list ------------------------------------------------------------------

    def record_outcome(self, uid: str, status: str, *, on: str | date | None = None, amount_fen: int = 0,
                       reason: str = "", note: str = "", channel: str | None = None,
                       acknowledged: bool = False) -> Result[StoredRecord]:
        """A move of the entry's outcome (a new whitelist_outcome record, journaled). With
        ``channel`` (电话, 上门…), the contact that brought it is logged too (a contact record
        tied to the entry, in the same transaction). The note is held to the marketing word
        list: a blocked word refuses the save, a warned word refuses it unless ``acknowledged``
        (then the confirmation is audited in the same transaction)."""
        e = self._entry(uid)
        if isinstance(e, FieldError):
            return Result.failed(e)
        denied = check(self.staff, Action.WORK_WHITELIST)
        if denied:
            return Result.failed(denied)
        new = Status.parse(status)
        if new is None:
            allowed = "、".join(s.label for s in Status if s != Status.NOT_CONTACTED)
            return Result.failed(_field("status", "营销状态", "choice",
                                        f"营销状态应为 {allowed} 之一，实际为“{status}”。"))
        if isinstance(on, date):
            day: date = on
        else:
            parsed = v.parse_date(on or "", field="date", label="日期")
            if isinstance(parsed, FieldError):
                return Result.failed(parsed)
            day = parsed or self.today
        errors = check_move(EntryFacts(Status(e.status), e.limit_fen, e.valid_from, e.valid_to), new,
                            on=day, today=self.today, amount_fen=amount_fen, reason=reason)
        if e.status_date and day.isoformat() < e.status_date:
            errors.append(_field("date", "日期", "before_last",
                                 f"日期不能早于上一次状态（{Status(e.status).label}，{e.status_date}）的日期。"))
        channel_value = None
        if channel:
            channel_value = next((c.value for c in CONTACT_CHANNELS if channel.strip() in (c.value, c.label)), None)
            if channel_value is None:
                allowed = "、".join(c.label for c in CONTACT_CHANNELS)
                errors.append(_field("channel", "触达方式", "choice",
                                     f"触达方式应为 {allowed} 之一，实际为“{channel}”。"))
        wording = check_note(note.strip(), self.db, acknowledged=acknowledged)
        errors += wording.errors
        if errors:
            return Result.failed(*errors)
        values = {"whitelist_uid": uid, "status": new.value, "amount_fen": amount_fen, "date": day.isoformat(),
                  "reason": reason.strip(), "note": note.strip(), "staff": self.staff.code}
        kinds = ["whitelist_outcome", "whitelist"]
        try:
            with write(self.db):
                rec = Records(self.db, "whitelist_outcome", self.ref).insert(values, author=self.staff.code)
                if wording.acknowledged:
                    audit.record(self.db, staff=self.staff.code, action=audit.ACK_WORDING, kind="whitelist_outcome",
                                 row_uid=rec.uid, detail=wording.audit_detail())
                if channel_value is not None:
                    Records(self.db, "contact", self.ref).insert({
                        "client_uid": e.client_uid, "staff": self.staff.code, "date": day.isoformat(),
                        "channel": channel_value, "outcome": new.label, "note": (note or reason).strip(),
                        "whitelist_uid": uid,
                    }, author=self.staff.code)
                    kinds.append("contact")
                    if e.client_id is not None and lifecycle.after_contact(self.db, e.client_id, self.ref):
                        kinds.append("client")
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(rec, Changes.of(*kinds, uids=[uid, rec.uid]))

    def contacts(self, uid: str) -> list[tuple[str, str, str, str]]:
        """(date, channel label, outcome, note) of the contacts logged against an entry, oldest first."""
        labels = {c.value: c.label for c in CONTACT_CHANNELS}
        return [(r[0], labels.get(r[1], r[1]), r[2], r[3]) for r in self.db.conn.execute(
            "SELECT date, channel, outcome, note FROM contacts WHERE whitelist_uid = ? AND deleted = 0"
            " ORDER BY date, id", (uid,))]

    def _managers(self) -> list[str]:
        return active_managers(self.ref)

    def assign(self, uids: list[str], manager: str) -> Result[int]:
        """Give entries to a manager (the branch head). Reassigning is journaled, so history stays."""
        denied = check(self.staff, Action.ASSIGN_WHITELIST)
        if denied:
            return Result.failed(denied)
        who = self.ref.find_staff(manager)
        if who is None or not who.active or who.role != Role.MANAGER:
            return Result.failed(_field("manager", "客户经理", "unknown", f"“{manager}”不是在岗的客户经理。"))
        return self.apply_plan({u: who.code for u in uids})

    def plan(self, uids: list[str] | None = None, managers: list[str] | None = None,
             *, reassign: bool = False) -> dict[str, str] | FieldError:
        """A balanced split (preview, nothing written): uid -> manager code.

        By default the entries nobody holds; ``uids`` with ``reassign`` spreads those afresh."""
        denied = check(self.staff, Action.ASSIGN_WHITELIST)
        if denied:
            return denied
        pool = managers or self._managers()
        if not pool:
            return _field("manager", "客户经理", "empty", "没有在岗的客户经理可以分配。")
        rows = self.repo.unassigned(uids if reassign or uids is not None else None)
        staff_code = {s.id: s.code for s in self.ref.staff.values()}
        entries = [ToAssign(uid, village, staff_code.get(mgr) if mgr is not None else None)
                   for uid, village, mgr in rows]
        current = self.repo.load_by_manager()
        if reassign and uids:
            held = self.db.conn.execute(
                f"SELECT manager, count(*) FROM whitelist WHERE uid IN ({','.join('?' * len(uids))})"
                " AND manager IS NOT NULL GROUP BY manager", uids).fetchall() if len(uids) <= 900 else []
            for m, n in held:
                current[m] = current.get(m, 0) - n
        return plan_assignment(entries, pool, current)

    def apply_plan(self, plan: Mapping[str, str]) -> Result[int]:
        """Write a plan in one transaction (each change journaled). Returns how many changed."""

        def row_check(uid: str) -> FieldError | None:
            if self.db.conn.execute("SELECT 1 FROM whitelist WHERE uid = ? AND deleted = 0", (uid,)).fetchone():
                return None
            return _field("entry", "白名单", "unknown", f"白名单条目 {uid} 不存在。")

        return write_plan(self.db, "whitelist", plan, self.staff, self.ref, row_check=row_check)

    # --- scorecards and nominations ----------------------------------------------------------

    def scorecard_check(self, cluster: str, inputs: Mapping[str, Any]) -> Result[Evaluation]:
        """The expected band and limit range for these inputs, offline, with each factor's part."""
        card = self.repo.scorecard(cluster)
        if card is None:
            names = "、".join(f"{c}（{n}）" for c, n in self.repo.clusters()) or "（无）"
            return Result.failed(_field("cluster", "产业集群", "unknown",
                                        f"产业集群“{cluster}”没有总行发布的评分卡。可选：{names}。"))
        unknown = sorted(k for k in inputs if k not in INPUT_BY_KEY)
        if unknown:
            return Result.failed(_field("inputs", "评分输入", "unknown", f"不认识的评分输入：{'、'.join(unknown)}。"))
        try:
            return Result.done(evaluate(parse(card), inputs))
        except ScorecardError as exc:
            return Result.failed(_field("inputs", "评分输入", "value", str(exc)))

    def nominate(self, values: Mapping[str, Any]) -> Result[StoredRecord]:
        """A manager proposes a farmer or micro business (推荐/建档). ``values``: name, id_number,
        cluster, product, amount (元 text or fen int as amount_fen), reason, inputs (dict), client_uid."""
        denied = check(self.staff, Action.NOMINATE)
        if denied:
            return Result.failed(denied)
        errors: list[FieldError] = []
        client_uid = values.get("client_uid") or None
        name, id_number = values.get("name", ""), values.get("id_number", "")
        if client_uid:
            row = self.db.conn.execute(
                "SELECT name, id_number FROM clients WHERE uid = ? AND deleted = 0", (client_uid,)).fetchone()
            if row is None:
                errors.append(_field("client_uid", "客户", "unknown", "所选客户不存在或已删除。"))
            else:
                name, id_number = name or row[0], id_number or (row[1] or "")
        name_ok = v.required_text(name, field="name", label="姓名/名称", max_len=50)
        if isinstance(name_ok, FieldError):
            errors.append(name_ok)
        number = (id_number or "").strip().upper()
        if not number:
            errors.append(_field("id_number", "证件号码", "required",
                                 "证件号码不能为空：同一人不能重复推荐，靠它识别。"))
        else:
            checked = (v.resident_id(number, field="id_number", label="证件号码") if number[:1].isdigit()
                       and number[:2] not in ("91", "92", "93") else v.credit_code(number, field="id_number",
                                                                                  label="证件号码"))
            if isinstance(checked, FieldError):
                errors.append(checked)
            else:
                number = checked
                if self.repo.open_nominations(number):
                    errors.append(_field("id_number", "证件号码", "duplicate",
                                         f"证件号码 {mask_id(number)} 已有一条推荐在等总行结论，不能重复推荐。"))
                elif self.repo.accepted_nominations(number):
                    errors.append(_field("id_number", "证件号码", "listed",
                                         f"证件号码 {mask_id(number)} 的推荐已获总行通过，已在白名单中。"))
                held = self.db.conn.execute(
                    "SELECT w.valid_to FROM whitelist w JOIN clients c ON c.uid = w.client_uid"
                    " WHERE c.id_number = ? AND w.deleted = 0 AND (w.valid_to IS NULL OR w.valid_to >= ?)",
                    (number, self.today.isoformat())).fetchone()
                if held:
                    errors.append(_field("id_number", "证件号码", "listed",
                                         f"证件号码 {mask_id(number)} 已在白名单中（有效至 {held[0] or '长期'}）。"))
        cluster = (values.get("cluster") or "").strip()
        if not cluster:
            errors.append(_field("cluster", "产业集群", "required", "产业集群不能为空。"))
        elif cluster not in {c for c, _ in self.repo.clusters()}:
            errors.append(_field("cluster", "产业集群", "unknown", f"产业集群“{cluster}”不存在。"))
        amount = values.get("amount_fen", 0)
        if isinstance(values.get("amount"), str):
            amount = v.money_fen(values["amount"], field="amount_fen", label="建议额度")
        if isinstance(amount, FieldError):
            errors.append(amount)
            amount = 0
        inputs = dict(values.get("inputs") or {})
        if cluster and not errors:
            check_result = self.scorecard_check(cluster, inputs)
            if not check_result.ok:
                errors += check_result.errors
        if errors:
            return Result.failed(*errors)
        clean_inputs = {k: str(val) for k, val in inputs.items() if val is not None and str(val).strip()}
        record = {
            "client_uid": client_uid, "name": name_ok, "id_number": number, "cluster": cluster,
            "product": values.get("product") or None, "amount_fen": amount, "inputs": clean_inputs,
            "reason": (values.get("reason") or "").strip(), "staff": self.staff.code,
        }
        try:
            with write(self.db):
                rec = Records(self.db, "nomination", self.ref).insert(record, author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(rec, Changes.of("nomination", uids=[rec.uid]))

    def nominations(self, *, mine: bool = False) -> list[dict[str, Any]]:
        """Nominations with head office's decision (masked ID numbers), newest first."""
        denied = check(self.staff, Action.VIEW_WHITELIST)
        if denied:
            return []
        sql = ("SELECT uid, name, id_number, cluster, amount_fen, staff, coalesce(decision, 'pending'),"
               " decided_limit_fen, decision_reason, created_at FROM nominations WHERE deleted = 0")
        args: list[Any] = []
        if mine or Role(self.staff.role) == Role.MANAGER:
            sql += " AND staff = ?"
            args.append(self.staff.code)
        out = []
        for r in self.db.conn.execute(sql + " ORDER BY id DESC", args):
            out.append({"uid": r[0], "name": r[1], "id_number": mask_id(r[2]), "cluster": r[3], "amount_fen": r[4],
                        "staff": r[5], "decision": r[6], "decided_limit_fen": r[7], "decision_reason": r[8],
                        "created": r[9][:10]})
        return out


INPUT_LABELS = {i.key: i.label for i in INPUTS}
