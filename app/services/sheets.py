"""What goes on a printed worksheet: the whitelist visit sheet, the follow-up sheet and the
marketing worksheet, from the same services the screens use (so scope, consent and masking
are the same on paper). ID and phone numbers are masked unless the role allows numbers in
clear and the person asked; an unmasked print is audited with what was printed.

Sheet numbers come from a counter kept in the database (``meta.sheet_seq``): unique on this
PC, printed on every page and in every row's QR code. Runs on the connection's thread.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlite_utils

from app.core.errors import FieldError
from app.core.money import format_wan
from app.core.result import Result
from app.core.roles import Action, Role, Staff, check
from app.core.whitelist import product_label
from app.printing.sheet import Row, Sheet, render
from app.services.campaigns import CampaignService
from app.services.followups import FollowupService
from app.services.whitelist import WhitelistService
from app.store import audit
from app.store.db import write
from app.store.reference import ReferenceData, meta_get, meta_set
from app.store.whitelist import WhitelistFilter

VISIT_WAYS = "□直接登门 □邀约登门 □电话 □网络 □短信 □其他"
OUTCOME_BOXES = "□已联系 □有意向 □已申请 □无法联系 □拒绝"


def _field(field: str, label: str, code: str, message: str) -> FieldError:
    return FieldError(field, label, code, message)


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

    def _print(self, sheet: Sheet, path: Path, unmasked: bool, **kw) -> Result[tuple[str, int, int]]:
        pages = render(sheet, path, **kw)
        if unmasked:
            audit.record(self.db, staff=self.staff.code, action=audit.PRINT_UNMASKED,
                         detail=f"{sheet.title} {sheet.number}：{len(sheet.rows)} 行，手机号未脱敏")
        return Result.done((sheet.number, pages, len(sheet.rows)))

    # --- the sheets ---------------------------------------------------------------------------

    def whitelist(self, path: Path, *, manager: str | None = None, cluster: str | None = None,
                  village_id: int | None = None, unmasked: bool = False, **kw) -> Result[tuple[str, int, int]]:
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
            columns=[("客户", 22), ("联系电话", 24), ("产品", 18), ("额度（万元）", 16), ("有效期至", 20),
                     ("营销结果", 36), ("跟进情况", 30)],
            rows=[Row(f"W:{r.uid}", [r.name, clear.get(r.client_id or 0, r.mobile or ""), product_label(r.product),
                                     format_wan(r.limit_fen, unit=False), r.valid_to or "", OUTCOME_BOXES, ""],
                      group=f"{r.township}{r.village}") for r in rows],
            intro=["额度为总行核定，网点不改额度；请在“营销结果”中勾选，并写明跟进情况。",
                   "只列已授权营销、仍在有效期内的白名单客户。"],
            wide=True, footnote="回录：扫描任一行二维码打开本工作单。")
        return self._print(sheet, path, unmasked, **kw)

    def followups(self, path: Path, *, manager: str | None = None, unmasked: bool = False,
                  **kw) -> Result[tuple[str, int, int]]:
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
            columns=[("到期", 22), ("客户", 22), ("村", 30), ("联系电话", 24), ("上次记录", 40), ("拜访方式", 44),
                     ("跟进情况", 40), ("下一步", 26)],
            rows=[Row(f"F:{r.uid}", [when[r.when] + (f" {r.days_late}天" if r.days_late else "") + f"<br/>{r.due}",
                                     r.client_name, r.village, clear.get(r.client_id, r.mobile), r.note, VISIT_WAYS,
                                     "", ""]) for r in rows],
            intro=["逾期的跟进排在最前。只列已授权营销的客户。"], wide=True,
            footnote="回录：扫描任一行二维码打开本工作单。")
        return self._print(sheet, path, unmasked, **kw)

    def marketing(self, path: Path, *, campaign: str, manager: str | None = None, unmasked: bool = False,
                  **kw) -> Result[tuple[str, int, int]]:
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
            columns=[("客户", 22), ("联系电话", 24), ("客户状况", 30), ("拜访时间", 22), ("拜访方式", 44),
                     ("跟进情况", 40), ("下一步", 26), ("签名", 16)],
            rows=[Row(f"M:{t.uid}", [t.name, clear.get(t.client_id, t.mobile), "已触达" if t.reached else "",
                                     "", VISIT_WAYS, "", "", ""], group=t.village) for t in targets],
            intro=[f"话术：{summary}", f"权益：{d.benefits or '—'}", f"风险提示：{d.risk_line}",
                   "只列已授权营销的客户，按村排列。"],
            wide=True, footnote="回录：扫描任一行二维码打开本工作单。")
        return self._print(sheet, path, unmasked, **kw)
