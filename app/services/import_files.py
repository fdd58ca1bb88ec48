"""Reading the spreadsheets branches have: xlsx, xls, WPS et, ods, csv and txt, and finding their header.

Excel-family files are read through pandas with the calamine engine (Rust;
several times faster than openpyxl on a large roster, see
tests/perf/test_import_perf.py), cells keeping their types (numbers, dates,
text). csv and txt are decoded as UTF-8 (with or without BOM) or, failing
that, GB18030 (a superset of GBK, what Excel and WPS write for "CSV" on a
Chinese Windows), their delimiter sniffed. ``find_header`` picks the header
row by the names it knows, joining a header over two rows (merged cells) when
that names more columns. Runs on a worker thread; nothing of a file's content
is logged.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import cells

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ett", ".ods", ".xlsb")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
SUFFIXES = EXCEL_SUFFIXES + TEXT_SUFFIXES
HEADER_SCAN = 20  # rows searched for the header


class ImportFileError(Exception):
    """A file that cannot be read, with the reason in Chinese."""


def _check(path: Path) -> None:
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path}。")
    if path.is_dir():
        raise ImportFileError(f"{path} 是文件夹，请选择表格文件。")
    if path.suffix.lower() not in SUFFIXES:
        raise ImportFileError(f"不支持“{path.suffix or '无扩展名'}”文件：请用 xlsx、xls、et（WPS）、ods、csv 或 txt。")


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook (a text file has one, named after the file)."""
    _check(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return [path.stem]
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine raises its own types for damaged or encrypted files
        raise ImportFileError(_why(path, exc)) from exc


def _why(path: Path, exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return f"{path.name} 设有打开密码，请在 Excel 或 WPS 中另存为无密码的文件后再导入。"
    if isinstance(exc, PermissionError):
        return f"无法读取 {path.name}：没有读取权限，或文件正被 Excel / WPS 以独占方式打开。"
    return f"无法读取 {path.name}：文件已损坏，或不是它的扩展名所说的格式（{name}）。"


def read_rows(path: Path, sheet: str | int | None = None) -> list[list[Any]]:
    """Every row of one sheet (the first by default), cells as read: str, int, float, bool, date,
    datetime or None. Rows keep their length up to the last non-empty cell of the sheet."""
    _check(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return _read_text(path)
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None, engine="calamine",
                              dtype=object)
    except (ValueError, IndexError) as exc:
        said = str(exc).lower()
        if isinstance(sheet, int) and (isinstance(exc, IndexError) or "worksheet" in said or "index" in said):
            raise ImportFileError(f"{path.name} 中没有第 {sheet + 1} 个工作表{_sheets_of(path)}。") from exc
        if "not found" in said or "worksheet" in said:
            raise ImportFileError(f"{path.name} 中没有工作表“{sheet}”{_sheets_of(path)}。") from exc
        raise ImportFileError(_why(path, exc)) from exc
    except Exception as exc:
        raise ImportFileError(_why(path, exc)) from exc
    rows = frame.to_numpy(dtype=object, na_value=None).tolist()
    for row in rows:
        for i, v in enumerate(row):
            if v is None or type(v) is str or type(v) is int:  # most cells: nothing to convert
                continue
            if isinstance(v, float) and math.isnan(v):
                row[i] = None
            elif hasattr(v, "to_pydatetime"):  # pandas Timestamp
                row[i] = v.to_pydatetime()
    return rows


def _sheets_of(path: Path) -> str:
    """“（有：第一页、第二页）” for a message about a sheet that is not there ("" when unreadable)."""
    try:
        names = sheet_names(path)
    except ImportFileError:
        return ""
    shown = "、".join(names[:10]) + ("……" if len(names) > 10 else "")
    return f"（共 {len(names)} 个：{shown}）" if names else ""


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件的文字编码（既不是 UTF-8 也不是 GBK）："
                          "请在 Excel 或 WPS 中另存为 xlsx 后再导入。")


def _read_text(path: Path) -> list[list[Any]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(_why(path, exc)) from exc
    text = _decode(raw)
    sample = text[:64 * 1024]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = "excel-tab" if "\t" in sample else "excel"
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return [[c if c != "" else None for c in r] for r in rows]


# --- the header --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field an import fills, and the header words branches use for it."""

    key: str
    label: str
    names: tuple[str, ...]  # compared after cells.header_key; one-character names only match exactly
    required: bool = False


def match(header: str, targets: Sequence[Target]) -> Target | None:
    """The target a header names: an exact name first, then the longest name it contains."""
    key = cells.header_key(header)
    if not key:
        return None
    for t in targets:
        if key in t.names:
            return t
    best: tuple[int, Target] | None = None
    for t in targets:
        for name in t.names:
            if len(name) > 1 and name in key and (best is None or len(name) > best[0]):
                best = (len(name), t)
    return best[1] if best else None


@dataclass
class Header:
    """Where the header is, its texts per column, and the data rows under it."""

    row: int  # index of the (last) header row
    rows: int  # 1, or 2 for a header over two rows
    texts: list[str]  # one per column
    guess: dict[int, str] = field(default_factory=dict)  # column -> target key

    @property
    def first_data_row(self) -> int:
        return self.row + 1


def _guess(texts: Sequence[str], targets: Sequence[Target]) -> dict[int, str]:
    out: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(texts):
        t = match(h, targets)
        if t is not None and t.key not in taken:
            out[i] = t.key
            taken.add(t.key)
    return out


def _joined(upper: Sequence[Any], lower: Sequence[Any], width: int) -> list[str]:
    """A header over two rows: a merged cell's text (left, spanning right) over the row below."""
    top: list[str] = []
    last = ""
    for i in range(width):
        t = cells.text(upper[i]) if i < len(upper) else ""
        last = t or last
        top.append(t or last)
    out = []
    for i in range(width):
        below = cells.text(lower[i]) if i < len(lower) else ""
        out.append(below or top[i])
    return out


def header_at(rows: Sequence[Sequence[Any]], row: int, targets: Sequence[Target]) -> Header:
    """The header a person pointed at (row index), with the guess for its texts."""
    width = max((len(r) for r in rows[: HEADER_SCAN + 1]), default=0)
    texts = [cells.text(c) for c in rows[row]] + [""] * (width - len(rows[row]))
    return Header(row, 1, texts, _guess(texts, targets))


def find_header(rows: Sequence[Sequence[Any]], targets: Sequence[Target]) -> Header | None:
    """The row (or two rows) among the first ``HEADER_SCAN`` that names the most targets (at least
    two); else the first row with text (its columns left for a person to map); None for an empty sheet."""
    best: Header | None = None
    width = max((len(r) for r in rows[: HEADER_SCAN + 1]), default=0)
    for r in range(min(HEADER_SCAN, len(rows))):
        texts = [cells.text(c) for c in rows[r]] + [""] * (width - len(rows[r]))
        candidates = [Header(r, 1, texts, _guess(texts, targets))]
        if r > 0 and not cells.is_blank(list(rows[r - 1])):
            joined = _joined(rows[r - 1], rows[r], width)
            candidates.append(Header(r, 2, joined, _guess(joined, targets)))
        for h in candidates:
            if len(h.guess) >= 2 and (best is None or len(h.guess) > len(best.guess)):
                best = h
    if best is None:
        first = next((r for r in range(min(HEADER_SCAN, len(rows))) if not cells.is_blank(list(rows[r]))), None)
        return None if first is None else header_at(rows, first, targets)
    return best


def data_rows(rows: Sequence[Sequence[Any]], header: Header) -> list[tuple[int, list[Any]]]:
    """(line number as the spreadsheet shows it, cells) of each data row: blank rows, total rows and
    the header repeated (a printed roster's pages) left out."""
    heads = [cells.header_key(t) for t in header.texts]
    first = next((i for i, h in enumerate(heads) if h), None)  # a repeated header has this cell's text
    out = []
    for n in range(header.first_data_row, len(rows)):
        row = list(rows[n])
        if cells.is_blank(row) or cells.is_subtotal(row):
            continue
        if (first is not None and first < len(row) and isinstance(row[first], str)
                and cells.header_key(row[first]) == heads[first]
                and [cells.header_key(c) for c in row[: len(heads)]] == heads[: len(row)]):
            continue
        out.append((n + 1, row))
    return out


def layout_key(kind: str, header: Header) -> str:
    """What identifies a file layout (its header texts) to remember its column mapping by."""
    import hashlib

    text = kind + "\x1f" + "\x1f".join(cells.header_key(t) for t in header.texts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def remembered(extra: Mapping[str, Any], key: str) -> dict[int, str] | None:
    """A mapping saved for this layout (settings.json, ``import_mappings``): column -> target key."""
    raw = (extra.get("import_mappings") or {}).get(key)
    if not isinstance(raw, dict):
        return None
    try:
        return {int(c): str(t) for c, t in raw.items()}
    except (TypeError, ValueError):
        return None
