"""The nomination form with its live scorecard pre-check, and the automatic split's preview.
UI thread; the scorecards are read and the nomination written on the database threads
(the evaluation itself is pure and takes well under a millisecond, so it runs as you type).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.money import format_wan
from app.core.result import Result
from app.core.whitelist import PRODUCTS
from app.services.whitelist import WhitelistService
from app.ui.tasks import DbThread, TaskContext
from app.ui.widgets import ERROR_STYLE
from sync.protocol.scorecard import INPUTS, Evaluation, Scorecard, ScorecardError, evaluate, parse


class NominationDialog(QDialog):
    """Propose a farmer or micro business; ``submitted(result)`` once written."""

    submitted = Signal(object)

    def __init__(self, reader: DbThread, writer: DbThread, service, clusters: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Nominate a client for the whitelist"))
        self.reader, self.writer, self.service = reader, writer, service
        self.cards: dict[str, Scorecard] = {}
        self.evaluation: Evaluation | None = None
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        who = QGroupBox(self.tr("Who"))
        form = QFormLayout(who)
        self.name = QLineEdit()
        self.name.setObjectName("nomName")
        self.id_number = QLineEdit()
        self.id_number.setObjectName("nomIdNumber")
        self.cluster = QComboBox()
        self.cluster.setObjectName("nomCluster")
        for code, label in clusters:
            self.cluster.addItem(label, code)
        self.product = QComboBox()
        for code, label in PRODUCTS.items():
            self.product.addItem(label, code)
        self.amount = QLineEdit()
        self.amount.setObjectName("nomAmount")
        self.amount.setPlaceholderText(self.tr("e.g. 10万"))
        self.reason = QLineEdit()
        self.reason.setObjectName("nomReason")
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("ID number"), self.id_number)
        form.addRow(self.tr("Cluster"), self.cluster)
        form.addRow(self.tr("Product"), self.product)
        form.addRow(self.tr("Suggested limit"), self.amount)
        form.addRow(self.tr("Why"), self.reason)
        left.addWidget(who)
        inputs = QGroupBox(self.tr("Scorecard inputs (amounts in 10k yuan)"))
        grid = QGridLayout(inputs)
        self.inputs: dict[str, QWidget] = {}
        for i, inp in enumerate(INPUTS):
            if inp.choices:
                w: QWidget = QComboBox()
                w.addItem("—", "")
                for value, label in inp.choices:
                    w.addItem(label, value)
                w.currentIndexChanged.connect(self.recheck)
            else:
                w = QLineEdit()
                w.setPlaceholderText(inp.unit)
                w.textChanged.connect(self.recheck)
            w.setObjectName(f"in_{inp.key}")
            self.inputs[inp.key] = w
            grid.addWidget(QLabel(inp.label), i // 2, (i % 2) * 2)
            grid.addWidget(w, i // 2, (i % 2) * 2 + 1)
        left.addWidget(inputs)
        self.error = QLabel()
        self.error.setObjectName("nomError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        left.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Submit nomination"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        left.addWidget(self.buttons)
        outer.addLayout(left, 3)

        right = QGroupBox(self.tr("Pre-check with head office's scorecard"))
        rl = QVBoxLayout(right)
        self.result = QLabel(self.tr("Loading the scorecards…"))
        self.result.setObjectName("nomResult")
        self.result.setWordWrap(True)
        f = self.result.font()
        f.setBold(True)
        self.result.setFont(f)
        rl.addWidget(self.result)
        self.parts = QTableWidget(0, 3)
        self.parts.setObjectName("nomParts")
        self.parts.setHorizontalHeaderLabels([self.tr("Factor"), self.tr("Input"), self.tr("Points")])
        self.parts.verticalHeader().setVisible(False)
        self.parts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.parts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rl.addWidget(self.parts, 1)
        self.notes = QLabel()
        self.notes.setObjectName("nomNotes")
        self.notes.setWordWrap(True)
        rl.addWidget(self.notes)
        outer.addWidget(right, 2)
        self.cluster.currentIndexChanged.connect(self.recheck)
        self.resize(980, 620)
        self._load_cards([c for c, _ in clusters])

    def _load_cards(self, clusters: list[str]) -> None:
        service = self.service

        def load(tc: TaskContext) -> dict[str, Any]:
            repo = service(tc.db).repo
            return {c: card for c in clusters if (card := repo.scorecard(c)) is not None}

        self.reader.submit(load, success=self._cards_loaded, name="scorecards")

    def _cards_loaded(self, raw: dict[str, Any]) -> None:
        for cluster, card in raw.items():
            try:
                self.cards[cluster] = parse(card)
            except ScorecardError:
                continue
        self.recheck()

    def values(self) -> dict[str, str]:
        out = {}
        for key, w in self.inputs.items():
            text = w.currentData() if isinstance(w, QComboBox) else w.text().strip()
            if text:
                out[key] = text
        return out

    def recheck(self) -> None:
        """Evaluate the chosen cluster's card on what is typed so far (UI thread, < 1 ms)."""
        card = self.cards.get(self.cluster.currentData())
        self.parts.setRowCount(0)
        self.evaluation = None
        if card is None:
            self.result.setText(self.tr("No scorecard from head office for this cluster."))
            self.notes.clear()
            return
        try:
            e = evaluate(card, self.values())
        except ScorecardError as exc:
            self.result.setText(str(exc))
            self.result.setStyleSheet(ERROR_STYLE)
            self.notes.clear()
            return
        self.result.setStyleSheet("")
        self.evaluation = e
        score = f"{e.score.quantize(e.score.__class__('0.1'))}"
        if e.band:
            self.result.setText(self.tr("%1 points: band %2, expected limit %3 – %4").replace("%1", score)
                                .replace("%2", e.band).replace("%3", format_wan(e.limit_min_fen))
                                .replace("%4", format_wan(e.limit_max_fen)))
        else:
            self.result.setText(self.tr("%1 points: below every band").replace("%1", score))
        self.parts.setRowCount(len(e.contributions))
        for i, c in enumerate(e.contributions):
            cells = (c.label, c.value, f"{c.points.quantize(c.points.__class__('0.1'))} / {c.weight}")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.parts.setItem(i, j, item)
        notes = [self.tr("Capped: %1").replace("%1", c) for c in e.caps]
        if e.missing:
            notes.append(self.tr("Missing (count as 0): %1").replace("%1", "、".join(e.missing)))
        self.notes.setText("\n".join(notes))

    def submit(self) -> None:
        values = {"name": self.name.text(), "id_number": self.id_number.text(), "cluster": self.cluster.currentData(),
                  "product": self.product.currentData(), "amount": self.amount.text(),
                  "reason": self.reason.text(), "inputs": self.values()}
        service = self.service
        self.buttons.setEnabled(False)

        def work(tc: TaskContext) -> Result:
            svc: WhitelistService = service(tc.db)
            return svc.nominate(values)

        self.writer.submit(work, success=self._done, failure=lambda exc, _tb: self._done(None, exc),
                           name="nominate")

    def _done(self, result: Result | None, exc: BaseException | None = None) -> None:
        self.buttons.setEnabled(True)
        if result is None:
            self.error.setText(self.tr("Could not save: %1").replace("%1", type(exc).__name__))
            return
        if not result.ok:
            self.error.setText(result.message)
            return
        self.submitted.emit(result)
        self.accept()


class AssignPreviewDialog(QDialog):
    """The automatic split per manager before anything is written."""

    def __init__(self, plan: dict[str, str], counts: dict[str, int], names: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Assign the unassigned entries"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("%1 entries, split by village and existing relationship:")
                             .replace("%1", f"{len(plan):,}")))
        table = QTableWidget(len(counts), 2)
        table.setObjectName("assignPlan")
        table.setHorizontalHeaderLabels([self.tr("Manager"), self.tr("New entries")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for i, (code, n) in enumerate(counts.items()):
            table.setItem(i, 0, QTableWidgetItem(f"{names.get(code, code)}（{code}）"))
            item = QTableWidgetItem(f"{n:,}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, 1, item)
        lay.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Assign"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
