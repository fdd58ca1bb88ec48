"""The scenarios workspace (场景): the branch's smart-village scenarios.

Three tabs. 看板: the month read at a glance (the six common figures with 环比 and 同比, 36
months of accounts opened and mobile-banking actives, the scenarios by step, the top ones
by accounts, the clients won). 场景: the list with its filters and, beside it, a scenario's
pipeline with each step's date and the moves (back only with a reason), a month's figures
keyed in by hand (amounts typed in 元), its last twelve months and the clients it won. 比较:
side by side by scenario, village, township or type for one metric and month, exported to
Excel. UI thread; every read and write runs on the database threads (``app.ui.tasks``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QEvent,
    QMargins,
    QStandardPaths,
    Qt,
    QTime,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QDesktopServices, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import scenarios as sc
from app.core.errors import FieldError
from app.core.money import format_wan, format_yuan, parse_yuan
from app.core.result import Changes, Result
from app.core.roles import Action, can
from app.services.report_export import PALETTE
from app.services.scenarios import Dashboard, ScenarioRow, ScenarioService
from app.store.reference import ReferenceData
from app.ui.appearance import bad, emphasize, good, themed
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.labels import domain
from app.ui.tasks import PerConnection, TaskContext
from app.ui.widgets import ERROR_STYLE, EmptyHint
from app.ui.workspace import Workspace

# the green and the red of the colour scheme in force, in a style sheet (appearance.GOOD_STYLE, ERROR_STYLE)
GOOD = "palette(link-visited)"
BAD = "palette(bright-text)"
# the charts keep Qt Charts' light theme (white) in either scheme: their series take the exports' colours
ACCOUNTS_COLOUR = QColor(PALETTE[0])
ACTIVE_COLOUR = QColor(PALETTE[1])
STEPS = (*sc.PIPELINE, sc.STOPPED)  # the order the dashboard's bars and the filter follow
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def figure_text(code: str, value: int | None) -> str:
    """A figure as read: amounts in 万元, counts with thousands separators, — when missing."""
    if value is None:
        return "—"
    return format_wan(value) if sc.metric(code).money else f"{value:,}"


def rate_colour(r: float | None) -> str:
    return "palette(mid)" if r is None else GOOD if r >= 0 else BAD


def last_month(today: date | None = None) -> str:
    t = today or date.today()
    return sc.shift(f"{t:%Y-%m}", -1)


def _msecs(period: str) -> float:
    """The first day of a ``YYYY-MM`` month, as the chart's time axis counts."""
    return float(QDateTime(QDate(int(period[:4]), int(period[5:7]), 1), QTime(0, 0)).toMSecsSinceEpoch())


def _table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[list[Any]], right: frozenset[int] | set[int] = frozenset()) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            item = QTableWidgetItem("" if v is None else str(v))
            if j in right:
                item.setTextAlignment(RIGHT)
            t.setItem(i, j, item)


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    emphasize(label, scale, bold=True)
    return label


def _chart(name: str) -> tuple[QChart, QChartView]:
    """A chart in the app's font (the bundled CJK one: the theme's would draw boxes), tight margins."""
    chart = QChart()
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    font = QApplication.font()
    chart.legend().setFont(font)
    title = QFont(font)
    title.setBold(True)
    chart.setTitleFont(title)
    view = QChartView(chart)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return chart, view


def _axis_font(*axes: Any) -> None:
    font = QApplication.font()
    for a in axes:
        a.setLabelsFont(font)
        a.setTitleFont(font)


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


class MetricTile(QFrame):
    """One common figure of the month: its value, 环比 and 同比."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setObjectName(f"tile_{code}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("MetricTile { background: palette(base); border: 1px solid palette(mid);"
                           " border-radius: 4px; }")
        self.label = QLabel(domain(sc.metric(code).label))
        self.label.setStyleSheet("color: palette(mid);")
        self.value = _bold(QLabel("—"), 1.6)
        self.value.setObjectName("tileValue")
        self.mom = QLabel()
        self.mom.setObjectName("tileMom")
        self.yoy = QLabel()
        self.yoy.setObjectName("tileYoy")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(2)
        lay.addWidget(self.label)
        lay.addWidget(self.value)
        lay.addWidget(self.mom)
        lay.addWidget(self.yoy)

    def show_comparison(self, c: sc.Comparison) -> None:
        self.value.setText(figure_text(self.code, c.value))
        self.value.setToolTip(format_yuan(c.value, unit=True) if c.value is not None and sc.metric(self.code).money
                              else "")
        for label, text, r in ((self.mom, self.tr("vs last month %1"), c.mom),
                               (self.yoy, self.tr("vs a year ago %1"), c.yoy)):
            label.setText(text.replace("%1", sc.format_rate(r)))
            label.setStyleSheet(f"color: {rate_colour(r)};")


class DashboardPage(QWidget):
    """看板: the month read. Filled by ``show_dashboard`` (UI thread)."""

    def __init__(self, ws: ScenariosWorkspace) -> None:
        super().__init__()
        self.ws = ws
        self.dashboard: Dashboard | None = None
        self.heading = _bold(QLabel(), 1.2)
        self.heading.setObjectName("scenarioDashboardHeading")
        self.summary = QLabel()
        self.summary.setObjectName("scenarioDashboardSummary")
        self.error = QLabel()
        self.error.setObjectName("scenarioDashboardError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.tiles = {code: MetricTile(code) for code in sc.COMMON}
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for i, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, i)
            tiles.setColumnStretch(i, 1)
        self.trend, self.trend_view = _chart("scenarioTrendChart")
        self.steps, self.steps_view = _chart("scenarioStepsChart")
        self.steps.legend().hide()
        self.top = _table([self.tr("Scenario"), self.tr("Accounts opened")], "scenarioTop")
        self.top.horizontalHeader().setStretchLastSection(False)
        self.top.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.top.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.top_title = _bold(QLabel())
        self._fit_top()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.steps_view, 1)
        rl.addWidget(self.top_title)
        rl.addWidget(self.top)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.trend_view)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([700, 460])
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.summary)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.error)
        lay.addLayout(tiles)
        lay.addWidget(split, 1)

    def reload(self) -> None:
        self.ws.read(lambda svc: svc.dashboard(), self.show_dashboard, self.show_error, "scenario-dashboard")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def show_dashboard(self, d: Dashboard) -> None:
        self.dashboard = d
        self.error.hide()
        self.heading.setText(self.tr("Scenarios in %1").replace("%1", d.period))
        self.summary.setText(self.tr("%1 scenarios · %2 clients won through them")
                             .replace("%1", f"{d.scenarios:,}").replace("%2", f"{d.clients:,}"))
        for c in d.totals:
            if c.metric in self.tiles:
                self.tiles[c.metric].show_comparison(c)
        self._show_trend(d)
        self._show_steps(d)
        self.top_title.setText(self.tr("Most accounts opened in %1").replace("%1", d.period))
        _fill(self.top, [[name, f"{value:,}"] for name, value in d.top], right={1})
        self._fit_top()

    def _fit_top(self) -> None:
        """Five whole rows under the header, never a scroll bar."""
        t = self.top
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 10)  # the rows' real height
        t.setFixedHeight(5 * t.verticalHeader().defaultSectionSize() + t.horizontalHeader().sizeHint().height()
                         + 2 * t.frameWidth())
        t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _show_trend(self, d: Dashboard) -> None:
        """Accounts opened (left scale) and mobile-banking monthly actives (right scale), month by month."""
        chart = self.trend
        _clear(chart)
        chart.setTitle(self.tr("Accounts opened and mobile-banking monthly actives, all scenarios"))
        months = sorted({p for m in ("accounts", "mb_active") for p, _v in d.series.get(m, [])})
        if not months:
            chart.setTitle(self.tr("No figures entered yet"))
            return
        x = QDateTimeAxis()
        x.setFormat("yyyy-MM")
        x.setTickCount(7)
        x.setRange(QDateTime.fromMSecsSinceEpoch(int(_msecs(months[0]))),
                   QDateTime.fromMSecsSinceEpoch(int(_msecs(months[-1]))))
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        for code, colour, side in (("accounts", ACCOUNTS_COLOUR, Qt.AlignmentFlag.AlignLeft),
                                   ("mb_active", ACTIVE_COLOUR, Qt.AlignmentFlag.AlignRight)):
            points = d.series.get(code, [])
            line = QLineSeries()
            line.setName(domain(sc.metric(code).label))
            line.setPen(QPen(colour, 2))
            for period, total in points:
                line.append(_msecs(period), total)
            y = QValueAxis()
            y.setLabelFormat("%d")
            y.setRange(0, max((v for _p, v in points), default=0) * 1.1 or 1)
            y.applyNiceNumbers()
            y.setLabelsColor(colour.darker(150))  # as text: 5:1 or more on the chart's white
            y.setTitleText(domain(sc.metric(code).label))
            y.setTitleBrush(colour.darker(150))
            _axis_font(y)
            chart.addSeries(line)
            chart.addAxis(y, side)
            line.attachAxis(x)
            line.attachAxis(y)
        _axis_font(x)

    def _show_steps(self, d: Dashboard) -> None:
        chart = self.steps
        _clear(chart)
        chart.setTitle(self.tr("Scenarios by step"))
        bars = QBarSet(self.tr("Scenarios"))
        bars.setColor(ACCOUNTS_COLOUR)
        counts = [d.by_status.get(code, 0) for code in STEPS]
        for n in counts:
            bars.append(n)
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelColor(chart.titleBrush().color())  # the chart theme's text colour
        bars.setLabelFont(QApplication.font())
        x = QBarCategoryAxis()
        x.append([domain(sc.STATUS_LABELS[code]) for code in STEPS])
        y = QValueAxis()
        y.setLabelFormat("%d")
        top = max(counts, default=0) + 2
        y.setRange(0, top)
        y.setTickCount(min(top, 5) + 1)
        y.applyNiceNumbers()
        _axis_font(x, y)
        chart.addSeries(series)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)


class PipelineStrip(QWidget):
    """调研 → 洽谈 → 签约 → 上线 → 运营, each with its date, the current step framed; below, 停用
    and its date in red when the scenario was stopped (on its own line: six steps do not fit
    beside the list at 1280 pixels)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps: dict[str, QLabel] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(2)
        for i, code in enumerate(sc.PIPELINE):
            if i:
                line.addWidget(QLabel("→"))
            label = QLabel()
            label.setObjectName(f"step_{code}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.steps[code] = label
            line.addWidget(label)
        line.addStretch(1)
        lay.addLayout(line)
        self.stopped = QLabel()
        self.stopped.setObjectName(f"step_{sc.STOPPED}")
        self.steps[sc.STOPPED] = self.stopped
        lay.addWidget(self.stopped)

    def show_row(self, row: ScenarioRow | None) -> None:
        at = sc.PIPELINE.index(row.status) if row is not None and row.status in sc.PIPELINE else -1
        for code in sc.PIPELINE:
            label = self.steps[code]
            day = row.status_dates.get(code, "") if row is not None else ""
            label.setText(f"{domain(sc.STATUS_LABELS[code])}\n{day or '—'}")
            if row is not None and row.status == code:
                style = "background: {highlight_background}; border: 2px solid palette(highlight); font-weight: bold;"
            elif day and (at < 0 or sc.PIPELINE.index(code) < at):
                style = f"color: {GOOD}; border: 1px solid palette(mid);"
            else:
                style = "color: palette(mid); border: 1px dashed palette(mid);"
            themed(label, f"QLabel {{ {style} padding: 2px 3px; border-radius: 3px; }}")
            label.setMinimumWidth(label.sizeHint().width())  # a date is never cut
        day = row.status_dates.get(sc.STOPPED, "") if row is not None else ""
        current = row is not None and row.status == sc.STOPPED
        self.stopped.setVisible(bool(day) or current)
        self.stopped.setText(f"{domain(sc.STATUS_LABELS[sc.STOPPED])} {day}".strip())
        self.stopped.setStyleSheet(f"color: {BAD};" + (" font-weight: bold;" if current else ""))


class ScenarioDetail(QWidget):
    """One scenario beside the list: its pipeline and moves, a month's figures, its last twelve
    months, the clients it won."""

    def __init__(self, ws: ScenariosWorkspace) -> None:
        super().__init__()
        self.ws = ws
        self.row: ScenarioRow | None = None
        self.tracked: tuple[str, ...] = ()
        self.figures: dict[str, dict[str, tuple[int, str]]] = {}
        self.inputs: dict[str, QLineEdit] = {}
        self.field_errors: dict[str, QLabel] = {}
        self.reason_dialog: QInputDialog | None = None
        self.link_dialog: QInputDialog | None = None
        self._prefilled = ""  # the month whose figures the fields were filled with
        self._typed: set[str] = set()  # fields typed into since: a change of month leaves them as typed

        self.heading = _bold(QLabel(self.tr("No scenario selected")), 1.2)
        self.heading.setObjectName("scenarioTitle")
        self.heading.setWordWrap(True)
        self.sub = QLabel()
        self.sub.setObjectName("scenarioSub")
        self.sub.setWordWrap(True)
        self.pipeline = PipelineStrip()
        self.next_button = QPushButton()
        self.next_button.setObjectName("scenarioNext")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("scenarioStop")
        self.stop_button.setToolTip(self.tr("Mark the scenario as no longer in use"))
        self.back_button = QPushButton()
        self.back_button.setObjectName("scenarioBack")
        self.back_button.setToolTip(self.tr("Move back one step; a reason is asked for and kept in the note"))
        self.link_button = QPushButton(self.tr("Link clients…"))
        self.link_button.setObjectName("scenarioLinkClients")
        self.link_button.setToolTip(self.tr("Clients won through this scenario, by client number"))
        moves = QHBoxLayout()
        for b in (self.next_button, self.stop_button, self.back_button):
            moves.addWidget(b)
        moves.addStretch(1)
        moves.addWidget(self.link_button)
        self.message = QLabel()
        self.message.setObjectName("scenarioMessage")
        self.message.setWordWrap(True)

        form_box = QGroupBox(self.tr("Figures for a month"))
        fl = QVBoxLayout(form_box)
        top = QHBoxLayout()
        self.period = QLineEdit(last_month())
        self.period.setObjectName("figurePeriod")
        self.period.setMaximumWidth(110)
        self.period.setToolTip(self.tr("The month, e.g. 2026-10; the figures entered before for it are shown"))
        self.period_error = QLabel()
        self.period_error.setObjectName("figurePeriodError")
        self.period_error.setStyleSheet(ERROR_STYLE)
        self.period_error.setWordWrap(True)
        self.period_error.hide()
        self.save_button = QPushButton(self.tr("Save figures (Enter)"))
        self.save_button.setObjectName("saveFigures")
        top.addWidget(QLabel(self.tr("Month")))
        top.addWidget(self.period)
        top.addWidget(self.period_error, 1)
        top.addStretch(0)
        top.addWidget(self.save_button)
        fl.addLayout(top)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, 1)
        fl.addLayout(self.grid)
        self.form_error = QLabel()
        self.form_error.setObjectName("figureError")
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        fl.addWidget(self.form_error)
        note = QLabel(self.tr("Amounts in yuan; a field left empty is not changed."))
        note.setStyleSheet("color: palette(mid);")
        fl.addWidget(note)

        self.months_title = _bold(QLabel(self.tr("The last 12 months")))
        self.months = _table([self.tr("Month")], "scenarioMonths")
        self.months.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.months.setMinimumHeight(180)
        self.months.doubleClicked.connect(lambda i: self._pick_month(i.row()))

        files_box = QGroupBox(self.tr("Attachments (the files stay on this PC; names and checksums sync)"))
        files_lay = QHBoxLayout(files_box)
        self.files = QListWidget()
        self.files.setObjectName("scenarioFiles")
        self.files.setMaximumHeight(84)
        self.attach_button = QPushButton(self.tr("Attach files…"))
        self.attach_button.setObjectName("scenarioAttach")
        self.open_file_button = QPushButton(self.tr("Open"))
        self.open_file_button.setObjectName("scenarioOpenFile")
        self.remove_file_button = QPushButton(self.tr("Remove"))
        self.remove_file_button.setObjectName("scenarioRemoveFile")
        file_buttons = QVBoxLayout()
        for b in (self.attach_button, self.open_file_button, self.remove_file_button):
            file_buttons.addWidget(b)
        file_buttons.addStretch(1)
        files_lay.addWidget(self.files, 1)
        files_lay.addLayout(file_buttons)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 0, 6, 6)
        lay.addWidget(self.heading)
        lay.addWidget(self.sub)
        lay.addWidget(self.pipeline)
        lay.addLayout(moves)
        lay.addWidget(self.message)
        lay.addWidget(form_box)
        lay.addWidget(self.months_title)
        lay.addWidget(self.months, 1)
        lay.addWidget(files_box)
        self.attach_button.clicked.connect(lambda: self.attach())
        self.open_file_button.clicked.connect(self.open_file)
        self.remove_file_button.clicked.connect(self.remove_file)
        self.files.itemActivated.connect(lambda _i: self.open_file())

        self.next_button.clicked.connect(self.move_next)
        self.stop_button.clicked.connect(self.stop)
        self.back_button.clicked.connect(lambda: self.move_back())
        self.link_button.clicked.connect(lambda: self.link_clients())
        self.save_button.clicked.connect(self.save_figures)
        self.period.returnPressed.connect(self._period_entered)
        self.period.textChanged.connect(lambda _t: self._prefill())  # the fields follow the month shown
        self.show_scenario(None, (), {})

    # --- showing ---------------------------------------------------------------------------------

    def show_scenario(self, row: ScenarioRow | None, tracked: tuple[str, ...],
                      figures: dict[str, dict[str, tuple[int, str]]]) -> None:
        """``row`` with the metrics its type tracks and its figures (period → metric → (value, source))."""
        same = row is not None and self.row is not None and row.uid == self.row.uid
        self.row, self.figures = row, figures
        if row is None:
            self.heading.setText(self.tr("No scenario selected"))
            self.sub.clear()
        else:
            self.heading.setText(row.name)
            place = f"{row.township_name}{row.village_name}" or self.tr("no village")
            partner = " ".join(x for x in (row.partner, row.partner_contact) if x)
            clients = self.tr("%1 clients won").replace("%1", f"{row.clients:,}")
            kind = domain(self.ws.type_names.get(row.type, row.type_name))
            self.sub.setText(" · ".join(x for x in (kind, place, partner, clients) if x))
        self.pipeline.show_row(row)
        self._build_fields(tracked)
        self._show_moves()
        self._show_months()
        if not same:
            self.message.clear()
            self.period.setText(last_month(self.ws.today))
            self._clear_errors()
            self._prefilled = ""
            self._typed.clear()
        self._prefill()

    def _build_fields(self, tracked: tuple[str, ...]) -> None:
        """One field per metric the scenario's type tracks, two to a line, each with its error below."""
        if tracked == self.tracked:
            return
        self.tracked = tracked
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.inputs, self.field_errors = {}, {}
        for i, code in enumerate(tracked):
            m = sc.metric(code)
            edit = QLineEdit()
            edit.setObjectName(f"figure_{code}")
            edit.setAlignment(RIGHT)
            edit.setPlaceholderText(self.tr("yuan") if m.money else "")
            edit.returnPressed.connect(self.save_figures)
            edit.textEdited.connect(lambda _t, c=code: (self._typed.add(c), self._clear_error(c)))
            err = QLabel()
            err.setObjectName(f"figureError_{code}")
            err.setStyleSheet(ERROR_STYLE)
            err.setWordWrap(True)
            err.hide()
            r, c = (i // 2) * 2, (i % 2) * 2
            self.grid.addWidget(QLabel(domain(m.label)), r, c)
            self.grid.addWidget(edit, r, c + 1)
            self.grid.addWidget(err, r + 1, c + 1)
            self.inputs[code], self.field_errors[code] = edit, err
        headers = [self.tr("Month")] + [domain(sc.metric(code).label) + (self.tr(" (yuan)") if sc.metric(code).money
                                                                          else "") for code in tracked]
        self.months.setColumnCount(len(headers))
        self.months.setHorizontalHeaderLabels(headers)

    def _show_moves(self) -> None:
        row, edit = self.row, self.ws.can_edit
        nxt, back = self.next_step(), self.back_step()
        self.next_button.setText(self.tr("Move to %1").replace("%1", domain(sc.STATUS_LABELS[nxt])) if nxt
                                 else self.tr("Move to the next step"))
        self.back_button.setText(self.tr("Back to %1…").replace("%1", domain(sc.STATUS_LABELS[back])) if back
                                 else self.tr("Move back…"))
        self.next_button.setEnabled(edit and nxt is not None)
        self.back_button.setEnabled(edit and back is not None)
        self.stop_button.setEnabled(edit and row is not None and row.status != sc.STOPPED)
        self.link_button.setEnabled(edit and row is not None)
        self.save_button.setEnabled(edit and row is not None)
        for w in (self.period, *self.inputs.values()):
            w.setEnabled(edit and row is not None)

    def _show_months(self) -> None:
        periods = sorted(self.figures, reverse=True)[:12]
        def cell(code: str, value: int) -> str:
            return format_yuan(value) if sc.metric(code).money else f"{value:,}"

        _fill(self.months, [[p] + [cell(code, self.figures[p][code][0]) if code in self.figures[p] else ""
                                   for code in self.tracked] for p in periods],
              right=set(range(1, len(self.tracked) + 1)))

    def _pick_month(self, row: int) -> None:
        item = self.months.item(row, 0)
        if item is not None:
            self.period.setText(item.text())
            self._prefill()

    def _period_entered(self) -> None:
        """Enter in the month field: show that month's figures, then go to the first field."""
        self._prefill()
        if self.inputs:
            next(iter(self.inputs.values())).setFocus()

    def _prefill(self) -> None:
        """The figures entered before for the month shown, ready to correct (a month without
        figures empties the fields, so another month's never go in by mistake; what was typed stays)."""
        period = sc.parse_period(self.period.text(), today=self.ws.today)
        if isinstance(period, FieldError) or period == self._prefilled:
            return
        self._prefilled = period
        held = self.figures.get(period, {})
        for code, edit in self.inputs.items():
            if code in self._typed:
                continue
            if code in held:
                v = held[code][0]
                edit.setText(format_yuan(v) if sc.metric(code).money else str(v))
            else:
                edit.clear()
        self._clear_errors()

    def next_step(self) -> str | None:
        row = self.row
        if row is None or row.status not in sc.PIPELINE:
            return None
        i = sc.PIPELINE.index(row.status)
        return sc.PIPELINE[i + 1] if i + 1 < len(sc.PIPELINE) else None

    def back_step(self) -> str | None:
        """One step back; a stopped scenario goes back to the furthest step it had reached."""
        row = self.row
        if row is None:
            return None
        if row.status == sc.STOPPED:
            reached = [code for code in sc.PIPELINE if code in row.status_dates]
            return reached[-1] if reached else sc.PIPELINE[0]
        i = sc.PIPELINE.index(row.status) if row.status in sc.PIPELINE else 0
        return sc.PIPELINE[i - 1] if i > 0 else None

    # --- moves -----------------------------------------------------------------------------------

    def move_next(self) -> None:
        nxt = self.next_step()
        if nxt is not None:
            self._move(nxt, "")

    def stop(self) -> None:
        if self.row is not None and self.row.status != sc.STOPPED:
            self._move(sc.STOPPED, "")

    def move_back(self) -> QInputDialog | None:
        """Ask why (a move back is kept with its reason), then move back one step."""
        back, row = self.back_step(), self.row
        if back is None or row is None:
            return None
        dlg = QInputDialog(self)
        dlg.setObjectName("moveBackDialog")
        dlg.setWindowTitle(self.tr("Move back"))
        dlg.setLabelText(self.tr("Why does “%1” go back from %2 to %3?").replace("%1", row.name)
                         .replace("%2", domain(row.status_label)).replace("%3", domain(sc.STATUS_LABELS[back])))
        dlg.setInputMode(QInputDialog.InputMode.TextInput)
        dlg.textValueSelected.connect(lambda reason, b=back: self._move(b, reason))
        self.reason_dialog = dlg
        dlg.open()
        return dlg

    def _move(self, status: str, reason: str) -> None:
        row = self.row
        if row is None:
            return
        uid = row.uid
        self.ws.write(lambda svc: svc.move(uid, status, reason=reason), self._moved, "scenario-move")

    def _moved(self, result: Result) -> None:
        if not result.ok:
            self._say(result.message, error=True)
            return
        self._say(self.tr("Moved to %1.").replace("%1", domain(sc.STATUS_LABELS.get(result.value.values["status"],
                                                                                    ""))))
        self.ws.publish(result)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else f"color: {GOOD};")

    # --- figures ---------------------------------------------------------------------------------

    def _clear_error(self, code: str) -> None:
        if code in self.field_errors:
            self.field_errors[code].clear()
            self.field_errors[code].hide()

    def _clear_errors(self) -> None:
        for code in self.field_errors:
            self._clear_error(code)
        self.period_error.hide()
        self.form_error.clear()
        self.form_error.hide()

    def _field_error(self, code: str, text: str) -> None:
        label = self.period_error if code == "period" else self.field_errors.get(code)
        if label is None:
            self.form_error.setText("\n".join(x for x in (self.form_error.text(), text) if x))
            self.form_error.show()
            return
        label.setText(text)
        label.show()

    def save_figures(self) -> None:
        """The month's figures as typed (amounts in 元, stored in fen); empty fields are left as they were."""
        row = self.row
        if row is None or not self.ws.can_edit:
            return
        self._clear_errors()
        self.message.clear()
        figures: dict[str, int | str] = {}
        wrong = False
        for code, edit in self.inputs.items():
            text = edit.text().strip()
            if not text:
                continue
            if sc.metric(code).money:
                try:
                    figures[code] = parse_yuan(text)
                except ValueError:
                    self._field_error(code, self.tr("“%1” is not an amount; type yuan, e.g. 12,000.50 or 1.5万.")
                                      .replace("%1", text))
                    wrong = True
            else:
                figures[code] = text  # the service says when it is not a whole number
        if wrong:  # nothing goes to the service; say what else it would refuse
            period = sc.parse_period(self.period.text(), today=self.ws.today)
            if isinstance(period, FieldError):
                self._field_error("period", period.message)
            return
        uid, period = row.uid, self.period.text()
        self.ws.write(lambda svc: svc.record(uid, period, figures), self._recorded, "scenario-figures")

    def _recorded(self, result: Result) -> None:
        if not result.ok:
            for e in result.errors:
                self._field_error(e.field, e.message)
            first = next((self.inputs[e.field] for e in result.errors if e.field in self.inputs), None)
            (first or self.period).setFocus()
            return
        period = sc.parse_period(self.period.text(), today=self.ws.today)
        self._say(self.tr("%1 figures saved for %2.").replace("%1", str(result.value)).replace("%2", str(period))
                  if result.value else self.tr("Nothing changed: the figures are as entered before."))
        self._prefilled = ""  # read them back as saved
        self._typed.clear()
        self.ws.publish(result)

    # --- clients ---------------------------------------------------------------------------------

    def link_clients(self, text: str | None = None) -> QInputDialog | None:
        """Clients won through this scenario, by client number (comma-separated); asks when ``text`` is None."""
        row = self.row
        if row is None:
            return None
        if text is None:
            dlg = QInputDialog(self)
            dlg.setObjectName("linkClientsDialog")
            dlg.setWindowTitle(self.tr("Link clients"))
            dlg.setLabelText(self.tr("Client numbers won through “%1”, separated by commas:").replace("%1", row.name))
            dlg.setInputMode(QInputDialog.InputMode.TextInput)
            dlg.textValueSelected.connect(self.link_clients)
            self.link_dialog = dlg
            dlg.open()
            return dlg
        tokens = [t for t in re.split(r"[,，、;；\s]+", text.strip()) if t]
        bad = [t for t in tokens if not t.isdigit()]
        if bad or not tokens:
            self._say(self.tr("Not a client number: %1").replace("%1", "、".join(bad)) if bad
                      else self.tr("Type at least one client number."), error=True)
            return None
        ids, uid = [int(t) for t in tokens], row.uid
        asked = len(set(ids))
        self.ws.write(lambda svc: svc.link_clients(uid, ids), lambda r: self._linked(r, asked), "scenario-link")
        return None

    def _linked(self, result: Result, asked: int) -> None:
        if not result.ok:
            self._say(result.message, error=True)
            return
        self._say(self.tr("%1 clients linked; %2 were linked before.").replace("%1", str(result.value))
                  .replace("%2", str(asked - (result.value or 0))))
        self.ws.publish(result)

    # --- attachments --------------------------------------------------------------------------

    def show_files(self, files: list[tuple[str, str, int, str, Path | None]]) -> None:
        """(sha256, name, size, added, path on this PC or None) of the scenario's files."""
        self.files.clear()
        for sha, name, size, added, path in files:
            shown = f"{size:,} B" if size < 10_240 else f"{size / 1024:,.0f} KB"
            text = f"{name} · {shown} · {added}" + ("" if path else " · " + self.tr("not on this PC"))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (sha, str(path) if path else ""))
            item.setToolTip(f"SHA-256 {sha}")
            self.files.addItem(item)
        for b in (self.open_file_button, self.remove_file_button):
            b.setEnabled(bool(files))
        self.attach_button.setEnabled(self.row is not None)

    def attach(self, paths: list[str] | None = None) -> None:
        """Attach files (asks for them when ``paths`` is None); each is copied on the writer thread."""
        row = self.row
        if row is None:
            return
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach files to “%1”").replace("%1", row.name))
        uid = row.uid
        for path in paths:
            self.ws.write(lambda svc, p=path: svc.attach(uid, Path(p)), self._attached, "scenario-attach")

    def _attached(self, result: Result) -> None:
        if not result.ok:
            self._say(result.message, error=True)
            return
        if result.changes:
            self._say(self.tr("File attached."))
            self.ws.publish(result)

    def _current_file(self) -> tuple[str, str] | None:
        item = self.files.currentItem() or (self.files.item(0) if self.files.count() == 1 else None)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def open_file(self) -> None:
        got = self._current_file()
        if got is None:
            return
        if not got[1]:
            self._say(self.tr("This file is not on this PC: it was attached on another one."), error=True)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(got[1]))

    def remove_file(self) -> None:
        got, row = self._current_file(), self.row
        if got is None or row is None:
            return
        sha, uid = got[0], row.uid
        self.ws.write(lambda svc: svc.detach(uid, sha), self._attached_removed, "scenario-detach")

    def _attached_removed(self, result: Result) -> None:
        if not result.ok:
            self._say(result.message, error=True)
            return
        self._say(self.tr("Removed “%1”.").replace("%1", result.value))
        self.ws.publish(result)


class NewScenarioDialog(QDialog):
    """A new scenario at 调研: type, name, village, partner and contact. Stays open on a refusal."""

    saved = Signal(str)  # the new scenario's uid

    def __init__(self, ws: ScenariosWorkspace, types: list[tuple[str, str, tuple[str, ...]]],
                 villages: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setObjectName("newScenarioDialog")
        self.setWindowTitle(self.tr("New scenario"))
        self.type = QComboBox()
        self.type.setObjectName("newScenarioType")
        for code, name, _m in types:
            self.type.addItem(domain(name), code)
        self.name = QLineEdit()
        self.name.setObjectName("newScenarioName")
        self.name.setPlaceholderText(self.tr("e.g. 青泉村生猪养殖智慧畜牧"))
        self.village = QLineEdit()
        self.village.setObjectName("newScenarioVillage")
        self.village.setPlaceholderText(self.tr("township + village, e.g. 厚坪乡青泉村; or a township for all of it"))
        completer = QCompleter(villages, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.village.setCompleter(completer)
        self.partner = QLineEdit()
        self.partner.setObjectName("newScenarioPartner")
        self.partner.setPlaceholderText(self.tr("村委会, 合作社, school, government office…"))
        self.contact = QLineEdit()
        self.contact.setObjectName("newScenarioContact")
        self.error = QLabel()
        self.error.setObjectName("newScenarioError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Type"), self.type)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Village"), self.village)
        form.addRow(self.tr("Partner"), self.partner)
        form.addRow(self.tr("Contact"), self.contact)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def save(self) -> None:
        values = {"scenario_type": self.type.currentData() or "", "name": self.name.text(),
                  "village": self.village.text().strip(), "partner": self.partner.text(),
                  "partner_contact": self.contact.text()}
        self.ws.write(lambda svc: svc.add(values), self._saved, "scenario-add")

    def _saved(self, result: Result) -> None:
        if not result.ok:
            self.error.setText(result.message)
            return
        self.ws.publish(result)
        self.saved.emit(result.value.uid)
        self.accept()


class ScenarioListPage(QWidget):
    """场景: the filtered list and, beside it, the selected scenario."""

    def __init__(self, ws: ScenariosWorkspace) -> None:
        super().__init__()
        self.ws = ws
        self.rows: list[ScenarioRow] = []
        self.types: list[tuple[str, str, tuple[str, ...]]] = []
        self.villages: list[str] = []
        self.uid: str | None = None
        self.new_dialog: NewScenarioDialog | None = None
        self.type = QComboBox()
        self.type.setObjectName("scenarioTypeFilter")
        self.type.addItem(self.tr("All types"), None)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("scenarioStatusFilter")
        self.status_filter.addItem(self.tr("All steps"), None)
        for code in STEPS:
            self.status_filter.addItem(domain(sc.STATUS_LABELS[code]), code)
        for combo in (self.type, self.status_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.new_button = QPushButton(self.tr("New scenario…"))
        self.new_button.setObjectName("newScenario")
        self.new_button.setEnabled(ws.can_edit)
        self.import_button = QPushButton(self.tr("Import figures…"))
        self.import_button.setObjectName("importFigures")
        self.import_button.setToolTip(self.tr("Monthly figures from a spreadsheet (xlsx, xls, et, csv): one row per"
                                              " scenario and month, amounts in 元 or 万元"))
        self.import_button.setEnabled(ws.can_edit)
        self.import_button.clicked.connect(self.import_figures)
        self.count = QLabel()
        self.count.setObjectName("scenarioCount")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Type")))
        bar.addWidget(self.type)
        bar.addWidget(QLabel(self.tr("Step")))
        bar.addWidget(self.status_filter)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.new_button)
        self.table = _table([self.tr("Scenario"), self.tr("Type"), self.tr("Village"), self.tr("Partner"),
                             self.tr("Step"), self.tr("Since"), self.tr("Clients")], "scenarioTable")
        self.empty = EmptyHint(self.table)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 120)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.detail = ScenarioDetail(ws)
        ws.ctx.unsaved.register(self.detail, self.tr("a scenario's figures"), lambda: bool(self.detail._typed))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.detail)
        scroll.setMinimumWidth(490)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])  # in proportion; the detail keeps its minimum
        self.error = QLabel()
        self.error.setObjectName("scenarioListError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(bar)
        lay.addWidget(self.error)
        lay.addWidget(split, 1)
        self.type.currentIndexChanged.connect(lambda _i: self.reload())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.currentCellChanged.connect(lambda r, *_: self._pick(r))
        self.new_button.clicked.connect(self.new_scenario)

    def reload(self) -> None:
        kind, status = self.type.currentData(), self.status_filter.currentData()

        def load(svc: ScenarioService) -> Any:
            villages = sorted(svc.ref.full_name(v) for v in svc.ref.villages.values())
            villages += sorted(t.name for t in svc.ref.townships.values())  # a scenario of a whole township
            return svc.types(), villages, svc.list(type=kind, status=status), (kind, status)

        self.ws.read(load, self._listed, self.show_error, "scenario-list")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _listed(self, result: Any) -> None:
        types, self.villages, rows, asked = result
        if asked != (self.type.currentData(), self.status_filter.currentData()):
            return  # another filter was chosen meanwhile; its answer follows
        if types != self.types:
            self.types = types
            self.ws.type_names = {code: name for code, name, _m in types}
            chosen = self.type.currentData()
            self.type.blockSignals(True)
            while self.type.count() > 1:
                self.type.removeItem(1)
            for code, name, _m in types:
                self.type.addItem(domain(name), code)
            self.type.setCurrentIndex(max(0, self.type.findData(chosen)))
            self.type.blockSignals(False)
        if isinstance(rows, FieldError):
            self.show_error(rows.message)
            return
        self.error.hide()
        self.rows = rows
        self.table.blockSignals(True)
        names = self.ws.type_names
        _fill(self.table, [[r.name, domain(names.get(r.type, r.type_name)), f"{r.township_name}{r.village_name}" or "—",
                            r.partner, domain(r.status_label), r.since, f"{r.clients:,}"] for r in rows], right={6})
        for i, r in enumerate(rows):  # the name and partner may be cut short at 1280 pixels
            self.table.item(i, 0).setToolTip(r.name)
            self.table.item(i, 3).setToolTip(" ".join(x for x in (r.partner, r.partner_contact) if x))
        self.table.blockSignals(False)
        self.count.setText(self.tr("%1 scenarios").replace("%1", str(len(rows))))
        self.empty.show_for(len(rows), self.tr(
            "No smart-village scenarios yet. Record the first with New scenario… above.")
            if not asked[0] and not asked[1] else
            self.tr("No scenario matches these filters. Choose All types and All steps to see every scenario."))
        keep = next((i for i, r in enumerate(rows) if r.uid == self.uid), 0 if rows else -1)
        if keep >= 0:
            self.table.setCurrentCell(keep, 0)
        self._pick(keep)

    def select(self, uid: str) -> None:
        """Show ``uid`` once the list holds it (after the next read when it is new)."""
        self.uid = uid
        i = next((i for i, r in enumerate(self.rows) if r.uid == uid), -1)
        if i >= 0:
            self.table.setCurrentCell(i, 0)
            self._pick(i)

    def _pick(self, i: int) -> None:
        if not 0 <= i < len(self.rows):
            self.uid = None
            self.detail.show_scenario(None, (), {})
            return
        row = self.rows[i]
        self.uid = row.uid
        tracked = next((m for c, _n, m in self.types if c == row.type), sc.COMMON)
        uid = row.uid

        def load(svc: ScenarioService) -> Any:
            return svc.get(uid), svc.metrics_of(uid), svc.attachments(uid)

        def show(result: Any) -> None:
            got, figures, files = result
            if uid != self.uid:
                return
            if isinstance(got, FieldError):
                self.show_error(got.message)
                return
            self.detail.show_scenario(got, tracked, figures)
            self.detail.show_files(files)

        self.ws.read(load, show, self.show_error, "scenario-detail")

    def import_figures(self) -> QWidget:
        """The import wizard for a sheet of monthly figures (``app.ui.import_wizard``)."""
        from app.ui.import_wizard import open_import

        self.import_wizard = open_import(self.ws.ctx, "metrics", self)
        return self.import_wizard

    def new_scenario(self) -> NewScenarioDialog:
        dlg = NewScenarioDialog(self.ws, self.types or [(c, n, sc.type_metrics(m)) for c, n, m in sc.DEFAULT_TYPES],
                                self.villages, self)
        dlg.saved.connect(self.select)
        self.new_dialog = dlg
        dlg.open()
        return dlg


class ComparePage(QWidget):
    """比较: one metric at one month, side by side by scenario, village, township or type."""

    def __init__(self, ws: ScenariosWorkspace) -> None:
        super().__init__()
        self.ws = ws
        self.rows: list[tuple[str, sc.Comparison]] = []
        self.by = QComboBox()
        self.by.setObjectName("compareBy")
        for label, code in ((self.tr("Scenario"), "scenario"), (self.tr("Village"), "village"),
                            (self.tr("Township"), "township"), (self.tr("Type"), "type")):
            self.by.addItem(label, code)
        self.metric_box = QComboBox()  # (not "metric": that would hide QWidget.metric(), which Qt calls)
        self.metric_box.setObjectName("compareMetric")
        for m in sc.METRICS.values():
            self.metric_box.addItem(domain(m.label), m.code)
        self.metric_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.period = QLineEdit()
        self.period.setObjectName("comparePeriod")
        self.period.setPlaceholderText(self.tr("latest month"))
        self.period.setMaximumWidth(120)
        self.export_button = QPushButton(self.tr("Export to Excel…"))
        self.export_button.setObjectName("compareExport")
        self.export_button.setToolTip(self.tr("Every common figure, one sheet each, grouped as shown"))
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("By")))
        bar.addWidget(self.by)
        bar.addWidget(QLabel(self.tr("Figure")))
        bar.addWidget(self.metric_box)
        bar.addWidget(QLabel(self.tr("Month")))
        bar.addWidget(self.period)
        bar.addStretch(1)
        self.print_button = QPushButton(self.tr("Print the report…"))
        self.print_button.setObjectName("comparePrint")
        self.print_button.setToolTip(self.tr("The scenario report for the month shown, by township, as a PDF to"
                                             " preview, print or save"))
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        self.table = _table([""] * 6, "compareTable")
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setMinimumSectionSize(110)
        self.message = QLabel()
        self.message.setObjectName("compareMessage")
        self.message.setWordWrap(True)
        self._headers("")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message)
        self.by.currentIndexChanged.connect(lambda _i: self.reload())
        self.metric_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.period.returnPressed.connect(self.reload)
        self.export_button.clicked.connect(lambda: self.export())
        self.print_button.clicked.connect(self.print_report)

    def _headers(self, period: str) -> None:
        if period:
            prev, year = sc.shift(period, -1), sc.shift(period, -12)
            labels = [self.tr("Name"), period, prev, self.tr("vs last month"), year, self.tr("vs a year ago")]
        else:
            labels = [self.tr("Name"), self.tr("This month"), self.tr("Last month"), self.tr("vs last month"),
                      self.tr("Same month last year"), self.tr("vs a year ago")]
        self.table.setHorizontalHeaderLabels(labels)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def choice(self) -> tuple[str, str, str | None]:
        return self.by.currentData(), self.metric_box.currentData(), self.period.text().strip() or None

    def reload(self) -> None:
        by, metric, period = self.choice()
        self.ws.read(lambda svc: svc.compare(metric=metric, by=by, period=period),
                     lambda rows, asked=(by, metric, period): self._show(asked, rows), self._error,
                     "scenario-compare")

    def _error(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(ERROR_STYLE)

    def _show(self, asked: tuple[str, str, str | None], rows: Any) -> None:
        if asked != self.choice():
            return
        if isinstance(rows, FieldError):
            self.rows = []
            self.table.setRowCount(0)
            self._error(rows.message)
            return
        self.rows = rows
        code = asked[1]
        if asked[0] == "type":  # head office's types not synced yet: the built-in names, not codes
            rows = [(domain(self.ws.type_names.get(c.key, name)), c) for name, c in rows]
        _fill(self.table, [[name, figure_text(code, c.value), figure_text(code, c.previous), sc.format_rate(c.mom),
                            figure_text(code, c.last_year), sc.format_rate(c.yoy)] for name, c in rows],
              right={1, 2, 3, 4, 5})
        self._colour_rates()
        self._headers(rows[0][1].period if rows else "")
        self.message.setStyleSheet("")
        self.message.setText(self.tr("%1 rows; a rate is left out (—) where the month compared with has no figure"
                                     " or a zero").replace("%1", str(len(rows))) if rows else
                             self.tr("No figures for this month."))

    def _colour_rates(self) -> None:
        """环比 and 同比 in the green (up) or the red (down) of the colour scheme in force."""
        for i, (_n, c) in enumerate(self.rows):
            for col, r in ((3, c.mom), (5, c.yoy)):
                item = self.table.item(i, col)
                if r is not None and item is not None:
                    item.setForeground(good() if r >= 0 else bad())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.rows:  # the scheme turned light or dark
            self._colour_rates()

    def print_report(self) -> None:
        """The scenario report (app.services.sheets) for the month typed, or the latest."""
        from app.ui.printing import open_sheet

        period = self.period.text().strip() or None
        open_sheet(self.ws.ctx, self, self.tr("Scenario report"), lambda svc: svc.plan_scenarios(period=period))

    def export(self, path: str | Path | None = None) -> None:
        """Every common figure compared as chosen, to an Excel workbook (asks where when ``path`` is None)."""
        by, _metric, period = self.choice()
        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            suggested = str(Path(folder) / f"scenarios-{by}-{period or self.ws.latest or 'latest'}.xlsx")
            chosen, _f = QFileDialog.getSaveFileName(self, self.tr("Export the comparison"), suggested,
                                                     self.tr("Excel workbook (*.xlsx)"))
            if not chosen:
                return
            path = chosen
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Exporting…"))

        def done(result: Result) -> None:
            if not result.ok:
                self._error(result.message)
                return
            self.message.setStyleSheet(f"color: {GOOD};")
            self.message.setText(self.tr("Exported %1 rows to %2").replace("%1", str(result.value))
                                 .replace("%2", str(target)))

        self.ws.read(lambda svc: svc.export_xlsx(target, by=by, period=period), done,
                     lambda m: self._error(self.tr("Could not write %1: %2").replace("%1", str(target))
                                           .replace("%2", m)), "scenario-export")


class ScenariosWorkspace(Workspace):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: ScenarioService(db, staff, ReferenceData(db)))
        self.can_edit = can(ctx.staff, Action.EDIT_SCENARIO)
        self.latest = ""  # the month the dashboard read
        self.type_names: dict[str, str] = {}  # type code → name, as the list last read them
        self.dashboard = DashboardPage(self)
        self.list_page = ScenarioListPage(self)
        self.compare = ComparePage(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("scenarioTabs")
        self.tabs.addTab(self.dashboard, self.tr("Dashboard"))
        self.tabs.addTab(self.list_page, self.tr("Scenarios"))
        self.tabs.addTab(self.compare, self.tr("Compare"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        self._shown = False  # read on first showing, not at the window's start
        ctx.changes.changed.connect(self._on_changes)

    @property
    def today(self) -> date:
        return date.today()

    def title(self) -> str:
        # the navigation's own word (场景), translated once in the main window's context
        return QCoreApplication.translate("MainWindow", "Scenarios")

    icon_name = "scenarios"
    help_page = "scenarios.html"

    def open_item(self, kind: str, key: str) -> None:
        """A scenario by uid, on the list page."""
        if kind == "scenario":
            self.tabs.setCurrentWidget(self.list_page)
            self.list_page.select(key)

    def activated(self) -> None:
        self._shown = True
        self.reload()

    def reload(self) -> None:
        self.dashboard.reload()
        self.list_page.reload()
        self.compare.reload()

    # --- the database threads ----------------------------------------------------------------------

    def read(self, fn: Callable[[ScenarioService], Any], success: Callable[[Any], None],
             failure: Callable[[str], None], name: str) -> None:
        """``fn(service)`` on the reader thread; ``success(value)`` or ``failure(message)`` on the UI thread."""
        services = self.services

        def work(tc: TaskContext) -> Any:
            return fn(services(tc.db))

        def failed(exc: BaseException, _tb: str) -> None:
            failure(self.tr("Could not read the scenarios: %1").replace("%1", str(exc)))

        self.ctx.reader.submit(work, success=self._remember(success), failure=failed, name=name)

    def _remember(self, success: Callable[[Any], None]) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            if isinstance(value, Dashboard):
                self.latest = value.period
            success(value)

        return call

    def write(self, fn: Callable[[ScenarioService], Result], done: Callable[[Result], None], name: str) -> None:
        """``fn(service)`` on the writer thread; ``done(result)`` on the UI thread."""
        services = self.services

        def failed(exc: BaseException, tb: str) -> None:
            show_error(self, type(exc), tb)

        self.ctx.writer.submit(lambda tc: fn(services(tc.db)), success=done, failure=failed, name=name)

    def publish(self, result: Result) -> None:
        """Tell the other screens what a write changed, and read this one again."""
        self.ctx.changes.publish(result.changes, self)
        self.reload()

    def _on_changes(self, changes: Changes, source: object) -> None:
        if source is not self and self._shown and changes.touches(
                "scenario", "scenario_metric", "scenario_client", "scenario_type", "client"):
            self.reload()
