"""The front page (今日工作台): what one member of staff has to do today, read in one go.

For a 客户经理: their overdue and today's follow-ups, whitelist entries given to them that
expire within ``EXPIRING_DAYS`` or were never contacted, the running campaigns' targets they
have not reached yet, and where the PC stands with head office. For a 网点负责人 the same for
the whole branch, one line per manager (who has overdue work), the branch's reach and
conversion this month and the smart-village scenarios' progress; for a county device
(县支行管理) one line per branch instead. Every figure comes from the services the workspaces
use (follow-up queue, whitelist filter, campaign tally, marketing report, scenario dashboard),
so the page and the pages it opens never disagree.

Two reads, so the page shows quickly at a million clients: ``board`` (lists and counts, index
lookups only; the branch's follow-up and whitelist counts stop at ``COUNT_CAP``) and
``figures`` (the month's reach, the scenarios, the lines per manager or branch and the exact
counts: report queries, about a second). Both run on the thread that owns ``db``; read only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from app.core import scenarios as sc
from app.core.masking import mask_mobile
from app.core.roles import Action, Role, Staff, can
from app.services.campaigns import CampaignService
from app.services.reports import Report, ReportFilter, ReportService
from app.services.scenarios import ScenarioService
from app.services.sync_status import SyncStatus
from app.services.whitelist import WhitelistService
from app.store.reference import ReferenceData
from app.store.whitelist import WhitelistFilter

EXPIRING_DAYS = 30  # a whitelist line that ends within this many days is "expiring soon"
SHOWN = 6  # items listed per section (the count says how many there are in all)
PARTS = ("followups", "whitelist", "campaigns", "sync")  # a board's parts, in the order it shows them
SECTIONS = ("overdue", "today", "expiring", "never_contacted", "campaigns", "sync")
COUNT_CAP = 100  # the quick path counts the branch's follow-ups and whitelist lines this far ("100+")


@dataclass(frozen=True)
class Item:
    """One thing to do, and what it opens: ``kind`` followup / whitelist / campaign / client /
    scenario / sync, ``key`` the record (follow-up uid, whitelist uid, campaign code, client id,
    scenario uid, a sync page name)."""

    kind: str
    key: str
    title: str  # the client's or the campaign's name
    detail: str  # 逾期 3 天 · 村 · 手机 138****5678
    client_id: int | None = None


@dataclass(frozen=True)
class Section:
    name: str  # overdue / today / expiring / never_contacted / campaigns / sync
    count: int  # all of them (``items`` are the first ``SHOWN``)
    items: tuple[Item, ...] = ()
    capped: bool = False  # counted only to COUNT_CAP on the quick path ("100+"); ``figures`` has the count


@dataclass(frozen=True)
class Line:
    """A branch head's line per manager, or a county device's per branch."""

    key: str  # staff code or branch code
    label: str
    overdue: int
    today: int
    expiring: int
    never_contacted: int
    unreached: int  # targets of running campaigns not reached yet


@dataclass(frozen=True)
class Board:
    staff: str
    role: str  # manager / branch_head / county / admin
    day: date
    sections: tuple[Section, ...]

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


def merge(*boards: Board) -> Board:
    """One board of the parts read separately (``TodayService.board(parts=...)``), sections in the
    order of ``SECTIONS``."""
    sections = sorted((s for b in boards for s in b.sections), key=lambda s: SECTIONS.index(s.name))
    return replace(boards[0], sections=tuple(sections))


@dataclass(frozen=True)
class Figures:
    """The branch head's and county's slower half: reach and conversion this month, scenarios."""

    month_start: date
    targets: int = 0
    reached: int = 0
    converted: int = 0
    scenario_period: str = ""  # the latest month with scenario figures
    scenarios: int = 0
    by_status: dict[str, int] = field(default_factory=dict)  # status label → scenarios
    accounts: int | None = None  # accounts opened through scenarios in that month
    accounts_before: int | None = None  # the month before
    never_contacted: int | None = None  # the branch's live entries never contacted, counted in full
    overdue: int | None = None  # the branch's overdue follow-ups, counted in full
    today: int | None = None  # the branch's follow-ups due today, counted in full
    expiring: int | None = None  # the branch's lines expiring soon, never contacted, counted in full
    lines: tuple[Line, ...] = ()  # per manager (branch head) or per branch (county device)
    lines_by: str = ""  # "manager" | "branch" | ""

    @property
    def reach_rate(self) -> float:
        return self.reached / self.targets if self.targets else 0.0

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.targets if self.targets else 0.0


class TodayService:
    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.day = today or date.today()
        self.role = Role(staff.role)

    @property
    def mine(self) -> str | None:
        """The staff code the page is held to (a 客户经理's own), else None (the branch)."""
        return self.staff.code if self.role == Role.MANAGER else None

    # --- the quick half ------------------------------------------------------------------------

    def board(self, status: SyncStatus | None = None, *, parts: Collection[str] = PARTS) -> Board:
        """Lists and counts (index lookups): follow-ups, whitelist, campaigns, sync (the sections of
        ``parts``, so two connections can read halves of the board at once: ``merge``). Reader thread."""
        sections: list[Section] = []
        book = can(self.staff, Action.VIEW_CLIENT, client_manager_id=self.staff.id)
        if book and "followups" in parts:
            overdue, today = self._followups()
            sections += [overdue, today]
        if "whitelist" in parts and can(self.staff, Action.VIEW_WHITELIST):
            sections += self._whitelist()
        if book and "campaigns" in parts:
            sections.append(self._campaigns())
        if status is not None and "sync" in parts:
            sections.append(self._sync(status))
        return Board(self.staff.code, self.role.value, self.day, tuple(sections))

    def lines(self) -> tuple[tuple[Line, ...], str]:
        """A branch head's line per manager, a county device's per branch (with the lines_by), or
        nothing. Part of the slower half: it reads every entry of the whitelist. Reader thread."""
        if self.role == Role.BRANCH_HEAD:
            return self._per_manager(self._tallies()), "manager"
        if self.role == Role.COUNTY:
            branches = ReportService(self.db, self.staff, self.ref).branches()
            if branches:
                return self._per_branch(branches), "branch"
        return (), ""

    def _followups(self) -> tuple[Section, Section]:
        """Open follow-ups due before today and today (snoozed ones from the day put off to), as the
        follow-up queue counts them (consenting, live clients). The count reaches the clients through
        their marketing index (uid, consent; live and answered only), each over its own range of v16's
        index (the order they count from); the branch's are counted to ``COUNT_CAP`` here and in full
        with the lines per manager (``figures``). A list walks the same index and stops at
        the sixth."""
        day = self.day.isoformat()
        mine = " AND f.staff = :staff" if self.mine else ""
        args = {"staff": self.mine, "day": day, "cap": -1 if self.mine else COUNT_CAP}

        def count(test: str) -> int:
            return self.db.conn.execute(
                f"""SELECT count(*) FROM (SELECT 1 FROM followups f JOIN {_CONSENTED}
                     WHERE f.deleted = 0 AND f.done = 0{mine} AND coalesce(f.snoozed_until, f.due) {test} :day
                     LIMIT :cap)""", args).fetchone()[0]

        late, due = count("<"), count("=")
        out = []
        for name, test, n in (("overdue", "<", late), ("today", "=", due)):
            # one day: the index is in id order within it (said as the sort, else SQLite sorts them all)
            order = "coalesce(f.snoozed_until, f.due), f.id" if test == "<" else "f.id"
            items = []
            for uid, cid, client, mobile, village, eff, staff, note in self.db.conn.execute(
                    f"""SELECT f.uid, c.id, c.name, c.mobile, coalesce(t.name, '') || coalesce(v.name, ''),
                               coalesce(f.snoozed_until, f.due), f.staff, f.note
                          FROM followups f
                          JOIN clients c ON c.uid = f.client_uid AND c.deleted = 0 AND c.consent = 1
                          LEFT JOIN villages v ON v.id = c.village_id LEFT JOIN townships t ON t.id = v.township_id
                         WHERE f.deleted = 0 AND f.done = 0{mine} AND coalesce(f.snoozed_until, f.due) {test} :day
                         ORDER BY {order} LIMIT {SHOWN}""", args):
                parts = []
                if name == "overdue":
                    parts.append(f"逾期 {(self.day - date.fromisoformat(eff)).days} 天")
                parts += [p for p in (village, mask_mobile(mobile) or "", note[:20] if note else "") if p]
                if not self.mine and staff:
                    parts.append(self._staff_name(staff))
                items.append(Item("followup", uid, client, " · ".join(parts), cid))
            out.append(Section(name, n, tuple(items), capped=not self.mine and n >= COUNT_CAP))
        return out[0], out[1]

    def _whitelist(self) -> list[Section]:
        """Entries expiring within ``EXPIRING_DAYS`` never contacted, and live entries never contacted
        (both soonest to lapse first, read off the date index). A manager's counts are exact; the
        branch's never-contacted count is counted to ``COUNT_CAP`` here (reading all 376,000 entries
        costs most of a second) and exactly in ``figures``."""
        svc = WhitelistService(self.db, self.staff, self.ref, today=self.day)
        out = []
        for name, f in (("expiring", WhitelistFilter(expiring_days=EXPIRING_DAYS, never_contacted=True)),
                        ("never_contacted", WhitelistFilter(never_contacted=True, expired=False))):
            rows = self._soonest(svc, name == "expiring")
            n = svc.count(f) if self.mine else svc.count(f, at_most=COUNT_CAP)
            if not isinstance(n, int):
                continue
            out.append(Section(name, n, tuple(
                Item("whitelist", r.uid, r.name,
                     " · ".join(p for p in (f"额度 {r.limit_fen / 1_000_000:,.2f} 万元",
                                           f"{r.valid_to} 到期" if r.valid_to else "",
                                           f"{r.township}{r.village}", r.mobile or "") if p), r.client_id)
                for r in rows), capped=not self.mine and n >= COUNT_CAP))
        return out

    def _soonest(self, svc: WhitelistService, expiring: bool) -> list[Any]:
        """The first ``SHOWN`` live entries never contacted (within ``EXPIRING_DAYS`` when ``expiring``),
        soonest to lapse first, off the date index; then each entry as the list shows it (masked).
        (The list's own sort puts lapsed entries last with an expression no index serves: 2.5 s.)"""
        day = self.day.isoformat()
        soon = (self.day + timedelta(days=EXPIRING_DAYS)).isoformat()
        uids = [r[0] for r in self.db.conn.execute(
            f"""SELECT w.uid FROM whitelist w LEFT JOIN whitelist_state s ON s.whitelist_uid = w.uid
                 WHERE w.deleted = 0 AND w.valid_to >= :day {"AND w.valid_to <= :soon" if expiring else ""}
                   AND coalesce(s.reached, 0) = 0 {"AND w.manager = :staff" if self.mine else ""}
                 ORDER BY w.valid_to, w.id LIMIT {SHOWN}""", {"day": day, "soon": soon, "staff": self.mine})]
        rows = []
        for uid in uids:
            entry = svc.repo.get(uid)
            if entry is not None:
                rows.append(replace(entry, mobile=mask_mobile(entry.mobile)))
        return rows

    def _running(self) -> list[tuple[str, str, str | None]]:
        day = self.day.isoformat()
        return list(self.db.conn.execute(
            "SELECT code, name, ends FROM campaigns WHERE deleted = 0 AND (starts IS NULL OR starts <= ?)"
            " AND (ends IS NULL OR ends >= ?) ORDER BY ends IS NULL, ends, code", (day, day)))

    def _campaigns(self) -> Section:
        """Running campaigns with targets (consenting, given to someone) not reached yet: the
        campaign tally a 客户经理 sees is their own."""
        svc = CampaignService(self.db, self.staff, self.ref, today=self.day)
        items = []
        left = 0
        for code, name, ends in self._running():
            rows = svc.campaigns(code)
            if not isinstance(rows, list) or not rows:
                continue
            row = rows[0]
            todo = row.targets - row.reached
            if todo <= 0:
                continue
            left += todo
            items.append(Item("campaign", code, name,
                              " · ".join(p for p in (f"未触达 {todo:,} / {row.targets:,} 户",
                                                    f"已转化 {row.converted:,}", f"{ends} 结束" if ends else "") if p)))
        return Section("campaigns", left, tuple(items[:SHOWN]))

    def _sync(self, s: SyncStatus) -> Section:
        """Where the PC stands: what waits (conflicts, refused changes, unsent ones), as items."""
        items = []
        if s.open_conflicts:
            items.append(Item("sync", "conflicts", "冲突待处理", f"{s.open_conflicts:,} 条：本机与总行都改过同一记录"))
        if s.quarantined:
            items.append(Item("sync", "quarantine", "总行退回的修改", f"{s.quarantined:,} 条：看原因，改正后重发"))
        if s.pending:
            items.append(Item("sync", "pending", "尚未上传的修改", f"{s.pending:,} 条：下次同步时上传"))
        if s.upgrade_waiting:
            items.append(Item("sync", "release", "新版本待安装", f"银行 IT 已发布 {s.release}（本机 {s.running}）"))
        return Section("sync", s.open_conflicts + s.quarantined, tuple(items))

    def _staff_name(self, code: str) -> str:
        s = self.ref.staff_by_code.get(code)
        return s.name if s else code

    def _tallies(self) -> _Tallies:
        """Per staff code (and "" for what is given to nobody) of the branch: open follow-ups overdue
        and today, whitelist lines expiring and never contacted, unreached targets of running campaigns."""
        follow = self._follow_by_staff()
        wl = WhitelistService(self.db, self.staff, self.ref, today=self.day)
        expiring = {r.key: r.entries for r in _funnel(wl, WhitelistFilter(expiring_days=EXPIRING_DAYS,
                                                                            never_contacted=True))}
        never = {r.key: r.entries for r in _funnel(wl, WhitelistFilter(never_contacted=True, expired=False))}
        camp = CampaignService(self.db, self.staff, self.ref, today=self.day)
        unreached: dict[str, int] = {}
        for code, _name, _ends in self._running():
            for f in _figures(camp, code):
                unreached[f.key] = unreached.get(f.key, 0) + f.targets - f.reached
        return _Tallies(follow, expiring, never, unreached)

    def _follow_by_staff(self) -> dict[str, tuple[int, int]]:
        """Open follow-ups overdue and due today per staff code, in full (one pass over v16's index)."""
        day = self.day.isoformat()
        return {staff: (late or 0, due or 0) for staff, late, due in self.db.conn.execute(
            f"""SELECT f.staff, sum(coalesce(f.snoozed_until, f.due) < :day),
                      sum(coalesce(f.snoozed_until, f.due) = :day)
                 FROM followups f JOIN {_CONSENTED}
                WHERE f.deleted = 0 AND f.done = 0 GROUP BY f.staff""", {"day": day})}

    def _per_manager(self, t: _Tallies) -> tuple[Line, ...]:
        """One line per active 客户经理 (and anyone else with open work), those with overdue work first."""
        codes = {s.code for s in self.ref.staff_by_code.values() if s.active and s.role == Role.MANAGER.value}
        codes |= {c for c in (*t.follow, *t.expiring, *t.never, *t.unreached) if c}
        lines = [Line(c, f"{self._staff_name(c)}（{c}）", *t.follow.get(c, (0, 0)), t.expiring.get(c, 0),
                      t.never.get(c, 0), t.unreached.get(c, 0)) for c in codes]
        lines.sort(key=lambda x: (-x.overdue, -x.today, x.key))
        return tuple(lines)

    def _per_branch(self, branches: list[str]) -> tuple[Line, ...]:
        """A county device: one line per branch whose records it holds (``record_branch``)."""
        day = self.day.isoformat()
        reports = ReportService(self.db, self.staff, self.ref)
        follow = {b: (late or 0, due or 0) for b, late, due in self.db.conn.execute(
            """SELECT b.branch, sum(coalesce(f.snoozed_until, f.due) < :day),
                      sum(coalesce(f.snoozed_until, f.due) = :day)
                 FROM followups f JOIN clients c ON c.uid = f.client_uid AND c.deleted = 0
                 JOIN record_branch b ON b.kind = 'client' AND b.uid = c.uid
                WHERE f.deleted = 0 AND f.done = 0 AND c.consent = 1 GROUP BY b.branch""", {"day": day})}
        whitelist: dict[str, list[int]] = {}
        for b, expiring, never in self.db.conn.execute(
                f"""SELECT b.branch, sum(w.valid_to >= :day AND w.valid_to <= :soon AND {_NEVER}), sum({_NEVER})
                      FROM whitelist w JOIN record_branch b ON b.kind = 'client' AND b.uid = w.client_uid
                      LEFT JOIN whitelist_state s ON s.whitelist_uid = w.uid
                     WHERE w.deleted = 0 AND (w.valid_to IS NULL OR w.valid_to >= :day) GROUP BY b.branch""",
                {"day": day, "soon": (self.day + timedelta(days=EXPIRING_DAYS)).isoformat()}):
            whitelist[b] = [expiring or 0, never or 0]
        return tuple(Line(b, reports.branch_label(b), *follow.get(b, (0, 0)), *whitelist.get(b, (0, 0)), 0)
                     for b in branches)

    # --- the slower half -----------------------------------------------------------------------

    def figures(self) -> Figures | None:
        """This month's reach and conversion (the marketing report's own figures), the scenarios'
        progress (the scenario dashboard's), the lines per manager or branch and the counts the quick
        read stopped at ``COUNT_CAP``, for a branch head or a county device; None for others. Reader
        thread; 3–4 s at a million clients."""
        if self.role not in (Role.BRANCH_HEAD, Role.COUNTY) or not can(self.staff, Action.VIEW_REPORTS):
            return None
        start = self.day.replace(day=1)
        values: dict[str, Any] = {"month_start": start}
        report = ReportService(self.db, self.staff, self.ref, today=self.day).marketing(
            ReportFilter(start=start, end=self.day))
        if isinstance(report, Report):
            values.update(targets=report.meta["targets"], reached=report.meta["reached"],
                          converted=report.meta["converted"])
        dash = ScenarioService(self.db, self.staff, self.ref).dashboard()
        accounts = next((c for c in dash.totals if c.metric == "accounts"), None)
        values.update(scenario_period=dash.period, scenarios=dash.scenarios,
                      by_status={sc.STATUS_LABELS.get(k, k): n for k, n in dash.by_status.items()},
                      accounts=accounts.value if accounts else None,
                      accounts_before=accounts.previous if accounts else None)
        if self.role == Role.BRANCH_HEAD:
            # the branch's full counts from the same tallies as its lines ("" = given to nobody)
            t = self._tallies()
            return Figures(**values, never_contacted=sum(t.never.values()),
                           overdue=sum(late for late, _due in t.follow.values()),
                           today=sum(due for _late, due in t.follow.values()), expiring=sum(t.expiring.values()),
                           lines=self._per_manager(t), lines_by="manager")
        lines, by = self.lines()
        wl = WhitelistService(self.db, self.staff, self.ref, today=self.day)
        never = wl.count(WhitelistFilter(never_contacted=True, expired=False))
        expiring = wl.count(WhitelistFilter(expiring_days=EXPIRING_DAYS, never_contacted=True))
        follow = self._follow_by_staff().values()
        return Figures(**values, never_contacted=never if isinstance(never, int) else None,
                       overdue=sum(late for late, _due in follow), today=sum(due for _late, due in follow),
                       expiring=expiring if isinstance(expiring, int) else None, lines=lines, lines_by=by)


@dataclass(frozen=True)
class _Tallies:
    """A branch's work per staff code ("" for what is given to nobody): see ``TodayService._tallies``."""

    follow: dict[str, tuple[int, int]]  # (overdue, today)
    expiring: dict[str, int]
    never: dict[str, int]
    unreached: dict[str, int]


# a follow-up's client, live and consenting, from the marketing index alone (uid, consent)
_CONSENTED = ("clients c INDEXED BY clients_marketing ON c.uid = f.client_uid AND c.deleted = 0 AND c.consent <> 0"
              " AND c.consent = 1")  # (the index is partial: its own "consent <> 0" must be said)

# a whitelist entry never reached: no outcome, or only 无法联系 (as ``WhitelistFilter.never_contacted``)
_NEVER = "coalesce(s.reached, 0) = 0"


def _funnel(svc: WhitelistService, f: WhitelistFilter) -> list[Any]:
    rows = svc.funnel("manager", f)
    return rows if isinstance(rows, list) else []


def _figures(svc: CampaignService, code: str) -> list[Any]:
    rows = svc.figures("manager", code)
    return rows if isinstance(rows, list) else []
