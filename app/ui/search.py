"""Ctrl+K: one search box across clients, whitelist entries, campaigns, scenarios, villages and
worksheets, results grouped by kind, keyboard only (type, Up/Down, Enter opens, Esc closes).

The search runs on its own database thread (``search-reader``, a read-only connection made
on first use and kept while the window lives), so a keystroke never waits behind a long
report on the shared reader; typing is debounced and an answer to an older text is dropped.
UI thread.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.find import KINDS, Finder, Hit
from app.store.reference import ReferenceData
from app.ui.context import AppContext
from app.ui.icons import icon
from app.ui.tasks import DbThread, PerConnection, TaskContext
from app.ui.today import ITEM_KEY, TwoLines

HIT_KEY = ITEM_KEY  # the same role as the front page, so its delegate draws both
DEBOUNCE_MS = 80
# the icon of each kind's group heading
KIND_ICONS = {"client": "clients", "whitelist": "whitelist", "campaign": "campaigns", "scenario": "scenarios",
              "village": "scenarios", "sheet": "sheets"}


class SearchDialog(QDialog):
    """The palette. ``openHit(kind, key)`` asks the main window to open what was chosen."""

    openHit = Signal(str, str)
    answered = Signal(str)  # the text whose results are now shown (tests, benchmarks)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("searchDialog")
        self.setWindowTitle(self.tr("Search everything"))
        self.setModal(True)
        self.resize(640, 480)
        staff = ctx.staff
        self.finders = PerConnection(lambda db, s=staff: Finder(db, s, ReferenceData(db)))
        self._thread: DbThread | None = None
        self._asked = 0  # the newest question's number: older answers are dropped
        self.last_ms: float | None = None  # keystroke (debounce end) to results shown, for the benchmark
        self.hits: list[Hit] = []
        self._open_first = False  # Enter came before the answer: open its first hit

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        self.edit = QLineEdit()
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText(self.tr("Name, phone or ID last digits, client number, campaign, "
                                             "scenario, village, sheet number"))
        self.edit.setClearButtonEnabled(True)
        self.edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.edit.setAccessibleName(self.tr("Search everything"))
        self.list = QListWidget()
        self.list.setObjectName("searchResults")
        self.list.setIconSize(QSize(18, 18))
        self.list.setUniformItemSizes(False)
        self.list.setItemDelegate(TwoLines(self.list, one_line=True))
        self.list.setAccessibleName(self.tr("Results"))
        self.hint = QLabel(self.tr("Type to search. ↑↓ choose, Enter opens, Esc closes."))
        self.hint.setObjectName("searchHint")
        self.hint.setStyleSheet("color: palette(mid);")
        self.hint.setWordWrap(True)
        lay.addWidget(self.edit)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.hint)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._ask)
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self.edit.installEventFilter(self)
        self.list.itemActivated.connect(self._open)
        self.list.itemClicked.connect(self._open)
        self.kind_names = {
            "client": self.tr("Clients"), "whitelist": self.tr("Whitelist entries"), "campaign": self.tr("Campaigns"),
            "scenario": self.tr("Scenarios"), "village": self.tr("Villages"), "sheet": self.tr("Worksheets"),
        }

    # --- the thread ---------------------------------------------------------------------------

    def _db_thread(self) -> DbThread:
        if self._thread is None:
            store = self.ctx.store
            self._thread = DbThread("search-reader", lambda: store.connect(readonly=True), self)
        return self._thread

    def shutdown(self) -> None:
        if self._thread is not None:
            self._thread.shutdown()
            self._thread = None

    # --- asking -----------------------------------------------------------------------------------

    def open_search(self, text: str = "") -> None:
        """Show the palette with ``text`` (selected, so typing replaces it). UI thread."""
        self.edit.setText(text)
        self._timer.stop()  # (setText started it) asked below, once
        self.edit.selectAll()
        self.edit.setFocus()
        self.show()
        self.raise_()
        self.activateWindow()
        if text:
            self._ask()

    def _ask(self) -> None:
        text = self.edit.text().strip()
        self._asked += 1
        asked, finders = self._asked, self.finders
        if not text:
            self._show(asked, text, [], time.perf_counter())
            return
        started = time.perf_counter()

        def find(tc: TaskContext) -> list[Hit]:
            return finders(tc.db).find(text)

        self._db_thread().submit(find, success=lambda hits: self._show(asked, text, hits, started),
                                 failure=lambda _e, message: self.hint.setText(message), name="search")

    def _show(self, asked: int, text: str, hits: list[Hit], started: float) -> None:
        if asked != self._asked:
            return  # an answer to an older text
        self.hits = hits
        self.list.clear()
        heading_font = QFont(self.list.font())
        heading_font.setBold(True)
        first: QListWidgetItem | None = None
        for kind in KINDS:
            group = [h for h in hits if h.kind == kind]
            if not group:
                continue
            head = QListWidgetItem(icon(KIND_ICONS[kind]), f"{self.kind_names[kind]}（{len(group)}）")
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            head.setFont(heading_font)
            head.setForeground(QBrush(self.palette().color(self.palette().ColorRole.WindowText)))
            self.list.addItem(head)
            for h in group:
                item = QListWidgetItem(f"{h.title} {h.detail}")
                item.setData(HIT_KEY, h)
                item.setToolTip(f"{h.title}\n{h.detail}")
                self.list.addItem(item)
                first = first or item
        if first is not None:
            self.list.setCurrentItem(first)
        if text and not hits:
            self.hint.setText(self.tr("Nothing found for “%1”. Try part of a name, the last 4 digits of a phone, "
                                      "or a village.").replace("%1", text))
        elif text:
            self.hint.setText(self.tr("%1 found. ↑↓ choose, Enter opens, Esc closes.").replace("%1", str(len(hits))))
        else:
            self.hint.setText(self.tr("Type to search. ↑↓ choose, Enter opens, Esc closes."))
        self.last_ms = (time.perf_counter() - started) * 1000
        self.answered.emit(text)
        if self._open_first:
            self._open_first = False
            if first is not None:
                self._open(first)

    # --- keys and opening ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down/PageUp/PageDown in the box move through the results; Enter opens the current one."""
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():  # Enter right after typing: open the first answer when it comes
                    self._timer.stop()
                    self._open_first = True
                    self._ask()
                    return True
                item = self.list.currentItem()
                if item is not None:
                    self._open(item)
                return True
        return super().eventFilter(watched, event)

    def _step(self, by: int) -> None:
        rows = [i for i in range(self.list.count()) if self.list.item(i).data(HIT_KEY) is not None]
        if not rows:
            return
        now = self.list.currentRow()
        after = [r for r in rows if (r > now if by > 0 else r < now)]
        target = (after[0] if by > 0 else after[-1]) if after else (rows[-1] if by > 0 else rows[0])
        self.list.setCurrentRow(target)

    def _open(self, item: QListWidgetItem) -> None:
        hit: Hit | None = item.data(HIT_KEY)
        if hit is None:
            return
        self.hide()
        self.openHit.emit(hit.kind, hit.key)
