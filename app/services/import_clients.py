"""Importing a client roster from a branch's own spreadsheet: map, preview, validate, commit all or nothing.

Steps (the UI's wizard and ``branchdesk import clients`` alike):

1. ``load``: read a sheet (``app.services.import_files``), find its header,
   guess the column mapping (or take the one remembered for this layout).
2. ``plan``: every data row read with ``app.core.cells`` (full-width digits,
   mangled ID numbers, phone prefixes) and checked by exactly the rules
   ``ClientService.add`` / ``edit`` apply; an ID number already in the book
   (or earlier in the file) is a duplicate, handled as the person chose:
   skip, update the branch's fields of the existing client, or add it and
   list the pair for a merge. Nothing is written.
3. ``commit``: the accepted rows in ONE transaction (journaled, so they sync;
   audited with the counts and the file name, never a row); a crash or a
   cancel leaves nothing half-written. The mapping is remembered per layout.
4. ``write_errors``: the rejected rows as they were, with a reason column, so
   a person fixes just those and imports that file again.

No Qt; runs on the thread that owns ``db`` (a worker in the app). Nothing of
the file's content goes to the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from app.core import cells
from app.core import validation as v
from app.core.client import Client, ClientKind
from app.core.errors import FieldError
from app.core.masking import mask_id, mask_mobile
from app.core.result import Changes, Result
from app.core.roles import Action, Staff, check
from app.services import import_common as common
from app.services.clients import ClientService

# Shared by every kind of import, re-exported under the names they always had here.
from app.services.import_common import HEADER_ROOM as HEADER_ROOM
from app.services.import_common import MAX_ROWS as MAX_ROWS
from app.services.import_common import REASON_HEADER as REASON_HEADER
from app.services.import_common import Cancelled as Cancelled
from app.services.import_common import Loaded as Loaded
from app.services.import_common import PlanBase
from app.services.import_common import remember as remember
from app.services.import_common import write_errors as write_errors
from app.services.import_files import Target, data_rows
from app.store import audit
from app.store.db import write
from app.store.reference import ReferenceData

log = logging.getLogger(__name__)

TARGETS: tuple[Target, ...] = (
    Target("name", "姓名/名称", ("姓名", "客户姓名", "户主姓名", "户主", "客户名称", "户名", "借款人姓名", "名称"),
           required=True),
    Target("id_number", "证件号码", ("身份证号", "身份证号码", "证件号码", "证件号", "身份证", "公民身份号码",
                                   "身份证件号码", "统一社会信用代码", "信用代码")),
    Target("mobile", "手机号", ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "电话号码", "移动电话")),
    Target("township", "乡镇", ("乡镇", "所属乡镇", "乡镇街道", "乡镇名称", "镇", "乡", "街道")),
    Target("village", "所属村", ("村", "所属村", "村名", "行政村", "村委会", "所在村", "村社区", "村居", "村名称"),
           required=True),
    Target("group_name", "村民小组", ("组", "村民小组", "小组", "组别", "社", "村民组", "所属组")),
    Target("address", "地址", ("地址", "住址", "家庭住址", "详细地址", "家庭地址", "居住地址")),
    Target("segment", "客群", ("客群", "客户群", "客群分类", "客户群体")),
    Target("manager", "管户客户经理", ("客户经理", "管户客户经理", "管户经理", "营销人员", "管户人", "营销经理")),
    Target("tags", "标签", ("标签", "客户标签", "产业", "产业标签")),
    Target("consent_date", "营销授权日期", ("授权日期", "营销授权日期", "签署授权日期", "授权时间")),
    Target("consent_channel", "授权渠道", ("授权渠道", "授权方式", "授权途径")),
    Target("notes", "备注", ("备注", "说明", "备注说明", "情况说明")),
)
BY_KEY = {t.key: t for t in TARGETS}

SKIP, UPDATE, MERGE = "skip", "update", "merge"  # what to do with an ID number the book already has
ON_DUPLICATE = {SKIP: "跳过", UPDATE: "更新已有客户", MERGE: "新增后合并"}

NEW, UPDATED, SKIPPED, TO_MERGE, UNCHANGED, REJECTED = "new", "update", "skip", "merge", "same", "rejected"
STATUS = {NEW: "新增", UPDATED: "更新", SKIPPED: "已有，跳过", TO_MERGE: "新增（待合并）", UNCHANGED: "已有，无变化",
          REJECTED: "拒绝"}
COMMIT_BATCH = 10_000  # new clients written per statement batch (cancel and progress are checked between)
PLAN_PART = 5_000  # new clients checked per call of the client book's rules (cancel and progress between)


@dataclass
class RowOutcome:
    line: int  # as the spreadsheet numbers it
    cells: list[Any]
    status: str
    name: str = ""
    shown_id: str = ""  # masked
    shown_mobile: str = ""  # masked
    village: str = ""
    reasons: list[str] = field(default_factory=list)
    client_id: int | None = None  # the existing client of a duplicate
    draft: Client | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


@dataclass
class Plan(PlanBase):
    STATUSES = STATUS

    rows: list[RowOutcome]



@dataclass
class Imported:
    added: int
    updated: int
    skipped: int
    rejected: int
    to_merge: list[tuple[int, int]]  # (existing client id, new client id) pairs sharing an ID number
    uids: list[str]


def load(path: Path, extra: Mapping[str, Any], sheet: str | int | None = None, *,
         header_row: int | None = None) -> Loaded:
    """Read ``sheet`` of ``path``, find its header (or take ``header_row``, 0-based, as a person
    chose it) and guess its mapping. ImportFileError (Chinese) when it cannot."""
    return common.load_sheet(path, extra, sheet, header_row, kind="client", targets=TARGETS)


def mapping_problems(mapping: Mapping[int, str]) -> list[str]:
    """What is wrong with a mapping, in Chinese (empty when it can be used)."""
    return common.mapping_problems(mapping, TARGETS)


class ClientImporter:
    """One staff member's import into the client book. Runs on the thread that owns ``db``."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.svc = ClientService(db, staff, self.ref)
        self._villages: dict[str, int | FieldError] = {}

    # --- plan ------------------------------------------------------------------------------

    def _village(self, text: str) -> int | FieldError:
        found = self._villages.get(text)
        if found is None:
            found = self._villages[text] = self.svc.resolve_village(text)
        return found

    def _read(self, row: Sequence[Any], mapping: Mapping[int, str]) -> tuple[dict[str, str], list[str]]:
        """A row's cells as the text the client service takes, and what could not be read."""
        raw, problems, _village = self._read_row(row, tuple((key, col) for col, key in mapping.items()))
        return raw, problems

    def _read_row(self, row: Sequence[Any],
                  columns: Sequence[tuple[str, int]]) -> tuple[dict[str, str], list[str], str]:
        """``_read`` with the mapping as (key, column) pairs; also the village cell's text as shown."""
        got: dict[str, Any] = {}
        width = len(row)
        text = _Texts(got)
        for key, col in columns:
            got[key] = row[col] if col < width else None
        raw: dict[str, str] = {}
        problems: list[str] = []
        name = text("name")
        raw["name"] = "".join(name.split()) if _cjk(name) else name
        segment = text("segment")
        if "id_number" in got:
            number = cells.id_number(got["id_number"])
            if isinstance(number, cells.CellProblem):
                problems.append(f"证件号码{number.message}")
            elif number:
                raw["id_number"] = number
                kind = _kind_of(number)
                raw["kind"] = kind.value
                if kind == ClientKind.BUSINESS and not segment:
                    raw["segment"] = "micro_business"
        if "mobile" in got:
            mobile = cells.phone(got["mobile"])
            if mobile:
                raw["mobile"] = mobile
        shown = text("village")
        village = "".join(shown.split())  # cells.compact
        township = "".join(text("township").split())
        if township and village and not village.startswith(township):
            village = township + village
        if village:
            found = self._village(village)
            if isinstance(found, FieldError):
                problems.append(found.message.rstrip("。"))
            else:
                raw["village_id"] = str(found)
        else:
            problems.append("所属村不能为空")
        group = text("group_name")
        if group:
            raw["group_name"] = group + "组" if group.isdigit() else group
        for key, field_name in (("address", "address"), ("notes", "notes"), ("manager", "manager_id"),
                                ("tags", "tags")):
            value = text(key)
            if value:
                raw[field_name] = value
        if segment:
            raw["segment"] = segment
        if "consent_date" in got:  # a dated authorisation: consent given, on paper unless the row says how
            when = cells.a_date(got["consent_date"])
            if isinstance(when, cells.CellProblem):
                problems.append(f"营销授权日期{when.message}")
            elif when is not None:
                raw.update(consent="是", consent_date=when.isoformat(),
                           consent_channel=text("consent_channel") or "纸质授权书")
        return raw, problems, shown

    def plan(self, loaded: Loaded, mapping: Mapping[int, str], on_duplicate: str = SKIP, *,
             progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> Plan | FieldError:
        """Every data row read and checked; nothing written. A FieldError when the import cannot
        start (permission, a mapping that lacks a required column, an unknown duplicate choice)."""
        with common.gc_paused():
            return self._plan(loaded, mapping, on_duplicate, progress, cancelled)

    def _plan(self, loaded: Loaded, mapping: Mapping[int, str], on_duplicate: str,
              progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None) -> Plan | FieldError:
        denied = check(self.staff, Action.ADD_CLIENT)
        if denied:
            return denied
        problems = mapping_problems(mapping)
        if problems:
            return FieldError("mapping", "列对应", "invalid", "；".join(problems) + "。")
        if on_duplicate not in ON_DUPLICATE:
            return FieldError("duplicates", "重复处理", "choice",
                              f"重复证件号码的处理方式只能是 skip、update 或 merge，不认识“{on_duplicate}”。")
        rows = data_rows(loaded.rows, loaded.header)
        columns = tuple((key, col) for col, key in mapping.items())
        vcol = _col(mapping, "village")
        read = [(line, row, *self._read_row(row, columns)) for line, row in rows]
        numbers = sorted({raw["id_number"] for _l, _r, raw, _p, _v in read if raw.get("id_number")})
        existing = self._existing(numbers)
        first_line: dict[str, int] = {}
        out: list[RowOutcome] = []
        new: list[tuple[RowOutcome, dict[str, str], int | None]] = []  # rows to check as new clients
        total = len(read)
        for n, (line, row, raw, problems, shown) in enumerate(read):
            if cancelled is not None and n % 500 == 0 and cancelled():
                raise Cancelled()
            if progress is not None and n % 1000 == 0:
                progress(n // 2, total)
            number = raw.get("id_number")
            outcome = RowOutcome(line, row, REJECTED, name=raw.get("name", ""),
                                 shown_id=mask_id(number) or "",
                                 shown_mobile=mask_mobile(raw.get("mobile")) or "",
                                 village=shown if vcol is not None and vcol < len(row) else "")
            out.append(outcome)
            if number and number in first_line:
                problems.append(f"证件号码与第 {first_line[number]} 行重复")
            elif number:
                first_line[number] = line
            if problems:
                outcome.reasons = problems
                continue
            known = existing.get(number) if number else None
            if known is not None and on_duplicate != MERGE:
                outcome.client_id = known
                if on_duplicate == SKIP:
                    outcome.status = SKIPPED
                    continue
                self._plan_update(outcome, raw)
                continue
            new.append((outcome, raw, known))
        # the new clients checked by the client book's own rules, a part at a time (cancel, progress)
        for start in range(0, len(new), PLAN_PART):
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress((total + start * total // len(new)) // 2, total)
            part = new[start : start + PLAN_PART]
            drafts = self.svc.prepare_adds([raw for _o, raw, _k in part], check_duplicates=False)
            for (outcome, _raw, known), draft in zip(part, drafts, strict=True):
                if isinstance(draft, list):
                    outcome.reasons = [e.message.rstrip("。") for e in draft]
                    continue
                outcome.draft = draft
                outcome.status = TO_MERGE if known is not None else NEW
                outcome.client_id = known
        if progress is not None:
            progress(total, total)
        return Plan(loaded, on_duplicate, out)

    def _plan_update(self, outcome: RowOutcome, raw: dict[str, str]) -> None:
        """An existing client: the branch's fields the row fills that differ from the book's."""
        assert outcome.client_id is not None
        current = self.svc.repo.get(outcome.client_id)
        changes = {k: t for k, t in raw.items() if k not in ("name", "id_number", "kind")}
        if current is not None and "tags" in changes:  # the row's tags are added to what the client has
            have = {self.ref.tag_by_code[c].name for c in current.tags if c in self.ref.tag_by_code}
            given = {x.strip() for x in changes["tags"].replace("，", ",").split(",") if x.strip()}
            changes["tags"] = ",".join(sorted(have | given))
        prepared = self.svc.prepare_edit(outcome.client_id, changes)
        if isinstance(prepared, list):
            outcome.reasons = [e.message.rstrip("。") for e in prepared]
            return
        client, values = prepared
        values = {k: val for k, val in values.items() if getattr(client, k) != val}
        outcome.values = values
        outcome.status = UPDATED if values else UNCHANGED

    def _existing(self, numbers: list[str]) -> dict[str, int]:
        """ID numbers already in the book -> the (first) client holding each."""
        out: dict[str, int] = {}
        for n in range(0, len(numbers), 500):
            part = numbers[n : n + 500]
            marks = ",".join("?" * len(part))
            for number, cid in self.db.conn.execute(
                f"SELECT id_number, min(id) FROM clients WHERE deleted = 0 AND id_number IN ({marks})"
                " GROUP BY id_number", part,
            ):
                out[number] = cid
        return out

    # --- commit ----------------------------------------------------------------------------

    def commit(self, plan: Plan, *, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> Result[Imported]:
        """Write the accepted rows in one transaction (journaled, audited); all or nothing."""
        with common.gc_paused():
            return self._commit(plan, progress, cancelled)

    def _commit(self, plan: Plan, progress: Callable[[int, int], None] | None,
                cancelled: Callable[[], bool] | None) -> Result[Imported]:
        denied = check(self.staff, Action.ADD_CLIENT)
        if denied:
            return Result.failed(denied)
        todo = [r for r in plan.rows if r.status in (NEW, TO_MERGE, UPDATED)]
        counts = plan.counts()
        uids: list[str] = []
        pairs: list[tuple[int, int]] = []
        new = [r for r in todo if r.status != UPDATED]
        updates = [r for r in todo if r.status == UPDATED]
        try:
            with write(self.db):
                done = 0
                # new clients a batch at a time (the repository's insert, its statements run per batch)
                for start in range(0, len(new), COMMIT_BATCH):
                    if cancelled is not None and cancelled():
                        raise Cancelled()
                    if progress is not None:
                        progress(done, len(todo))
                    batch = new[start : start + COMMIT_BATCH]
                    drafts = [r.draft for r in batch]
                    assert all(d is not None for d in drafts)
                    written = self.svc.repo.insert_many(drafts, author=self.staff.code)  # type: ignore[arg-type]
                    for r, created in zip(batch, written, strict=True):
                        uids.append(created.uid)
                        if r.status == TO_MERGE and r.client_id is not None and created.id is not None:
                            pairs.append((r.client_id, created.id))
                    done += len(batch)
                for n, r in enumerate(updates):
                    if cancelled is not None and n % 500 == 0 and cancelled():
                        raise Cancelled()
                    if progress is not None and n % 1000 == 0:
                        progress(done + n, len(todo))
                    assert r.client_id is not None
                    updated = self.svc.repo.update(r.client_id, r.values, author=self.staff.code)
                    uids.append(updated.uid)
                if cancelled is not None and cancelled():  # up to the last moment before the commit
                    raise Cancelled()
                audit.record(
                    self.db, staff=self.staff.code, action=audit.IMPORT_CLIENTS, kind="client",
                    detail=f"从表格“{plan.loaded.path.name}”导入客户：新增 {counts[NEW] + counts[TO_MERGE]}，"
                           f"更新 {counts[UPDATED]}，跳过 {counts[SKIPPED] + counts[UNCHANGED]}，"
                           f"拒绝 {counts[REJECTED]}",
                )
        except Cancelled:
            return Result.failed(FieldError("import", "导入", "cancelled", "已取消导入，没有写入任何客户。"))
        if progress is not None:
            progress(len(todo), len(todo))
        log.info("client import committed: %d new, %d updated, %d rejected", counts[NEW] + counts[TO_MERGE],
                 counts[UPDATED], counts[REJECTED])
        done = Imported(counts[NEW] + counts[TO_MERGE], counts[UPDATED], counts[SKIPPED] + counts[UNCHANGED],
                        counts[REJECTED], pairs, uids)
        return Result.done(done, Changes.of("client", uids=uids) if uids else Changes())


class _Texts:
    """``cells.text`` of a row's cell by target key ("" for a key without a column or an empty cell)."""

    __slots__ = ("got",)

    def __init__(self, got: dict[str, Any]) -> None:
        self.got = got

    def __call__(self, key: str) -> str:
        value = self.got.get(key)
        return "" if value is None else cells.text(value)


def _col(mapping: Mapping[int, str], key: str) -> int | None:
    return next((c for c, k in mapping.items() if k == key), None)


_HANZI = re.compile("[\u4e00-\u9fff]")


def _cjk(text: str) -> bool:
    return _HANZI.search(text) is not None


def _kind_of(number: str) -> Any:
    """An 18-character number is a resident ID when its birth date reads, else a credit code."""
    if len(number) == 18 and number[:17].isdigit():
        y, m, d = number[6:10], number[10:12], number[12:14]
        if y.isdigit() and 1900 <= int(y) <= 2100 and 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
            return ClientKind.INDIVIDUAL
    if len(number) == 18 and v.credit_code_kind(number) is not None:
        return ClientKind.BUSINESS
    return ClientKind.INDIVIDUAL
