"""Printing a worksheet from the app: render in the background (progress, cancel), preview
(QtPdf's QPdfView), print through the system dialog (QPrinter) or save as PDF.

The sheet is planned on the writer's connection (its number is a write), rendered to a
temporary file on this dialog's own thread (no database), then kept on the writer (its rows
for keying back, the audit of an unmasked print). Printing paints page images onto the
QPrinter on the same background thread, so a long sheet never freezes the window; a
cancelled render keeps nothing. UI thread unless said otherwise.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPointF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.result import Result
from app.printing.sheet import Cancelled, render
from app.services.sheets import Plan, SheetService
from app.store.reference import ReferenceData
from app.ui.context import AppContext
from app.ui.tasks import DbThread, Task, TaskContext
from app.ui.widgets import ERROR_STYLE

PlanFn = Callable[[SheetService], Result[Plan]]


def print_pages(pdf: Path, printer: QPrinter, tc: TaskContext) -> int:
    """Paint each page of ``pdf`` onto ``printer`` at its resolution, fitted to the page.
    Background thread (QPainter on a QPrinter is allowed off the UI thread). Returns pages."""
    doc = QPdfDocument()
    doc.load(str(pdf))
    total = doc.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("打印机无法开始打印。")
    try:
        dpi = printer.resolution()
        for i in range(total):
            if tc.cancelled():
                printer.abort()
                raise Cancelled
            if i:
                printer.newPage()
            area = printer.pageLayout().paintRectPixels(dpi)
            size = doc.pagePointSize(i)
            scale = min(area.width() / size.width(), area.height() / size.height())
            image = doc.render(i, QSize(int(size.width() * scale), int(size.height() * scale)))
            painter.drawImage(QPointF(0, 0), image)
            tc.progress(i + 1, total)
    finally:
        painter.end()
        doc.close()
    return total


class SheetPrintDialog(QDialog):
    """One worksheet: rendered, previewed, printed or saved."""

    def __init__(self, ctx: AppContext, title: str, plan: PlanFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("sheetPrintDialog")
        self.setWindowTitle(title)
        self.resize(1000, 760)
        self._plan_fn = plan
        self._plan: Plan | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="branchdesk-sheet-"))
        self.pdf_path = self._dir / "sheet.pdf"
        self._thread = DbThread("sheet-pdf", None, self)  # PDF work: no database
        self._task: Task | None = None
        self.number = ""
        self.pages = 0

        self.status = QLabel(self.tr("Preparing the sheet…"))
        self.status.setObjectName("sheetStatus")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("sheetProgress")
        self.progress.setRange(0, 0)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("sheetCancel")
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("sheetPreview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setObjectName("sheetPrint")
        self.save_button = QPushButton(self.tr("Save as PDF…"))
        self.save_button.setObjectName("sheetSave")
        close = QPushButton(self.tr("Close"))
        close.setObjectName("sheetClose")
        for b in (self.print_button, self.save_button):
            b.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        lay.addLayout(buttons)

        self.cancel_button.clicked.connect(self.cancel)
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button.clicked.connect(self.choose_file)
        close.clicked.connect(self.reject)
        self._start()

    # --- plan, render, keep ------------------------------------------------------------------

    def _start(self) -> None:
        staff = self.ctx.staff

        def plan(tc: TaskContext) -> Result[Plan]:
            assert tc.db is not None
            return self._plan_fn(SheetService(tc.db, staff, ReferenceData(tc.db)))

        self.ctx.writer.submit(plan, success=self._planned, failure=self._failed, name="sheet-plan")

    def _planned(self, result: Result[Plan]) -> None:
        if not result.ok:
            self._stop(result.message, error=True)
            return
        self._plan = plan = result.value
        if not plan.sheet.rows:
            from app.services.sheets import empty

            self._stop(empty(plan).message, error=True)
            return
        total = len(plan.sheet.rows)
        self.status.setText(self.tr("Rendering %1 rows…").replace("%1", f"{total:,}"))
        self.progress.setRange(0, total)
        out = self.pdf_path

        def work(tc: TaskContext) -> int:
            return render(plan.sheet, out, progress=tc.progress, cancelled=tc.cancelled)

        self._task = self._thread.submit(work, success=self._rendered, failure=self._failed, name="sheet-render")
        self._task.progressed.connect(lambda done, _total: self.progress.setValue(done))

    def _rendered(self, pages: int) -> None:
        self._task = None
        self.pages = pages
        plan = self._plan
        assert plan is not None
        staff = self.ctx.staff

        def keep(tc: TaskContext) -> None:
            assert tc.db is not None
            SheetService(tc.db, staff, ReferenceData(tc.db)).keep(plan)

        self.ctx.writer.submit(keep, success=lambda _r: self._kept(), failure=self._failed, name="sheet-keep")

    def _kept(self) -> None:
        assert self._plan is not None
        self.number = self._plan.sheet.number
        self.document.load(str(self.pdf_path))
        self.progress.hide()
        self.cancel_button.hide()
        self.status.setText(self.tr("Sheet %1: %2 rows, %3 pages. Key it back later by its number or any"
                                    " row's QR code.").replace("%1", self.number)
                            .replace("%2", str(len(self._plan.sheet.rows))).replace("%3", str(self.pages)))
        for b in (self.print_button, self.save_button):
            b.setEnabled(True)
        self.print_button.setFocus()

    def _failed(self, exc: BaseException, tb: str) -> None:
        self._task = None
        if isinstance(exc, Cancelled):
            self._stop(self.tr("Cancelled: nothing was printed or kept."))
            return
        if isinstance(exc, OSError):
            self._stop(self.tr("The sheet could not be written: %1").replace("%1", exc.strerror or str(exc)),
                       error=True)
            return
        from app.ui.errors import show_error

        self._stop(self.tr("The sheet could not be made."), error=True)
        show_error(self, type(exc), tb)

    def _stop(self, message: str, *, error: bool = False) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.status.setText(message)
        self.status.setStyleSheet(ERROR_STYLE if error else "")

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.status.setText(self.tr("Cancelling…"))

    # --- print and save --------------------------------------------------------------------------

    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.number)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> Task:
        """Print the rendered sheet on ``printer``, in the background with progress."""
        self.print_button.setEnabled(False)
        self.progress.setRange(0, self.pages)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Printing…"))
        pdf = self.pdf_path
        self._printer = printer  # kept alive until the job ends

        def done(pages: int) -> None:
            self._task = None
            self.progress.hide()
            self.cancel_button.hide()
            self.print_button.setEnabled(True)
            self.status.setText(self.tr("Sent %1 pages to the printer.").replace("%1", str(pages)))

        def failed(exc: BaseException, tb: str) -> None:
            self.print_button.setEnabled(True)
            self._failed(exc, tb)

        self._task = self._thread.submit(lambda tc: print_pages(pdf, printer, tc), success=done, failure=failed,
                                         name="sheet-print")
        self._task.progressed.connect(lambda n, _t: self.progress.setValue(n))
        return self._task

    def choose_file(self) -> None:
        suggested = str(Path.home() / f"{self.number}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the sheet as PDF"), suggested,
                                              self.tr("PDF files (*.pdf)"))
        if path:
            self.save_to(Path(path))

    def save_to(self, target: Path) -> bool:
        """Copy the rendered PDF to ``target`` (.pdf added if missing). Small: UI thread."""
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            shutil.copyfile(self.pdf_path, target)
        except OSError as exc:
            self._stop(self.tr("Could not save to %1: %2").replace("%1", str(target))
                       .replace("%2", exc.strerror or str(exc)), error=True)
            return False
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Saved to %1.").replace("%1", str(target)))
        return True

    # --- closing -----------------------------------------------------------------------------------

    def done(self, code: int) -> None:
        if self._task is not None:
            self._task.cancel()
        self.document.close()
        self._thread.shutdown()
        shutil.rmtree(self._dir, ignore_errors=True)
        super().done(code)


def sheet_manager(ctx: AppContext, parent: QWidget, managers: dict[str, str], current: str | None) -> str | None:
    """Whose sheet to print: a manager prints their own; the branch head the manager chosen in
    the screen's filter (``current``), else picks one. None when the person cancels."""
    from app.core.roles import Role

    if Role(ctx.staff.role) == Role.MANAGER:
        return ctx.staff.code
    if current:
        return current
    if not managers:
        return None
    codes = sorted(managers)
    items = [f"{managers[c]}（{c}）" for c in codes]
    chosen, ok = QInputDialog.getItem(parent, QCoreApplication.translate("SheetPrintDialog", "Print a worksheet"),
                                      QCoreApplication.translate("SheetPrintDialog", "For which manager?"),
                                      items, 0, False)
    return codes[items.index(chosen)] if ok and chosen in items else None


def open_sheet(ctx: AppContext, parent: QWidget, title: str, plan: PlanFn) -> SheetPrintDialog:
    """Open the print dialog for a sheet (non-modal; returned for tests)."""
    dialog = SheetPrintDialog(ctx, title, plan, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog

