"""The client table's model: a lazy window over the store, never the whole table.

``rowCount`` is the size of the filtered set (one COUNT on the reader thread);
rows are fetched in pages of ``PAGE`` on the reader thread when the view first
asks for them, and kept in a small LRU cache. A page not yet loaded shows
"…" until it arrives. Each filter or sort change starts a new *generation*;
answers for an older generation are dropped, so fast typing never shows stale
rows. All methods run on the UI thread.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.core.client import Lifecycle, Segment, Tier
from app.core.errors import FieldError
from app.core.money import format_yuan
from app.services.clients import ClientService
from app.store.clients import ClientListRow
from app.store.search import ClientFilter
from app.ui.labels import domain
from app.ui.tasks import DbThread, TaskContext

PAGE = 200
CACHE_PAGES = 40

Index = QModelIndex | QPersistentModelIndex


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
DEFAULT_HIDDEN = {"group_name", "deposit", "loan", "client_no", "consent"}


class ClientTableModel(QAbstractTableModel):
    """Lazy, windowed, generation-guarded. See the module docstring."""

    # generation, total rows, seconds from set_filter to count known
    countChanged = Signal(int)
    # emitted when the first page of a new filter/sort is in (for the benchmark and tests)
    firstPageLoaded = Signal(float)
    loadFailed = Signal(str)

    def __init__(self, reader: DbThread, service_factory, parent=None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._service_factory = service_factory  # (db) -> ClientService, on the reader thread
        self._filter = ClientFilter()
        self._sort = "name"
        self._desc = False
        self._total = 0
        self._gen = 0
        self._pages: OrderedDict[int, list[ClientListRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._t0 = 0.0
        self.pages_fetched = 0  # pages read from the store since the last reset (tests, benchmark)
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
    def total(self) -> int:
        return self._total

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

    def reload(self) -> None:
        """Start a new generation: count, then the first page."""
        self._gen += 1
        gen, f = self._gen, self._filter
        self._t0 = time.perf_counter()
        sort, desc = self._sort, self._desc
        factory = self._service_factory

        def work(tc: TaskContext) -> tuple[int, list[ClientListRow]] | FieldError:
            svc: ClientService = factory(tc.db)
            total = svc.count(f)
            if isinstance(total, FieldError):
                return total
            rows = svc.page(f, sort=sort, descending=desc, offset=0, limit=PAGE, total=total) if total else []
            return total, rows

        self._reader.submit(work, success=lambda r, g=gen: self._on_reloaded(g, r),
                            failure=self._on_failed, name="client-count")

    def _on_failed(self, exc: BaseException, _tb: str) -> None:
        self.loadFailed.emit(type(exc).__name__)

    def _on_reloaded(self, gen: int, result: Any) -> None:
        if gen != self._gen:
            return
        if isinstance(result, FieldError):
            self.loadFailed.emit(result.message)
            result = (0, [])
        total, rows = result
        self.beginResetModel()
        self._total = total
        self._pages.clear()
        self._pending.clear()
        self.pages_fetched = 1 if rows else 0
        if rows:
            self._pages[0] = rows
        self.endResetModel()
        self.countChanged.emit(total)
        self.firstPageLoaded.emit(time.perf_counter() - self._t0)

    def _request(self, page: int) -> None:
        if page in self._pending or page in self._pages:
            return
        self._pending.add(page)
        gen, f, sort, desc, total = self._gen, self._filter, self._sort, self._desc, self._total
        factory = self._service_factory

        def work(tc: TaskContext) -> list[ClientListRow] | FieldError:
            return factory(tc.db).page(f, sort=sort, descending=desc, offset=page * PAGE, limit=PAGE, total=total)

        self._reader.submit(work, success=lambda rows, g=gen, p=page: self._on_page(g, p, rows),
                            failure=self._on_failed, name="client-page")

    def _on_page(self, gen: int, page: int, rows: Any) -> None:
        if gen != self._gen:
            return
        self._pending.discard(page)
        if isinstance(rows, FieldError):
            self.loadFailed.emit(rows.message)
            return
        self._pages[page] = rows
        self.pages_fetched += 1
        while len(self._pages) > CACHE_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE
        last = min(self._total, first + len(rows)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def row_at(self, row: int) -> ClientListRow | None:
        """The loaded row, or None (and a fetch is started) when its page is not in yet."""
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        i = row - page * PAGE
        return rows[i] if i < len(rows) else None

    def is_loaded(self, row: int) -> bool:
        return row // PAGE in self._pages

    # --- Qt model API -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[COLUMNS[section].key]
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole):
            return None
        r = self.row_at(index.row())
        if r is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 else None
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return self._text(r, col.key)

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
