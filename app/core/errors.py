"""Errors as values: what a person did wrong, naming the field, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one field that a person can fix.

    ``field`` is the code name (``id_number``), ``label`` the Chinese name shown
    to people (身份证号), ``code`` a stable machine reason (``checksum``,
    ``required``, ``permission`` ...), ``message`` a complete Chinese sentence
    that names the field and the problem.
    """

    field: str
    label: str
    code: str
    message: str

    def __str__(self) -> str:
        return self.message
