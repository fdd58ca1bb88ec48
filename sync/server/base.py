"""What every part of head office's store shares: the engine and read connections."""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine


class StoreBase:
    """Holds the engine. Thread-safe: every public method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _read(self) -> Connection:
        """A connection for reading: one consistent snapshot, no write lock. (On PostgreSQL that takes
        REPEATABLE READ: under READ COMMITTED each statement sees its own moment, and a pull reading
        the branch's records and then the shared ones could see a later shared record without an
        earlier one of the branch, and move the cursor past it.)"""
        options: dict[str, object] = {"branchdesk_read": True}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        return self.engine.connect().execution_options(**options)

    def _one_statement(self) -> Connection:
        """A connection for a read that is a single statement (a token, a high-water mark): on
        PostgreSQL in autocommit, one round trip where a transaction takes three (BEGIN, the
        statement, COMMIT); a single statement sees one moment anyway."""
        if self.engine.dialect.name == "postgresql":
            return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._read()
