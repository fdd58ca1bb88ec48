"""Lifecycle rules (生命周期) driven by events: what a contact or the calendar moves a client to.

- first contact of a new client (新客首面) → 蜜月期;
- a contact with a client in 流失预警 or 流失 → 挽回;
- 蜜月期 for ``honeymoon_days`` since the first contact → 成熟;
- no contact for ``quiet_days`` (蜜月期, 成熟, 挽回) → 流失预警.

Pure: the service reads the dates, asks here, and journals each move with its rule (the
journal's author is ``rule:<code>``, so the History tab says which rule moved it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.core.client import Lifecycle

RULES = {
    "first_contact": "规则：首次触达 → 蜜月期",
    "contact_after_warning": "规则：流失预警后再次触达 → 挽回",
    "honeymoon_over": "规则：蜜月期满 → 成熟",
    "quiet": "规则：长期无触达 → 流失预警",
}
AUTHOR_PREFIX = "rule:"


@dataclass(frozen=True)
class LifecycleRules:
    honeymoon_days: int = 90
    quiet_days: int = 180

    @classmethod
    def from_settings(cls, extra: dict[str, Any]) -> LifecycleRules:
        """From settings.json's ``lifecycle`` object; bad or missing values keep the defaults."""
        raw = extra.get("lifecycle") if isinstance(extra, dict) else None
        if not isinstance(raw, dict):
            return cls()
        out = {}
        for key in ("honeymoon_days", "quiet_days"):
            v = raw.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 3650:
                out[key] = v
        return cls(**out)


@dataclass(frozen=True)
class Move:
    client_id: int
    old: Lifecycle
    new: Lifecycle
    rule: str  # a key of RULES

    @property
    def why(self) -> str:
        return RULES[self.rule]


def on_contact(client_id: int, stage: Lifecycle) -> Move | None:
    """What a contact with this client moves it to (None: nothing)."""
    if stage == Lifecycle.NEW:
        return Move(client_id, stage, Lifecycle.HONEYMOON, "first_contact")
    if stage in (Lifecycle.CHURN_WARNING, Lifecycle.CHURNED):
        return Move(client_id, stage, Lifecycle.RECOVERED, "contact_after_warning")
    return None


def on_calendar(client_id: int, stage: Lifecycle, *, first_contact: date | None, last_contact: date | None,
                today: date, rules: LifecycleRules) -> Move | None:
    """What the passing of time moves this client to on ``today`` (None: nothing)."""
    quiet_since = today - timedelta(days=rules.quiet_days)
    if stage in (Lifecycle.HONEYMOON, Lifecycle.MATURE, Lifecycle.RECOVERED) and (
            last_contact is not None and last_contact < quiet_since):
        return Move(client_id, stage, Lifecycle.CHURN_WARNING, "quiet")
    if stage == Lifecycle.HONEYMOON and first_contact is not None and (
            first_contact <= today - timedelta(days=rules.honeymoon_days)):
        return Move(client_id, stage, Lifecycle.MATURE, "honeymoon_over")
    return None


def rule_author(rule: str) -> str:
    return f"{AUTHOR_PREFIX}{rule}"


def author_label(author: str) -> str | None:
    """The rule's Chinese label for a journal author ``rule:<code>``, else None."""
    if author.startswith(AUTHOR_PREFIX):
        return RULES.get(author[len(AUTHOR_PREFIX):], author)
    return None
