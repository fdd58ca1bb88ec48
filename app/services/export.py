"""Export the current filtered client view to xlsx or csv (pandas).

Runs on a database thread (the GUI's reader, or the CLI's main thread). Rows
are read in windows and written in chunks, so a million-row export never holds
the table in memory at once beyond the final spreadsheet writer; progress is
reported per chunk and a cancelled export leaves no file behind (it writes to a
temporary name and renames only when complete). Masked by default: ID and
phone numbers always, individuals' names too unless asked otherwise (张*伟);
the masked columns say so in their headers, and an xlsx carries a 说明 sheet
naming what is masked. Unmasked needs the right and is audited.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from app.core.errors import FieldError
from app.core.money import format_yuan
from app.core.roles import Action, check
from app.store import audit
from app.store.search import ClientFilter

CHUNK = 5_000
XLSX_MAX_ROWS = 1_048_575

COLUMNS = (
    ("id", "编号"),
    ("client_no", "核心客户号"),
    ("name", "客户名称"),
    ("id_number", "证件号码"),
    ("mobile", "手机号"),
    ("township", "乡镇"),
    ("village", "村"),
    ("group_name", "组"),
    ("segment", "客群"),
    ("tier", "层级"),
    ("aum", "资产（元）"),
    ("deposit", "存款（元）"),
    ("loan", "贷款（元）"),
    ("mb_signed", "手机银行签约"),
    ("mb_active", "手机银行月活"),
    ("lifecycle", "生命周期"),
    ("potential", "潜力客户"),
    ("manager", "管户客户经理"),
    ("consent", "营销授权"),
    ("last_contact", "最近联系"),
    ("tags", "标签"),
)


class ExportCancelled(Exception):
    """The person cancelled; nothing was written."""


MASKED = "（已脱敏）"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    masked: bool  # ID and phone numbers
    names_masked: bool = False  # individuals' names


def headers(*, masked: bool, names_masked: bool) -> list[str]:
    """The column headers, each masked column marked as such."""
    marked = {"证件号码", "手机号"} if masked else set()
    if names_masked:
        marked.add("客户名称")
    return [label + MASKED if label in marked else label for _key, label in COLUMNS]


def export_clients(
    service,  # app.services.clients.ClientService
    f: ClientFilter,
    path: Path,
    *,
    sort: str = "name",
    unmasked: bool = False,
    mask_names: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult | FieldError:
    """Write the filtered view to ``path`` (.xlsx or .csv). Runs on ``service.db``'s thread.

    ``mask_names``: individuals' names as 张*伟 (a business's name stays whole)."""
    from app.core.client import Lifecycle, Segment, Tier
    from app.core.masking import mask_name

    path = Path(path)
    fmt = path.suffix.lower()
    if fmt not in (".xlsx", ".csv"):
        return FieldError("path", "导出文件", "format", "导出文件须为 .xlsx 或 .csv。")
    denied = check(service.staff, Action.EXPORT_CLIENTS, client_manager_id=service.staff.id)
    if denied:
        return denied
    if unmasked:
        denied = check(service.staff, Action.EXPORT_UNMASKED)
        if denied:
            return denied
    if not path.parent.is_dir():
        return FieldError("path", "导出文件", "folder", f"文件夹不存在：{path.parent}。")
    total = service.count(f)
    if isinstance(total, FieldError):
        return total
    if fmt == ".xlsx" and total > XLSX_MAX_ROWS:
        return FieldError(
            "path", "导出文件", "too_many", f"共 {total:,} 行，超出 Excel 上限，请导出为 .csv 或缩小筛选范围。"
        )
    seg = {s.value: s.label for s in Segment}
    life = {s.value: s.label for s in Lifecycle}
    yes_no = {True: "是", False: "否", None: ""}
    names = headers(masked=not unmasked, names_masked=mask_names)
    tmp = path.with_name(path.name + ".part")
    frames: list[pd.DataFrame] = []
    done = 0
    header = True
    try:
        while done < total:
            if cancelled is not None and cancelled():
                raise ExportCancelled
            rows = service.page(f, sort=sort, offset=done, limit=CHUNK)
            if isinstance(rows, FieldError):
                return rows
            if not rows:
                break
            if unmasked:
                raw = service.repo.identity_numbers([r.id for r in rows])
            records = []
            for r in rows:
                id_number, mobile = raw.get(r.id, (r.id_number, r.mobile)) if unmasked else (r.id_number, r.mobile)
                records.append(
                    {
                        "编号": r.id,
                        "核心客户号": r.client_no or "",
                        "客户名称": mask_name(r.name) if mask_names and r.kind == "individual" else r.name,
                        "证件号码": id_number or "",
                        "手机号": mobile or "",
                        "乡镇": r.township,
                        "村": r.village,
                        "组": r.group_name or "",
                        "客群": seg.get(r.segment, r.segment),
                        "层级": Tier(r.tier).label,
                        "资产（元）": format_yuan(r.aum_fen),
                        "存款（元）": format_yuan(r.deposit_fen),
                        "贷款（元）": format_yuan(r.loan_fen),
                        "手机银行签约": yes_no[r.mb_signed],
                        "手机银行月活": yes_no[r.mb_active],
                        "生命周期": life.get(r.lifecycle, r.lifecycle),
                        "潜力客户": yes_no[r.potential],
                        "管户客户经理": r.manager,
                        "营销授权": {True: "已授权", False: "拒绝", None: "未询问"}[r.consent],
                        "最近联系": r.last_contact or "",
                        "标签": "、".join(r.tags),
                    }
                )
            frame = pd.DataFrame.from_records(records, columns=[c[1] for c in COLUMNS])
            frame.columns = names
            if fmt == ".csv":
                # utf-8-sig so that Excel on a branch PC opens the Chinese correctly
                frame.to_csv(
                    tmp,
                    mode="w" if header else "a",
                    header=header,
                    index=False,
                    encoding="utf-8-sig" if header else "utf-8",
                )
                header = False
            else:
                frames.append(frame)
            done += len(rows)
            if progress is not None:
                progress(done, total)
        if cancelled is not None and cancelled():
            raise ExportCancelled
        if fmt == ".xlsx":
            frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=names)
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                frame.to_excel(xw, index=False, sheet_name="客户")
                _about(service, done, unmasked=unmasked, names_masked=mask_names).to_excel(
                    xw, index=False, header=False, sheet_name="说明")
        elif header:  # nothing matched: still a file with the header row
            pd.DataFrame(columns=names).to_csv(tmp, index=False, encoding="utf-8-sig")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        reason = "没有写入权限" if isinstance(exc, PermissionError) else (exc.strerror or "写入失败")
        return FieldError("path", "导出文件", "write", f"无法写入 {path}：{reason}。原有文件未改动。")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if unmasked:
        audit.record(
            service.db,
            staff=service.staff.code,
            action=audit.EXPORT_UNMASKED,
            kind="client",
            detail=f"导出 {done} 行未脱敏数据到 {path.name}",
        )
    return ExportResult(path, done, masked=not unmasked, names_masked=mask_names)


def _about(service, rows: int, *, unmasked: bool, names_masked: bool) -> pd.DataFrame:
    """The 说明 sheet: what was exported, by whom, and what is masked."""
    from datetime import datetime

    masked = [] if unmasked else ["证件号码（保留前 6 位和后 4 位）", "手机号（保留前 3 位和后 4 位）"]
    if names_masked:
        masked.append("个人客户姓名（保留首尾字，如 张*伟）")
    return pd.DataFrame([
        ("导出时间", datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("导出人", f"{service.staff.name}（{service.staff.code}）"),
        ("行数", f"{rows:,}"),
        ("已脱敏的字段", "；".join(masked) if masked else "无（未脱敏导出，已记入审计）"),
        ("提示", "本表含客户个人信息，请按个人信息保护规定保管，用后及时删除。"),
    ])
