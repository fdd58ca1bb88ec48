"""Head office's side of the whitelist: the branches' nominations and the decision on each,
and the outcomes as head office sees them (the funnel per manager and cluster).

A decision is head office's columns of the nomination (decision, limit, opinion),
published to the branch like any master data. Accepting one also publishes a
whitelist entry for the client, so it reaches the branch on the next pull, assigned
to the manager who nominated it. A nominee who is not yet a client needs the core
number the account was opened under (``--client-no``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sync.protocol.scorecard import ScorecardError, evaluate, parse
from sync.server.db import HQError

NOMINATION_NS = uuid.UUID("5d0f3d8e-8a51-4c53-9f87-3f3c2f1f9a77")
STAGE = {"contacted": 1, "refused": 1, "interested": 2, "applied": 3, "drawn": 4}


def nominations(store: Any, branch: str) -> list[dict[str, Any]]:
    """The branch's nominations, newest last, with the scorecard band head office computes."""
    cards = {v["cluster"]: v for _u, _s, d, v in store.records(branch, "scorecard") if not d}
    out = []
    for uid, seq, deleted, v in store.records(branch, "nomination"):
        if deleted:
            continue
        band = None
        card = cards.get(v.get("cluster"))
        if card is not None:
            try:
                band = evaluate(parse(card), v.get("inputs") or {}).band
            except ScorecardError:
                band = None
        out.append({"uid": uid, "seq": seq, **v, "decision": v.get("decision") or "pending", "band": band})
    out.sort(key=lambda r: r["seq"])
    return out


def find_nomination(store: Any, text: str) -> tuple[str, dict[str, Any]]:
    """(branch, nomination) by uid or its first 8+ characters, across branches."""
    t = text.strip()
    found = []
    for code, _name in store.list_branches():
        for n in nominations(store, code):
            if n["uid"] == t or (len(t) >= 8 and n["uid"].startswith(t)):
                found.append((code, n))
    if not found:
        raise HQError(f"找不到推荐“{text}”。", 404)
    if len(found) > 1:
        raise HQError(f"“{text}”对应多条推荐，请给出完整编号。")
    return found[0]


def decide(store: Any, text: str, *, accept_fen: int | None = None, decline: str | None = None,
           client_no: str | None = None, years: int = 3, today: date | None = None) -> dict[str, Any]:
    """Accept (with a limit) or decline (with a reason) a nomination. Returns what was published."""
    if (accept_fen is None) == (decline is None):
        raise HQError("请二选一：--accept 核定额度，或 --decline 原因。")
    branch, nom = find_nomination(store, text)
    if nom["decision"] != "pending":
        raise HQError(f"推荐 {nom['uid'][:8]} 已有结论（{nom['decision']}），不能再次评估。", 409)
    if decline is not None:
        if not decline.strip():
            raise HQError("不通过须写明原因。")
        store.publish("nomination", branch, [{"uid": nom["uid"], "decision": "declined", "decided_limit_fen": 0,
                                               "decision_reason": decline.strip()}], by="hq-decide")
        return {"branch": branch, "nomination": nom["uid"], "decision": "declined"}
    assert accept_fen is not None
    if accept_fen <= 0:
        raise HQError("核定额度应大于 0。")
    if not 1 <= years <= 10:
        raise HQError("有效期应为 1 到 10 年。")
    client_uid = nom.get("client_uid")
    number = nom.get("client_no")
    clients = {u: v for u, _s, d, v in store.records(branch, "client") if not d}
    if client_uid is None:
        if not client_no:
            raise HQError(f"推荐 {nom['uid'][:8]}（{nom['name']}）还不是本行客户：通过时请用 --client-no 给出开户后的"
                          "核心客户号。")
        match = [u for u, v in clients.items() if v.get("client_no") == client_no]
        if not match:
            raise HQError(f"网点 {branch} 没有核心客户号为 {client_no} 的客户。", 404)
        client_uid = match[0]
    elif client_uid not in clients:
        raise HQError(f"推荐所指的客户在网点 {branch} 已不存在。", 404)
    number = clients[client_uid].get("client_no") or client_no
    day = today or date.today()
    entry_uid = str(uuid.uuid5(NOMINATION_NS, f"whitelist:{nom['uid']}"))
    band = nom.get("band")
    entry = {
        "uid": entry_uid, "client_uid": client_uid, "client_no": number,
        "product": nom.get("product") or "xingnong_e_dai", "limit_fen": accept_fen, "rate_bp": None,
        "valid_from": day.isoformat(), "valid_to": (day + timedelta(days=365 * years)).isoformat(),
        "batch": f"nomination-{day:%Y%m}", "cluster": nom.get("cluster"), "score": None, "band": band,
        "manager": nom.get("staff"),
    }
    # the entry first: a decision the branch sees always has its entry on the same pull or earlier
    store.publish("whitelist", branch, [entry], by="hq-decide")
    store.publish("nomination", branch, [{"uid": nom["uid"], "decision": "accepted", "decided_limit_fen": accept_fen,
                                           "decision_reason": f"已纳入白名单（{entry_uid[:8]}）"}], by="hq-decide")
    return {"branch": branch, "nomination": nom["uid"], "decision": "accepted", "entry": entry_uid}


def funnel(store: Any, branch: str, by: str = "manager") -> list[dict[str, Any]]:
    """Entries, reached, applied, drawn (counts and amounts) per manager or cluster at ``branch``."""
    if by not in ("manager", "cluster"):
        raise HQError("只能按 manager 或 cluster 分组。")
    reached: dict[str, int] = defaultdict(int)
    drawn: dict[str, int] = defaultdict(int)
    for _u, _s, deleted, v in store.records(branch, "whitelist_outcome"):
        if deleted:
            continue
        w = v["whitelist_uid"]
        reached[w] = max(reached[w], STAGE.get(v["status"], 0))
        if v["status"] == "drawn":
            drawn[w] += v.get("amount_fen") or 0
    rows: dict[str, dict[str, int]] = {}
    for uid, _s, deleted, v in store.records(branch, "whitelist"):
        if deleted:
            continue
        key = v.get(by) or ""
        r = rows.setdefault(key, dict.fromkeys(("entries", "limit_fen", "contacted", "applied", "applied_fen",
                                                "drawn", "drawn_fen"), 0))
        r["entries"] += 1
        r["limit_fen"] += v.get("limit_fen") or 0
        stage = reached.get(uid, 0)
        r["contacted"] += stage >= 1
        if stage >= 3:
            r["applied"] += 1
            r["applied_fen"] += v.get("limit_fen") or 0
        r["drawn"] += stage >= 4
        r["drawn_fen"] += drawn.get(uid, 0)
    return [{"key": k, **rows[k]} for k in sorted(rows)]
