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
