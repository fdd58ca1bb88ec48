"""A table model that reads a long list a window at a time, on a database thread.

The count and the first page come in one task; further pages are requested when a
view asks for a row that is not loaded (``row_at``) and arrive through a queued
callback. A new filter or sort starts a new *generation*: answers of an older one
are dropped, so a slow query never paints over a newer list. At most
``cache_pages`` pages are kept. Subclasses say how to count and read a page (run on
the database thread) and how a row shows in each column (UI thread).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.core.errors import FieldError
from app.ui.tasks import DbThread, TaskContext

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    countChanged = Signal(int)
    loadFailed = Signal(str)
    firstPageLoaded = Signal(float)

    page_size = 200
    cache_pages = 40

    def __init__(self, reader: DbThread, parent=None) -> None:
        super().__init__(parent)
        self._reader = reader
        self._gen = 0
        self._total = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._pending: set[int] = set()
        self._t0 = 0.0
        self.pages_fetched = 0  # pages read since the last reload (tests, benchmarks)

    # --- what a subclass provides ---------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(key, header) of each column. UI thread."""
        raise NotImplementedError

    def query(self) -> Any:
        """What the current generation reads (a filter and sort), handed to ``count``/``page``."""
        raise NotImplementedError

    def count(self, tc: TaskContext, query: Any) -> int | FieldError:
        """How many rows. Database thread."""
        raise NotImplementedError

    def page(self, tc: TaskContext, query: Any, offset: int, limit: int, total: int) -> list[Row] | FieldError:
        """Rows ``offset`` .. ``offset + limit`` of ``total``. Database thread."""
        raise NotImplementedError

    def text(self, row: Row, key: str) -> str:
        """A row's cell as shown. UI thread."""
        raise NotImplementedError

    def decoration(self, row: Row, key: str, role: int) -> Any:
        """Colours, alignment, tooltips beyond the text (None: default). UI thread."""
        return None

    def user_data(self, row: Row) -> Any:
        """What ``Qt.UserRole`` gives for a row (the row itself unless said otherwise)."""
        return row

    # --- loading ------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    def reload(self) -> None:
        """Start a new generation: the count, then the first page."""
        self._gen += 1
        gen, q = self._gen, self.query()
        self._t0 = time.perf_counter()
        size = self.page_size

        def work(tc: TaskContext) -> Any:
            total = self.count(tc, q)
            if isinstance(total, FieldError):
                return total
            rows = self.page(tc, q, 0, size, total) if total else []
            return rows if isinstance(rows, FieldError) else (total, rows)

        self._reader.submit(work, success=lambda r, g=gen: self._on_reloaded(g, r), failure=self._on_failed,
                            name=f"{type(self).__name__}-count")

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
        gen, q, size, total = self._gen, self.query(), self.page_size, self._total

        def work(tc: TaskContext) -> Any:
            return self.page(tc, q, page * size, size, total)

        self._reader.submit(work, success=lambda rows, g=gen, p=page: self._on_page(g, p, rows),
                            failure=self._on_failed, name=f"{type(self).__name__}-page")

    def _on_page(self, gen: int, page: int, rows: Any) -> None:
        if gen != self._gen:
            return
        self._pending.discard(page)
        if isinstance(rows, FieldError):
            self.loadFailed.emit(rows.message)
            return
        self._pages[page] = rows
        self.pages_fetched += 1
        while len(self._pages) > self.cache_pages:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(self._total, first + len(rows)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))

    def row_at(self, row: int) -> Row | None:
        """The loaded row, or None (and its page is requested)."""
        page = row // self.page_size
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        i = row - page * self.page_size
        return rows[i] if i < len(rows) else None

    def is_loaded(self, row: int) -> bool:
        rows = self._pages.get(row // self.page_size)
        return rows is not None and row - (row // self.page_size) * self.page_size < len(rows)

    # --- Qt ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            cols = self.columns()
            return cols[section][1] if 0 <= section < len(cols) else None
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_at(index.row())
        key = self.columns()[index.column()][0]
        if r is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(r, key)
        if role == Qt.ItemDataRole.UserRole:
            return self.user_data(r)
        return self.decoration(r, key, role)
