"""Spreadsheet cells as branches really type them, read into clean values (pure functions, any thread).

Branch rosters are made by hand in Excel and WPS: full-width digits and
spaces (１３８　００１３), ID numbers Excel stored as numbers (the last digits
zeroed, a trailing X gone, 5.00229E+17), dates as Excel serial numbers or
2026.3.5 or 2026年3月5日, amounts in 元 or 万元, headers in varying words over
several rows, blank and subtotal rows. Each reader returns the value or a
``CellProblem`` with the reason in Chinese; nothing here raises for bad input.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, with Excel's phantom 1900-02-29 before 61
_SERIAL_RANGE = (20_000, 80_000)  # 1954 .. 2119: a number in a date column outside this is not a date


@dataclass(frozen=True)
class CellProblem:
    """Why a cell could not be read, in Chinese (the field's label is added by the caller)."""

    message: str


def text(value: Any) -> str:
    """A cell as clean text: full-width forms folded (NFKC), ideographic spaces, NBSP and zero-width
    characters gone, trimmed; a whole float shown without ``.0``; None and NaN as ""."""
    if value is None:
        return ""
    if type(value) is int:  # (its digits are already clean text)
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    s = unicodedata.normalize("NFKC", str(value))
    s = s.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(s.split())


def compact(value: Any) -> str:
    """``text`` with every space removed (numbers people wrote in groups: 138 0013 8000)."""
    return "".join(text(value).split())


_SCI = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")


def id_number(value: Any) -> str | CellProblem:
    """A resident ID or credit code as typed; "" when empty. Numbers Excel mangled are refused:
    an 18-digit ID stored as a number has lost its last digits (a double holds 15–16), and a
    17-digit one has usually lost its trailing X."""
    if isinstance(value, bool):
        return CellProblem("不是证件号码")
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        digits = f"{value:.0f}" if isinstance(value, float) else str(value)
        if len(digits) == 17:
            return CellProblem("只有 17 位，末位的 X 可能在 Excel 中丢失；请把该列设为“文本”后补上")
        if len(digits) >= 16:
            return CellProblem(f"被 Excel 存成了数字（显示为 {value:.6g}），后几位已丢失；"
                               "请把该列设为“文本”格式后重新填写证件号码")
        return digits
    s = compact(value).upper()
    if not s:
        return ""
    if _SCI.match(s):
        return CellProblem(f"是科学计数法（{s}），证件号码已被 Excel 改坏；请把该列设为“文本”格式后重新填写")
    s = s.lstrip("'")  # Excel's "store as text" apostrophe, when it is kept
    if len(s) == 17 and s.isdigit():
        return CellProblem("只有 17 位，末位的 X 可能在 Excel 中丢失；请补上末位")
    return s


def phone(value: Any) -> str:
    """A phone number as typed, spaces, dashes and a +86 / 0086 prefix removed ("" when empty)."""
    s = compact(value)
    if isinstance(value, float) and value.is_integer():
        s = str(int(value))
    s = s.replace("-", "").replace("(", "").replace(")", "")
    for prefix in ("+86", "0086"):
        if s.startswith(prefix) and len(s) == len(prefix) + 11:
            s = s[len(prefix):]
    return s


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def a_date(value: Any) -> date | CellProblem | None:
    """A date from a date cell, an Excel serial number, 2026-3-5, 2026/3/5, 2026.3.5, 2026年3月5日
    or 20260305; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=int(value))
        value = text(value)
    s = compact(value)
    if not s:
        return None
    s = s.split(" ")[0].split("T")[0]
    if re.fullmatch(r"\d+(\.0+)?", s) and _SERIAL_RANGE[0] <= float(s) <= _SERIAL_RANGE[1] and len(s) < 8:
        return EXCEL_EPOCH + timedelta(days=int(float(s)))
    for form in _DATE_FORMS:
        m = form.match(s)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return CellProblem(f"“{s}”不是有效的日期")
    return CellProblem(f"“{s[:20]}”不是日期（可写成 2026-03-05、2026.3.5 或 2026年3月5日）")


_MONEY = re.compile(r"^(-?[0-9][0-9,]*(?:\.[0-9]+)?|-?\.[0-9]+)(万元|万|元)?$")


def money_fen(value: Any, *, unit: str = "元") -> int | CellProblem | None:
    """An amount in 分 from a number in ``unit`` (元 or 万元, from the column's header) or text
    with its own unit (1.5万, 15,000元, ¥1,200.50); None when empty."""
    if value is None or value == "":
        return None
    scale = Decimal(10_000) if unit == "万元" else Decimal(1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None if math.isnan(value) else CellProblem("不是金额")
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        s = compact(value).replace("¥", "").replace("￥", "").replace("RMB", "")
        if not s:
            return None
        m = _MONEY.match(s)
        if not m:
            return CellProblem(f"“{s[:20]}”不是金额（可写成 15000、1.5万 或 15,000元）")
        try:
            amount = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            return CellProblem(f"“{s[:20]}”不是金额")
        if m.group(2):
            scale = Decimal(10_000) if m.group(2).startswith("万") else Decimal(1)
    fen = amount * scale * 100
    if fen != fen.to_integral_value():
        return CellProblem("金额精确到分即可（最多两位小数）")
    return int(fen)


def unit_of(header: str) -> str:
    """The money unit a column header names: 万元 for "授信额度（万元）", else 元."""
    return "万元" if "万元" in header or header.endswith("(万)") or "（万）" in header else "元"


_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计|总数|本页合计)")


def is_blank(cells: list[Any]) -> bool:
    return all(not text(c) for c in cells)


# Every character whose NFKC form has a first character of a _TOTAL word (合 小 总 共 累 本): a cell with
# none of them is no total, without folding it (tests/services/test_import_fast_paths.py checks this set).
_TOTAL_CHARS = re.compile("[合小总共累本\u2f29\uf94f\U0001f234\U0001f240]")


def is_subtotal(cells: list[Any]) -> bool:
    """A total row people add under a roster: 合计 / 小计 / 总计 in one of its first cells."""
    return any(_TOTAL.match(compact(c)) for c in cells[:4] if isinstance(c, str) and _TOTAL_CHARS.search(c))


def header_key(value: Any) -> str:
    """A header as compared with the known names: folded, no spaces or punctuation, no "(必填)"-like
    remarks in brackets, no leading "*" or numbering."""
    s = compact(value)
    s = re.sub(r"[（(【\[].*?[）)】\]]", "", s)
    s = re.sub(r"^[*#0-9.、]+", "", s)
    return re.sub(r"[\s:：/\\_\-·.。,，*]", "", s)
