"""The whitelist outcome pipeline (issue 14): every legal and illegal move, reasons,
amounts against the limit, validity, and the balanced assignment."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.whitelist import (
    MOVES,
    EntryFacts,
    Status,
    ToAssign,
    balance,
    check_move,
    plan_assignment,
)

TODAY = date(2026, 12, 2)
LIMIT = 5_000_000  # 5万元


def facts(status: Status, valid_from: str = "2026-01-01", valid_to: str = "2028-12-31") -> EntryFacts:
    return EntryFacts(status, LIMIT, valid_from, valid_to)


def move(old: Status, new: Status, **kw) -> list[str]:
    extra = {"amount_fen": 1_000_000} if new == Status.DRAWN else {}
    if new in (Status.UNREACHABLE, Status.REFUSED):
        extra["reason"] = "原因"
    extra.update(kw)
    return [e.code for e in check_move(facts(old), new, on=TODAY, today=TODAY, **extra)]


LEGAL = sorted((old, new) for old, targets in MOVES.items() for new in targets)
ILLEGAL = sorted((old, new) for old in Status for new in Status if new not in MOVES[old])


def test_the_table_is_what_the_pipeline_says() -> None:
    assert MOVES[Status.NOT_CONTACTED] >= {Status.CONTACTED, Status.UNREACHABLE, Status.REFUSED}
    assert MOVES[Status.APPLIED] == {Status.DRAWN, Status.REFUSED}
    assert MOVES[Status.DRAWN] == frozenset()
    assert len(LEGAL) + len(ILLEGAL) == len(Status) ** 2


@pytest.mark.parametrize(("old", "new"), LEGAL, ids=lambda s: s.value)
def test_every_legal_move_is_allowed(old: Status, new: Status) -> None:
    assert move(old, new) == []


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=lambda s: s.value)
def test_every_illegal_move_is_refused_naming_the_rule(old: Status, new: Status) -> None:
    errors = check_move(facts(old), new, on=TODAY, today=TODAY, amount_fen=1_000_000 if new == Status.DRAWN else 0,
                        reason="原因")
    assert [e.code for e in errors] == ["illegal_move"]
    msg = errors[0].message
    assert (old.label in msg and new.label in msg) or "初始状态" in msg, msg


def test_the_rules_read_as_rules() -> None:
    def msg(old, new):
        return check_move(facts(old), new, on=TODAY, today=TODAY, amount_fen=1, reason="x")[0].message

    assert "须先“已申请”" in msg(Status.INTERESTED, Status.DRAWN)
    assert "最终状态" in msg(Status.DRAWN, Status.REFUSED)
    assert "不能退回" in msg(Status.APPLIED, Status.CONTACTED)
    assert "重新“已联系”" in msg(Status.REFUSED, Status.APPLIED)


@pytest.mark.parametrize("status", [Status.UNREACHABLE, Status.REFUSED])
def test_unreachable_and_refused_need_a_reason(status: Status) -> None:
    errors = check_move(facts(Status.NOT_CONTACTED), status, on=TODAY, today=TODAY, reason="  ")
    assert [e.field for e in errors] == ["reason"] and status.label in errors[0].message


def test_drawn_needs_an_amount_within_the_limit() -> None:
    applied = facts(Status.APPLIED)
    assert [e.code for e in check_move(applied, Status.DRAWN, on=TODAY, today=TODAY)] == ["required"]
    over = check_move(applied, Status.DRAWN, on=TODAY, today=TODAY, amount_fen=LIMIT + 1)
    assert [e.code for e in over] == ["over_limit"] and "5.00万元" in over[0].message
    assert check_move(applied, Status.DRAWN, on=TODAY, today=TODAY, amount_fen=LIMIT) == []
    stray = check_move(facts(Status.CONTACTED), Status.INTERESTED, on=TODAY, today=TODAY, amount_fen=100)
    assert [e.code for e in stray] == ["not_drawn"]


def test_an_expired_entry_cannot_be_applied_for_but_is_still_worked() -> None:
    lapsed = facts(Status.INTERESTED, valid_to="2026-11-30")
    errors = check_move(lapsed, Status.APPLIED, on=TODAY, today=TODAY)
    assert [e.code for e in errors] == ["expired"] and "2026-11-30" in errors[0].message
    assert check_move(lapsed, Status.REFUSED, on=TODAY, today=TODAY, reason="过期未续") == []
    early = facts(Status.CONTACTED, valid_from="2027-01-01")
    assert [e.code for e in check_move(early, Status.APPLIED, on=TODAY, today=TODAY)] == ["not_valid_yet"]
    # an application made while valid may be drawn after the end date
    assert check_move(facts(Status.APPLIED, valid_to="2026-11-30"), Status.DRAWN, on=TODAY, today=TODAY,
                      amount_fen=1) == []


def test_a_date_in_the_future_is_refused() -> None:
    errors = check_move(facts(Status.NOT_CONTACTED), Status.CONTACTED, on=date(2026, 12, 3), today=TODAY)
    assert [e.field for e in errors] == ["date"]


def test_assignment_keeps_relationships_and_balances() -> None:
    entries = [ToAssign(f"e{i}", village=i % 4, relationship=None) for i in range(90)]
    entries += [ToAssign(f"own{i}", village=1, relationship="M2") for i in range(10)]
    entries += [ToAssign("gone", village=2, relationship="M9")]  # not a manager here any more
    plan = plan_assignment(entries, ["M1", "M2", "M3"])
    assert len(plan) == 101
    assert all(plan[f"own{i}"] == "M2" for i in range(10))
    counts = balance(plan, ["M1", "M2", "M3"])
    assert max(counts.values()) - min(counts.values()) <= 1, counts
    # villages are split only as the shares require: filling shares in turn splits at most
    # one village per manager boundary
    pairs = {(e.village, plan[e.uid]) for e in entries if e.relationship != "M2"}
    assert len(pairs) <= 4 + 3 - 1 + 1, pairs  # villages + managers - 1, and the gone manager's entry


def test_assignment_counts_what_managers_already_hold() -> None:
    plan = plan_assignment([ToAssign(f"e{i}", 1, None) for i in range(10)], ["M1", "M2"], {"M1": 20})
    assert set(plan.values()) == {"M2"}
    assert plan_assignment([ToAssign("e", 1, None)], []) == {}
