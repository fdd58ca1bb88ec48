"""The front page (今日): what to do today, each item opening the record it names.

Cards for the overdue and today's follow-ups, whitelist entries expiring soon or never
contacted, campaign targets not reached yet and what waits for sync; for a branch head a
table per manager (per branch on a county device) and this month's reach and conversion
and the scenarios' progress. Read on the page's own database thread in two parts (``TodayService.board``
then ``figures``) and read again when a change touches what it shows (the change signal),
only while the page is visible or when it is next shown. UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.result import Changes
from app.core.roles import Role
from app.services.sync_status import sync_status
from app.services.today import SHOWN, Board, Figures, Item, Line, Section, TodayService, merge
from app.store.reference import ReferenceData
from app.ui.appearance import emphasize
from app.ui.context import AppContext
from app.ui.icons import icon
from app.ui.labels import domain
from app.ui.tasks import DbThread, PerConnection, TaskContext
from app.ui.workspace import Workspace

# the record kinds whose changes the page shows (a change to any of them reads it again)
WATCHED = ("followup", "contact", "client", "whitelist", "whitelist_outcome", "campaign", "campaign_target",
           "scenario", "scenario_metric", "scenario_client")
ITEM_KEY = Qt.ItemDataRole.UserRole


class TwoLines(QStyledItemDelegate):
    """An item as its title (bold) over its detail (quieter), each elided to the width: the front
    page's and the search's rows. UI thread."""

    def __init__(self, parent: QWidget | None = None, *, one_line: bool = False) -> None:
        super().__init__(parent)
        self.one_line = one_line

    def _texts(self, index: Any) -> tuple[str, str]:
        it = index.data(ITEM_KEY)
        if it is None:
            return str(index.data(Qt.ItemDataRole.DisplayRole) or ""), ""
        return it.title, it.detail

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        fm = option.fontMetrics
        lines = 1 if self.one_line or index.data(ITEM_KEY) is None else 2
        return QSize(option.rect.width(), lines * fm.lineSpacing() + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        title, detail = self._texts(index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        quiet = text_color if selected else pal.color(QPalette.ColorRole.PlaceholderText)
        rect = opt.rect.adjusted(8 + (opt.decorationSize.width() + 6 if not opt.icon.isNull() else 0), 4, -8, -4)
        bold = QFont(opt.font)
        bold.setBold(True)
        fm_bold = QFontMetrics(bold)
        painter.save()
        painter.setFont(bold)
        painter.setPen(text_color)
        line = fm_bold.lineSpacing()
        if self.one_line or not detail:
            head = fm_bold.elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), head)
            if detail:
                used = fm_bold.horizontalAdvance(head) + 12
                painter.setFont(opt.font)
                painter.setPen(quiet)
                rest = rect.adjusted(used, 0, 0, 0)
                painter.drawText(rest, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                                 QFontMetrics(opt.font).elidedText(detail, Qt.TextElideMode.ElideRight, rest.width()))
        else:
            painter.drawText(rect.x(), rect.y() + fm_bold.ascent(),
                             fm_bold.elidedText(title, Qt.TextElideMode.ElideRight, rect.width()))
            painter.setFont(opt.font)
            painter.setPen(quiet)
            fm = QFontMetrics(opt.font)
            painter.drawText(rect.x(), rect.y() + line + fm.ascent(),
                             fm.elidedText(detail, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()


class Card(QFrame):
    """One section: a heading with its count, the first items, and what to do when there are none."""

    def __init__(self, name: str, heading: str, empty: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"todayCard_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(6)
        top = QHBoxLayout()
        self.heading = QLabel(heading)
        self.heading.setObjectName("cardHeading")
        emphasize(self.heading, 1.1, bold=True)
        self.count = QLabel()
        self.count.setObjectName("cardCount")
        self.more = QPushButton()
        self.more.setFlat(True)
        self.more.setObjectName("cardMore")
        self.more.setCursor(Qt.CursorShape.PointingHandCursor)
        top.addWidget(self.heading)
        top.addWidget(self.count)
        top.addStretch(1)
        top.addWidget(self.more)
        self.list = QListWidget()
        self.list.setObjectName(f"todayList_{name}")
        self.list.setAccessibleName(heading)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setItemDelegate(TwoLines(self.list))
        self.list.setMouseTracking(True)
        self.empty = QLabel(empty)
        self.empty.setObjectName("cardEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(mid);")
        lay.addLayout(top)
        lay.addWidget(self.list)
        lay.addWidget(self.empty)

    def show_section(self, section: Section, more_text: str) -> None:
        self.count.setText(f"{section.count:,}+" if section.capped else f"{section.count:,}")
        self.list.clear()
        for it in section.items:
            row = QListWidgetItem(f"{it.title} {it.detail}")
            row.setData(ITEM_KEY, it)
            row.setToolTip(f"{it.title}\n{it.detail}")
            self.list.addItem(row)
        rows = len(section.items)
        self.list.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.list.setFixedHeight(sum(self.list.sizeHintForRow(i) for i in range(rows)) + 2 if rows else 0)
        self.more.setText(more_text)
        self.more.setVisible(section.count > len(section.items) or bool(more_text and rows))


class TodayWorkspace(Workspace):
    """今日: the first page. ``openItem(kind, key)`` asks the main window to open a record."""

    openItem = Signal(str, str)
    boardShown = Signal()  # a board is on screen (or could not be read): the main window's other reads may go

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        staff = ctx.staff
        self.services = PerConnection(lambda db, s=staff: TodayService(db, s, ReferenceData(db)))
        self.role = Role(staff.role)
        self.board: Board | None = None
        self.figures: Figures | None = None
        self._threads: dict[str, DbThread] = {}
        self._halves: dict[str, Board] = {}  # the board's halves read so far (``reload``)
        self._generation = 0  # which read the halves belong to
        self._closed = False  # the window closed: read nothing more
        self._stale = True
        self._reading = False
        self._again = False
        self.read_ms: float | None = None  # the last board read's time (both halves), for tests
        self._timer = QTimer(self, singleShot=True, interval=400)  # several changes in a row: one read
        self._timer.timeout.connect(self.reload)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        page = QWidget()
        page.setObjectName("todayPage")
        scroll.setWidget(page)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(12)

        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setObjectName("todayHeading")
        emphasize(self.heading, 1.5, bold=True)
        self.search_button = QPushButton(icon("search"), self.tr("Search everything (Ctrl+K)"))
        self.search_button.setObjectName("todaySearch")
        self.search_button.setIconSize(QSize(18, 18))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        top.addWidget(self.heading, 1)
        top.addWidget(self.search_button)
        top.addWidget(self.refresh_button)
        lay.addLayout(top)
        self.subheading = QLabel()
        self.subheading.setObjectName("todaySubheading")
        self.subheading.setWordWrap(True)
        self.subheading.setStyleSheet("color: palette(mid);")
        lay.addWidget(self.subheading)

        # the branch head's and county's figures: reach and conversion this month, scenarios
        self.figures_label = QLabel()
        self.figures_label.setObjectName("todayFigures")
        self.figures_label.setWordWrap(True)
        self.figures_label.setTextFormat(Qt.TextFormat.PlainText)
        self.figures_label.setVisible(False)
        lay.addWidget(self.figures_label)

        self.cards: dict[str, Card] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        specs = (
            ("overdue", self.tr("Overdue follow-ups"), self.tr("Nothing overdue. Well done.")),
            ("today", self.tr("Follow-ups due today"),
             self.tr("No follow-ups due today. Plan one when you log a contact (Ctrl+T).")),
            ("expiring", self.tr("Whitelist lines expiring soon, never contacted"),
             self.tr("No whitelist line ends within 30 days without a contact.")),
            ("never_contacted", self.tr("Whitelist entries never contacted"),
             self.tr("Every whitelist entry has been contacted.")),
            ("campaigns", self.tr("Campaign targets not reached yet"),
             self.tr("No running campaign has targets waiting for you.")),
            ("sync", self.tr("Sync"), self.tr("Nothing waits for head office.")),
        )
        for n, (name, heading, empty) in enumerate(specs):
            card = Card(name, heading, empty)
            card.list.itemActivated.connect(self._activated)
            card.list.itemClicked.connect(self._activated)
            card.more.clicked.connect(lambda _=False, k=name: self._more(k))
            self.cards[name] = card
            grid.addWidget(card, n // 2, n % 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)

        self.lines_heading = QLabel()
        self.lines_heading.setObjectName("todayLinesHeading")
        emphasize(self.lines_heading, 1.1, bold=True)
        self.lines = QTableWidget()
        self.lines.setObjectName("todayLines")
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.verticalHeader().setVisible(False)
        self.lines.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.lines.cellActivated.connect(self._line_activated)
        self.lines.cellDoubleClicked.connect(self._line_activated)
        for w in (self.lines_heading, self.lines):
            w.setVisible(False)
            lay.addWidget(w)
        lay.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("todayStatus")
        self.status.setStyleSheet("color: palette(mid);")
        lay.addWidget(self.status)

        ctx.changes.changed.connect(self._on_changes)
        QShortcut(QKeySequence("F5"), self, activated=self.reload,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_heading()
        self.reload()  # the first page: read at once, while the main window makes the other pages

    icon_name = "today"
    help_page = "today.html"

    def title(self) -> str:
        return self.tr("Today")

    def activated(self) -> None:
        if self._stale:
            self.reload()

    def _db(self, name: str = "today-reader") -> DbThread:
        """The page's own read-only connections and threads: the front page never waits behind the other
        pages' first reads on the shared reader (seconds at a million clients), and they not for it.
        A second one ("today-campaigns") reads the campaign tallies beside the rest of the board."""
        if name not in self._threads:
            store = self.ctx.store
            self._threads[name] = DbThread(name, lambda: store.connect(readonly=True), self)
        return self._threads[name]

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        for thread in self._threads.values():
            thread.shutdown()
        self._threads.clear()

    # --- reading ---------------------------------------------------------------------------------

    def _on_changes(self, changes: Changes, _source: object) -> None:
        if changes.touches(*WATCHED) or changes.journal or changes.reference:
            if changes.reference:
                self.services.reload()
            self._stale = True
            if self.isVisible():
                self._timer.start()

    def reload(self) -> None:
        """Read the board (in two halves, on the page's two threads), then the figures."""
        if self._closed:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        self._stale = False
        services, store = self.services, self.ctx.store
        started = time.perf_counter()
        self._halves = {}
        self._generation += 1
        generation = self._generation

        def read(parts: tuple[str, ...]) -> Callable[[TaskContext], Board]:
            def run(tc: TaskContext) -> Board:
                status = sync_status(store, tc.db, recent=0) if "sync" in parts else None
                return services(tc.db).board(status, parts=parts)
            return run

        def arrived(name: str, board: Board) -> None:
            if generation != self._generation:  # a half of an earlier read whose other half failed
                return
            self._halves[name] = board
            if len(self._halves) == 2:  # both halves in: one board, in the order of its sections
                self.read_ms = (time.perf_counter() - started) * 1000
                self._show_board(merge(*self._halves.values()))

        self.status.setText(self.tr("Reading…"))
        # the campaign tallies (a target's client each) on a connection of their own, beside the rest
        self._db().submit(read(("followups", "whitelist", "sync")), success=lambda b: arrived("board", b),
                          failure=self._failed, name="today-board")
        self._db("today-campaigns").submit(read(("campaigns",)), success=lambda b: arrived("campaigns", b),
                                           failure=self._failed, name="today-campaigns")

    def _failed(self, _exc: BaseException, message: str) -> None:
        self._reading = False
        self.boardShown.emit()
        self.status.setText(self.tr("Could not read the front page: %1").replace("%1", message))

    def changeEvent(self, event: QEvent) -> None:
        """A text-size change: lay the lists out again at the new size (nothing is read again)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.board is not None:
            self._render(self.board)
            self._show_lines(self.figures)
            self._full_counts(self.figures)

    def _show_board(self, board: Board) -> None:
        if self._closed:
            return
        self.board = board
        self._render(board)
        self.boardShown.emit()
        self.status.setText(self.tr("Updated %1").replace("%1", _now()))
        if self.role in (Role.BRANCH_HEAD, Role.COUNTY):
            services = self.services

            def read(tc: TaskContext) -> Figures | None:
                return services(tc.db).figures()

            self._db().submit(read, success=self._show_figures, failure=self._failed, name="today-figures")
        else:
            self._done()

    def _render(self, board: Board) -> None:
        self._show_heading()
        more = {
            "overdue": self.tr("All follow-ups →"), "today": self.tr("All follow-ups →"),
            "expiring": self.tr("Whitelist →"), "never_contacted": self.tr("Whitelist →"),
            "campaigns": self.tr("Campaigns →"), "sync": self.tr("Sync →"),
        }
        shown = {s.name for s in board.sections}
        for name, card in self.cards.items():
            card.setVisible(name in shown)
        for s in board.sections:
            self.cards[s.name].show_section(s, more[s.name])

    def _done(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.reload()

    def _full_counts(self, figures: Figures | None) -> None:
        """The counts the quick read stopped at COUNT_CAP ("100+"), in full from the figures."""
        if figures is None:
            return
        for name, n in (("never_contacted", figures.never_contacted), ("overdue", figures.overdue),
                        ("today", figures.today), ("expiring", figures.expiring)):
            if n is not None and name in self.cards:
                self.cards[name].count.setText(f"{n:,}")

    def _show_figures(self, figures: Figures | None) -> None:
        self.figures = figures
        self._show_lines(figures)
        self._full_counts(figures)
        if figures is not None:
            parts = [self.tr("This month (from %1): %2 campaign targets, reach %3, conversion %4")
                     .replace("%1", figures.month_start.isoformat()).replace("%2", f"{figures.targets:,}")
                     .replace("%3", f"{figures.reach_rate:.1%}").replace("%4", f"{figures.conversion_rate:.1%}")]
            if figures.scenarios:
                status = "，".join(f"{domain(k)} {n}" for k, n in sorted(figures.by_status.items(),
                                                                          key=lambda kv: -kv[1]))
                parts.append(self.tr("Smart-village scenarios: %1 (%2)").replace("%1", str(figures.scenarios))
                             .replace("%2", status))
                if figures.accounts is not None:
                    before = "—" if figures.accounts_before is None else f"{figures.accounts_before:,}"
                    parts.append(self.tr("Accounts opened through scenarios in %1: %2 (month before: %3)")
                                 .replace("%1", figures.scenario_period).replace("%2", f"{figures.accounts:,}")
                                 .replace("%3", before))
            self.figures_label.setText("\n".join(parts))
        self.figures_label.setVisible(figures is not None)
        self._done()

    def _show_heading(self) -> None:
        staff = self.ctx.staff
        day = self.board.day if self.board else date.today()
        self.heading.setText(self.tr("Today, %1").replace("%1", _day_text(day)))
        self.subheading.setText(
            self.tr("%1 (%2). Click an item to open it; the lists show the first %3.")
            .replace("%1", staff.name).replace("%2", domain(Role(staff.role).label)).replace("%3", str(SHOWN)))

    def _show_lines(self, figures: Figures | None) -> None:
        lines = figures.lines if figures is not None else ()
        visible = bool(lines)
        self.lines.setVisible(visible)
        self.lines_heading.setVisible(visible)
        if not visible:
            return
        by = figures.lines_by if figures is not None else ""
        self.lines_heading.setText(self.tr("By manager: who has overdue work") if by == "manager"
                                   else self.tr("By branch"))
        heads = [self.tr("Manager") if by == "manager" else self.tr("Branch"), self.tr("Overdue"),
                 self.tr("Due today"), self.tr("Whitelist expiring"), self.tr("Whitelist never contacted"),
                 self.tr("Campaign targets not reached")]
        self.lines.clear()
        self.lines.setColumnCount(len(heads))
        self.lines.setHorizontalHeaderLabels(heads)
        self.lines.setRowCount(len(lines))
        for i, line in enumerate(lines):
            values = [line.label, line.overdue, line.today, line.expiring, line.never_contacted, line.unreached]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v if isinstance(v, str) else f"{v:,}")
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if j == 1 and line.overdue:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                item.setData(ITEM_KEY, line)
                self.lines.setItem(i, j, item)
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for j in range(1, len(heads)):
            header.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)
        height = self.lines.horizontalHeader().sizeHint().height() + sum(
            self.lines.rowHeight(i) for i in range(len(lines))) + 4
        self.lines.setFixedHeight(height)

    # --- opening -----------------------------------------------------------------------------------

    def _activated(self, row: QListWidgetItem) -> None:
        it: Item | None = row.data(ITEM_KEY)
        if it is not None:
            self.openItem.emit(it.kind, it.key)

    def _line_activated(self, row: int, _col: int) -> None:
        item = self.lines.item(row, 0)
        line: Line | None = item.data(ITEM_KEY) if item else None
        if line is not None and self.figures is not None:
            self.openItem.emit("manager" if self.figures.lines_by == "manager" else "branch", line.key)

    def _more(self, name: str) -> None:
        kind = {"overdue": "followups", "today": "followups", "expiring": "whitelist_expiring",
                "never_contacted": "whitelist_never", "campaigns": "campaigns", "sync": "sync"}[name]
        self.openItem.emit("list", kind)

    def first_item(self, name: str) -> Item | None:
        """The first item a card lists (tests, the first-run guide)."""
        card = self.cards[name]
        row = card.list.item(0)
        return row.data(ITEM_KEY) if row is not None else None


def _now() -> str:
    return datetime.now().strftime("%H:%M")


def _day_text(day: date) -> str:
    weekday = "一二三四五六日"[day.weekday()]
    return f"{day.month}月{day.day}日 星期{weekday}" if _chinese() else day.strftime("%A %d %B")


def _chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese
