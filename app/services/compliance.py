"""The compliance word list the app checks client-facing text against.

Head office's ``compliance_words`` record, once a sync has brought one, is the list in
force; until then (and on a PC that has never synced) the list shipped with the app
(``resources/compliance_words.json``). ``check_note`` is the rule for notes a service saves
(contact notes, whitelist outcome notes): blocked words refuse, warned words need a person's
confirmation, which is audited. Runs on the caller's thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import sqlcipher3
import sqlite_utils

from app.core.compliance import Finding, WordList, blocked, check_text
from app.core.errors import FieldError
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


@dataclass(frozen=True)
class NoteCheck:
    """A note meant for clients against the word list: the refusals, and the warned words a
    person confirmed (to be audited with the save)."""

    errors: tuple[FieldError, ...]
    acknowledged: tuple[str, ...]
    version: str

    def audit_detail(self, label: str = "备注") -> str:
        """What the audit trail says of it: the words and the list, never the note (it may hold
        a phone number or a name)."""
        return f"{label}中的慎用词已确认：{'、'.join(self.acknowledged)}（词表 {self.version}）"


def check_note(text: str, db: sqlite_utils.Database | None = None, *, field: str = "note", label: str = "备注",
               acknowledged: bool = False, wealth: bool = False) -> NoteCheck:
    """A note (or a script) checked before it is saved (one error per word, Chinese, naming the
    word and its rule). A blocked word (code ``blocked``) always refuses the save; a warned word
    (code ``warning``) refuses it unless ``acknowledged``, and is then reported for the audit
    trail. ``wealth``: material for a wealth product, which must carry the risk line (code
    ``risk_line`` when it does not: refuses the save like a blocked word)."""
    found, _blocked = check(text or "", db, wealth=wealth)
    errors: list[FieldError] = []
    warned: list[str] = []
    seen: set[str] = set()
    for f in found:
        if f.word in seen:
            continue
        seen.add(f.word)
        at = f"（第 {f.start + 1} 个字起）"
        if f.level == "block":
            errors.append(FieldError(field, label, "blocked",
                                     f"{label}含有禁用词“{f.word}”{at}：按广告法和人民银行消费者权益保护规定，"
                                     "面向客户的文字不能使用，请改写后再保存。"))
        elif f.level == "missing_risk_line":
            errors.append(FieldError(field, label, "risk_line",
                                     f"{label}缺少风险提示语“{f.word}”：理财类产品的材料须写明，请补上后再保存。"))
        elif f.level == "warn":
            warned.append(f.word)
            if not acknowledged:
                errors.append(FieldError(field, label, "warning",
                                         f"{label}含有需谨慎使用的词“{f.word}”{at}：可能构成夸大或保证性表述，"
                                         "请确认表述合规，确认后才能保存。"))
    if not acknowledged or not warned:
        return NoteCheck(tuple(errors), (), "")
    return NoteCheck(tuple(errors), tuple(warned), word_list(db).version)
