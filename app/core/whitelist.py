"""The microloan whitelist (白名单) at the branch: the outcome pipeline and its rules, the
products' names, and a balanced assignment of entries to managers.

Pure Python. Head office owns an entry (limit, validity, band); the branch works it:
each move is a ``whitelist_outcome`` record, and ``check_move`` says whether a move is
allowed, naming the rule in Chinese when it is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.core.assignment import Candidate, counts, split
from app.core.errors import FieldError
from app.core.money import format_wan
from sync.protocol.kinds import WHITELIST_OUTCOME


class Status(StrEnum):
    """An entry's outcome (营销状态); values and labels from the declared column."""

    NOT_CONTACTED = "not_contacted"
    CONTACTED = "contacted"
    INTERESTED = "interested"
    APPLIED = "applied"
    DRAWN = "drawn"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return _LABELS[self.value]

    @classmethod
    def parse(cls, text: str) -> Status | None:
        t = (text or "").strip()
        return next((s for s in cls if t in (s.value, s.label)), None)


_LABELS = {c.value: c.label for c in WHITELIST_OUTCOME.column("status").choices}
assert set(_LABELS) == {s.value for s in Status}, "Status must match the declared choices"

# The pipeline, in order; the funnel counts how far an entry has come (its furthest stage).
PIPELINE = (Status.NOT_CONTACTED, Status.CONTACTED, Status.INTERESTED, Status.APPLIED, Status.DRAWN)
STAGE = {s: i for i, s in enumerate(PIPELINE)}
STAGE[Status.UNREACHABLE] = 0  # tried, not reached
STAGE[Status.REFUSED] = 1  # reached, said no
NEEDS_REASON = frozenset({Status.UNREACHABLE, Status.REFUSED})

# Moves allowed from each status. Forward along the pipeline (a step may be skipped when a
# visit goes further at once), except that credit is drawn only after an application; 无法联系
# can be retried; a refusal can be reopened when the client comes back. Nothing goes back.
MOVES: dict[Status, frozenset[Status]] = {
    Status.NOT_CONTACTED: frozenset({Status.CONTACTED, Status.INTERESTED, Status.APPLIED, Status.UNREACHABLE,
                                     Status.REFUSED}),
    Status.CONTACTED: frozenset({Status.INTERESTED, Status.APPLIED, Status.REFUSED}),
    Status.INTERESTED: frozenset({Status.APPLIED, Status.REFUSED}),
    Status.APPLIED: frozenset({Status.DRAWN, Status.REFUSED}),
    Status.DRAWN: frozenset(),
    Status.UNREACHABLE: frozenset({Status.CONTACTED, Status.INTERESTED, Status.APPLIED, Status.UNREACHABLE,
                                   Status.REFUSED}),
    Status.REFUSED: frozenset({Status.CONTACTED}),
}

PRODUCTS = {
    "xingnong_e_dai": "惠农e贷",
    "jingying_kuaidai": "经营快贷",
    "nonghu_xiaodai": "农户小额信用贷款",
    "chuangye_dai": "创业担保贷款",
}


def product_label(code: str | None) -> str:
    return PRODUCTS.get(code or "", code or "—")


@dataclass(frozen=True)
class EntryFacts:
    """What the rules need to know about an entry."""

    status: Status
    limit_fen: int
    valid_from: str | None  # ISO dates
    valid_to: str | None


def expired(facts: EntryFacts, on: date) -> bool:
    return bool(facts.valid_to) and facts.valid_to < on.isoformat()  # type: ignore[operator]


def not_yet_valid(facts: EntryFacts, on: date) -> bool:
    return bool(facts.valid_from) and facts.valid_from > on.isoformat()  # type: ignore[operator]


def _err(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


def check_move(facts: EntryFacts, new: Status, *, on: date, today: date, amount_fen: int = 0,
               reason: str = "") -> list[FieldError]:
    """Why moving an entry from ``facts.status`` to ``new`` on ``on`` is refused (empty: allowed)."""
    errors: list[FieldError] = []
    old = facts.status
    if new == Status.NOT_CONTACTED:
        errors.append(_err("status", "营销状态", "illegal_move", "“未联系”是初始状态，不能改回。"))
    elif new not in MOVES[old]:
        if old == Status.DRAWN:
            rule = "已用信是最终状态，不能再变更。"
        elif new == Status.DRAWN:
            rule = "用信之前须先“已申请”。"
        elif STAGE.get(new, 0) < STAGE.get(old, 0) or (old == Status.REFUSED and new != Status.CONTACTED):
            rule = "营销状态只能向前推进，不能退回。" if old != Status.REFUSED else "客户拒绝后只能重新“已联系”。"
        else:
            rule = f"“{old.label}”之后不能直接改为“{new.label}”。"
        errors.append(_err("status", "营销状态", "illegal_move", f"不能从“{old.label}”改为“{new.label}”：{rule}"))
    if on > today:
        errors.append(_err("date", "日期", "future", "日期不能晚于今天。"))
    if new in NEEDS_REASON and not reason.strip():
        errors.append(_err("reason", "原因", "required", f"“{new.label}”须填写原因。"))
    if new == Status.APPLIED:
        if expired(facts, on):
            errors.append(_err("status", "营销状态", "expired",
                               f"白名单已过有效期（至 {facts.valid_to}），不能再申请。"))
        elif not_yet_valid(facts, on):
            errors.append(_err("status", "营销状态", "not_valid_yet",
                               f"白名单尚未生效（自 {facts.valid_from} 起），暂不能申请。"))
    if new == Status.DRAWN:
        if amount_fen <= 0:
            errors.append(_err("amount_fen", "用信金额", "required", "“已用信”须填写用信金额。"))
        elif amount_fen > facts.limit_fen:
            errors.append(_err("amount_fen", "用信金额", "over_limit",
                               f"用信金额 {format_wan(amount_fen)} 超过核定额度 {format_wan(facts.limit_fen)}。"))
    elif amount_fen:
        errors.append(_err("amount_fen", "用信金额", "not_drawn", "只有“已用信”才填写用信金额。"))
    return errors


# --- assignment (the rule is app.core.assignment's, shared with campaign targets) -------------

ToAssign = Candidate


def plan_assignment(entries: Sequence[ToAssign], managers: Sequence[str],
                    current: Mapping[str, int] | None = None) -> dict[str, str]:
    """A balanced split of ``entries`` among ``managers`` (staff codes): uid -> manager."""
    return split(entries, managers, current)


def balance(plan: Mapping[str, str], managers: Iterable[str]) -> dict[str, int]:
    """Entries per manager in a plan (every manager listed, zero included)."""
    return counts(plan, managers)
