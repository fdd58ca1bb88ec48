"""The compliance word list the app checks client-facing text against.

Head office's ``compliance_words`` record, once a sync has brought one, is the list in
force; until then (and on a PC that has never synced) the list shipped with the app
(``resources/compliance_words.json``). Runs on the caller's thread.
"""

from __future__ import annotations

import json
from functools import lru_cache

import sqlcipher3
import sqlite_utils

from app.core.compliance import Finding, WordList, blocked, check_text
from app.resources import resource_path


@lru_cache(maxsize=1)
def default_word_list() -> WordList:
    """The bundled list (``resources/compliance_words.json``; cached). Any thread."""
    return WordList.from_dict(json.loads(resource_path("compliance_words.json").read_text("utf-8")))


def word_list(db: sqlite_utils.Database | None = None) -> WordList:
    """Head office's list when this PC holds one, else the bundled one."""
    if db is not None:
        try:
            row = db.conn.execute(
                "SELECT list_version, block, warn, risk_line, allowed FROM compliance_words WHERE deleted = 0"
                " ORDER BY hq_seq IS NULL, hq_seq DESC, id DESC LIMIT 1").fetchone()
        except sqlcipher3.DatabaseError:  # an old or odd file: the bundled list still protects
            row = None
        if row is not None and row[3]:
            return WordList(str(row[0]), tuple(json.loads(row[1])), tuple(json.loads(row[2])), str(row[3]),
                            tuple(json.loads(row[4] or "[]")))
    return default_word_list()


def check(text: str, db: sqlite_utils.Database | None = None, *, wealth: bool = False) -> tuple[list[Finding], bool]:
    """(findings, blocked) for a client-facing text."""
    found = check_text(text, word_list(db), wealth=wealth)
    return found, blocked(found)
