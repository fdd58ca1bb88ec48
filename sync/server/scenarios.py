"""Head office's view of a branch's smart-village scenarios, and the figures it publishes.

Head office publishes scenario types (``publish scenario-types``) and may publish a
scenario's monthly figures (``publish scenario-metrics``: scenario, period, metric, value),
which reach the branch as figures whose source is 总行发布; a figure's uid comes from its
scenario, month and metric (``sync.protocol.figures.metric_uid``), so a month the branch
entered itself is the same record (head office does not overwrite the branch's value).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sync.protocol.figures import metric_uid

# publish's friendly names (the and the README's) for the kinds
ALIASES = {"scenario-types": "scenario_type", "scenario-metrics": "scenario_metric",
           "scenario-clients": "scenario_client"}
STATUS = {"survey": "调研", "negotiating": "洽谈", "signed": "签约", "live": "上线", "operating": "运营",
          "stopped": "停用"}


def kind_of(name: str) -> str:
    return ALIASES.get(name, name)


def prepare(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Figures published by head office get their derived uid and say where they came from."""
    if kind != "scenario_metric":
        return rows
    out = []
    for r in rows:
        r = dict(r)
        if not r.get("uid") and r.get("scenario") and r.get("period") and r.get("metric"):
            r["uid"] = metric_uid(str(r["scenario"]), str(r["period"]), str(r["metric"]))
        if not r.get("source"):
            r["source"] = "hq"
        out.append(r)
    return out


def branch_scenarios(store: Any, branch: str) -> list[dict[str, Any]]:
    """Each scenario of ``branch`` as head office holds it: type, village, status, clients won,
    and its latest month's accounts opened."""
    latest: dict[str, tuple[str, int]] = {}
    figures: dict[str, int] = defaultdict(int)
    for _u, _s, deleted, v in store.records(branch, "scenario_metric"):
        if deleted:
            continue
        figures[v["scenario"]] += 1
        if v.get("metric") == "accounts" and v["period"] >= latest.get(v["scenario"], ("", 0))[0]:
            latest[v["scenario"]] = (v["period"], v.get("value") or 0)
    clients: dict[str, int] = defaultdict(int)
    for _u, _s, deleted, v in store.records(branch, "scenario_client"):
        if not deleted:
            clients[v["scenario"]] += 1
    out = []
    for uid, _s, deleted, v in store.records(branch, "scenario"):
        if deleted:
            continue
        period, accounts = latest.get(uid, ("", 0))
        out.append({"uid": uid, "type": v.get("scenario_type"), "name": v.get("name"),
                    "village": v.get("village") or v.get("township"),
                    "status": v.get("status"), "clients": clients[uid], "figures": figures[uid],
                    "latest_period": period or None, "latest_accounts": accounts if period else None})
    out.sort(key=lambda r: (r["village"] or "", r["name"] or ""))
    return out
