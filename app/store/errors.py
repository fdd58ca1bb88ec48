"""Store failures a person can act on, each with a Chinese message.

These are raised by the store and caught at the edges (CLI, GUI), which show
``message`` as is. They never carry personal data.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: ``message`` is a complete Chinese sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class KeyUnavailableError(StoreError):
    """The database key cannot be obtained (no credential store, entry missing)."""


class WrongKeyError(StoreError):
    """The key does not open the file: wrong key, or not a BranchDesk database."""


class DatabaseNewerError(StoreError):
    """The file was written by a newer BranchDesk (its schema is ahead of ours)."""


class DatabaseDamagedError(StoreError):
    """The file fails its integrity check."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class DatabaseMissingError(StoreError):
    """No database exists in the data folder yet."""


class DatabaseBusyError(StoreError):
    """Another process holds the write lock for longer than the busy timeout."""


class UnsentChangesError(StoreError):
    """A restore would lose changes head office never received; ``count`` None when unreadable."""

    def __init__(self, message: str, count: int | None) -> None:
        super().__init__(message)
        self.count = count


class DataFolderError(StoreError):
    """The data folder or database file cannot be written (read-only, permissions, disk full)."""


class BackupUnusableError(StoreError):
    """A file offered for a restore is not a good backup of this database."""
