"""The demo county is deterministic and believable: valid numbers, plausible shapes."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from itertools import islice

import pytest
from stdnum.cn import ric, uscc

from resources.demo_county import build_county, iter_clients

N = 5000


@pytest.fixture(scope="module")
def county():
    return build_county(seed=2026, n_clients=N)


@pytest.fixture(scope="module")
def clients(county):
    return list(iter_clients(county))


def test_deterministic(county, clients) -> None:
    assert list(islice(iter_clients(build_county(seed=2026, n_clients=N)), 200)) == clients[:200]
    other = list(islice(iter_clients(build_county(seed=7, n_clients=N)), 200))
    assert other != clients[:200]


def test_reference_data(county) -> None:
    assert len(county.townships) == 25 and len(county.villages) >= 173
    heads = [s for s in county.staff if s.role == "branch_head"]
    assert [h.code for h in heads] == ["A0001"]
    assert sum(s.role == "manager" for s in county.staff) == 6
    assert {s.role for s in county.staff} == {"manager", "branch_head", "county", "admin"}
    assert {t.source for t in county.tags} == {"hq", "branch"}
    for t in county.townships:
        names = [v.name for v in county.villages if v.township_id == t.id]
        assert len(names) == len(set(names))  # unique within a township


def test_numbers_are_valid(clients) -> None:
    assert len(clients) == N
    for c in clients:
        if c["kind"] == "individual":
            assert ric.is_valid(c["id_number"]), c["id_number"]
        else:
            assert uscc.is_valid(c["id_number"]), c["id_number"]
            assert c["segment"] in ("micro_business", "cooperative")
        if c["mobile"] is not None:
            assert re.fullmatch(r"1[3-9]\d{9}", c["mobile"])


def test_fields_are_in_range(county, clients) -> None:
    villages = {v.id for v in county.villages}
    managers = {s.id for s in county.staff if s.role == "manager"}
    tags = {t.code for t in county.tags}
    for c in clients:
        assert c["village_id"] in villages and c["manager_id"] in managers
        assert 0 <= c["deposit_fen"] <= c["aum_fen"] and c["loan_fen"] >= 0
        assert all(isinstance(c[k], int) for k in ("aum_fen", "deposit_fen", "loan_fen"))
        assert set(c["tags"]) <= tags and list(c["tags"]) == sorted(set(c["tags"]))
        assert c["lifecycle"] in {"new", "honeymoon", "mature", "churn_warning", "churned", "recovered"}
        assert (c["consent"] is None) == (c["consent_date"] is None) == (c["consent_channel"] is None)
        assert c["mb_signed"] or not c["mb_active"]
    assert len({c["uid"] for c in clients}) == N


def test_believable_shapes(clients) -> None:
    prospects = sum(c["client_no"] is None for c in clients)
    assert 0.01 * N < prospects < 0.03 * N
    ids = Counter(c["id_number"] for c in clients)
    dupes = sum(n - 1 for n in ids.values() if n > 1)
    assert 1 <= dupes <= 0.01 * N
    two_char = [c["name"] for c in clients if c["kind"] == "individual" and len(c["name"]) == 2]
    assert 0.08 * N < len(two_char) < 0.25 * N
    median_aum = statistics.median(c["aum_fen"] for c in clients)
    assert 500_000 < median_aum < 5_000_000  # 5千元 .. 5万元
    segments = Counter(c["segment"] for c in clients)
    assert segments.most_common(1)[0][0] == "farmer"
    students = [c for c in clients if c["segment"] == "student" and ids[c["id_number"]] == 1]
    assert all(2026 - int(c["id_number"][6:10]) <= 26 for c in students)
