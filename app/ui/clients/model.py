"""The client table's model: a lazy window over the store, never the whole table.

``rowCount`` is the size of the filtered set (one COUNT on the reader thread);
rows are fetched in pages on the reader thread when the view first asks for them,
and kept in a small LRU cache (``app.ui.paged``, shared with the other
workspaces' tables). A page not yet loaded shows "…" until it arrives. Each
filter or sort change starts a new *generation*; answers for an older generation
are dropped, so fast typing never shows stale rows. UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt

from app.core.client import Lifecycle, Segment, Tier
from app.core.errors import FieldError
from app.core.money import format_yuan
from app.services.clients import ClientService
from app.store.clients import ClientListRow
from app.store.search import ClientFilter
from app.ui.labels import domain
from app.ui.paged import PagedTableModel
from app.ui.tasks import DbThread, TaskContext

PAGE = 200
CACHE_PAGES = 40



@dataclass(frozen=True)
class Column:
    key: str
    sort: str | None  # the store's sort key, or None when the column cannot sort
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "name"),
    Column("id_number", None),
    Column("mobile", None),
    Column("village", "village"),
    Column("group_name", None),
    Column("segment", None),
    Column("tier", "tier"),
    Column("aum", "aum", numeric=True),
    Column("deposit", None, numeric=True),
    Column("loan", None, numeric=True),
    Column("lifecycle", "lifecycle"),
    Column("mobile_banking", None),
    Column("manager", "manager"),
    Column("last_contact", "last_contact"),
    Column("consent", None),
    Column("tags", None),
    Column("client_no", None),
)
COLUMN_KEYS = [c.key for c in COLUMNS]
NUMERIC = frozenset(c.key for c in COLUMNS if c.numeric)
DEFAULT_HIDDEN = {"group_name", "deposit", "loan", "client_no", "consent"}


class ClientTableModel(PagedTableModel[ClientListRow]):
    """Lazy, windowed, generation-guarded. See the module docstring."""

    page_size = PAGE
    cache_pages = CACHE_PAGES

    def __init__(self, reader: DbThread, service_factory, parent=None) -> None:
        super().__init__(reader, parent)
        self._service_factory = service_factory  # (db) -> ClientService, on the reader thread
        self._filter = ClientFilter()
        self._sort = "name"
        self._desc = False
        self._headers = {
            "name": self.tr("Name"),
            "id_number": self.tr("ID number"),
            "mobile": self.tr("Mobile"),
            "village": self.tr("Village"),
            "group_name": self.tr("Group"),
            "segment": self.tr("Segment"),
            "tier": self.tr("Tier"),
            "aum": self.tr("AUM (yuan)"),
            "deposit": self.tr("Deposits (yuan)"),
            "loan": self.tr("Loans (yuan)"),
            "lifecycle": self.tr("Lifecycle"),
            "mobile_banking": self.tr("Mobile banking"),
            "manager": self.tr("Manager"),
            "last_contact": self.tr("Last contact"),
            "consent": self.tr("Marketing consent"),
            "tags": self.tr("Tags"),
            "client_no": self.tr("Core client no."),
        }
        self._columns = [(c.key, self._headers[c.key]) for c in COLUMNS]
        self._mb = {
            (False, False): self.tr("Not signed"),
            (True, False): self.tr("Signed"),
            (True, True): self.tr("Monthly active"),
            (False, True): self.tr("Monthly active"),
        }
        self._consent = {True: self.tr("Consented"), False: self.tr("Refused"), None: self.tr("Not asked")}

    def width_samples(self, key: str) -> list[str]:
        """Texts as wide as a column's widest usual value (for its default width)."""
        money = "12,345,678.90"
        return {
            "name": ["复兴街兴田蒲浩种植社"],  # ten characters: most business names whole, the rest in the tooltip
            "id_number": ["512229********9209", "935002********WKF7"],
            "mobile": ["188****7688"],
            "village": ["复兴街道 红坝社区"],
            "group_name": ["12组"],
            "segment": [domain(s.label) for s in Segment],
            "tier": [domain(t.label) for t in Tier],
            "aum": [money],
            "deposit": [money],
            "loan": [money],
            "lifecycle": [domain(s.label) + " ★" for s in Lifecycle],
            "mobile_banking": list(self._mb.values()),
            "manager": ["欧阳晓明"],
            "last_contact": ["2026-12-02"],
            "consent": list(self._consent.values()),
            "tags": ["代发工资、社保卡、有贷户"],
            "client_no": ["CQ2600003551", self.tr("Prospect")],
        }[key]

    # --- state --------------------------------------------------------------

    @property
    def filter(self) -> ClientFilter:
        return self._filter

    @property
    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._desc

    def set_filter(self, f: ClientFilter) -> None:
        self._filter = f
        self.reload()

    def set_sort(self, key: str, descending: bool = False, *, reload: bool = True) -> None:
        self._sort, self._desc = key, descending
        if reload:
            self.reload()

    # --- what the paged model asks --------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        return self._columns

    def query(self) -> Any:
        return self._filter, self._sort, self._desc

    def count(self, tc: TaskContext, query: Any) -> int | FieldError:
        svc: ClientService = self._service_factory(tc.db)
        return svc.count(query[0])

    def page(self, tc: TaskContext, query: Any, offset: int, limit: int,
             total: int) -> list[ClientListRow] | FieldError:
        f, sort, desc = query
        svc: ClientService = self._service_factory(tc.db)
        return svc.page(f, sort=sort, descending=desc, offset=offset, limit=limit, total=total)

    def text(self, r: ClientListRow, key: str) -> str:
        return self._text(r, key)

    def user_data(self, r: ClientListRow) -> Any:
        return r.id

    def decoration(self, r: ClientListRow, key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, r: ClientListRow, key: str) -> str:
        if key == "name":
            return r.name
        if key == "id_number":
            return r.id_number or ""
        if key == "mobile":
            return r.mobile or ""
        if key == "village":
            return f"{r.township} {r.village}"
        if key == "group_name":
            return r.group_name or ""
        if key == "segment":
            return domain(Segment(r.segment).label)
        if key == "tier":
            return domain(Tier(r.tier).label)
        if key == "aum":
            return format_yuan(r.aum_fen)
        if key == "deposit":
            return format_yuan(r.deposit_fen)
        if key == "loan":
            return format_yuan(r.loan_fen)
        if key == "lifecycle":
            return domain(Lifecycle(r.lifecycle).label) + (" ★" if r.potential else "")
        if key == "mobile_banking":
            return self._mb[(r.mb_signed, r.mb_active)]
        if key == "manager":
            return r.manager
        if key == "last_contact":
            return r.last_contact or ""
        if key == "consent":
            return self._consent[r.consent]
        if key == "tags":
            return "、".join(r.tags)
        if key == "client_no":
            return r.client_no or self.tr("Prospect")
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort
        if key is None:
            return
        self.set_sort(key, order == Qt.SortOrder.DescendingOrder)
