"""Campaigns (营销活动) at the branch: head office's campaigns and target lists, distributed
to managers (任务分发), and the figures (触达率, 转化率) per campaign and per manager.

A target whose client has not consented to marketing (refused, or never asked) is never
given out, never in a queue: the branch head sees it listed apart with the reason. A
target is *reached* once a contact for the campaign was logged with its client, and
*converted* once such a contact's outcome says it was done (``CONVERTED``). Every change
is journaled and returns a ``Result``. Runs on the thread that owns ``db``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from app.core.assignment import Candidate, counts, split
from app.core.compliance import Finding
from app.core.errors import FieldError
from app.core.masking import mask_mobile
from app.core.result import Result
from app.core.roles import Action, Role, Staff, check
from app.services.compliance import check as check_words
from app.services.compliance import word_list
from app.services.handout import active_managers, write_plan
from app.store.reference import ReferenceData

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
            f"""SELECT code, name, product, starts, ends, goal FROM campaigns
                 WHERE deleted = 0 {"AND code = ?" if code else ""} ORDER BY ends IS NULL, ends, code""",
            [code] if code else [])
        empty = [0] * 6
        return [CampaignRow(*r, *tally.get(r[0], empty)[1:]) for r in rows]

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
