"""Smart-village scenarios (智慧乡村场景): the types, their metrics, the status pipeline and
the comparisons (同比, 环比). Pure rules; no I/O.

A scenario moves along 调研 → 洽谈 → 签约 → 上线 → 运营 (steps may be skipped forward, each
step's date is kept) and may be stopped (停用) from any step; a move back (a stopped one
brought back included) needs a reason. Figures are kept per month (``YYYY-MM``) as integers:
counts, or fen for amounts. 同比 compares a month with the same month a year before, 环比 with
the month before; a missing or zero base gives no rate (shown as —), never a division by zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.core.errors import FieldError
from sync.protocol.figures import COMMON_METRICS, DEFAULT_SCENARIO_TYPES

PIPELINE = ("survey", "negotiating", "signed", "live", "operating")
STOPPED = "stopped"
STATUS_LABELS = {"survey": "调研", "negotiating": "洽谈", "signed": "签约", "live": "上线", "operating": "运营",
                 "stopped": "停用"}


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    money: bool = False  # kept in fen, shown in 元 / 万元


# The six every scenario tracks, then the ones a type adds (declared with the protocol).
COMMON = COMMON_METRICS
METRICS: dict[str, Metric] = {m.code: m for m in (
    Metric("accounts", "开户数"),
    Metric("subsidy_fen", "补贴发放金额", money=True),
    Metric("funds_used_fen", "资金使用金额", money=True),
    Metric("mb_registered", "手机银行注册"),
    Metric("mb_active", "手机银行月活"),
    Metric("merchants", "商户数"),
    Metric("livestock", "在管牲畜（头）"),
    Metric("households", "上线农户数"),
    Metric("assets_fen", "托管资产金额", money=True),
    Metric("dues_fen", "党费缴纳金额", money=True),
    Metric("fees_fen", "缴费金额", money=True),
    Metric("payments", "支付笔数"),
    Metric("wallets", "数字钱包开立数"),
    Metric("welfare_fen", "福利消费金额", money=True),
    Metric("escrow_fen", "监管资金余额", money=True),
)}

# The built-in types (head office's ``scenario_type`` records replace them once synced).
DEFAULT_TYPES = DEFAULT_SCENARIO_TYPES


def metric(code: str) -> Metric:
    """A metric by code; one head office added that this version does not know shows its code."""
    return METRICS.get(code) or Metric(code, code, money=code.endswith("_fen"))


def type_metrics(extra: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """What a type tracks: the common six, then its own."""
    return COMMON + tuple(m for m in extra if m not in COMMON)


def _field(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


def check_move(old: str, new: str, *, reason: str = "") -> FieldError | None:
    """Whether a scenario may go from ``old`` to ``new``; None when it may."""
    if new not in STATUS_LABELS:
        allowed = "、".join(STATUS_LABELS.values())
        return _field("status", "进度", "choice", f"进度应为 {allowed} 之一，实际为“{new}”。")
    if new == old:
        return _field("status", "进度", "same", f"场景已经是“{STATUS_LABELS[new]}”。")
    backwards = old == STOPPED or (new != STOPPED and PIPELINE.index(new) < PIPELINE.index(old))
    if backwards and not reason.strip():
        return _field("reason", "原因", "required",
                      f"从“{STATUS_LABELS[old]}”退回“{STATUS_LABELS[new]}”须写明原因。")
    return None


def parse_period(text: str, *, today: date, field: str = "period") -> str | FieldError:
    """``YYYY-MM`` (or ``YYYY/M``, ``YYYYMM``) as ``YYYY-MM``; not after this month."""
    t = (text or "").strip().replace("/", "-").replace(".", "-")
    if len(t) == 6 and t.isdigit():
        t = f"{t[:4]}-{t[4:]}"
    parts = t.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return _field(field, "期间", "format", f"期间“{text.strip()}”应写作 年-月，如 2026-10。")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 2000:
        return _field(field, "期间", "format", f"期间“{text.strip()}”不是有效的月份。")
    period = f"{year:04d}-{month:02d}"
    if period > f"{today:%Y-%m}":
        return _field(field, "期间", "future", f"期间 {period} 还没有到，不能录入以后月份的数字。")
    return period


def shift(period: str, months: int) -> str:
    """The period ``months`` later (earlier when negative)."""
    y, m = int(period[:4]), int(period[5:7])
    n = y * 12 + (m - 1) + months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def rate(value: int | None, base: int | None) -> float | None:
    """Growth over ``base``: None when either is missing or the base is zero."""
    if value is None or base is None or base == 0:
        return None
    return (value - base) / abs(base)


@dataclass(frozen=True)
class Comparison:
    key: str  # scenario uid, village, township or type
    metric: str
    period: str
    value: int | None
    previous: int | None  # the month before (环比 base)
    last_year: int | None  # the same month a year before (同比 base)

    @property
    def mom(self) -> float | None:
        return rate(self.value, self.previous)

    @property
    def yoy(self) -> float | None:
        return rate(self.value, self.last_year)


def compare(series: Mapping[str, int], key: str, metric_code: str, period: str) -> Comparison:
    """One series (period → value) at ``period``, with its 环比 and 同比 bases."""
    return Comparison(key, metric_code, period, series.get(period), series.get(shift(period, -1)),
                      series.get(shift(period, -12)))


def format_rate(r: float | None) -> str:
    """+12.5%, -3.0%, 0.0% (never -0.0%), or — for no rate."""
    if r is None:
        return "—"
    pct = round(r * 100, 1)
    return "0.0%" if pct == 0 else f"{pct:+.1f}%"
