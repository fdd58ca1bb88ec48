"""Store benchmark at 1,000,000 clients: prints its figures (run with -m perf -s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.perf import store_bench
from tests.perf.conftest import PERF_CLIENTS


@pytest.mark.perf
def test_store_at_a_million_clients(perf_dir: Path) -> None:
    r = store_bench.run(perf_dir / "store", PERF_CLIENTS)
    print()
    print(store_bench.report(r))
    assert r["build"]["clients"] == PERF_CLIENTS
