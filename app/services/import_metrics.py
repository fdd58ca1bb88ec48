"""Importing smart-village scenario figures (智慧乡村场景月度指标) from a branch's own spreadsheet.

The same steps as a client roster (``app.services.import_clients``; the shared parts are in
``app.services.import_common``):

1. ``load``: read a sheet, find its header (one row or two under merged cells), guess which column
   is the scenario (name, or its number), the month, and each metric (开户数 / 新开户数,
   手机银行注册 / 注册数, 月活 …, the labels declared in ``app.core.scenarios``), or take the
   mapping remembered for this layout. A sheet with one row per scenario may give the month once,
   in its title (“……月报（2026年3月）”), or the person gives it (``period``).
2. ``plan``: every row read with ``app.core.cells`` (full-width digits, 1,200, 35户, amounts in 元
   or 万元 as the header says or as the person chose), the month read from 2026-03, 2026.3,
   2026年3月, a date or an Excel serial; then put through ``ScenarioService.record`` itself, in a
   transaction that is rolled back, so a row is refused by exactly its rules (permission, the
   scenario, the month not in the future, the metrics the scenario's type tracks, whole
   non-negative numbers) and the reason is the service's. A figure the month already has is
   skipped or updated, as the person chose; the same scenario and month twice in the file is
   refused, naming the earlier line. Nothing is kept.
3. ``commit``: the accepted rows through ``ScenarioService.record`` in ONE transaction (journaled
   as the service journals, so they sync; audited once with the counts and the file name); a
   crash, a refused row or a cancel leaves nothing written.
4. ``write_errors``: the refused rows as they were, with the reason, to correct and import again.

Runs on the thread that owns ``db``. No Qt; nothing of the file's content goes to the log.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from app.core import cells
from app.core import scenarios as sc
from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, Staff, check
from app.services import import_common as common
from app.services.import_common import REASON_HEADER as REASON_HEADER
from app.services.import_common import Cancelled as Cancelled
from app.services.import_common import Loaded, Outcome, PlanBase, Rollback
from app.services.import_common import remember as remember
from app.services.import_files import Target, data_rows
from app.services.scenarios import ScenarioService
from app.store import audit
from app.store.db import write
from app.store.reference import ReferenceData

log = logging.getLogger(__name__)

SCENARIO, PERIOD = "scenario", "period"

# Header words branches use for each metric, beyond its declared label (compared after cells.header_key:
# brackets such as “（万元）” or “（头）” are dropped first).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "accounts": ("开户数", "新开户数", "开户", "新开户", "新增开户", "新增开户数", "开户数量", "开户户数", "开卡数"),
    "subsidy_fen": ("补贴发放金额", "补贴发放", "补贴金额", "补贴发放额", "发放补贴", "补贴"),
    "funds_used_fen": ("资金使用金额", "资金使用", "资金使用额", "使用资金"),
    "mb_registered": ("手机银行注册", "手机银行注册数", "手机银行注册户数", "注册数", "注册", "注册户数",
                      "手机银行签约", "手机银行签约数"),
    "mb_active": ("手机银行月活", "月活", "月活数", "月活跃", "月活跃数", "月活跃户数", "手机银行活跃户数",
                  "手机银行月活跃"),
    "merchants": ("商户数", "商户", "商户数量", "收单商户", "拓展商户", "拓展商户数", "新增商户"),
    "livestock": ("在管牲畜", "在管牲畜数", "牲畜", "牲畜存栏", "存栏", "存栏数"),
    "households": ("上线农户数", "上线农户", "农户数", "上线户数"),
    "assets_fen": ("托管资产金额", "托管资产", "托管资产额", "三资金额"),
    "dues_fen": ("党费缴纳金额", "党费缴纳", "党费", "党费金额"),
    "fees_fen": ("缴费金额", "缴费", "缴费额", "学费"),
    "payments": ("支付笔数", "交易笔数", "支付交易笔数", "笔数"),
    "wallets": ("数字钱包开立数", "数字钱包", "钱包开立", "钱包开立数", "开立钱包", "数字人民币钱包"),
    "welfare_fen": ("福利消费金额", "福利消费", "福利消费额"),
    "escrow_fen": ("监管资金余额", "监管资金", "监管余额", "资金监管余额"),
}


def _metric_target(code: str) -> Target:
    m = sc.metric(code)
    names = tuple(dict.fromkeys((cells.header_key(m.label), code, *SYNONYMS.get(code, ()))))
    return Target(code, m.label, names)


TARGETS: tuple[Target, ...] = (
    Target(SCENARIO, "场景", ("场景", "场景名称", "场景名", "场景编号", "场景代码", "场景编码", "项目名称",
                              "场景项目", "合作项目", "名称"), required=True),
    Target(PERIOD, "期间", ("期间", "月份", "统计月份", "年月", "月度", "统计期间", "统计月", "报表月份",
                            "所属月份", "数据月份", "日期", "统计日期", "统计时间", "时间")),
    *(_metric_target(code) for code in sc.METRICS),
)
BY_KEY = {t.key: t for t in TARGETS}
METRIC_KEYS = frozenset(sc.METRICS)

SKIP, UPDATE = "skip", "update"  # a figure the month already has
ON_DUPLICATE = {SKIP: "跳过（保留已有数字）", UPDATE: "用表中的数字更新"}

NEW, UPDATED, SKIPPED, UNCHANGED, REJECTED = "new", "update", "skip", "same", "rejected"
STATUS = {NEW: "新增", UPDATED: "更新", SKIPPED: "已有数字（跳过）", UNCHANGED: "已有（无变化）", REJECTED: "拒绝"}


@dataclass
class MetricsLoaded(Loaded):
    """A sheet of figures read: also the month its title names, if it names one."""

    period: str | None = None


@dataclass
class RowOutcome(Outcome):
    scenario: str = ""  # its name in the book, or the text of the cell when it is not one
    scenario_uid: str | None = None
    period: str = ""  # YYYY-MM
    figures: dict[str, int | str] = field(default_factory=dict)  # metric code -> what is written (fen for money)
    kept: list[str] = field(default_factory=list)  # metrics the month has and the row leaves as they are
    added: int = 0  # figures new for the month
    changed: int = 0  # figures that replace a different one


@dataclass
class Plan(PlanBase):
    STATUSES = STATUS

    rows: list[RowOutcome]
    period: str | None = None  # the month given once (by the person or the title), for rows without one
    units: dict[int, str] = field(default_factory=dict)  # money column -> 元 or 万元, as read
    mapping: dict[int, str] = field(default_factory=dict)  # the mapping the rows were read by


    @property
    def figures(self) -> int:
        """How many figures a commit writes."""
        return sum(r.added + r.changed for r in self.rows if r.status in (NEW, UPDATED))


@dataclass
class Imported:
    added: int  # rows with new figures only
    updated: int  # rows that changed a figure the month had
    skipped: int  # rows with nothing to write (figures already there)
    rejected: int
    figures: int  # figures written
    uids: list[str]


# --- reading cells ---------------------------------------------------------------------------------

_MONTH_FORMS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月份?)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_MONTH_HINT = "可写成 2026-03、2026.3、2026年3月 或该月的任意一天"


def month_of(value: Any) -> str | cells.CellProblem | None:
    """A month (``YYYY-MM``) from a cell: 2026-03, 2026/3, 2026.3, 2026年3月, 202603, a date, a
    date's text or an Excel serial; None when empty. A number 2026.1 is refused: Excel keeps 2026.10
    typed in a number cell as 2026.1, so it may be October as well as January."""
    if value is None or isinstance(value, bool):
        return None if value is None else cells.CellProblem("不是月份")
    if isinstance(value, datetime | date):
        return f"{value:%Y-%m}"
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, float) and not value.is_integer():
            whole, _dot, part = repr(value).partition(".")
            if 2000 <= value < 2101 and len(part) <= 2:
                if part == "1":
                    return cells.CellProblem(f"{value} 可能是 {whole} 年 1 月，也可能是 10 月（Excel 把数字 "
                                             f"{whole}.10 存成了 {whole}.1）；请写成 {whole}-01 或 {whole}-10")
                return _month(int(whole), int(part), repr(value))
            return cells.CellProblem(f"“{value}”不是月份（{_MONTH_HINT}）")
        n = int(value)
        if 200001 <= n <= 210012:
            return _month(n // 100, n % 100, str(n))
        if 2000 <= n <= 2100:
            return cells.CellProblem(f"“{n}”只有年份，缺少月份（{_MONTH_HINT}）")
        day = cells.a_date(n)
        if isinstance(day, date):
            return f"{day:%Y-%m}"
        return cells.CellProblem(f"“{n}”不是月份（{_MONTH_HINT}）")
    s = cells.compact(value)
    if not s or s in common.NOTHING:
        return None
    for form in _MONTH_FORMS:
        m = form.match(s)
        if m:
            return _month(int(m.group(1)), int(m.group(2)), s)
    day = cells.a_date(s)
    if isinstance(day, date):
        return f"{day:%Y-%m}"
    return cells.CellProblem(f"“{s[:20]}”不是月份（{_MONTH_HINT}）")


def _month(year: int, month: int, shown: str) -> str | cells.CellProblem:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return cells.CellProblem(f"“{shown[:20]}”不是有效的月份")
    return f"{year:04d}-{month:02d}"


_TITLE_MONTH = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)"),  # 2026年3月 (not the 2026年3月5日 a table was made)
    re.compile(r"(?<![\d.\-/])(\d{4})\s*[-.](\d{1,2})(?![\d.\-/])"),  # 2026-03, 2026.3
)


def title_period(rows: Sequence[Sequence[Any]], first_header_row: int) -> str | None:
    """The one month the title rows above the header name (“……场景月报（2026年3月）”), if exactly one."""
    found: set[str] = set()
    for row in rows[:first_header_row]:
        for c in row:
            if not isinstance(c, str):
                continue
            text = cells.text(c)
            for form in _TITLE_MONTH:
                for m in form.finditer(text):
                    month = _month(int(m.group(1)), int(m.group(2)), m.group(0))
                    if isinstance(month, str):
                        found.add(month)
    return found.pop() if len(found) == 1 else None


_COUNT = re.compile(r"^(-?\d+)(户|个|人|头|只|笔|家|张|次|位|台)?$")


def count_of(value: Any) -> int | str | cells.CellProblem | None:
    """A whole number from a cell (1,200, ３５, 35户, 35.0); None when empty or “-”; the text itself
    when it is not one (the service names the problem, e.g. 3.5)."""
    if common.is_nothing(value):
        return None
    if isinstance(value, bool):
        return cells.CellProblem("不是数字")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = cells.compact(value).replace(",", "")
    m = _COUNT.match(s)
    return int(m.group(1)) if m else s[:30]


def amount_of(value: Any, unit: str) -> int | cells.CellProblem | None:
    """An amount in fen from a cell in ``unit`` (元 or 万元; text may carry its own: 1.5万)."""
    if common.is_nothing(value):
        return None
    return cells.money_fen(value, unit=unit)


# --- the steps -------------------------------------------------------------------------------------


def load(path: Path, extra: Mapping[str, Any], sheet: str | int | None = None, *,
         header_row: int | None = None) -> MetricsLoaded:
    """Read ``sheet`` of ``path``, find its header (or take ``header_row``, 0-based) and guess its
    mapping, and the month its title names. ImportFileError (Chinese) when it cannot."""
    base = common.load_sheet(path, extra, sheet, header_row, kind="scenario_metric", targets=TARGETS)
    first = base.header.row - base.header.rows + 1
    return MetricsLoaded(**vars(base), period=title_period(base.rows, first))


def mapping_problems(mapping: Mapping[int, str], *, period: str | None = None) -> list[str]:
    """What is wrong with a mapping, in Chinese (empty when it can be used). ``period``: the month
    given once for the whole sheet (then a period column is not needed)."""
    out = common.mapping_problems(mapping, TARGETS)
    keys = set(mapping.values())
    if PERIOD not in keys and not period:
        out.append("必须指定哪一列是“期间”，或给出整张表的期间（如 2026-03）")
    if not keys & METRIC_KEYS:
        out.append("至少要有一列指标（如 开户数、手机银行注册、补贴发放金额）")
    return out


def parse_given_period(text: str, *, today: date) -> str | FieldError:
    """The month a person gives for the whole sheet, in any of the spellings a cell may use."""
    month = month_of(text)
    if isinstance(month, cells.CellProblem):
        return FieldError(PERIOD, "期间", "format", f"期间{month.message}。")
    if month is None:
        return FieldError(PERIOD, "期间", "required", "期间是空的；应写作 年-月，如 2026-11。")
    return sc.parse_period(month, today=today)


def unit_columns(loaded: Loaded, mapping: Mapping[int, str], unit: str | None) -> dict[int, str]:
    """The unit of each money column: what its header says (“补贴发放金额（万元）”, or the merged cell
    above it, or a “单位：万元” note above the table), else ``unit``, else 元."""
    return {col: common.column_unit(loaded, col, unit) or common.YUAN for col, key in mapping.items()
            if key in METRIC_KEYS and sc.metric(key).money}


def write_errors(plan: Plan, path: Path) -> int:
    """The refused rows as they were, with the reason (``import_common.write_errors``); when the month
    was given once (a title, or the person), a 期间 column with it, so the corrected file imports alone."""
    has_column = PERIOD in plan.mapping.values() or any(cells.header_key(t) == "期间" for t in plan.loaded.header.texts)
    extra = [("期间", plan.period)] if plan.period and not has_column else []
    return common.write_errors(plan, path, extra)


class MetricsImporter:
    """One staff member's import of scenario figures. Runs on the thread that owns ``db``."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.svc = ScenarioService(db, staff, self.ref, today=today)
        self._scenarios: dict[str, tuple[str, str, tuple[str, ...]] | FieldError] = {}

    def _scenario(self, text: str) -> tuple[str, str, tuple[str, ...]] | FieldError:
        """(uid, name, metrics its type tracks) of the scenario a cell names."""
        found = self._scenarios.get(text)
        if found is None:
            uid = self.svc.resolve(text) if text else FieldError(SCENARIO, "场景", "required", "场景不能为空。")
            joined = common.joined_cjk(text)
            if isinstance(uid, FieldError) and joined != text:  # 联泉村 生猪养殖智慧畜牧: spaces typed in a name
                again = self.svc.resolve(joined)
                uid = again if isinstance(again, str) else uid
            if isinstance(uid, FieldError):
                found = uid
            else:
                row = self.svc.get(uid)
                if isinstance(row, FieldError):
                    found = row
                else:
                    tracked = next((m for c, _n, m in self.svc.types() if c == row.type), sc.COMMON)
                    found = (uid, row.name, tuple(tracked))
            self._scenarios[text] = found
        return found

    def _read(self, row: Sequence[Any], mapping: Mapping[int, str], units: Mapping[int, str],
              fallback: str | None) -> tuple[RowOutcome, dict[str, int | str]]:
        """A row's scenario, month and figures as the service takes them, and what could not be read."""
        out = RowOutcome(0, list(row), REJECTED)
        text = cells.text(common.cell_of(row, common.column_of(mapping, SCENARIO)))
        found = self._scenario(text)
        if isinstance(found, FieldError):
            out.scenario = text
            out.reasons.append(found.message.rstrip("。"))
            tracked: tuple[str, ...] = tuple(METRIC_KEYS)
        else:
            out.scenario_uid, out.scenario, tracked = found
        pcol = common.column_of(mapping, PERIOD)
        month = month_of(common.cell_of(row, pcol)) if pcol is not None else None
        if isinstance(month, cells.CellProblem):
            out.reasons.append(f"期间{month.message}")
        elif month is None and fallback is None:
            out.reasons.append("期间不能为空")
        else:
            out.period = month or fallback or ""
        figures: dict[str, int | str] = {}
        for col, key in sorted(mapping.items()):
            if key not in METRIC_KEYS:
                continue
            m = sc.metric(key)
            value = common.cell_of(row, col)
            got = amount_of(value, units.get(col, common.YUAN)) if m.money else count_of(value)
            if isinstance(got, cells.CellProblem):
                out.reasons.append(f"{m.label}{got.message}")
            elif got is not None and not (got == 0 and key not in tracked):  # a 0 under a metric not tracked: nothing
                figures[key] = got
        return out, figures

    def plan(self, loaded: Loaded, mapping: Mapping[int, str], on_duplicate: str = SKIP, *,
             period: str | None = None, unit: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> Plan | FieldError:
        """Every data row read and put to the service's rules; nothing kept. ``period``: the month of
        rows without one (else the month the title names); ``unit``: 元 or 万元 for money columns
        whose header names no unit. A FieldError when the import cannot start."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return denied
        if on_duplicate not in ON_DUPLICATE:
            return FieldError("duplicates", "重复处理", "choice",
                              f"已有数字的处理方式只能是 skip 或 update，不认识“{on_duplicate}”。")
        chosen = common.unit_choice(unit)
        if isinstance(chosen, ValueError):
            return FieldError("unit", "金额单位", "choice", f"{chosen}。")
        fallback: str | None = None
        if period is not None and str(period).strip():
            given = parse_given_period(str(period), today=self.svc.today)
            if isinstance(given, FieldError):
                return given
            fallback = given
        else:
            fallback = getattr(loaded, "period", None)
        problems = mapping_problems(mapping, period=fallback)
        if problems:
            return FieldError("mapping", "列对应", "invalid", "；".join(problems) + "。")
        units = unit_columns(loaded, mapping, chosen)
        rows = data_rows(loaded.rows, loaded.header)
        read = []
        for line, row in rows:
            outcome, figures = self._read(row, mapping, units, fallback)
            outcome.line = line
            read.append((outcome, figures))
        held = self._held({o.scenario_uid for o, _f in read if o.scenario_uid})
        first_line: dict[tuple[str, str], int] = {}
        total = len(read)
        try:
            with write(self.db):  # the service's own checks, on a transaction that is then rolled back
                for n, (outcome, figures) in enumerate(read):
                    common.tick(n, total, progress, cancelled)
                    self._plan_row(outcome, figures, held, first_line, on_duplicate)
                raise Rollback()
        except Rollback:
            pass
        if progress is not None:
            progress(total, total)
        return Plan(loaded, on_duplicate, [o for o, _f in read], fallback, units, dict(mapping))

    def _plan_row(self, outcome: RowOutcome, figures: dict[str, int | str],
                  held: Mapping[tuple[str, str], Mapping[str, int]], first_line: dict[tuple[str, str], int],
                  on_duplicate: str) -> None:
        if outcome.scenario_uid and outcome.period:
            key = (outcome.scenario_uid, outcome.period)
            if key in first_line:
                outcome.reasons.append(f"场景“{outcome.scenario}”{outcome.period} 的数字与第 {first_line[key]} 行重复")
            else:
                first_line[key] = outcome.line
        if outcome.reasons:
            return
        assert outcome.scenario_uid is not None
        have = held.get((outcome.scenario_uid, outcome.period), {})
        todo: dict[str, int | str] = {}
        for code, value in figures.items():
            if code in have and isinstance(value, int):
                if have[code] == value:
                    continue
                if on_duplicate == SKIP:
                    outcome.kept.append(code)
                    continue
                outcome.changed += 1
            else:
                outcome.added += 1
            todo[code] = value
        outcome.figures = todo
        if not figures:
            outcome.reasons.append("这一行没有任何指标数字")
            return
        if not todo:
            outcome.status = SKIPPED if outcome.kept else UNCHANGED
            return
        tried = self.svc.record(outcome.scenario_uid, outcome.period, dict(todo))
        if not tried.ok:
            outcome.reasons = [e.message.rstrip("。") for e in tried.errors]
            outcome.added = outcome.changed = 0
            return
        outcome.status = UPDATED if outcome.changed else NEW

    def _held(self, uids: set[str]) -> dict[tuple[str, str], dict[str, int]]:
        """(scenario, month) -> metric -> the figure already kept, for the scenarios in the file."""
        out: dict[tuple[str, str], dict[str, int]] = {}
        listed = sorted(uids)
        for n in range(0, len(listed), 500):
            part = listed[n : n + 500]
            for uid, period, metric, value in self.db.conn.execute(
                    f"SELECT scenario, period, metric, value FROM scenario_metrics WHERE deleted = 0"
                    f" AND scenario IN ({','.join('?' * len(part))})", part):
                out.setdefault((uid, period), {})[metric] = value
        return out

    # --- commit ----------------------------------------------------------------------------

    def commit(self, plan: Plan, *, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> Result[Imported]:
        """Write the accepted rows through ``ScenarioService.record`` in one transaction (journaled,
        audited once); all or nothing. A row the service refuses now refuses the whole import."""
        denied = check(self.staff, Action.EDIT_SCENARIO)
        if denied:
            return Result.failed(denied)
        todo = [r for r in plan.rows if r.status in (NEW, UPDATED)]
        counts = plan.counts()
        uids: set[str] = set()
        written = 0
        try:
            with write(self.db):
                for n, r in enumerate(todo):
                    common.tick(n, len(todo), progress, cancelled)
                    assert r.scenario_uid is not None
                    done = self.svc.record(r.scenario_uid, r.period, dict(r.figures))
                    if not done.ok:
                        raise _RowRefused(r.line, done.message)
                    written += done.value or 0
                    uids |= done.changes.uids
                if cancelled is not None and cancelled():  # up to the last moment before the commit
                    raise Cancelled()
                audit.record(
                    self.db, staff=self.staff.code, action=audit.IMPORT_METRICS, kind="scenario_metric",
                    detail=f"从表格“{plan.loaded.path.name}”导入场景指标：新增 {counts[NEW]} 行，"
                           f"更新 {counts[UPDATED]} 行，跳过 {counts[SKIPPED] + counts[UNCHANGED]} 行，"
                           f"拒绝 {counts[REJECTED]} 行；写入 {written} 项指标",
                )
        except Cancelled:
            return Result.failed(FieldError("import", "导入", "cancelled", "已取消导入，没有写入任何指标。"))
        except _RowRefused as exc:
            return Result.failed(FieldError("import", "导入", "row",
                                            f"第 {exc.line} 行：{exc.message.rstrip('。')}。没有写入任何指标，"
                                            "请重新检查后再导入。"))
        if progress is not None:
            progress(len(todo), len(todo))
        log.info("scenario figures import committed: %d rows new, %d updated, %d rejected, %d figures",
                 counts[NEW], counts[UPDATED], counts[REJECTED], written)
        done_ = Imported(counts[NEW], counts[UPDATED], counts[SKIPPED] + counts[UNCHANGED], counts[REJECTED],
                         written, sorted(uids))
        return Result.done(done_, Changes.of("scenario_metric", uids=uids) if uids else Changes())


class _RowRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(line)
        self.line = line
        self.message = message
