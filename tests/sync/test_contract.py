"""The OpenAPI contract fuzzed with schemathesis against the real service (SQLite and PostgreSQL): no 5xx, ever.

Generated requests go to the service on loopback with a valid device token of
the demo branch (so they get past authentication and exercise push, pull and
checkpoint), half of them without it. The store behind it is seeded with the
demo county.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from sync import protocol as p
from sync.server.app import create_app
from sync.server.demo import seed_demo
from sync.server.store import HQStore
from tests.support.branch import DEMO_BRANCH
from tests.support.hq import start_hq


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running_hq(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'hq.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").new_database()
    hq = start_hq(url)
    seed_demo(hq.store, n_clients=50)
    _device, code = hq.store.new_enrolment(DEMO_BRANCH, "fuzz")
    _dev, token = hq.store.enrol(code, "fuzz")
    hq.token = token
    yield hq
    hq.stop()


STATUSES: Counter = Counter()

# The contract as the service publishes it (independent of the data behind it).
schema = schemathesis.openapi.from_dict(create_app(HQStore.open("sqlite://")).openapi())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, running_hq) -> None:
    n = sum(STATUSES.values())
    headers = {p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION)}
    if n % 3 and case.path_parameters:  # two in three: the device's own branch
        case.path_parameters = {**case.path_parameters, "branch": DEMO_BRANCH}
    if n % 4:  # three in four: with a valid token
        headers["Authorization"] = f"Bearer {running_hq.token}"
    response = case.call(base_url=running_hq.url, headers={**(case.headers or {}), **headers})
    STATUSES[(case.method, case.path, response.status_code)] += 1
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    assert p.SERVER_TIME_HEADER.lower() in {k.lower() for k in response.headers}
    case.validate_response(response, checks=[not_a_server_error])


def test_fuzzing_reached_past_the_door(running_hq) -> None:
    """Runs after the fuzzing above: it must have had requests accepted (2xx), not only refusals."""
    print("\nschemathesis answers:", dict(sorted(STATUSES.items())))
    ok = {(m, path) for (m, path, code) in STATUSES if code < 300}
    assert ("GET", "/v1/branches/{branch}/pull") in ok and ("POST", "/v1/branches/{branch}/checkpoint") in ok
    assert sum(STATUSES.values()) >= 100
