"""What every part of head office's store shares: the engine, the read replica's, read connections."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("sync.server")

REPLICA_RETRY_S = 30  # a read replica that failed is tried again after this long


class StoreBase:
    """Holds the engine (and the read replica's, if pulls read one). Thread-safe: every public
    method is one transaction."""

    def __init__(self, engine: Engine, replica: Engine | None = None) -> None:
        self.engine = engine
        self.replica = replica
        self._replica_down_until = 0.0  # monotonic time; an optimisation only (each worker has its own)

    def _read(self, *, replica: bool = False) -> Connection:
        """A connection for reading: one consistent snapshot, no write lock. (On PostgreSQL that takes
        REPEATABLE READ: under READ COMMITTED each statement sees its own moment, and a pull reading
        the branch's records and then the shared ones could see a later shared record without an
        earlier one of the branch, and move the cursor past it.) ``replica``: on the read replica."""
        options: dict[str, object] = {"branchdesk_read": True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        return self._engine(replica).connect().execution_options(**options)

    def _one_statement(self, *, replica: bool = False) -> Connection:
        """A connection for a read that is a single statement (a token, a high-water mark): on
        PostgreSQL in autocommit, one round trip where a transaction takes three (BEGIN, the
        statement, COMMIT); a single statement sees one moment anyway."""
        if self.engine.dialect.name != "postgresql":
            return self._read()
        return self._engine(replica).connect().execution_options(isolation_level="AUTOCOMMIT")

    def _engine(self, replica: bool) -> Engine:
        """The read replica's engine if asked for and there is one, else the database's."""
        return self.replica if replica and self.replica is not None else self.engine

    def _replica_has(self, check: Callable[[Connection], bool]) -> bool:
        """Is there a read replica, up, for which ``check`` (one statement on it) holds? A replica
        that fails is passed over for ``REPLICA_RETRY_S`` (logged once): the database answers."""
        if self.replica is None or time.monotonic() < self._replica_down_until:
            return False
        try:
            with self._one_statement(replica=True) as c:
                return check(c)
        except sa.exc.DBAPIError as exc:
            self._replica_failed(exc)
            return False

    def _replica_failed(self, exc: sa.exc.DBAPIError) -> None:
        self._replica_down_until = time.monotonic() + REPLICA_RETRY_S
        log.warning("read replica failed (%s): reading the database for %d s", type(exc.orig or exc).__name__,
                    REPLICA_RETRY_S)
