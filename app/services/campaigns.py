"""Campaigns (营销活动) at the branch: head office's campaigns and target lists, distributed
to managers (任务分发), and the figures (触达率, 转化率) per campaign and per manager.

The branch head may also create a local campaign (本网点活动: ``create_local``) with its
own target list, and later change its wording or dates (``edit_local``); head office's
campaigns stay read-only. A local campaign's code starts with the branch code, so no two
branches make the same one; its script is held to the marketing word list like a note
(``app.services.compliance.check_note``, the risk line for a wealth product), and clients
without marketing consent are never made targets (they are counted apart).

A target whose client has not consented to marketing (refused, or never asked) is never
given out, never in a queue: the branch head sees it listed apart with the reason. A
target is *reached* once a contact for the campaign was logged with its client, and
*converted* once such a contact's outcome says it was done (``CONVERTED``). Every change
is journaled and returns a ``Result``. Runs on the thread that owns ``db``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from app.core import validation as v
from app.core.assignment import Candidate, counts, split
from app.core.compliance import Finding
from app.core.errors import FieldError
from app.core.masking import mask_mobile
from app.core.result import Changes, Result
from app.core.roles import Action, Role, Staff, check
from app.services.compliance import NoteCheck, check_note, word_list
from app.services.compliance import check as check_words
from app.services.handout import active_managers, write_plan
from app.store import audit
from app.store.db import write
from app.store.records import RecordError, Records
from app.store.reference import ReferenceData, meta_get
from sync.protocol.kinds import CAMPAIGN

CONVERTED = ("已办理", "已开通", "已激活", "已签约", "成功")
WEALTH_PRODUCTS = ("wealth", "licai", "fund", "insurance")


@dataclass(frozen=True)
class CampaignRow:
    code: str
    name: str
    product: str | None
    starts: str | None
    ends: str | None
    goal: int | None
    targets: int  # consented targets (the ones worked)
    excluded: int  # targets left out: no marketing consent
    assigned: int
    reached: int
    converted: int
    local: bool = False  # a campaign this branch made (本网点), not head office's


@dataclass(frozen=True)
class LocalCampaign:
    """A local campaign as saved: its code, the targets added, and the clients left out."""

    code: str
    name: str
    targets: int
    no_consent: int  # clients chosen but without marketing consent: not added
    already: int = 0  # clients already targets of the campaign


# what the branch head keys for a local campaign, and may change later (the code never changes)
LOCAL_FIELDS = ("name", "product", "starts", "ends", "script", "benefits", "goal")
EDITABLE_FIELDS = ("name", "starts", "ends", "script", "benefits", "goal")


@dataclass(frozen=True)
class CampaignDetail:
    row: CampaignRow
    script: str
    benefits: str
    risk_line: str  # shown with the script
    findings: tuple[Finding, ...]  # the script against the word list
    blocked: bool


@dataclass(frozen=True)
class TargetRow:
    uid: str
    client_id: int
    name: str
    mobile: str  # masked
    village: str
    manager: str | None
    reached: bool
    converted: bool
    consent: bool | None


@dataclass(frozen=True)
class Figures:
    key: str  # campaign code or manager code
    targets: int
    reached: int
    converted: int

    @property
    def reach_rate(self) -> float:
        return self.reached / self.targets if self.targets else 0.0

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.targets if self.targets else 0.0


def _field(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


_CONVERTED_SQL = " OR ".join("k.outcome LIKE '%" + w + "%'" for w in CONVERTED)
# a live client who answered the consent question, from the index alone (schema v7): the planner
# would take the unique index on uid and read each client's row, 100,000 times for the list
_ANSWERED = "clients c INDEXED BY clients_marketing ON c.uid = t.client_uid AND c.deleted = 0 AND c.consent <> 0"
# per target (a short list): the same as two lookups
_STATE = f"""
    EXISTS (SELECT 1 FROM contacts k WHERE k.client_uid = t.client_uid AND k.campaign = t.campaign
            AND k.deleted = 0) AS reached,
    EXISTS (SELECT 1 FROM contacts k WHERE k.client_uid = t.client_uid AND k.campaign = t.campaign
            AND k.deleted = 0 AND ({_CONVERTED_SQL})) AS converted"""


class CampaignService:
    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self._today = today

    def _can_view(self) -> FieldError | None:
        return check(self.staff, Action.VIEW_CLIENT, client_manager_id=self.staff.id)

    def _scope(self) -> str | None:
        return self.staff.code if Role(self.staff.role) == Role.MANAGER else None

    # --- reading -----------------------------------------------------------------------------

    def _tally(self, key: str, code: str | None = None) -> dict[Any, list[int]] | FieldError:
        """Per ``key`` (an expression over the target ``t``), of the targets in scope: [targets,
        consented, excluded (no consent, or no live client), consented and distributed, reached,
        converted]. Two passes, each from the v7 indexes alone: the targets with their clients'
        consent, then the contacts grouped per (campaign, client) joined to their targets (there
        are fewer contacts than targets). One campaign's ``code`` narrows both."""
        denied = self._can_view()
        if denied:
            return denied
        mine = self._scope()
        where = "t.deleted = 0" + (" AND t.campaign = ?" if code else "") + (" AND t.manager = ?" if mine else "")
        args = [a for a in (code, mine) if a]
        out: dict[Any, list[int]] = {}
        for k, total, answered, consented, assigned in self.db.conn.execute(
                f"""SELECT {key}, count(*), count(c.uid), sum(c.consent = 1),
                           sum(c.consent = 1 AND t.manager IS NOT NULL)
                      FROM campaign_targets t LEFT JOIN {_ANSWERED}
                     WHERE {where} GROUP BY 1""", args):
            out[k] = [total, consented or 0, total - answered, assigned or 0, 0, 0]
        for k, reached, converted in self.db.conn.execute(
                f"""SELECT {key}, count(*), sum(x.converted)
                      FROM (SELECT k.campaign AS campaign, k.client_uid AS client_uid,
                                   max({_CONVERTED_SQL}) AS converted
                              FROM contacts k WHERE k.deleted = 0 AND k.campaign {"= ?" if code else "IS NOT NULL"}
                             GROUP BY k.campaign, k.client_uid) x
                      JOIN campaign_targets t ON t.campaign = x.campaign AND t.client_uid = x.client_uid AND {where}
                      JOIN {_ANSWERED} AND c.consent = 1
                     GROUP BY 1""", ([code] if code else []) + args):
            out[k][4:] = [reached, converted or 0]
        return out

    def campaigns(self, code: str | None = None) -> list[CampaignRow] | FieldError:
        """Every live campaign (or the one ``code``) with its counts, the nearest end first."""
        tally = self._tally("t.campaign", code)
        if isinstance(tally, FieldError):
            return tally
        rows = self.db.conn.execute(
            f"""SELECT code, name, product, starts, ends, goal, source FROM campaigns
                 WHERE deleted = 0 {"AND code = ?" if code else ""} ORDER BY ends IS NULL, ends, code""",
            [code] if code else [])
        empty = [0] * 6
        return [CampaignRow(*r[:6], *tally.get(r[0], empty)[1:], local=r[6] == "branch") for r in rows]

    def resolve(self, text: str) -> str | FieldError:
        t = (text or "").strip()
        row = self.db.conn.execute("SELECT code FROM campaigns WHERE deleted = 0 AND (code = ? OR name = ?)",
                                   (t, t)).fetchone()
        if row is None:
            codes = "、".join(r[0] for r in self.db.conn.execute(
                "SELECT code FROM campaigns WHERE deleted = 0 ORDER BY code")) or "（无）"
            return _field("campaign", "营销活动", "unknown", f"营销活动“{t}”不存在。可选：{codes}。")
        return row[0]

    def detail(self, code: str) -> CampaignDetail | FieldError:
        rows = self.campaigns(code)
        if isinstance(rows, FieldError):
            return rows
        row = next(iter(rows), None)
        if row is None:
            return _field("campaign", "营销活动", "unknown", f"营销活动“{code}”不存在。")
        script, benefits = self.db.conn.execute(
            "SELECT script, benefits FROM campaigns WHERE code = ? AND deleted = 0", (code,)).fetchone()
        findings, blocked = check_words(script or "", self.db, wealth=(row.product or "") in WEALTH_PRODUCTS)
        return CampaignDetail(row, script or "", benefits or "", word_list(self.db).risk_line, tuple(findings),
                              blocked)

    def targets(self, code: str, *, manager: str | None = None, excluded: bool = False
                ) -> list[TargetRow] | FieldError:
        """A campaign's consented targets (a manager sees their own); ``excluded``: the ones left
        out for want of consent (the branch head's view)."""
        denied = self._can_view()
        if denied:
            return denied
        if excluded and Role(self.staff.role) == Role.MANAGER:
            return _field("permission", "权限", "permission", "只有网点负责人查看因未授权而排除的名单。")
        mine = self._scope() or manager
        sql = f"""
            SELECT t.uid, c.id, c.name, c.mobile, coalesce(w.name, '') || coalesce(v.name, ''), t.manager,
                   {_STATE}, c.consent
              FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid AND c.deleted = 0
              LEFT JOIN villages v ON v.id = c.village_id LEFT JOIN townships w ON w.id = v.township_id
             WHERE t.campaign = ? AND t.deleted = 0 AND {"coalesce(c.consent, 0) = 0" if excluded else "c.consent = 1"}
               {"AND t.manager = ?" if mine else ""}
             ORDER BY w.name, v.name, c.name_key"""
        args: list[Any] = [code] + ([mine] if mine else [])
        return [TargetRow(r[0], r[1], r[2], mask_mobile(r[3]), r[4], r[5], bool(r[6]), bool(r[7]),
                          None if r[8] is None else bool(r[8])) for r in self.db.conn.execute(sql, args)]

    def figures(self, by: str = "campaign", code: str | None = None) -> list[Figures] | FieldError:
        """Reach and conversion per campaign, or per manager (of one campaign or all)."""
        denied = self._can_view()
        if denied:
            return denied
        if by not in ("campaign", "manager"):
            return _field("by", "分组", "choice", "只能按营销活动（campaign）或客户经理（manager）统计。")
        key = "t.campaign" if by == "campaign" else "coalesce(t.manager, '')"
        tally = self._tally(key, code)
        if isinstance(tally, FieldError):
            return tally
        ordered = sorted(tally.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))  # as ORDER BY: NULL first
        return [Figures(k, n[1], n[4], n[5]) for k, n in ordered if n[1]]

    def weekly(self, code: str) -> list[tuple[str, int, int, int]] | FieldError:
        """Reach and conversion of one campaign over time: (week's Monday, targets, reached by
        then, converted by then), one row per week from its first contact to today."""
        denied = self._can_view()
        if denied:
            return denied
        mine = self._scope()
        own = "AND t.manager = ?" if mine else ""
        args: list[Any] = [code] + ([mine] if mine else [])
        targets = self.db.conn.execute(
            f"""SELECT count(*) FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid AND c.deleted = 0
                 WHERE t.campaign = ? AND t.deleted = 0 AND c.consent = 1 {own}""", args).fetchone()[0]
        firsts = self.db.conn.execute(
            f"""SELECT min(k.date), min(CASE WHEN {_CONVERTED_SQL} THEN k.date END)
                  FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid AND c.deleted = 0 AND c.consent = 1
                  JOIN contacts k ON k.client_uid = t.client_uid AND k.campaign = t.campaign AND k.deleted = 0
                 WHERE t.campaign = ? AND t.deleted = 0 {own}
                 GROUP BY t.uid""", args).fetchall()
        if not firsts:
            return []
        today = self._today or date.today()

        def monday(d: str) -> date:
            day = date.fromisoformat(d)
            return day - timedelta(days=day.weekday())

        reached = Counter(monday(r[0]) for r in firsts)
        converted = Counter(monday(r[1]) for r in firsts if r[1])
        week, end = min(reached), today - timedelta(days=today.weekday())
        out, seen, done = [], 0, 0
        while week <= end:
            seen += reached.get(week, 0)
            done += converted.get(week, 0)
            out.append((week.isoformat(), targets, seen, done))
            week += timedelta(days=7)
        return out

    # --- distribution -----------------------------------------------------------------------

    def _managers(self) -> list[str]:
        return active_managers(self.ref)

    def plan(self, code: str, managers: list[str] | None = None) -> dict[str, str] | FieldError:
        """The balanced split of a campaign's consented, unassigned targets (nothing written)."""
        denied = check(self.staff, Action.ASSIGN_WHITELIST)
        if denied:
            return denied
        pool = managers or self._managers()
        if not pool:
            return _field("manager", "客户经理", "empty", "没有在岗的客户经理可以分配。")
        staff_code = {s.id: s.code for s in self.ref.staff.values()}
        rows = self.db.conn.execute(
            "SELECT t.uid, c.village_id, c.manager_id FROM campaign_targets t"
            " JOIN clients c ON c.uid = t.client_uid AND c.deleted = 0 AND c.consent = 1"
            " WHERE t.campaign = ? AND t.deleted = 0 AND t.manager IS NULL ORDER BY t.id", (code,)).fetchall()
        current = {r[0]: r[1] for r in self.db.conn.execute(
            "SELECT manager, count(*) FROM campaign_targets WHERE campaign = ? AND deleted = 0"
            " AND manager IS NOT NULL GROUP BY manager", (code,))}
        items = [Candidate(uid, village, staff_code.get(mgr) if mgr is not None else None)
                 for uid, village, mgr in rows]
        return split(items, pool, current)

    def apply_plan(self, plan: Mapping[str, str]) -> Result[int]:
        """Write a plan in one transaction (each move journaled); a target without consent is refused."""

        def row_check(uid: str) -> FieldError | None:
            row = self.db.conn.execute(
                "SELECT c.consent FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid"
                " WHERE t.uid = ? AND t.deleted = 0", (uid,)).fetchone()
            if row is None:
                return _field("target", "目标客户", "unknown", f"目标客户 {uid} 不存在。")
            if row[0] != 1:
                return _field("target", "目标客户", "consent", "客户未授权营销，不能分发给客户经理。")
            return None

        return write_plan(self.db, "campaign_target", plan, self.staff, self.ref, row_check=row_check)

    def assign(self, uids: list[str], manager: str) -> Result[int]:
        denied = check(self.staff, Action.ASSIGN_WHITELIST)
        if denied:
            return Result.failed(denied)
        who = self.ref.find_staff(manager)
        if who is None or not who.active or who.role != Role.MANAGER:
            return Result.failed(_field("manager", "客户经理", "unknown", f"“{manager}”不是在岗的客户经理。"))
        return self.apply_plan({u: who.code for u in uids})

    def balance(self, code: str, plan: Mapping[str, str]) -> dict[str, int]:
        """Each manager's targets of the campaign after ``plan``."""
        current = {r[0]: r[1] for r in self.db.conn.execute(
            "SELECT manager, count(*) FROM campaign_targets WHERE campaign = ? AND deleted = 0"
            " AND manager IS NOT NULL GROUP BY manager", (code,))}
        return counts(plan, self._managers(), current)

    # --- local campaigns (本网点活动) ------------------------------------------------------------

    def _local_code(self, when: date) -> str:
        """A new local campaign's code: the branch code, the day, a random part (two PCs of one
        branch may make one the same day), unique here."""
        branch = "".join(ch for ch in (meta_get(self.db, "branch_code", "") or "") if ch.isalnum() or ch in "_-")
        prefix = (branch[:14] or "BR") + f"-L{when:%y%m%d}-"
        while True:
            code = prefix + uuid.uuid4().hex[:6]
            if self.db.conn.execute("SELECT 1 FROM campaigns WHERE code = ?", (code,)).fetchone() is None:
                return code

    def _check_values(self, values: Mapping[str, Any], current: Mapping[str, Any] | None, *,
                      acknowledged: bool) -> tuple[dict[str, Any], NoteCheck | None, list[FieldError]]:
        """The fields given (``LOCAL_FIELDS``), as wire values, with their field errors in Chinese;
        the script's word-list check when the script or the product is given."""
        errors: list[FieldError] = []
        out: dict[str, Any] = {}
        label = {c.name: c.label for c in CAMPAIGN.columns}
        for name, raw in values.items():
            if name not in LOCAL_FIELDS:
                errors.append(_field(name, name, "unknown", f"营销活动没有可填写的字段“{name}”。"))
                continue
            if name in ("starts", "ends"):
                day = raw if isinstance(raw, date) else v.parse_date(raw or "", field=name, label=label[name])
                if isinstance(day, FieldError):
                    errors.append(day)
                    continue
                out[name] = day.isoformat() if day else None
            elif name == "goal":
                if raw in (None, ""):
                    out[name] = None
                    continue
                try:
                    n = int(str(raw).strip())
                except ValueError:
                    errors.append(_field(name, label[name], "format", f"{label[name]}应为整数，实际为“{raw}”。"))
                    continue
                if n < 0:
                    errors.append(_field(name, label[name], "range", f"{label[name]}不能小于 0。"))
                    continue
                out[name] = n
            elif name == "product":
                out[name] = (str(raw or "").strip()) or None
            else:
                out[name] = str(raw or "").strip()
        merged = {**(current or {}), **out}
        if ("name" in out or current is None) and not merged.get("name"):
            errors.append(_field("name", label["name"], "required", "活动主题不能为空。"))
        if ("script" in out or current is None) and not merged.get("script"):
            errors.append(_field("script", label["script"], "required", "话术不能为空：客户经理要照着它和客户沟通。"))
        starts, ends = merged.get("starts"), merged.get("ends")
        if starts and ends and ends < starts and not any(e.field in ("starts", "ends") for e in errors):
            errors.append(_field("ends", label["ends"], "order", "结束日期不能早于开始日期。"))
        # the declaration's limits (lengths, characters, code format, the goal's ceiling)
        for problem in CAMPAIGN.problems(out, insert=False):
            if not any(e.field == problem.field for e in errors):
                errors.append(_field(problem.field, label.get(problem.field, problem.field), problem.code,
                                     problem.message))
        wording = None
        if "script" in out or "product" in out:
            wording = check_note(merged.get("script") or "", self.db, field="script", label="话术",
                                 acknowledged=acknowledged,
                                 wealth=(merged.get("product") or "") in WEALTH_PRODUCTS)
            errors += wording.errors
        return out, wording, errors

    def _clients(self, client_ids: Iterable[int]) -> tuple[list[str], int, list[FieldError]]:
        """(uids of the chosen clients with marketing consent, how many lack it, unknown clients)."""
        uids: list[str] = []
        no_consent = 0
        errors: list[FieldError] = []
        seen: set[int] = set()
        for cid in client_ids:
            if cid in seen:
                continue
            seen.add(cid)
            row = self.db.conn.execute("SELECT uid, consent FROM clients WHERE id = ? AND deleted = 0",
                                       (cid,)).fetchone()
            if row is None:
                errors.append(_field("clients", "目标客户", "unknown", f"客户 {cid} 不存在或已删除。"))
            elif row[1] == 1:
                uids.append(row[0])
            else:
                no_consent += 1
        return uids, no_consent, errors

    def create_local(self, values: Mapping[str, Any], client_ids: Iterable[int], *, acknowledged: bool = False,
                     note: str = "本网点自建") -> Result[LocalCampaign]:
        """A local campaign (the branch head's) with its target list, in one transaction, journaled.

        ``values``: name (required), product, starts, ends, script (required), benefits, goal.
        A blocked word in the script, or a wealth product's script without the risk line, refuses
        the save; a warned word refuses it unless ``acknowledged`` (then audited). Clients without
        marketing consent are not added (counted in ``no_consent``)."""
        denied = check(self.staff, Action.MANAGE_CAMPAIGNS)
        if denied:
            return Result.failed(denied)
        out, wording, errors = self._check_values(values, None, acknowledged=acknowledged)
        uids, no_consent, unknown = self._clients(client_ids)
        errors += unknown
        if errors:
            return Result.failed(*errors)
        today = self._today or date.today()
        code = self._local_code(today)
        record = {"code": code, "benefits": "", **out}
        try:
            with write(self.db):
                Records(self.db, "campaign", self.ref).insert(record, author=self.staff.code, uid=code)
                if wording is not None and wording.acknowledged:
                    audit.record(self.db, staff=self.staff.code, action=audit.ACK_WORDING, kind="campaign",
                                 row_uid=code, detail=wording.audit_detail("话术"))
                targets = Records(self.db, "campaign_target", self.ref)
                for uid in uids:
                    targets.insert({"campaign": code, "client_uid": uid, "manager": None, "note": note[:200]},
                                   author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*(_field(p.field, p.field, p.code, p.message) for p in exc.problems))
        kinds = ("campaign", "campaign_target") if uids else ("campaign",)
        return Result.done(LocalCampaign(code, record["name"], len(uids), no_consent),
                           Changes.of(*kinds, uids=[code]))

    def _local(self, code: str) -> dict[str, Any] | FieldError:
        rec = Records(self.db, "campaign", self.ref).get(code)
        if rec is None:
            return _field("campaign", "营销活动", "unknown", f"营销活动“{code}”不存在。")
        if rec.values.get("source") != "branch":
            return _field("campaign", "营销活动", "owner",
                          f"营销活动“{rec.values.get('name') or code}”由总行发布，网点不能修改；"
                          "如需调整话术或日期，请联系总行营销部门。")
        return rec.values

    def edit_local(self, code: str, changes: Mapping[str, Any], *, acknowledged: bool = False
                   ) -> Result[LocalCampaign]:
        """Change a local campaign's name, script, benefits, dates or goal (the same checks as when
        it was made); head office's campaigns refuse."""
        denied = check(self.staff, Action.MANAGE_CAMPAIGNS)
        if denied:
            return Result.failed(denied)
        current = self._local(code)
        if isinstance(current, FieldError):
            return Result.failed(current)
        bad = [k for k in changes if k not in EDITABLE_FIELDS]
        if bad:
            return Result.failed(*(_field(k, k, "readonly", f"本网点营销活动建立后不能修改“{k}”。") for k in bad))
        out, wording, errors = self._check_values(changes, current, acknowledged=acknowledged)
        if errors:
            return Result.failed(*errors)
        try:
            with write(self.db):
                Records(self.db, "campaign", self.ref).update(code, out, author=self.staff.code)
                if wording is not None and wording.acknowledged:
                    audit.record(self.db, staff=self.staff.code, action=audit.ACK_WORDING, kind="campaign",
                                 row_uid=code, detail=wording.audit_detail("话术"))
        except RecordError as exc:
            return Result.failed(*(_field(p.field, p.field, p.code, p.message) for p in exc.problems))
        n = self.db.conn.execute("SELECT count(*) FROM campaign_targets WHERE campaign = ? AND deleted = 0",
                                 (code,)).fetchone()[0]
        return Result.done(LocalCampaign(code, {**current, **out}["name"], n, 0), Changes.of("campaign", uids=[code]))

    def add_targets(self, code: str, client_ids: Iterable[int], *, note: str = "本网点自建"
                    ) -> Result[LocalCampaign]:
        """More clients for a local campaign (ones with marketing consent, not already targets)."""
        denied = check(self.staff, Action.MANAGE_CAMPAIGNS)
        if denied:
            return Result.failed(denied)
        current = self._local(code)
        if isinstance(current, FieldError):
            return Result.failed(current)
        uids, no_consent, errors = self._clients(client_ids)
        if errors:
            return Result.failed(*errors)
        have = {r[0] for r in self.db.conn.execute(
            "SELECT client_uid FROM campaign_targets WHERE campaign = ? AND deleted = 0", (code,))}
        new = [u for u in uids if u not in have]
        try:
            with write(self.db):
                targets = Records(self.db, "campaign_target", self.ref)
                for uid in new:
                    targets.insert({"campaign": code, "client_uid": uid, "manager": None, "note": note[:200]},
                                   author=self.staff.code)
        except RecordError as exc:
            return Result.failed(*(_field(p.field, p.field, p.code, p.message) for p in exc.problems))
        return Result.done(LocalCampaign(code, current["name"], len(new), no_consent, len(uids) - len(new)),
                           Changes.of("campaign_target", uids=[code]) if new else Changes())
