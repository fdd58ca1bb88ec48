"""Client-book use cases for one signed-in staff member (GUI and CLI alike).

Permission checks, parsing, validation, masking and auditing live here, below
the UI, so the CLI and the desktop app obey the same rules. Every method runs
on the thread that owns ``db`` (the GUI's database thread or the CLI's main
thread). Reads that may be refused return the value or a ``FieldError``;
every change returns a ``Result`` (``app.core.result``): the value and what it
changed, or the field errors with a Chinese message naming each field, and
then nothing was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlite_utils

from app.core.client import (
    CLIENT_FIELDS,
    CLIENT_KIND,
    Client,
    ClientKind,
    ownership_error,
    parse_field,
    validate_client,
)
from app.core.errors import FieldError
from app.core.masking import mask_id, mask_mobile
from app.core.result import Changes, Result
from app.core.roles import Action, Role, Staff, check, visible_manager_filter
from app.services.history import ChangeView, describe
from app.store import audit, journal
from app.store.clients import ClientListRow, ClientRepository, StaleEditError
from app.store.db import write
from app.store.reference import ReferenceData
from app.store.search import ClientFilter

# Fields a person may name on an edit, beyond CLIENT_FIELDS: friendly aliases
# that the service resolves against reference data.
ALIASES = {"village": "village_id", "manager": "manager_id"}
REVEALABLE = ("id_number", "mobile")


@dataclass(frozen=True)
class ClientDetail:
    """One client as the detail screen shows it, masked as the role requires."""

    client: Client  # id_number / mobile masked unless revealed
    village: str
    township: str
    manager: str
    tag_names: tuple[str, ...]
    can_edit: bool
    can_reveal: bool
    base_seq: int | None


def _perm_list(err: FieldError | None) -> list[FieldError]:
    return [err] if err else []


class ClientService:
    """The client book as one staff member may see and change it."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None):
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.repo = ClientRepository(db, self.ref)

    # --- reading -----------------------------------------------------------

    @property
    def scope_manager_id(self) -> int | None:
        return visible_manager_filter(self.staff)

    def _can_list(self) -> FieldError | None:
        # A list has no single client: check with the staff member's own id, so a
        # manager passes (their scope is applied in SQL) and IT does not.
        return check(self.staff, Action.VIEW_CLIENT, client_manager_id=self.staff.id)

    def count(self, f: ClientFilter = ClientFilter()) -> int | FieldError:
        denied = self._can_list()
        if denied:
            return denied
        return self.repo.count(f, scope_manager_id=self.scope_manager_id)

    def page(
        self,
        f: ClientFilter = ClientFilter(),
        *,
        sort: str | None = "name",
        descending: bool = False,
        offset: int = 0,
        limit: int = 200,
        total: int | None = None,
    ) -> list[ClientListRow] | FieldError:
        """A window of the (masked) client table."""
        denied = self._can_list()
        if denied:
            return denied
        rows = self.repo.page(
            f,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=limit,
            total=total,
            scope_manager_id=self.scope_manager_id,
        )
        return [replace(r, id_number=mask_id(r.id_number), mobile=mask_mobile(r.mobile)) for r in rows]

    def _load(self, client_id: int, action: Action) -> Client | FieldError:
        c = self.repo.get(client_id)
        if c is None:
            return FieldError("client", "客户", "unknown", f"客户 {client_id} 不存在或已删除。")
        denied = check(self.staff, action, client_manager_id=c.manager_id)
        return denied or c

    def resolve(self, ref: str) -> int | FieldError:
        """The client id for what a person types: the internal number (1491) or the core-banking
        client number the app shows (CQ2600001491). Runs on the connection's thread."""
        text = ref.strip()
        if text.isdigit():
            return int(text)
        if re.fullmatch(r"[A-Za-z]{1,4}\d{4,20}", text):
            row = self.db.conn.execute(
                "SELECT id FROM clients WHERE client_no = ? AND deleted = 0", (text.upper(),)
            ).fetchone()
            if row is None:
                return FieldError("id", "客户", "unknown", f"找不到核心客户号为 {text.upper()} 的客户。")
            return row[0]
        return FieldError(
            "id", "客户", "format", f"“{text}”不是客户编号：请输入编号（如 1491）或核心客户号（如 CQ2600001491）。"
        )

    def get(self, client_id: int) -> ClientDetail | FieldError:
        c = self._load(client_id, Action.VIEW_CLIENT)
        if isinstance(c, FieldError):
            return c
        v = self.ref.villages.get(c.village_id) if c.village_id is not None else None
        m = self.ref.staff.get(c.manager_id) if c.manager_id is not None else None
        return ClientDetail(
            client=replace(c, id_number=mask_id(c.id_number), mobile=mask_mobile(c.mobile)),
            village=v.name if v else "",
            township=self.ref.township_name(v) if v else "",
            manager=m.name if m else "",
            tag_names=tuple(
                self.ref.tag_by_code[t].name for t in c.tags if t in self.ref.tag_by_code
            ),
            can_edit=check(self.staff, Action.EDIT_CLIENT, client_manager_id=c.manager_id) is None,
            can_reveal=check(self.staff, Action.REVEAL_PII, client_manager_id=c.manager_id) is None,
            base_seq=self.repo.hq_seq(client_id),
        )

    def reveal(self, client_id: int, field: str) -> str | FieldError:
        """The unmasked ID or phone number, for roles allowed to see it. Audited."""
        if field not in REVEALABLE:
            raise ValueError(field)
        c = self._load(client_id, Action.REVEAL_PII)
        if isinstance(c, FieldError):
            return c
        action = audit.REVEAL_ID if field == "id_number" else audit.REVEAL_MOBILE
        audit.record(self.db, staff=self.staff.code, action=action, kind="client", row_uid=c.uid)
        return getattr(c, field) or ""

    def history(self, client_id: int) -> list[ChangeView] | FieldError:
        """The client's changes, oldest first, as a person reads them: Chinese labels and values,
        ID and phone numbers masked (a reveal shows today's number, audited; history stays masked)."""
        c = self._load(client_id, Action.VIEW_CLIENT)
        if isinstance(c, FieldError):
            return c
        return [describe(e, self.ref) for e in journal.history(self.db, "client", c.uid)]

    def access_log(self, client_id: int) -> list[audit.AuditEntry] | FieldError:
        c = self._load(client_id, Action.VIEW_CLIENT)
        if isinstance(c, FieldError):
            return c
        return audit.for_record(self.db, "client", c.uid)

    # --- parsing -------------------------------------------------------------

    def parse_changes(self, raw: Mapping[str, str]) -> tuple[dict[str, Any], list[FieldError]]:
        """Text from a form or the command line -> typed values, or errors per field."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for key, text in raw.items():
            name = ALIASES.get(key, key)
            text = "" if text is None else str(text)
            if name == "village_id":
                result = self.resolve_village(text)
            elif name == "manager_id":
                result = self._resolve_manager(text)
            elif name == "tags":
                result = self._resolve_tags(text)
            else:
                result = parse_field(name, text)
            if isinstance(result, FieldError):
                errors.append(result)
            else:
                values[name] = result
        return values, errors

    def resolve_village(self, text: str) -> int | FieldError:
        text = text.strip()
        label = CLIENT_FIELDS["village_id"].label if "village_id" in CLIENT_FIELDS else "所属村"
        if not text:
            return FieldError("village_id", label, "required", f"{label}不能为空。")
        if text.isdigit() and int(text) in self.ref.villages:
            return int(text)
        found = self.ref.find_villages(text)
        if len(found) == 1:
            return found[0].id
        if not found:
            return FieldError("village_id", label, "unknown", f"{label}不存在：{text}。")
        options = "、".join(f"{self.ref.full_name(v)}（{v.code}）" for v in found[:8])
        return FieldError(
            "village_id", label, "ambiguous",
            f"{label}“{text}”有 {len(found)} 个：{options}。请写成“乡镇+村”（如 {self.ref.full_name(found[0])}）"
            "或村编码；branchdesk villages 列出全部村。",
        )

    def _resolve_manager(self, text: str) -> int | FieldError | None:
        text = text.strip()
        if not text:
            return None
        s = self.ref.find_staff(text)
        if s is None or (s.role != Role.MANAGER.value and s.role != Role.BRANCH_HEAD.value):
            return FieldError("manager_id", "管户客户经理", "unknown", f"管户客户经理不存在：{text}。")
        return s.id

    def _hq_tag_errors(self, old: tuple[str, ...], new: tuple[str, ...]) -> list[FieldError]:
        """Head office's tags (source hq) are not the branch's to add or remove."""
        def hq(tags: tuple[str, ...]) -> set[str]:
            return {t for t in tags if (row := self.ref.tag_by_code.get(t)) is None or row.source != "branch"}

        if hq(old) == hq(new):
            return []
        label = CLIENT_KIND.column("hq_tags").label
        return [FieldError("tags", "标签", "owner", f"{label}由总行维护，网点只能增删本网点的标签。")]

    def _resolve_tags(self, text: str) -> tuple[str, ...] | FieldError:
        codes = []
        for part in text.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            tag = self.ref.find_tag(part)
            if tag is None:
                return FieldError("tags", "标签", "unknown", f"标签不存在：{part}。")
            codes.append(tag.code)
        return tuple(sorted(set(codes)))

    # --- changing ------------------------------------------------------------

    def prepare_add(self, raw: Mapping[str, str], *, check_duplicates: bool = True) -> Client | list[FieldError]:
        """A new branch prospect checked by every rule ``add`` applies, not written (``add``, and an
        import that writes many in one transaction). ``check_duplicates``: refuse an ID number the
        book already has (an import decides about those itself)."""
        return self.prepare_adds([raw], check_duplicates=check_duplicates)[0]

    def prepare_adds(self, raws: Iterable[Mapping[str, str]], *,
                     check_duplicates: bool = True) -> list[Client | list[FieldError]]:
        """``prepare_add`` of each of ``raws`` (an import's rows), in order: the same rules for every
        row, what does not depend on the row decided once (the permission, which fields a new record
        may fill, today's date) and the reading of a value seen in an earlier row (a village, a group,
        a segment) reused."""
        denied = check(self.staff, Action.ADD_CLIENT)
        if denied:
            return [[denied] for _raw in raws]
        rules = _AddRules(self, check_duplicates)
        return [rules.prepare(raw) for raw in raws]

    def add(self, raw: Mapping[str, str]) -> Result[Client]:
        """Create a branch prospect (no core-banking number yet)."""
        draft = self.prepare_add(raw)
        if isinstance(draft, list):
            return Result.failed(*draft)
        with write(self.db):
            created = self.repo.insert(draft, author=self.staff.code)
            if created.id_override:
                audit.record(
                    self.db,
                    staff=self.staff.code,
                    action=audit.CREDIT_CODE_OVERRIDE,
                    kind="client",
                    row_uid=created.uid,
                    detail="新建客户时确认试点期统一社会信用代码",
                )
        return Result.done(created, Changes.of("client", uids=[created.uid]))

    def prepare_edit(self, client_id: int, raw: Mapping[str, str]) -> tuple[Client, dict[str, Any]] | list[FieldError]:
        """The checked typed changes of an edit (every rule ``edit`` applies), not written: (the client
        as it is, the changes), or the errors. ``edit``, and an import that updates many at once."""
        c = self._load(client_id, Action.EDIT_CLIENT)
        if isinstance(c, FieldError):
            return [c]
        values, errors = self.parse_changes(raw)
        for name in values:
            spec = CLIENT_FIELDS.get(name)
            if spec is not None and not spec.editable:
                errors.append(
                    FieldError(name, spec.label, "owner", f"{spec.label}不能在网点修改。")
                )
                continue
            owned = ownership_error(c, name)
            if owned:
                errors.append(owned)
        if "tags" in values:
            errors += self._hq_tag_errors(c.tags, values["tags"])
        if "manager_id" in values and values["manager_id"] != c.manager_id:
            errors += _perm_list(check(self.staff, Action.ASSIGN_MANAGER))
        if values.get("id_override") and not c.id_override:
            errors += _perm_list(check(self.staff, Action.OVERRIDE_CREDIT_CODE))
        new = replace(c, **values)
        if not errors:
            before = set(validate_client(c, village_exists=self.ref.village_exists))
            after = validate_client(new, village_exists=self.ref.village_exists)
            # Report what this edit breaks; an old flaw elsewhere in the record
            # must not block an unrelated change (it shows in the form instead).
            errors += [e for e in after if e.field in values or e not in before]
        if errors:
            return errors
        return c, values

    def edit(
        self,
        client_id: int,
        raw: Mapping[str, str],
        *,
        expected_version: int | None = None,
    ) -> Result[Client]:
        """Change some fields. All checks pass, or nothing is written."""
        prepared = self.prepare_edit(client_id, raw)
        if isinstance(prepared, list):
            return Result.failed(*prepared)
        c, values = prepared
        try:
            with write(self.db):
                updated = self.repo.update(
                    client_id, values, author=self.staff.code, expected_version=expected_version
                )
                if values.get("id_override") and not c.id_override:
                    audit.record(
                        self.db,
                        staff=self.staff.code,
                        action=audit.CREDIT_CODE_OVERRIDE,
                        kind="client",
                        row_uid=c.uid,
                        detail="确认试点期统一社会信用代码",
                    )
        except StaleEditError as exc:
            return Result.failed(FieldError("version", "版本", "stale", str(exc)))
        changed = updated.version != c.version
        return Result.done(updated, Changes.of("client", uids=[c.uid]) if changed else Changes())

    def delete(self, client_id: int) -> Result[Client]:
        """Soft delete (tombstone) with a journal row."""
        c = self._load(client_id, Action.DELETE_CLIENT)
        if isinstance(c, FieldError):
            return Result.failed(c)
        with write(self.db):
            deleted = self.repo.delete(client_id, author=self.staff.code)
        return Result.done(deleted, Changes.of("client", uids=[c.uid]))


# Fields whose text is mostly distinct per record (parsed each time; the others are remembered per text).
_DISTINCT = frozenset({"name", "id_number", "mobile", "address", "notes"})
_UNSET = object()


class _AddRules:
    """The rules of ``ClientService.prepare_add`` for one batch of new records, by one staff member
    (permission already checked): what does not depend on the record worked out once."""

    def __init__(self, svc: ClientService, check_duplicates: bool) -> None:
        self.svc = svc
        self.check_duplicates = check_duplicates
        self.manager = svc.staff.role == Role.MANAGER
        self.today = date.today()
        self.village_exists = svc.ref.village_exists
        self.parsed: dict[tuple[str, str], tuple[str, Any]] = {}
        # a new record has no core-banking number yet: whether the branch may fill a field is the field's
        self.owned: dict[str, Any] = {}

    def _parse(self, key: str, text: Any) -> tuple[str, Any]:
        """``parse_changes`` of one field: (its name, its typed value or a FieldError)."""
        name = ALIASES.get(key, key)
        values, errors = self.svc.parse_changes({name: text})
        return name, errors[0] if errors else values[name]

    def _ownership(self, draft: Client, name: str) -> tuple[FieldError, Any] | None:
        """The refusal of a value for ``name`` in a new record, with its column, when the branch may not
        fill it (None when it may)."""
        owned, col = ownership_error(draft, name), CLIENT_KIND.by_local.get(name)
        return (owned, col) if owned and col is not None else None

    def prepare(self, raw: Mapping[str, str]) -> Client | list[FieldError]:
        svc = self.svc
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        parsed = self.parsed
        for key, text in raw.items():
            if key in _DISTINCT:  # (no alias is one of these)
                name, result = key, parse_field(key, "" if text is None else str(text))
            elif type(text) is str:
                found = parsed.get((key, text))
                if found is None:
                    found = parsed[key, text] = self._parse(key, text)
                name, result = found
            else:
                name, result = self._parse(key, text)
            if isinstance(result, FieldError):
                errors.append(result)
            else:
                values[name] = result
        if self.manager:
            # A manager's new client is theirs; assigning is the branch head's job.
            if values.get("manager_id") not in (None, svc.staff.id):
                errors.append(check(svc.staff, Action.ASSIGN_MANAGER) or _assign_error())
            values["manager_id"] = svc.staff.id
        values.pop("client_no", None)
        if "kind" not in values:
            values["kind"] = ClientKind.INDIVIDUAL
        draft = Client(**values)
        ownership = self.owned
        for name, value in values.items():
            # the rule head office applies to a new record: core-banking fields stay empty
            rule = ownership.get(name, _UNSET)
            if rule is _UNSET:
                rule = ownership[name] = self._ownership(draft, name)
            if rule is not None:
                owned, col = rule
                if not col.is_empty(value if not hasattr(value, "value") else value.value):
                    errors.append(owned)
        if draft.tags:
            errors += svc._hq_tag_errors((), draft.tags)
        if draft.id_override:
            errors += _perm_list(check(svc.staff, Action.OVERRIDE_CREDIT_CODE))
        # a field already refused above is not refused again for being empty
        found = validate_client(draft, village_exists=self.village_exists, today=self.today)
        if found:
            said = {e.field for e in errors}
            errors += [e for e in found if e.field not in said]
        if self.check_duplicates and draft.id_number and not errors:
            dupes = svc.repo.find_by_id_number(draft.id_number)
            if dupes:
                label = "身份证号" if draft.kind == ClientKind.INDIVIDUAL else "统一社会信用代码"
                errors.append(
                    FieldError(
                        "id_number",
                        label,
                        "duplicate",
                        f"{label}已存在于客户“{dupes[0].name}”（编号 {dupes[0].id}），请勿重复建档。",
                    )
                )
        return errors or draft


@dataclass(frozen=True)
class MergePlan:
    """What a merge will do: the survivor as it will look, and the records folded into it."""

    survivor: Client  # unmasked: shown masked by the UI like any client
    absorbed: tuple[Client, ...]
    changes: dict[str, Any]  # fields of the survivor that the merge changes


def _merged_fields(keep: Client, others: list[Client]) -> dict[str, Any]:
    """Fill the survivor's gaps from the others; never overwrite what it has."""
    changes: dict[str, Any] = {}
    for name in ("mobile", "address", "group_name", "consent_date", "consent_channel"):
        if getattr(keep, name) in (None, ""):
            for o in others:
                if getattr(o, name) not in (None, ""):
                    changes[name] = getattr(o, name)
                    break
    if keep.consent is None:
        found = [o.consent for o in others if o.consent is not None]
        if found:
            changes["consent"] = found[0]
    dates = [d for d in (keep.last_contact, *(o.last_contact for o in others)) if d]
    if dates and max(dates) != keep.last_contact:
        changes["last_contact"] = max(dates)
    tags = tuple(sorted(set(keep.tags).union(*(o.tags for o in others))))
    if tags != keep.tags:
        changes["tags"] = tags
    notes = [n for n in (keep.notes, *(o.notes for o in others)) if n]
    merged_notes = "；".join(dict.fromkeys(notes))[:500]
    if merged_notes != (keep.notes or ""):
        changes["notes"] = merged_notes
    if any(o.potential for o in others) and not keep.potential:
        changes["potential"] = True
    return changes


def plan_merge(svc: ClientService, ids: list[int]) -> MergePlan | FieldError:
    """Preview merging clients that share an ID number. Nothing is written."""
    denied = check(svc.staff, Action.MERGE_CLIENTS)
    if denied:
        return denied
    clients = [svc.repo.get(i) for i in dict.fromkeys(ids)]
    if any(c is None for c in clients) or len(clients) < 2:
        return FieldError("clients", "客户", "unknown", "请选择至少两位仍存在的客户进行合并。")
    numbers = {c.id_number for c in clients}
    if len(numbers) != 1 or None in numbers:
        return FieldError("id_number", "证件号码", "mismatch", "只有证件号码相同的客户才能合并。")
    banked = [c for c in clients if c.client_no]
    if len(banked) > 1:
        return FieldError("client_no", "核心客户号", "owner", "两条记录都有核心客户号，须由总行在核心系统合并。")
    # the survivor: the core-banking record if any, else the oldest
    keep = banked[0] if banked else min(clients, key=lambda c: c.id)
    others = [c for c in clients if c.id != keep.id]
    changes = _merged_fields(keep, others)
    return MergePlan(replace(keep, **changes), tuple(others), changes)


def merge(svc: ClientService, ids: list[int]) -> Result[Client]:
    """Merge duplicates in one transaction: the survivor is updated and the others
    tombstoned, each with its journal row (the absorbed records' journals stay)."""
    plan = plan_merge(svc, ids)
    if isinstance(plan, FieldError):
        return Result.failed(plan)
    with write(svc.db):
        survivor = plan.survivor
        if plan.changes:
            survivor = svc.repo.update(plan.survivor.id, plan.changes, author=svc.staff.code)
        for o in plan.absorbed:
            svc.repo.delete(o.id, author=svc.staff.code, merged_into=survivor.uid)
    return Result.done(survivor, Changes.of("client", uids=[survivor.uid, *(o.uid for o in plan.absorbed)]))


def _assign_error() -> FieldError:
    return FieldError("manager_id", "管户客户经理", "permission", "客户经理不能把客户分配给他人。")
