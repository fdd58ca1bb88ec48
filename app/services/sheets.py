"""What goes on a printed worksheet: the whitelist visit sheet, the follow-up sheet and the
marketing worksheet, from the same services the screens use (so scope, consent and masking
are the same on paper). ID and phone numbers are masked unless the role allows numbers in
clear and the person asked; an unmasked print is audited with what was printed.

Sheet numbers come from a counter kept in the database (``meta.sheet_seq``): unique on this
PC, printed on every page and in every row's QR code (``M261202-0001:17``). A printed sheet
and its rows (the record and client each row leads to) are kept in ``sheets`` and
``sheet_rows``, so a returned sheet is keyed back (回录) by its number: each keyed row
becomes contacts and follow-ups in the journal, in the same transaction that marks the row
keyed; keying it again changes nothing. Runs on the connection's thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from app.core.errors import FieldError
from app.core.money import format_wan, to_capital
from app.core.result import Changes, Result
from app.core.roles import Action, Role, Staff, check
from app.core.sheets import RESULTS, WHITELIST_RESULTS, Keyed, parse_key, parse_scan, results_boxes, ways_boxes
from app.core.whitelist import NEEDS_REASON, product_label
from app.printing.sheet import Row, Sheet, render
from app.services.campaigns import CampaignService
from app.services.followups import FollowupService
from app.services.whitelist import WhitelistService
from app.store import audit
from app.store.db import write
from app.store.records import Records
from app.store.reference import ReferenceData, meta_get, meta_set
from app.store.whitelist import WhitelistFilter

# The boxes a manager ticks, numbered as they are keyed back (see app.core.sheets).
VISIT_WAYS = ways_boxes()
RESULT_BOXES = results_boxes()
OUTCOME_BOXES = results_boxes(whitelist=True)
FOOTNOTE = "回录：扫描任一行二维码或输入工作单号；每行按“方式 结果 [月日]”录入，如 32 1215，未走访录 0。"


def _field(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


def empty(plan: Plan) -> FieldError:
    """Why an empty sheet is not printed."""
    what = {"marketing": "这位客户经理在这个活动中没有已授权营销的目标客户",
            "followups": "这位客户经理没有逾期或本周到期的跟进",
            "whitelist": "没有符合条件、已授权营销且在有效期内的白名单客户",
            "scenarios": "还没有登记场景"}[plan.kind]
    return FieldError("rows", "工作单", "empty", f"{what}，没有可打印的内容。")


@dataclass(frozen=True)
class Plan:
    """A sheet ready to render, with what each row leads back to (record uid, client uid,
    name, village). Planning takes the sheet's number (a write); rendering needs no database."""

    sheet: Sheet
    kind: str  # marketing, followups, whitelist
    links: list[tuple[str, str, str, str]]
    manager: str  # staff code
    campaign: str | None
    unmasked: bool


class SheetService:
    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)

    def _number(self, kind: str) -> str:
        with write(self.db):
            seq = int(meta_get(self.db, "sheet_seq", "0") or 0) + 1
            meta_set(self.db, "sheet_seq", str(seq))
        return f"{kind}{date.today():%y%m%d}-{seq:04d}"

    def _branch(self) -> str:
        return meta_get(self.db, "branch_name", "") or meta_get(self.db, "branch_code", "") or "网点"

    def _manager(self, code: str | None) -> tuple[str, str] | FieldError:
        """(code, name) of the manager a sheet is for; a manager prints their own."""
        if Role(self.staff.role) == Role.MANAGER:
            return self.staff.code, self.staff.name
        if not code:
            return _field("manager", "客户经理", "required", "请指明为哪位客户经理打印（--manager 工号）。")
        s = self.ref.find_staff(code)
        if s is None:
            return _field("manager", "客户经理", "unknown", f"员工“{code}”不在本网点名册中。")
        return s.code, s.name

    def _unmasked(self, unmasked: bool) -> FieldError | None:
        return check(self.staff, Action.PRINT_UNMASKED) if unmasked else None

    def _clear_mobiles(self, client_ids: list[int]) -> dict[int, str]:
        out = {}
        for i in range(0, len(client_ids), 500):
            chunk = client_ids[i:i + 500]
            out.update({r[0]: r[1] or "" for r in self.db.conn.execute(
                f"SELECT id, mobile FROM clients WHERE id IN ({','.join('?' * len(chunk))})", chunk)})
        return out

    def _client_uids(self, client_ids: list[int]) -> dict[int, str]:
        out = {}
        for i in range(0, len(client_ids), 500):
            chunk = client_ids[i:i + 500]
            out.update({r[0]: r[1] for r in self.db.conn.execute(
                f"SELECT id, uid FROM clients WHERE id IN ({','.join('?' * len(chunk))})", chunk)})
        return out

    def keep(self, plan: Plan) -> None:
        """Keep a rendered sheet and its rows so it can be keyed back; audit an unmasked print.
        Writes: the writer's thread."""
        sheet = plan.sheet
        with write(self.db):
            self.db.conn.execute(
                "INSERT INTO sheets (number, kind, title, manager, campaign, printed_at, printed_by, row_count,"
                " unmasked) VALUES (?,?,?,?,?,?,?,?,?)",
                (sheet.number, plan.kind, sheet.title, plan.manager, plan.campaign, _now(), self.staff.code,
                 len(sheet.rows), int(plan.unmasked)))
            self.db.conn.executemany(
                "INSERT INTO sheet_rows (number, row, ref, client_uid, client_name, village) VALUES (?,?,?,?,?,?)",
                [(sheet.number, n, *link) for n, link in enumerate(plan.links, 1)])
            if plan.unmasked:
                audit.record(self.db, staff=self.staff.code, action=audit.PRINT_UNMASKED,
                             detail=f"{sheet.title} {sheet.number}：{len(sheet.rows)} 行，手机号未脱敏")

    def print_sheet(self, plan: Result[Plan], path: Path, **kw) -> Result[tuple[str, int, int]]:
        """Render a planned sheet to ``path`` and keep it: (number, pages, rows). A sheet that
        could not be kept is not written. ``kw``: render's progress and cancelled."""
        if not plan.ok:
            return Result.failed(*plan.errors)
        p = plan.value
        if not p.sheet.rows:
            return Result.failed(empty(p))
        # kept before the file appears under its name: a print cut off half-way leaves either
        # no sheet, or a kept sheet with no paper (its number unused), never paper that cannot
        # be keyed back
        rendered = path.with_name(path.name + ".rendered")
        try:
            pages = render(p.sheet, rendered, **kw)
            self.keep(p)
            rendered.replace(path)
        finally:
            rendered.unlink(missing_ok=True)
        return Result.done((p.sheet.number, pages, len(p.sheet.rows)))

    def _plan_and_print(self, plan: Any, path: Path, kw: dict[str, Any]) -> Result[tuple[str, int, int]]:
        """``plan(**kw)`` then print it; ``kw``'s progress and cancelled go to the render."""
        render_kw = {k: kw.pop(k) for k in ("progress", "cancelled") if k in kw}
        return self.print_sheet(plan(**kw), path, **render_kw)

    def whitelist(self, path: Path, **kw) -> Result[tuple[str, int, int]]:
        return self._plan_and_print(self.plan_whitelist, path, kw)

    def followups(self, path: Path, **kw) -> Result[tuple[str, int, int]]:
        return self._plan_and_print(self.plan_followups, path, kw)

    def marketing(self, path: Path, **kw) -> Result[tuple[str, int, int]]:
        return self._plan_and_print(self.plan_marketing, path, kw)

    # --- the sheets ---------------------------------------------------------------------------

    def plan_scenarios(self, *, period: str | None = None) -> Result[Plan]:
        """The scenario report: every scenario by township with its step, the month's accounts
        opened with 环比 and 同比, subsidies in 万元, mobile-banking actives and clients won."""
        from app.core import scenarios as sc
        from app.services.scenarios import ScenarioService

        denied = check(self.staff, Action.VIEW_REPORTS)
        if denied:
            return Result.failed(denied)
        svc = ScenarioService(self.db, self.staff, self.ref)
        p = period or svc.latest_period()
        rows = svc.list()
        if isinstance(rows, FieldError):
            return Result.failed(rows)
        # the service's comparison per scenario (keyed by the scenario's uid), one per metric shown
        figures: dict[str, dict[str, sc.Comparison]] = {}
        for metric in ("accounts", "subsidy_fen", "mb_active"):
            compared = svc.compare(metric=metric, by="scenario", period=p)
            if isinstance(compared, FieldError):
                return Result.failed(compared)
            for _name, c in compared:
                figures.setdefault(c.key, {})[metric] = c
            p = compared[0][1].period if compared else p  # as the service read it (2026/10 → 2026-10)

        def cell(uid: str, metric: str) -> sc.Comparison | None:
            return figures.get(uid, {}).get(metric)

        def amount(c: sc.Comparison | None) -> str:
            return format_wan(c.value, unit=False) if c and c.value is not None else "—"

        def count(c: sc.Comparison | None) -> str:
            return f"{c.value:,}" if c and c.value is not None else "—"

        def cells(r: Any) -> list[str]:
            acc = cell(r.uid, "accounts")
            return [r.name, r.type_name, r.village_name or "（全乡镇）", r.status_label, count(acc),
                    sc.format_rate(acc.mom) if acc else "—", sc.format_rate(acc.yoy) if acc else "—",
                    amount(cell(r.uid, "subsidy_fen")), count(cell(r.uid, "mb_active")), f"{r.clients:,}"]

        ordered = sorted(rows, key=lambda r: (r.township_name, r.village_name, r.name))
        sheet = Sheet(
            number=self._number("S"), title=f"智慧乡村场景报告（{p}）", branch=self._branch(), manager=self.staff.name,
            date=date.today().isoformat(),
            columns=[("场景", 44), ("类型", 22), ("村", 22), ("进度", 14), ("开户数", 14), ("环比", 16), ("同比", 16),
                     ("补贴发放（万元）", 24), ("手机银行月活", 20), ("获客", 12)],
            rows=[Row(f"S:{r.uid}", cells(r), group=r.township_name or "（未填乡镇）") for r in ordered],
            intro=[f"统计月份 {p}：环比与上月比，同比与去年同月比；对比月没有数字或为零时记为 —。",
                   f"共 {len(rows)} 个场景；获客为经由场景登记的客户数。"],
            wide=True, footnote="扫描任一行二维码可在“工作单”页查到本报告。", by_label="制表人")
        links = [(r.uid, "", r.name, r.village_name or r.township_name) for r in ordered]
        return Result.done(Plan(sheet, "scenarios", links, self.staff.code, None, False))

    def scenarios(self, path: Path, **kw) -> Result[tuple[str, int, int]]:
        return self._plan_and_print(self.plan_scenarios, path, kw)

    def plan_whitelist(self, *, manager: str | None = None, cluster: str | None = None,
                       village_id: int | None = None, unmasked: bool = False) -> Result[Plan]:
        """The whitelist visit sheet: a manager's live entries with consent, by village, limits in 万元."""
        who = self._manager(manager)
        if isinstance(who, FieldError):
            return Result.failed(who)
        denied = self._unmasked(unmasked)
        if denied:
            return Result.failed(denied)
        svc = WhitelistService(self.db, self.staff, self.ref)
        f = WhitelistFilter(manager=who[0], cluster=cluster, village_id=village_id, expired=False, outreach=True)
        rows = svc.page(f, sort="village", limit=100_000)
        if isinstance(rows, FieldError):
            return Result.failed(rows)
        clear = self._clear_mobiles([r.client_id for r in rows if r.client_id]) if unmasked else {}
        sheet = Sheet(
            number=self._number("W"), title="白名单走访工作单", branch=self._branch(), manager=who[1],
            date=date.today().isoformat(),
            columns=[("客户", 22), ("联系电话", 24), ("产品", 18), ("额度（万元）", 30), ("有效期至", 20),
                     ("拜访方式", 36), ("营销结果", 46), ("下一步", 28)],
            rows=[Row(f"W:{r.uid}", [r.name, clear.get(r.client_id or 0, r.mobile or ""), product_label(r.product),
                                     f"{format_wan(r.limit_fen, unit=False)}\n{to_capital(r.limit_fen)}",
                                     r.valid_to or "", VISIT_WAYS, OUTCOME_BOXES, ""],
                      group=f"{r.township}{r.village}") for r in rows],
            intro=["额度为总行核定（万元，下附大写），网点不改额度；请勾选拜访方式和营销结果，并写明下一步。",
                   "只列已授权营销、仍在有效期内的白名单客户。"],
            wide=True, footnote=FOOTNOTE)
        links = [(r.uid, r.client_uid, r.name, f"{r.township}{r.village}") for r in rows]
        return Result.done(Plan(sheet, "whitelist", links, who[0], None, unmasked))

    def plan_followups(self, *, manager: str | None = None, unmasked: bool = False) -> Result[Plan]:
        """A manager's overdue and due follow-ups (this week), overdue first."""
        who = self._manager(manager)
        if isinstance(who, FieldError):
            return Result.failed(who)
        denied = self._unmasked(unmasked)
        if denied:
            return Result.failed(denied)
        rows = FollowupService(self.db, self.staff, self.ref).queue(manager=who[0], due="week")
        if isinstance(rows, FieldError):
            return Result.failed(rows)
        clear = self._clear_mobiles([r.client_id for r in rows]) if unmasked else {}
        when = {"overdue": "已逾期", "today": "今天", "week": "本周", "later": "以后"}
        sheet = Sheet(
            number=self._number("F"), title="跟进工作单", branch=self._branch(), manager=who[1],
            date=date.today().isoformat(),
            columns=[("到期", 22), ("客户", 22), ("村", 26), ("联系电话", 24), ("上次记录", 34), ("拜访方式", 36),
                     ("跟进情况", 46), ("下一步", 26)],
            rows=[Row(f"F:{r.uid}", [when[r.when] + (f" {r.days_late}天" if r.days_late else "") + f"\n{r.due}",
                                     r.client_name, r.village, clear.get(r.client_id, r.mobile), r.note, VISIT_WAYS,
                                     RESULT_BOXES, ""]) for r in rows],
            intro=["逾期的跟进排在最前。只列已授权营销的客户。"], wide=True, footnote=FOOTNOTE)
        uids = self._client_uids([r.client_id for r in rows])
        links = [(r.uid, uids.get(r.client_id, ""), r.client_name, r.village) for r in rows]
        return Result.done(Plan(sheet, "followups", links, who[0], None, unmasked))

    def plan_marketing(self, *, campaign: str, manager: str | None = None, unmasked: bool = False) -> Result[Plan]:
        """The marketing worksheet: a manager's targets of one campaign by village, with the script's
        summary and risk line, and blank columns for the visit."""
        who = self._manager(manager)
        if isinstance(who, FieldError):
            return Result.failed(who)
        denied = self._unmasked(unmasked)
        if denied:
            return Result.failed(denied)
        svc = CampaignService(self.db, self.staff, self.ref)
        code = svc.resolve(campaign)
        if isinstance(code, FieldError):
            return Result.failed(code)
        d = svc.detail(code)
        if isinstance(d, FieldError):
            return Result.failed(d)
        if d.blocked:
            return Result.failed(_field("script", "话术", "blocked", "话术含有禁用词，不能印在给客户看的工作单上。"))
        targets = svc.targets(code, manager=who[0])
        if isinstance(targets, FieldError):
            return Result.failed(targets)
        clear = self._clear_mobiles([t.client_id for t in targets]) if unmasked else {}
        summary = d.script if len(d.script) <= 120 else d.script[:119] + "…"
        sheet = Sheet(
            number=self._number("M"), title=f"营销工作单：{d.row.name}", branch=self._branch(), manager=who[1],
            date=date.today().isoformat(),
            columns=[("客户", 22), ("联系电话", 24), ("客户状况", 20), ("拜访时间", 22), ("拜访方式", 36),
                     ("跟进情况", 46), ("下一步", 28), ("签名", 18)],
            rows=[Row(f"M:{t.uid}", [t.name, clear.get(t.client_id, t.mobile), "已触达" if t.reached else "",
                                     "", VISIT_WAYS, RESULT_BOXES, "", ""], group=t.village) for t in targets],
            intro=[f"话术：{summary}", f"权益：{d.benefits or '—'}", f"风险提示：{d.risk_line}",
                   "只列已授权营销的客户，按村排列。"],
            wide=True, footnote=FOOTNOTE)
        uids = self._client_uids([t.client_id for t in targets])
        links = [(t.uid, uids.get(t.client_id, ""), t.name, t.village) for t in targets]
        return Result.done(Plan(sheet, "marketing", links, who[0], code, unmasked))


def _now() -> str:
    return datetime.now().isoformat(sep=" ", timespec="seconds")


# --- keying a returned sheet back (回录) -------------------------------------------------------

_RECORDS = {"marketing": "campaign_targets", "followups": "followups", "whitelist": "whitelist",
            "scenarios": "scenarios"}


@dataclass(frozen=True)
class SheetRowView:
    row: int
    ref: str
    client_name: str
    village: str
    keyed: str | None  # what was keyed, in words, or None
    keyed_at: str | None
    stale: str | None  # why the row can no longer be keyed: its client was merged or deleted…


@dataclass(frozen=True)
class SheetView:
    number: str
    kind: str
    title: str
    manager: str  # staff code
    manager_name: str
    campaign: str | None
    printed_at: str
    rows: tuple[SheetRowView, ...]

    @property
    def keyed(self) -> int:
        return sum(1 for r in self.rows if r.keyed is not None)

    @property
    def stale(self) -> int:
        return sum(1 for r in self.rows if r.stale and r.keyed is None)


@dataclass(frozen=True)
class Keying:
    row: int
    text: str  # what was keyed, in words
    again: bool  # the row had been keyed already: nothing was written
    wrote: bool = False  # contacts, follow-ups or outcomes were written (a row not visited writes none)


class _Undo(Exception):
    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        super().__init__(errors)
        self.errors = errors


class KeyingService:
    """Opening a printed sheet by its number and keying its rows back. Runs on the thread
    that owns ``db``."""

    def __init__(self, db: sqlite_utils.Database, staff: Staff, ref: ReferenceData | None = None, *,
                 today: date | None = None) -> None:
        self.db = db
        self.staff = staff
        self.ref = ref or ReferenceData(db)
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    def _sheet(self, number: str) -> tuple | FieldError:
        parsed = parse_scan(number)
        key = parsed[0] if parsed else (number or "").strip().upper()
        row = self.db.conn.execute(
            "SELECT number, kind, title, manager, campaign, printed_at FROM sheets WHERE number = ?", (key,)).fetchone()
        if row is None:
            return _field("sheet", "工作单号", "unknown", f"工作单“{number.strip()}”不是本机打印的工作单。")
        if Role(self.staff.role) == Role.MANAGER and row[3] != self.staff.code:
            return _field("permission", "权限", "permission", "客户经理只能回录自己的工作单。")
        return tuple(row)

    def _stale(self, kind: str, number: str, only: int | None = None) -> dict[int, str]:
        """Rows whose client or record is gone since printing, and why."""
        table = _RECORDS[kind]
        sql = (f"SELECT r.row, c.uid IS NULL, coalesce(c.deleted, 0), x.uid IS NULL, coalesce(x.deleted, 0),"
               f" r.client_uid FROM sheet_rows r LEFT JOIN clients c ON c.uid = r.client_uid"
               f" LEFT JOIN {table} x ON x.uid = r.ref WHERE r.number = ?")
        args: list = [number]
        if only is not None:
            sql += " AND r.row = ?"
            args.append(only)
        out: dict[int, str] = {}
        for row, no_client, client_gone, no_record, record_gone, client_uid in self.db.conn.execute(sql, args):
            if (no_client or client_gone) and kind != "scenarios":  # a report's rows are scenarios, not clients
                out[row] = self._why_client_gone(client_uid)
            elif no_record or record_gone:
                out[row] = {"marketing": "这个营销目标已从活动名单中撤下。", "followups": "这条跟进已被删除。",
                            "whitelist": "这条白名单已被总行撤销。", "scenarios": "这个场景已被删除。"}[kind]
        return out

    def _why_client_gone(self, client_uid: str) -> str:
        last = self.db.conn.execute(
            "SELECT after FROM journal WHERE kind = 'client' AND row_uid = ? AND op = 'delete'"
            " ORDER BY seq DESC LIMIT 1", (client_uid,)).fetchone()
        into = json.loads(last[0]).get("merged_into") if last else None
        if into:
            found = self.db.conn.execute("SELECT name FROM clients WHERE uid = ?", (into,)).fetchone()
            return f"客户已合并到“{found[0] if found else into}”，请在该客户名下记录。"
        return "客户已删除，此行不能回录。"

    def recent(self, limit: int = 200) -> list[tuple[str, str, str, str, int, int]]:
        """Sheets printed on this PC, newest first: (number, title, manager code, printed at,
        rows, rows keyed). A manager sees their own."""
        mine = Role(self.staff.role) == Role.MANAGER
        return [tuple(r) for r in self.db.conn.execute(
            f"""SELECT s.number, s.title, s.manager, s.printed_at, s.row_count,
                       (SELECT count(*) FROM sheet_rows r WHERE r.number = s.number AND r.keyed IS NOT NULL)
                  FROM sheets s {"WHERE s.manager = ?" if mine else ""}
                 ORDER BY s.printed_at DESC, s.number DESC LIMIT ?""",
            [self.staff.code, limit] if mine else [limit])]

    def open(self, number: str) -> SheetView | FieldError:
        """The sheet with each row's state: keyed (and as what), not yet, or stale."""
        s = self._sheet(number)
        if isinstance(s, FieldError):
            return s
        num, kind, title, manager, campaign, printed_at = s
        stale = self._stale(kind, num)
        whitelist = kind == "whitelist"
        rows = []
        for row, ref, name, village, keyed, keyed_at in self.db.conn.execute(
                "SELECT row, ref, client_name, village, keyed, keyed_at FROM sheet_rows WHERE number = ? ORDER BY row",
                (num,)):
            text = None
            if keyed is not None:
                k = parse_key(keyed, self.today)
                text = k.describe(whitelist) if isinstance(k, Keyed) else keyed
            rows.append(SheetRowView(row, ref, name, village, text, keyed_at, stale.get(row)))
        who = self.ref.find_staff(manager)
        return SheetView(num, kind, title, manager, who.name if who else manager, campaign, printed_at, tuple(rows))

    def key(self, number: str, row: int, code: str, *, note: str = "") -> Result[Keying]:
        """Key one row: its contact (and follow-up, whitelist outcome) written and the row
        marked keyed, in one transaction. A row keyed before is left as it is."""
        s = self._sheet(number)
        if isinstance(s, FieldError):
            return Result.failed(s)
        num, kind, _title, manager, campaign, _printed = s
        found = self.db.conn.execute("SELECT ref, client_uid, keyed, keyed_at FROM sheet_rows"
                                     " WHERE number = ? AND row = ?", (num, row)).fetchone()
        if found is None:
            total = self.db.conn.execute("SELECT row_count FROM sheets WHERE number = ?", (num,)).fetchone()[0]
            return Result.failed(_field("row", "行号", "unknown", f"工作单 {num} 没有第 {row} 行（共 {total} 行）。"))
        ref, client_uid, keyed_before, keyed_at = found
        if kind == "scenarios":
            return Result.failed(_field("sheet", "工作单号", "report",
                                        f"{num} 是场景报告，只供查阅，不需要回录；场景的数字在“场景”页录入。"))
        whitelist = kind == "whitelist"
        k = parse_key(code, self.today)
        if isinstance(k, FieldError):
            return Result.failed(k)
        if keyed_before is not None:
            before = parse_key(keyed_before, self.today)
            said = before.describe(whitelist) if isinstance(before, Keyed) else keyed_before
            if isinstance(before, Keyed) and before == k:
                return Result.done(Keying(row, said, again=True))
            return Result.failed(_field("row", "行号", "keyed",
                                        f"第 {row} 行已于 {keyed_at} 回录为“{said}”，不再重复录入；"
                                        "如需更正，请在跟进或客户页中修改。"))
        stale = self._stale(kind, num, only=row)
        if row in stale:
            return Result.failed(_field("row", "行号", "stale", f"第 {row} 行：{stale[row]}"))
        changes = Changes()
        try:
            with write(self.db):
                if k.visited:
                    changes = self._write(kind, ref, client_uid, k, note=note, campaign=campaign, manager=manager)
                done = self.db.conn.execute(
                    "UPDATE sheet_rows SET keyed = ?, keyed_at = ?, keyed_by = ? WHERE number = ? AND row = ?"
                    " AND keyed IS NULL",
                    (" ".join(code.split()), _now(), self.staff.code, num, row))
                if done.rowcount != 1:  # keyed by someone else in the meantime
                    raise _Undo((_field("row", "行号", "keyed", f"第 {row} 行刚刚已被回录。"),))
        except _Undo as exc:
            return Result.failed(*exc.errors)
        return Result.done(Keying(row, k.describe(whitelist), again=False, wrote=bool(changes)), changes)

    def _write(self, kind: str, ref: str, client_uid: str, k: Keyed, *, note: str, campaign: str | None,
               manager: str) -> Changes:
        """The records a keyed row becomes; raises ``_Undo`` with the reason if one is refused."""
        def check(result: Result) -> Changes:
            if not result.ok:
                raise _Undo(result.errors)
            return result.changes

        client_id = self.db.conn.execute("SELECT id FROM clients WHERE uid = ?", (client_uid,)).fetchone()[0]
        if kind == "whitelist":
            status = WHITELIST_RESULTS[k.result][0]
            wl = WhitelistService(self.db, self.staff, self.ref, today=self.today)
            # 拒绝 and 无法联系 need a reason: on paper it is what the manager wrote beside the row (the note)
            if status in NEEDS_REASON and not note.strip():
                raise _Undo((_field("note", "备注", "required",
                                    f"“{WHITELIST_RESULTS[k.result][1]}”须写明原因：请把纸上写的原因填入备注。"),))
            reason = note.strip()[:200] if status in NEEDS_REASON else ""
            changes = check(wl.record_outcome(ref, status, channel=k.way, note=note, reason=reason))
            if k.next_date is not None:
                rec = Records(self.db, "followup", self.ref).insert({
                    "client_uid": client_uid, "campaign": None, "due": k.next_date.isoformat(), "done": False,
                    "result": "", "note": note.strip()[:500], "staff": manager}, author=self.staff.code)
                changes = changes | Changes.of("followup", uids=[rec.uid])
            return changes
        fs = FollowupService(self.db, self.staff, self.ref, today=self.today)
        if kind == "followups":
            campaign = self.db.conn.execute("SELECT campaign FROM followups WHERE uid = ?", (ref,)).fetchone()[0]
        changes = check(fs.contact(client_id, channel=k.way, outcome=RESULTS[k.result], note=note, campaign=campaign,
                                   next_date=k.next_date))
        if kind == "followups" and k.result != "5":  # reached: the printed follow-up is closed
            is_open = self.db.conn.execute("SELECT done = 0 FROM followups WHERE uid = ?", (ref,)).fetchone()[0]
            if is_open:
                changes = changes | check(fs.done(ref, RESULTS[k.result]))
        return changes
