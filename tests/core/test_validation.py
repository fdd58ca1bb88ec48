"""Validation with real valid and invalid numbers, plus properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import FieldError
from app.core.validation import (
    ID_CHECK,
    USCC_ALPHABET,
    credit_code,
    credit_code_kind,
    id_check_char,
    mobile,
    money_fen,
    parse_date,
    resident_id,
)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the GB 11643 example in domain.md
        "360426199101010071",  # stdnum's example
        "500229200001010015",  # 城口县 after 1997
        "512229198506150025",  # 城口县 under 四川 before 1997
        "500229198506150021",  # the current code with an older birth year: accepted (see validation.py)
    ],
)
def test_real_valid_resident_ids(number: str) -> None:
    assert resident_id(number, today=date(2026, 11, 22)) == number


@pytest.mark.parametrize(
    ("number", "code", "words"),
    [
        ("11010519491231002Y", "format", "X"),
        ("110105194912310021", "checksum", "应为 X"),
        ("1101051949123100", "length", "18 位"),
        ("110105194902300025", "birth_date", "19490230"),  # 30 February
        ("999999194912310028", "region", "999999"),
        ("110105203001010016", "birth_date", "2030-01-01"),  # born in the future
    ],
)
def test_invalid_resident_ids_name_the_problem(number: str, code: str, words: str) -> None:
    if code in ("region", "birth_date") and number[6:14].isdigit():
        # give each case a correct check character so that only the named rule fails
        number = number[:17] + id_check_char(number[:17])
    err = resident_id(number, today=date(2026, 11, 22))
    assert isinstance(err, FieldError)
    assert err.field == "id_number" and err.code == code
    assert "身份证号" in err.message and words in err.message


def test_lower_case_x_and_spaces_are_normalised() -> None:
    assert resident_id(" 110105 19491231 002x ") == "11010519491231002X"


def test_real_credit_codes() -> None:
    code = "91110000600037341L"  # a published code (stdnum's example)
    assert credit_code(code) == code
    assert credit_code_kind(code) == "enterprise"
    assert credit_code_kind("93500229MA5UXXXX0") == "cooperative"


def test_credit_code_checksum_failure_needs_the_audited_override() -> None:
    bad = "91110000600037341A"
    err = credit_code(bad)
    assert isinstance(err, FieldError) and err.code == "checksum" and "统一社会信用代码" in err.message
    assert credit_code(bad, override=True) == bad
    # the override never admits a wrong length or a forbidden letter
    assert isinstance(credit_code("91110000600037341", override=True), FieldError)
    forbidden = credit_code("9111000060003734IL", override=True)
    assert isinstance(forbidden, FieldError) and "I" in forbidden.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-19912345678", "19912345678"),
        ("（138）1234-5678", "13812345678"),
    ],
)
def test_valid_mobiles(text: str, expected: str) -> None:
    assert mobile(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12345678901", "format"),
        ("1381234567", "length"),
        ("138123456789", "length"),
        ("1381234567a", "format"),
        ("", "required"),
        ("10012345678", "format"),
    ],
)
def test_invalid_mobiles(text: str, code: str) -> None:
    err = mobile(text)
    assert isinstance(err, FieldError) and err.code == code and "手机号" in err.message


def test_money_is_exact_fen() -> None:
    assert money_fen("0.1", field="f", label="L") == 10
    assert money_fen("1,234.56", field="f", label="L") == 123456
    assert money_fen("19.99元", field="f", label="L") == 1999
    neg = money_fen("-1", field="aum_fen", label="资产")
    assert isinstance(neg, FieldError) and "不能为负" in neg.message
    assert isinstance(money_fen("1.234", field="f", label="L"), FieldError)
    assert isinstance(money_fen("一百", field="f", label="L"), FieldError)


def test_dates() -> None:
    assert parse_date("2026年3月5日", field="d", label="日期") == date(2026, 3, 5)
    assert parse_date("2026/03/05", field="d", label="日期") == date(2026, 3, 5)
    assert parse_date("", field="d", label="日期") is None
    bad = parse_date("2026-02-30", field="d", label="日期")
    assert isinstance(bad, FieldError) and bad.code == "date"


# --- properties -----------------------------------------------------------------------

REGIONS = ["110105", "500229", "512229", "360426", "440305", "500102"]


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)))
    seq = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


@given(valid_ids())
def test_generated_valid_ids_always_pass(number: str) -> None:
    assert resident_id(number, today=date(2026, 11, 22)) == number


@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_fails(number: str, pos: int, ch: str) -> None:
    if number[pos] == ch:
        ch = "0" if ch != "0" else "1"
    changed = number[:pos] + ch + number[pos + 1 :]
    # GB 11643's mod-11 check catches every single substitution
    assert isinstance(resident_id(changed, today=date(2026, 11, 22)), FieldError)


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["91", "92", "93"])) + draw(st.sampled_from(REGIONS))
    body = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = head + body
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


@given(valid_credit_codes())
def test_generated_credit_codes_pass(code: str) -> None:
    assert credit_code(code) == code


@given(valid_credit_codes(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_credit_code_change_fails(code: str, pos: int, ch: str) -> None:
    if code[pos] == ch:
        return
    assert isinstance(credit_code(code[:pos] + ch + code[pos + 1 :]), FieldError)


def test_check_table_matches_domain_doc() -> None:
    assert ID_CHECK == "10X98765432"
    assert (date(2026, 1, 1) - timedelta(days=1)).year == 2025
