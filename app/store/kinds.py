"""The branch's local tables, derived from the record kinds' declarations (``sync.protocol.kinds``).

For every kind, ``table(kind)`` says how its records are stored here: which
columns (the declared ones, by their local names), their SQL types, the
bookkeeping columns every synced table has, and how a value travels between
three forms:

* **wire**: JSON values as the protocol carries them (references as codes or
  uids, dates as ISO text, lists as lists);
* **stored**: what SQLite holds (booleans as 0/1, lists and JSON as text, a
  reference to reference data as the local row id);
* **domain**: what Python code works with (``bool``, ``date``, enums, tuples).

Migrations (``app.store.schema``) create tables and add columns from the same
declarations (``CreateKindTable``, ``AddColumns``), and ``tests/store/
test_kinds.py`` checks that every table holds exactly what its kind declares.
"""

from __future__ import annotations

import json
import operator
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum
from functools import cache, cached_property, partial
from itertools import chain
from typing import Any

from sync.protocol import KINDS
from sync.protocol.schema import Column, Kind, T

# Every synced table has these beside its declared columns (the reference tables
# of schema v1 have their own id/code layout and gained hq_seq and deleted in v3).
BOOKKEEPING = ("id", "uid", "hq_seq", "version", "created_at", "updated_at", "deleted")


def sql_type(col: Column) -> str:
    if col.local_ref or col.type in (T.INT, T.MONEY, T.BOOL):
        return "INTEGER"
    return "TEXT"


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return "'" + str(value).replace("'", "''") + "'"


def column_ddl(col: Column) -> str:
    """The column's definition in CREATE TABLE / ALTER TABLE ADD COLUMN."""
    ddl = f"{col.local_name} {sql_type(col)}"
    empty = col.empty
    if not col.null and empty is not None:
        ddl += f" NOT NULL DEFAULT {_sql_literal(to_stored(col, empty))}"
    return ddl


def to_stored(col: Column, value: Any) -> Any:
    """A wire or domain value as SQLite stores it (references to reference data excepted:
    those are resolved to local ids by the caller)."""
    if value is None:
        return None
    t = col.type
    if t == T.BOOL:
        return 1 if value else 0
    if t in (T.LIST, T.JSON):
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False,
                          separators=(",", ":"))
    if t == T.DATE and isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def to_wire(col: Column, stored: Any) -> Any:
    """A stored value in wire form (references to reference data excepted, as above)."""
    if stored is None:
        return None if col.null else col.empty
    t = col.type
    if t == T.BOOL:
        return bool(stored)
    if t in (T.LIST, T.JSON):
        return json.loads(stored)
    return stored


@dataclass(frozen=True)
class Table:
    """How one kind is stored at the branch."""

    kind: Kind
    name: str
    key: str = "uid"  # the column a pulled record is matched on ("code" for the v1 reference tables)
    extra: tuple[str, ...] = ()  # local columns derived from the record (the client's name_key, tier)
    bookkeeping: tuple[str, ...] = BOOKKEEPING

    def __post_init__(self) -> None:
        clash = set(self.local_names) & {*self.bookkeeping, *self.extra, *BOOKKEEPING}
        if clash:
            raise ValueError(f"{self.kind.name}: declared columns clash with bookkeeping: {sorted(clash)}"
                             " (give them a local name)")

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """The declared columns stored in this table (a link column lives in a table of its own)."""
        return tuple(c for c in self.kind.columns if not c.link)

    @cached_property
    def local_names(self) -> tuple[str, ...]:
        return tuple(c.local_name for c in self.columns)

    def create_sql(self, columns: Sequence[str] | None = None) -> list[str]:
        """CREATE TABLE (and its indexes) for the declared columns named (all by default)."""
        cols = [self.kind.by_name[c] for c in columns] if columns is not None else list(self.columns)
        body = ",\n    ".join([
            "id INTEGER PRIMARY KEY",
            "uid TEXT NOT NULL UNIQUE",
            *(column_ddl(c) for c in cols if not c.link),
            "hq_seq INTEGER",
            "version INTEGER NOT NULL DEFAULT 1",
            "created_at TEXT NOT NULL",
            "updated_at TEXT NOT NULL",
            "deleted INTEGER NOT NULL DEFAULT 0",
        ])
        return [f"CREATE TABLE {self.name} (\n    {body}\n)"]

    def add_column_sql(self, column: str) -> str:
        return f"ALTER TABLE {self.name} ADD COLUMN {column_ddl(self.kind.by_name[column])}"


# The client book keeps two columns it derives from the record for sorting and filtering.
CLIENT_EXTRA = ("name_key", "tier")

TABLES: dict[str, Table] = {}
for _k in KINDS:
    if _k.name == "client":
        TABLES[_k.name] = Table(_k, _k.table, extra=CLIENT_EXTRA)
    elif _k.name in ("township", "village", "staff", "tag"):
        # schema v1's reference tables: matched on code, local ids for joins
        TABLES[_k.name] = Table(_k, _k.table, key="code", bookkeeping=("id", "hq_seq", "deleted"))
    else:
        TABLES[_k.name] = Table(_k, _k.table)


def table(kind: str) -> Table:
    return TABLES[kind]


# --- domain mapping: rows <-> dataclasses, by name ----------------------------------------------


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decoder(col: Column | None, hint: Any) -> Callable[[Any], Any]:
    """stored -> domain for one field: by the field's annotation, else by the column's type."""
    args = typing.get_args(hint)
    target = next((a for a in args if a is not type(None)), hint) if type(None) in args else hint
    if target is str or target is int:
        return lambda v: v
    if target is bool or (col is not None and col.type == T.BOOL):
        return lambda v: None if v is None else bool(v)
    if target is date:
        return lambda v: date.fromisoformat(v) if v else None
    if typing.get_origin(target) is tuple:
        return lambda v: tuple(json.loads(v)) if v else ()
    if isinstance(target, type) and issubclass(target, Enum):
        return lambda v: None if v in (None, "") else target(v)
    if col is not None and col.type in (T.LIST, T.JSON):
        return lambda v: json.loads(v) if v else col.empty
    return lambda v: v


@dataclass(frozen=True)
class RowMapping:
    """Stored rows <-> a dataclass, field by field by name. Fields the row lacks keep their default."""

    cls: type
    table: Table
    names: tuple[str, ...]  # the SELECT list, in order

    @cached_property
    def _decoders(self) -> tuple[Callable[[Any], Any], ...]:
        hints = _hints(self.cls)
        by_local = self.table.kind.by_local
        return tuple(_decoder(by_local.get(n), hints.get(n, Any)) for n in self.names)

    @property
    def select(self) -> str:
        return ", ".join(self.names)

    def __call__(self, row: Sequence[Any], **more: Any) -> Any:
        return self.cls(**{n: d(v) for n, d, v in zip(self.names, self._decoders, row, strict=True)}, **more)


def mapping(cls: type, t: Table, *, skip: Iterable[str] = ()) -> RowMapping:
    """Map the columns of ``t`` that ``cls`` has a field for (``skip`` left to the caller)."""
    have = {f.name for f in fields(cls)}
    skipped = set(skip)
    stored = [*t.bookkeeping, *t.local_names, *t.extra]
    return RowMapping(cls, t, tuple(n for n in stored if n in have and n not in skipped))


def _plain_stored(value: Any) -> Any:
    return value._value_ if isinstance(value, Enum) else value  # (_value_: .value is a slow descriptor)


def _storer(col: Column) -> Callable[[Any], Any]:
    """``to_stored`` for one column, its type decided once: the same values, for loops over many rows."""
    if col.type in (T.BOOL, T.LIST, T.JSON, T.DATE):
        return lambda v, c=col: to_stored(c, v)
    return _plain_stored  # None stays None; an Enum gives its value; anything else is stored as it is


def _wirer(col: Column) -> Callable[[Any], Any] | None:
    """``to_wire`` for one column, or None when a stored value is its wire value (and None stays None)."""
    if col.type in (T.BOOL, T.LIST, T.JSON) or not col.null:
        return lambda v, c=col: to_wire(c, v)
    return None


_STORERS: dict[int, tuple[Table, tuple[tuple[str, Callable[[Any], Any]], ...]]] = {}
_WIRERS: dict[int, tuple[Table, tuple[tuple[str, str, Column, Callable[[Any], Any] | None], ...]]] = {}


def _storers(t: Table) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    held = _STORERS.get(id(t))
    if held is None or held[0] is not t:
        held = _STORERS[id(t)] = (t, tuple((c.local_name, _storer(c)) for c in t.columns))
    return held[1]


def _wirers(t: Table) -> tuple[tuple[str, str, Column, Callable[[Any], Any] | None], ...]:
    held = _WIRERS.get(id(t))
    if held is None or held[0] is not t:
        held = _WIRERS[id(t)] = (t, tuple((c.local_name, c.name, c, _wirer(c)) for c in t.columns))
    return held[1]


def stored_values(t: Table, obj: Any) -> dict[str, Any]:
    """A domain object's declared (non-link) columns as SQLite stores them, by local name."""
    return {name: store(getattr(obj, name)) for name, store in _storers(t)}


def check_domain_fields(cls: type, t: Table, *, extra: Iterable[str] = ()) -> list[str]:
    """Declared columns a domain dataclass has no field for (a test asserts none are missing)."""
    have = {f.name for f in fields(cls)}
    return [n for n in (*t.local_names, *extra) if n not in have]


def wire_values(t: Table, stored: Mapping[str, Any], ref_code: Callable[[str, int], str | None]) -> dict[str, Any]:
    """Stored values (by local name) in wire form; ``ref_code(kind, local_id)`` resolves
    references to reference data."""
    out: dict[str, Any] = {}
    for local, name, c, wire in _wirers(t):
        v = stored.get(local)
        if c.local_ref:
            out[name] = ref_code(c.ref, v) if v is not None else None  # type: ignore[arg-type]
        else:
            out[name] = v if wire is None else wire(v)
    return out


# --- whole rows at once: what an import's batches call per record ----------------------------------


def _stored_expr(col: Column, v: str) -> str:
    """``to_stored(col, v)`` (for a domain value) as one inline expression."""
    if col.type == T.BOOL:
        return f"(None if {v} is None else (1 if {v} else 0))"
    if col.type in (T.LIST, T.JSON):
        return f"_to_stored(_col_{col.local_name}, {v})"
    if col.type == T.DATE:
        return f"(None if {v} is None else ({v}.isoformat() if isinstance({v}, _date) else _plain({v})))"
    return f"({v}._value_ if isinstance({v}, _Enum) else {v})"


def stored_getter(t: Table) -> Callable[[Any], tuple[Any, ...]]:
    """``stored_values(t, obj)`` as a tuple in ``t.local_names`` order, by a function generated once
    per table (each column's conversion inline): the same values, for loops over many records."""
    held = _GETTERS.get(id(t))
    if held is not None and held[0] is t:
        return held[1]
    env: dict[str, Any] = {"_to_stored": to_stored, "_date": date, "_Enum": Enum, "_plain": _plain_stored}
    lines = [f"def stored_{t.kind.name}(o):"]
    names = []
    for n, c in enumerate(t.columns):
        env[f"_col_{c.local_name}"] = c
        lines.append(f"    v{n} = o.{c.local_name}")
        names.append(_stored_expr(c, f"v{n}"))
    lines.append(f"    return ({', '.join(names)},)")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<stored values of {t.kind.name}>", "exec"), env)
    fn = env[f"stored_{t.kind.name}"]
    _GETTERS[id(t)] = (t, fn)
    return fn


_GETTERS: dict[int, tuple[Table, Callable[[Any], tuple[Any, ...]]]] = {}


# SQLite's default limit of parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
MAX_PARAMS = 32_766
_IS_NONE = partial(operator.is_, None)
_NOT_NONE = partial(operator.is_not, None)


def insert_rows(conn: Any, table_name: str, cols: Sequence[str], rows: Sequence[tuple[Any, ...]], *,
                verb: str = "INSERT", keep_order: bool = True) -> None:
    """INSERT ``rows`` (values for ``cols``) with multi-row statements (``VALUES (…), (…), …``, up to
    ``MAX_PARAMS`` parameters each), cheaper per row than ``executemany`` (one step of one statement).
    A None is written as NULL in the statement (sqlcipher3 binds a None parameter through its adapter
    lookup, about a microsecond each): rows are grouped by which of their values are None, in runs of
    consecutive rows when ``keep_order`` (the journal's order is its sequence), else all rows alike
    together."""
    names = ", ".join(cols)
    runs: list[tuple[bytes, list[tuple[Any, ...]]]] = []
    by_key: dict[bytes, list[tuple[Any, ...]]] = {}
    last: bytes | None = None
    for row in rows:
        key = bytes(map(_IS_NONE, row))
        if keep_order:
            if key != last:
                runs.append((key, []))
                last = key
            group = runs[-1][1]
        else:
            group = by_key.get(key)  # type: ignore[assignment]
            if group is None:
                group = by_key[key] = []
                runs.append((key, group))
        group.append(tuple(filter(_NOT_NONE, row)))
    for key, group in runs:
        one = "(" + ", ".join("NULL" if none else "?" for none in key) + ")"
        per = max(1, MAX_PARAMS // max(1, len(key) - sum(key)))
        for start in range(0, len(group), per):
            chunk = group[start : start + per]
            conn.execute(f"{verb} INTO {table_name} ({names}) VALUES {', '.join([one] * len(chunk))}",
                         list(chain.from_iterable(chunk)))


def wire_json_maker(t: Table, ref_code: Callable[[str, int], str | None], dumps: Callable[[Any], str], *,
                    lists: Sequence[str] = ()) -> Callable[..., str]:
    """``dumps(wire values, with the list-of-text values named in lists)`` (sorted keys, compact, as
    the journal stores a record) for a stored tuple in ``t.local_names`` order and those lists, by a
    function generated once that writes the JSON text itself (a call per value, not a dict encoded):
    the same text, for the journal entry of each of many new records. ``dumps`` encodes what the
    function does not write itself (a value of an unexpected type)."""
    from json.encoder import encode_basestring

    env: dict[str, Any] = {"_ref_code": ref_code, "_dumps": dumps, "_enc": encode_basestring}

    def text_or_null(v: str, n: int, col: Column) -> str:
        none = "null" if col.null else dumps(col.empty)
        env[f"_none_{n}"] = none
        return f"(_none_{n} if {v} is None else _enc({v}) if type({v}) is str else _dumps({v}))"

    parts: dict[str, str] = {}
    for n, c in enumerate(t.columns):
        v = f"s[{n}]"
        if c.local_ref:
            env[f"_ref_{n}"] = c.ref
            parts[c.name] = f"_ref_json(_ref_{n}, {v})"
        elif c.type == T.BOOL:
            parts[c.name] = (f'("null" if {v} is None else "true" if {v} else "false")' if c.null
                             else f'("true" if {v} else "false")')
        elif c.type in (T.LIST, T.JSON):
            env[f"_wire_{n}"] = _wirer(c)
            parts[c.name] = f"_dumps(_wire_{n}({v}))"
        elif c.type in (T.INT, T.MONEY):
            env[f"_none_{n}"] = "null" if c.null else dumps(c.empty)
            parts[c.name] = f"(_none_{n} if {v} is None else str({v}) if type({v}) is int else _dumps({v}))"
        else:
            parts[c.name] = text_or_null(v, n, c)
    for n, name in enumerate(lists):
        parts[name] = f"_list(l{n})"

    def ref_json(kind: str, local_id: Any) -> str:
        code = ref_code(kind, local_id) if local_id is not None else None
        return "null" if code is None else encode_basestring(code) if type(code) is str else dumps(code)

    def list_json(items: Sequence[Any]) -> str:
        if all(type(x) is str for x in items):
            return "[" + ",".join(map(encode_basestring, items)) + "]"
        return dumps(list(items))

    env["_ref_json"], env["_list"] = ref_json, list_json
    body = " + ',' + ".join(f"{encode_basestring(k) + ':'!r} + {parts[k]}" for k in sorted(parts))
    args = ", ".join(["s", *(f"l{n}" for n in range(len(lists)))])
    source = f"def wire_json_{t.kind.name}({args}):\n    return '{{' + {body} + '}}'\n"
    exec(compile(source, f"<wire JSON of {t.kind.name}>", "exec"), env)
    return env[f"wire_json_{t.kind.name}"]
