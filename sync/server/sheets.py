"""Master data from spreadsheets (csv/xlsx): one row per record, the kind's declared columns as headers.

``uid`` is optional where the code is the uid; clients without ``uid`` get one
derived from the core-banking number, so publishing the same sheet twice
changes nothing. Cells are converted by each column's declared type: lists are
comma-separated, yes/no columns take 1/0/是/否/true/false, JSON columns take
JSON. A cell that does not convert is reported in Chinese with its row and
column; the values are then checked against the declaration by ``publish``.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sync import protocol as p
from sync.protocol.figures import metric_uid
from sync.protocol.schema import Column, T
from sync.server.db import HQError

UID_NAMESPACE = uuid.UUID("6f1c3a52-4b1e-4f5e-9c55-0b7d1a2e9d10")
FIRST_DATA_ROW = 2  # under the header

_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f"}


def client_uid(client_no: str) -> str:
    """The uid head office gives a client it publishes without one (stable per core number)."""
    return str(uuid.uuid5(UID_NAMESPACE, f"client:{client_no}"))


def _bool(text: str, where: str, what: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise HQError(f"{where}{what}应为 是/否，实际为“{text}”。")


def cell(col: Column, raw: Any, where: str) -> Any:
    """One cell as a wire value of ``col``'s type. Raises HQError (Chinese) when it does not convert."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        raw = ""
    text = str(raw).strip()
    if text == "":
        return col.empty
    t = col.type
    if t in (T.INT, T.MONEY):
        try:
            return int(text)
        except ValueError:
            unit = "（金额以分为单位）" if t == T.MONEY else ""
            raise HQError(f"{where}“{col.label}”（{col.name}）应为整数{unit}，实际为“{text}”。") from None
    if t == T.BOOL:
        return _bool(text, where, f"“{col.label}”（{col.name}）")
    if t == T.LIST:
        return sorted({x.strip() for x in text.replace("，", ",").split(",") if x.strip()})
    if t == T.JSON:
        try:
            return json.loads(text)
        except ValueError:
            raise HQError(f"{where}“{col.label}”（{col.name}）应为 JSON，实际为“{text[:40]}”。") from None
    return text


def read_sheet(kind: str, path: Path) -> list[dict[str, Any]]:
    """Rows of a csv/xlsx file as publishable records. Raises HQError (Chinese) on a bad cell."""
    import pandas as pd

    k = p.KINDS.get(kind)
    if k is None:
        raise HQError(f"未知的数据类型“{kind}”，可选：{'、'.join(p.KINDS.names)}。")
    path = Path(path)
    if not path.exists():
        raise HQError(f"找不到文件 {path}。")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        raise HQError("只支持 .csv 和 .xlsx 文件。")
    headers = [str(h).strip() for h in frame.columns]
    unknown = [h for h in headers if h not in k.by_name and h not in ("uid", "deleted")]
    if unknown:
        raise HQError(
            f"表头中有“{k.label}”不认识的列：{'、'.join(unknown)}。可用的列：uid、{'、'.join(k.wire_columns)}。"
        )
    out = []
    for i, row in enumerate(frame.itertuples(index=False), start=FIRST_DATA_ROW):
        values = dict(zip(headers, row, strict=True))
        where = f"第 {i} 行："
        rec: dict[str, Any] = {h: cell(k.by_name[h], values[h], where) for h in headers if h in k.by_name}
        uid = str(values.get("uid", "") or "").strip()
        if not uid:
            if k.uid == "code":
                uid = str(rec.get("code") or "")
            elif kind == "client" and rec.get("client_no"):
                uid = client_uid(rec["client_no"])
            elif kind == "compliance_words":
                uid = "default"
            elif kind == "scenario_metric" and rec.get("scenario") and rec.get("period") and rec.get("metric"):
                uid = metric_uid(str(rec["scenario"]), str(rec["period"]), str(rec["metric"]))
        if not uid:
            raise HQError(f"{where}缺少 uid（或可作编号的 code / client_no）。")
        rec["uid"] = uid
        if "deleted" in values:
            rec["deleted"] = _bool(str(values["deleted"]).strip() or "0", where, "deleted ")
        out.append(rec)
    return out
