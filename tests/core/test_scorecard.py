"""The offline scorecard pre-check (issue 14): hand-computed examples, caps, missing inputs,
bad inputs, and malformed cards refused in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.protocol.kinds import SCORECARD
from sync.protocol.scorecard import ScorecardError, evaluate, parse

WAN = 1_000_000  # fen


def card(**overrides) -> dict:
    """The real rating sheet's weights (人口数 8, 劳动力 8, 家庭资产总值 13, 净资产 13, 股金 4,
    家庭纯收入 14, 综合评价 30, 履约情况 10), bands A-D and three caps."""
    c = {
        "cluster": "tea", "name": "茶叶产业集群", "version": "1",
        "factors": [
            {"key": "household_size", "label": "人口数", "weight": 8, "steps": [[1, 0.25], [3, 0.75], [4, 1]]},
            {"key": "labour", "label": "劳动力", "weight": 8, "steps": [[1, 0.5], [2, 1]]},
            {"key": "assets_wan", "label": "家庭资产总值", "weight": 13, "steps": [[5, 0.3], [20, 0.7], [50, 1]]},
            {"key": "net_assets_wan", "label": "净资产", "weight": 13, "steps": [[0, 0.2], [10, 0.6], [30, 1]]},
            {"key": "shares_wan", "label": "股金", "weight": 4, "steps": [[0.1, 0.5], [1, 1]]},
            {"key": "net_income_last_wan", "label": "家庭纯收入", "weight": 14, "steps": [[2, 0.3], [5, 0.7], [10, 1]]},
            {"key": "overall", "label": "综合评价", "weight": 30, "choices": {"5": 1, "4": 0.8, "3": 0.6, "2": 0.3,
                                                                           "1": 0}},
            {"key": "credit_record", "label": "履约情况", "weight": 10, "choices": {"good": 1, "minor": 0.5, "bad": 0}},
        ],
        "bands": {
            "bands": [
                {"band": "A", "min_score": 85, "limit_min_fen": 20 * WAN, "limit_max_fen": 50 * WAN},
                {"band": "B", "min_score": 70, "limit_min_fen": 10 * WAN, "limit_max_fen": 30 * WAN},
                {"band": "C", "min_score": 55, "limit_min_fen": 3 * WAN, "limit_max_fen": 10 * WAN},
                {"band": "D", "min_score": 40, "limit_min_fen": 3000_00, "limit_max_fen": 3 * WAN},
            ],
            "caps": [
                {"label": "有不良信用记录：最高 D 档", "key": "credit_record", "in": ["bad"], "max_band": "D"},
                {"label": "负债超过资产的 70%：最高 C 档", "key": "debt_ratio", "over": 0.7, "max_band": "C"},
                {"label": "额度不超过上年家庭纯收入的 3 倍", "key": "net_income_last_wan", "times": 3},
            ],
        },
    }
    c.update(overrides)
    return c


FAMILY = {"household_size": "4", "labour": 2, "assets_wan": "30", "debts_wan": 5, "net_income_last_wan": "6",
          "overall": "4", "credit_record": "good"}


def test_a_family_scores_as_computed_by_hand() -> None:
    e = evaluate(parse(card()), FAMILY)
    # 8 + 8 + 13×0.7 + 13×0.6 (net 25万) + 0 (股金 missing) + 14×0.7 + 30×0.8 + 10 = 76.7
    assert e.score == Decimal("76.7")
    assert [c.points for c in e.contributions] == [Decimal(x) for x in ("8", "8", "9.1", "7.8", "0", "9.8", "24.0",
                                                                        "10")]
    assert e.band == "B"
    # B is 10-30万, but the income cap (3 × 6万) brings the top to 18万
    assert (e.limit_min_fen, e.limit_max_fen) == (10 * WAN, 18 * WAN)
    assert e.caps == ("额度不超过上年家庭纯收入的 3 倍",)
    assert e.missing == ("股金",)
    text = "\n".join(e.lines())
    assert "合计 76.7 分" in text and "预计额度 10–18 万元" in text and "缺少 1 项输入" in text


def test_a_bad_credit_record_caps_the_band() -> None:
    e = evaluate(parse(card()), {**FAMILY, "credit_record": "有不良记录"})  # the label is accepted too
    assert e.score == Decimal("66.7")  # C by score
    assert e.band == "D" and e.caps == ("有不良信用记录：最高 D 档",)
    assert (e.limit_min_fen, e.limit_max_fen) == (3000_00, 3 * WAN)


def test_heavy_debts_cap_the_band_and_income_no_longer_binds() -> None:
    inputs = {"household_size": 4, "labour": 2, "assets_wan": 10, "debts_wan": 8, "shares_wan": 1,
              "net_income_last_wan": 12, "overall": "5", "credit_record": "good"}
    e = evaluate(parse(card()), inputs)
    # 8 + 8 + 13×0.3 + 13×0.2 (net 2万) + 4 + 14 + 30 + 10 = 80.5: B, but debts are 80% of assets
    assert e.score == Decimal("80.5") and e.band == "C"
    assert (e.limit_min_fen, e.limit_max_fen) == (3 * WAN, 10 * WAN)
    assert e.caps == ("负债超过资产的 70%：最高 C 档",) and e.missing == ()


def test_nothing_given_scores_nothing_and_names_every_input() -> None:
    e = evaluate(parse(card()), {})
    assert e.score == 0 and e.band is None and (e.limit_min_fen, e.limit_max_fen) == (0, 0)
    assert len(e.missing) == 8 and e.missing[0] == "人口数"
    assert "未达准入" in "\n".join(e.lines())


def test_the_income_cap_can_take_the_top_below_the_band_floor() -> None:
    e = evaluate(parse(card()), {**FAMILY, "household_size": 5, "shares_wan": 2, "overall": "5",
                                 "net_income_last_wan": "2"})
    # 8+8+9.1+7.8+4+14×0.3+30+10 = 81.1: B; the cap 3 × 2万 = 6万 is below B's 10万 floor
    assert e.band == "B" and (e.limit_min_fen, e.limit_max_fen) == (6 * WAN, 6 * WAN)


@pytest.mark.parametrize(("inputs", "message"), [
    ({"labour": "两个"}, "劳动力应为数字"),
    ({"assets_wan": "-3"}, "家庭资产总值不能为负数"),
    ({"credit_record": "还行"}, "履约情况应为"),
    ({"overall": "9"}, "综合评价应为"),
])
def test_a_bad_input_is_named(inputs, message) -> None:
    with pytest.raises(ScorecardError, match=message):
        evaluate(parse(card()), inputs)


@pytest.mark.parametrize(("change", "message"), [
    ({"factors": []}, "评分因子应为非空列表"),
    ({"factors": [{"key": "horses", "weight": 5, "steps": [[1, 1]]}]}, "不是已知的评分输入"),
    ({"factors": [{"key": "labour", "weight": 0, "steps": [[1, 1]]}]}, "权重应大于 0"),
    ({"factors": [{"key": "labour", "weight": 5, "steps": [[2, 1], [1, 0.5]]}]}, "严格递增"),
    ({"factors": [{"key": "labour", "weight": 5, "steps": [[1, 1.5]]}]}, "0 到 1 之间"),
    ({"factors": "not json"}, "不是有效的 JSON"),
    ({"bands": {"bands": [{"band": "A", "min_score": 50, "limit_min_fen": 5, "limit_max_fen": 1}]}}, "最低 ≤ 最高"),
    ({"bands": {"bands": [{"band": "A", "min_score": 50, "limit_min_fen": 1, "limit_max_fen": 5}],
                "caps": [{"key": "labour", "over": 1, "max_band": "Z"}]}}, "不是本卡的档位"),
])
def test_a_malformed_card_is_refused_naming_the_part(change, message) -> None:
    with pytest.raises(ScorecardError, match=message):
        parse(card(**change))


def test_head_office_refuses_to_publish_a_card_the_branch_cannot_use() -> None:
    good = {k: v for k, v in card().items()}
    assert SCORECARD.problems(good, insert=True) == []
    bad = SCORECARD.problems({**good, "factors": [{"key": "labour", "weight": 0, "steps": [[1, 1]]}]}, insert=True)
    assert len(bad) == 1 and "评分卡无法使用" in bad[0].message and "权重" in bad[0].message
