"""The conversion funnel: a drawn funnel (entries → reached → applied → drawn, count and
amount) over a table per manager or cluster; picking a row draws that row's funnel.

Drawn with QPainter: QtCharts is in the PySide6 Addons wheel (several hundred MB that the
app otherwise does not need); four centred bars say it as plainly. UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.money import format_wan
from app.store.whitelist import FunnelRow
from app.ui.appearance import funnel_colours


@dataclass(frozen=True)
class Stage:
    label: str
    count: int
    amount_fen: int
    amount_label: str


class FunnelChart(QWidget):
    """Four centred bars, each as wide as its share of the entries."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stages: list[Stage] = []
        self.heading = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:
        return QSize(600, 260)

    def set_row(self, heading: str, r: FunnelRow | None) -> None:
        self.heading = heading
        if r is None:
            self.stages = []
        else:
            self.stages = [
                Stage(self.tr("Entries"), r.entries, r.limit_fen, self.tr("limits")),
                Stage(self.tr("Reached"), r.contacted, r.contacted_fen, self.tr("limits")),
                Stage(self.tr("Applied"), r.applied, r.applied_fen, self.tr("limits")),
                Stage(self.tr("Drawn"), r.drawn, r.drawn_fen, self.tr("drawn")),
            ]
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        fm = self.fontMetrics()
        top = fm.height() + 10
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(0, 0, w, fm.height() + 4), Qt.AlignmentFlag.AlignHCenter, self.heading)
        p.setFont(self.font())
        if not self.stages or self.stages[0].count == 0:
            p.drawText(QRectF(0, top, w, h - top), Qt.AlignmentFlag.AlignCenter, self.tr("No entries"))
            return
        total = self.stages[0].count
        label_w = max(fm.horizontalAdvance(s.label) for s in self.stages) + 16
        text_w = fm.horizontalAdvance("0000 (100%) · 00,000.00万元 drawn") + 16
        bar_area = max(40.0, w - label_w - text_w)
        gap = 8
        bar_h = max(18.0, (h - top - gap * 3) / 4)
        colours = funnel_colours(self.palette())
        for i, s in enumerate(self.stages):
            y = top + i * (bar_h + gap)
            share = s.count / total if total else 0
            bw = max(2.0, bar_area * share)
            x = label_w + (bar_area - bw) / 2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colours[i])
            p.drawRoundedRect(QRectF(x, y, bw, bar_h), 3, 3)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(0, y, label_w - 8, bar_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       s.label)
            text = f"{s.count:,}（{share:.0%}）· {format_wan(s.amount_fen)} {s.amount_label}"
            p.drawText(QRectF(label_w + bar_area + 8, y, text_w, bar_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


class FunnelPanel(QWidget):
    """The chart and the table; ``byChanged(by)`` asks the workspace for rows grouped anew."""

    byChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FunnelRow] = []
        self.names: dict[str, str] = {}
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Group by")))
        self.by = QComboBox()
        self.by.setObjectName("funnelBy")
        self.by.addItem(self.tr("Relationship manager"), "manager")
        self.by.addItem(self.tr("Industry cluster"), "cluster")
        top.addWidget(self.by)
        top.addStretch(1)
        lay.addLayout(top)
        self.chart = FunnelChart()
        self.chart.setObjectName("funnelChart")
        lay.addWidget(self.chart, 2)
        self.table = QTableWidget(0, 8)
        self.table.setObjectName("funnelTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Group"), self.tr("Entries"), self.tr("Reached"), self.tr("Reach rate"), self.tr("Applied"),
            self.tr("Drawn"), self.tr("Drawn (10k yuan)"), self.tr("Conversion"),
        ])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.by.currentIndexChanged.connect(lambda _i: self.byChanged.emit(self.by.currentData()))
        self.table.currentCellChanged.connect(lambda row, *_: self._draw(row))

    @property
    def group(self) -> str:
        return self.by.currentData()

    def set_rows(self, rows: list[FunnelRow], names: dict[str, str]) -> None:
        self.rows, self.names = rows, names
        total = FunnelRow("", *(sum(getattr(r, f) for r in rows) for f in (
            "entries", "limit_fen", "contacted", "contacted_fen", "applied", "applied_fen", "drawn", "drawn_fen")))
        shown = [*rows, total]
        self.table.setRowCount(len(shown))
        for i, r in enumerate(shown):
            name = self.tr("Total") if r is total else self._name(r.key)
            cells = [name, f"{r.entries:,}", f"{r.contacted:,}", _pct(r.contacted, r.entries), f"{r.applied:,}",
                     f"{r.drawn:,}", format_wan(r.drawn_fen, unit=False), _pct(r.drawn, r.entries)]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self._total = total
        self.table.setCurrentCell(len(shown) - 1, 0)
        self._draw(len(shown) - 1)

    def _name(self, key: str) -> str:
        if not key:
            return self.tr("Unassigned") if self.group == "manager" else self.tr("(no cluster)")
        return self.names.get(key, key)

    def _draw(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            self.chart.set_row(self._name(r.key), r)
        elif self.rows:
            self.chart.set_row(self.tr("Whole branch"), self._total)
        else:
            self.chart.set_row("", None)


def _pct(n: int, d: int) -> str:
    return f"{n / d:.0%}" if d else "—"
