"""The demo county as head office holds it (``branchdesk-hq demo``), matching ``branchdesk demo``.

Same seed and size, same uids: a workstation built with ``branchdesk demo`` and
a head office seeded here describe the same county. Values are put in wire
form by the kinds' declarations (references as codes, dates as ISO text).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import resources
from resources.demo_county import (
    WHITELIST_FIELDS,
    build_county,
    campaigns,
    iter_clients,
    scorecards,
    whitelist,
)
from resources.demo_scenarios import county_scenarios
from sync import protocol as p
from sync.protocol.figures import COMMON_METRICS, DEFAULT_SCENARIO_TYPES, metric_uid
from sync.protocol.schema import T

# head office publishes the built-in types, each with every metric it tracks
SCENARIO_TYPES = tuple((code, name, [*COMMON_METRICS, *own]) for code, name, own in DEFAULT_SCENARIO_TYPES)


def _wire(kind: p.Kind, values: dict[str, Any], codes: dict[str, dict[int, str]]) -> dict[str, Any]:
    """A record from the demo generator (local names and ids) in wire form."""
    out: dict[str, Any] = {}
    for col in kind.columns:
        if col.link:
            continue
        v = values.get(col.local_name)
        if col.local_ref and v is not None:
            v = codes[col.ref][v]  # type: ignore[index]
        elif col.type == T.DATE and isinstance(v, date):
            v = v.isoformat()
        elif col.type == T.BOOL and v is not None:
            v = bool(v)
        out[col.name] = col.empty if v is None and not col.null else v
    return out


def demo_records(seed: int = 2026, n_clients: int = 5000) -> Iterator[tuple[str, str | None, list[dict[str, Any]]]]:
    """(kind, branch or None, records) for the demo county."""
    county = build_county(seed=seed, n_clients=n_clients)
    b = county.branch_code
    codes = {
        "township": {t.id: t.code for t in county.townships},
        "village": {v.id: v.code for v in county.villages},
        "staff": {s.id: s.code for s in county.staff},
    }
    tags = {t.code: t for t in county.tags}
    yield "township", b, [{"uid": t.code, "code": t.code, "name": t.name} for t in county.townships]
    yield "village", b, [
        {"uid": v.code, **_wire(p.KINDS["village"], {"code": v.code, "township_id": v.township_id, "name": v.name,
                                                     "groups": v.groups}, codes)}
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
    words = json.loads(resources.path(resources.COMPLIANCE_WORDS).read_text("utf-8"))
    yield "compliance_words", None, [{
        "uid": "default", "version": words["version"], "block": sorted(set(words["block"])),
        "warn": sorted(set(words["warn"])), "risk_line": words["risk_line"],
        "allowed": sorted(set(words.get("allowed", []))),
    }]
    yield "scenario_type", None, [
        {"uid": code, "code": code, "name": name, "metrics": metrics} for code, name, metrics in SCENARIO_TYPES
    ]
    client_kind = p.KINDS["client"]
    clients = []
    listed = []  # what the whitelist is drawn from
    for c in iter_clients(county):
        tag_codes = sorted(c.get("tags", ()))
        clients.append({
            "uid": c["uid"],
            **_wire(client_kind, c, codes),
            "hq_tags": [t for t in tag_codes if tags[t].source == "hq"],
            "branch_tags": [t for t in tag_codes if tags[t].source == "branch"],
        })
        listed.append({k: c.get(k) for k in WHITELIST_FIELDS})
    entries, outcomes = whitelist(county, listed)
    yield "client", b, clients
    yield "scorecard", None, scorecards()
    yield "whitelist", b, entries
    yield "whitelist_outcome", b, outcomes
    camps, targets = campaigns(listed)
    yield "campaign", b, camps
    yield "campaign_target", b, targets
    rows, figures, links = county_scenarios(county, iter_clients(county), figure_uid=metric_uid)
    yield "scenario", b, rows
    yield "scenario_metric", b, figures
    yield "scenario_client", b, links


def seed_demo(store: Any, seed: int = 2026, n_clients: int = 5000) -> dict[str, int]:
    """Create the demo branch (if missing) and publish the demo county's master data."""
    county = build_county(seed=seed, n_clients=n_clients)
    if store.branch_name(county.branch_code) is None:
        store.create_branch(county.branch_code, county.branch_name)
    counts: dict[str, int] = {}
    for kind, branch, rows in demo_records(seed, n_clients):
        counts[kind] = counts.get(kind, 0) + store.publish(kind, branch, rows)
    return counts
