"""Reaching clients and following up (客户触达, 跟踪回检), for one signed-in staff member.

A contact (channel, outcome, note, the next follow-up date) is a ``contact`` record; a
next date makes a ``followup`` for the same person. A manager's queue lists their open
follow-ups: overdue first (oldest first), then today's, then the rest of the week; a
snoozed one counts from the date it was put off to. Clients who refused marketing, or
never consented, are left out of the queue (it is outreach); the branch head sees each
manager's queue and the overdue counts. A contact's note is held to the marketing word list
(``app.services.compliance.check_note``). Every change is journaled for sync and returns
a ``Result``; a refused one writes nothing. Runs on the thread that owns ``db``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from app.core import validation as v
from app.core.errors import FieldError
from app.core.masking import mask_mobile
from app.core.result import Changes, Result
from app.core.roles import Action, Role, Staff, check
from app.services import lifecycle
from app.services.compliance import check_note
from app.store import audit
from app.store.db import write
from app.store.records import RecordError, Records, StoredRecord
from app.store.reference import ReferenceData
from sync.protocol.kinds import CONTACT_CHANNELS

DUE = ("overdue", "today", "week")


@dataclass(frozen=True)
class QueueRow:
    uid: str
    client_id: int
    client_name: str
    mobile: str  # masked
    village: str
    due: str  # the date it counts from (snoozed_until when put off)
    when: str  # overdue / today / week / later
    days_late: int
    staff: str
    campaign: str | None
    note: str
    snooze_reason: str


class _Refused(Exception):
    """Rolls a transaction back with the field errors of a step inside it."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _field(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


def _problems(exc: RecordError) -> list[FieldError]:
    return [FieldError(p.field, p.field, p.code, p.message) for p in exc.problems]


def channel_value(text: str) -> str | None:
    t = (text or "").strip()
    return next((c.value for c in CONTACT_CHANNELS if t in (c.value, c.label)), None)


class FollowupService:
    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    def _client(self, client_id: int) -> tuple[str, int | None] | FieldError:
        row = self.db.conn.execute("SELECT uid, manager_id FROM clients WHERE id = ? AND deleted = 0",
                                   (client_id,)).fetchone()
        if row is None:
            return _field("client", "客户", "unknown", f"客户 {client_id} 不存在或已删除。")
        denied = check(self.staff, Action.EDIT_CLIENT, client_manager_id=row[1])
        return denied or (row[0], row[1])

    def _date(self, text: str | date | None, field: str, label: str, *, default: date | None) -> date | FieldError:
        if isinstance(text, date):
            return text
        parsed = v.parse_date(text or "", field=field, label=label)
        if isinstance(parsed, FieldError):
            return parsed
        if parsed is None:
            if default is None:
                return _field(field, label, "required", f"{label}不能为空。")
            return default
        return parsed

    # --- contacts ----------------------------------------------------------------------------

    def contact(self, client_id: int, *, channel: str, outcome: str = "", note: str = "",
                on: str | date | None = None, next_date: str | date | None = None,
                campaign: str | None = None, whitelist: str | None = None,
                acknowledged: bool = False) -> Result[StoredRecord]:
        """Log a contact; a next date also puts a follow-up in the manager's queue.

        The note is checked against the marketing word list: a blocked word refuses the save
        (code ``blocked``), a warned word refuses it (code ``warning``) unless ``acknowledged``,
        when it is saved and the confirmation audited in the same transaction. ``whitelist``: the
        whitelist entry (uid) the contact was about, if any."""
        client = self._client(client_id)
        if isinstance(client, FieldError):
            return Result.failed(client)
        client_uid, manager_id = client
        errors: list[FieldError] = []
        ch = channel_value(channel)
        if ch is None:
            allowed = "、".join(c.label for c in CONTACT_CHANNELS)
            errors.append(_field("channel", "触达方式", "choice", f"触达方式应为 {allowed} 之一，实际为“{channel}”。"))
        day = self._date(on, "date", "触达日期", default=self.today)
        if isinstance(day, FieldError):
            errors.append(day)
        elif day > self.today:
            errors.append(_field("date", "触达日期", "future", "触达日期不能晚于今天。"))
        nxt = None
        if next_date:
            nxt = self._date(next_date, "next_date", "下次跟进日期", default=None)
            if isinstance(nxt, FieldError):
                errors.append(nxt)
                nxt = None
            elif not isinstance(day, FieldError) and nxt <= day:
                errors.append(_field("next_date", "下次跟进日期", "order", "下次跟进日期应晚于这次触达的日期。"))
        if campaign and self.db.conn.execute(
                "SELECT 1 FROM campaigns WHERE code = ? AND deleted = 0", (campaign,)).fetchone() is None:
            errors.append(_field("campaign", "营销活动", "unknown", f"营销活动“{campaign}”不存在。"))
        if whitelist and self.db.conn.execute(
                "SELECT 1 FROM whitelist WHERE uid = ? AND client_uid = ? AND deleted = 0",
                (whitelist, client_uid)).fetchone() is None:
            errors.append(_field("whitelist", "白名单", "unknown", "所选白名单条目不存在，或不是这位客户的。"))
        wording = check_note(note.strip(), self.db, acknowledged=acknowledged)
        errors += wording.errors
        if errors:
            return Result.failed(*errors)
        assert isinstance(day, date)
        owner = self.ref.code_of("staff", manager_id) if manager_id is not None else None
        staff = self.staff.code if Role(self.staff.role) == Role.MANAGER or owner is None else owner
        values = {"client_uid": client_uid, "staff": self.staff.code, "date": day.isoformat(), "channel": ch,
                  "outcome": outcome.strip(), "note": note.strip(), "campaign": campaign or None,
                  "next_date": nxt.isoformat() if nxt else None}
        if whitelist:
            values["whitelist_uid"] = whitelist
        kinds = ["contact"]
        try:
            with write(self.db):
                rec = Records(self.db, "contact", self.ref).insert(values, author=self.staff.code)
                if wording.acknowledged:
                    audit.record(self.db, staff=self.staff.code, action=audit.ACK_WORDING, kind="contact",
                                 row_uid=rec.uid, detail=wording.audit_detail())
                if nxt is not None:
                    Records(self.db, "followup", self.ref).insert({
                        "client_uid": client_uid, "campaign": campaign or None, "due": nxt.isoformat(),
                        "done": False, "result": "", "note": note.strip()[:500], "staff": staff,
                    }, author=self.staff.code)
                    kinds.append("followup")
                if lifecycle.after_contact(self.db, client_id, self.ref) is not None:
                    kinds.append("client")
                last = self.db.conn.execute("SELECT last_contact FROM clients WHERE id = ?",
                                            (client_id,)).fetchone()[0]
                if not last or last < day.isoformat():
                    # the client's 最近联系日期 follows, journaled like any edit (it syncs)
                    from app.services.clients import ClientService

                    moved = ClientService(self.db, self.staff, self.ref).edit(
                        client_id, {"last_contact": day.isoformat()})
                    if not moved.ok:
                        raise _Refused(list(moved.errors))
                    kinds.append("client")
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        except _Refused as exc:
            return Result.failed(*exc.errors)
        return Result.done(rec, Changes.of(*kinds, uids=[rec.uid, client_uid]))

    # --- the queue ------------------------------------------------------------------------------

    def queue(self, *, manager: str | None = None, due: str | None = None) -> list[QueueRow] | FieldError:
        """Open follow-ups, overdue first; a manager sees their own. ``due``: overdue, today or week."""
        if due is not None and due not in DUE:
            return _field("due", "到期", "choice", "到期应为 overdue（已逾期）、today（今天）或 week（本周内）。")
        # a list has no single client: checked with the person's own id (their scope is the SQL's)
        denied = check(self.staff, Action.VIEW_CLIENT, client_manager_id=self.staff.id)
        if denied:
            return denied
        if Role(self.staff.role) == Role.MANAGER:
            manager = self.staff.code
        today = self.today.isoformat()
        week_end = (self.today + timedelta(days=6 - self.today.weekday())).isoformat()
        sql = """
            SELECT f.uid, c.id, c.name, c.mobile, coalesce(t.name, '') || coalesce(v.name, ''),
                   coalesce(f.snoozed_until, f.due) AS eff, f.staff, f.campaign, f.note, f.snooze_reason
              FROM followups f JOIN clients c ON c.uid = f.client_uid AND c.deleted = 0
              LEFT JOIN villages v ON v.id = c.village_id LEFT JOIN townships t ON t.id = v.township_id
             WHERE f.deleted = 0 AND f.done = 0 AND c.consent = 1"""
        args: list[Any] = []
        if manager:
            sql += " AND f.staff = ?"
            args.append(manager)
        if due == "overdue":
            sql += " AND coalesce(f.snoozed_until, f.due) < ?"
            args.append(today)
        elif due == "today":
            sql += " AND coalesce(f.snoozed_until, f.due) = ?"
            args.append(today)
        elif due == "week":
            sql += " AND coalesce(f.snoozed_until, f.due) <= ?"
            args.append(week_end)
        sql += " ORDER BY eff, f.id"
        out = []
        for uid, cid, name, mobile, village, eff, staff, campaign, note, reason in self.db.conn.execute(sql, args):
            when = "overdue" if eff < today else "today" if eff == today else "week" if eff <= week_end else "later"
            late = (self.today - date.fromisoformat(eff)).days if eff < today else 0
            out.append(QueueRow(uid, cid, name, mask_mobile(mobile), village, eff, when, late, staff, campaign,
                                note, reason))
        return out

    def overdue_counts(self) -> dict[str, int] | FieldError:
        """Overdue follow-ups per manager (the branch head's view)."""
        denied = check(self.staff, Action.ASSIGN_WHITELIST)
        if denied:
            return denied
        rows = self.db.conn.execute(
            "SELECT f.staff, count(*) FROM followups f JOIN clients c ON c.uid = f.client_uid AND c.deleted = 0"
            " WHERE f.deleted = 0 AND f.done = 0 AND c.consent = 1 AND coalesce(f.snoozed_until, f.due) < ?"
            " GROUP BY f.staff", (self.today.isoformat(),))
        return {r[0]: r[1] for r in rows}

    def _open(self, uid: str) -> StoredRecord | FieldError:
        rec = Records(self.db, "followup", self.ref).get(uid)
        if rec is None:
            found = self.db.conn.execute("SELECT uid FROM followups WHERE uid LIKE ? AND deleted = 0 LIMIT 2",
                                         (f"{uid}%",)).fetchall() if len(uid) >= 8 else []
            if len(found) == 1:
                rec = Records(self.db, "followup", self.ref).get(found[0][0])
        if rec is None:
            return _field("followup", "跟进", "unknown", f"找不到跟进“{uid}”。")
        if Role(self.staff.role) == Role.MANAGER and rec.values["staff"] != self.staff.code:
            return _field("permission", "权限", "permission", "客户经理只能处理自己的跟进。")
        if rec.values["done"]:
            return _field("followup", "跟进", "done", "这条跟进已经完成。")
        return rec

    def done(self, uid: str, result: str) -> Result[StoredRecord]:
        rec = self._open(uid)
        if isinstance(rec, FieldError):
            return Result.failed(rec)
        if not result.strip():
            return Result.failed(_field("result", "跟进结果", "required", "完成跟进须填写结果。"))
        try:
            with write(self.db):
                out = Records(self.db, "followup", self.ref).update(rec.uid, {"done": True, "result": result.strip()},
                                                                    author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(out, Changes.of("followup", uids=[rec.uid]))

    def snooze(self, uid: str, until: str | date, reason: str) -> Result[StoredRecord]:
        rec = self._open(uid)
        if isinstance(rec, FieldError):
            return Result.failed(rec)
        errors = []
        day = self._date(until, "snoozed_until", "推迟到", default=None)
        if isinstance(day, FieldError):
            errors.append(day)
        elif day <= self.today:
            errors.append(_field("snoozed_until", "推迟到", "order", "推迟到的日期应晚于今天。"))
        if not reason.strip():
            errors.append(_field("snooze_reason", "推迟原因", "required", "推迟须写明原因。"))
        if errors:
            return Result.failed(*errors)
        assert isinstance(day, date)
        try:
            with write(self.db):
                out = Records(self.db, "followup", self.ref).update(
                    rec.uid, {"snoozed_until": day.isoformat(), "snooze_reason": reason.strip()},
                    author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*_problems(exc))
        return Result.done(out, Changes.of("followup", uids=[rec.uid]))
