"""What every part of head office's store shares: the engine and read connections."""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine


class StoreBase:
    """Holds the engine. Thread-safe: every public method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _read(self) -> Connection:
        """A connection for reading: one consistent snapshot, no write lock."""
        return self.engine.connect().execution_options(branchdesk_read=True)
