"""The client table's layout and a staff member's saved views, kept in ``ui.ini`` through ``app.ui.settings``.

``ColumnLayout`` owns what the header and the splitter look like (visible
columns, order, widths, the sort) and the column menu; ``SavedViews`` owns the
named filter + sort combinations ("my views"). Both read and write only
declared options. UI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QSplitter, QTableView, QWidget

from app.store.search import ClientFilter
from app.ui import settings as opts
from app.ui.clients.model import COLUMNS, DEFAULT_HIDDEN, ClientTableModel

log = logging.getLogger(__name__)

CELL_PADDING = 16  # the style's cell margins and a little air
HEADER_PADDING = 30  # the header's margins and its sort arrow


class ColumnLayout(QObject):
    """Visible columns, their order and widths, the splitter and the sort, saved as the person leaves them."""

    def __init__(self, table: QTableView, splitter: QSplitter, model: ClientTableModel, settings, parent=None) -> None:
        super().__init__(parent)
        self.table, self.splitter, self.model, self.settings = table, splitter, model, settings
        header = self.header
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._timer = QTimer(self, singleShot=True, interval=500)
        self._timer.timeout.connect(self.save)
        header.sectionMoved.connect(lambda *_: self.save())
        header.sectionResized.connect(lambda *_: self._timer.start())

    @property
    def header(self) -> QHeaderView:
        return self.table.horizontalHeader()

    def menu(self, parent: QWidget) -> QMenu:
        """A menu of every column with a tick for the visible ones."""
        menu = QMenu(parent)
        for i, _col in enumerate(COLUMNS):
            act = QAction(self.model.headerData(i, Qt.Orientation.Horizontal), menu)
            act.setCheckable(True)
            act.setChecked(not self.header.isSectionHidden(i))
            act.toggled.connect(lambda on, i=i: self.set_visible(i, on))
            menu.addAction(act)
        return menu

    def set_visible(self, section: int, visible: bool) -> None:
        self.header.setSectionHidden(section, not visible)
        self.save()

    def show_sort(self, key: str, descending: bool) -> None:
        section = next((i for i, c in enumerate(COLUMNS) if c.sort == key), -1)
        if section >= 0:
            self.header.setSortIndicator(
                section, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            )

    def default_width(self, section: int) -> int:
        """Wide enough for the column's header and its usual widest value, in the table's font."""
        key = COLUMNS[section].key
        cells = self.table.fontMetrics()
        widest = max(cells.horizontalAdvance(t) for t in self.model.width_samples(key)) + CELL_PADDING
        title = str(self.model.headerData(section, Qt.Orientation.Horizontal))
        return max(widest, self.header.fontMetrics().horizontalAdvance(title) + HEADER_PADDING)

    def save(self) -> None:
        opts.CLIENTS_HEADER.set(self.settings, self.header.saveState())
        opts.CLIENTS_SPLITTER.set(self.settings, self.splitter.saveState())
        opts.CLIENTS_SORT.set(self.settings, list(self.model.sort_key))

    def restore(self) -> None:
        """The saved layout, or the default one; the sort goes to the model without a reload."""
        state = opts.CLIENTS_HEADER.get(self.settings)
        if state is not None:
            self.header.restoreState(state)
        else:
            for i, col in enumerate(COLUMNS):
                self.header.setSectionHidden(i, col.key in DEFAULT_HIDDEN)
                self.header.resizeSection(i, self.default_width(i))
        split = opts.CLIENTS_SPLITTER.get(self.settings)
        if split is not None:
            self.splitter.restoreState(split)
        try:
            key, desc = opts.CLIENTS_SORT.get(self.settings)
        except (TypeError, ValueError):
            key, desc = opts.CLIENTS_SORT.default
        if any(c.sort == key for c in COLUMNS):
            self.model.set_sort(key, bool(desc), reload=False)


class SavedViews:
    """A staff member's named views: the filter (by field name) and the sort."""

    def __init__(self, settings, staff_code: str) -> None:
        self.settings = settings
        self.option = opts.saved_views(staff_code)

    def all(self) -> dict[str, dict]:
        views = self.option.get(self.settings)
        return views if isinstance(views, dict) else {}

    def names(self) -> list[str]:
        return sorted(self.all())

    def save(self, name: str, f: ClientFilter, sort: tuple[str, bool]) -> None:
        views = self.all()
        views[name] = {"filter": f.to_dict(), "sort": list(sort)}
        self.option.set(self.settings, views)

    def load(self, name: str) -> tuple[ClientFilter, tuple[str, bool]] | None:
        """The view's filter and sort; fields this version does not know are dropped (and logged)."""
        view = self.all().get(name)
        if not isinstance(view, dict):
            return None
        f, dropped = ClientFilter.from_dict(view.get("filter") or {})
        if dropped:
            log.warning("saved view: filter fields no longer known were dropped: %s", ", ".join(dropped))
        key, desc = (view.get("sort") or ["name", False])[:2]
        if not any(c.sort == key for c in COLUMNS):
            key, desc = "name", False
        return f, (key, bool(desc))
