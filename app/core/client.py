"""The client (客户) of the branch's client book: enums, the record, field specs, rules.

Pure Python: no Qt, no SQL. Parsing turns text from a form or the command line
into typed values; ``validate_client`` checks a whole record. Both return
``FieldError`` values, never raise at the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from operator import attrgetter
from typing import Any

from app.core import validation as v
from app.core.errors import FieldError
from sync.protocol.kinds import CLIENT as CLIENT_KIND
from sync.protocol.schema import Column, Owner, T, branch_may_set


class _Labelled(StrEnum):
    """A string enum whose members carry a Chinese label. Members come from a declared
    column's choices (``labelled``), so a value is spelled once: in ``sync.protocol.kinds``."""

    def __new__(cls, value: str, label: str) -> _Labelled:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label  # type: ignore[attr-defined]
        return obj

    label: str

    @classmethod
    def parse(cls, text: str) -> _Labelled | None:
        t = (text or "").strip()
        for m in cls:
            if t in (m.value, m.label):
                return m
        return None


def labelled(base: type[_Labelled], name: str, column: str) -> Any:
    """An enum of the client kind's ``column`` choices: ``Segment.FARMER`` is ("farmer", "农户")."""
    choices = CLIENT_KIND.column(column).choices
    return base(name, [(c.value.upper(), (c.value, c.label)) for c in choices], module=__name__,  # type: ignore[call-overload]
                qualname=name)


class _SegmentBase(_Labelled):
    @property
    def for_business(self) -> bool:
        return self.value in _BUSINESS_SEGMENTS


_BUSINESS_SEGMENTS = frozenset({"micro_business", "cooperative"})
ClientKind = labelled(_Labelled, "ClientKind", "kind")
Segment = labelled(_SegmentBase, "Segment", "segment")
Lifecycle = labelled(_Labelled, "Lifecycle", "lifecycle")
ConsentChannel = labelled(_Labelled, "ConsentChannel", "consent_channel")


class Tier(IntEnum):
    """Tiers by AUM: 千元 / 万元 / 五万元 / 贵宾 (below 1,000元: 基础)."""

    BASIC = 0
    THOUSAND = 1
    TEN_THOUSAND = 2
    FIFTY_THOUSAND = 3
    VIP = 4

    @property
    def label(self) -> str:
        return _TIER_LABELS[self]


_TIER_LABELS = {
    Tier.BASIC: "基础客户",
    Tier.THOUSAND: "千元级",
    Tier.TEN_THOUSAND: "万元级",
    Tier.FIFTY_THOUSAND: "五万元级",
    Tier.VIP: "贵宾",
}
# Lower bounds in fen.
TIER_THRESHOLDS = (
    (Tier.VIP, 500_000_00),
    (Tier.FIFTY_THOUSAND, 50_000_00),
    (Tier.TEN_THOUSAND, 10_000_00),
    (Tier.THOUSAND, 1_000_00),
)


def tier_for_aum(aum_fen: int) -> Tier:
    for tier, low in TIER_THRESHOLDS:
        if aum_fen >= low:
            return tier
    return Tier.BASIC


@dataclass(frozen=True, slots=True)
class Client:
    """One client. Money in integer fen; ``tags`` are tag codes, sorted."""

    id: int | None = None
    uid: str = ""
    client_no: str | None = None  # core-banking number; None for a branch prospect
    kind: ClientKind = ClientKind.INDIVIDUAL
    name: str = ""
    id_number: str | None = None  # 身份证号 or 统一社会信用代码
    mobile: str | None = None
    village_id: int | None = None
    group_name: str | None = None
    address: str | None = None
    segment: Segment = Segment.FARMER
    aum_fen: int = 0
    deposit_fen: int = 0
    loan_fen: int = 0
    mb_signed: bool = False
    mb_active: bool = False
    lifecycle: Lifecycle = Lifecycle.NEW
    potential: bool = False
    manager_id: int | None = None
    consent: bool | None = None
    consent_date: date | None = None
    consent_channel: ConsentChannel | None = None
    notes: str | None = ""
    last_contact: date | None = None
    id_override: bool = False
    tags: tuple[str, ...] = ()
    version: int = 0
    deleted: bool = False

    @property
    def tier(self) -> Tier:
        return tier_for_aum(self.aum_fen)

    @property
    def is_prospect(self) -> bool:
        return self.client_no is None

    @property
    def birth_date(self) -> date | None:
        n = self.id_number
        if self.kind != ClientKind.INDIVIDUAL or not n or len(n) != 18:
            return None
        try:
            return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        except ValueError:
            return None

    @property
    def gender(self) -> str | None:
        """'男' / '女' from the ID's sequence digit (odd = male)."""
        n = self.id_number
        if self.kind != ClientKind.INDIVIDUAL or not n or len(n) != 18 or not n[16].isdigit():
            return None
        return "男" if int(n[16]) % 2 else "女"


# --- fields ----------------------------------------------------------------------------
#
# Labels, owners, lengths and choices come from the client kind's declaration
# (``sync.protocol.kinds.CLIENT``); what is left here is how text typed in a form
# or on the command line becomes a value of each column's type.

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: Chinese label, owner (hq / branch / shared) and parser."""

    name: str
    label: str
    owner: str
    editable: bool
    parse: Parser


def _enum(cls: type[_Labelled], name: str, label: str, *, optional: bool = False) -> Parser:
    def parse(text: str) -> Any:
        if optional and not (text or "").strip():
            return None
        m = cls.parse(text)
        if m is None:
            choices = "、".join(x.label for x in cls)
            return FieldError(name, label, "choice", f"{label}只能是：{choices}；不认识“{text}”。")
        return m

    return parse


def _id_number(text: str) -> str | None:
    # Kind-specific checks (resident ID vs credit code) happen in validate_client.
    t = "".join((text or "").split()).upper()
    return t or None


def _mobile(text: str) -> str | FieldError | None:
    return None if not (text or "").strip() else v.mobile(text)


def _int(name: str, label: str) -> Parser:
    def parse(text: str) -> int | FieldError | None:
        t = (text or "").strip()
        if not t:
            return None
        if not t.isdigit():
            return FieldError(name, label, "format", f"{label}应为编号数字。")
        return int(t)

    return parse


def _tags(text: str) -> tuple[str, ...]:
    parts = (text or "").replace("，", ",").split(",")
    return tuple(sorted({p.strip() for p in parts if p.strip()}))


_ENUMS: dict[str, type[_Labelled]] = {
    "kind": ClientKind, "segment": Segment, "lifecycle": Lifecycle, "consent_channel": ConsentChannel,
}
_SPECIAL: dict[str, Parser] = {"id_number": _id_number, "mobile": _mobile}


def _parser(col: Column) -> Parser:
    """Text -> a value of ``col``'s declared type (the form's and the CLI's parser)."""
    name, label = col.local_name, col.label
    if name in _SPECIAL:
        return _SPECIAL[name]
    t = col.type
    if t == T.ENUM:
        return _enum(_ENUMS[name], name, label, optional=col.null and not col.required)
    if col.local_ref:
        return _int(name, label)
    if t == T.MONEY:
        return lambda x: v.money_fen(x, field=name, label=label)
    if t == T.BOOL:
        return lambda x: v.parse_bool(x, field=name, label=label, allow_none=col.null)
    if t == T.DATE:
        return lambda x: v.parse_date(x, field=name, label=label)
    if t == T.TEXT and col.required:
        return lambda x: v.required_text(x, field=name, label=label, max_len=col.max_len or 200)
    if t == T.TEXT:
        empty = col.empty
        return lambda x: v.optional_text(x, field=name, label=label, max_len=col.max_len or 200) or empty
    return lambda x: (x or "").strip() or None


CLIENT_FIELDS: dict[str, FieldSpec] = {
    col.local_name: FieldSpec(col.local_name, col.label, col.owner.value, col.name != "client_no", _parser(col))
    for col in CLIENT_KIND.columns
    if not col.link
}
CLIENT_FIELDS["tags"] = FieldSpec("tags", "标签", Owner.BRANCH.value, True, _tags)

# Fields the core-banking system owns for a client that has a core-banking number.
HQ_OWNED = frozenset(n for n, s in CLIENT_FIELDS.items() if s.owner == "hq")


def parse_field(name: str, text: str) -> Any:
    """Text -> typed value for one field, or a FieldError."""
    spec = CLIENT_FIELDS.get(name)
    if spec is None:
        return FieldError(name, name, "unknown_field", f"没有名为“{name}”的客户字段。")
    return spec.parse(text)


def ownership_error(c: Client, name: str) -> FieldError | None:
    """May the branch change field ``name`` of ``c``? The rule head office applies too
    (``sync.protocol.schema.branch_may_set``): core-banking fields are read-only, and a
    prospect's (no core-banking number yet) name, kind and ID number are the branch's."""
    col = CLIENT_KIND.by_local.get(name)
    if col is None:
        return None
    problem = branch_may_set(CLIENT_KIND, col.name, {"client_no": c.client_no})
    if problem is None:
        return None
    return FieldError(name, col.label, problem.code, problem.message)


# The columns ``declaration_errors`` checks, their values read at once, and a yes/no check of them all
_DECLARED = tuple(col for col in CLIENT_KIND.columns if not col.link and not col.local_ref)
_DECLARED_VALUES = attrgetter(*(col.local_name for col in _DECLARED))


def _declared_value(value: Any) -> Any:
    """A field's value as ``declaration_errors`` checks it (the wire form of a date or an enum)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, _Labelled):
        return value.value
    return value


def _declared_ok_source(passing_defaults: set[int]) -> str:
    """``ok{n}(the value of column n)`` for every column; a column whose field holds its default, when
    that default passes (``d{n}``, the very object), is not checked again (most do, in a new record)."""
    args = ", ".join(f"v{n}" for n in range(len(_DECLARED)))
    tests = []
    for n in range(len(_DECLARED)):
        test = (f"ok{n}(v{n}._value_ if isinstance(v{n}, _Labelled) else v{n}.isoformat()"
                f" if isinstance(v{n}, date) else v{n})")
        tests.append(f"(v{n} is d{n} or {test})" if n in passing_defaults else test)
    return f"def declared_ok({args}):\n    return (\n        " + "\n        and ".join(tests) + "\n    )\n"


def _declared_ok() -> Callable[..., bool]:
    env: dict[str, Any] = {"_Labelled": _Labelled, "date": date}
    defaults = _DECLARED_VALUES(Client())
    passing = set()
    for n, (col, default) in enumerate(zip(_DECLARED, defaults, strict=True)):
        env[f"ok{n}"] = col.ok
        env[f"d{n}"] = default
        if col.ok(_declared_value(default)):
            passing.add(n)
    exec(compile(_declared_ok_source(passing), "<declared checks of client>", "exec"), env)
    return env["declared_ok"]


def declaration_errors(c: Client) -> list[FieldError]:
    """Values the client kind's declaration refuses (length, characters, format): the checks
    head office runs on every value it receives, run here first so nothing it would refuse
    is ever journaled. (Every column's yes/no check at once first, by a function generated from
    the declaration; the reasons only for a record that fails one.)"""
    values = _DECLARED_VALUES(c)
    if _DECLARED_OK(*values):
        return []
    errs = []
    for col, value in zip(_DECLARED, values, strict=True):
        problem = col.problem(_declared_value(value))
        if problem is not None:
            errs.append(FieldError(col.local_name, col.label, problem.code, problem.message))
    return errs


_DECLARED_OK = _declared_ok()


def _label(name: str) -> str:
    return CLIENT_FIELDS[name].label


def validate_client(
    c: Client,
    *,
    village_exists: Callable[[int], bool] | None = None,
    today: date | None = None,
) -> list[FieldError]:
    """Every rule a whole record must satisfy; empty when the record is good."""
    today = today or date.today()
    errs: list[FieldError] = []
    name = (c.name or "").strip()
    if not name:
        errs.append(FieldError("name", "客户名称", "required", "客户名称不能为空。"))
    elif any(map(str.isdigit, name)) and c.kind == ClientKind.INDIVIDUAL:
        errs.append(FieldError("name", "客户名称", "format", "个人客户姓名不能包含数字。"))

    if c.id_number:
        if c.kind == ClientKind.INDIVIDUAL:
            r = v.resident_id(c.id_number, today=today)
        else:
            r = v.credit_code(c.id_number, override=c.id_override)
        if isinstance(r, FieldError):
            errs.append(r)
    elif c.kind == ClientKind.BUSINESS:
        errs.append(FieldError("id_number", "统一社会信用代码", "required", "企业客户必须填写统一社会信用代码。"))

    if c.mobile:
        r = v.mobile(c.mobile)
        if isinstance(r, FieldError):
            errs.append(r)

    if c.village_id is None:
        errs.append(FieldError("village_id", "所属村", "required", "所属村不能为空。"))
    elif village_exists is not None and not village_exists(c.village_id):
        errs.append(FieldError("village_id", "所属村", "unknown", f"所属村不存在（编号 {c.village_id}）。"))

    if c.segment.for_business != (c.kind == ClientKind.BUSINESS):
        errs.append(FieldError("segment", "客群", "kind", f"客群“{c.segment.label}”与客户类型“{c.kind.label}”不符。"))
    for f in ("aum_fen", "deposit_fen", "loan_fen"):
        if getattr(c, f) < 0:
            errs.append(FieldError(f, _label(f), "negative", f"{_label(f)}不能为负数。"))
    if c.mb_active and not c.mb_signed:
        errs.append(FieldError("mb_active", "手机银行月活", "rule", "未签约手机银行的客户不能是月活客户。"))

    if c.consent is True:
        if c.consent_date is None:
            errs.append(FieldError("consent_date", "授权日期", "required", "已取得营销授权时，须填写授权日期。"))
        if c.consent_channel is None:
            errs.append(FieldError("consent_channel", "授权渠道", "required", "已取得营销授权时，须填写授权渠道。"))
    if c.consent_date is not None and c.consent_date > today:
        errs.append(FieldError("consent_date", "授权日期", "future", "授权日期不能晚于今天。"))
    if c.last_contact is not None and c.last_contact > today:
        errs.append(FieldError("last_contact", "最近联系日期", "future", "最近联系日期不能晚于今天。"))
    flagged = {e.field for e in errs}
    errs += [e for e in declaration_errors(c) if e.field not in flagged]
    return errs


_FORWARD = {
    Lifecycle.NEW: {Lifecycle.HONEYMOON, Lifecycle.MATURE, Lifecycle.CHURN_WARNING, Lifecycle.CHURNED},
    Lifecycle.HONEYMOON: {Lifecycle.MATURE, Lifecycle.CHURN_WARNING, Lifecycle.CHURNED},
    Lifecycle.MATURE: {Lifecycle.CHURN_WARNING, Lifecycle.CHURNED},
    Lifecycle.CHURN_WARNING: {Lifecycle.MATURE, Lifecycle.CHURNED, Lifecycle.RECOVERED},
    Lifecycle.CHURNED: {Lifecycle.RECOVERED},
    Lifecycle.RECOVERED: {Lifecycle.MATURE, Lifecycle.CHURN_WARNING, Lifecycle.CHURNED},
}


def lifecycle_change_warning(old: Lifecycle, new: Lifecycle) -> str | None:
    """A Chinese hint when a stage change is unusual (allowed, but worth a second look)."""
    if old == new or new in _FORWARD[old]:
        return None
    return f"生命周期从“{old.label}”改为“{new.label}”不常见，请确认。"
