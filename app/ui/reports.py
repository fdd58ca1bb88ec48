"""The reports workspace (报表): the six process reports (过程管控) as a chart over a table.

On the left the reports (``app.services.reports.REPORTS``); above, the filters: a period
(with the usual choices: this month, last month, this quarter, the year so far, the last
twelve weeks, or two dates), a manager, a village and, for the reports that have one, the
grouping. Every change reruns the report on the *reader* database thread (a newer run
supersedes an older one still under way); the chart (QtCharts) is drawn from the report's
own table as its ``Chart`` says, so the screen, the Excel file and the PDF always agree. The
notes under the table say what each figure counts. Exports (xlsx with its native chart, PDF
in the worksheets' font) write the report on screen, on the reader thread, never on the UI
thread. A change to any record a report reads (the change signal) reruns the report shown,
or marks it stale until the page is next shown. UI thread.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.result import Changes
from app.core.roles import Role
from app.services.report_export import CHART_MAX, PALETTE  # the screen's chart draws as the exports do
from app.services.reports import INT, PCT, REPORTS, TEXT, WAN, Report, ReportFilter, ReportService
from app.store.reference import ReferenceData
from app.ui.appearance import GOOD_STYLE, emphasize
from app.ui.context import AppContext
from app.ui.labels import domain, heading
from app.ui.tasks import PerConnection, TaskContext
from app.ui.workspace import Workspace

UPRIGHT_MAX = 12  # more categories than this are drawn as horizontal bars, which keep their labels whole
BAR_ROOM = 26  # pixels per category of a horizontal bar chart (it scrolls when taller than its pane)
ERROR_COLOUR = "palette(bright-text)"  # (app.ui.widgets.ERROR_STYLE)
# the kinds the reports read: a change to any of them makes the report on screen stale
READS = ("client", "campaign", "campaign_target", "contact", "whitelist", "whitelist_outcome", "scenario",
         "scenario_metric", "scenario_client")
GROUPINGS = {"marketing": ("manager", "campaign"), "mobile_banking": ("village", "township")}
PERIODS = ("month", "last_month", "quarter", "year", "weeks12", "custom")


def period_dates(choice: str, today: date) -> tuple[date, date] | None:
    """The first and last day of a period choice (None for ``custom``: the dates as typed)."""
    if choice == "month":
        return today.replace(day=1), today
    if choice == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if choice == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if choice == "year":
        return date(today.year, 1, 1), today
    if choice == "weeks12":
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(weeks=11), today
    return None


class _Cell(QTableWidgetItem):
    """A table cell shown as text and sorted by its value (numbers as numbers)."""

    def __init__(self, text: str, key: Any) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.key, getattr(other, "key", None)
        if mine is None or theirs is None:
            return (mine is None) and (theirs is not None)
        try:
            return bool(mine < theirs)
        except TypeError:
            return str(mine) < str(theirs)


class ReportsWorkspace(Workspace):
    """报表: pick a report, set its filters, read the chart and the table, export them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: ReportService(db, staff, ReferenceData(db)))
        self.is_manager = Role(ctx.staff.role) == Role.MANAGER
        self.report: Report | None = None
        self.last_export: Path | None = None
        self._run_id = 0
        self._stale = True
        self._busy = False
        self._names = {
            "marketing": self.tr("Marketing results"),
            "reach": self.tr("Reach and conversion over time"),
            "segments": self.tr("Segment growth"),
            "mobile_banking": self.tr("Mobile-banking penetration"),
            "whitelist_funnel": self.tr("Whitelist funnel"),
            "scenarios": self.tr("Scenario acquisition"),
        }
        self._timer = QTimer(self)  # filters settle before a run: typing a village runs once
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.run)
        self._build()
        ctx.changes.changed.connect(self._on_changes)
        self._load_choices()

    # --- layout --------------------------------------------------------------------------------

    icon_name = "reports"
    help_page = "reports.html"

    def title(self) -> str:
        return self.tr("Reports")

    def _build(self) -> None:
        self.list = QListWidget()
        self.list.setObjectName("reportList")
        for name in REPORTS:
            item = QListWidgetItem(self._names[name])
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
        self.list.setSpacing(2)
        self.list.setStyleSheet("QListWidget#reportList::item { padding: 6px 8px; }")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setFixedWidth(180)
        self.list.currentRowChanged.connect(self._on_report)

        self.period = QComboBox()
        self.period.setObjectName("reportPeriod")
        for code, label in zip(PERIODS, (self.tr("This month"), self.tr("Last month"), self.tr("This quarter"),
                                         self.tr("This year so far"), self.tr("Last 12 weeks"),
                                         self.tr("Dates below")), strict=True):
            self.period.addItem(label, code)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit, name in ((self.start, "reportStart"), (self.end, "reportEnd")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMaximumDate(QDate.currentDate())
            edit.dateChanged.connect(self._on_dates)
        self.manager = QComboBox()
        self.manager.setObjectName("reportManager")
        self.manager.setMinimumContentsLength(10)
        self.village = QComboBox()
        self.village.setObjectName("reportVillage")
        self.village.setEditable(True)
        self.village.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.village.setMinimumContentsLength(14)
        self.branch = QComboBox()  # a county device's branches (hidden on a branch's PC)
        self.branch.setObjectName("reportBranch")
        self.branch_label = QLabel(self.tr("Branch"))
        self.branch.setVisible(False)
        self.branch_label.setVisible(False)
        self.by = QComboBox()
        self.by.setObjectName("reportBy")
        self.by_label = QLabel(self.tr("By"))
        self.export_xlsx = QPushButton(self.tr("Export to Excel…"))
        self.export_xlsx.setObjectName("reportExportXlsx")
        self.export_pdf = QPushButton(self.tr("Export to PDF…"))
        self.export_pdf.setObjectName("reportExportPdf")
        self.export_xlsx.clicked.connect(lambda: self.export(".xlsx"))
        self.export_pdf.clicked.connect(lambda: self.export(".pdf"))

        bar = QHBoxLayout()
        bar.setSpacing(6)
        for label, widget in ((self.tr("Period"), self.period), (None, self.start), ("–", self.end),
                              (None, self.branch_label), (None, self.branch),
                              (self.tr("Manager"), self.manager), (self.tr("Village"), self.village),
                              (None, self.by_label), (None, self.by)):
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addStretch(1)

        self.heading = QLabel()
        self.heading.setObjectName("reportHeading")
        emphasize(self.heading, 1.3, bold=True)
        self.scope = QLabel()
        self.scope.setObjectName("reportScope")
        self.scope.setStyleSheet("color: palette(mid);")
        self.scope.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.chart = QChart()
        self.chart.setBackgroundRoundness(0)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setFont(QApplication.font())
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("reportChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)
        self.chart_scroll = QScrollArea()
        self.chart_scroll.setObjectName("reportChartScroll")
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.chart_scroll.setWidget(self.chart_view)
        self.chart_scroll.setMinimumHeight(240)

        self.table = QTableWidget(0, 0)
        self.table.setObjectName("reportTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setMinimumSectionSize(72)
        self.notes = QLabel()
        self.notes.setObjectName("reportNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setStyleSheet("color: palette(window-text);")

        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 0, 0, 0)
        lower_lay.addWidget(self.table, 1)
        lower_lay.addWidget(self.notes)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("reportSplit")
        self.split.addWidget(self.chart_scroll)
        self.split.addWidget(lower)
        self.split.setStretchFactor(0, 5)
        self.split.setStretchFactor(1, 4)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([500, 400])

        right = QVBoxLayout()
        right.addLayout(bar)
        title_row = QHBoxLayout()  # the exports beside the title: the filter bar keeps its room at 150 % text
        title_row.addWidget(self.heading, 1)
        title_row.addWidget(self.export_xlsx)
        title_row.addWidget(self.export_pdf)
        right.addLayout(title_row)
        right.addWidget(self.scope)
        right.addWidget(self.message)
        right.addWidget(self.split, 1)
        lay = QHBoxLayout(self)
        lay.addWidget(self.list)
        lay.addLayout(right, 1)

        self.period.setCurrentIndex(PERIODS.index("year"))
        self._apply_period()
        self.period.currentIndexChanged.connect(self._on_period)
        self.manager.currentIndexChanged.connect(self._schedule)
        self.branch.currentIndexChanged.connect(self._schedule)
        self.village.activated.connect(self._schedule)
        self.village.lineEdit().editingFinished.connect(self._schedule)
        self.by.currentIndexChanged.connect(self._schedule)
        self.list.setCurrentRow(0)

    def _load_choices(self) -> None:
        """The managers and villages for the filters, read on the reader thread."""
        def read(tc: TaskContext) -> tuple[list[tuple[str, str]], list[str], list[str]]:
            ref = ReferenceData(tc.db)
            staff = sorted((s.code, s.name) for s in ref.staff_by_code.values()
                           if s.active and s.role == Role.MANAGER.value)
            villages = [ref.full_name(v) for v in ref.villages.values()]
            svc = self.services(tc.db)
            return staff, villages, [(code, svc.branch_label(code)) for code in svc.branches()]

        self.ctx.reader.submit(read, success=self._fill_choices, name="report-choices")

    def _fill_choices(self, choices: tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]]) -> None:
        staff, villages, branches = choices
        self.branch.blockSignals(True)
        self.branch.clear()
        self.branch.addItem(self.tr("All branches"), "")
        for code, label in branches:
            self.branch.addItem(label, code)
        self.branch.blockSignals(False)
        self.branch.setVisible(bool(branches))
        self.branch_label.setVisible(bool(branches))
        self.manager.blockSignals(True)
        self.manager.clear()
        if self.is_manager:
            self.manager.addItem(f"{self.ctx.staff.name}（{self.ctx.staff.code}）", self.ctx.staff.code)
            self.manager.setEnabled(False)
            self.manager.setToolTip(self.tr("A relationship manager sees their own figures."))
        else:
            self.manager.addItem(self.tr("All managers"), "")
            for code, name in staff:
                self.manager.addItem(f"{name}（{code}）", code)
        self.manager.blockSignals(False)
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(self.tr("All villages"), "")
        for name in villages:
            self.village.addItem(name, name)
        completer = QCompleter([self.tr("All villages"), *villages], self.village)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.village.setCompleter(completer)
        self.village.blockSignals(False)

    # --- filters -------------------------------------------------------------------------------

    def current_name(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else "marketing"

    def _on_report(self, _row: int) -> None:
        name = self.current_name()
        groupings = GROUPINGS.get(name, ())
        labels = {"manager": self.tr("Manager"), "campaign": self.tr("Campaign"), "village": self.tr("Village"),
                  "township": self.tr("Township")}
        self.by.blockSignals(True)
        self.by.clear()
        for g in groupings:
            self.by.addItem(labels[g], g)
        self.by.blockSignals(False)
        self.by.setVisible(bool(groupings))
        self.by_label.setVisible(bool(groupings))
        self._schedule()

    def _on_period(self, _index: int) -> None:
        self._apply_period()
        self._schedule()

    def _apply_period(self) -> None:
        dates = period_dates(str(self.period.currentData()), date.today())
        custom = dates is None
        self.start.setEnabled(custom)
        self.end.setEnabled(custom)
        if dates is not None:
            for edit, d in ((self.start, dates[0]), (self.end, dates[1])):
                edit.blockSignals(True)
                edit.setDate(QDate(d.year, d.month, d.day))
                edit.blockSignals(False)

    def _on_dates(self, _d: QDate) -> None:
        if self.period.currentData() == "custom":
            self._schedule()

    def current_filter(self) -> ReportFilter:
        s, e = self.start.date(), self.end.date()
        village = self.village.currentText().strip()
        if village == self.tr("All villages"):
            village = ""
        return ReportFilter(date(s.year(), s.month(), s.day()), date(e.year(), e.month(), e.day()),
                            str(self.manager.currentData() or "") or None, village or None,
                            str(self.branch.currentData() or "") or None)

    def _schedule(self, *_args: Any) -> None:
        """Run soon (filters settle first) when the page is shown; else when it is next shown (the
        reports read the whole book: nothing runs for a page nobody is looking at)."""
        self._stale = True
        if self.isVisible():
            self._timer.start()

    # --- running -------------------------------------------------------------------------------

    def activated(self) -> None:
        if self._stale:
            self._timer.start()

    def _on_changes(self, changes: Changes, _source: object) -> None:
        if not changes.touches(*READS) and not changes.reference:
            return
        if changes.reference:
            self.services.reload()
            self._load_choices()
        self._schedule()

    def run(self) -> None:
        """Rerun the report shown with the filters as set (on the reader thread)."""
        self._run_id += 1
        run_id = self._run_id
        name = self.current_name()
        f = self.current_filter()
        options: dict[str, Any] = {}
        if name in GROUPINGS and self.by.currentData():
            options["by"] = str(self.by.currentData())
        self._stale = False
        self._busy = True
        self._enable_exports()
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Counting…"))

        def read(tc: TaskContext) -> Report | FieldError:
            return self.services(tc.db).run(name, f, **options)

        self.ctx.reader.submit(read, success=lambda r: self._shown(run_id, r),
                               failure=lambda exc, _tb: self._failed(run_id, exc), name=f"report-{name}")

    def _failed(self, run_id: int, exc: BaseException) -> None:
        if run_id != self._run_id:
            return
        self._busy = False
        self._error(self.tr("The report could not be made: %1").replace("%1", str(exc)))

    def _error(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.message.setText(text)
        self._enable_exports()

    def _shown(self, run_id: int, result: Report | FieldError) -> None:
        if run_id != self._run_id:
            return  # a newer run is under way
        self._busy = False
        if isinstance(result, FieldError):
            self._error(result.message)
            return
        self.report = result
        self.message.setText("")
        self.heading.setText(heading(result.title))
        made = self.tr("Made by %1 at %2").replace("%1", result.made_by).replace("%2", result.made_at)
        self.scope.setText(f"{result.scope}　·　{made}")
        self._fill_table(result)
        self._draw(result)
        self.notes.setText("\n".join(f"· {n}" for n in result.notes))
        self._enable_exports()

    def _enable_exports(self) -> None:
        ok = self.report is not None and not self._busy
        self.export_xlsx.setEnabled(ok)
        self.export_pdf.setEnabled(ok)

    def _fill_table(self, r: Report) -> None:
        t = self.table
        t.setSortingEnabled(False)
        t.clear()
        t.setColumnCount(len(r.columns))
        t.setHorizontalHeaderLabels([heading(c) for c in r.columns])
        t.setRowCount(len(r.rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for i, (values, texts) in enumerate(zip(r.rows, r.text_rows(), strict=True)):
            for j, (value, text, fmt) in enumerate(zip(values, texts, r.formats, strict=True)):
                item = _Cell(domain(text) if fmt == TEXT else text, value)  # a segment, （未分发）
                if fmt != TEXT:
                    item.setTextAlignment(right)
                t.setItem(i, j, item)
        t.setSortingEnabled(True)
        t.horizontalHeader().setSortIndicatorShown(False)

    # --- the chart -----------------------------------------------------------------------------

    def _draw(self, r: Report) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        rows = r.rows[:CHART_MAX]
        spec = r.chart
        if not rows:
            chart.setTitle(self.tr("No figures for these filters"))
            return
        title = QFont(QApplication.font())
        title.setBold(True)
        chart.setTitleFont(title)
        chart.setTitle(self.tr("First %1 of %2 shown; the table holds them all").replace("%1", str(CHART_MAX))
                       .replace("%2", str(len(r.rows))) if len(r.rows) > CHART_MAX else "")
        pct = all(r.formats[c] == PCT for c in spec.series)
        scale = 100.0 if pct else 1.0
        categories = [domain(str(row[spec.category])) for row in rows]
        top = 0.0
        x = QBarCategoryAxis()
        across = spec.kind != "line" and len(categories) > UPRIGHT_MAX  # horizontal bars, top row first
        x.append(list(reversed(categories)) if across else categories)
        if not across and len(categories) > 8:
            x.setLabelsAngle(-45)
        self.chart_view.setMinimumHeight(max(240, 90 + BAR_ROOM * len(categories)) if across else 240)
        if spec.kind == "line":
            for k, col in enumerate(spec.series):
                line = QLineSeries()
                line.setName(heading(r.columns[col]))
                line.setPen(QPen(QColor(PALETTE[k % len(PALETTE)]), 2))
                line.setPointsVisible(len(rows) <= 30)
                for i, row in enumerate(rows):
                    value = float(row[col] or 0) * scale
                    line.append(i, value)
                    top = max(top, value)
                chart.addSeries(line)
            series_list: list[Any] = list(chart.series())
        else:
            stacked = spec.kind == "stacked"
            series: Any = ((QHorizontalStackedBarSeries() if stacked else QHorizontalBarSeries()) if across
                           else QStackedBarSeries() if stacked else QBarSeries())
            ordered = list(reversed(rows)) if across else rows
            totals = [0.0] * len(rows)
            for k, col in enumerate(spec.series):
                bars = QBarSet(heading(r.columns[col]))
                bars.setColor(QColor(PALETTE[k % len(PALETTE)]))
                for i, row in enumerate(ordered):
                    value = float(row[col] or 0) * scale
                    bars.append(value)
                    totals[i] = totals[i] + value if stacked else max(totals[i], value)
                series.append(bars)
            top = max(totals, default=0.0)
            chart.addSeries(series)
            series_list = [series]
        y = QValueAxis()
        y.setTitleText(heading(spec.axis_title) + ("（%）" if pct else ""))
        if pct:
            y.setRange(0, min(100.0, max(10.0, top * 1.15)))
            y.setLabelFormat("%.0f%%")
        else:
            y.setRange(0, max(1.0, top * 1.15))
            y.setLabelFormat("%.2f" if any(r.formats[c] == WAN for c in spec.series) else "%d")
        y.applyNiceNumbers()
        if not pct and all(r.formats[c] == INT for c in spec.series):
            y.setLabelFormat("%d")
        font = QApplication.font()
        for axis in (x, y):
            axis.setLabelsFont(font)
            axis.setTitleFont(font)
        chart.legend().setFont(font)
        chart.addAxis(x, Qt.AlignmentFlag.AlignLeft if across else Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignBottom if across else Qt.AlignmentFlag.AlignLeft)
        for s in series_list:
            s.attachAxis(x)
            s.attachAxis(y)

    # --- export --------------------------------------------------------------------------------

    def suggested_path(self, suffix: str) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        r = self.report
        name = r.title if r is not None else self._names[self.current_name()]
        day = date.today().isoformat()
        safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|')
        return Path(folder) / f"{safe}_{day}{suffix}"

    def export(self, suffix: str, path: str | Path | None = None) -> None:
        """The report on screen to ``path`` (asks where when None), on the reader thread."""
        report = self.report
        if report is None:
            return
        if path is None:
            kinds = self.tr("Excel workbook (*.xlsx)") if suffix == ".xlsx" else self.tr("PDF document (*.pdf)")
            chosen, _f = QFileDialog.getSaveFileName(self, self.tr("Export the report"),
                                                     str(self.suggested_path(suffix)), kinds)
            if not chosen:
                return
            path = chosen
        target = Path(path)
        if target.suffix.lower() != suffix:
            target = target.with_name(target.name + suffix)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Exporting…"))
        self.export_xlsx.setEnabled(False)
        self.export_pdf.setEnabled(False)

        def write(_tc: TaskContext) -> Path:
            from app.services.report_export import EXPORTERS

            return EXPORTERS[suffix](report, target)

        def done(written: Path) -> None:
            self._enable_exports()
            self.message.setStyleSheet(GOOD_STYLE)
            self.message.setText(self.tr("Exported to %1").replace("%1", str(written)))
            self.last_export = written

        def failed(exc: BaseException, _tb: str) -> None:
            why = getattr(exc, "strerror", None) or str(exc)
            self._error(self.tr("Could not write %1: %2").replace("%1", str(target)).replace("%2", why))

        self.ctx.reader.submit(write, success=done, failure=failed, name="report-export")
