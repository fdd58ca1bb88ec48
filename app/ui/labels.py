"""Labels from the record declarations, in the UI's language.

Field names and choice labels (客群 → 农户, 生命周期 → 成熟, roles, tiers, consent
channels) are declared once, in Chinese, with the kinds (``sync.protocol.kinds``)
and the core enums, because the CLI, the printouts and head office use them as
they are. The desktop app shows them through ``domain()``: the Chinese text is
the source string of the ``Domain`` context, and English mode loads
``branchdesk_en.qm``, whose only messages are those labels in English (kept in
``branchdesk_en.ts``; ``python -m app.ui.i18n domain`` adds new labels to it, and
a test fails on any label without an English translation). In Chinese mode no
translator knows the context, so the label shows as declared.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

CONTEXT = "Domain"

# Values the History tab shows that are not declared labels.
_VALUES = ("是", "否", "（无字段变化）")


def domain(text: str) -> str:
    """``text`` (a declared Chinese label) in the UI language. UI thread or any (read-only)."""
    return QCoreApplication.translate(CONTEXT, text) if text else text


def heading(text: str) -> str:
    """A report's title or column heading (``app.services.reports.HEADINGS``) in the UI language; one
    with a month in it (开户数（2026-11）) through its pattern (开户数（{}）). Any thread (read-only)."""
    shown = domain(text)
    if shown != text:
        return shown
    m = _WITH_MONTH.fullmatch(text)
    return domain(f"{m[1]}（{{}}）").replace("{}", m[2]) if m else text


_WITH_MONTH = re.compile(r"(.+)（(\d{4}-\d{2})）")


def domain_labels() -> list[str]:
    """Every declared label the desktop app shows, in a stable order (the ``Domain`` context)."""
    from app.core.client import ClientKind, ConsentChannel, Lifecycle, Segment, Tier
    from app.core.roles import Role
    from app.services.reports import HEADINGS
    from sync.protocol.kinds import KINDS

    out: list[str] = []
    # the kinds the app has screens for; add one with its workspace
    for kind in ("client", "whitelist_outcome", "contact"):
        k = KINDS[kind]
        out.append(k.label)
        for c in k.columns:
            out.append(c.label)
            out += [ch.label for ch in c.choices]
    for enum in (Segment, Tier, Lifecycle, ConsentChannel, Role, ClientKind):
        out += [m.label for m in enum]
    out += _VALUES
    out += HEADINGS
    return list(dict.fromkeys(out))
