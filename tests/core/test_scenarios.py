"""Scenario rules (issue 17): the pipeline's legal and illegal moves, months, and 同比/环比
against hand-computed figures, a missing month and a zero base included."""

from __future__ import annotations

from datetime import date

import pytest

from app.core import scenarios as sc
from app.core.errors import FieldError

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(("old", "new"), [
    ("survey", "negotiating"), ("negotiating", "signed"), ("signed", "live"), ("live", "operating"),
    ("survey", "signed"),  # a step skipped forward
    ("survey", "stopped"), ("operating", "stopped"),
])
def test_forward_moves_and_stopping_need_no_reason(old: str, new: str) -> None:
    assert sc.check_move(old, new) is None


@pytest.mark.parametrize(("old", "new"), [
    ("signed", "negotiating"), ("operating", "survey"), ("stopped", "operating"), ("live", "signed"),
])
def test_moving_back_needs_a_reason(old: str, new: str) -> None:
    refused = sc.check_move(old, new)
    assert isinstance(refused, FieldError) and refused.field == "reason" and "原因" in refused.message
    assert sc.check_move(old, new, reason="合作方换届，重新洽谈") is None


def test_unknown_and_same_status_are_refused() -> None:
    assert sc.check_move("survey", "flying").code == "choice"
    assert sc.check_move("live", "live").code == "same"


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-10", "2026-10"), ("2026/1", "2026-01"), ("202611", "2026-11"), ("2026-12", "2026-12"),
])
def test_periods(text: str, expected: str) -> None:
    assert sc.parse_period(text, today=TODAY) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("2027-01", "future"), ("2026-13", "format"), ("26-10", "format"), ("十月", "format"), ("", "format"),
])
def test_bad_periods_say_why(text: str, code: str) -> None:
    got = sc.parse_period(text, today=TODAY)
    assert isinstance(got, FieldError) and got.code == code and got.label == "期间"


def test_shift_crosses_years() -> None:
    assert sc.shift("2026-01", -1) == "2025-12"
    assert sc.shift("2026-01", -12) == "2025-01"
    assert sc.shift("2025-12", 1) == "2026-01"


def test_year_on_year_and_month_on_month_by_hand() -> None:
    series = {"2025-10": 40, "2026-09": 50, "2026-10": 60, "2025-11": 0, "2026-11": 7}
    oct_ = sc.compare(series, "s1", "accounts", "2026-10")
    assert (oct_.value, oct_.previous, oct_.last_year) == (60, 50, 40)
    assert oct_.mom == pytest.approx(0.2) and oct_.yoy == pytest.approx(0.5)  # 60/50-1, 60/40-1
    nov = sc.compare(series, "s1", "accounts", "2026-11")
    assert nov.mom == pytest.approx(7 / 60 - 1)
    assert nov.last_year == 0 and nov.yoy is None  # a zero base gives no rate
    sep = sc.compare(series, "s1", "accounts", "2026-09")
    assert sep.previous is None and sep.mom is None and sep.last_year is None  # missing months
    assert sc.format_rate(None) == "—" and sc.format_rate(0.2) == "+20.0%" and sc.format_rate(-0.5) == "-50.0%"
    assert sc.format_rate(-0.0001) == "0.0%"


def test_types_track_the_common_six_then_their_own() -> None:
    assert sc.type_metrics(("livestock",)) == (*sc.COMMON, "livestock")
    assert len(sc.DEFAULT_TYPES) == 9 and {n for _c, n, _m in sc.DEFAULT_TYPES} >= {"智慧畜牧", "驾培监管"}
    assert sc.metric("subsidy_fen").money and not sc.metric("accounts").money
    assert sc.metric("new_from_hq").label == "new_from_hq"
