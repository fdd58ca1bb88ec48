"""The import wizard: a branch's own spreadsheet into the database, in four steps.

1. File and sheet: the person picks a file (and a sheet, when it has several); it is read and
   its header found.
2. Mapping: the header texts with the field each column goes to (guessed, or remembered from a
   file of the same layout), another header row if the guess was wrong, a masked sample of the
   first rows, and what is wrong with the mapping (blocks Next).
3. Preview: what to do with records already in the book (when the kind asks), then every row
   checked (``plan``) with a progress bar and Cancel; the counts per status and the rows,
   refused ones first.
4. Commit: the accepted rows written at once (``commit``), all or nothing, with progress and
   Cancel; the mapping remembered; the change published on ``ctx.changes``; the refused rows
   can be saved to a file (with the reason) to correct and import again.

What is imported is described by an ``ImportKind`` (``CLIENTS`` here; scenario metrics and
nominations plug in with the same shape), so the wizard knows nothing of clients.

Threads: the widgets live on the UI thread, which never reads or writes a file nor runs SQL.
Reading the file, finding the header, ``plan`` and writing the error file run on the wizard's
own worker (``DbThread`` "import-work", a read-only connection, so the client table stays
responsive); ``commit`` and ``remember`` (settings.json) run on the app's writer thread
(``ctx.writer``). Results come back through the tasks' signals (``app.ui.tasks``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.core import cells
from app.core.errors import FieldError
from app.core.masking import mask_id, mask_mobile
from app.core.result import Result
from app.core.roles import Action, Staff
from app.services import import_clients as ic
from app.services.import_files import ImportFileError, Target, data_rows, sheet_names
from app.store.config import Settings
from app.ui.appearance import GOOD_STYLE, muted
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.tasks import DbThread, Task, TaskContext

log = logging.getLogger(__name__)

SAMPLE_ROWS = 5
ERROR_COLOUR = "palette(bright-text)"  # (app.ui.widgets.ERROR_STYLE)
FILE_FILTER_SUFFIXES = "*.xlsx *.xls *.et *.ods *.csv *.txt"

Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], Any]]  # a preview column: its heading, and a row's value


@dataclass(frozen=True)
class Option:
    """A value the person gives once for the whole sheet (shown on the mapping page), passed to
    ``plan`` as ``key=``: a choice (``choices``: value, label) or a text ``parse``d into the
    value (a FieldError when it cannot be: its message blocks Next). Blank is None."""

    key: str
    label: Callable[[], str]
    choices: tuple[tuple[str | None, Callable[[], str]], ...] = ()
    placeholder: Callable[[], str] | None = None
    parse: Callable[[str], Any] | None = None


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import is: its fields, how a file is read, planned, committed and remembered.

    The service's objects are used as they are: ``load(path, settings_extra, sheet, *, header_row)``
    returns a *loaded* sheet (``path``, ``sheet``, ``rows``, ``header`` with ``row``/``rows``/``texts``,
    ``mapping`` column -> target key, ``remembered``); ``importer(db, staff)`` has
    ``plan(loaded, mapping[, on_duplicate], progress=, cancelled=)`` returning a plan (``rows``,
    ``counts()``, ``rejected``) or a FieldError, and ``commit(plan, progress=, cancelled=)``
    returning a ``Result``; ``write_errors(plan, path)`` writes the refused rows and returns how many.
    """

    key: str
    title: Callable[[], str]  # the wizard's title, translated when shown
    targets: Sequence[Target]
    load: Callable[..., Any]
    importer: Callable[[sqlite_utils.Database, Staff], Any]
    mapping_problems: Callable[..., list[str]]  # (mapping, loaded, **options) -> Chinese problems
    remember: Callable[[Settings, Path, Any, Mapping[int, str]], None]
    write_errors: Callable[[Any, Path], int]
    statuses: Mapping[str, str]  # status key -> label (Chinese, shown as it is)
    rejected: str  # the status of a refused row
    writes: frozenset[str]  # the statuses a commit writes
    columns: Callable[[], Sequence[Column]]  # the preview table's columns (headings translated when called)
    permission: Action
    masks: Mapping[str, Callable[[str], str]]  # target key -> how its cells are masked on screen
    duplicates: Mapping[str, str] | None = None  # choice -> label; None: the kind has no duplicate step
    default_duplicate: str | None = None
    duplicate_prompt: Callable[[], str] | None = None
    pairs: Callable[[Any, Any], list[tuple[int, str, str, int, int]]] | None = None
    options: tuple[Option, ...] = ()  # values given once for the sheet (a month, a unit), passed to ``plan``
    # ``plan`` tries each row through the service in a transaction it rolls back (scenario figures,
    # nominations): the worker's connection must be able to write, and holds the write lock meanwhile
    plan_writes: bool = False
    # (line, name, masked ID, record in the book, new record) to merge after a commit (plan, committed value)


def _client_columns() -> list[Column]:
    return [
        (QCoreApplication.translate("ImportKind", "Line"), lambda r: r.line),
        (QCoreApplication.translate("ImportKind", "Status"), lambda r: ic.STATUS.get(r.status, r.status)),
        (QCoreApplication.translate("ImportKind", "Name"), lambda r: r.name),
        (QCoreApplication.translate("ImportKind", "ID number"), lambda r: r.shown_id),
        (QCoreApplication.translate("ImportKind", "Mobile"), lambda r: r.shown_mobile),
        (QCoreApplication.translate("ImportKind", "Village"), lambda r: r.village),
        (QCoreApplication.translate("ImportKind", "Reason"), lambda r: r.reason),
    ]


def _client_pairs(plan: Any, value: Any) -> list[tuple[int, str, str, int, int]]:
    rows = [r for r in plan.rows if r.status == ic.TO_MERGE]
    return [(r.line, r.name, r.shown_id, a, b) for r, (a, b) in zip(rows, value.to_merge, strict=False)]


CLIENTS = ImportKind(
    key="clients",
    title=lambda: QCoreApplication.translate("ImportKind", "Import clients"),
    targets=ic.TARGETS,
    load=ic.load,
    importer=lambda db, staff: ic.ClientImporter(db, staff),
    mapping_problems=lambda mapping, _loaded, **_options: ic.mapping_problems(mapping),
    remember=ic.remember,
    write_errors=ic.write_errors,
    statuses=ic.STATUS,
    rejected=ic.REJECTED,
    writes=frozenset({ic.NEW, ic.UPDATED, ic.TO_MERGE}),
    columns=_client_columns,
    permission=Action.ADD_CLIENT,
    masks={"id_number": mask_id, "mobile": mask_mobile},
    duplicates=ic.ON_DUPLICATE,
    default_duplicate=ic.SKIP,
    duplicate_prompt=lambda: QCoreApplication.translate("ImportKind",
        "When an ID number is already in the client book:"),
    pairs=_client_pairs,
)


def _unit_option() -> Option:
    return Option("unit", lambda: QCoreApplication.translate("ImportKind",
                                                             "Amounts without a unit in their header are in"),
                  ((None, lambda: QCoreApplication.translate("ImportKind", "元 (unless the sheet says)")),
                   ("万元", lambda: "万元")))


def _period(text: str) -> Any:
    from datetime import date

    from app.services import import_metrics as im

    return im.parse_given_period(text, today=date.today())


def _metrics_kind() -> ImportKind:
    from app.services import import_metrics as im

    return ImportKind(
        key="metrics",
        title=lambda: QCoreApplication.translate("ImportKind", "Import scenario figures"),
        targets=im.TARGETS,
        load=im.load,
        importer=lambda db, staff: im.MetricsImporter(db, staff),
        # a month given for the sheet, or named in its title (the importer reads it from there too)
        mapping_problems=lambda mapping, loaded, period=None, **_o: im.mapping_problems(
            mapping, period=period or getattr(loaded, "period", None)),
        remember=im.remember,
        write_errors=im.write_errors,
        statuses=im.STATUS,
        rejected=im.REJECTED,
        writes=frozenset({im.NEW, im.UPDATED}),
        columns=lambda: [
            (QCoreApplication.translate("ImportKind", "Line"), lambda r: r.line),
            (QCoreApplication.translate("ImportKind", "Status"), lambda r: im.STATUS.get(r.status, r.status)),
            (QCoreApplication.translate("ImportKind", "Scenario"), lambda r: r.scenario),
            (QCoreApplication.translate("ImportKind", "Month"), lambda r: r.period),
            (QCoreApplication.translate("ImportKind", "Figures"), lambda r: r.added + r.changed),
            (QCoreApplication.translate("ImportKind", "Reason"), lambda r: r.reason),
        ],
        permission=Action.EDIT_SCENARIO,
        masks={},
        duplicates=im.ON_DUPLICATE,
        default_duplicate=im.SKIP,
        duplicate_prompt=lambda: QCoreApplication.translate("ImportKind", "When the month already has a figure:"),
        plan_writes=True,
        options=(Option("period", lambda: QCoreApplication.translate("ImportKind",
                                    "Month of the whole sheet (when it has no month column)"),
                        placeholder=lambda: "2026-11", parse=_period), _unit_option()),
    )


def _nominations_kind() -> ImportKind:
    from app.services import import_nominations as nm

    return ImportKind(
        key="nominations",
        title=lambda: QCoreApplication.translate("ImportKind", "Import whitelist nominations"),
        targets=nm.TARGETS,
        load=nm.load,
        importer=lambda db, staff: nm.NominationImporter(db, staff),
        mapping_problems=lambda mapping, _loaded, **_o: nm.mapping_problems(mapping),
        remember=nm.remember,
        write_errors=nm.write_errors,
        statuses=nm.STATUS,
        rejected=nm.REJECTED,
        writes=frozenset({nm.NEW}),
        columns=lambda: [
            (QCoreApplication.translate("ImportKind", "Line"), lambda r: r.line),
            (QCoreApplication.translate("ImportKind", "Status"), lambda r: nm.STATUS.get(r.status, r.status)),
            (QCoreApplication.translate("ImportKind", "Name"), lambda r: r.name),
            (QCoreApplication.translate("ImportKind", "ID number"), lambda r: r.shown_id),
            (QCoreApplication.translate("ImportKind", "Cluster"), lambda r: r.cluster),
            (QCoreApplication.translate("ImportKind", "Amount (万元)"),
             lambda r: f"{r.amount_fen / 1_000_000:,.2f}" if r.amount_fen else ""),
            (QCoreApplication.translate("ImportKind", "Expected band"), lambda r: r.band),
            (QCoreApplication.translate("ImportKind", "Reason"), lambda r: r.reason),
        ],
        permission=Action.NOMINATE,
        masks={"id_number": mask_id, "mobile": mask_mobile},
        duplicates=nm.ON_DUPLICATE,
        default_duplicate=nm.SKIP,
        duplicate_prompt=lambda: QCoreApplication.translate("ImportKind",
            "When the person is already nominated or on the whitelist:"),
        plan_writes=True,
        options=(_unit_option(),),
    )


def kind_named(key: str) -> ImportKind:
    """``clients``, ``metrics`` or ``nominations``."""
    return {"clients": lambda: CLIENTS, "metrics": _metrics_kind, "nominations": _nominations_kind}[key]()


# --- masking the sample ---------------------------------------------------------------------------

_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def shown_cell(value: Any, mask: Callable[[str], str] | None = None) -> str:
    """A sample cell as shown on screen: the column's own mask when it is mapped to an ID or phone
    field, and any ID-number-like or phone-like text masked wherever it is. Any thread."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e9:
        text = f"{value:.0f}"  # a number Excel kept as a number: shown (and masked) as its digits
    else:
        text = cells.text(value)
    if not text:
        return ""
    flat = re.sub(r"[\s\-()]", "", text).upper()
    if mask is not None:
        return mask(flat)
    if _ID_IN_TEXT.fullmatch(flat):
        return mask_id(flat)
    phone = cells.phone(text)
    if _MOBILE_IN_TEXT.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return mask_mobile(phone[-11:] if phone.startswith(("86", "+86")) else phone)
    if not (_ID_IN_TEXT.search(text) or _MOBILE_IN_TEXT.search(text)):
        return value.strip() if isinstance(value, str) else text  # as typed (full-width punctuation kept)
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(1).upper()), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m.group(1)), text)


def column_name(col: int) -> str:
    """A spreadsheet's column letters: 0 -> A, 26 -> AA."""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


@dataclass
class _Read:
    """What the worker hands back after reading a sheet."""

    names: list[str]
    loaded: Any
    sample: list[tuple[int, list[Any]]]  # (line, cells) of the first data rows
    count: int  # data rows


# --- the preview table ----------------------------------------------------------------------------


class OutcomeModel(QAbstractTableModel):
    """The planned rows (refused first), optionally only the refused ones. UI thread."""

    def __init__(self, kind: ImportKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.columns = list(kind.columns())
        self.all: list[Any] = []
        self.rows: list[Any] = []
        self.only_rejected = False

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.all = rows
        self.rows = [r for r in rows if r.status == self.kind.rejected] if self.only_rejected else rows
        self.endResetModel()

    def set_only_rejected(self, on: bool) -> None:
        self.only_rejected = on
        self.set_rows(self.all)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.columns[index.column()][1](row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and row.status == self.kind.rejected:
            return QApplication.palette().color(QPalette.ColorRole.BrightText)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


def _table(name: str, headers: Sequence[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    return t


def _error_label(name: str) -> QLabel:
    lab = QLabel()
    lab.setObjectName(name)
    lab.setWordWrap(True)
    lab.setStyleSheet(f"color: {ERROR_COLOUR};")
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


# --- the pages ------------------------------------------------------------------------------------


class FilePage(QWizardPage):
    """Step 1: the file and the sheet."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("File and sheet"))
        self.setSubTitle(self.tr("Choose the spreadsheet to import. Excel (xlsx, xls), WPS (et), OpenDocument"
                                 " (ods), csv and txt files can be read."))
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(self.tr("No file chosen"))
        self.choose = QPushButton(self.tr("Choose file…"))
        self.choose.setObjectName("chooseFile")
        self.sheet_label = QLabel(self.tr("Sheet:"))
        self.sheet = QComboBox()
        self.sheet.setObjectName("sheetChoice")
        self.sheet.setMinimumWidth(220)
        self.busy = QProgressBar()
        self.busy.setObjectName("fileBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(200)
        self.status = QLabel()
        self.status.setObjectName("fileStatus")
        self.status.setWordWrap(True)
        self.error = _error_label("fileError")
        hint = QLabel(self.tr("The row that names the columns (name, ID number, village…) is found by itself,"
                              " even under a title or over two rows; the next step shows it and lets you"
                              " change it. Nothing is written before the last step."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")

        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("File:")))
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet_label)
        sheet_row.addWidget(self.sheet)
        sheet_row.addStretch(1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.busy)
        status_row.addWidget(self.status, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addLayout(sheet_row)
        lay.addSpacing(8)
        lay.addLayout(status_row)
        lay.addWidget(self.error)
        lay.addSpacing(8)
        lay.addWidget(hint)
        lay.addStretch(1)
        for w in (self.sheet_label, self.sheet, self.busy):
            w.setVisible(False)

        self.choose.clicked.connect(self.wiz.choose_file)
        self.sheet.activated.connect(lambda i: self.wiz.choose_sheet(self.sheet.itemText(i)))

    def isComplete(self) -> bool:
        return self.wiz.loaded is not None and not self.wiz.reading

    def validatePage(self) -> bool:
        return self.isComplete()

    def show_state(self) -> None:
        """The file, its sheets and what was read (or why not)."""
        wiz = self.wiz
        self.path.setText(str(wiz.path) if wiz.path else "")
        self.busy.setVisible(wiz.reading)
        self.choose.setEnabled(not wiz.reading)
        self.sheet.setEnabled(not wiz.reading)
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(wiz.sheets)
        if wiz.loaded is not None and isinstance(wiz.loaded.sheet, str):
            self.sheet.setCurrentText(wiz.loaded.sheet)
        self.sheet.blockSignals(False)
        several = len(wiz.sheets) > 1
        self.sheet_label.setVisible(several)
        self.sheet.setVisible(several)
        self.error.setText(wiz.file_error)
        self.error.setVisible(bool(wiz.file_error))
        if wiz.reading:
            self.status.setText(self.tr("Reading the file…"))
        elif wiz.loaded is not None:
            h = wiz.loaded.header
            self.status.setText(
                self.tr("Header found on row %1 (%2 columns); %3 data rows under it.")
                .replace("%1", str(h.row + 1)).replace("%2", str(len(h.texts))).replace("%3", f"{wiz.count:,}"))
        else:
            self.status.setText("")
        self.completeChanged.emit()


class MappingPage(QWizardPage):
    """Step 2: which column goes where, with a masked sample."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("Column mapping"))
        self.setSubTitle(self.tr("Check what each column of the file is. Columns set to “(do not import)” are"
                                 " left out; fields marked * are required."))
        self.header_row = QSpinBox()
        self.header_row.setObjectName("headerRow")
        self.header_row.setMinimum(1)
        self.header_row.setFixedWidth(90)
        self.header_row.setToolTip(self.tr("The row of the file that holds the column names"))
        self.header_note = QLabel()
        self.header_note.setObjectName("headerNote")
        self.remembered = QLabel(self.tr("This mapping was remembered from an earlier file with the same columns."))
        self.remembered.setObjectName("rememberedNote")
        self.remembered.setStyleSheet(GOOD_STYLE)
        self.remembered.setWordWrap(True)
        self.table = _table("mappingTable", [self.tr("Column"), self.tr("Header in the file"), self.tr("Import as")])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(2, 240)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.combos: list[QComboBox] = []
        self.sample_title = QLabel(self.tr("The first rows under the header (ID and phone numbers masked):"))
        self.sample = _table("sampleTable", [])
        self.sample.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.sample.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sample.horizontalHeader().setMinimumSectionSize(60)
        self.sample.verticalHeader().setVisible(True)
        self.sample.verticalHeader().setDefaultSectionSize(24)
        self.problems = _error_label("mappingProblems")

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Header row:")))
        top.addWidget(self.header_row)
        top.addWidget(self.header_note)
        top.addSpacing(16)
        top.addWidget(self.remembered, 1)
        top.addStretch(0)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        self.option_inputs: dict[str, QWidget] = {}
        if wizard.kind.options:
            row = QHBoxLayout()
            for o in wizard.kind.options:
                row.addWidget(QLabel(o.label()))
                if o.choices:
                    box = QComboBox()
                    for value, label in o.choices:
                        box.addItem(label(), value)
                    box.currentIndexChanged.connect(lambda _i, k=o.key, b=box: wizard.set_option(k, b.currentData()))
                    widget: QWidget = box
                else:
                    edit = QLineEdit()
                    edit.setFixedWidth(200)
                    if o.placeholder is not None:
                        edit.setPlaceholderText(o.placeholder())
                    edit.textChanged.connect(lambda text, k=o.key: wizard.set_option(k, text))
                    widget = edit
                widget.setObjectName(f"option_{o.key}")
                self.option_inputs[o.key] = widget
                row.addWidget(widget)
                row.addSpacing(16)
            row.addStretch(1)
            lay.addLayout(row)
        lay.addWidget(self.table, 3)
        lay.addWidget(self.sample_title)
        lay.addWidget(self.sample, 2)
        lay.addWidget(self.problems)

        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(lambda: self.wiz.set_header_row(self.header_row.value()))
        self.header_row.valueChanged.connect(lambda _v: self._debounce.start())

    def initializePage(self) -> None:
        self.show_loaded()

    def isComplete(self) -> bool:
        return self.wiz.loaded is not None and not self.wiz.reading and not self.wiz.problems()

    def validatePage(self) -> bool:
        return self.isComplete()

    def show_loaded(self) -> None:
        """The loaded sheet's header, mapping and sample."""
        wiz = self.wiz
        loaded = wiz.loaded
        if loaded is None:
            return
        h = loaded.header
        self._debounce.stop()
        month = self.option_inputs.get("period")
        if isinstance(month, QLineEdit):  # a month the sheet's title names is used when none is typed
            title = getattr(loaded, "period", None)
            month.setPlaceholderText(self.tr("%1 (from the title)").replace("%1", title) if title else "2026-11")
        self.header_row.blockSignals(True)
        self.header_row.setMaximum(max(1, len(loaded.rows)))
        self.header_row.setValue(h.row + 1)
        self.header_row.blockSignals(False)
        self.header_note.setText(self.tr("(over two rows)") if h.rows == 2 else "")
        self.remembered.setVisible(bool(loaded.remembered))
        self.table.setRowCount(len(h.texts))
        self.combos = []
        for col, text in enumerate(h.texts):
            self.table.setItem(col, 0, QTableWidgetItem(column_name(col)))
            self.table.setItem(col, 1, QTableWidgetItem(text or self.tr("(no header)")))
            combo = QComboBox()
            combo.setObjectName(f"target{col}")
            combo.addItem(self.tr("(do not import)"), None)
            for t in wiz.kind.targets:
                combo.addItem(t.label + (" *" if t.required else ""), t.key)
            key = wiz.mapping.get(col)
            combo.setCurrentIndex(max(0, combo.findData(key)) if key is not None else 0)
            combo.currentIndexChanged.connect(lambda _i, c=col, box=combo: wiz.set_target(c, box.currentData()))
            self.table.setCellWidget(col, 2, combo)
            self.combos.append(combo)
        self.show_sample()
        self.show_problems()

    def show_sample(self) -> None:
        wiz = self.wiz
        loaded = wiz.loaded
        texts = loaded.header.texts
        labels = {t.key: t.label for t in wiz.kind.targets}
        self.sample.setColumnCount(len(texts))
        self.sample.setHorizontalHeaderLabels([
            f"{text or column_name(c)}\n→ {labels.get(wiz.mapping[c], wiz.mapping[c])}" if c in wiz.mapping
            else f"{text or column_name(c)}\n" for c, text in enumerate(texts)])
        self.sample.setRowCount(len(wiz.sample))
        self.sample.setVerticalHeaderLabels([str(line) for line, _row in wiz.sample])
        for r, (_line, row) in enumerate(wiz.sample):
            for c in range(len(texts)):
                mask = wiz.kind.masks.get(wiz.mapping.get(c, ""))
                item = QTableWidgetItem(shown_cell(row[c] if c < len(row) else None, mask))
                if c not in wiz.mapping:
                    item.setForeground(muted())  # a column left out
                self.sample.setItem(r, c, item)

    def show_problems(self) -> None:
        problems = self.wiz.problems()
        shown = list(problems)
        if self.wiz.mapping_error:
            shown.insert(0, self.wiz.mapping_error)
        self.problems.setText("\n".join(shown))
        self.problems.setVisible(bool(shown))
        self.completeChanged.emit()

    def show_reading(self) -> None:
        self.table.setEnabled(not self.wiz.reading)
        self.sample.setEnabled(not self.wiz.reading)
        self.completeChanged.emit()


class PreviewPage(QWizardPage):
    """Step 3: the duplicate choice, then every row checked."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        kind = wizard.kind
        self.setTitle(self.tr("Check"))
        self.setSubTitle(self.tr("Every row is checked by the rules used when it is typed in by hand. Nothing is"
                                 " written yet: the rows that pass are imported in the next step, all at once."))
        self.setCommitPage(True)
        self.duplicates = QGroupBox(kind.duplicate_prompt() if kind.duplicate_prompt else "")
        self.duplicates.setObjectName("duplicateChoice")
        self.choice = QButtonGroup(self)
        dup_row = QHBoxLayout(self.duplicates)
        self.radios: dict[str, QRadioButton] = {}
        for key, label in (kind.duplicates or {}).items():
            b = QRadioButton(label)
            b.setObjectName(f"duplicate_{key}")
            b.setChecked(key == kind.default_duplicate)
            self.choice.addButton(b)
            self.radios[key] = b
            dup_row.addWidget(b)
            b.toggled.connect(lambda on, k=key: on and self.wiz.set_duplicate(k))
        dup_row.addStretch(1)
        self.duplicates.setVisible(kind.duplicates is not None)

        self.status = QLabel()
        self.status.setObjectName("planStatus")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("planProgress")
        self.progress.setMaximumWidth(260)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setObjectName("cancelPlan")
        self.again = QPushButton(self.tr("Check again"))
        self.again.setObjectName("planAgain")
        self.counts = QLabel()
        self.counts.setObjectName("planCounts")
        self.counts.setWordWrap(True)
        font = self.counts.font()
        font.setBold(True)
        self.counts.setFont(font)
        self.error = _error_label("planError")
        self.only_rejected = QCheckBox(self.tr("Show only the rows that did not pass"))
        self.only_rejected.setObjectName("onlyRejected")
        self.model = OutcomeModel(kind, self)
        self.table = QTableView()
        self.table.setObjectName("previewTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)

        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel)
        bar.addWidget(self.again)
        filt = QHBoxLayout()
        filt.addWidget(self.counts, 1)
        filt.addWidget(self.only_rejected)
        lay = QVBoxLayout(self)
        lay.addWidget(self.duplicates)
        lay.addLayout(bar)
        lay.addWidget(self.error)
        lay.addLayout(filt)
        lay.addWidget(self.table, 1)

        self.cancel.clicked.connect(self.wiz.cancel_plan)
        self.again.clicked.connect(self.wiz.start_plan)
        self.only_rejected.toggled.connect(self.model.set_only_rejected)

    def initializePage(self) -> None:
        self.wiz.start_plan()

    def cleanupPage(self) -> None:
        self.wiz.cancel_plan()

    def isComplete(self) -> bool:
        plan = self.wiz.plan
        return plan is not None and self.wiz.planning is None and self.wiz.to_write(plan) > 0

    def validatePage(self) -> bool:
        return self.isComplete()

    def show_state(self) -> None:
        wiz = self.wiz
        running = wiz.planning is not None
        self.progress.setVisible(running)
        self.cancel.setVisible(running)
        self.again.setVisible(not running and wiz.plan is None)
        self.duplicates.setEnabled(not running)
        self.error.setText(wiz.plan_error)
        self.error.setVisible(bool(wiz.plan_error))
        if running:
            self.status.setText(self.tr("Checking %1 rows…").replace("%1", f"{wiz.count:,}"))
            self.counts.setText("")
            self.model.set_rows([])
        elif wiz.plan is not None:
            n = wiz.to_write(wiz.plan)
            self.status.setText(self.tr("%1 rows will be imported when you press Import.").replace("%1", f"{n:,}")
                                if n else self.tr("No row can be imported: see the reasons below."))
            self.counts.setText(wiz.counts_text(wiz.plan))
            self.model.set_rows(wiz.ordered)
            self.table.resizeColumnsToContents()
        else:
            self.status.setText("")
            self.counts.setText("")
            self.model.set_rows([])
        self.completeChanged.emit()


class CommitPage(QWizardPage):
    """Step 4: the rows written, the mapping remembered, the refused rows saved on request."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(self.tr("Import"))
        self.setSubTitle(self.tr("The rows that passed are written in one go: if it is cancelled or fails,"
                                 " nothing is written."))
        self.setFinalPage(True)
        self.status = QLabel()
        self.status.setObjectName("commitStatus")
        self.status.setWordWrap(True)
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.progress = QProgressBar()
        self.progress.setObjectName("commitProgress")
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setObjectName("cancelCommit")
        self.counts = QLabel()
        self.counts.setObjectName("commitCounts")
        self.counts.setWordWrap(True)
        self.error = _error_label("commitError")
        self.pairs_note = QLabel(self.tr("These new clients share an ID number with a client already in the book."
                                         " Merge each pair in the client book (Merge duplicates)."))
        self.pairs_note.setObjectName("pairsNote")
        self.pairs_note.setWordWrap(True)
        self.pairs = _table("mergePairs", [self.tr("Line"), self.tr("Name"), self.tr("ID number"),
                                           self.tr("Client in the book"), self.tr("New client")])
        self.pairs.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.pairs.horizontalHeader().setStretchLastSection(True)
        self.save_errors = QPushButton(self.tr("Save the rows that did not pass…"))
        self.save_errors.setObjectName("saveErrors")
        self.save_errors.setToolTip(self.tr("An Excel file with those rows as they were and the reason for each:"
                                            " correct them there and import that file again."))
        self.saved = QLabel()
        self.saved.setObjectName("errorsSaved")
        self.saved.setWordWrap(True)
        self.saved.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.cancel)
        errors_row = QHBoxLayout()
        errors_row.addWidget(self.save_errors)
        errors_row.addWidget(self.saved, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addLayout(bar)
        lay.addWidget(self.counts)
        lay.addWidget(self.error)
        lay.addLayout(errors_row)
        lay.addWidget(self.pairs_note)
        lay.addWidget(self.pairs, 1)
        lay.addStretch(0)

        self.cancel.clicked.connect(self.wiz.cancel_commit)
        self.save_errors.clicked.connect(self.wiz.choose_error_file)

    def initializePage(self) -> None:
        self.wiz.start_commit()

    def isComplete(self) -> bool:
        return self.wiz.committing is None and self.wiz.commit_done

    def validatePage(self) -> bool:
        return self.isComplete()

    def show_state(self) -> None:
        wiz = self.wiz
        running = wiz.committing is not None
        self.progress.setVisible(running)
        self.cancel.setVisible(running)
        self.error.setText(wiz.commit_error)
        self.error.setVisible(bool(wiz.commit_error))
        result = wiz.result
        ok = result is not None and result.ok
        plan = wiz.plan
        if running:
            self.status.setText(self.tr("Importing %1 rows…").replace("%1", f"{wiz.to_write(plan):,}")
                                if plan is not None else "")
        elif ok:
            self.status.setText(self.tr("Imported. The changes will go to head office at the next sync."))
        elif wiz.cancelled:
            self.status.setText(self.tr("Import cancelled: nothing was written."))
        else:
            self.status.setText(self.tr("Not imported: nothing was written."))
        self.counts.setText(wiz.counts_text(plan) if ok and plan is not None else "")
        self.counts.setVisible(ok)
        rejected = ok and plan is not None and bool(plan.rejected)
        self.save_errors.setVisible(rejected)
        self.save_errors.setEnabled(not wiz.saving)
        self.saved.setVisible(rejected)
        if wiz.saving:
            self.saved.setText(self.tr("Saving…"))
        pairs = wiz.pairs if ok else []
        self.pairs_note.setVisible(bool(pairs))
        self.pairs.setVisible(bool(pairs))
        self.pairs.setRowCount(len(pairs))
        for i, row in enumerate(pairs):
            for j, v in enumerate(row):
                self.pairs.setItem(i, j, QTableWidgetItem(str(v)))
        self.completeChanged.emit()


# --- the wizard -----------------------------------------------------------------------------------


class ImportWizard(QWizard):
    """See the module docstring. Open with ``open()``; ``open_file(path)`` starts it on a file."""

    FILE, MAPPING, PREVIEW, COMMIT = range(4)

    def __init__(self, ctx: AppContext, kind: ImportKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.setObjectName(f"importWizard_{kind.key}")
        self.setWindowTitle(kind.title())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)  # the same look on every platform
        self.setOptions(QWizard.WizardOption.NoBackButtonOnStartPage | QWizard.WizardOption.NoBackButtonOnLastPage
                        | QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))
        self.resize(1040, 720)
        self.setMinimumSize(860, 600)
        store = ctx.store
        readonly = not kind.plan_writes
        self._worker: DbThread | None = DbThread("import-work", lambda: store.connect(readonly=readonly), self)

        # the state the pages show
        self.path: Path | None = None
        self.sheet: str | None = None
        self.sheets: list[str] = []
        self.loaded: Any = None
        self.sample: list[tuple[int, list[Any]]] = []
        self.count = 0
        self.mapping: dict[int, str] = {}
        self.reading = False
        self.file_error = ""
        self.mapping_error = ""
        self._read_gen = 0
        self.duplicate = kind.default_duplicate
        self.option_text: dict[str, str] = {o.key: "" for o in kind.options}
        self.plan: Any = None
        self.ordered: list[Any] = []
        self.planning: Task | None = None
        self.plan_error = ""
        self.committing: Task | None = None
        self.commit_done = False
        self.cancelled = False
        self.commit_error = ""
        self.result: Result | None = None
        self.pairs: list[tuple[int, str, str, int, int]] = []
        self.saving = False
        self.errors_path: Path | None = None
        self.errors_written = 0

        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.commit_page = CommitPage(self)
        for page_id, page in enumerate((self.file_page, self.mapping_page, self.preview_page, self.commit_page)):
            self.setPage(page_id, page)
        self.file_page.show_state()

    # --- step 1: the file --------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the spreadsheet to import"), str(self.path.parent if self.path else Path.home()),
            self.tr("Spreadsheets (%1);;All files (*)").replace("%1", FILE_FILTER_SUFFIXES))
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> Task:
        """Read ``path`` (its first sheet) on the worker."""
        self.path = path
        self.sheet = None
        self.sheets = []
        self.loaded = None
        return self._read(None)

    def choose_sheet(self, name: str) -> Task | None:
        if not name or self.path is None or name == self.sheet:
            return None
        self.sheet = name
        return self._read(None)

    def set_header_row(self, row: int) -> Task | None:
        """Take row ``row`` (1-based, as the spreadsheet numbers it) as the header."""
        if self.loaded is None or self.path is None:
            return None
        if row - 1 == self.loaded.header.row and self.loaded.header.rows == 1:
            return None
        return self._read(row - 1)

    def _read(self, header_row: int | None) -> Task:
        assert self._worker is not None and self.path is not None
        self._read_gen += 1
        gen, path, sheet, kind = self._read_gen, self.path, self.sheet, self.kind
        extra = dict(self.ctx.settings.extra)  # a copy: ``remember`` replaces its entry on the writer thread

        def work(_tc: TaskContext) -> _Read:
            names = sheet_names(path)
            loaded = kind.load(path, extra, sheet, header_row=header_row)
            rows = data_rows(loaded.rows, loaded.header)
            return _Read(names, loaded, rows[:SAMPLE_ROWS], len(rows))

        self.reading = True
        self.file_error = self.mapping_error = ""
        self._show_reading()
        return self._worker.submit(work, success=lambda r: self._was_read(gen, r),
                                   failure=lambda exc, tb: self._not_read(gen, header_row, exc, tb), name="import-read")

    def _was_read(self, gen: int, read: _Read) -> None:
        if gen != self._read_gen:
            return
        self.reading = False
        self.sheets = read.names
        self.loaded = read.loaded
        self.sample = read.sample
        self.count = read.count
        self.mapping = dict(read.loaded.mapping)
        self.plan = None
        self.file_page.show_state()
        if self.currentId() == self.MAPPING:
            self.mapping_page.show_loaded()
        self.mapping_page.show_reading()

    def _not_read(self, gen: int, header_row: int | None, exc: BaseException, tb: str) -> None:
        if gen != self._read_gen:
            return
        self.reading = False
        if isinstance(exc, ImportFileError):
            message = str(exc)
        else:
            show_error(self, type(exc), tb)
            message = self.tr("The file could not be read (%1).").replace("%1", type(exc).__name__)
        if header_row is not None and self.loaded is not None:  # another header row asked for: keep the last
            self.mapping_error = message
            self.mapping_page.show_loaded()
        else:
            self.loaded = None
            self.file_error = message
        self.file_page.show_state()
        self.mapping_page.show_reading()

    def _show_reading(self) -> None:
        self.file_page.show_state()
        self.mapping_page.show_reading()

    # --- step 2: the mapping -----------------------------------------------------------------

    def set_target(self, col: int, key: str | None) -> None:
        """Column ``col`` goes to target ``key`` (None: not imported)."""
        if key is None:
            self.mapping.pop(col, None)
        else:
            self.mapping[col] = key
        self.plan = None
        combo = self.mapping_page.combos[col] if col < len(self.mapping_page.combos) else None
        if combo is not None and combo.currentData() != key:
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(key)) if key is not None else 0)
            combo.blockSignals(False)
        self.mapping_page.show_sample()
        self.mapping_page.show_problems()

    def set_option(self, key: str, text: str | None) -> None:
        """An option of the kind (the month of the sheet, the unit), as typed or chosen."""
        self.option_text[key] = (text or "").strip()
        self.plan = None
        self.mapping_page.show_problems()

    def options(self) -> tuple[dict[str, Any], list[str]]:
        """The options as ``plan`` takes them, and what cannot be read in them (Chinese)."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for o in self.kind.options:
            text = self.option_text.get(o.key, "")
            value: Any = text or None
            if text and o.parse is not None:
                value = o.parse(text)
                if isinstance(value, FieldError):
                    problems.append(value.message.rstrip("。"))
                    value = None
            values[o.key] = value
        return values, problems

    def problems(self) -> list[str]:
        """What is wrong with the mapping and the options (Chinese; empty when they can be used)."""
        if self.loaded is None:
            return []
        values, problems = self.options()
        return problems + self.kind.mapping_problems(self.mapping, self.loaded, **values)

    # --- step 3: the plan --------------------------------------------------------------------

    def set_duplicate(self, choice: str) -> None:
        if choice == self.duplicate:
            return
        self.duplicate = choice
        radio = self.preview_page.radios.get(choice)
        if radio is not None and not radio.isChecked():
            radio.setChecked(True)
        if self.currentId() == self.PREVIEW:
            self.start_plan()

    def to_write(self, plan: Any) -> int:
        """The rows a commit of ``plan`` writes."""
        counts = plan.counts()
        return sum(n for status, n in counts.items() if status in self.kind.writes)

    def counts_text(self, plan: Any) -> str:
        """The counts per status, in the service's words: 新增 12 · 拒绝 3."""
        counts = plan.counts()
        return "　·　".join(f"{self.kind.statuses.get(s, s)} {n:,}" for s, n in counts.items() if n) \
            or self.tr("No data rows.")

    def start_plan(self) -> Task | None:
        """Check every row on the worker (cancelling a check under way)."""
        if self.loaded is None or self._worker is None:
            return None
        self.cancel_plan()
        loaded, mapping, dup, kind, staff = self.loaded, dict(self.mapping), self.duplicate, self.kind, self.ctx.staff
        rejected = kind.rejected
        options, _problems = self.options()

        def work(tc: TaskContext) -> tuple[Any, list[Any]]:
            importer = kind.importer(tc.db, staff)
            if kind.duplicates is None:
                plan = importer.plan(loaded, mapping, progress=tc.progress, cancelled=tc.cancelled, **options)
            else:
                plan = importer.plan(loaded, mapping, dup, progress=tc.progress, cancelled=tc.cancelled, **options)
            if isinstance(plan, FieldError):
                return plan, []
            return plan, sorted(plan.rows, key=lambda r: (r.status != rejected, r.line))

        self.plan = None
        self.ordered = []
        self.plan_error = ""
        page = self.preview_page
        page.progress.setRange(0, 0)
        task = self._worker.submit(work, name="import-plan")
        task.succeeded.connect(lambda value, t=task: self._planned(t, value))
        task.failed.connect(lambda exc, tb, t=task: self._plan_failed(t, exc, tb))
        task.progressed.connect(lambda done, total: (page.progress.setRange(0, max(total, 1)),
                                                     page.progress.setValue(done)))
        self.planning = task
        page.show_state()
        return task

    def cancel_plan(self) -> None:
        if self.planning is not None:
            self.planning.cancel()
            self.planning = None
            self.plan_error = self.tr("Check cancelled.")
            self.preview_page.show_state()

    def _planned(self, task: Task, value: tuple[Any, list[Any]]) -> None:
        if task is not self.planning:
            return
        self.planning = None
        plan, ordered = value
        if isinstance(plan, FieldError):
            self.plan_error = plan.message
        else:
            self.plan, self.ordered = plan, ordered
        self.preview_page.show_state()

    def _plan_failed(self, task: Task, exc: BaseException, tb: str) -> None:
        if task is not self.planning:
            return  # cancelled (or superseded) already
        self.planning = None
        if task.is_cancelled:
            self.plan_error = self.tr("Check cancelled.")
        else:
            show_error(self, type(exc), tb)
            self.plan_error = self.tr("The rows could not be checked (%1).").replace("%1", type(exc).__name__)
        self.preview_page.show_state()

    # --- step 4: the commit ------------------------------------------------------------------

    def start_commit(self) -> Task | None:
        """Write the plan on the writer thread, then remember the mapping."""
        plan, loaded, mapping, kind = self.plan, self.loaded, dict(self.mapping), self.kind
        if plan is None or self.committing is not None or self.commit_done:
            return None
        staff, settings, data_dir = self.ctx.staff, self.ctx.settings, self.ctx.store.data_dir

        def work(tc: TaskContext) -> Result:
            result = kind.importer(tc.db, staff).commit(plan, progress=tc.progress, cancelled=tc.cancelled)
            if result.ok:
                try:
                    kind.remember(settings, data_dir, loaded, mapping)
                except OSError as exc:  # the import stands; only the mapping is not kept
                    log.warning("import mapping not remembered: %s", type(exc).__name__)
            return result

        page = self.commit_page
        page.progress.setRange(0, 0)
        task = self.ctx.writer.submit(work, success=self._committed, failure=self._commit_failed,
                                      name="import-commit")
        task.progressed.connect(lambda done, total: (page.progress.setRange(0, max(total, 1)),
                                                     page.progress.setValue(done)))
        self.committing = task
        self.cancelled = False
        page.show_state()
        return task

    def cancel_commit(self) -> None:
        """Ask the commit to stop: it writes nothing unless it was already past its last check."""
        if self.committing is not None:
            self.committing.cancel()
            self.commit_page.cancel.setEnabled(False)
            self.commit_page.status.setText(self.tr("Cancelling…"))

    def _committed(self, result: Result) -> None:
        task, self.committing = self.committing, None
        self.commit_done = True
        self.result = result
        if result.ok:
            self.ctx.changes.publish(result.changes, self)
            self.pairs = self.kind.pairs(self.plan, result.value) if self.kind.pairs else []
        elif task is not None and task.is_cancelled:
            self.cancelled = True
        else:
            self.commit_error = result.message
        self.commit_page.show_state()

    def _commit_failed(self, exc: BaseException, tb: str) -> None:
        self.committing = None
        self.commit_done = True
        show_error(self, type(exc), tb)
        self.commit_error = self.tr("The import failed (%1); nothing was written.").replace("%1", type(exc).__name__)
        self.commit_page.show_state()

    # --- the refused rows ----------------------------------------------------------------------

    def choose_error_file(self) -> None:
        if self.plan is None or self.path is None:
            return
        suggested = self.path.with_name(f"{self.path.stem}_未通过的行.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the rows that did not pass"), str(suggested),
                                              self.tr("Excel workbook (*.xlsx)"))
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.save_errors(Path(path))

    def save_errors(self, path: Path) -> Task | None:
        """Write the refused rows (with the reason) to ``path`` on the worker."""
        plan, kind = self.plan, self.kind
        if plan is None or self._worker is None or self.saving:
            return None
        self.saving = True
        self.errors_path = None
        self.commit_page.show_state()
        return self._worker.submit(lambda _tc: kind.write_errors(plan, path),
                                   success=lambda n: self._errors_saved(path, n),
                                   failure=self._errors_failed, name="import-errors")

    def _errors_saved(self, path: Path, n: int) -> None:
        self.saving = False
        self.errors_path, self.errors_written = path, n
        self.commit_page.show_state()
        self.commit_page.saved.setStyleSheet("")
        self.commit_page.saved.setText(
            self.tr("%1 rows saved to %2: correct them there and import that file again.")
            .replace("%1", f"{n:,}").replace("%2", str(path)))

    def _errors_failed(self, exc: BaseException, tb: str) -> None:
        self.saving = False
        self.commit_page.show_state()
        if isinstance(exc, ImportFileError):
            message = str(exc)
        else:
            show_error(self, type(exc), tb)
            message = self.tr("The file could not be written (%1).").replace("%1", type(exc).__name__)
        self.commit_page.saved.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.commit_page.saved.setText(message)

    # --- closing -------------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel: a check under way stops; a commit under way is asked to stop, and the wizard stays
        open until it says whether anything was written."""
        if self.committing is not None:
            self.cancel_commit()
            return
        self.cancel_plan()
        super().reject()

    def done(self, result: int) -> None:
        super().done(result)
        self.shutdown()

    def shutdown(self) -> None:
        """Stop the worker thread (after its current task). Idempotent."""
        if self.planning is not None:
            self.planning.cancel()
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.shutdown()


def open_import(ctx: AppContext, key: str, parent: QWidget | None = None) -> ImportWizard:
    """Open the wizard for ``clients``, ``metrics`` or ``nominations`` (window-modal); it frees
    itself when closed. UI thread."""
    wizard = ImportWizard(ctx, kind_named(key), parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    return wizard
