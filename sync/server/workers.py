"""Several head-office processes on one database: opening the store one process at a time.

``HQStore.open`` creates or upgrades the schema. On PostgreSQL, ``create_schema`` does that
under an advisory lock of its own (workers starting together on a new database would otherwise
both create the tables, or one take the half-made database for an old one). On SQLite each step
runs under ``BEGIN IMMEDIATE``, but an upgrade of an older file is several steps: ``open_store``
holds a lock file beside the database while it opens it, so two processes never upgrade at once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import sqlalchemy as sa

from sync.server.store import HQError, HQStore

DB_ENV = "BRANCHDESK_HQ_DB"  # the database a worker process opens (``sync.server.app.app_from_env``)
READ_DB_ENV = "BRANCHDESK_HQ_READ_DB"  # a PostgreSQL read replica of it that pulls read (optional)


def open_store(url: str, replica: str | None = None) -> HQStore:
    """``HQStore.open(url, replica)``, never at the same time as another process opening the same
    database. A database that cannot be opened (no such folder, no server) raises HQError saying
    which. (A replica is not connected to here: one that cannot be reached is passed over.)"""
    where = sa.engine.make_url(url).render_as_string(hide_password=True)
    try:
        with schema_lock(url):
            return HQStore.open(url, replica)
    except OSError as exc:  # the lock file beside a SQLite database
        why = exc.strerror or type(exc).__name__
        raise HQError(f"无法打开数据库 {where}：{why}（文件夹不存在或不可写）。") from exc
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise HQError(f"无法打开数据库 {where}：{reason}") from exc


@contextlib.contextmanager
def schema_lock(url: str) -> Iterator[None]:
    """Held while the block runs, by one process at a time per SQLite database file (waits for it);
    nothing for PostgreSQL (``create_schema`` holds its advisory lock there)."""
    database = sa.engine.make_url(url).database if url.startswith("sqlite") else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(database + ".lock", "a+b") as f:
        _lock_file(f.fileno(), True)
        try:
            yield
        finally:
            _lock_file(f.fileno(), False)


def _lock_file(fd: int, lock: bool) -> None:
    """Take (waiting for it) or release an exclusive lock on an open file."""
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        if not lock:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # tries for 10 s, then raises: try again
                return
            except OSError:
                continue
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX if lock else fcntl.LOCK_UN)
