"""The whitelist table: entries a window at a time (``app.ui.paged``), with the service's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from app.core.errors import FieldError
from app.core.money import format_wan
from app.core.whitelist import Status, product_label
from app.services.whitelist import WhitelistService
from app.store.whitelist import EntryRow, WhitelistFilter
from app.ui.appearance import bad, warn
from app.ui.labels import domain
from app.ui.paged import PagedTableModel
from app.ui.tasks import DbThread, TaskContext


class WhitelistTableModel(PagedTableModel[EntryRow]):
    """Entries as the signed-in person may see them; ``service(db)`` gives the service on a thread."""

    def __init__(self, reader: DbThread, service, parent=None) -> None:
        super().__init__(reader, parent)
        self._service = service  # (db) -> WhitelistService, on the reader thread
        self.filter = WhitelistFilter()
        self.sort_key = "valid_to"
        self.clusters: dict[str, str] = {}
        self.managers: dict[str, str] = {}
        self._cols = [
            ("name", self.tr("Client")),
            ("village", self.tr("Village")),
            ("product", self.tr("Product")),
            ("limit", self.tr("Limit (10k yuan)")),
            ("valid_to", self.tr("Valid to")),
            ("cluster", self.tr("Cluster")),
            ("band", self.tr("Band")),
            ("manager", self.tr("Manager")),
            ("status", self.tr("Status")),
            ("consent", self.tr("Consent")),
        ]

    def columns(self) -> list[tuple[str, str]]:
        return self._cols

    def set_filter(self, f: WhitelistFilter, sort: str | None = None) -> None:
        self.filter = f
        if sort:
            self.sort_key = sort
        self.reload()

    def query(self) -> Any:
        return self.filter, self.sort_key

    def count(self, tc: TaskContext, query: Any) -> int | FieldError:
        svc: WhitelistService = self._service(tc.db)
        return svc.count(query[0])

    def page(self, tc: TaskContext, query: Any, offset: int, limit: int, total: int) -> list[EntryRow] | FieldError:
        svc: WhitelistService = self._service(tc.db)
        return svc.page(query[0], sort=query[1], offset=offset, limit=limit)

    def text(self, r: EntryRow, key: str) -> str:
        if key == "name":
            return r.name
        if key == "village":
            return f"{r.township} {r.village}"
        if key == "product":
            return product_label(r.product)
        if key == "limit":
            return format_wan(r.limit_fen, unit=False)
        if key == "valid_to":
            return r.valid_to or "—"
        if key == "cluster":
            return self.clusters.get(r.cluster or "", r.cluster or "—")
        if key == "band":
            return r.band or "—"
        if key == "manager":
            return self.managers.get(r.manager or "", r.manager or self.tr("Unassigned"))
        if key == "status":
            return domain(Status(r.status).label)
        if key == "consent":
            return "" if r.consent else self.tr("No consent")
        return ""

    def decoration(self, r: EntryRow, key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "limit":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and key == "valid_to" and r.valid_to:
            today = date.today().isoformat()
            if r.valid_to < today:
                return QBrush(bad())  # lapsed (read each time: it follows the colour scheme)
            if r.valid_to <= _in_days(30):
                return QBrush(warn())  # soon due
        if role == Qt.ItemDataRole.ForegroundRole and key == "consent" and not r.consent:
            return QBrush(bad())
        return None


def _in_days(days: int) -> str:
    from datetime import timedelta

    return (date.today() + timedelta(days=days)).isoformat()
