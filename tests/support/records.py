"""Valid sample records of any declared kind, for round trips and fuzzing."""

from __future__ import annotations

from typing import Any

from sync import protocol as p
from sync.protocol.schema import T


def sample(kind: p.Kind, refs: dict[str, str], n: int) -> dict[str, Any]:
    """A valid record of ``kind`` (the n-th: codes differ), every column set."""
    out: dict[str, Any] = {}
    for c in kind.columns:
        t = c.type
        if c.name == "code":
            v: Any = f"K{n:04d}"
        elif t == T.REF:
            v = refs.get(c.ref, f"{c.ref}-{n}")  # type: ignore[arg-type]
        elif t == T.ENUM:
            v = c.branch_value or c.choices[n % len(c.choices)].value
        elif t == T.TEXT:
            v = {"id_number": "11010519491231002X", "mobile": "13800138000", "period": "2026-11"}.get(
                c.name, ("测试" * 40)[: min(c.max_len or 20, 12)] + ("\n第二行" if c.multiline else ""))
        elif t == T.CODE:
            v = f"c{n}"
        elif t in (T.INT, T.MONEY):
            v = max(c.lo if t == T.INT else 0, min(123 + n, c.hi if t == T.INT else 10**6))
        elif t == T.BOOL:
            v = True
        elif t == T.DATE:
            v = "2026-11-30"
        elif t == T.LIST:
            v = ["hq_payroll"] if c.name == "hq_tags" else ["br_tea"] if c.name == "branch_tags" else ["a1", "b2"]
        else:
            v = {"weights": [8, 8, 13], "note": "人口数"}
        out[c.name] = v
    return out
