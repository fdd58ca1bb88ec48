"""Fixtures: the real head-office service on loopback (SQLite and PostgreSQL), branch workstations."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.hq import PostgresCluster, RunningHQ, start_hq

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = PostgresCluster()
    except RuntimeError as exc:
        if os.environ.get("BRANCHDESK_REQUIRE_PG") or shutil.which("initdb") or Path("/usr/local/bin/initdb").exists():
            raise  # CI asks for it, or the binaries are here: a failure to start is a real failure
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=BACKENDS)
def hq_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.db'}"
    return request.getfixturevalue("pg_cluster").new_database()


@pytest.fixture
def hq(hq_db_url: str):
    running: RunningHQ = start_hq(hq_db_url)
    yield running
    running.stop()


@pytest.fixture
def hq_sqlite(tmp_path: Path):
    running = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    yield running
    running.stop()
