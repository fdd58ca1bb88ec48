"""The compliance word list the app checks client-facing text against."""

from __future__ import annotations

import json
from functools import lru_cache

from app.core.compliance import WordList
from app.resources import resource_path


@lru_cache(maxsize=1)
def default_word_list() -> WordList:
    """The bundled list (``resources/compliance_words.json``; cached). Any thread."""
    return WordList.from_dict(json.loads(resource_path("compliance_words.json").read_text("utf-8")))
