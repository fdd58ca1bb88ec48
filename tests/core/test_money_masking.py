from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.masking import mask_card, mask_id, mask_mobile, mask_name
from app.core.money import format_wan, format_yuan, parse_yuan, to_capital


def test_masking_house_rule() -> None:
    assert mask_id("500102199001011234") == "500102********1234"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_card("6222021234567890123") == "622202*********0123"
    assert mask_name("张三丰") == "张*丰" and mask_name("张伟") == "张*" and mask_name("欧阳娜娜") == "欧**娜"
    assert mask_id(None) == "" and mask_mobile("123") == "***"


def test_money_display() -> None:
    assert format_yuan(12345678) == "123,456.78"
    assert format_yuan(5, unit=True) == "0.05元"
    assert format_yuan(-150) == "-1.50"
    assert format_wan(123456789) == "123.46万元"
    assert format_wan(50_000_00) == "5.00万元"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "零元整"),
        (123456, "壹仟贰佰叁拾肆元伍角陆分"),
        (1000, "壹拾元整"),
        (100005, "壹仟元零伍分"),
        (1050000, "壹万零伍佰元整"),
        (10000500, "壹拾万零伍元整"),
        (10000000000, "壹亿元整"),
        (1200000000, "壹仟贰佰万元整"),
        (10050, "壹佰元伍角整"),
        (7, "柒分"),
        (30, "叁角整"),
        (1010000, "壹万零壹佰元整"),
        (100100000, "壹佰万零壹仟元整"),
    ],
)
def test_capital_amounts(fen: int, text: str) -> None:
    assert to_capital(fen) == text


@given(st.integers(0, 10**13))
def test_yuan_round_trip(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


@given(st.integers(0, 10**13))
def test_capital_uses_only_the_prescribed_characters(fen: int) -> None:
    assert set(to_capital(fen)) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
