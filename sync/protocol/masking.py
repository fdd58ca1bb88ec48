"""Masking by the house rule (JR/T 0171-2020 C2 data, GB/T 35273 §7.2).

ID 18 chars -> first 6 + last 4 visible; mobile -> first 3 + last 4; bank card ->
first 6 + last 4. Anything too short to mask safely is masked completely.
Shared by the branch app and head office's admin commands; a column's declared
``mask`` (``sync.protocol.schema.Column``) names its rule in ``MASKS``.
"""

from __future__ import annotations


def _mask(text: str | None, head: int, tail: int) -> str:
    if not text:
        return ""
    s = str(text)
    if len(s) <= head + tail:
        return "*" * len(s)
    return s[:head] + "*" * (len(s) - head - tail) + s[-tail:]


def mask_id(number: str | None) -> str:
    """'500102199001011234' -> '500102********1234' (credit codes alike)."""
    return _mask(number, 6, 4)


def mask_mobile(number: str | None) -> str:
    """'13812345678' -> '138****5678'."""
    return _mask(number, 3, 4)


def mask_card(number: str | None) -> str:
    """Bank card: first 6 + last 4."""
    return _mask((number or "").replace(" ", ""), 6, 4)


def mask_name(name: str | None) -> str:
    """A person's name with the middle hidden: '张三丰' -> '张*丰', '张伟' -> '张*', '欧阳娜娜' -> '欧**娜'."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


MASKS = {"id": mask_id, "mobile": mask_mobile}
