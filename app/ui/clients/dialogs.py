"""The client workspace's dialogs: a new client, and the preview of a merge. UI thread."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.core.client import CLIENT_FIELDS
from app.core.masking import mask_id
from app.services import clients as client_services
from app.ui.clients.detail import ClientForm
from app.ui.labels import domain
from app.ui.widgets import ERROR_STYLE


class AddClientDialog(QDialog):
    """A new prospect: the same form and inline validation as the detail panel."""

    submit = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New client"))
        self.form = ClientForm()
        for key in ("id_number", "mobile"):
            self.form.reveal_buttons[key].setVisible(False)
        self.general = QLabel()
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(lambda: self.submit.emit(self.form.values()))
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        lay.addWidget(self.general)
        lay.addWidget(buttons)
        self.resize(460, 640)


class ExportOptionsDialog(QDialog):
    """What an export shows of personal data. Names are masked by default; full ID and phone
    numbers only for a role allowed them (and audited)."""

    def __init__(self, may_unmask: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export options"))
        self.names = QCheckBox(self.tr("Mask individuals' names (张*伟)"))
        self.names.setChecked(True)
        self.names.setObjectName("maskNames")
        self.full = QCheckBox(self.tr("Full ID and phone numbers (recorded in the audit trail)"))
        self.full.setObjectName("unmasked")
        self.full.setEnabled(may_unmask)
        note = QLabel(self.tr("ID and phone numbers are masked unless you choose otherwise. The file says which"
                              " columns are masked."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.names)
        lay.addWidget(self.full)
        lay.addWidget(buttons)

    @property
    def mask_names(self) -> bool:
        return self.names.isChecked()

    @property
    def unmasked(self) -> bool:
        return self.full.isChecked() and self.full.isEnabled()


class MergeDialog(QDialog):
    """The preview of a merge: which record survives, what it gains, what is folded in."""

    def __init__(self, plan: client_services.MergePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Merge duplicates"))
        s = plan.survivor
        lines = [
            self.tr("Keep: %1 (no. %2, %3)").replace("%1", s.name).replace("%2", str(s.id))
            .replace("%3", s.client_no or self.tr("prospect")),
            self.tr("ID number: %1").replace("%1", mask_id(s.id_number)),
            "",
            self.tr("Folded in and marked deleted:"),
        ]
        lines += [f"  · {c.name}（{c.id}，{c.client_no or self.tr('prospect')}）" for c in plan.absorbed]
        lines.append("")
        if plan.changes:
            lines.append(self.tr("The kept record gains:"))
            for k, v in plan.changes.items():
                label = domain(CLIENT_FIELDS[k].label) if k in CLIENT_FIELDS else k
                text = "、".join(v) if isinstance(v, tuple) else ("****" if k == "mobile" else str(v))
                lines.append(f"  · {label}：{text}")
        else:
            lines.append(self.tr("The kept record does not change."))
        lines.append("")
        lines.append(self.tr("Every step is written to the change journal."))
        body = QLabel("\n".join(lines))
        body.setObjectName("mergePreview")
        body.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Merge"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(body)
        lay.addWidget(buttons)
