"""Period figures shared by both sides: one record per (scenario, month, metric).

A figure's uid is derived from what it is a figure of, so the branch entering a month again,
and head office publishing the same month, reach the same record instead of adding a second
one that a sum would count twice.
"""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f1c2d3e-5b7a-4c1e-9d2f-8a3b4c5d6e7f")


def metric_uid(scenario: str, period: str, metric: str) -> str:
    """The uid of ``scenario``'s ``metric`` for ``period`` (YYYY-MM)."""
    return str(uuid.uuid5(_NAMESPACE, f"{scenario}|{period}|{metric}"))


# The metrics every scenario tracks (counts, or fen for amounts), and the built-in scenario
# types with the metric each adds: the branch's default set until head office's
# ``scenario_type`` records arrive, and what head office's demo publishes.
COMMON_METRICS = ("accounts", "subsidy_fen", "funds_used_fen", "mb_registered", "mb_active", "merchants")
DEFAULT_SCENARIO_TYPES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("livestock", "智慧畜牧", ("livestock",)),
    ("governance", "乡村治理/村务", ("households",)),
    ("collective_assets", "三资管理", ("assets_fen",)),
    ("party_dues", "智慧党费", ("dues_fen",)),
    ("school_fees", "教育缴费", ("fees_fen",)),
    ("clinic", "智慧医疗", ("payments",)),
    ("ecny", "数字人民币", ("wallets",)),
    ("welfare", "福利消费平台", ("welfare_fen",)),
    ("driving_school", "驾培监管", ("escrow_fen",)),
)
