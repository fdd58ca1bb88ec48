"""How a record kind is declared, and the rules both sides derive from a declaration.

A ``Kind`` is a tuple of ``Column`` declarations in wire order. Everything that
handles records of that kind is derived from it: the branch's local table and
row mapping (``app.store.kinds``), the bulk writer and the sync apply, the wire
columns, head office's validation and the OpenAPI schema (``sync.server``).
Head office and the branch import the *same* checks from here, so a value one
side accepts the other never refuses for a different reason.

Standard library only: the branch client and the head-office service both
import it, and neither drags the other's dependencies in.

Two kinds of rule live here:

* **values** (``Kind.problems``): the type, length, allowed values and
  character set of each column; NUL, control and format characters, lone
  surrogates, NaN and infinities are refused everywhere;
* **ownership** (``branch_change_problem``): which columns a branch may set,
  on which records, with which operation.

Reasons are Chinese sentences that name the field: the branch shows them to
the person who made the change.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any


class T(StrEnum):
    """Value types on the wire (JSON) and how each is stored locally."""

    TEXT = "text"  # str; one line unless ``multiline``
    CODE = "code"  # str: an ASCII identifier (codes, uids, batch names)
    INT = "int"  # int within [lo, hi]
    MONEY = "money"  # int fen, >= 0
    BOOL = "bool"
    DATE = "date"  # "YYYY-MM-DD"
    ENUM = "enum"  # one of ``choices``
    REF = "ref"  # the uid of a record of kind ``ref``
    LIST = "list"  # list of ``item`` values (CODE or TEXT), no duplicates
    JSON = "json"  # a JSON object or array of bounded size and depth


class Owner(StrEnum):
    """Who may set a column: head office, the branch, or both (order of receipt)."""

    HQ = "hq"
    BRANCH = "branch"
    SHARED = "shared"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a value or a change is refused: the column, a stable code, a Chinese sentence."""

    field: str
    code: str
    message: str
    status: int = 400  # 400 a wrong value, 403 not the branch's to set, 404/409 record state

    def __str__(self) -> str:
        return self.message


MAX_INT = 2**53  # exact in JSON numbers everywhere, fits PostgreSQL BIGINT
MAX_MONEY_FEN = 10**15  # 10 trillion yuan
_CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.:\-]*\Z")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# General categories a stored text may never contain: control (C0/C1), format
# (bidi overrides, zero-width), surrogates, private use, unassigned, and the
# line/paragraph separators. A multi-line text may hold \n, \r and \t.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_LINE_BREAKS = frozenset("\n\r\t")


def bad_char(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not contain, or None. Fast for ordinary text."""
    if text.isprintable():
        return None  # printable implies none of the bad categories
    for ch in text:
        if multiline and ch in _LINE_BREAKS:
            continue
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            return ch
    return None


def _show(ch: str) -> str:
    return f"U+{ord(ch):04X}"


@dataclass(frozen=True)
class Column:
    """One column of a kind, as it travels on the wire (``name``) and is stored at the branch.

    ``local``: the attribute/column name at the branch when it differs (a
    reference stored as the local row id: ``village`` -> ``village_id``).
    ``local_ref``: the branch stores the referenced row's local id, not its uid.
    ``link``: stored at the branch in a link table, not a column (client tags).
    ``provisional``: owned by head office, but the branch may set it while the
    record has no ``Kind.provisional_key`` value (a prospect's name and ID).
    ``branch_value``: the only value a branch-created record may carry (a
    branch's own tag has source "branch"). A kind with such a column (its
    ``source_column``) has records of two owners: the ones holding that value are
    the branch's own, every column of them the branch's (its code excepted, which
    never changes); the others are head office's, changed only in the columns the
    branch owns by ``owner``, and never deleted.
    ``own_ref``: in a record the branch writes, this reference may name only a
    record of the branch's own (its ``source_column`` holds the branch value): a
    branch adds targets to its local campaigns only.
    ``mask``: personal data shown masked on screen and paper unless a role reveals
    it: "id" (first 6 and last 4 characters) or "mobile" (first 3 and last 4).
    """

    name: str
    type: T
    label: str
    owner: Owner = Owner.HQ
    required: bool = False
    null: bool = True
    default: Any = None
    max_len: int | None = None  # TEXT/CODE: characters; LIST: items; JSON: bytes of its JSON text
    item: T | None = None  # LIST: CODE or TEXT
    item_len: int = 64
    choices: tuple[Choice, ...] = ()
    ref: str | None = None
    lo: int = -MAX_INT
    hi: int = MAX_INT
    multiline: bool = False
    pattern: str | None = None
    pattern_hint: str = ""
    provisional: bool = False
    branch_value: Any = None
    own_ref: bool = False
    local: str | None = None
    local_ref: bool = False
    link: bool = False
    mask: str | None = None

    @property
    def local_name(self) -> str:
        return self.local or self.name

    @property
    def choice_values(self) -> frozenset[str]:
        return frozenset(c.value for c in self.choices)

    @property
    def empty(self) -> Any:
        """The value a column holds when nothing was set."""
        if self.default is not None:
            return self.default
        if not self.null:
            return {T.BOOL: False, T.MONEY: 0, T.INT: 0, T.LIST: [], T.TEXT: "", T.JSON: {}}.get(self.type)
        return None

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {} or value == self.empty

    # --- checks ----------------------------------------------------------------------

    @cached_property
    def ok(self) -> Callable[[Any], bool]:
        """A fast yes/no check of one wire value (the hot path of every pull and push)."""
        return _fast_check(self)

    def problem(self, value: Any) -> Problem | None:
        """Why ``value`` may not be stored in this column, or None."""
        if self.ok(value):
            return None
        return self._why(value) or Problem(self.name, "invalid", f"{self.label}的值不符合要求。")

    def _why(self, v: Any) -> Problem | None:
        label, name = self.label, self.name

        def p(code: str, message: str) -> Problem:
            return Problem(name, code, message)

        if v is None:
            if self.required or not self.null:
                return p("required", f"{label}不能为空。")
            return None
        t = self.type
        if t in (T.TEXT, T.CODE, T.REF, T.ENUM, T.DATE):
            if not isinstance(v, str):
                return p("type", f"{label}应为文字，收到的是{_json_type(v)}。")
            if t == T.TEXT:
                bad = bad_char(v, multiline=self.multiline)
                if bad is not None:
                    return p("character", f"{label}含有不允许的字符（{_show(bad)}，控制符或不可见字符）。")
                if self.required and not v.strip():
                    return p("required", f"{label}不能为空。")
                if self.max_len is not None and len(v) > self.max_len:
                    return p("length", f"{label}最多 {self.max_len} 个字，收到 {len(v)} 个。")
                if self.pattern and not re.fullmatch(self.pattern, v):
                    return p("format", f"{label}格式不正确{('：' + self.pattern_hint) if self.pattern_hint else ''}。")
            elif t in (T.CODE, T.REF):
                limit = self.max_len or 64
                if not v and (self.required or not self.null):
                    return p("required", f"{label}不能为空。")
                if v and not _CODE_RE.match(v):
                    return p("format", f"{label}只能由字母、数字和 _ . : - 组成。")
                if len(v) > limit:
                    return p("length", f"{label}最多 {limit} 个字符。")
            elif t == T.ENUM:
                if v not in self.choice_values:
                    choices = "、".join(f"{c.value}（{c.label}）" for c in self.choices)
                    return p("choice", f"{label}只能是：{choices}；不认识“{_clip(v)}”。")
            elif t == T.DATE and not _valid_date(v):
                return p("date", f"{label}应为 YYYY-MM-DD 格式的真实日期，收到“{_clip(v)}”。")
            return None
        if t in (T.INT, T.MONEY):
            if type(v) is not int:
                return p("type", f"{label}应为整数，收到的是{_json_type(v)}。")
            lo, hi = (0, MAX_MONEY_FEN) if t == T.MONEY else (self.lo, self.hi)
            if not lo <= v <= hi:
                what = "金额（分）" if t == T.MONEY else "数值"
                return p("range", f"{label}的{what}应在 {lo} 到 {hi} 之间。")
            return None
        if t == T.BOOL:
            if type(v) is not bool:
                return p("type", f"{label}应为是/否（true/false），收到的是{_json_type(v)}。")
            return None
        if t == T.LIST:
            if not isinstance(v, list):
                return p("type", f"{label}应为列表，收到的是{_json_type(v)}。")
            if self.max_len is not None and len(v) > self.max_len:
                return p("length", f"{label}最多 {self.max_len} 项。")
            item = Column(name, self.item or T.CODE, label, null=False, required=True, max_len=self.item_len)
            for x in v:
                why = item.problem(x)
                if why is not None:
                    return p(why.code, f"{label}中的一项不符合要求：{why.message}")
            if len(set(v)) != len(v):
                return p("duplicate", f"{label}中有重复的项。")
            return None
        if t == T.JSON:
            why = json_value_problem(v, depth=0)
            if why:
                return p("json", f"{label}：{why}")
            limit = self.max_len or 20_000
            if len(json.dumps(v, ensure_ascii=False)) > limit:
                return p("length", f"{label}过大（最多 {limit} 字节）。")
            return None
        return p("type", f"{label}的类型未知。")  # pragma: no cover - every T is handled above


def _clip(v: str, n: int = 20) -> str:
    v = "".join(ch if ch.isprintable() else "?" for ch in v[: n + 1])
    return v if len(v) <= n else v[:n] + "…"


def _json_type(v: Any) -> str:
    if isinstance(v, bool):
        return "是/否"
    if isinstance(v, int):
        return "整数"
    if isinstance(v, float):
        return "小数"
    if isinstance(v, str):
        return "文字"
    if isinstance(v, list):
        return "列表"
    if isinstance(v, dict):
        return "对象"
    return type(v).__name__


def _valid_date(v: str) -> bool:
    if not _DATE_RE.match(v):
        return False
    try:
        d = date.fromisoformat(v)
    except ValueError:
        return False
    return 1900 <= d.year <= 2200


def json_value_problem(v: Any, depth: int = 0) -> str | None:
    """Why ``v`` is not a storable JSON value (NaN, infinities, bad characters, too deep), or None."""
    if depth > 5:
        return "嵌套过深（最多 5 层）。"
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return None if -MAX_INT <= v <= MAX_INT else "整数超出范围。"
    if isinstance(v, float):
        return None if math.isfinite(v) else "含有 NaN 或无穷大。"
    if isinstance(v, str):
        bad = bad_char(v, multiline=True)
        return None if bad is None else f"含有不允许的字符（{_show(bad)}）。"
    if isinstance(v, list):
        for x in v:
            why = json_value_problem(x, depth + 1)
            if why:
                return why
        return None
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str) or len(k) > 64 or bad_char(k) is not None:
                return "键名应为不超过 64 个字的文字。"
            why = json_value_problem(x, depth + 1)
            if why:
                return why
        return None
    return f"不支持的值类型 {type(v).__name__}。"


MAX_SEQ = 2**62


def _column_expr(c: Column, v: str, env: dict[str, Any], i: int) -> str:
    """One column's check as a Python expression over the variable ``v`` (for ``compile_row_check``)."""
    t = c.type
    nullable = c.null and not c.required
    if t == T.TEXT:
        limit = c.max_len if c.max_len is not None else 10**9
        env["_bad_char"] = bad_char
        printable = f"({v}.isprintable() or _bad_char({v}, multiline={c.multiline}) is None)"
        expr = f"type({v}) is str and len({v}) <= {limit} and {printable}"
        if c.required:
            expr += f" and {v}.strip() != ''"
        if c.pattern:
            env[f"_rx{i}"] = re.compile(c.pattern).fullmatch
            expr += f" and _rx{i}({v}) is not None"
    elif t in (T.CODE, T.REF):
        env["_code"] = _CODE_RE.match
        needs = c.required or not c.null
        empty_ok = "False" if needs else f"{v} == ''"
        expr = f"type({v}) is str and len({v}) <= {c.max_len or 64} and ({empty_ok} or _code({v}) is not None)"
    elif t == T.ENUM:
        env[f"_choices{i}"] = c.choice_values
        expr = f"type({v}) is str and {v} in _choices{i}"
    elif t in (T.INT, T.MONEY):
        lo, hi = (0, MAX_MONEY_FEN) if t == T.MONEY else (c.lo, c.hi)
        expr = f"type({v}) is int and {lo} <= {v} <= {hi}"
    elif t == T.BOOL:
        expr = f"type({v}) is bool"
    else:  # DATE, LIST, JSON: the column's own check
        env[f"_ok{i}"] = c.ok
        return f"_ok{i}({v})"
    return f"(({v} is None) or ({expr}))" if nullable else f"({expr})"


def compile_row_check(kind: Kind) -> Callable[[Sequence[Any]], bool]:
    """A generated check of ``[seq, uid, deleted, *values]`` for one kind (see ``Kind.check_row``)."""
    names = [f"v{i}" for i in range(len(kind.columns))]
    env: dict[str, Any] = {"_code": _CODE_RE.match}
    exprs = [
        f"type(seq) is int and 0 < seq <= {MAX_SEQ}",
        "type(uid) is str and 0 < len(uid) <= 64 and _code(uid) is not None",
        "(deleted is True or deleted is False or (type(deleted) is int and 0 <= deleted <= 1))",
        *(_column_expr(c, n, env, i) for i, (c, n) in enumerate(zip(kind.columns, names, strict=True))),
    ]
    body = " and\n        ".join(exprs)
    source = (
        f"def check_{kind.name}(row):\n"
        f"    if len(row) != {3 + len(names)}:\n"
        f"        return False\n"
        f"    seq, uid, deleted, {', '.join(names)}, = row\n"
        f"    return bool(\n        {body}\n    )\n"
    )
    exec(compile(source, f"<row check of {kind.name}>", "exec"), env)
    fn = env[f"check_{kind.name}"]
    fn.__doc__ = source
    return fn


def _fast_check(c: Column) -> Callable[[Any], bool]:
    """A yes/no check per column, built once. Every rule of ``Column._why``, fast path first."""
    nullable = c.null and not c.required
    t = c.type
    if t == T.TEXT:
        limit = c.max_len if c.max_len is not None else 10**9
        required, multiline = c.required, c.multiline
        rx = re.compile(c.pattern) if c.pattern else None

        def check(v: Any) -> bool:
            if v is None:
                return nullable
            if type(v) is not str or len(v) > limit:
                return False
            if not v.isprintable() and bad_char(v, multiline=multiline) is not None:
                return False
            if required and not v.strip():
                return False
            return rx is None or rx.fullmatch(v) is not None

        return check
    if t in (T.CODE, T.REF):
        limit = c.max_len or 64
        needs_value = c.required or not c.null
        match = _CODE_RE.match

        def check(v: Any) -> bool:
            if v is None:
                return nullable
            if type(v) is not str or len(v) > limit:
                return False
            if not v:
                return not needs_value
            return match(v) is not None

        return check
    if t == T.ENUM:
        allowed = c.choice_values

        def check(v: Any) -> bool:
            return nullable if v is None else (type(v) is str and v in allowed)

        return check
    if t == T.DATE:
        seen: dict[str, bool] = {}

        def check(v: Any) -> bool:
            if v is None:
                return nullable
            if type(v) is not str:
                return False
            ok = seen.get(v)
            if ok is None:
                ok = _valid_date(v)
                if len(seen) < 100_000:  # a book has a few thousand distinct dates
                    seen[v] = ok
            return ok

        return check
    if t in (T.INT, T.MONEY):
        lo, hi = (0, MAX_MONEY_FEN) if t == T.MONEY else (c.lo, c.hi)

        def check(v: Any) -> bool:
            return nullable if v is None else (type(v) is int and lo <= v <= hi)

        return check
    if t == T.BOOL:

        def check(v: Any) -> bool:
            return nullable if v is None else type(v) is bool

        return check
    if t == T.LIST:
        item = Column(c.name, c.item or T.CODE, c.label, null=False, required=True, max_len=c.item_len)
        item_ok = item.ok
        most = c.max_len if c.max_len is not None else 10**9

        def check(v: Any) -> bool:
            if v is None:
                return nullable
            if type(v) is not list or len(v) > most:
                return False
            if not v:
                return True
            return all(item_ok(x) for x in v) and len(set(v)) == len(v)

        return check
    if t == T.JSON:
        limit = c.max_len or 20_000

        def check(v: Any) -> bool:
            if v is None:
                return nullable
            if not isinstance(v, (dict, list)) or json_value_problem(v, 0) is not None:
                return False
            return len(json.dumps(v, ensure_ascii=False)) <= limit

        return check
    raise ValueError(f"unknown column type {t}")  # pragma: no cover


# --- kinds ---------------------------------------------------------------------------------


class Creator(StrEnum):
    """Who creates records of a kind."""

    HQ = "hq"  # master data: published by head office, pulled read-only (branch columns aside)
    BRANCH = "branch"  # field work: created at the branch, kept by head office
    BOTH = "both"  # created on either side (clients: prospects at the branch; tags: branch tags)


@dataclass(frozen=True)
class Kind:
    """A record kind: its columns in wire order and who may do what with it.

    ``uid``: "code" when a record's uid is its ``code`` column (reference data),
    "uuid" when it is made where the record is created.
    ``table``: the branch's local table.
    ``provisional_key``: a column whose emptiness makes the record provisional
    (a client without a core-banking number), see ``Column.provisional``.
    """

    name: str
    label: str
    columns: tuple[Column, ...]
    creator: Creator
    table: str
    uid: str = "uuid"
    provisional_key: str | None = None
    # a whole-record rule beyond each column's own (a scorecard's JSON must be a usable card):
    # (values of a whole record) -> problems; run when the whole record is given
    check: Callable[[Mapping[str, Any]], list[Problem]] | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate column")
        locals_ = [c.local_name for c in self.columns]
        if len(set(locals_)) != len(locals_):
            raise ValueError(f"{self.name}: duplicate local column")
        for c in self.columns:
            if c.type == T.ENUM and not c.choices:
                raise ValueError(f"{self.name}.{c.name}: an enum needs choices")
            if c.type == T.REF and not c.ref:
                raise ValueError(f"{self.name}.{c.name}: a reference names its kind")
        if self.uid == "code" and "code" not in names:
            raise ValueError(f"{self.name}: uid = code needs a code column")

    @cached_property
    def wire_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    @cached_property
    def by_local(self) -> dict[str, Column]:
        return {c.local_name: c for c in self.columns}

    def column(self, name: str) -> Column:
        return self.by_name[name]

    @cached_property
    def source_column(self) -> Column | None:
        """The column whose ``branch_value`` marks the branch's own records, if the kind has one."""
        return next((c for c in self.columns if c.branch_value is not None), None)

    def branch_owns(self, current: Mapping[str, Any] | None) -> bool:
        """Is a record with values ``current`` one the branch made (the whole record is its own)?"""
        src = self.source_column
        return src is not None and current is not None and current.get(src.name) == src.branch_value

    @property
    def branch_creates(self) -> bool:
        return self.creator in (Creator.BRANCH, Creator.BOTH)

    @property
    def branch_writes(self) -> bool:
        """Can a branch push anything for this kind (inserts, or its own columns of a master record)?"""
        return self.branch_creates or any(c.owner != Owner.HQ for c in self.columns)

    @cached_property
    def check_row(self) -> Callable[[Sequence[Any]], bool]:
        """Fast: is ``[seq, uid, deleted, *values]`` (values in column order) a valid pulled record?

        The per-record check of every pull, so it is one generated function per kind
        (``compile_row_check``): the same rules as each ``Column.ok``, without a call per
        value. ``tests/sync/test_kinds.py`` holds the two to agreement.
        """
        return compile_row_check(self)

    def problems(self, values: Mapping[str, Any], *, insert: bool) -> list[Problem]:
        """Every value problem in ``values`` (wire names). ``insert``: the whole record is
        given, so required columns must be present."""
        out: list[Problem] = []
        by_name = self.by_name
        for name, v in values.items():
            col = by_name.get(name)
            if col is None:
                out.append(Problem(str(name)[:64], "unknown", f"“{self.label}”没有字段“{_clip(str(name))}”。"))
                continue
            why = col.problem(v)
            if why is not None:
                out.append(why)
        if insert:
            for col in self.columns:
                if col.required and col.name not in values:
                    out.append(Problem(col.name, "required", f"{col.label}不能为空。"))
            if self.check is not None and not out:
                out += self.check(values)
        return out

    def row_problems(self, values: Iterable[Any]) -> list[Problem]:
        """Value problems of a whole record given in column order (a pulled row)."""
        return [p for c, v in zip(self.columns, values, strict=True) if (p := c.problem(v)) is not None]

    def complete(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """All columns, in order: ``values`` where given, each column's empty value elsewhere."""
        return {c.name: values.get(c.name, c.empty) for c in self.columns}

    def is_provisional(self, current: Mapping[str, Any] | None) -> bool:
        if self.provisional_key is None:
            return False
        return current is None or self.by_name[self.provisional_key].is_empty(current.get(self.provisional_key))


# --- ownership: what a branch may change ----------------------------------------------------


INSERT, UPDATE, DELETE = "insert", "update", "delete"
OPS = (INSERT, UPDATE, DELETE)


def branch_may_set(kind: Kind, column: str, current: Mapping[str, Any] | None) -> Problem | None:
    """May a branch change ``column`` of a record whose values are ``current`` (None: a new record)?"""
    col = kind.by_name.get(column)
    if col is None:
        return Problem(column[:64], "unknown", f"“{kind.label}”没有字段“{_clip(column)}”。")
    if col.owner != Owner.HQ:
        return None
    if col.provisional and kind.is_provisional(current):
        return None
    who = "总行核心系统" if kind.name == "client" else "总行"
    return Problem(column, "owner", f"{col.label}由{who}维护，网点不能修改。", 403)


def branch_change_problem(
    kind: Kind, op: str, after: Mapping[str, Any], current: Mapping[str, Any] | None
) -> Problem | None:
    """The ownership rule for one change a branch makes (values already checked).

    ``current``: the record's values before the change (None: no such record).
    A kind with a ``source_column`` (tags, campaigns, campaign targets) holds the
    branch's own records, wholly the branch's, beside head office's, read-only
    but for the columns the branch owns (a target's manager).
    """
    if op not in OPS:
        return Problem("op", "op", f"未知的操作“{_clip(str(op))}”。")
    src = kind.source_column
    if op == INSERT:
        if not kind.branch_creates:
            return Problem("kind", "owner", f"“{kind.label}”由总行发布，网点不能新建。", 403)
        for col in kind.columns:
            if col.name not in after:
                continue
            v = after[col.name]
            if col.branch_value is not None and v != col.branch_value:
                message = f"网点新建的“{kind.label}”，{col.label}只能是“{col.branch_value}”。"
                return Problem(col.name, "owner", message, 403)
            if src is None and col.owner == Owner.HQ and not col.provisional and not col.is_empty(v):
                return Problem(col.name, "owner", f"{col.label}由总行维护，网点新建{kind.label}时不能填写。", 403)
        return None
    if current is None:
        return Problem("uid", "missing", "总行没有这条记录（可能尚未上传新建，或编号有误）。", 404)
    if src is not None and kind.branch_owns(current):
        if op == DELETE:
            return None
        for name, v in after.items():
            col = kind.by_name.get(name)
            if col is None:
                return Problem(name[:64], "unknown", f"“{kind.label}”没有字段“{_clip(name)}”。")
            if col.branch_value is not None and v != col.branch_value:
                return Problem(name, "owner", f"{col.label}只能是“{col.branch_value}”。", 403)
            if kind.uid == "code" and name == "code" and v != current.get("code"):
                return Problem(name, "owner", f"{col.label}建立后不能修改。", 403)
        return None
    if src is not None:  # head office's record of a kind the branch also creates
        if op == DELETE:
            return Problem(src.name, "owner", f"这条“{kind.label}”由总行维护，网点不能删除。", 403)
        for name in after:
            col = kind.by_name.get(name)
            if col is not None and col.owner == Owner.HQ:
                return Problem(name, "owner", f"这条“{kind.label}”由总行维护，网点不能修改{col.label}。", 403)
            why = branch_may_set(kind, name, current)
            if why is not None:
                return why
        return None
    if op == DELETE:
        if not kind.branch_creates:
            return Problem("kind", "owner", f"“{kind.label}”由总行维护，网点不能删除。", 403)
        return None
    for name in after:
        why = branch_may_set(kind, name, current)
        if why is not None:
            return why
    return None


def branch_ref_problem(
    kind: Kind, after: Mapping[str, Any], ref_kind: Callable[[str], Kind],
    referenced: Callable[[str, str], Mapping[str, Any] | None],
) -> Problem | None:
    """The ``own_ref`` rule for a record a branch writes: such a reference names a record of the
    branch's own. ``referenced(kind, uid)``: that record's values as the checking side holds them
    (None: not held)."""
    for col in kind.columns:
        if not col.own_ref or col.ref is None:
            continue
        v = after.get(col.name)
        if v in (None, ""):
            continue
        target = ref_kind(col.ref)
        values = referenced(col.ref, v)
        if values is None:
            return Problem(col.name, "unknown", f"{col.label}“{_clip(str(v))}”不存在。", 400)
        if not target.branch_owns(values):
            return Problem(col.name, "owner",
                           f"{col.label}“{_clip(str(v))}”由总行发布，网点只能为本网点自建的{target.label}"
                           f"添加或修改{kind.label}。", 403)
    return None


# --- change ids and uids ---------------------------------------------------------------------


def id_problem(value: Any, label: str) -> Problem | None:
    """A change id or record uid: 1-64 characters of ``[0-9A-Za-z_.:-]``, starting alphanumeric."""
    if type(value) is not str or not value:
        return Problem("id", "required", f"{label}不能为空。")
    if len(value) > 64:
        return Problem("id", "length", f"{label}最多 64 个字符。")
    if not _CODE_RE.match(value):
        return Problem("id", "format", f"{label}只能由字母、数字和 _ . : - 组成。")
    return None


def valid_id(value: Any) -> bool:
    return type(value) is str and 0 < len(value) <= 64 and _CODE_RE.match(value) is not None


# --- the JSON schema of a kind's values (OpenAPI) ----------------------------------------------


def json_schema(kind: Kind, *, partial: bool = True) -> dict[str, Any]:
    """A JSON Schema of a kind's values (wire names), for the OpenAPI description."""
    props: dict[str, Any] = {}
    for c in kind.columns:
        s: dict[str, Any] = {"title": c.label, "x-owner": c.owner.value}
        if c.type in (T.TEXT,):
            s.update(type="string")
            if c.max_len is not None:
                s["maxLength"] = c.max_len
        elif c.type in (T.CODE, T.REF):
            s.update(type="string", pattern="^" + _CODE_RE.pattern.removesuffix("\\Z") + "$", maxLength=c.max_len or 64)
            if c.ref:
                s["x-ref-kind"] = c.ref
        elif c.type == T.ENUM:
            s.update(type="string", enum=[x.value for x in c.choices])
        elif c.type == T.DATE:
            s.update(type="string", format="date")
        elif c.type == T.INT:
            s.update(type="integer", minimum=c.lo, maximum=c.hi)
        elif c.type == T.MONEY:
            s.update(type="integer", minimum=0, maximum=MAX_MONEY_FEN, description="金额，单位：分")
        elif c.type == T.BOOL:
            s.update(type="boolean")
        elif c.type == T.LIST:
            s.update(type="array", items={"type": "string", "maxLength": c.item_len}, uniqueItems=True)
            if c.max_len is not None:
                s["maxItems"] = c.max_len
        elif c.type == T.JSON:
            s.update(type=["object", "array"])
        if c.null and not c.required and "type" in s:
            s["type"] = [*(s["type"] if isinstance(s["type"], list) else [s["type"]]), "null"]
        props[c.name] = s
    out: dict[str, Any] = {"title": kind.label, "type": "object", "properties": props, "additionalProperties": False}
    if not partial:
        out["required"] = [c.name for c in kind.columns if c.required]
    return out


@dataclass(frozen=True)
class Registry:
    """All kinds, in the order a pulled page applies them (what others refer to comes first)."""

    kinds: tuple[Kind, ...]
    _by_name: dict[str, Kind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by = {k.name: k for k in self.kinds}
        if len(by) != len(self.kinds):
            raise ValueError("duplicate kind")
        pos = {k.name: i for i, k in enumerate(self.kinds)}
        for k in self.kinds:
            for c in k.columns:
                if c.type == T.REF and c.ref not in by:
                    raise ValueError(f"{k.name}.{c.name} refers to unknown kind {c.ref}")
                if c.local_ref and pos[c.ref] >= pos[k.name]:  # type: ignore[index]
                    raise ValueError(f"{k.name}.{c.name}: {c.ref} must apply first")
        object.__setattr__(self, "_by_name", by)

    def __getitem__(self, name: str) -> Kind:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.kinds)

    def get(self, name: str) -> Kind | None:
        return self._by_name.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)
