"""The demo county's smart-village scenarios (智慧乡村场景): three dozen across its villages,
at every step of the pipeline, with three years of monthly figures up to last month (growth,
a harvest-season swing, the odd month not reported) and the clients each one won.

Wire-form records, as a sync would bring them. Deterministic for a seed and a month.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

NS = uuid.UUID("0b7d1d8e-3c52-4f7a-b1c0-5e2f1a9c4d21")

# (type code, name pattern, partner, the type's own metric)
KINDS = (
    ("livestock", "{v}生猪养殖智慧畜牧", "{v}养殖专业合作社", "livestock"),
    ("governance", "{v}村务公开与乡村治理", "{v}村民委员会", "households"),
    ("collective_assets", "{t}三资管理平台", "{t}人民政府农业服务中心", "assets_fen"),
    ("party_dues", "{t}智慧党费", "{t}党委组织办", "dues_fen"),
    ("school_fees", "{t}中心小学教育缴费", "{t}中心小学", "fees_fen"),
    ("clinic", "{v}卫生室智慧医疗", "{v}村卫生室", "payments"),
    ("ecny", "{t}赶集日数字人民币", "{t}市场服务中心", "wallets"),
    ("welfare", "{t}工会福利消费平台", "{t}总工会", "welfare_fen"),
    ("driving_school", "{t}驾培资金监管", "城口县顺达驾驶培训学校", "escrow_fen"),
)
STEPS = ("survey", "negotiating", "signed", "live", "operating")
CONTACTS = ("王主任", "李书记", "陈会计", "张校长", "刘站长", "赵经理")


def _months(last: str, n: int) -> list[str]:
    y, m = int(last[:4]), int(last[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def scenarios(villages: list[tuple[int, str, str, str, str]], managers: list[str], clients: Iterable[dict[str, Any]], *,
              figure_uid: Callable[[str, str, str], str], seed: int = 2026, today: date | None = None,
              count: int = 36) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(scenarios, figures, client links) in wire form. ``villages``: (id, code, township code,
    township name, village name); ``clients``: with ``uid`` and ``village_id``; ``figure_uid(scenario, period,
    metric)``: the protocol's uid of a figure."""
    rng = random.Random(f"scenarios-{seed}")
    today = today or date.today()
    last = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"  # last month
    months = _months(last, 36)
    by_village: dict[int, list[str]] = {}
    for c in clients:
        if c.get("village_id"):
            by_village.setdefault(c["village_id"], []).append(c["uid"])
    out_s: list[dict[str, Any]] = []
    out_m: list[dict[str, Any]] = []
    out_l: list[dict[str, Any]] = []
    chosen = rng.sample(villages, min(count, len(villages)))
    names: set[str] = set()
    for i, (vid, vcode, tcode, township, village) in enumerate(chosen):
        code, pattern, partner, own = KINDS[i % len(KINDS)]
        uid = str(uuid.uuid5(NS, f"scenario:{seed}:{i}"))
        # most are live or operating; a few still being negotiated, one stopped
        status = "stopped" if i == count - 1 else STEPS[min(4, int(rng.triangular(0, 5.5, 4.6)))]
        reached = STEPS.index(status) if status in STEPS else 4
        start = rng.randint(0, 20)  # the month it went live, counted from three years ago
        dates = {}
        for k, step in enumerate(STEPS[: reached + 1]):
            m = months[max(0, start - (3 - k) * 2)] if k < 3 else months[min(35, start + (k - 3) * 4)]
            dates[step] = f"{m}-{rng.randint(1, 28):02d}"
        if status == "stopped":
            dates["stopped"] = f"{months[-4]}-15"
        name = pattern.format(v=village, t=township)
        whole = "{t}" in pattern  # a scenario of the whole township: no village
        if name in names:  # a second of its kind in the township: named by, and kept to, its village
            name, whole = pattern.format(v=village, t=village), False
        names.add(name)
        out_s.append({"uid": uid, "scenario_type": code, "name": name, "village": None if whole else vcode,
                      "township": tcode if whole else None, "partner": partner.format(v=village, t=township),
                      "partner_contact": rng.choice(CONTACTS), "owner": managers[i % len(managers)],
                      "status": status, "status_dates": dates, "note": "", "attachments": {}})
        if reached < 3:
            continue
        size = rng.uniform(0.5, 2.5)
        end = 32 if status == "stopped" else 36
        for n, period in enumerate(months[start:end]):
            if rng.random() < 0.03:
                continue  # a month not reported
            age = n + 1
            season = 1.0 + 0.25 * (int(period[5:7]) in (1, 2, 9, 10, 11))  # harvest and new year
            base = size * season * min(1.0, age / 12)
            figures = {
                "accounts": int(rng.gauss(18, 4) * base),
                "subsidy_fen": int(rng.gauss(60_000, 9_000) * base) * 100,
                "funds_used_fen": int(rng.gauss(45_000, 8_000) * base) * 100,
                "mb_registered": int(rng.gauss(25, 5) * base),
                "mb_active": int(rng.gauss(60, 10) * size * min(1.0, age / 8)),
                "merchants": int(rng.gauss(4, 1.5) * size * min(1.0, age / 18)),
                own: int(rng.gauss(300, 60) * base) * (100 if own.endswith("_fen") else 1),
            }
            for metric, value in figures.items():
                out_m.append({"uid": figure_uid(uid, period, metric), "scenario": uid, "period": period,
                              "metric": metric, "value": max(0, value), "source": "branch"})
        won = by_village.get(vid, [])
        for client_uid in sorted(rng.sample(won, min(len(won), rng.randint(3, 12)))):
            out_l.append({"uid": str(uuid.uuid5(NS, f"link:{uid}:{client_uid}")), "scenario": uid,
                          "client_uid": client_uid, "date": dates.get("live", months[start] + "-01")})
    return out_s, out_m, out_l



def county_scenarios(county: Any, clients: Iterable[dict[str, Any]], *, figure_uid: Callable[[str, str, str], str],
                     today: date | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                        list[dict[str, Any]]]:
    """The demo county's scenarios (``county``: resources.demo_county.build_county's)."""
    townships = {t.id: t for t in county.townships}
    villages = [(v.id, v.code, townships[v.township_id].code, townships[v.township_id].name, v.name)
                for v in county.villages]
    managers = [s.code for s in county.staff if s.role == "manager"]
    return scenarios(villages, managers, clients, figure_uid=figure_uid, seed=county.seed, today=today)
