"""Process reports (过程管控): marketing results, reach over time, segment growth, mobile-banking
penetration, the whitelist funnel and scenario acquisition, for one signed-in staff member.

Each report takes a ``ReportFilter`` (period, manager, village) and returns a ``Report``: a
title, Chinese column headings, rows of plain values (str, int, float, date), how to chart
them and notes saying what the figures mean. The exports (``app.services.report_export``), the
``branchdesk report`` command and the screens all draw from the same ``Report``.

Who sees what (``Action.VIEW_REPORTS``): a 客户经理 sees only their own figures, the same
way each workspace scopes them: campaign targets distributed to them (``campaign_targets.
manager``, as ``CampaignService``), clients they manage (``clients.manager_id``: segments,
mobile banking), whitelist entries given to them (``WhitelistService``), scenarios they own
(负责人). No report holds an ID or phone number: only counts, rates, amounts and names of
villages, staff, campaigns, clusters and scenarios.

Where a service already counts a figure the report takes it from there: the whitelist funnel
is ``WhitelistService.funnel(by="cluster")`` (one village's: the same sums read from the
village's clients, ``_client_funnel``, because the service's village filter joins every entry
to its client), the scenarios and their client counts are ``ScenarioService.list`` and its
latest month ``ScenarioService.latest_period``. The campaign
figures of ``CampaignService`` count all time, per campaign or manager; a report counts a
period and a village too, so ``marketing`` and ``reach`` query the targets and contacts with
the same rules (consented live clients, the ``CONVERTED`` outcomes): over a period that holds
every contact they equal ``CampaignService.figures`` and ``weekly`` (tests/services/
test_reports.py holds them equal). Runs on the thread that owns ``db``; no Qt.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlite_utils

from app.core.errors import FieldError
from app.core.roles import Action, Role, Staff, check
from app.services.campaigns import CONVERTED
from app.services.scenarios import ScenarioService
from app.services.whitelist import WhitelistService
from app.store import syncdata
from app.store.reference import ReferenceData, StaffRow, Village
from app.store.whitelist import FunnelRow, WhitelistFilter
from sync.protocol.kinds import SEGMENTS

# name → Chinese title, in the order the reports are offered
REPORTS: dict[str, str] = {
    "marketing": "营销成效",
    "reach": "触达与转化趋势",
    "segments": "客群提升",
    "mobile_banking": "手机银行渗透率",
    "whitelist_funnel": "白名单营销漏斗",
    "scenarios": "场景获客",
}

# Every title, column heading and value-axis title the reports show ("{}" stands for a month in a
# heading): the desktop shows them in the UI's language (``app.ui.labels``, the Domain context), and
# tests/services/test_reports.py holds every report to this list. Notes and the filter line are
# sentences with figures in them, written in Chinese like the services' messages.
HEADINGS: tuple[str, ...] = (
    "营销成效（按客户经理）", "营销成效（按营销活动）", "触达与转化趋势", "客群提升", "手机银行渗透率（按村）",
    "手机银行渗透率（按乡镇）", "白名单营销漏斗", "场景获客",
    "客户经理", "营销活动", "活动代码", "目标客户", "已触达", "已转化", "触达率", "转化率", "比率",
    "周次", "月份", "起", "止", "触达次数", "新触达客户", "新转化客户", "累计触达率", "累计转化率", "累计比率",
    "客群", "期初户数", "期末户数", "净增", "新增客户", "转入", "上移", "下移", "客户数（户）",
    "村", "乡镇", "客户数", "手机银行签约", "手机银行月活", "签约率", "活跃率",
    "产业集群", "白名单户数", "核定额度（万元）", "已联系", "已申请", "已用信", "用信金额（万元）", "联系率", "户数",
    "场景", "类型", "村/乡镇", "进度", "期前已获客", "本期获客", "累计获客", "开户数（{}）", "手机银行注册（{}）",
    "手机银行月活（{}）", "获客（户）", "（未分发）",
)

# Segments from the lowest to the highest, for moved up / moved down (客群提升): a basic account
# (学生), a household (农户), a pension paid here (退休), a salary paid here (代发工资), a business
# run by one person (个体工商户), a cooperative (合作社), a small business (小微企业). A house order,
# kept in this one place.
SEGMENT_ORDER = ("student", "farmer", "retiree", "payroll", "sole_trader", "cooperative", "micro_business")
SEGMENT_LABELS = {c.value: c.label for c in SEGMENTS}

WEEKS_AT_MOST = 26  # a longer period is shown by month

# column formats: text, whole number, rate (0..1, shown as %), 万元 (two decimals), date
TEXT, INT, PCT, WAN, DATE = "text", "int", "pct", "wan", "date"


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers. ``start``/``end``: the period, both days included (default: 1 January
    of the end's year to today; an end after today is today). ``manager``: a staff code (a 客户经理
    is always held to their own). ``village``: a village code (or a name that names one village).
    ``branch``: on a device that reads several branches (a county's), a branch code."""

    start: date | None = None
    end: date | None = None
    manager: str | None = None
    village: str | None = None
    branch: str | None = None  # a county device: one branch's records (``record_branch``)


@dataclass(frozen=True)
class Chart:
    """How to chart a report from its own table: ``category`` is the column of the categories,
    ``series`` the columns drawn (all of one unit), ``axis_title`` the value axis."""

    kind: str  # "bar" | "line" | "stacked"
    category: int
    series: tuple[int, ...]
    axis_title: str


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    chart: Chart
    notes: tuple[str, ...]
    formats: tuple[str, ...]  # per column: TEXT, INT, PCT, WAN or DATE
    scope: str  # the filter in words: 期间…；客户经理…；村…
    filter: ReportFilter  # as applied (dates filled in, the manager a 客户经理 is held to)
    made_by: str = ""
    made_at: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # figures behind the notes (totals), for screens and tests

    @property
    def percent_columns(self) -> tuple[int, ...]:
        return tuple(i for i, f in enumerate(self.formats) if f == PCT)

    def text_rows(self) -> list[list[str]]:
        """The rows as a person reads them: 12.3%, 1,234.56, 2026-12-09."""
        return [[cell_text(v, f) for v, f in zip(r, self.formats, strict=True)] for r in self.rows]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates as YYYY-MM-DD; rates as fractions)."""
        def plain(v: Any) -> Any:
            return v.isoformat() if isinstance(v, date) else v

        f = self.filter
        return {
            "name": self.name, "title": self.title, "scope": self.scope,
            "filter": {"start": plain(f.start), "end": plain(f.end), "manager": f.manager, "village": f.village,
                       "branch": f.branch},
            "columns": list(self.columns), "formats": list(self.formats),
            "rows": [[plain(v) for v in r] for r in self.rows],
            "chart": {"kind": self.chart.kind, "category": self.chart.category, "series": list(self.chart.series),
                      "axis_title": self.chart.axis_title},
            "notes": list(self.notes), "made_by": self.made_by, "made_at": self.made_at,
        }


def cell_text(value: Any, fmt: str) -> str:
    if value is None:
        return "—"
    if fmt == PCT:
        return f"{value * 100:.1f}%"
    if fmt == WAN:
        return f"{value:,.2f}"
    if fmt == INT:
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def wan(fen: int) -> float:
    """Fen as 万元, two decimals (a figure for a report; the money itself stays integer fen)."""
    return round((fen or 0) / 1_000_000, 2)


@dataclass(frozen=True)
class _Scope:
    start: date
    end: date
    manager: StaffRow | None
    village: Village | None
    branch: str | None = None


# the records of one branch, on a county device (v15 ``record_branch``, kept from head office's pull)
def _of_branch(kind: str) -> str:
    return f"(SELECT uid FROM record_branch WHERE kind = '{kind}' AND branch = :branch)"


def _field(field_: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field_, label, code, message)


_CONVERTED_SQL = "(" + " OR ".join(f"k.outcome LIKE '%{w}%'" for w in CONVERTED) + ")"
# the campaigns a period covers: running at some day of it (no start or no end: open on that side)
_IN_PERIOD = "m.deleted = 0 AND (m.starts IS NULL OR m.starts <= :end) AND (m.ends IS NULL OR m.ends >= :start)"
_PERIOD_CODES = f"SELECT m.code FROM campaigns m WHERE {_IN_PERIOD}"
# a target's contacts for its campaign (followed by more conditions on ``k``)
_CONTACTS = ("contacts k INDEXED BY contacts_by_client_campaign_date"
             " WHERE k.client_uid = t.client_uid AND k.campaign = t.campaign AND k.deleted = 0")


class ReportService:
    """The six process reports as one staff member may see them."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self._today = today
        self._branch_names: dict[str, str] | None = None

    @property
    def today(self) -> date:
        return self._today or date.today()

    def run(self, name: str, f: ReportFilter = ReportFilter(), **options: Any) -> Report | FieldError:
        """A report by its name (one of ``REPORTS``)."""
        method: Callable[..., Report | FieldError] | None = getattr(self, name, None) if name in REPORTS else None
        if method is None:
            return _field("report", "报表", "unknown", f"没有报表“{name}”；可选：{'、'.join(REPORTS)}。")
        return method(f, **options)

    # --- the filter ------------------------------------------------------------------------------

    def _scope(self, f: ReportFilter) -> _Scope | FieldError:
        denied = check(self.staff, Action.VIEW_REPORTS)
        if denied:
            return denied
        today = self.today
        end = min(f.end or today, today)
        start = f.start or date(end.year, 1, 1)
        if start > today:
            return _field("start", "开始日期", "future", f"开始日期 {start} 晚于今天（{today}），还没有数字。")
        if start > end:
            return _field("start", "开始日期", "order", f"开始日期 {start} 不能晚于结束日期 {end}。")
        manager = None
        if Role(self.staff.role) == Role.MANAGER:
            if f.manager and f.manager.strip() not in (self.staff.code, self.staff.name):
                return _field("manager", "客户经理", "permission", "客户经理只能查看自己的报表数字。")
            manager = self.ref.staff_by_code.get(self.staff.code)
            if manager is None:
                return _field("manager", "客户经理", "unknown", f"员工 {self.staff.code} 不在本网点名册中。")
        elif f.manager:
            manager = self.ref.find_staff(f.manager)
            if manager is None:
                return _field("manager", "客户经理", "unknown", f"客户经理“{f.manager}”不在本网点名册中。")
        village = None
        if f.village:
            text = f.village.strip()
            village = self.ref.village_by_code.get(text)
            if village is None:
                found = self.ref.find_villages(text)
                if len(found) != 1:
                    why = "有重名，请写乡镇+村或村编码" if found else "不存在"
                    return _field("village", "村", "unknown", f"村“{text}”{why}。")
                village = found[0]
        branch = None
        if f.branch and f.branch.strip():
            branch = f.branch.strip()
            known = self.branches()
            if branch not in known:
                why = (f"可选：{'、'.join(self.branch_label(b) for b in known)}" if known
                       else "本机只有本网点的数据（不是县级设备）")
                return _field("branch", "网点", "unknown", f"网点“{branch}”不在本机的数据中；{why}。")
        return _Scope(start, end, manager, village, branch)

    def branches(self) -> list[str]:
        """The branches whose records this device holds apart (a county device's; empty on a branch's PC)."""
        return [r[0] for r in self.db.conn.execute(
            "SELECT DISTINCT branch FROM record_branch WHERE kind = 'client' ORDER BY branch")]

    def branch_label(self, code: str) -> str:
        """A branch as a person reads it: 名称（代码） once head office has named it, else its code."""
        if self._branch_names is None:
            self._branch_names = syncdata.branch_names(self.db)
        name = self._branch_names.get(code)
        return f"{name}（{code}）" if name and name != code else code

    def _scope_text(self, s: _Scope, *, period: bool = True) -> str:
        parts = [f"期间：{s.start.isoformat()} 至 {s.end.isoformat()}" if period
                 else f"截至 {self.today.isoformat()}（当前状态，不按期间）"]
        parts.append(f"客户经理：{s.manager.name}（{s.manager.code}）" if s.manager else "客户经理：全部")
        parts.append(f"村：{self.ref.full_name(s.village)}" if s.village else "村：全部")
        if s.branch:
            parts.append(f"网点：{self.branch_label(s.branch)}")
        return "；".join(parts)

    def _report(self, name: str, s: _Scope, columns: tuple[str, ...], formats: tuple[str, ...],
                rows: list[tuple[Any, ...]], chart: Chart, notes: list[str], *, title: str | None = None,
                period: bool = True, meta: dict[str, Any] | None = None) -> Report:
        applied = ReportFilter(s.start, s.end, s.manager.code if s.manager else None,
                               s.village.code if s.village else None, s.branch)
        return Report(name, title or REPORTS[name], columns, rows, chart, tuple(notes), formats,
                      self._scope_text(s, period=period), applied, f"{self.staff.name}（{self.staff.code}）",
                      datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"), meta or {})

    def _manager_label(self, code: str | None) -> str:
        if not code:
            return "（未分发）"
        s = self.ref.staff_by_code.get(code)
        return f"{s.name}（{code}）" if s else code

    # --- 1. marketing results per manager or per campaign --------------------------------------

    def _targets_sql(self, s: _Scope) -> tuple[str, str, dict[str, Any]]:
        """(FROM, WHERE, arguments) of the consented targets ``t`` in scope, of the campaigns the period
        covers. The targets are read in client order from the v14 index (client, campaign, manager),
        so each one's client (live and consented: the v7 index alone, as ``CampaignService`` reads
        it) and its contacts (the v14 index by client and campaign) are looked up in ascending
        order, each index page read once rather than once per campaign (a third of the time at
        300,000 targets of 1,000,000 clients). A village's clients are listed once from the village
        index and the targets matched against that list."""
        args: dict[str, Any] = {"start": s.start.isoformat(), "end": s.end.isoformat()}
        where = ["t.deleted = 0", f"t.campaign IN ({_PERIOD_CODES})"]
        if s.manager:
            where.append("t.manager = :manager")
            args["manager"] = s.manager.code
        if s.branch:
            where.append(f"t.client_uid IN {_of_branch('client')}")
            args["branch"] = s.branch
        source = "campaign_targets t INDEXED BY campaign_targets_by_client_campaign"
        if s.village:
            args["village"] = s.village.id
            where.append("t.client_uid IN (SELECT uid FROM clients INDEXED BY clients_by_village"
                         " WHERE village_id = :village AND deleted = 0 AND consent = 1)")
        else:
            source += (" CROSS JOIN clients c INDEXED BY clients_marketing ON c.uid = t.client_uid AND c.deleted = 0"
                       " AND c.consent <> 0 AND c.consent = 1")
        return source, " AND ".join(where), args

    def marketing(self, f: ReportFilter = ReportFilter(), *, by: str = "manager") -> Report | FieldError:
        """Targets, targets reached and converted in the period, 触达率 and 转化率, per manager (the
        target's, as distributed) or per campaign, over the campaigns running in the period."""
        if by not in ("manager", "campaign"):
            return _field("by", "分组", "choice", "营销成效只能按客户经理（manager）或营销活动（campaign）分组。")
        s = self._scope(f)
        if isinstance(s, FieldError):
            return s
        source, where, args = self._targets_sql(s)
        key = "coalesce(t.manager, '')" if by == "manager" else "t.campaign"
        # one look at a target's contacts in the period: NULL none, 0 reached, 1 converted; counted here
        # rather than by GROUP BY, whose sort of 300,000 rows took longer than the lookups
        tally: dict[str, list[int]] = {}
        for (group, state), n in Counter(self.db.conn.execute(
                f"""SELECT {key}, (SELECT max({_CONVERTED_SQL}) FROM {_CONTACTS} AND k.date BETWEEN :start AND :end)
                      FROM {source} WHERE {where}""", args)).items():
            acc = tally.setdefault(group, [0, 0, 0])
            acc[0] += n
            if state is not None:
                acc[1] += n
                acc[2] += n if state else 0
        rows: list[tuple[Any, ...]] = []
        if by == "manager":
            order = sorted(tally, key=lambda k: (k == "", k))
            for k in order:
                n, reached, converted = tally[k]
                rows.append((self._manager_label(k), n, reached, converted, rate(reached, n), rate(converted, n)))
            columns: tuple[str, ...] = ("客户经理", "目标客户", "已触达", "已转化", "触达率", "转化率")
            formats: tuple[str, ...] = (TEXT, INT, INT, INT, PCT, PCT)
        else:
            for code, name in self.db.conn.execute(
                    f"SELECT m.code, m.name FROM campaigns m WHERE {_IN_PERIOD}"
                    " ORDER BY m.ends IS NULL, m.ends, m.code",
                    {"start": args["start"], "end": args["end"]}):
                if code not in tally:
                    continue
                n, reached, converted = tally[code]
                rows.append((name, code, n, reached, converted, rate(reached, n), rate(converted, n)))
            columns = ("营销活动", "活动代码", "目标客户", "已触达", "已转化", "触达率", "转化率")
            formats = (TEXT, TEXT, INT, INT, INT, PCT, PCT)
        total = [sum(v[i] for v in tally.values()) for i in range(3)]
        first = 1 if by == "manager" else 2
        notes = [
            "统计范围：期间内在执行的营销活动（开始日期不晚于期末、结束日期不早于期初）中，已授权营销的目标客户；"
            "未取得营销授权的目标不计入。" + ("客户经理按任务分发给谁计。" if by == "manager" else ""),
            "已触达：期间内为该活动登记过触达（电话、上门、厅堂等）的目标客户数；"
            f"已转化：期间内触达结果为“{'、'.join(CONVERTED)}”之一的目标客户数。",
            "触达率 = 已触达 ÷ 目标客户；转化率 = 已转化 ÷ 目标客户。",
            f"合计：目标客户 {total[0]:,} 户，已触达 {total[1]:,} 户（{rate(total[1], total[0]):.1%}），"
            f"已转化 {total[2]:,} 户（{rate(total[2], total[0]):.1%}）。",
        ]
        chart = Chart("bar", 0, (first + 3, first + 4), "比率")
        title = REPORTS["marketing"] + ("（按客户经理）" if by == "manager" else "（按营销活动）")
        return self._report("marketing", s, columns, formats, rows, chart, notes, title=title,
                            meta={"targets": total[0], "reached": total[1], "converted": total[2], "by": by})

    # --- 2. reach and conversion over time -----------------------------------------------------

    def reach(self, f: ReportFilter = ReportFilter()) -> Report | FieldError:
        """Per ISO week (per month when the period is longer than 26 weeks): campaign contacts
        made, targets reached and converted for the first time, and the cumulative 触达率 and
        转化率 at the end of each week, over the targets of the campaigns running in the period."""
        s = self._scope(f)
        if isinstance(s, FieldError):
            return s
        source, where, args = self._targets_sql(s)
        # one look at each target's contacts up to the end: "first contact|first conversion|the days
        # of its contacts in the period", the targets counted per distinct answer
        firsts: list[tuple[str, str | None, int]] = []  # (first contact, first conversion, how many targets)
        per_day: Counter[str] = Counter()
        targets = 0
        for (state,), n in Counter(self.db.conn.execute(
                f"""SELECT (SELECT min(k.date) || '|' || coalesce(min(CASE WHEN {_CONVERTED_SQL} THEN k.date END), '')
                                   || '|' || coalesce(group_concat(CASE WHEN k.date >= :start THEN k.date END, ','), '')
                              FROM {_CONTACTS} AND k.date <= :end)
                      FROM {source} WHERE {where}""", args)).items():
            targets += n
            if state is None:
                continue
            first, converted, days = state.split("|")
            firsts.append((first, converted or None, n))
            for day in days.split(",") if days else ():
                per_day[day] += n
        monthly = (s.end - s.start).days + 1 > WEEKS_AT_MOST * 7
        buckets = _months(s.start, s.end) if monthly else _weeks(s.start, s.end)
        start_iso = s.start.isoformat()
        reached_before = sum(n for a, _b, n in firsts if a < start_iso)
        converted_before = sum(n for _a, b, n in firsts if b and b < start_iso)
        bucket_of = {}
        for i, (_label, lo, hi) in enumerate(buckets):
            day = lo
            while day <= hi:
                bucket_of[day.isoformat()] = i
                day += timedelta(days=1)
        new_reached: Counter[int] = Counter()
        new_converted: Counter[int] = Counter()
        for a, b, n in firsts:
            if a in bucket_of:
                new_reached[bucket_of[a]] += n
            if b in bucket_of:
                new_converted[bucket_of[b]] += n
        contacts: Counter[int] = Counter()
        for day, n in per_day.items():
            if day in bucket_of:
                contacts[bucket_of[day]] += n
        rows: list[tuple[Any, ...]] = []
        seen, done = reached_before, converted_before
        for i, (label, lo, hi) in enumerate(buckets):
            seen += new_reached[i]
            done += new_converted[i]
            rows.append((label, lo, hi, contacts[i], new_reached[i], new_converted[i], rate(seen, targets),
                         rate(done, targets)))
        unit = "月份" if monthly else "周次"
        notes = [
            f"按{'月' if monthly else 'ISO 周'}统计（期间超过 {WEEKS_AT_MOST} 周时按月）。"
            f"统计范围：期间内在执行的营销活动中已授权营销的目标客户，共 {targets:,} 户。",
            "触达次数：该周（月）为这些目标登记的活动触达笔数；新触达、新转化：首次被触达、首次转化"
            f"（结果为“{'、'.join(CONVERTED)}”之一）落在该周（月）的目标客户数。",
            "累计触达率 = 截至该周（月）末已触达的目标 ÷ 目标客户；累计转化率 = 截至该周（月）末已转化的目标 ÷ 目标客户"
            f"（期初前已触达 {reached_before:,} 户、已转化 {converted_before:,} 户计入起点）。",
        ]
        chart = Chart("line", 0, (6, 7), "累计比率")
        return self._report("reach", s, (unit, "起", "止", "触达次数", "新触达客户", "新转化客户", "累计触达率",
                                         "累计转化率"),
                            (TEXT, DATE, DATE, INT, INT, INT, PCT, PCT), rows, chart, notes,
                            meta={"targets": targets, "monthly": monthly, "reached": seen, "converted": done})

    # --- 3. segment growth ---------------------------------------------------------------------

    def segments(self, f: ReportFilter = ReportFilter()) -> Report | FieldError:
        """Clients per segment at the start date and at the end date (each as at the end of that
        day), the new clients, and who moved between segments: up or down in ``SEGMENT_ORDER``."""
        s = self._scope(f)
        if isinstance(s, FieldError):
            return s
        f1 = (s.start + timedelta(days=1)).isoformat()  # on or before the start date: before the next day
        t1 = (s.end + timedelta(days=1)).isoformat()
        where = "c.deleted = 0"
        args: dict[str, Any] = {"f1": f1, "t1": t1}
        if s.manager:
            where += " AND c.manager_id = :manager"
            args["manager"] = s.manager.id
        if s.village:
            where += " AND c.village_id = :village"
            args["village"] = s.village.id
        if s.branch:
            where += f" AND c.uid IN {_of_branch('client')}"
            args["branch"] = s.branch
        at_start: Counter[str] = Counter()
        at_end: Counter[str] = Counter()
        new: Counter[str] = Counter()
        # by the current segment: the whole book from the report index alone, one manager's or one
        # village's clients through their own index
        hint = "" if s.manager or s.village or s.branch else " INDEXED BY clients_report"
        for seg, n_start, n_end, n_new in self.db.conn.execute(
                f"""SELECT c.segment, sum(c.created_at < :f1), sum(c.created_at < :t1),
                           sum(c.created_at >= :f1 AND c.created_at < :t1)
                      FROM clients c{hint} WHERE {where} GROUP BY c.segment""", args):
            at_start[seg] += n_start
            at_end[seg] += n_end
            new[seg] += n_new
        # then the clients whose segment changed after the start date: their segment at each date
        moved_in: Counter[str] = Counter()
        up: Counter[str] = Counter()
        down: Counter[str] = Counter()
        history = self.db.conn.execute(
            f"""SELECT h.client_id, h.changed_at, h.old_segment, c.segment, c.created_at
                  FROM client_segment_history h JOIN clients c ON c.id = h.client_id AND {where}
                 WHERE h.changed_at >= :f1 ORDER BY h.client_id, h.changed_at, h.rowid""", args).fetchall()
        i = 0
        while i < len(history):
            j = i
            while j < len(history) and history[j][0] == history[i][0]:
                j += 1
            changes = history[i:j]
            i = j
            _cid, _at, seg_start, current, created = changes[0]
            after_end = next((old for _c, at, old, _s, _cr in changes if at >= t1), None)
            seg_end = after_end if any(at >= t1 for _c, at, _o, _s, _cr in changes) else current
            existed_start, existed_end = created < f1 and seg_start is not None, created < t1
            if created < f1:
                at_start[current] -= 1
                if seg_start is not None:
                    at_start[seg_start] += 1
            if existed_end:
                at_end[current] -= 1
                if seg_end is not None:
                    at_end[seg_end] += 1
            if created >= f1 and existed_end:
                new[current] -= 1
                if seg_end is not None:
                    new[seg_end] += 1
            if existed_start and existed_end and seg_end is not None and seg_end != seg_start:
                moved_in[seg_end] += 1
                (up if _rank(seg_end) > _rank(seg_start) else down)[seg_start] += 1
        codes = [c for c in SEGMENT_ORDER]
        codes += sorted(c for c in set(at_start) | set(at_end) if c and c not in SEGMENT_ORDER)
        rows = []
        for c in codes:
            if c not in SEGMENT_LABELS and not (at_start[c] or at_end[c]):
                continue
            rows.append((SEGMENT_LABELS.get(c, c), at_start[c], at_end[c], at_end[c] - at_start[c], new[c],
                         moved_in[c], up[c], down[c]))
        n_up, n_down = sum(up.values()), sum(down.values())
        order = " < ".join(SEGMENT_LABELS[c] for c in SEGMENT_ORDER)
        notes = [
            f"期初户数：{s.start.isoformat()} 当天结束时各客群的客户数；期末户数：{s.end.isoformat()} 当天结束时。"
            "客户以本机客户档案建立的日期为准，在此之后建档的客户不计入期初；已删除的客户不计入。",
            "新增客户：期间内建档、期末在该客群的客户。转入：期初在其他客群、期末在该客群的客户。"
            "上移、下移：期初在该客群、期末在层级更高、更低客群的客户。期末 = 期初 + 新增 + 转入 − 上移 − 下移。",
            f"客群层级（自低到高）：{order}。",
            f"合计：期初 {sum(at_start.values()):,} 户，期末 {sum(at_end.values()):,} 户，"
            f"新增 {sum(new.values()):,} 户；上移 {n_up:,} 户，下移 {n_down:,} 户。",
        ]
        chart = Chart("bar", 0, (1, 2), "客户数（户）")
        return self._report("segments", s, ("客群", "期初户数", "期末户数", "净增", "新增客户", "转入", "上移", "下移"),
                            (TEXT, INT, INT, INT, INT, INT, INT, INT), rows, chart, notes,
                            meta={"up": n_up, "down": n_down, "start": sum(at_start.values()),
                                  "end": sum(at_end.values()), "new": sum(new.values())})

    # --- 4. mobile-banking penetration by village ----------------------------------------------

    def mobile_banking(self, f: ReportFilter = ReportFilter(), *, by: str = "village") -> Report | FieldError:
        """Clients, mobile-banking sign-ups and monthly actives per village (or township), with
        签约率 and 活跃率 over the clients. Core-banking flags as last synced: no period."""
        if by not in ("village", "township"):
            return _field("by", "分组", "choice", "手机银行渗透率只能按村（village）或乡镇（township）汇总。")
        s = self._scope(f)
        if isinstance(s, FieldError):
            return s
        where, args = "deleted = 0", []
        if s.manager:
            where += " AND manager_id = ?"
            args.append(s.manager.id)
        if s.village:
            where += " AND village_id = ?"
            args.append(s.village.id)
        if s.branch:
            where += " AND uid IN (SELECT uid FROM record_branch WHERE kind = 'client' AND branch = ?)"
            args.append(s.branch)
        counts: dict[int, tuple[int, int, int]] = {
            v: (n, signed or 0, active or 0) for v, n, signed, active in self.db.conn.execute(
                f"SELECT village_id, count(*), sum(mb_signed), sum(mb_active) FROM clients"
                f"{'' if s.manager or s.village or s.branch else ' INDEXED BY clients_report'} WHERE {where}"
                " GROUP BY village_id", args)}
        groups: dict[Any, list[int]] = {}
        names: dict[Any, str] = {}
        for v in self.ref.villages.values():  # township by township, in the roster's order
            if v.id not in counts:
                continue
            key = v.township_id if by == "township" else v.id
            names[key] = self.ref.township_name(v) if by == "township" else self.ref.full_name(v)
            acc = groups.setdefault(key, [0, 0, 0])
            for k, n in enumerate(counts[v.id]):
                acc[k] += n
        for vid in counts:  # a village not in the roster (should not happen): still counted
            if vid not in self.ref.villages:
                key = ("?", vid)
                names[key] = f"村 {vid}"
                groups[key] = list(counts[vid])
        rows = [(names[k], n, signed, active, rate(signed, n), rate(active, n)) for k, (n, signed, active)
                in groups.items()]
        total = [sum(g[i] for g in groups.values()) for i in range(3)]
        place = "乡镇" if by == "township" else "村"
        notes = [
            "手机银行签约、月活为总行核心系统同步到本机的当前状态，不按期间筛选。",
            "签约率 = 手机银行签约客户 ÷ 客户数；活跃率 = 手机银行月活客户 ÷ 客户数（均不含已删除客户）。",
            f"合计：客户 {total[0]:,} 户，签约 {total[1]:,} 户（{rate(total[1], total[0]):.1%}），"
            f"月活 {total[2]:,} 户（{rate(total[2], total[0]):.1%}）；"
            f"签约客户中月活占 {rate(total[2], total[1]):.1%}。",
        ]
        chart = Chart("bar", 0, (4, 5), "比率")
        title = REPORTS["mobile_banking"] + ("（按乡镇）" if by == "township" else "（按村）")
        return self._report("mobile_banking", s, (place, "客户数", "手机银行签约", "手机银行月活", "签约率", "活跃率"),
                            (TEXT, INT, INT, INT, PCT, PCT), rows, chart, notes, title=title, period=False,
                            meta={"clients": total[0], "signed": total[1], "active": total[2], "by": by})

    # --- 5. the whitelist funnel by cluster ----------------------------------------------------

    def whitelist_funnel(self, f: ReportFilter = ReportFilter()) -> Report | FieldError:
        """``WhitelistService.funnel(by="cluster")``: entries, contacted, applied, drawn and the
        amounts per industry cluster, with 联系率 and 转化率. The funnel is each entry's furthest
        stage so far: no period."""
        s = self._scope(f)
        if isinstance(s, FieldError):
            return s
        svc = WhitelistService(self.db, self.staff, self.ref, today=self._today)
        wf = WhitelistFilter(manager=s.manager.code if s.manager else None)
        rows_in = self._client_funnel(s, wf) if s.village or s.branch else svc.funnel("cluster", wf)
        if isinstance(rows_in, FieldError):
            return rows_in
        names = dict(svc.repo.clusters())
        rows = [(names.get(r.key, r.key) if r.key else "（未分集群）", r.entries, wan(r.limit_fen), r.contacted,
                 r.applied, r.drawn, wan(r.drawn_fen), rate(r.contacted, r.entries), rate(r.drawn, r.entries))
                for r in rows_in]
        t = [sum(getattr(r, a) for r in rows_in) for a in ("entries", "contacted", "applied", "drawn", "drawn_fen")]
        notes = [
            "白名单漏斗为每条白名单截至今日走到的最远一步（已联系 → 已申请 → 已用信），不按期间筛选；"
            "已联系含后来有意向、申请、用信或拒绝的条目。客户经理按白名单分配给谁计。",
            "联系率 = 已联系 ÷ 白名单户数；转化率 = 已用信 ÷ 白名单户数。金额单位：万元。",
            f"合计：白名单 {t[0]:,} 户，已联系 {t[1]:,} 户（{rate(t[1], t[0]):.1%}），已申请 {t[2]:,} 户，"
            f"已用信 {t[3]:,} 户（{rate(t[3], t[0]):.1%}），用信金额 {wan(t[4]):,.2f} 万元。",
        ]
        chart = Chart("bar", 0, (1, 3, 4, 5), "户数")
        return self._report("whitelist_funnel", s, ("产业集群", "白名单户数", "核定额度（万元）", "已联系", "已申请",
                                                    "已用信", "用信金额（万元）", "联系率", "转化率"),
                            (TEXT, INT, WAN, INT, INT, INT, WAN, PCT, PCT), rows, chart, notes, period=False,
                            meta={"entries": t[0], "contacted": t[1], "applied": t[2], "drawn": t[3],
                                  "drawn_fen": t[4]})

    def _client_funnel(self, s: _Scope, wf: WhitelistFilter) -> list[FunnelRow] | FieldError:
        """``WhitelistService.funnel(by="cluster")`` of the entries of one village's clients and/or one
        branch's (a county device), the same figures read the other way round: the service joins
        every entry to its client to find the village (3.5 s at 376,000 entries); this lists the
        village's clients (live ones from the village index, deleted ones from the tombstones, as the
        service counts both) and the branch's, and finds their entries."""
        denied = check(self.staff, Action.VIEW_WHITELIST)
        if denied:
            return denied
        if Role(self.staff.role) == Role.MANAGER:
            wf = WhitelistFilter(manager=self.staff.code)  # as the service holds a manager to their entries
        args: dict[str, Any] = {"village": s.village.id if s.village else None, "branch": s.branch}
        mine = ""
        if wf.manager:
            mine = " AND w.manager = :manager"
            args["manager"] = wf.manager
        if s.branch:
            mine += f" AND w.client_uid IN {_of_branch('client')}"
        # one village's clients (live ones from the village index, deleted ones from the tombstones, as
        # the service counts both), or every client (of a branch: the condition above)
        clients = ("" if s.village is None else """
                           AND w.client_uid IN (
                               SELECT uid FROM clients INDEXED BY clients_by_village
                                WHERE village_id = :village AND deleted = 0
                               UNION ALL
                               SELECT uid FROM clients INDEXED BY clients_tombstones
                                WHERE deleted = 1 AND village_id = :village)""")
        return [FunnelRow(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0, r[6] or 0, r[7] or 0, r[8] or 0)
                for r in self.db.conn.execute(
                    f"""SELECT coalesce(w.cluster, '') AS k, count(*), sum(w.limit_fen),
                               sum(coalesce(s.reached, 0) >= 1),
                               sum(CASE WHEN coalesce(s.reached, 0) >= 1 THEN w.limit_fen END),
                               sum(coalesce(s.reached, 0) >= 3),
                               sum(CASE WHEN coalesce(s.reached, 0) >= 3 THEN w.limit_fen END),
                               sum(coalesce(s.reached, 0) >= 4), sum(coalesce(s.drawn_fen, 0))
                          FROM whitelist w LEFT JOIN whitelist_state s ON s.whitelist_uid = w.uid
                         WHERE w.deleted = 0{mine}{clients}
                         GROUP BY k ORDER BY k""", args)]

    # --- 6. scenario acquisition ---------------------------------------------------------------

    def scenarios(self, f: ReportFilter = ReportFilter()) -> Report | FieldError:
        """Per scenario (``ScenarioService.list``): clients won through it before and in the period
        (its client links, live clients), and the latest month's figures (accounts opened, mobile
        banking registrations and monthly actives)."""
        s = self._scope(f)
        if isinstance(s, FieldError):
            return s
        svc = ScenarioService(self.db, self.staff, self.ref, today=self._today)
        listed = svc.list()
        if isinstance(listed, FieldError):
            return listed
        if s.manager:
            listed = [r for r in listed if r.owner == s.manager.code]
        if s.village:
            listed = [r for r in listed if r.village == s.village.code]
        if s.branch:
            theirs = {r[0] for r in self.db.conn.execute(
                "SELECT uid FROM record_branch WHERE kind = 'scenario' AND branch = ?", (s.branch,))}
            listed = [r for r in listed if r.uid in theirs]
        # links to live clients, as the service counts them: a client that is here (its uid, from the
        # uid index alone) and not deleted (the few tombstones, listed once), rather than reading
        # every linked client's row (1 s at 50,000 links of 1,000,000 clients)
        won = {k: (before or 0, during or 0) for k, before, during in self.db.conn.execute(
            """SELECT k.scenario, sum(k.date < :start), sum(k.date >= :start)
                 FROM scenario_clients k
                WHERE k.deleted = 0 AND k.date <= :end
                  AND EXISTS (SELECT 1 FROM clients c WHERE c.uid = k.client_uid)
                  AND k.client_uid NOT IN (SELECT uid FROM clients INDEXED BY clients_tombstones WHERE deleted = 1)
                GROUP BY k.scenario""",
            {"start": s.start.isoformat(), "end": s.end.isoformat()})}
        period = svc.latest_period()
        latest: dict[str, dict[str, int]] = defaultdict(dict)
        for uid, metric, value in self.db.conn.execute(
                "SELECT scenario, metric, value FROM scenario_metrics WHERE deleted = 0 AND period = ?"
                " AND metric IN ('accounts', 'mb_registered', 'mb_active')", (period,)):
            latest[uid][metric] = value
        rows = []
        by_type: dict[str, list[int]] = {}
        for r in listed:
            before, during = won.get(r.uid, (0, 0))
            figs = latest.get(r.uid, {})
            rows.append((r.name, r.type_name, f"{r.township_name}{r.village_name}" or "—", r.status_label, before,
                         during, before + during, figs.get("accounts"), figs.get("mb_registered"),
                         figs.get("mb_active")))
            acc = by_type.setdefault(r.type_name, [0, 0, 0])
            acc[0] += 1
            acc[1] += during
            acc[2] += before + during
        rows.sort(key=lambda x: (-x[5], -x[6], x[0]))
        types = "；".join(f"{t} {n} 个场景、本期获客 {d:,} 户（累计 {c:,}）"
                         for t, (n, d, c) in sorted(by_type.items(), key=lambda kv: -kv[1][1]))
        notes = [
            "获客：经由场景登记的客户（场景获客记录，按登记日期；已删除的客户不计）。期前已获客：期初之前登记的；"
            "本期获客：期间内登记的；累计获客 = 两者之和（截至期末）。",
            f"开户数、手机银行注册、手机银行月活为有数字的最近一个月（{period}）的场景指标。"
            + ("客户经理按场景负责人计。" if s.manager else ""),
            f"按类型：{types}。" if types else "没有符合条件的场景。",
        ]
        chart = Chart("stacked", 0, (4, 5), "获客（户）")
        return self._report("scenarios", s, ("场景", "类型", "村/乡镇", "进度", "期前已获客", "本期获客", "累计获客",
                                             f"开户数（{period}）", f"手机银行注册（{period}）",
                                             f"手机银行月活（{period}）"),
                            (TEXT, TEXT, TEXT, TEXT, INT, INT, INT, INT, INT, INT), rows, chart, notes,
                            meta={"period": period, "won": sum(x[5] for x in rows)})


def _rank(segment: str) -> tuple[int, str]:
    return (SEGMENT_ORDER.index(segment) if segment in SEGMENT_ORDER else len(SEGMENT_ORDER), segment)


def _weeks(start: date, end: date) -> list[tuple[str, date, date]]:
    """ISO weeks touching the period: (2026-W49, first day in the period, last day in it)."""
    out = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        y, w, _d = monday.isocalendar()
        out.append((f"{y}-W{w:02d}", max(monday, start), min(monday + timedelta(days=6), end)))
        monday += timedelta(days=7)
    return out


def _months(start: date, end: date) -> list[tuple[str, date, date]]:
    out = []
    first = start.replace(day=1)
    while first <= end:
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append((f"{first:%Y-%m}", max(first, start), min(nxt - timedelta(days=1), end)))
        first = nxt
    return out
