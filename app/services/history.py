"""Changes as a person reads them: Chinese labels and values, personal numbers masked.

The journal, conflicts and quarantined changes hold wire values (``churned``,
village codes, full phone numbers). Every screen and command that shows them
goes through here, so the History tab, ``clients show --history``, ``sync
conflicts`` and ``sync quarantine`` all read the same: "生命周期：流失 → 成熟",
"手机号：157****1648 → 138****5678". Which columns are masked is declared with
the kind (``Column.mask``). Any thread; reads reference data it is given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.core.lifecycle import author_label
from app.core.masking import MASKS
from app.core.money import format_yuan
from app.store.journal import JournalEntry
from app.store.reference import ReferenceData
from sync import protocol as p
from sync.protocol.schema import Column, T

OPS = {"insert": "新建", "update": "修改", "delete": "删除"}
STATES = {
    "pending": "待同步",
    "acked": "已同步",
    "conflict": "有冲突",
    "quarantined": "总行拒绝",
    "local": "仅本机",
}


@dataclass(frozen=True)
class FieldChange:
    field: str  # wire name
    label: str
    before: str
    after: str

    @property
    def text(self) -> str:
        return f"{self.label}：{self.before} → {self.after}"


@dataclass(frozen=True)
class ChangeView:
    """One journal entry, ready to show."""

    change_id: str
    time: str  # local time, to the minute
    author: str
    kind: str  # the kind's Chinese label
    op: str  # 新建 / 修改 / 删除
    state: str  # 待同步 / 已同步 / ...
    fields: tuple[FieldChange, ...]
    note: str

    @property
    def summary(self) -> str:
        if self.op == "修改":
            return "；".join(f.text for f in self.fields) or "（无字段变化）"
        return self.op


def value_text(col: Column | None, value: Any, ref: ReferenceData | None = None, *, masked: bool = True) -> str:
    """One wire value as a person reads it (masked where its column says so)."""
    if value is None or value == "" or value == []:
        return "—"
    if col is None:
        return _short(str(value))
    if col.mask and masked and isinstance(value, str):
        return MASKS[col.mask](value)
    t = col.type
    if t == T.BOOL:
        return "是" if value else "否"
    if t == T.ENUM:
        return next((c.label for c in col.choices if c.value == value), str(value))
    if t == T.MONEY and isinstance(value, int):
        return f"{format_yuan(value)} 元"
    if t == T.REF and ref is not None and isinstance(value, str):
        named = _ref_name(col.ref, value, ref)
        if named:
            return named
    if t == T.LIST and isinstance(value, list):
        if col.item == T.CODE and ref is not None:
            return "、".join(ref.tag_by_code[v].name if v in ref.tag_by_code else str(v) for v in value)
        return "、".join(map(str, value))
    return _short(str(value))


def _ref_name(kind: str | None, code: str, ref: ReferenceData) -> str | None:
    if kind == "village":
        v = ref.village_by_code.get(code)
        return f"{ref.township_name(v)}{v.name}" if v else None
    if kind == "staff":
        s = ref.staff_by_code.get(code)
        return f"{s.name}（{s.code}）" if s else None
    if kind == "township":
        t = next((t for t in ref.townships.values() if t.code == code), None)
        return t.name if t else None
    return None


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def describe(entry: JournalEntry, ref: ReferenceData | None = None, *, masked: bool = True) -> ChangeView:
    """A journal entry as Chinese labels and values; personal numbers masked unless ``masked`` is False."""
    kind = p.KINDS.get(entry.kind)
    fields: list[FieldChange] = []
    if entry.op == "update" and kind is not None:
        for name, after in entry.after.items():
            col = kind.by_name.get(name)
            fields.append(FieldChange(
                name, col.label if col else name, value_text(col, entry.before.get(name), ref, masked=masked),
                value_text(col, after, ref, masked=masked),
            ))
    author = author_label(entry.author) or entry.author
    if ref is not None and entry.author in ref.staff_by_code:
        author = f"{ref.staff_by_code[entry.author].name}（{entry.author}）"
    return ChangeView(
        change_id=entry.change_id,
        time=entry.local_time[:16].replace("T", " "),
        author=author,
        kind=kind.label if kind else entry.kind,
        op=OPS.get(entry.op, entry.op),
        state=STATES.get(entry.sync_state, entry.sync_state),
        fields=tuple(fields),
        note=entry.sync_note or "",
    )


def conflict_values(kind: str, field: str | None, local: str | None, server: str | None,
                    ref: ReferenceData | None = None) -> tuple[str, str, str]:
    """A stored conflict's (label, this branch's value, head office's value) as a person reads them.
    Values are stored as JSON; a whole record (a set-aside pull) is shown by its filled fields."""
    k = p.KINDS.get(kind)
    col = k.by_name.get(field) if (k is not None and field) else None
    label = col.label if col else (k.label if k else kind)

    def show(raw: str | None) -> str:
        if raw is None:
            return "—"
        try:
            value = json.loads(raw)
        except ValueError:
            return _short(raw)
        if isinstance(value, dict) and k is not None:
            return "；".join(
                f"{k.by_name[n].label}：{value_text(k.by_name[n], v, ref)}" for n, v in value.items()
                if n in k.by_name and v not in (None, "", [])
            )[:200]
        return value_text(col, value, ref)

    return label, show(local), show(server)
