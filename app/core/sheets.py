"""Keying a returned worksheet back (回录): what a scanned QR code or a typed sheet number
means, and what a row's keyed code means. Pure functions; no I/O.

A row is keyed as ``WR`` or ``WR MMDD`` (digits, then Enter): ``W`` the visit way ticked
on paper, ``R`` the result ticked, ``MMDD`` the next follow-up date if one was written
(this year, or next year when that day has passed). ``0`` keys a row that was not visited:
the row counts as done and nothing is written. The digits are printed beside each box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.core.errors import FieldError

# the boxes of 拜访方式 on paper, numbered, and the contact channel each is logged as
WAYS: dict[str, tuple[str, str]] = {
    "1": ("visit", "直接登门"),
    "2": ("invite", "邀约登门"),
    "3": ("phone", "电话"),
    "4": ("wechat", "微信/网络"),
    "5": ("sms", "短信"),
    "6": ("other", "其他"),
}
# 跟进情况 on the marketing and follow-up sheets: the outcome a contact is logged with
RESULTS: dict[str, str] = {"1": "已联系", "2": "有意向", "3": "已办理", "4": "拒绝", "5": "无法联系"}
# 营销结果 on the whitelist visit sheet: the entry's new status
WHITELIST_RESULTS: dict[str, tuple[str, str]] = {
    "1": ("contacted", "已联系"),
    "2": ("interested", "有意向"),
    "3": ("applied", "已申请"),
    "4": ("refused", "拒绝"),
    "5": ("unreachable", "无法联系"),
}

NUMBER = re.compile(r"^([MFWS]\d{6}-\d{4,})(?::(\d{1,6}))?$")
KEY = re.compile(r"^(?:0|([1-9])([1-9])(?:\s+(\d{4}))?)$")


def ways_boxes() -> str:
    """The 拜访方式 boxes as printed, two to a line."""
    boxes = [f"□{k}{label}" for k, (_c, label) in WAYS.items()]
    return "\n".join(" ".join(boxes[i:i + 2]) for i in range(0, len(boxes), 2))


def results_boxes(whitelist: bool = False) -> str:
    labels = [label for _v, label in WHITELIST_RESULTS.values()] if whitelist else list(RESULTS.values())
    boxes = [f"□{i}{label}" for i, label in enumerate(labels, 1)]
    return " ".join(boxes[:3]) + "\n" + " ".join(boxes[3:])


def parse_scan(text: str) -> tuple[str, int | None] | None:
    """A scanned QR code (``M261202-0001:17``) or a typed sheet number (``M261202-0001``):
    (sheet number, row or None); None if it is neither. Scanners in a Chinese input method
    may send full-width colons, and lower case: both are taken."""
    t = (text or "").strip().upper().replace("：", ":")
    m = NUMBER.match(t)
    if not m:
        return None
    return m.group(1), int(m.group(2)) if m.group(2) else None


@dataclass(frozen=True)
class Keyed:
    visited: bool
    way: str = ""  # the contact channel value
    result: str = ""  # the result digit, "1"…"5"
    next_date: date | None = None

    def describe(self, whitelist: bool = False) -> str:
        if not self.visited:
            return "未走访"
        way = next(label for c, label in WAYS.values() if c == self.way)
        res = WHITELIST_RESULTS[self.result][1] if whitelist else RESULTS[self.result]
        return f"{way}，{res}" + (f"，下次 {self.next_date.isoformat()}" if self.next_date else "")


def parse_key(text: str, today: date) -> Keyed | FieldError:
    """A row's keyed code; a clear message naming what is wrong otherwise."""
    t = " ".join((text or "").split())
    m = KEY.match(t)
    if not m:
        return FieldError("outcome", "回录结果", "format",
                          f"“{text.strip()}”不是回录结果：应为“方式 结果 [月日]”，"
                          "如 32 或 32 1215；未走访填 0。")
    if t == "0":
        return Keyed(False)
    way, result, mmdd = m.groups()
    if way not in WAYS:
        return FieldError("outcome", "拜访方式", "choice", f"拜访方式应为 1–{len(WAYS)}，实际为 {way}。")
    if result not in RESULTS:
        return FieldError("outcome", "跟进情况", "choice", f"跟进情况应为 1–{len(RESULTS)}，实际为 {result}。")
    nxt = None
    if mmdd:
        try:
            nxt = date(today.year, int(mmdd[:2]), int(mmdd[2:]))
        except ValueError:
            return FieldError("next_date", "下次跟进日期", "date",
                              f"“{mmdd}”不是有效的月日（如 1215 表示 12 月 15 日）。")
        if nxt <= today:
            try:
                nxt = nxt.replace(year=today.year + 1)
            except ValueError:  # 29 February
                return FieldError("next_date", "下次跟进日期", "date", f"明年没有 {mmdd[:2]} 月 {mmdd[2:]} 日。")
    return Keyed(True, WAYS[way][0], result, nxt)
