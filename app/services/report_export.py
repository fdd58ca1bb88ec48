"""A process report (``app.services.reports.Report``) as an Excel workbook or a PDF.

``to_xlsx``: one sheet with the title, the filter line, the table (numbers as numbers, rates
as fractions shown as %, 万元 with two decimals, dates as dates), the notes, and a native Excel
chart (openpyxl BarChart / LineChart) that reads its figures from the table, so the chart
follows if someone edits a number. ``to_pdf``: A4 landscape in the bundled CJK font (the one
the worksheets embed, ``app.printing.fonts``): title, filter line, a chart drawn with
reportlab.graphics, the notes, then the table, continuing on following pages with its
header repeated. Both write a temporary file beside the target and rename it over the target,
so a crash or a full disk never leaves half a file under the real name. Pure rendering: the
report service decides the figures. Runs on a worker thread or the CLI's main thread; no Qt.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from app.services.reports import DATE, INT, PCT, TEXT, WAN, Report, cell_text

# series colours, the same in both files (a calm blue, orange, green, grey)
PALETTE = ("#2F6DB5", "#E8893A", "#4E9A5B", "#8C8C8C", "#B04A5A", "#7A5CA8")
CHART_MAX = 40  # categories drawn in the PDF's chart; the table holds them all
_XLSX_FORMATS = {INT: "#,##0", PCT: "0.0%", WAN: "#,##0.00", DATE: "yyyy-mm-dd", TEXT: "@"}


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over it when the block succeeds, removed if not."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix + ".part")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _text_width(text: str) -> int:
    """Display width: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# --- Excel -----------------------------------------------------------------------------------------


def to_xlsx(report: Report, path: Path) -> Path:
    """Write ``report`` to ``path`` (.xlsx). Returns the path."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "".join(ch for ch in report.title if ch not in "[]:*?/\\")[:31] or "报表"
    ws["A1"] = report.title
    ws["A1"].font = Font(size=15, bold=True)
    ws["A2"] = report.scope
    ws["A3"] = f"制表：{report.made_by}　{report.made_at}"
    ws["A3"].font = Font(color="666666")
    top = 5  # the header row
    thin = Side(style="thin", color="BBBBBB")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, heading in enumerate(report.columns, start=1):
        cell = ws.cell(top, j, heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F3")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for i, row in enumerate(report.rows, start=top + 1):
        for j, (value, fmt) in enumerate(zip(row, report.formats, strict=True), start=1):
            cell = ws.cell(i, j, value)
            cell.number_format = _XLSX_FORMATS[fmt]
            cell.border = border
    last = top + len(report.rows)
    for j, (heading, fmt) in enumerate(zip(report.columns, report.formats, strict=True), start=1):
        widest = max([_text_width(heading), *(_text_width(cell_text(r[j - 1], fmt)) for r in report.rows)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, widest + 2), 40)
    ws.freeze_panes = ws.cell(top + 1, 1)
    at = last + 2
    ws.cell(at, 1, "说明").font = Font(bold=True)
    for k, note in enumerate(report.notes, start=1):
        ws.cell(at + k, 1, note).alignment = Alignment(wrap_text=False)
    if report.rows:
        c = report.chart
        if c.kind == "line":
            chart: Any = LineChart()
        else:
            chart = BarChart()
            chart.type = "col"
            if c.kind == "stacked":
                chart.grouping = "stacked"
                chart.overlap = 100
        chart.title = report.title
        chart.y_axis.title = c.axis_title
        chart.x_axis.title = report.columns[c.category]
        for k, col in enumerate(c.series):
            chart.add_data(Reference(ws, min_col=col + 1, min_row=top, max_row=last), titles_from_data=True)
            s = chart.series[k]
            colour = PALETTE[k % len(PALETTE)].lstrip("#")
            if c.kind == "line":
                s.graphicalProperties.line.solidFill = colour
                s.graphicalProperties.line.width = 28575  # 2.25 pt
                s.smooth = False
            else:
                s.graphicalProperties.solidFill = colour
                s.graphicalProperties.line.solidFill = colour
        chart.set_categories(Reference(ws, min_col=c.category + 1, min_row=top + 1, max_row=last))
        if all(report.formats[col] == PCT for col in c.series):
            chart.y_axis.number_format = "0%"
        chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told
        chart.y_axis.delete = False
        chart.legend.position = "b"
        chart.width = min(40.0, max(16.0, 0.9 * len(report.rows) + 8))
        chart.height = 9.0
        ws.add_chart(chart, f"{get_column_letter(len(report.columns) + 2)}{top}")
    with _atomic(path) as tmp:
        wb.save(tmp)
    return Path(path)


# --- PDF -------------------------------------------------------------------------------------------


def to_pdf(report: Report, path: Path) -> Path:
    """Write ``report`` to ``path`` (.pdf, A4 landscape). Returns the path."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from app.printing.fonts import register_pdf_font

    font = register_pdf_font()
    page_w, page_h = landscape(A4)
    margin = 12 * mm
    width = page_w - 2 * margin
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=21, spaceAfter=2 * mm)
    line_style = ParagraphStyle("line", fontName=font, fontSize=9, leading=13, textColor=colors.HexColor("#333333"))
    note_style = ParagraphStyle("note", parent=line_style, fontSize=8, leading=11.5, leftIndent=3 * mm,
                                textColor=colors.HexColor("#444444"))
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    head_style = ParagraphStyle("head", parent=cell_style, alignment=1)

    story: list[Any] = [
        Paragraph(escape(report.title), title_style),
        Paragraph(escape(report.scope), line_style),
        Paragraph(escape(f"制表：{report.made_by}　{report.made_at}"), line_style),
        Spacer(1, 3 * mm),
    ]
    if report.rows:
        story.append(_chart(report, width, font))
        story.append(Spacer(1, 2 * mm))
    notes = [Paragraph("说明", line_style)] + [Paragraph(escape(f"· {n}"), note_style) for n in report.notes]
    story.append(KeepTogether(notes))
    story.append(Spacer(1, 4 * mm))

    text_rows = report.text_rows()
    widths = _column_widths(report, text_rows, width, font)
    header = [Paragraph(_heading(h, w - 12, font), head_style) for h, w in zip(report.columns, widths, strict=True)]
    body = [[Paragraph(escape(v), cell_style) if fmt == TEXT else v
             for v, fmt in zip(r, report.formats, strict=True)] for r in text_rows]
    if not body:
        body = [[Paragraph("（没有符合条件的数据）", cell_style)] + [""] * (len(report.columns) - 1)]
    table = LongTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F3")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#AAAAAA")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for j, fmt in enumerate(report.formats):
        if fmt in (INT, PCT, WAN):
            style.append(("ALIGN", (j, 1), (j, -1), "RIGHT"))
    for i in range(2, len(body) + 1, 2):
        style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F5F7FA")))
    table.setStyle(TableStyle(style))
    story.append(table)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(margin, 7 * mm, f"BranchDesk 过程管控报表 · {report.title}")
        canvas.drawRightString(page_w - margin, 7 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    with _atomic(path) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=(page_w, page_h), leftMargin=margin, rightMargin=margin,
                                topMargin=margin, bottomMargin=14 * mm, title=report.title,
                                author=report.made_by, subject=report.scope, creator="BranchDesk")
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return Path(path)


def _column_widths(report: Report, rows: list[list[str]], width: float, font: str) -> list[float]:
    """Each column as wide as its content (text columns wrap when the page is too narrow)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 14.0  # the cell's own padding (6 + 6) and a little air
    natural = []
    for j, heading in enumerate(report.columns):
        body = max((stringWidth(r[j], font, 8) for r in rows), default=0.0)
        head = min(stringWidth(heading, font, 8), 64.0)  # longer headings wrap
        natural.append(max(body, head, 24.0) + pad)
    total = sum(natural)
    if total <= width:
        return [w * width / total for w in natural] if total > width * 0.8 else natural
    fixed = sum(w for w, f in zip(natural, report.formats, strict=True) if f != TEXT)
    text_cols = [w for w, f in zip(natural, report.formats, strict=True) if f == TEXT]
    room = max(width - fixed, 40.0 * max(1, len(text_cols)))
    scale = room / sum(text_cols) if text_cols else 1.0
    out = [w * scale if f == TEXT else w for w, f in zip(natural, report.formats, strict=True)]
    if sum(out) > width:  # many number columns: squeeze all
        out = [w * width / sum(out) for w in out]
    return out


def _short(text: str, limit: int) -> str:
    out, w = "", 0
    for ch in text:
        cw = 2 if ord(ch) > 0x2E80 else 1
        if w + cw > limit:
            return out + "…"
        out += ch
        w += cw
    return out


def _chart(report: Report, width: float, font: str) -> Any:
    """The report's chart as a reportlab drawing (bars, stacked bars or lines), at most
    ``CHART_MAX`` categories, its legend on top, the value axis titled."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    c = report.chart
    rows = report.rows[:CHART_MAX]
    cat_fmt = report.formats[c.category]
    many = len(rows) > 12
    limit = 16 if many else 20
    cats = [_short(cell_text(r[c.category], cat_fmt), limit) for r in rows]
    data = [[float(r[col] or 0) for r in rows] for col in c.series]
    pct = all(report.formats[col] == PCT for col in c.series)
    label_size = 7
    angle = 35 if many or max(stringWidth(x, font, label_size) for x in cats) > (width - 70) / max(1, len(cats)) else 0
    longest = max(stringWidth(x, font, label_size) for x in cats)
    bottom = 18 + (longest * math.sin(math.radians(angle)) if angle else label_size + 4)
    plot_h = 150.0
    legend_h = 16.0
    height = bottom + plot_h + legend_h + 14
    d = Drawing(width, height)
    chart: Any = HorizontalLineChart() if c.kind == "line" else VerticalBarChart()
    chart.x = 52
    chart.y = bottom
    chart.width = width - chart.x - 10
    chart.height = plot_h
    chart.data = data
    ca = chart.categoryAxis
    ca.categoryNames = cats
    ca.labels.fontName = font
    ca.labels.fontSize = label_size
    if angle:
        ca.labels.angle = angle
        ca.labels.boxAnchor = "ne"
        ca.labels.dx = 2
        ca.labels.dy = -2
    else:
        ca.labels.boxAnchor = "n"
        ca.labels.dy = -3
    va = chart.valueAxis
    va.labels.fontName = font
    va.labels.fontSize = label_size
    va.valueMin = 0
    top = max((v for s in data for v in s), default=0.0)
    if c.kind == "stacked":
        top = max((sum(vals) for vals in zip(*data, strict=True)), default=0.0)
        ca.style = "stacked"
    va.valueMax, va.valueStep = _nice_top(top, pct)
    if pct:
        va.labelTextFormat = _percent_label
    else:
        va.labelTextFormat = _count_label
    va.visibleGrid = True
    va.gridStrokeColor = colors.HexColor("#DDDDDD")
    va.gridStrokeWidth = 0.4
    for k in range(len(c.series)):
        colour = colors.HexColor(PALETTE[k % len(PALETTE)])
        if c.kind == "line":
            chart.lines[k].strokeColor = colour
            chart.lines[k].strokeWidth = 1.8
        else:
            chart.bars[k].fillColor = colour
            chart.bars[k].strokeColor = None
    if c.kind != "line":
        chart.barSpacing = 0.5
        # few categories: narrower bars, not one bar as wide as a third of the page
        chart.groupSpacing = 4 if len(rows) > 20 else max(8, 30 - 2 * len(rows)) * max(1, len(c.series)) / 2
    d.add(chart)
    legend = Legend()
    legend.fontName = font
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 8
    legend.deltax = 10
    legend.autoXPadding = 18
    legend.boxAnchor = "nw"
    legend.x = chart.x + 90
    legend.y = height - 4
    legend.colorNamePairs = [(colors.HexColor(PALETTE[k % len(PALETTE)]), report.columns[col])
                             for k, col in enumerate(c.series)]
    d.add(legend)
    d.add(String(4, height - 12, c.axis_title, fontName=font, fontSize=8, fillColor=colors.HexColor("#444444")))
    if len(report.rows) > CHART_MAX:
        d.add(String(width, height - 12, f"图中为表中前 {CHART_MAX} 项（共 {len(report.rows)} 项）", fontName=font,
                     fontSize=7, textAnchor="end", fillColor=colors.HexColor("#666666")))
    return d


def _heading(text: str, room: float, font: str) -> str:
    """A column heading for the table: a unit or month in brackets goes to a line of its own
    when the heading does not fit, instead of breaking inside it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if "（" in text and stringWidth(text, font, 8) > room:
        head, _sep, tail = text.partition("（")
        return f"{escape(head)}<br/>（{escape(tail)}"
    return escape(text)


def _nice_top(top: float, pct: bool) -> tuple[float, float]:
    """The value axis's top and step: a round step (1, 2, 2.5 or 5 × 10ⁿ), five or so of them."""
    if top <= 0:
        return (1.0, 0.2) if pct else (10.0, 2.0)
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 2.5, 5, 10) if pct or mag >= 10 else (1, 2, 5, 10)  # a count's step is a whole number
    step = next(m * mag for m in steps if m * mag >= raw)
    if not pct and step < 1:
        step = 1.0
    return math.ceil(top / step - 1e-9) * step, step


def _percent_label(v: float) -> str:
    return f"{v * 100:.0f}%"


def _count_label(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"


EXPORTERS: dict[str, Callable[[Report, Path], Path]] = {".xlsx": to_xlsx, ".pdf": to_pdf}
