"""Every key the desktop app keeps in ``ui.ini``, declared once with its type and default, and versioned.

Picard declares its persisted options in one place (``picard/options.py``)
and upgrades them step by step (``picard/config_upgrade.py``); so do we.
Widgets read and write through these ``Option`` objects, never through a key
spelled where it is used, and ``upgrade`` brings an older file up to
``VERSION`` when the app starts. UI thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

VERSION = 2
VERSION_KEY = "meta/version"


@dataclass(frozen=True)
class Option:
    """One persisted value: ``kind`` "bytes" (a Qt state blob), "json" (lists, dicts, numbers) or "text"."""

    key: str
    kind: str
    default: Any

    def get(self, s: QSettings) -> Any:
        raw = s.value(self.key)
        if raw is None:
            return self.default
        if self.kind == "bytes":
            return raw if isinstance(raw, QByteArray) and not raw.isEmpty() else self.default
        if self.kind == "json":
            try:
                return json.loads(raw)
            except (TypeError, ValueError):
                log.warning("ui setting %s is not JSON; using the default", self.key)
                return self.default
        return str(raw)

    def set(self, s: QSettings, value: Any) -> None:
        s.setValue(self.key, json.dumps(value, ensure_ascii=False) if self.kind == "json" else value)


MAIN_GEOMETRY = Option("main/geometry", "bytes", None)
MAIN_STATE = Option("main/state", "bytes", None)
CLIENTS_HEADER = Option("clients/header", "bytes", None)  # column order, widths, hidden columns
CLIENTS_SPLITTER = Option("clients/splitter", "bytes", None)
CLIENTS_SORT = Option("clients/sort", "json", ["name", False])  # [sort key, descending]
TEXT_PERCENT = Option("appearance/text_percent", "json", 100)  # app.ui.appearance.TEXT_SIZES
THEME = Option("appearance/theme", "text", "system")  # system / light / dark


def saved_views(staff_code: str) -> Option:
    """One staff member's saved client views: name -> {"filter": {field: value}, "sort": [key, desc]}."""
    return Option(f"views/{staff_code}", "json", {})


# --- upgrades ----------------------------------------------------------------------------------


def _v2(s: QSettings) -> None:
    """Version 1 (unversioned) files: the same keys; they are simply marked."""


UPGRADES: dict[int, Callable[[QSettings], None]] = {2: _v2}


def upgrade(s: QSettings) -> int:
    """Bring ``s`` up to ``VERSION`` (each step once, in order); returns the version it had."""
    try:
        old = int(s.value(VERSION_KEY, 1))
    except (TypeError, ValueError):
        old = 1
    for v in range(old + 1, VERSION + 1):
        UPGRADES[v](s)
        log.info("ui settings upgraded to version %d", v)
    if old < VERSION:
        s.setValue(VERSION_KEY, VERSION)
    return old
