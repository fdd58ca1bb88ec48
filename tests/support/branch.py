"""Branch workstations for sync tests: a real encrypted store, enrolled with the real service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.services import auth
from app.services.clients import ClientService
from app.store import syncdata
from app.store.store import Store
from sync import protocol as p
from sync.client.engine import SyncEngine, SyncReport, enrol
from sync.server.store import HQStore

DEMO_BRANCH = "500229-01"


def workstation(folder: Path, hq_url: str, hq_store: HQStore, branch: str = DEMO_BRANCH,
                county: str | None = None) -> Store:
    """A new (or existing) data folder, enrolled as a device of ``branch`` (with ``county``: a
    county device, which reads every branch of the county; ``branch`` is then not used)."""
    store = Store.open(folder, create=True)
    if county is None:
        _device_id, code = hq_store.new_enrolment(branch, "test")
    else:
        _device_id, code = hq_store.new_enrolment(None, "test", county=county)
    enrol(store, hq_url, code, device_name=f"pc-{folder.name}")
    return store


def sync(store: Store, **kw: Any) -> SyncReport:
    return SyncEngine(store, **kw).run()


def pull_only(store: Store, db: Any) -> None:
    """Run only the pull phase of a sync cycle on ``db`` (no push first)."""
    from sync.client.transport import Transport

    engine = SyncEngine(store)
    engine.t = Transport(engine.transport_config, engine.token)
    engine._pull(db)


def service(store: Store, staff_code: str = "A0001") -> tuple[Any, ClientService]:
    """A writable connection and a client service for a staff member (branch head by default)."""
    db = store.connect()
    found = auth.load_staff(db, staff_code)
    assert found is not None, f"staff {staff_code} missing"
    return db, ClientService(db, found[0])


def local_state(store: Store) -> dict[str, dict[str, tuple[int, bool, dict[str, Any]]]]:
    """Everything the workstation holds from head office, in protocol form, by kind and uid."""
    db = store.connect(readonly=True)
    try:
        out: dict[str, dict[str, tuple[int, bool, dict[str, Any]]]] = {}
        for kind in p.KINDS.names:
            for uid, seq, deleted, values in syncdata.held_records(db, kind):
                out.setdefault(kind, {})[uid] = (seq, deleted, values)
        return out
    finally:
        db.close()


def server_state(hq_store: HQStore, branch: str = DEMO_BRANCH) -> dict[str, dict[str, tuple[int, bool, dict]]]:
    out: dict[str, dict[str, tuple[int, bool, dict]]] = {}
    for kind in p.KINDS.names:
        for uid, seq, deleted, values in hq_store.records(branch, kind):
            out.setdefault(kind, {})[uid] = (seq, deleted, values)
    return out


def assert_same(hq_store: HQStore, store: Store, branch: str = DEMO_BRANCH) -> int:
    """Server and workstation hold exactly the same records (values, versions, tombstones)."""
    server, local = server_state(hq_store, branch), local_state(store)
    assert set(server) == set(local), (set(server), set(local))
    n = 0
    for kind, records in server.items():
        mine = local[kind]
        missing = set(records) - set(mine)
        extra = set(mine) - set(records)
        assert not missing and not extra, (kind, len(missing), len(extra))
        for uid, (seq, deleted, values) in records.items():
            lseq, ldeleted, lvalues = mine[uid]
            assert (lseq, ldeleted) == (seq, deleted), (kind, uid, lseq, seq)
            if kind == "client":
                assert lvalues == values, (uid, {k: (lvalues[k], values[k]) for k in values if lvalues[k] != values[k]})
            else:
                assert lvalues == values, (kind, uid)
            n += 1
    return n


def client_count(store: Store) -> int:
    db = store.connect(readonly=True)
    try:
        return db.conn.execute("SELECT count(*) FROM clients").fetchone()[0]
    finally:
        db.close()
