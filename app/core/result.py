"""What every operation returns: the value, the field errors, and what it changed.

Anki's collection operations return ``OpChanges`` and its Qt layer broadcasts
them, so each screen decides for itself whether to refresh; this is ours. A
service method that writes returns ``Result``: either ``ok`` with a ``value``
and the ``Changes`` it made, or not ok with ``errors`` (Chinese, one per field)
and nothing written. The desktop app publishes ``result.changes`` on its change
signal (``app.ui.changes``); the CLI prints the value or the errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.core.errors import FieldError

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """What an operation changed. ``kinds``: the record kinds written (``"client"``,
    ``"contact"``...), ``uids``: which records where known, ``journal``: new changes
    for sync were journaled, ``reference``: villages, staff or tags changed (lists
    that screens cache must be read again)."""

    kinds: frozenset[str] = frozenset()
    uids: frozenset[str] = frozenset()
    journal: bool = False
    reference: bool = False

    @classmethod
    def of(cls, *kinds: str, uids: Iterable[str] = (), journal: bool = True, reference: bool = False) -> Changes:
        return cls(frozenset(kinds), frozenset(u for u in uids if u), journal, reference)

    def __bool__(self) -> bool:
        return bool(self.kinds) or self.journal or self.reference

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds, self.uids | other.uids, self.journal or other.journal,
                       self.reference or other.reference)


NOTHING = Changes()


@dataclass(frozen=True)
class Result(Generic[T]):
    """An operation's outcome. ``ok``: ``value`` holds the result; otherwise ``errors`` say why."""

    value: T | None = None
    errors: tuple[FieldError, ...] = ()
    changes: Changes = field(default=NOTHING)

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def done(cls, value: T, changes: Changes = NOTHING) -> Result[T]:
        return cls(value=value, changes=changes)

    @classmethod
    def failed(cls, *errors: FieldError) -> Result[T]:
        if not errors:
            raise ValueError("a failed result names at least one error")
        return cls(errors=tuple(_dedupe(errors)))

    @property
    def message(self) -> str:
        """The errors as one Chinese sentence list (for a status line or the CLI)."""
        return "；".join(e.message for e in self.errors)

    def unwrap(self) -> T:
        """The value of an ok result (tests and callers that checked ``ok``)."""
        if self.errors:
            raise ValueError(self.message)
        return self.value  # type: ignore[return-value]


def _dedupe(errors: Iterable[FieldError]) -> list[FieldError]:
    seen: set[FieldError] = set()
    out = []
    for e in errors:
        if e not in seen:
            seen.add(e)
            out.append(e)
    return out
