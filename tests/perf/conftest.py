"""Benchmarks: run on demand with ``pytest -m perf -s tests/perf`` (they print figures).

They reuse a large demo database across runs when ``BRANCHDESK_PERF_DIR`` names a
folder (built on first use), so tuning a query does not cost a rebuild each time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PERF_CLIENTS = int(os.environ.get("BRANCHDESK_PERF_CLIENTS", "1000000"))


@pytest.fixture(scope="session")
def perf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("BRANCHDESK_PERF_DIR")
    return Path(env) if env else tmp_path_factory.mktemp("perf")
