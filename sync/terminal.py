"""Terminal output shared by both command lines (``branchdesk`` and ``branchdesk-hq``).

argparse's own words in Chinese, and tables aligned by display width (a hanzi
takes two columns). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

# argparse looks its strings up through the module-level ``_`` (and ``ngettext``) at
# call time, so replacing those two functions translates usage, errors and section
# titles; anything not listed stays as argparse wrote it.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项值 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "ignored explicit argument %r": "多余的值 %r",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}


def chinese_argparse() -> None:
    """Make argparse speak Chinese (process-wide; call before building a parser)."""

    def zh(message: str) -> str:
        return ARGPARSE_ZH.get(message, message)

    def zh_n(singular: str, plural: str, n: int) -> str:
        return zh(singular if n == 1 else plural)

    argparse._ = zh  # type: ignore[attr-defined]
    argparse.ngettext = zh_n  # type: ignore[attr-defined]


def width(text: str) -> int:
    """Columns a text takes in a terminal: a hanzi takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row(cells: Sequence[str], widths: Sequence[int], *, left: int = 2) -> str:
    """A table row: the first ``left`` cells left-aligned, the rest (numbers) right-aligned."""
    out = []
    for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
        gap = " " * max(0, w - width(cell))
        out.append(cell + gap if i < left else gap + cell)
    return "  ".join(out)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, left: int | None = None,
          max_width: int = 40) -> str:
    """A whole table, each column as wide as its widest cell (cut at ``max_width`` with …).
    ``left``: how many leading columns are text (default: all)."""
    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        if width(text) <= max_width:
            return text
        out = ""
        for ch in text:
            if width(out + ch) > max_width - 1:
                break
            out += ch
        return out + "…"

    body = [[cell(v) for v in r] for r in rows]
    widths = [max([width(h), *(width(r[i]) for r in body)]) for i, h in enumerate(headers)]
    n = len(headers) if left is None else left
    lines = [row(list(headers), widths, left=n).rstrip()]
    lines += [row(r, widths, left=n).rstrip() for r in body]
    return "\n".join(lines)


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
