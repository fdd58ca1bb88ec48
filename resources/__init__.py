"""Bundled data: fonts, translations, icons, the compliance word list, and the demo county recipe.

The desktop app locates files through ``app.resources`` (which knows the frozen
layout); head office's reference service, never frozen, uses ``path``. The demo
county generator (``resources.demo_county``) is pure Python that both the
branch (``branchdesk demo``) and head office (``branchdesk-hq demo``) import.
"""

from __future__ import annotations

from pathlib import Path

COMPLIANCE_WORDS = "compliance_words.json"


def path(relative: str) -> Path:
    """A bundled file in the source tree or an installed wheel."""
    return Path(__file__).resolve().parent / relative
