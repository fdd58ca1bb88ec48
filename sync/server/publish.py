"""Master data from spreadsheets (csv/xlsx) and from the demo county, into protocol records.

A spreadsheet has one row per record and the kind's protocol columns as
headers (``uid`` optional where the code is the uid; clients without ``uid``
get one derived from the core-banking number, so publishing the same sheet
twice changes nothing). Lists are comma-separated; yes/no columns take
1/0/是/否/true/false. Every problem is reported in Chinese with row and column.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sync import protocol as p
from sync.server.store import HQError

INT_COLUMNS = frozenset({"groups", "aum_fen", "deposit_fen", "loan_fen", "limit_fen", "rate_bp", "amount_fen"})
BOOL_COLUMNS = frozenset({"active", "mb_signed", "mb_active", "potential", "consent", "id_override", "done"})
LIST_COLUMNS = frozenset({"hq_tags", "branch_tags", "targets", "block", "warn"})
JSON_COLUMNS = frozenset({"metrics"})
CODE_IS_UID = frozenset({"township", "village", "staff", "tag", "campaign", "scenario_type"})
_UID_NS = uuid.UUID("6f1c3a52-4b1e-4f5e-9c55-0b7d1a2e9d10")

_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}


def client_uid(client_no: str) -> str:
    """The uid head office gives a client it publishes without one (stable per core number)."""
    return str(uuid.uuid5(_UID_NS, f"client:{client_no}"))


def _cell(kind: str, col: str, text: Any, where: str) -> Any:
    if text is None or (isinstance(text, float) and text != text):
        text = ""
    text = str(text).strip()
    if col in INT_COLUMNS:
        if text == "":
            return 0
        try:
            return int(text)
        except ValueError:
            raise HQError(f"{where}“{col}”应为整数（金额以分为单位），实际为“{text}”。") from None
    if col in BOOL_COLUMNS:
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return None if col == "consent" and low == "" else False
        raise HQError(f"{where}“{col}”应为 是/否，实际为“{text}”。")
    if col in LIST_COLUMNS:
        return sorted({x.strip() for x in text.replace("，", ",").split(",") if x.strip()})
    if col in JSON_COLUMNS:
        if not text:
            return []
        try:
            return json.loads(text)
        except ValueError:
            return [x.strip() for x in text.split(",") if x.strip()]
    return text or None


def read_sheet(kind: str, path: Path) -> list[dict[str, Any]]:
    """Rows of a csv/xlsx file as publishable records. Raises HQError (Chinese) on a bad cell."""
    import pandas as pd

    if kind not in p.KIND_COLUMNS:
        raise HQError(f"未知的数据类型“{kind}”，可选：{'、'.join(p.KIND_COLUMNS)}。")
    path = Path(path)
    if not path.exists():
        raise HQError(f"找不到文件 {path}。")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        raise HQError("只支持 .csv 和 .xlsx 文件。")
    columns = p.KIND_COLUMNS[kind]
    headers = [str(h).strip() for h in frame.columns]
    unknown = [h for h in headers if h not in columns and h not in ("uid", "deleted")]
    if unknown:
        raise HQError(f"表头中有“{kind}”不认识的列：{'、'.join(unknown)}。可用的列：uid、{'、'.join(columns)}。")
    out = []
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        values = dict(zip(headers, row, strict=True))
        where = f"第 {i} 行："
        rec: dict[str, Any] = {col: _cell(kind, col, values[col], where) for col in headers if col in columns}
        uid = str(values.get("uid", "") or "").strip()
        if not uid:
            if kind in CODE_IS_UID:
                uid = str(rec.get("code") or "")
            elif kind == "client" and rec.get("client_no"):
                uid = client_uid(rec["client_no"])
            elif kind == "compliance_words":
                uid = "default"
        if not uid:
            raise HQError(f"{where}缺少 uid（或可作编号的 code / client_no）。")
        rec["uid"] = uid
        if "deleted" in values:
            rec["deleted"] = _cell(kind, "active", values["deleted"], where)
        out.append(rec)
    return out


def demo_records(seed: int = 2026, n_clients: int = 5000) -> Iterator[tuple[str, str | None, list[dict[str, Any]]]]:
    """(kind, branch or None, records) for the demo county, matching ``branchdesk demo``.

    Same seed and size, same uids: a workstation built with ``branchdesk demo``
    and a head office seeded with ``branchdesk-hq demo`` describe the same county.
    """
    from app.core.compliance import default_word_list
    from app.services.demo_county import build_county, iter_clients

    county = build_county(seed=seed, n_clients=n_clients)
    b = county.branch_code
    town = {t.id: t for t in county.townships}
    village = {v.id: v for v in county.villages}
    staff = {s.id: s for s in county.staff}
    tags = {t.code: t for t in county.tags}
    yield "township", b, [{"uid": t.code, "code": t.code, "name": t.name} for t in county.townships]
    yield "village", b, [
        {"uid": v.code, "code": v.code, "township": town[v.township_id].code, "name": v.name, "groups": v.groups}
        for v in county.villages
    ]
    yield "staff", b, [
        {"uid": s.code, "code": s.code, "name": s.name, "role": s.role, "active": True} for s in county.staff
    ]
    yield "tag", None, [
        {"uid": t.code, "code": t.code, "name": t.name, "source": "hq", "category": t.category}
        for t in county.tags if t.source == "hq"
    ]
    yield "tag", b, [
        {"uid": t.code, "code": t.code, "name": t.name, "source": "branch", "category": t.category}
        for t in county.tags if t.source == "branch"
    ]
    words = default_word_list()
    yield "compliance_words", None, [
        {"uid": "default", "version": words.version, "block": sorted(words.block), "warn": sorted(words.warn)}
    ]
    yield "scenario_type", None, [
        {"uid": code, "code": code, "name": name, "metrics": metrics}
        for code, name, metrics in (
            ("canteen", "智慧食堂", ["users", "transactions", "amount_fen"]),
            ("village_affairs", "三资管理", ["accounts", "payments"]),
            ("payroll_agent", "代发工资", ["employees", "amount_fen"]),
            ("agri_supply", "农资收单", ["merchants", "amount_fen"]),
        )
    ]
    clients = []
    whitelist = []
    for c in iter_clients(county):
        tag_codes = sorted(c.get("tags", ()))
        clients.append({
            "uid": c["uid"],
            "client_no": c.get("client_no"),
            "kind": c["kind"],
            "name": c["name"],
            "id_number": c.get("id_number"),
            "mobile": c.get("mobile"),
            "village": village[c["village_id"]].code,
            "group_name": c.get("group_name"),
            "address": c.get("address"),
            "segment": c["segment"],
            "aum_fen": c["aum_fen"],
            "deposit_fen": c["deposit_fen"],
            "loan_fen": c["loan_fen"],
            "mb_signed": bool(c.get("mb_signed")),
            "mb_active": bool(c.get("mb_active")),
            "lifecycle": c["lifecycle"],
            "potential": bool(c.get("potential")),
            "manager": staff[c["manager_id"]].code if c.get("manager_id") else None,
            "consent": c.get("consent"),
            "consent_date": c["consent_date"].isoformat() if c.get("consent_date") else None,
            "consent_channel": c.get("consent_channel"),
            "notes": c.get("notes") or "",
            "last_contact": c["last_contact"].isoformat() if c.get("last_contact") else None,
            "id_override": bool(c.get("id_override")),
            "hq_tags": [t for t in tag_codes if tags[t].source == "hq"],
            "branch_tags": [t for t in tag_codes if tags[t].source == "branch"],
        })
        if "hq_whitelist" in tag_codes and c.get("client_no"):
            whitelist.append({
                "uid": str(uuid.uuid5(_UID_NS, f"whitelist:{c['uid']}")),
                "client_uid": c["uid"],
                "client_no": c["client_no"],
                "product": "xingnong_e_dai",
                "limit_fen": 50_000_00 + (len(whitelist) * 7919 % 25) * 10_000_00,
                "rate_bp": 385,
                "valid_from": "2026-10-01",
                "valid_to": "2027-09-30",
                "batch": "2026Q4",
            })
    yield "client", b, clients
    yield "whitelist", b, whitelist
    targets = [c["uid"] for c in clients if "hq_mb_prospect" in c["hq_tags"]][:500]
    yield "campaign", b, [{
        "uid": "2026-mb-activation", "code": "2026-mb-activation", "name": "手机银行激活季",
        "product": "mobile_banking", "starts": "2026-11-01", "ends": "2026-12-31",
        "script": "介绍手机银行缴费、转账功能，协助客户完成首次登录。", "targets": targets,
    }]


def seed_demo(store: Any, seed: int = 2026, n_clients: int = 5000) -> dict[str, int]:
    """Create the demo branch (if missing) and publish the demo county's master data."""
    from app.services.demo_county import build_county

    county = build_county(seed=seed, n_clients=n_clients)
    if store.branch_name(county.branch_code) is None:
        store.create_branch(county.branch_code, county.branch_name)
    counts: dict[str, int] = {}
    for kind, branch, rows in demo_records(seed, n_clients):
        counts[kind] = counts.get(kind, 0) + store.publish(kind, branch, rows)
    return counts
