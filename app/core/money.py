"""Money in integer fen (分): parsing, display in 元 / 万元, and capital amounts (大写)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sync.protocol.money import parse_yuan

__all__ = ["format_wan", "format_yuan", "parse_yuan", "to_capital"]


def format_yuan(fen: int, *, unit: bool = False) -> str:
    """12345678 -> '123,456.78' (with ``unit``: '123,456.78元')."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    text = f"{sign}{yuan:,}.{cents:02d}"
    return text + "元" if unit else text


def format_wan(fen: int, *, digits: int = 2, unit: bool = True) -> str:
    """Summaries in 万元: 123456789 fen -> '123.46万元' (half-up rounding)."""
    q = Decimal(10) ** -digits
    wan = (Decimal(int(fen)) / Decimal(1_000_000)).quantize(q, ROUND_HALF_UP)
    text = f"{wan:,.{digits}f}"
    return text + "万元" if unit else text


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ("", "拾", "佰", "仟")
_BIG = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    """0..9999 -> capital digits with 拾佰仟 and inner 零 (no leading 零)."""
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _SMALL[pos]
    return out


def to_capital(fen: int) -> str:
    """The capital (大写) amount as 支付结算办法 writes it: 1234.56元 -> 壹仟贰佰叁拾肆元伍角陆分.

    Whole amounts end in 整; a missing 角 before a 分 is written 零.
    """
    if fen < 0:
        return "负" + to_capital(-fen)
    yuan, cents = divmod(int(fen), 100)
    jiao, fen_d = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    parts: list[str] = []
    groups = []
    y = yuan
    while y:
        groups.append(y % 10000)
        y //= 10000
    if len(groups) > len(_BIG):
        raise ValueError("amount too large")
    need_zero = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or g < 1000):
            parts.append("零")
        # zeros at the end of this group are "in the middle" if a lower group follows
        need_zero = g % 10 == 0
        parts.append(_four(g) + _BIG[i])
    text = "".join(parts)
    if yuan:
        text += "元"
    if cents == 0:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen_d:
        text += _DIGITS[fen_d] + "分"
    else:
        text += "整"
    return text
