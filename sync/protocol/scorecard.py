"""Whitelist scorecards (评分卡): what head office publishes per industry cluster, and the
offline evaluation a manager runs before nominating someone.

A scorecard record carries two JSON columns (``sync.protocol.kinds.SCORECARD``):

``factors``: a list, each factor scoring one input out of its weight::

    {"key": "household_size", "label": "人口数", "weight": 8, "unit": "人",
     "steps": [[1, 0.25], [3, 0.6], [5, 1]]}        # value >= threshold -> share of the weight
    {"key": "credit_record", "label": "履约情况", "weight": 10,
     "choices": {"good": 1, "minor": 0.5, "bad": 0}}  # a choice -> share of the weight

``bands``: the bands, best first, and the caps::

    {"bands": [{"band": "A", "min_score": 85, "limit_min_fen": ..., "limit_max_fen": ...}, ...],
     "caps": [{"label": "有不良信用记录：最高 C 档", "key": "credit_record", "in": ["bad"], "max_band": "C"},
              {"label": "负债超过资产的 70%：最高 C 档", "key": "debt_ratio", "over": 0.7, "max_band": "C"},
              {"label": "额度不超过上年家庭纯收入的 2 倍", "key": "net_income_last_wan", "times": 2}]}

Inputs are what real rating forms ask (``INPUTS``); amounts in 万元. Two are derived:
``net_assets_wan`` (assets − debts) and ``debt_ratio`` (debts ÷ assets). A missing input
scores nothing and is named in the result. Arithmetic is Decimal: a limit is money.

Standard library only: the branch evaluates it offline, head office checks what it
publishes with ``parse`` (a malformed card is refused in Chinese, naming the part).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN_PER_WAN = Decimal(1_000_000)


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for a choice input


CREDIT_RECORDS = (("good", "无不良记录"), ("minor", "有轻微逾期已结清"), ("bad", "有不良记录"))
OVERALL = (("5", "优"), ("4", "良"), ("3", "中"), ("2", "一般"), ("1", "差"))

INPUTS: tuple[Input, ...] = (
    Input("household_size", "家庭人口", "人"),
    Input("labour", "劳动力", "人"),
    Input("land_mu", "承包土地", "亩"),
    Input("planting_mu", "种植规模", "亩"),
    Input("head_count", "养殖存栏", "头/只"),
    Input("assets_wan", "家庭资产总值", "万元"),
    Input("debts_wan", "负债", "万元"),
    Input("shares_wan", "股金", "万元"),
    Input("net_income_last_wan", "上年家庭纯收入", "万元"),
    Input("net_income_expected_wan", "预计本年纯收入", "万元"),
    Input("years_in_business", "从业年限", "年"),
    Input("sales_wan", "POS/微信/支付宝年交易额", "万元"),
    Input("credit_record", "履约情况", choices=CREDIT_RECORDS),
    Input("overall", "综合评价", choices=OVERALL),
)
DERIVED: tuple[Input, ...] = (
    Input("net_assets_wan", "净资产", "万元"),
    Input("debt_ratio", "资产负债率", ""),
)
INPUT_BY_KEY: dict[str, Input] = {i.key: i for i in (*INPUTS, *DERIVED)}


class ScorecardError(ValueError):
    """A malformed scorecard (Chinese message naming the part)."""


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    weight: Decimal
    steps: tuple[tuple[Decimal, Decimal], ...] = ()
    choices: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Band:
    band: str
    min_score: Decimal
    limit_min_fen: int
    limit_max_fen: int


@dataclass(frozen=True)
class Cap:
    label: str
    key: str
    max_band: str | None = None
    values: tuple[str, ...] = ()  # "in": a choice among these
    over: Decimal | None = None  # a number above this
    times: Decimal | None = None  # the limit is at most this many times the input (万元)


@dataclass(frozen=True)
class Scorecard:
    cluster: str
    name: str
    factors: tuple[Factor, ...]
    bands: tuple[Band, ...]  # best first
    caps: tuple[Cap, ...]

    @property
    def total_weight(self) -> Decimal:
        return sum((f.weight for f in self.factors), Decimal(0))


@dataclass(frozen=True)
class Contribution:
    key: str
    label: str
    value: str  # the input as entered ("—" when missing)
    points: Decimal
    weight: Decimal


@dataclass(frozen=True)
class Evaluation:
    score: Decimal  # out of the card's total weight (100 on the cards seen)
    band: str | None  # None: below the lowest band
    limit_min_fen: int
    limit_max_fen: int
    contributions: tuple[Contribution, ...]
    missing: tuple[str, ...]  # labels of inputs the card uses that were not given
    caps: tuple[str, ...]  # labels of the caps that applied

    def lines(self) -> list[str]:
        """A plain-text explanation (CLI, tooltips)."""
        out = [f"{c.label}：{c.value} → {_num(c.points)} / {_num(c.weight)} 分" for c in self.contributions]
        out.append(f"合计 {_num(self.score)} 分；档位 {self.band or '未达准入'}")
        if self.band:
            out.append(f"预计额度 {_wan(self.limit_min_fen)}–{_wan(self.limit_max_fen)} 万元")
        out += [f"封顶：{c}" for c in self.caps]
        if self.missing:
            out.append(f"缺少 {len(self.missing)} 项输入（按 0 分计）：{'、'.join(self.missing)}")
        return out


def _num(d: Decimal) -> str:
    text = f"{d.quantize(Decimal('0.1'), ROUND_HALF_UP):f}"
    return text.removesuffix(".0")


def _wan(fen: int) -> str:
    return _num(Decimal(fen) / FEN_PER_WAN)


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ScorecardError(f"{where}应为数字，实际为“{value}”。")
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ScorecardError(f"{where}应为数字，实际为“{value}”。") from None
    if not d.is_finite():
        raise ScorecardError(f"{where}应为有限的数字。")
    return d


def _load(raw: Any, what: str) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise ScorecardError(f"{what}不是有效的 JSON。") from None
    return raw


def parse(record: Mapping[str, Any]) -> Scorecard:
    """A scorecard record (wire values) as a Scorecard; ScorecardError names what is wrong."""
    factors_raw = _load(record.get("factors"), "评分因子")
    bands_raw = _load(record.get("bands"), "额度档位")
    if not isinstance(factors_raw, list) or not factors_raw:
        raise ScorecardError("评分因子应为非空列表。")
    factors = []
    seen: set[str] = set()
    for i, f in enumerate(factors_raw, 1):
        where = f"评分因子第 {i} 项"
        if not isinstance(f, dict):
            raise ScorecardError(f"{where}应为对象。")
        key = f.get("key")
        if key not in INPUT_BY_KEY:
            raise ScorecardError(f"{where}的输入“{key}”不是已知的评分输入。")
        if key in seen:
            raise ScorecardError(f"{where}的输入“{key}”重复。")
        seen.add(key)
        weight = _dec(f.get("weight"), f"{where}的权重")
        if weight <= 0:
            raise ScorecardError(f"{where}的权重应大于 0。")
        label = str(f.get("label") or INPUT_BY_KEY[key].label)
        inp = INPUT_BY_KEY[key]
        if inp.choices:
            ch = f.get("choices")
            if not isinstance(ch, dict) or not ch:
                raise ScorecardError(f"{where}（{label}）应给出各选项的得分比例 choices。")
            known = {v for v, _ in inp.choices}
            pairs = []
            for v, share in ch.items():
                if v not in known:
                    raise ScorecardError(f"{where}（{label}）的选项“{v}”不是已知选项。")
                pairs.append((v, _share(share, f"{where}（{label}）选项“{v}”的比例")))
            factors.append(Factor(key, label, weight, choices=tuple(pairs)))
        else:
            steps_raw = f.get("steps")
            if not isinstance(steps_raw, list) or not steps_raw:
                raise ScorecardError(f"{where}（{label}）应给出分段 steps。")
            steps = []
            for j, s in enumerate(steps_raw, 1):
                if not isinstance(s, list | tuple) or len(s) != 2:
                    raise ScorecardError(f"{where}（{label}）第 {j} 段应为 [阈值, 比例]。")
                steps.append((_dec(s[0], f"{where}（{label}）第 {j} 段的阈值"),
                              _share(s[1], f"{where}（{label}）第 {j} 段的比例")))
            if [t for t, _ in steps] != sorted({t for t, _ in steps}):
                raise ScorecardError(f"{where}（{label}）的分段阈值应严格递增。")
            factors.append(Factor(key, label, weight, steps=tuple(steps)))
    if not isinstance(bands_raw, dict) or not isinstance(bands_raw.get("bands"), list) or not bands_raw["bands"]:
        raise ScorecardError("额度档位应为对象，含非空的 bands 列表。")
    bands = []
    for i, b in enumerate(bands_raw["bands"], 1):
        where = f"额度档位第 {i} 项"
        if not isinstance(b, dict) or not str(b.get("band") or "").strip():
            raise ScorecardError(f"{where}应有档位名称 band。")
        lo = _dec(b.get("limit_min_fen"), f"{where}的最低额度")
        hi = _dec(b.get("limit_max_fen"), f"{where}的最高额度")
        if lo != lo.to_integral_value() or hi != hi.to_integral_value() or not 0 <= lo <= hi:
            raise ScorecardError(f"{where}的额度应为整数分，且 0 ≤ 最低 ≤ 最高。")
        bands.append(Band(str(b["band"]), _dec(b.get("min_score"), f"{where}的最低分"), int(lo), int(hi)))
    if [b.min_score for b in bands] != sorted((b.min_score for b in bands), reverse=True):
        raise ScorecardError("额度档位应从高到低排列（最低分递减）。")
    names = [b.band for b in bands]
    if len(set(names)) != len(names):
        raise ScorecardError("额度档位名称重复。")
    caps = []
    for i, c in enumerate(bands_raw.get("caps") or [], 1):
        where = f"封顶规则第 {i} 项"
        if not isinstance(c, dict) or c.get("key") not in INPUT_BY_KEY:
            raise ScorecardError(f"{where}应指明已知的评分输入 key。")
        label = str(c.get("label") or where)
        cap = Cap(
            label=label,
            key=c["key"],
            max_band=c.get("max_band"),
            values=tuple(str(v) for v in c.get("in") or ()),
            over=_dec(c["over"], f"{where}的 over") if "over" in c else None,
            times=_dec(c["times"], f"{where}的 times") if "times" in c else None,
        )
        if cap.max_band is not None and cap.max_band not in names:
            raise ScorecardError(f"{where}的 max_band“{cap.max_band}”不是本卡的档位。")
        if (cap.max_band is None) == (cap.times is None):
            raise ScorecardError(f"{where}应为限制档位（max_band）或限制额度倍数（times）之一。")
        if cap.max_band is not None and not cap.values and cap.over is None:
            raise ScorecardError(f"{where}应给出条件 in 或 over。")
        caps.append(cap)
    return Scorecard(str(record.get("cluster") or ""), str(record.get("name") or ""), tuple(factors), tuple(bands),
                     tuple(caps))


def _share(value: Any, where: str) -> Decimal:
    d = _dec(value, where)
    if not 0 <= d <= 1:
        raise ScorecardError(f"{where}应在 0 到 1 之间。")
    return d


def _inputs(raw: Mapping[str, Any]) -> dict[str, Decimal | str]:
    """Given inputs, cleaned (blank = missing), plus the derived ones. Raises ScorecardError on a bad value."""
    out: dict[str, Decimal | str] = {}
    for inp in INPUTS:
        v = raw.get(inp.key)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if inp.choices:
            text = str(v).strip()
            match = next((val for val, lab in inp.choices if text in (val, lab)), None)
            if match is None:
                allowed = "、".join(lab for _, lab in inp.choices)
                raise ScorecardError(f"{inp.label}应为 {allowed} 之一，实际为“{text}”。")
            out[inp.key] = match
        else:
            d = _dec(v, inp.label)
            if d < 0:
                raise ScorecardError(f"{inp.label}不能为负数。")
            out[inp.key] = d
    assets, debts = out.get("assets_wan"), out.get("debts_wan")
    if isinstance(assets, Decimal) and isinstance(debts, Decimal):
        out["net_assets_wan"] = assets - debts
        if assets > 0:
            out["debt_ratio"] = debts / assets
        elif debts > 0:
            out["debt_ratio"] = Decimal(99)
    return out


def _shown(value: Decimal | str | None, inp: Input) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return dict(inp.choices).get(value, value)
    return f"{_num(value)}{inp.unit}"


def evaluate(card: Scorecard, raw_inputs: Mapping[str, Any]) -> Evaluation:
    """The expected band and limit range for these inputs, with each factor's contribution.

    Pure and fast (well under a millisecond). Raises ScorecardError on an input that is
    not a number / not a known choice; a missing input scores 0 and is named."""
    values = _inputs(raw_inputs)
    contributions = []
    missing = []
    for f in card.factors:
        v = values.get(f.key)
        inp = INPUT_BY_KEY[f.key]
        share = Decimal(0)
        if v is None:
            missing.append(f.label)
        elif f.choices:
            share = dict(f.choices).get(str(v), Decimal(0))
        else:
            for threshold, s in f.steps:
                if v >= threshold:  # type: ignore[operator]
                    share = s
        contributions.append(Contribution(f.key, f.label, _shown(v, inp), f.weight * share, f.weight))
    score = sum((c.points for c in contributions), Decimal(0))
    band = next((b for b in card.bands if score >= b.min_score), None)
    applied = []
    if band is not None:
        rank = [b.band for b in card.bands]
        for cap in card.caps:
            if cap.max_band is None:
                continue
            v = values.get(cap.key)
            hit = (cap.values and isinstance(v, str) and v in cap.values) or (
                cap.over is not None and isinstance(v, Decimal) and v > cap.over)
            if hit and rank.index(band.band) < rank.index(cap.max_band):
                band = card.bands[rank.index(cap.max_band)]
                applied.append(cap.label)
    lo = band.limit_min_fen if band else 0
    hi = band.limit_max_fen if band else 0
    if band is not None:
        for cap in card.caps:
            if cap.times is None:
                continue
            v = values.get(cap.key)
            if isinstance(v, Decimal):
                ceiling = int((v * cap.times * FEN_PER_WAN).to_integral_value(ROUND_HALF_UP))
                if ceiling < hi:
                    hi = max(0, ceiling)
                    lo = min(lo, hi)
                    applied.append(cap.label)
    return Evaluation(score, band.band if band else None, lo, hi, tuple(contributions), tuple(missing),
                      tuple(applied))
