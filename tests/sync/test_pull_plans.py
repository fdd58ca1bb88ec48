"""Every query a pull runs reads an index in page order: no sort, so a page costs O(page) wherever it starts.

Checked with the databases' own EXPLAIN on SQLite and on the real PostgreSQL
cluster, over a seeded demo branch (with statistics gathered, as a running
server has them).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from sync.server.db import SHARED
from sync.server.demo import seed_demo
from sync.server.pull import high_query, page_query
from sync.server.store import HQStore
from tests.support.branch import DEMO_BRANCH


def _plan(store: HQStore, query: sa.Select) -> str:
    engine = store.engine
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            rows = c.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(r[-1]) for r in rows)
        rows = c.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").all()
        return json.dumps(rows[0][0])


def test_pull_queries_never_sort(hq_db_url: str) -> None:
    store = HQStore.open(hq_db_url)
    try:
        seed_demo(store, n_clients=3000)
        # a head office has many branches: a branch's rows are a small part of the table
        for b in range(1, 9):
            store.create_branch(f"B{b}", f"网点{b}")
            store.publish("tag", f"B{b}", [
                {"uid": f"b{b}t{i}", "code": f"b{b}t{i}", "name": f"标签{i}", "source": "branch", "category": ""}
                for i in range(4000)
            ])
        with store.engine.begin() as c:
            c.exec_driver_sql("ANALYZE")
        # pages smaller than what is left: then PostgreSQL may sort the few rows left instead,
        # which costs no more than a page
        queries = {
            "branch page": page_query(DEMO_BRANCH, 100, 51),
            "shared page": page_query(SHARED, 5, 11),
            "branch page of one kind": page_query(DEMO_BRANCH, 100, 51, "client"),
            "shared page of one kind": page_query(SHARED, 5, 11, "tag"),
            "branch high": high_query(DEMO_BRANCH),
            "shared high": high_query(SHARED),
        }
        for what, q in queries.items():
            plan = _plan(store, q)
            if store.engine.dialect.name == "sqlite":
                assert "TEMP B-TREE" not in plan, (what, plan)
                assert "USING INDEX records_branch" in plan or "USING COVERING INDEX records_branch" in plan, (
                    what, plan)
            else:
                assert '"Node Type": "Sort"' not in plan, (what, plan)
                assert "records_branch" in plan, (what, plan)
    finally:
        store.engine.dispose()
