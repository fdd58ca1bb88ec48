"""Amounts typed by people, to integer fen: shared by the branch and head office's commands."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_YUAN_RE = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")
_WAN_RE = re.compile(r"^[+-]?\d+(\.\d{1,6})?$")


def parse_yuan(text: str) -> int:
    """'1,234.5' / '1234.50元' / '¥12' / '1.5万' / '3万元' -> fen. Raises ValueError on anything else.

    Never goes through float: a bank amount must be exact (万 takes up to six decimals, to the 分).
    """
    t = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    t = t.removesuffix("元").strip()
    if t.endswith("万"):
        t = t.removesuffix("万").strip()
        if not _WAN_RE.match(t):
            raise ValueError(text)
        return int(Decimal(t) * 1_000_000)
    if not _YUAN_RE.match(t):
        raise ValueError(text)
    try:
        return int((Decimal(t) * 100).to_integral_value(ROUND_HALF_UP))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise ValueError(text) from exc
