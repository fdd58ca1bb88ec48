"""A printed worksheet (工作单): A4 with the branch, manager, date and sheet number at the top
of every page, 第 X 页 共 Y 页 at the bottom, one table row per client with a QR code that
holds the sheet number and the row (so a returned sheet leads straight back to its records).

Built with reportlab platypus in the bundled WenQuanYi font, embedded as a subset: the PDF
prints the same on any PC and its text can be extracted. Pure rendering: the services decide
what goes on a sheet (and mask it). Runs on a worker thread or the CLI's main thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from app.printing.fonts import register_pdf_font

QR_MM = 14


@dataclass(frozen=True)
class Row:
    ref: str  # what the row's QR code holds after the sheet number: the record it leads back to
    cells: Sequence[str]
    group: str = ""  # a village heading: rows are printed under it in the order given


@dataclass(frozen=True)
class Sheet:
    number: str  # unique on this PC, printed on every page and in every QR code
    title: str
    branch: str
    manager: str
    date: str
    columns: Sequence[tuple[str, float]]  # header, width in mm
    rows: Sequence[Row]
    intro: Sequence[str] = ()  # lines under the title: the script's summary, the risk line…
    wide: bool = False  # landscape
    footnote: str = ""
    meta: dict[str, str] = field(default_factory=dict)


class Cancelled(Exception):
    """The person cancelled a long render; nothing was written."""


def qr(value: str, size_mm: float = QR_MM) -> Drawing:
    """A QR code (reportlab's own widget) of ``value`` as a drawing ``size_mm`` square."""
    w = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = w.getBounds()
    size = size_mm * mm
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    d.add(w)
    return d


def _numbered(sheet: Sheet, font: str) -> type[pdfcanvas.Canvas]:
    """A canvas that knows the page count when it saves, for 第 X 页 共 Y 页 on every page."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = self._pagesize
            self.setFont(font, 9)
            self.drawString(15 * mm, h - 12 * mm, f"{sheet.branch}　客户经理：{sheet.manager}　日期：{sheet.date}")
            self.drawRightString(w - 15 * mm, h - 12 * mm, f"工作单号：{sheet.number}")
            self.line(15 * mm, h - 14 * mm, w - 15 * mm, h - 14 * mm)
            self.drawCentredString(w / 2, 9 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
            if sheet.footnote:
                self.setFont(font, 7.5)
                self.drawString(15 * mm, 9 * mm, sheet.footnote)

    return NumberedCanvas


def render(sheet: Sheet, path: Path, *, progress: Callable[[int, int], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> int:
    """Write the sheet to ``path`` (a temporary file first, then moved: a cancelled or failed
    render leaves nothing half-written). Returns the number of pages."""
    font = register_pdf_font()
    size = landscape(A4) if sheet.wide else A4
    tmp = path.with_name(path.name + ".part")
    doc = SimpleDocTemplate(str(tmp), pagesize=size, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=16 * mm, title=f"{sheet.title} {sheet.number}", author=sheet.branch,
                            subject=sheet.number)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=19, spaceAfter=2 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=10.5)
    story: list = [Paragraph(sheet.title, title)]
    story += [Paragraph(line, body) for line in sheet.intro]
    story.append(Spacer(1, 3 * mm))
    headers = ["序号", *(h for h, _ in sheet.columns), "二维码"]
    widths = [10 * mm, *(w * mm for _, w in sheet.columns), (QR_MM + 2) * mm]
    data: list[list] = [[Paragraph(h, cell) for h in headers]]
    styles = [
        ("FONT", (0, 0), (-1, -1), font, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (-1, 1), (-1, -1), "CENTER"),
    ]
    group = None
    total = len(sheet.rows)
    for n, r in enumerate(sheet.rows, 1):
        if cancelled is not None and cancelled():
            raise Cancelled
        if r.group and r.group != group:
            group = r.group
            data.append([Paragraph(f"<b>{r.group}</b>", cell)] + [""] * (len(headers) - 1))
            styles += [("SPAN", (0, len(data) - 1), (-1, len(data) - 1)),
                       ("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), colors.HexColor("#f4f4f4"))]
        data.append([str(n), *(Paragraph(c or "", cell) for c in r.cells), qr(f"{sheet.number}#{n}#{r.ref}")])
        if progress is not None and n % 200 == 0:
            progress(n, total)
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(styles))
    story.append(table)
    try:
        doc.build(story, canvasmaker=_numbered(sheet, font))
        if cancelled is not None and cancelled():
            raise Cancelled
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(total, total)
    return doc.page
