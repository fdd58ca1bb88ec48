"""A printed worksheet (工作单): A4 with the branch, manager, date and sheet number at the top
of every page, 第 X 页 共 Y 页 at the bottom, one table row per client with a QR code that
holds the sheet number and the row (so a returned sheet leads straight back to its records).

Built with reportlab platypus in the bundled WenQuanYi font, embedded as a subset: the PDF
prints the same on any PC and its text can be extracted. Pure rendering: the services decide
what goes on a sheet (and mask it). Runs on a worker thread or the CLI's main thread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.tables import CellStyle

from app.printing.fonts import register_pdf_font

QR_MM = 14


@dataclass(frozen=True)
class Row:
    ref: str  # the record the row leads back to (kept with the sheet's rows on this PC)
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
    by_label: str = "客户经理"  # who the sheet is for (a report says who made it: 制表人)


class Cancelled(Exception):
    """The person cancelled a long render; nothing was written."""


# reportlab's encoder rebuilds the Reed-Solomon generator polynomial for every code (ten
# polynomial products): it depends only on the number of error-correction bytes and is never
# changed by its callers, so it is built once per length.
qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(functools.cache(qrencoder.QRUtil.getErrorCorrectPolynomial))

QR_MASK = 2  # a fixed mask pattern: any of the eight is valid and every reader takes it
QR_QUIET = 2  # modules of white around the code, inside the cell's own white padding


QR_LEVEL = qrencoder.QRErrorCorrectLevel.M


@functools.cache
def _template(version: int, mask: int) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int, bool], ...]]:
    """reportlab's function patterns of one version and mask (finders, timing, format bits),
    and each data module's place in placement order with its mask bit: the same for every
    code of that version, so laid out once."""
    code = qrencoder.QRCode(version, QR_LEVEL)
    code.addData("0")
    code.makeImpl(False, mask)
    flip = qrencoder.QRUtil.getMask(mask)
    places = tuple((row, col, bool(flip(row, col))) for col, row in code.dataPosIterator())
    return tuple(tuple(bool(m) for m in row) for row in code.modules), places


def qr_modules(value: str) -> list[list[bool]]:
    """The dark modules of ``value``'s QR code (level M), from reportlab's QR encoder: the
    same matrix as ``QRCode.makeImpl(False, QR_MASK)`` (a test holds them equal).

    The encoder's own ``make()`` tries all eight mask patterns and scores each, 3 ms a code
    in pure Python; one fixed pattern is as valid and every reader takes it (the score only
    helps large codes under poor light). The function patterns and the data modules' order
    are laid out once per version, so a code costs reportlab's data and error-correction
    bytes plus their placement. A sheet reference such as ``M261202-0001:17`` is upper-case
    alphanumeric, which keeps the code at version 1 (21 × 21)."""
    code = qrencoder.QRCode(None, QR_LEVEL)
    code.addData(value)
    version = code.calculate_version()
    data = qrencoder.QRCode.createData(version, QR_LEVEL, code.dataList)
    base, places = _template(version, QR_MASK)
    modules = [list(row) for row in base]
    bits = [bool((byte >> i) & 1) for byte in data for i in range(7, -1, -1)]
    bits += [False] * (len(places) - len(bits))  # remainder bits
    for (row, col, flip), bit in zip(places, bits, strict=True):
        modules[row][col] = bit != flip
    return modules


class QrCode(Flowable):
    """A QR code drawn straight onto the page: one ``re`` operator per run of dark modules,
    in module units under one scaling, filled at once (no drawing objects: 0.1 ms a code).
    ``on_draw`` is called as the code is drawn, so a long render reports progress and can
    be cancelled while reportlab lays out the pages."""

    def __init__(self, value: str, size_mm: float = QR_MM, on_draw: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.value = value
        self.width = self.height = size_mm * mm
        self.on_draw = on_draw

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        if self.on_draw is not None:
            self.on_draw()
        modules = qr_modules(self.value)
        n = len(modules)
        side = n + 2 * QR_QUIET
        ops = []
        for r, row in enumerate(modules):
            y = side - QR_QUIET - 1 - r
            c = 0
            while c < n:
                if row[c]:
                    start = c
                    while c < n and row[c]:
                        c += 1
                    ops.append(f"{start + QR_QUIET} {y} {c - start} 1 re")
                else:
                    c += 1
        box = self.width / side
        self.canv.saveState()
        self.canv.transform(box, 0, 0, box, 0, 0)
        self.canv.addLiteral("0 g\n" + "\n".join(ops) + "\nf")
        self.canv.restoreState()


def qr(value: str, size_mm: float = QR_MM, on_draw: Callable[[], None] | None = None) -> QrCode:
    """A QR code of ``value``, ``size_mm`` square, as a flowable for a table cell."""
    return QrCode(value, size_mm, on_draw)


def row_code(number: str, row: int) -> str:
    """What a row's QR code holds: the sheet number and the row, e.g. ``M261202-0001:17``."""
    return f"{number}:{row}"


class Heading(str):
    """A village heading's text: marks its row for ``SheetTable``."""


class SheetTable(LongTable):
    """A table whose pages never end on a village heading: the heading goes over with its
    first row. (reportlab's NOSPLIT does the same, but recomputes every range of the whole
    table at each page break: 40% of a 1,000-row sheet's time, growing with the square.)"""

    def _getFirstPossibleSplitRowPosition(self, availHeight: float, ignoreSpans: int = 0) -> int:
        n = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans)
        while n > 1 and isinstance(self._cellvalues[n - 1][0], Heading):
            n -= 1
        return n


def _row_heights(data: list[list], cell_styles: list[list[CellStyle]], widths: list[float]) -> list[float]:
    """Each row's height, as reportlab's table would size it (text lines at the style's leading,
    a flowable wrapped in its cell, plus padding). Given to the table up front: reportlab 5
    sizes a table without spans by rescanning its list of heights for each row, which took
    35 s before the first page of a 20,000-row sheet."""
    def height(v: object, s: CellStyle, w: float) -> float:
        if isinstance(v, Flowable):
            t = v.wrap(w - s.leftPadding - s.rightPadding, 72000)[1]
        else:
            t = (s.leading or 1.2 * s.fontsize) * len(str(v).split("\n"))
        return t + s.topPadding + s.bottomPadding
    return [max(height(v, s, w) for v, s, w in zip(row, styles, widths, strict=True))
            for row, styles in zip(data, cell_styles, strict=True)]


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
            head = f"{sheet.branch}　{sheet.by_label}：{sheet.manager}　日期：{sheet.date}"
            self.drawString(15 * mm, h - 12 * mm, head)
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
    grey = colors.grey
    # Cell styles (font, alignment) are shared: one list for the column headers, one for every
    # body row, one for every village heading. reportlab otherwise makes a style object per
    # cell and sets each command on each: 100,000 of them on a 10,000-row sheet.
    def row_styles(name: str, size: float) -> list[CellStyle]:
        out = []
        for j in range(len(headers)):
            st = CellStyle(f"{name}{j}")
            st.fontname, st.fontsize, st.leading, st.valign = font, size, size * 1.2, "MIDDLE"
            out.append(st)
        return out

    header_styles, body_styles, heading_styles = row_styles("h", 8.5), row_styles("b", 8.5), row_styles("v", 9.5)
    body_styles[-1].alignment = "CENTER"
    cell_styles = [header_styles]
    styles = [
        ("BOX", (0, 0), (-1, -1), 0.4, grey),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, grey),
        ("LINEAFTER", (0, 0), (-1, 0), 0.4, grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
    ]
    # A village heading is a row whose text runs across the empty cells after it (a SPAN
    # would make reportlab recompute every span at each page break: a third of the time);
    # the column lines are drawn block by block between headings, not through them.
    block_start = 1

    def close_block(end: int) -> None:
        if end >= block_start:
            styles.append(("LINEAFTER", (0, block_start), (-1, end), 0.4, grey))
    pad = 12  # the table's default left and right cell padding, in points
    fits = [w * mm - pad for _, w in sheet.columns]

    def cell_of(text: str, col: int) -> object:
        # Cells are plain text (a note may hold "<" or "&"). A Paragraph costs ~0.2 ms to lay
        # out, so it is used only where a line does not fit its column and must wrap.
        if not text:
            return ""
        if all(stringWidth(line, font, 8.5) <= fits[col] for line in text.split("\n")):
            return text  # the table draws each line as it is
        return Paragraph(escape(text).replace("\n", "<br/>"), cell)

    total = len(sheet.rows)
    drawn = 0

    def tick() -> None:
        # called as each row's QR code is drawn, on the rendering thread
        nonlocal drawn
        drawn += 1
        if cancelled is not None and drawn % 50 == 0 and cancelled():
            raise Cancelled
        if progress is not None and drawn % 100 == 0:
            progress(drawn, total)

    group = None
    for n, r in enumerate(sheet.rows, 1):
        if r.group and r.group != group:
            group = r.group
            close_block(len(data) - 1)
            data.append([r.group] + [""] * (len(headers) - 1))  # plain text, drawn as it is
            at = len(data) - 1
            data[at][0] = Heading(r.group)
            cell_styles.append(heading_styles)
            styles.append(("BACKGROUND", (0, at), (-1, at), colors.HexColor("#f4f4f4")))
            block_start = len(data)
        code = qr(row_code(sheet.number, n), on_draw=tick)
        data.append([str(n), *(cell_of(c, i) for i, c in enumerate(r.cells)), code])
        cell_styles.append(body_styles)
    close_block(len(data) - 1)
    if cancelled is not None and cancelled():
        raise Cancelled
    table = SheetTable(data, colWidths=widths, rowHeights=_row_heights(data, cell_styles, widths), repeatRows=1,
                       cellStyles=cell_styles)
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
