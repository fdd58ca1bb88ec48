"""The 工作单 workspace: printed sheets, and keying a returned one back (回录).

A sheet opens by its number typed in, or by scanning any of its QR codes (a USB scanner
types like a keyboard and ends with Enter, into whichever box has the focus). Each row is
keyed with digits and Enter — the digits beside the boxes ticked on paper, then the next
date as MMDD if one was written, or 0 for a row not visited — and the focus moves to the
next row not keyed yet; Up and Down move between rows. Keying writes contacts and
follow-ups on the writer's connection; a row keyed before is left as it is, and a row
whose client was merged or deleted since printing says so. UI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.sheets import RESULTS, WAYS, WHITELIST_RESULTS, parse_scan
from app.services.sheets import Keying, KeyingService, SheetRowView, SheetView
from app.store.reference import ReferenceData
from app.ui.appearance import bad, emphasize, good_background
from app.ui.context import AppContext
from app.ui.labels import domain
from app.ui.tasks import PerConnection, TaskContext
from app.ui.widgets import ERROR_STYLE
from app.ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """The rows of one sheet: row, client, village, what was keyed (or why it is stale)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SheetRowView] = []
        self.headers = [self.tr("Row"), self.tr("Client"), self.tr("Village"), self.tr("Keyed back")]

    def set_rows(self, rows: list[SheetRowView]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 3:
                if r.keyed is not None:
                    return r.keyed
                return self.tr("Cannot be keyed: %1").replace("%1", r.stale) if r.stale else ""
            return (r.row, r.client_name, r.village)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 3 and r.stale and r.keyed is None:
            return QBrush(bad())
        if role == Qt.ItemDataRole.BackgroundRole and r.keyed is not None:
            return QBrush(good_background())  # keyed
        return None


class KeyEntry(QLineEdit):
    """The code box: Up and Down move the current row instead of the cursor."""

    def __init__(self, move: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._move = move

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._move(-1 if event.key() == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)


class SheetsWorkspace(Workspace):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: KeyingService(db, staff, ReferenceData(db)))
        self.sheet: SheetView | None = None

        self.find = QLineEdit()
        self.find.setObjectName("sheetNumber")
        self.find.setPlaceholderText(self.tr("Sheet number, or scan any QR code of the sheet"))
        self.find.setClearButtonEnabled(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Open a returned sheet")))
        top.addWidget(self.find, 1)

        self.recent = QListWidget()
        self.recent.setObjectName("recentSheets")
        self.recent.setMinimumWidth(260)
        self.recent.setWordWrap(True)

        self.heading = QLabel(self.tr("No sheet open"))
        self.heading.setObjectName("sheetHeading")
        emphasize(self.heading, 1.15, bold=True)
        self.model = RowsModel(self)
        self.table = QTableView()
        self.table.setObjectName("sheetRows")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays in the code box

        self.current = QLabel()
        self.current.setObjectName("keyingRow")
        self.code = KeyEntry(self._move)
        self.code.setObjectName("keyCode")
        self.code.setPlaceholderText(self.tr("way result [MMDD], e.g. 32 1215; 0 if not visited"))
        self.code.setEnabled(False)
        self.note = QLineEdit()
        self.note.setObjectName("keyNote")
        self.note.setPlaceholderText(self.tr("note (optional)"))
        self.note.setEnabled(False)
        self.message = QLabel()
        self.message.setObjectName("keyMessage")
        self.message.setWordWrap(True)
        self.legend = QLabel()
        self.legend.setObjectName("keyLegend")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: palette(mid);")
        entry = QHBoxLayout()
        entry.addWidget(self.current)
        entry.addWidget(self.code, 2)
        entry.addWidget(self.note, 1)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.heading)
        rl.addWidget(self.table, 1)
        rl.addLayout(entry)
        rl.addWidget(self.message)
        rl.addWidget(self.legend)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.recent)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 900])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(split, 1)

        self.find.returnPressed.connect(lambda: self.open_sheet(self.find.text()))
        self.code.returnPressed.connect(self.key_current)
        self.note.returnPressed.connect(self.key_current)
        self.recent.itemActivated.connect(lambda item: self.open_sheet(item.data(Qt.ItemDataRole.UserRole)))
        self.recent.itemClicked.connect(lambda item: self.open_sheet(item.data(Qt.ItemDataRole.UserRole)))
        self.table.clicked.connect(lambda index: self._go(index.row()))
        ctx.changes.changed.connect(self._on_changes)

    def title(self) -> str:
        return self.tr("Worksheets")

    def activated(self) -> None:
        self.load_recent()
        (self.code if self.code.isEnabled() else self.find).setFocus()

    # --- the list of sheets ------------------------------------------------------------------

    def load_recent(self) -> None:
        services = self.services
        self.ctx.reader.submit(lambda tc: services(tc.db).recent(), success=self._recent, name="sheets-recent")

    def _recent(self, rows: list[tuple]) -> None:
        self.recent.clear()
        for number, title, manager, printed, count, keyed in rows:
            item = QListWidgetItem(f"{number}  {title}\n{manager} · {printed[:16]} · "
                                   + self.tr("%1 of %2 keyed").replace("%1", str(keyed)).replace("%2", str(count)))
            item.setData(Qt.ItemDataRole.UserRole, number)
            self.recent.addItem(item)
        if not rows:
            empty = QListWidgetItem(self.tr("No sheets printed on this PC yet."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)

    # --- one sheet ---------------------------------------------------------------------------------

    icon_name = "sheets"
    help_page = "sheets.html"

    def open_item(self, kind: str, key: str) -> None:
        if kind == "sheet":
            self.open_sheet(key)

    def open_sheet(self, text: str, row: int | None = None) -> None:
        """Open a sheet by its number or a scanned row code; ``row`` (or the code's row) becomes
        current, else the first row not keyed yet."""
        scanned = parse_scan(text or "")
        if scanned is None:
            self._say(self.tr("“%1” is not a sheet number (like M261202-0001).").replace("%1", (text or "").strip()),
                      error=True)
            return
        number, scanned_row = scanned
        services = self.services
        self.ctx.reader.submit(lambda tc: services(tc.db).open(number),
                               success=lambda view: self._opened(view, row or scanned_row), name="sheet-open")

    def _opened(self, view: SheetView | FieldError, row: int | None) -> None:
        if isinstance(view, FieldError):
            self._say(view.message, error=True)
            return
        self.sheet = view
        self.find.clear()
        self.heading.setText(f"{view.title}  {view.number}  ·  {view.manager_name}  ·  "
                             + self.tr("%1 of %2 rows keyed").replace("%1", str(view.keyed))
                             .replace("%2", str(len(view.rows))))
        self.model.set_rows(list(view.rows))
        self._legend(view.kind)
        for w in (self.code, self.note):
            w.setEnabled(True)
        target = row if row and 1 <= row <= len(view.rows) else self._next_open(0)
        self._go((target or 1) - 1)
        if view.stale:
            self._say(self.tr("%1 rows cannot be keyed: their clients were merged or deleted since printing.")
                      .replace("%1", str(view.stale)), error=True)
        else:
            self._say("")
        self.code.setFocus()

    def _legend(self, kind: str) -> None:
        ways = " ".join(f"{k}{domain(label)}" for k, (_c, label) in WAYS.items())
        results = (" ".join(f"{k}{domain(label)}" for k, (_v, label) in WHITELIST_RESULTS.items())
                   if kind == "whitelist" else " ".join(f"{k}{domain(label)}" for k, label in RESULTS.items()))
        self.legend.setText(self.tr("Way: %1 · Result: %2 · next date as MMDD · 0 = not visited")
                            .replace("%1", ways).replace("%2", results))

    def _next_open(self, after: int) -> int | None:
        """The first row (1-based) after index ``after`` not keyed and not stale, wrapping round."""
        rows = self.model.rows
        order = list(range(after, len(rows))) + list(range(0, after))
        return next((rows[i].row for i in order if rows[i].keyed is None and not rows[i].stale), None)

    def _go(self, index: int) -> None:
        rows = self.model.rows
        if not rows:
            return
        index = max(0, min(index, len(rows) - 1))
        self.table.selectRow(index)
        self.table.scrollTo(self.model.index(index, 0))
        r = rows[index]
        self.current.setText(self.tr("Row %1: %2").replace("%1", str(r.row)).replace("%2", r.client_name))
        self.code.clear()
        self.note.clear()

    def _move(self, step: int) -> None:
        self._go(self.table.currentIndex().row() + step)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")

    def key_current(self) -> None:
        text = self.code.text().strip()
        if parse_scan(text) is not None:  # a QR code scanned into the code box
            scanned = parse_scan(text)
            assert scanned is not None
            if self.sheet is not None and scanned[0] == self.sheet.number and scanned[1]:
                self._go(scanned[1] - 1)
            else:
                self.open_sheet(text)
            return
        index = self.table.currentIndex().row()
        if self.sheet is None or not (0 <= index < len(self.model.rows)) or not text:
            return
        number, row, note = self.sheet.number, self.model.rows[index].row, self.note.text()
        services = self.services

        def work(tc: TaskContext) -> Result[Keying]:
            return services(tc.db).key(number, row, text, note=note)

        self.code.setEnabled(False)
        self.ctx.writer.submit(work, success=lambda result: self._keyed(number, index, result), name="sheet-key")

    def _keyed(self, number: str, index: int, result: Result[Keying]) -> None:
        self.code.setEnabled(True)
        self.code.setFocus()
        if not result.ok:
            self._say(result.message, error=True)
            self.code.selectAll()
            return
        k = result.value
        if k.again:
            self._say(self.tr("Row %1 was keyed before: %2. Nothing changed.").replace("%1", str(k.row))
                      .replace("%2", k.text))
        else:
            self._say(self.tr("Row %1: %2.").replace("%1", str(k.row)).replace("%2", k.text))
        if result.changes:
            self.ctx.changes.publish(result.changes, self)
        rows = self.model.rows
        if self.sheet is not None and self.sheet.number == number and 0 <= index < len(rows):
            old = rows[index]
            rows[index] = SheetRowView(old.row, old.ref, old.client_name, old.village, k.text, "", old.stale)
            self.model.dataChanged.emit(self.model.index(index, 0), self.model.index(index, 3))
            keyed = sum(1 for r in rows if r.keyed is not None)
            self.heading.setText(f"{self.sheet.title}  {self.sheet.number}  ·  {self.sheet.manager_name}  ·  "
                                 + self.tr("%1 of %2 rows keyed").replace("%1", str(keyed))
                                 .replace("%2", str(len(rows))))
            nxt = self._next_open(index + 1)
            if nxt is None:
                self._say(self.tr("Every row of sheet %1 is keyed.").replace("%1", number))
                self.code.clear()
                self.note.clear()
            else:
                self._go(nxt - 1)
        self.load_recent()

    def _on_changes(self, changes: Changes, source: object) -> None:
        if source is not self and changes.touches("client") and self.sheet is not None and self.isVisible():
            self.open_sheet(self.sheet.number, self.table.currentIndex().row() + 1)
