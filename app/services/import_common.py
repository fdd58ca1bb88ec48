"""What every spreadsheet import shares (clients, scenario metrics, whitelist nominations), so one
wizard in the UI and one ``branchdesk import`` command drive them all the same way.

Each kind is a module with the same shape (``app.services.import_clients`` is the model):

* ``TARGETS``: the fields a column can fill, with the header words branches use for them;
* ``load(path, extra, sheet=None, *, header_row=None) -> Loaded``: a sheet read, its header found,
  its mapping guessed or remembered (``load_sheet`` here does the work);
* ``mapping_problems(mapping)``: what is wrong with a mapping, in Chinese;
* an importer whose ``plan(loaded, mapping, on_duplicate, *, progress, cancelled)`` checks every
  row and writes nothing, and whose ``commit(plan, *, progress, cancelled)`` writes the accepted
  rows in one transaction (all or nothing, journaled, audited once with counts);
* ``remember`` (the mapping kept per layout) and ``write_errors`` (the rejected rows, as they were,
  with a reason column, to correct and import again) from here.

A plan is anything with ``loaded`` and ``rejected`` rows that have ``line``, ``cells`` and
``reason``. Nothing of a file's content goes to the log. No Qt.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from app.core import cells
from app.services.import_files import (
    Header,
    ImportFileError,
    Target,
    data_rows,
    find_header,
    header_at,
    layout_key,
    read_rows,
    remembered,
)
from app.store.config import Settings

REASON_HEADER = "导入失败原因"
LINE_HEADER = "原表行号"
MAX_ROWS = 1_000_000
HEADER_ROOM = 50
YUAN, WAN = "元", "万元"
UNITS = (YUAN, WAN)
# What people type in a cell for "nothing this month" (read as an empty cell).
NOTHING = frozenset({"-", "--", "—", "——", "/", "\\", "无", "空", "暂无", "N/A", "n/a", "NA"})


class Cancelled(Exception):
    """The person cancelled; nothing was written."""


@dataclass
class Loaded:
    """A sheet read and its header found: what the mapping step shows."""

    path: Path
    sheet: str | int | None
    rows: list[list[Any]]
    header: Header
    mapping: dict[int, str]  # column -> target key
    remembered: bool  # the mapping came from a file of the same layout
    layout: str

    @property
    def count(self) -> int:
        return len(data_rows(self.rows, self.header))


@dataclass
class Outcome:
    """One data row's fate, as every kind reports it (a kind adds what it shows)."""

    line: int  # as the spreadsheet numbers it
    cells: list[Any]
    status: str
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


REJECTED = "rejected"  # the status of a refused row, in every kind


@dataclass
class PlanBase:
    """What every kind's plan holds and answers: the rows checked (nothing written), by status.
    A kind's ``Plan`` sets ``STATUSES`` (status -> label, in the order shown) and adds its own."""

    STATUSES: ClassVar[Mapping[str, str]] = {}

    loaded: Loaded
    on_duplicate: str
    rows: list[Any]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(self.STATUSES, 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def rejected(self) -> list[Any]:
        return [r for r in self.rows if r.status == REJECTED]


class _Row(Protocol):
    line: int
    cells: list[Any]

    @property
    def reason(self) -> str: ...


class _Plan(Protocol):
    loaded: Loaded

    @property
    def rejected(self) -> Sequence[_Row]: ...


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a sheet is read, checked or committed, on again after (if it
    was). Those steps make a million objects that all live on (rows, cells, outcomes, drafts) and no
    cycles; every collection the allocations trigger walks all of them again: a third of the time of
    reading and checking 100,000 rows (tests/perf/test_import_perf.py). Memory is still freed by
    reference counting."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_sheet(path: Path, extra: Mapping[str, Any], sheet: str | int | None, header_row: int | None, *,
               kind: str, targets: Sequence[Target]) -> Loaded:
    """Read ``sheet`` of ``path``, find its header among ``targets`` (or take ``header_row``, 0-based,
    as a person chose it) and guess its mapping, or take the one remembered for this layout of
    ``kind``. ImportFileError (Chinese) when it cannot."""
    with gc_paused():
        rows = read_rows(path, sheet)
    if len(rows) > MAX_ROWS + HEADER_ROOM:
        raise ImportFileError(f"表格有 {len(rows):,} 行，超过一次导入的上限 {MAX_ROWS:,} 行：请分成几个文件。")
    if header_row is not None:
        if not 0 <= header_row < len(rows):
            raise ImportFileError(f"表头行应在第 1 到 {len(rows)} 行之间。")
        header: Header | None = header_at(rows, header_row, targets)
    else:
        header = find_header(rows, targets)
    if header is None:
        raise ImportFileError("这个工作表是空的（前 20 行没有任何文字），请检查是否选错了工作表。")
    key = layout_key(kind, header)
    saved = remembered(extra, key)
    keys = {t.key for t in targets}
    usable = saved is not None and all(0 <= c < len(header.texts) and t in keys for c, t in saved.items())
    return Loaded(path, sheet, rows, header, dict(saved) if usable and saved else dict(header.guess), usable, key)


def mapping_problems(mapping: Mapping[int, str], targets: Sequence[Target]) -> list[str]:
    """What is wrong with a mapping, in Chinese (empty when it can be used): a key no target has,
    a target given two columns, a required target without a column."""
    by_key = {t.key: t for t in targets}
    out = []
    seen: dict[str, int] = {}
    for col, key in mapping.items():
        if key not in by_key:
            out.append(f"第 {col + 1} 列：没有“{key}”这一项")
        elif key in seen:
            out.append(f"“{by_key[key].label}”对应了两列（第 {seen[key] + 1} 列和第 {col + 1} 列）")
        else:
            seen[key] = col
    for t in targets:
        if t.required and t.key not in seen:
            out.append(f"必须指定哪一列是“{t.label}”")
    return out


def remember(settings: Settings, data_dir: Path, loaded: Loaded, mapping: Mapping[int, str]) -> None:
    """Keep the mapping for files of the same layout (column positions and target keys only)."""
    saved = dict(settings.extra.get("import_mappings") or {})
    saved[loaded.layout] = {str(c): k for c, k in sorted(mapping.items())}
    settings.extra["import_mappings"] = saved
    settings.save(data_dir)


def write_errors(plan: _Plan, path: Path, extra: Sequence[tuple[str, Any]] = ()) -> int:
    """The rejected rows as they were in the file (under its header) with a reason column, as xlsx, so a
    person corrects just those and imports this file again. ``extra``: (heading, value) columns that
    the file said once, outside its rows (the month in a title), added before the reason so the file
    stands on its own. Written whole or not at all. Returns rows."""
    from openpyxl import Workbook

    header = plan.loaded.header
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导入失败的行")
    width = len(header.texts)
    ws.append([*header.texts, *(h for h, _v in extra), REASON_HEADER, LINE_HEADER])
    rows = plan.rejected
    for r in rows:
        values = [plain(c) for c in r.cells[:width]] + [None] * (width - len(r.cells[:width]))
        ws.append([*values, *(v for _h, v in extra), r.reason, r.line])
    tmp = path.with_name(path.name + ".part")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ImportFileError(f"无法写入 {path}：{exc.strerror or type(exc).__name__}。") from exc
    return len(rows)


def plain(value: Any) -> Any:
    """A cell for the error file: ID-like numbers as text (so Excel does not mangle them again)."""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e10:
        return f"{value:.0f}"
    if isinstance(value, int) and abs(value) >= 10**10:
        return str(value)
    return value


def column_of(mapping: Mapping[int, str], key: str) -> int | None:
    return next((c for c, k in mapping.items() if k == key), None)


def cell_of(row: Sequence[Any], col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def is_nothing(value: Any) -> bool:
    """An empty cell, or one saying "nothing" (-, —, /, 无)."""
    t = cells.compact(value)
    return not t or t in NOTHING


def header_texts(loaded: Loaded, col: int) -> str:
    """All the header says about a column: the merged cell above it as well, in a header over two
    rows or a row of group headings above it (where a unit like “金额（万元）” spans the columns
    under it; a title, alone in its row, is not one)."""
    text = loaded.header.texts[col] if col < len(loaded.header.texts) else ""
    above_row = loaded.header.row - 1
    upper = loaded.rows[above_row] if above_row >= 0 else []
    grouped = loaded.header.rows == 2 or sum(1 for c in upper if cells.text(c)) >= 2
    if grouped and upper:
        above = ""
        for i in range(min(col, len(upper) - 1), -1, -1):  # a merged cell's text is in its first column
            above = cells.text(upper[i])
            if above:
                break
        if above and above != text:
            text = f"{above} {text}"
    return text


def unit_named(header: str) -> str | None:
    """The money unit a header states: 万元 for “金额（万元）” or “(万)”, 元 for “金额（元）”, else None."""
    if cells.unit_of(header) == WAN:
        return WAN
    if re.search(r"[（(]\s*元\s*[）)]|元\s*$|单位\s*[:：]?\s*元", cells.text(header)):
        return YUAN
    return None


_UNIT_NOTE = re.compile(r"单位\s*[:：]?\s*(万元|元)")


def unit_stated(loaded: Loaded) -> str | None:
    """The unit a note above the table states for all its amounts (“单位：万元”), if one does."""
    first = loaded.header.row - loaded.header.rows + 1
    found = {m.group(1) for row in loaded.rows[:first] for c in row if isinstance(c, str)
             for m in _UNIT_NOTE.finditer(cells.compact(c))}
    return found.pop() if len(found) == 1 else None


def column_unit(loaded: Loaded, col: int, given: str | None) -> str | None:
    """The unit of a money column: what its header says, else what the cell above it says, else
    a “单位：万元” note above the table, else ``given`` (the person's choice); None when nothing does."""
    text = loaded.header.texts[col] if col < len(loaded.header.texts) else ""
    return unit_named(text) or unit_named(header_texts(loaded, col)) or unit_stated(loaded) or given


def unit_choice(text: str | None) -> str | ValueError | None:
    """A unit as a person gives it (元, 万元, 万, yuan, wan) as 元 or 万元; None when not given;
    a ValueError (Chinese) when it is neither."""
    if text is None or not str(text).strip():
        return None
    t = cells.compact(text).lower()
    if t in ("元", "yuan", "rmb"):
        return YUAN
    if t in ("万元", "万", "wan"):
        return WAN
    return ValueError(f"金额单位只能是“元”或“万元”，不认识“{str(text).strip()}”")


def tick(n: int, total: int, progress: Callable[[int, int], None] | None,
         cancelled: Callable[[], bool] | None) -> None:
    """Report progress now and then, and stop (``Cancelled``) when the person asked."""
    if cancelled is not None and n % 500 == 0 and cancelled():
        raise Cancelled()
    if progress is not None and n % 1000 == 0:
        progress(n, total)


def joined_cjk(text: str) -> str:
    """A name as people type it: spaces inside a Chinese name (陈　小　兰) dropped."""
    return "".join(text.split()) if any("\u4e00" <= ch <= "\u9fff" for ch in text) else text


class Rollback(Exception):
    """Raised inside a trial transaction so that nothing of it is kept."""
