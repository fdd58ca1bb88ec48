"""Head office's sync store: one class made of one part per responsibility.

* ``sync.server.db``          tables, engine, schema upgrades
* ``sync.server.devices``     branches, devices, enrolment, denials
* ``sync.server.publish``     master data, checked against the kinds' declarations
* ``sync.server.push``        a branch's changes, checked and applied once per change id
* ``sync.server.pull``        pages after a cursor, O(page)
* ``sync.server.checkpoint``  per-kind count + hash, kept incrementally
* ``sync.server.admin``       reports for head office's staff
* ``sync.server.bundles``     carried bundles: keys, import, reply

Runs on the request's worker thread; every public method is one transaction.
"""

from __future__ import annotations

from sync.server.admin import AdminQueries
from sync.server.bundles import BundleStore
from sync.server.checkpoint import CheckpointStore
from sync.server.db import Device, HQError, create_schema, make_engine, now
from sync.server.devices import DeviceStore
from sync.server.publish import PublishStore
from sync.server.pull import Page, PullStore
from sync.server.push import PushStore

__all__ = ["Device", "HQError", "HQStore", "Page", "now"]


class HQStore(DeviceStore, PublishStore, PushStore, PullStore, CheckpointStore, BundleStore, AdminQueries):
    """Head office's records, devices and change log. Thread-safe (one transaction per call)."""

    @classmethod
    def open(cls, url: str, replica: str | None = None) -> HQStore:
        """The store on the database ``url`` (its schema created or upgraded); ``replica``: a
        PostgreSQL read replica of it (a hot standby) that pulls read, or None."""
        if replica and not (url.startswith("postgresql") and replica.startswith("postgresql")):
            raise HQError("只读副本只支持 PostgreSQL：--db 和 --read-db 都应是 postgresql:// 地址。")
        store = cls(make_engine(url), make_engine(replica, connect_timeout=3) if replica else None)
        store.create_schema()
        return store

    def create_schema(self) -> None:
        create_schema(self.engine)
