"""Importing whitelist candidates (白名单推荐名单) from a branch's own spreadsheet.

The same steps as a client roster (``app.services.import_clients``; the shared parts are in
``app.services.import_common``):

1. ``load``: read a sheet, find its header, guess the columns: name, ID number, mobile, village,
   industry cluster (产业集群), the amount asked for (建议额度, in 元 or 万元), the product, the
   reason, and the scorecard inputs where the sheet has them (家庭人口, 上年家庭纯收入 …, the
   inputs head office's scorecards read, ``sync.protocol.scorecard.INPUTS``); or take the mapping
   remembered for this layout.
2. ``plan``: every row read with ``app.core.cells`` (full-width digits, ID numbers Excel mangled,
   “5万”, 3人, 10亩) and put through ``WhitelistService.nominate`` itself, in a transaction that is
   rolled back, so a row is refused by exactly its rules (permission, the ID number's check digit,
   a known cluster, the scorecard inputs) with the service's reason. An ID number with a
   nomination still waiting for head office, or already on the whitelist, is skipped (or refused,
   as the person chose), the reason shown; the same ID number twice in the file is refused, naming
   the earlier line. A candidate already in the client book is linked to it. Nothing is kept.
3. ``commit``: the accepted rows through ``WhitelistService.nominate`` in ONE transaction
   (journaled, so they sync to head office for a decision; audited once with the counts and the
   file name); a crash, a refused row or a cancel leaves nothing written.
4. ``write_errors``: the refused rows as they were, with the reason, to correct and import again.

The nomination record has no mobile or village: those columns are read to show the candidate
(masked) and are not stored. Runs on the thread that owns ``db``. No Qt; nothing of the file's
content goes to the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlite_utils

from app.core import cells
from app.core.errors import FieldError
from app.core.masking import mask_id, mask_mobile
from app.core.result import Changes, Result
from app.core.roles import Action, Staff, check
from app.core.whitelist import PRODUCTS
from app.services import import_common as common
from app.services.import_common import REASON_HEADER as REASON_HEADER
from app.services.import_common import Cancelled as Cancelled
from app.services.import_common import Loaded as Loaded
from app.services.import_common import Outcome, PlanBase, Rollback
from app.services.import_common import remember as remember
from app.services.import_common import write_errors as write_errors
from app.services.import_files import Target, data_rows
from app.services.whitelist import WhitelistService
from app.store import audit
from app.store.db import write
from app.store.reference import ReferenceData
from sync.protocol.scorecard import INPUTS

log = logging.getLogger(__name__)

# Header words for the scorecard inputs, beyond their declared labels.
INPUT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "household_size": ("家庭人口", "家庭人口数", "人口", "人口数", "家庭成员数", "家庭成员"),
    "labour": ("劳动力", "劳动力人数", "劳动力数", "劳力"),
    "land_mu": ("承包土地", "承包地", "承包土地面积", "承包面积", "耕地面积", "土地面积"),
    "planting_mu": ("种植规模", "种植面积"),
    "head_count": ("养殖存栏", "存栏", "存栏数", "养殖规模", "养殖数量"),
    "assets_wan": ("家庭资产总值", "家庭资产", "家庭总资产", "资产总值", "资产总额", "总资产", "资产"),
    "debts_wan": ("负债", "负债总额", "家庭负债", "负债金额"),
    "shares_wan": ("股金", "入股金额", "股金金额"),
    "net_income_last_wan": ("上年家庭纯收入", "上年纯收入", "家庭纯收入", "年纯收入", "纯收入"),
    "net_income_expected_wan": ("预计本年纯收入", "预计纯收入", "本年预计纯收入", "预计收入"),
    "years_in_business": ("从业年限", "经营年限", "从业时间"),
    "sales_wan": ("POS微信支付宝年交易额", "年交易额", "交易流水", "收款流水", "年流水"),
    "credit_record": ("履约情况", "信用记录", "征信情况", "履约记录", "信用状况"),
    "overall": ("综合评价", "综合评定"),
}
# What branches write for the scorecard's choices, beyond their labels.
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "credit_record": {"良好": "good", "正常": "good", "无": "good", "好": "good", "无逾期": "good",
                      "轻微逾期": "minor", "已结清": "minor", "有逾期": "minor",
                      "不良": "bad", "有不良": "bad", "差": "bad"},
    "overall": {"好": "4", "较好": "4", "较差": "1", "很好": "5"},
}

TARGETS: tuple[Target, ...] = (
    Target("name", "姓名/名称", ("姓名", "客户姓名", "户主姓名", "户主", "客户名称", "户名", "借款人姓名", "借款人",
                                 "推荐对象", "申请人", "名称"), required=True),
    Target("id_number", "证件号码", ("身份证号", "身份证号码", "证件号码", "证件号", "身份证", "公民身份号码",
                                   "身份证件号码", "统一社会信用代码", "信用代码"), required=True),
    Target("mobile", "手机号", ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "电话号码", "移动电话")),
    Target("village", "所属村", ("村", "所属村", "村名", "行政村", "村委会", "所在村", "村社区", "村居", "村名称",
                                 "乡镇村")),
    Target("cluster", "产业集群", ("产业集群", "集群", "所属集群", "产业", "所属产业", "产业类型", "主营产业"),
           required=True),
    Target("amount", "建议额度", ("建议额度", "申请额度", "需求额度", "推荐额度", "拟授信额度", "授信额度", "额度",
                                 "申请金额", "需求金额", "贷款需求", "贷款金额", "融资需求")),
    Target("product", "产品", ("产品", "贷款产品", "推荐产品", "申请产品")),
    Target("reason", "推荐理由", ("推荐理由", "推荐原因", "推荐意见", "理由")),
    *(Target(i.key, i.label, tuple(dict.fromkeys((cells.header_key(i.label), *INPUT_SYNONYMS.get(i.key, ())))))
      for i in INPUTS),
)
BY_KEY = {t.key: t for t in TARGETS}
INPUT_KEYS = frozenset(i.key for i in INPUTS)
WAN_INPUTS = frozenset(i.key for i in INPUTS if i.unit == "万元")

SKIP, REJECT = "skip", "reject"  # an ID number already nominated or on the whitelist
ON_DUPLICATE = {SKIP: "跳过", REJECT: "列为未通过（写入错误文件）"}

NEW, SKIPPED, REJECTED = "new", "skip", "rejected"
STATUS = {NEW: "新推荐", SKIPPED: "已推荐或已在白名单（跳过）", REJECTED: "拒绝"}
SMALL_YUAN = 100  # an amount below this many 元, read in 元 only by default, was surely meant in 万元


@dataclass
class RowOutcome(Outcome):
    name: str = ""
    shown_id: str = ""  # masked
    shown_mobile: str = ""  # masked; not stored (a nomination has no mobile)
    village: str = ""  # as written; not stored
    cluster: str = ""  # code
    amount_fen: int = 0
    band: str = ""  # the scorecard's expected band, for the preview
    values: dict[str, Any] = field(default_factory=dict)  # what WhitelistService.nominate takes


@dataclass
class Plan(PlanBase):
    STATUSES = STATUS

    rows: list[RowOutcome]
    units: dict[int, str] = field(default_factory=dict)  # money column -> 元 or 万元, as read


    @property
    def skipped(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.status == SKIPPED]


@dataclass
class Imported:
    added: int
    skipped: int
    rejected: int
    uids: list[str]


def load(path: Path, extra: Mapping[str, Any], sheet: str | int | None = None, *,
         header_row: int | None = None) -> Loaded:
    """Read ``sheet`` of ``path``, find its header (or take ``header_row``, 0-based) and guess its
    mapping. ImportFileError (Chinese) when it cannot."""
    return common.load_sheet(path, extra, sheet, header_row, kind="nomination", targets=TARGETS)


def mapping_problems(mapping: Mapping[int, str]) -> list[str]:
    """What is wrong with a mapping, in Chinese (empty when it can be used)."""
    return common.mapping_problems(mapping, TARGETS)


def unit_columns(loaded: Loaded, mapping: Mapping[int, str], unit: str | None) -> dict[int, str]:
    """The unit of each money column: what its header says, else ``unit``; else 元 for the amount
    asked for and 万元 for the scorecard's amounts (the unit its forms use)."""
    return {col: common.column_unit(loaded, col, unit) or (common.YUAN if key == "amount" else common.WAN)
            for col, key in mapping.items() if key == "amount" or key in WAN_INPUTS}


_NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(人|口|个|亩|头|只|年|万元|万|元)?$")


def input_of(key: str, value: Any, unit: str | None) -> str | None:
    """A scorecard input as the scorecard reads it (text; amounts in 万元): “3人” → 3, 50000 in a
    column in 元 → 5, “良好” → good. None when empty; the text itself when it cannot be read (the
    scorecard names the problem)."""
    if common.is_nothing(value):
        return None
    text = cells.compact(value).replace(",", "")
    choices = next((i.choices for i in INPUTS if i.key == key), ())
    if key not in INPUT_KEYS or choices:
        known = {label: v for v, label in choices} | {v: v for v, _label in choices} | CHOICE_SYNONYMS.get(key, {})
        return known.get(text, text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, suffix = Decimal(repr(value)) if isinstance(value, float) else Decimal(value), ""
    else:
        m = _NUMBER.match(text)
        if not m:
            return text[:30]
        try:
            number, suffix = Decimal(m.group(1)), m.group(2) or ""
        except InvalidOperation:
            return text[:30]
    if key in WAN_INPUTS and (suffix == "元" or (not suffix and unit == common.YUAN)):
        number = number / 10_000
    shown = format(number.normalize(), "f")
    return shown


class NominationImporter:
    """One staff member's import of whitelist candidates. Runs on the thread that owns ``db``."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self.svc = WhitelistService(db, staff, self.ref, today=today)
        self._clusters: list[tuple[str, str]] | None = None

    def _cluster(self, text: str) -> str:
        """A cluster by code or name (茶叶产业集群, 茶叶); the text itself when none is (the service says so)."""
        if self._clusters is None:
            self._clusters = self.svc.repo.clusters()
        t = text.strip()
        for code, name in self._clusters:
            if t and (t in (code, name) or t.lower() == code.lower() or (name and name.startswith(t))):
                return code
        return t

    def _read(self, row: Sequence[Any], mapping: Mapping[int, str], units: Mapping[int, str],
              guessed: bool) -> RowOutcome:
        """A row as ``nominate`` takes it, and what could not be read. ``guessed``: the amount's unit
        is 元 only because nothing said otherwise."""
        got = {key: common.cell_of(row, col) for col, key in mapping.items()}
        unit_of = {key: units[col] for col, key in mapping.items() if col in units}
        out = RowOutcome(0, list(row), REJECTED)
        out.name = common.joined_cjk(cells.text(got.get("name")))
        number = cells.id_number(got.get("id_number"))
        if isinstance(number, cells.CellProblem):
            out.reasons.append(f"证件号码{number.message}")
            number = ""
        out.shown_id = mask_id(number) or ""
        out.shown_mobile = mask_mobile(cells.phone(got.get("mobile"))) or ""
        out.village = cells.text(got.get("village"))
        out.cluster = self._cluster(cells.text(got.get("cluster")))
        values: dict[str, Any] = {"name": out.name, "id_number": number, "cluster": out.cluster}
        if "amount" in got and not common.is_nothing(got["amount"]):
            fen = cells.money_fen(got["amount"], unit=unit_of.get("amount", common.YUAN))
            own_unit = isinstance(got["amount"], str) and any(u in got["amount"] for u in ("万", "元"))
            if isinstance(fen, cells.CellProblem):
                out.reasons.append(f"建议额度{fen.message}")
            elif fen is not None:
                if guessed and not own_unit and 0 < fen < SMALL_YUAN * 100:
                    out.reasons.append(f"建议额度只有 {fen / 100:g} 元：如果表中金额以万元计，"
                                       "请在表头写明“（万元）”或把金额单位选为“万元”")
                values["amount_fen"] = out.amount_fen = fen
        text = cells.text(got.get("product"))
        if text:
            code = next((c for c, label in PRODUCTS.items() if text in (c, label)), None)
            if code is None:
                out.reasons.append(f"产品“{text[:20]}”不认识；可选：{'、'.join(PRODUCTS.values())}")
            values["product"] = code
        reason = cells.text(got.get("reason"))
        if reason:
            values["reason"] = reason
        inputs = {}
        for key in INPUT_KEYS & set(got):
            read = input_of(key, got[key], unit_of.get(key))
            if read is not None:
                inputs[key] = read
        values["inputs"] = inputs
        out.values = values
        return out

    def plan(self, loaded: Loaded, mapping: Mapping[int, str], on_duplicate: str = SKIP, *,
             unit: str | None = None, progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> Plan | FieldError:
        """Every data row read and put to ``WhitelistService.nominate``'s rules; nothing kept. ``unit``:
        元 or 万元 for money columns whose header names no unit. A FieldError when it cannot start."""
        denied = check(self.staff, Action.NOMINATE)
        if denied:
            return denied
        if on_duplicate not in ON_DUPLICATE:
            return FieldError("duplicates", "重复处理", "choice",
                              f"已推荐或已在白名单的处理方式只能是 skip 或 reject，不认识“{on_duplicate}”。")
        chosen = common.unit_choice(unit)
        if isinstance(chosen, ValueError):
            return FieldError("unit", "金额单位", "choice", f"{chosen}。")
        problems = mapping_problems(mapping)
        if problems:
            return FieldError("mapping", "列对应", "invalid", "；".join(problems) + "。")
        units = unit_columns(loaded, mapping, chosen)
        amount_col = common.column_of(mapping, "amount")
        guessed = amount_col is not None and common.column_unit(loaded, amount_col, chosen) is None
        read = []
        for line, row in data_rows(loaded.rows, loaded.header):
            outcome = self._read(row, mapping, units, guessed)
            outcome.line = line
            read.append(outcome)
        book = self._in_book(sorted({o.values["id_number"] for o in read if o.values.get("id_number")}))
        first_line: dict[str, int] = {}
        total = len(read)
        try:
            with write(self.db):  # the service's own checks, on a transaction that is then rolled back
                for n, outcome in enumerate(read):
                    common.tick(n, total, progress, cancelled)
                    self._plan_row(outcome, book, first_line, on_duplicate)
                raise Rollback()
        except Rollback:
            pass
        if progress is not None:
            progress(total, total)
        return Plan(loaded, on_duplicate, read, units)

    def _plan_row(self, outcome: RowOutcome, book: Mapping[str, str], first_line: dict[str, int],
                  on_duplicate: str) -> None:
        number = outcome.values.get("id_number") or ""
        if number and number.upper() in first_line:
            outcome.reasons.append(f"证件号码与第 {first_line[number.upper()]} 行重复")
        elif number:
            first_line[number.upper()] = outcome.line
        if outcome.reasons:
            return
        if number.upper() in book:
            outcome.values["client_uid"] = book[number.upper()]
        tried = self.svc.nominate(outcome.values)
        if not tried.ok:
            held = [e for e in tried.errors if e.field == "id_number" and e.code in ("duplicate", "listed")]
            outcome.reasons = [e.message.rstrip("。") for e in tried.errors]
            if tried.errors[0].field == "cluster" and tried.errors[0].code == "unknown":
                names = "、".join(f"{n}（{c}）" for c, n in self._clusters or [])
                outcome.reasons[0] += f"；可选：{names}" if names else ""
            if held and len(held) == len(tried.errors) and on_duplicate == SKIP:
                outcome.status = SKIPPED
            return
        outcome.status = NEW
        check_ = self.svc.scorecard_check(outcome.cluster, outcome.values.get("inputs") or {})
        if check_.ok and check_.value is not None:
            outcome.band = check_.value.band or "未达准入"

    def _in_book(self, numbers: list[str]) -> dict[str, str]:
        """ID numbers of candidates already in the client book -> the (first) client's uid."""
        out: dict[str, str] = {}
        upper = sorted({n.upper() for n in numbers})
        for n in range(0, len(upper), 500):
            part = upper[n : n + 500]
            marks = ",".join("?" * len(part))
            for number, uid in self.db.conn.execute(
                    f"SELECT id_number, uid FROM clients WHERE deleted = 0 AND id_number IN ({marks}) ORDER BY id DESC",
                    part):
                out[number] = uid
        return out

    # --- commit ----------------------------------------------------------------------------

    def commit(self, plan: Plan, *, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> Result[Imported]:
        """Nominate the accepted rows through ``WhitelistService.nominate`` in one transaction
        (journaled, audited once); all or nothing."""
        denied = check(self.staff, Action.NOMINATE)
        if denied:
            return Result.failed(denied)
        todo = [r for r in plan.rows if r.status == NEW]
        counts = plan.counts()
        uids: list[str] = []
        try:
            with write(self.db):
                for n, r in enumerate(todo):
                    common.tick(n, len(todo), progress, cancelled)
                    done = self.svc.nominate(r.values)
                    if not done.ok or done.value is None:
                        raise _RowRefused(r.line, done.message)
                    uids.append(done.value.uid)
                if cancelled is not None and cancelled():  # up to the last moment before the commit
                    raise Cancelled()
                audit.record(
                    self.db, staff=self.staff.code, action=audit.IMPORT_NOMINATIONS, kind="nomination",
                    detail=f"从表格“{plan.loaded.path.name}”导入白名单推荐：新推荐 {counts[NEW]}，"
                           f"跳过 {counts[SKIPPED]}，拒绝 {counts[REJECTED]}",
                )
        except Cancelled:
            return Result.failed(FieldError("import", "导入", "cancelled", "已取消导入，没有提交任何推荐。"))
        except _RowRefused as exc:
            return Result.failed(FieldError("import", "导入", "row",
                                            f"第 {exc.line} 行：{exc.message.rstrip('。')}。没有提交任何推荐，"
                                            "请重新检查后再导入。"))
        if progress is not None:
            progress(len(todo), len(todo))
        log.info("nomination import committed: %d new, %d skipped, %d rejected", counts[NEW], counts[SKIPPED],
                 counts[REJECTED])
        done_ = Imported(counts[NEW], counts[SKIPPED], counts[REJECTED], uids)
        return Result.done(done_, Changes.of("nomination", uids=uids) if uids else Changes())


class _RowRefused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(line)
        self.line = line
        self.message = message
