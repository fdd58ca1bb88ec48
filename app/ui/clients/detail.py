"""Client detail: the edit form with inline Chinese validation, reveal buttons
(audited), tags, lifecycle, consent, notes, and the history read from the journal.

All reads and writes go to the database threads; this widget only shows results.
UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.client import ConsentChannel, Lifecycle, Segment
from app.core.errors import FieldError
from app.core.money import format_yuan
from app.core.result import Result
from app.services.clients import ClientDetail, ClientService
from app.ui.appearance import emphasize
from app.ui.labels import domain
from app.ui.tasks import DbThread, TaskContext
from app.ui.widgets import ERROR_STYLE, fit_rows, scrolled

# form fields and the key the service's parse_changes understands
TEXT_FIELDS = ("name", "id_number", "mobile", "group_name", "address", "last_contact", "consent_date")
HQ_FIELDS = ("name", "id_number")
TAG_ROWS = 7  # whole rows of tags shown in the form; the rest scroll


class ClientForm(QWidget):
    """The editable fields of one client, with an error label under each. Used by the
    detail panel and by the add dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.reveal_buttons: dict[str, QPushButton] = {}
        labels = {
            "name": self.tr("Name"),
            "id_number": self.tr("ID number"),
            "mobile": self.tr("Mobile"),
            "village": self.tr("Village"),
            "group_name": self.tr("Group"),
            "address": self.tr("Address"),
            "segment": self.tr("Segment"),
            "lifecycle": self.tr("Lifecycle"),
            "potential": self.tr("Potential client"),
            "consent": self.tr("Marketing consent"),
            "consent_date": self.tr("Consent date"),
            "consent_channel": self.tr("Consent channel"),
            "last_contact": self.tr("Last contact"),
            "notes": self.tr("Notes"),
        }
        for key in ("name", "id_number", "mobile"):
            edit = QLineEdit()
            edit.setObjectName(f"field_{key}")
            self.inputs[key] = edit
            if key in ("id_number", "mobile"):
                row = QWidget()
                h = QHBoxLayout(row)
                h.setContentsMargins(0, 0, 0, 0)
                h.addWidget(edit, 1)
                btn = QPushButton(self.tr("Show"))
                btn.setObjectName(f"reveal_{key}")
                btn.setToolTip(self.tr("Show the full number (recorded in the audit trail)"))
                btn.setVisible(False)
                self.reveal_buttons[key] = btn
                h.addWidget(btn)
                self._add(key, labels[key], row)
            else:
                self._add(key, labels[key], edit)
        self.village = QComboBox()
        self.village.setEditable(True)
        self.village.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.village.setObjectName("field_village")
        self.inputs["village"] = self.village
        self._add("village_id", labels["village"], self.village)
        for key in ("group_name", "address"):
            edit = QLineEdit()
            edit.setObjectName(f"field_{key}")
            self.inputs[key] = edit
            self._add(key, labels[key], edit)
        self.segment = self._combo("segment", [(s.value, domain(s.label)) for s in Segment])
        self._add("segment", labels["segment"], self.segment)
        self.lifecycle = self._combo("lifecycle", [(s.value, domain(s.label)) for s in Lifecycle])
        self._add("lifecycle", labels["lifecycle"], self.lifecycle)
        self.potential = self._combo("potential", [("否", self.tr("No")), ("是", self.tr("Yes"))])
        self._add("potential", labels["potential"], self.potential)
        self.consent = self._combo(
            "consent", [("", self.tr("Not asked")), ("是", self.tr("Consented")), ("否", self.tr("Refused"))]
        )
        self._add("consent", labels["consent"], self.consent)
        edit = QLineEdit()
        edit.setPlaceholderText("2026-03-05")
        self.inputs["consent_date"] = edit
        self._add("consent_date", labels["consent_date"], edit)
        channels = [("", "—")] + [(c.value, domain(c.label)) for c in ConsentChannel]
        self.channel = self._combo("consent_channel", channels)
        self._add("consent_channel", labels["consent_channel"], self.channel)
        edit = QLineEdit()
        edit.setPlaceholderText("2026-03-05")
        self.inputs["last_contact"] = edit
        self._add("last_contact", labels["last_contact"], edit)
        self.tags = QListWidget()
        fit_rows(self.tags, TAG_ROWS)
        self.tags.setObjectName("field_tags")
        self._add("tags", self.tr("Tags"), self.tags)
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(80)
        self.notes.setTabChangesFocus(True)
        self.notes.setObjectName("field_notes")
        self._add("notes", labels["notes"], self.notes)
        self._original: dict[str, str] = {}

    def _combo(self, key: str, items: list[tuple[str, str]]) -> QComboBox:
        c = QComboBox()
        c.setObjectName(f"field_{key}")
        for value, text in items:
            c.addItem(text, value)
        self.inputs[key] = c
        return c

    def _add(self, field: str, label: str, widget: QWidget) -> None:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        err = QLabel()
        err.setObjectName(f"error_{field}")
        err.setStyleSheet(ERROR_STYLE)
        err.setWordWrap(True)
        err.setVisible(False)
        v.addWidget(err)
        self.errors[field] = err
        self.form.addRow(label, box)

    # --- values ------------------------------------------------------------------

    def set_choices(self, villages: list[tuple[int, str]], tags: list[tuple[str, str]]) -> None:
        self.village.clear()
        for vid, name in villages:
            self.village.addItem(name, vid)
        self.tags.clear()
        for code, name in tags:
            it = QListWidgetItem(name)
            it.setData(Qt.ItemDataRole.UserRole, code)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.tags.addItem(it)
        fit_rows(self.tags, TAG_ROWS)

    def values(self) -> dict[str, str]:
        """Everything in the form as text, in the service's field names."""
        out = {k: self.inputs[k].text().strip() for k in TEXT_FIELDS}  # type: ignore[attr-defined]
        vid = self.village.currentData()
        out["village"] = str(vid) if vid is not None and self.village.currentText() == self.village.itemText(
            self.village.currentIndex()
        ) else self.village.currentText().strip()
        for key in ("segment", "lifecycle", "potential", "consent", "consent_channel"):
            out[key] = self.inputs[key].currentData()  # type: ignore[attr-defined]
        out["notes"] = self.notes.toPlainText().strip()
        codes = [
            self.tags.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.tags.count())
            if self.tags.item(i).checkState() == Qt.CheckState.Checked
        ]
        out["tags"] = ",".join(sorted(codes))
        return out

    def changed_values(self) -> dict[str, str]:
        now = self.values()
        return {k: v for k, v in now.items() if self._original.get(k) != v}

    def load(self, d: ClientDetail | None) -> None:
        self.clear_errors()
        if d is None:
            for k in TEXT_FIELDS:
                self.inputs[k].setText("")  # type: ignore[attr-defined]
            self.notes.setPlainText("")
            self._original = self.values()
            return
        c = d.client
        texts = {
            "name": c.name,
            "id_number": c.id_number or "",
            "mobile": c.mobile or "",
            "group_name": c.group_name or "",
            "address": c.address or "",
            "last_contact": c.last_contact.isoformat() if c.last_contact else "",
            "consent_date": c.consent_date.isoformat() if c.consent_date else "",
        }
        for k, v in texts.items():
            self.inputs[k].setText(v)  # type: ignore[attr-defined]
        self.village.setCurrentIndex(max(0, self.village.findData(c.village_id)))
        self.segment.setCurrentIndex(max(0, self.segment.findData(str(c.segment))))
        self.lifecycle.setCurrentIndex(max(0, self.lifecycle.findData(str(c.lifecycle))))
        self.potential.setCurrentIndex(1 if c.potential else 0)
        self.consent.setCurrentIndex({None: 0, True: 1, False: 2}[c.consent])
        self.channel.setCurrentIndex(max(0, self.channel.findData(str(c.consent_channel or ""))))
        self.notes.setPlainText(c.notes or "")
        for i in range(self.tags.count()):
            it = self.tags.item(i)
            on = it.data(Qt.ItemDataRole.UserRole) in c.tags
            it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        # head-office fields are read-only once a client has a core-banking number
        for k in HQ_FIELDS:
            self.inputs[k].setReadOnly(bool(c.client_no) or not d.can_edit)  # type: ignore[attr-defined]
        # masked numbers are not edited in place: they would be saved masked
        self.inputs["id_number"].setReadOnly(True)  # type: ignore[attr-defined]
        self.inputs["mobile"].setReadOnly(True)  # type: ignore[attr-defined]
        for key, btn in self.reveal_buttons.items():
            btn.setVisible(d.can_reveal and bool(getattr(c, key)))
            btn.setEnabled(True)
        self.setEnabled(True)
        self._original = self.values()

    def mark_revealed(self, field: str, value: str) -> None:
        edit = self.inputs[field]
        edit.setText(value)  # type: ignore[attr-defined]
        edit.setReadOnly(False)  # type: ignore[attr-defined]
        self._original[field] = value
        self.reveal_buttons[field].setEnabled(False)

    def clear_errors(self) -> None:
        for lab in self.errors.values():
            lab.clear()
            lab.setVisible(False)

    def show_errors(self, errors: list[FieldError]) -> list[FieldError]:
        """Put each message under its field; returns the ones that have no field here."""
        self.clear_errors()
        rest = []
        for e in errors:
            key = {"village": "village_id", "manager": "manager_id"}.get(e.field, e.field)
            lab = self.errors.get(key)
            if lab is None:
                rest.append(e)
                continue
            lab.setText((lab.text() + "\n" if lab.text() else "") + e.message)
            lab.setVisible(True)
        return rest


class ClientDetailPanel(QWidget):
    """The right-hand panel of the client workspace."""

    saved = Signal(object)  # the Result of a successful save
    message = Signal(str)
    contactRequested = Signal(int, str)  # client id, a heading ("name · village") for the contact form
    scenarioRequested = Signal(int, str)  # client id, the client's village: link the client to a scenario

    def __init__(
        self,
        reader: DbThread,
        writer: DbThread,
        service: Callable[[Any], ClientService],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.reader, self.writer, self.service = reader, writer, service
        self.client_id: int | None = None
        self.detail: ClientDetail | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel(self.tr("No client selected"))
        self.title.setObjectName("detailTitle")
        emphasize(self.title, 1.3, bold=True)
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("detailSummary")
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        actions = QHBoxLayout()
        self.contact_button = QPushButton(self.tr("Log contact… (Ctrl+T)"))
        self.contact_button.setObjectName("logContactButton")
        self.contact_button.setToolTip(self.tr("Record a call, visit or other contact with this client"))
        self.contact_button.setEnabled(False)
        actions.addWidget(self.contact_button)
        self.scenario_button = QPushButton(self.tr("Won through a scenario…"))
        self.scenario_button.setObjectName("linkScenarioButton")
        self.scenario_button.setToolTip(self.tr("Record that this client was won through a smart-village scenario"))
        self.scenario_button.setEnabled(False)
        actions.addWidget(self.scenario_button)
        actions.addStretch(1)
        lay.addLayout(actions)
        self.tabs = QTabWidget()
        self.form = ClientForm()
        form_page = QWidget()
        fl = QVBoxLayout(form_page)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.form)
        self.general_error = QLabel()
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.setObjectName("generalError")
        fl.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save (Ctrl+S)"))
        self.save_button.setObjectName("saveButton")
        self.revert_button = QPushButton(self.tr("Revert"))
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        fl.addLayout(buttons)
        fl.addStretch(1)
        self.tabs.addTab(scrolled(form_page), self.tr("Details"))
        # Two columns, so the change (one field per line) gets the width and wraps whole:
        # "when" holds the time, who, and the sync state on three short lines.
        self.history = QTableWidget(0, 2)
        self.history.setHorizontalHeaderLabels([self.tr("When / who / sync"), self.tr("Change")])
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().setVisible(False)
        self.history.setVerticalScrollMode(QTableWidget.ScrollMode.ScrollPerPixel)
        # the change column's width is known only once laid out: the rows follow it, so wrapped
        # text is never cut at the bottom
        self.history.horizontalHeader().sectionResized.connect(lambda *_: self.history.resizeRowsToContents())
        self.history.setWordWrap(True)
        self.history.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setObjectName("historyTable")
        self.tabs.addTab(self.history, self.tr("History"))
        self.access = QTableWidget(0, 3)
        self.access.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Staff"), self.tr("Access")])
        self.access.horizontalHeader().setStretchLastSection(True)
        self.access.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tabs.addTab(self.access, self.tr("Access log"))
        lay.addWidget(self.tabs, 1)
        self.save_button.clicked.connect(self.save)
        self.contact_button.clicked.connect(self.request_contact)
        self.scenario_button.clicked.connect(self.request_scenario)
        self.revert_button.clicked.connect(lambda: self.show_client(self.client_id))
        for key, btn in self.form.reveal_buttons.items():
            btn.clicked.connect(lambda _=False, k=key: self.reveal(k))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.setEnabled(False)

    def set_choices(self, villages: list[tuple[int, str]], tags: list[tuple[str, str]]) -> None:
        self.form.set_choices(villages, tags)

    def show_client(self, client_id: int | None) -> None:
        self.client_id = client_id
        self.general_error.clear()
        if self.detail is None or self.detail.client.id != client_id:
            self.contact_button.setEnabled(False)  # until this client's record is in
            self.scenario_button.setEnabled(False)
        if client_id is None:
            self.detail = None
            self.title.setText(self.tr("No client selected"))
            self.summary.clear()
            self.setEnabled(False)
            return
        service = self.service

        def load(tc: TaskContext) -> tuple:
            svc = service(tc.db)
            d = svc.get(client_id)
            if isinstance(d, FieldError):
                return d, [], []
            h = svc.history(client_id)
            a = svc.access_log(client_id)
            return d, h if isinstance(h, list) else [], a if isinstance(a, list) else []

        self.reader.submit(load, success=lambda r, cid=client_id: self._loaded(cid, r), name="client-detail")

    def _loaded(self, cid: int, result: tuple) -> None:
        if cid != self.client_id:
            return
        d, history, access = result
        if isinstance(d, FieldError):
            self.detail = None
            self.title.setText(d.message)
            self.setEnabled(False)
            return
        self.detail = d
        c = d.client
        self.setEnabled(True)
        kind = self.tr("prospect") if c.client_no is None else c.client_no
        self.title.setText(f"{c.name}  ·  {kind}")
        self.summary.setText(
            self.tr("%1 %2 · %3 · AUM %4 yuan · deposits %5 · loans %6 · manager %7")
            .replace("%1", d.township)
            .replace("%2", d.village)
            .replace("%3", domain(c.tier.label))
            .replace("%4", format_yuan(c.aum_fen))
            .replace("%5", format_yuan(c.deposit_fen))
            .replace("%6", format_yuan(c.loan_fen))
            .replace("%7", d.manager or "—")
        )
        self.form.load(d)
        self.form.setEnabled(d.can_edit)
        self.save_button.setEnabled(d.can_edit)
        self.contact_button.setEnabled(d.can_edit)  # a contact is logged by whoever may work the client
        self.scenario_button.setEnabled(d.can_edit)
        self.history.setRowCount(len(history))
        for i, e in enumerate(reversed(history)):
            if e.op == "修改":
                change = "\n".join(
                    f"{domain(f.label)}：{domain(f.before)} → {domain(f.after)}" for f in e.fields
                ) or domain("（无字段变化）")
            else:
                change = {"新建": self.tr("Created"), "删除": self.tr("Deleted")}.get(e.op, e.op)
            state = {
                "待同步": self.tr("Not yet synced"),
                "已同步": self.tr("Synced"),
                "有冲突": self.tr("Conflict"),
                "总行拒绝": self.tr("Rejected"),
                "仅本机": self.tr("Local only"),
            }.get(e.state, e.state)
            for j, text in enumerate((f"{e.time}\n{e.author}\n{state}", change)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.history.setItem(i, j, item)
        self.history.resizeColumnToContents(0)
        self.history.resizeRowsToContents()
        self.access.setRowCount(len(access))
        for i, a in enumerate(reversed(access)):
            for j, text in enumerate((a.time[:19].replace("T", " "), a.staff, a.action)):
                self.access.setItem(i, j, QTableWidgetItem(text))

    def save(self) -> None:
        if self.detail is None or self.client_id is None or not self.save_button.isEnabled():
            return
        changes = self.form.changed_values()
        if not changes:
            self.message.emit(self.tr("Nothing changed."))
            return
        cid, version, service = self.client_id, self.detail.client.version, self.service
        self.save_button.setEnabled(False)

        def work(tc: TaskContext) -> Any:
            return service(tc.db).edit(cid, changes, expected_version=version)

        self.writer.submit(work, success=self._saved, name="client-save")

    def _saved(self, result: Result) -> None:
        self.save_button.setEnabled(True)
        if not result.ok:
            rest = self.form.show_errors(list(result.errors))
            self.general_error.setText("\n".join(e.message for e in rest))
            self.message.emit(self.tr("Not saved: please correct the fields marked in red."))
            return
        self.general_error.clear()
        self.message.emit(self.tr("Saved."))
        self.saved.emit(result)
        self.show_client(result.value.id)

    def request_contact(self) -> None:
        """Ask for the contact form for the client on show (the workspace opens it)."""
        d = self.detail
        if d is None or self.client_id is None or not self.contact_button.isEnabled():
            return
        self.contactRequested.emit(self.client_id, " · ".join(x for x in (d.client.name, d.village) if x))

    def request_scenario(self) -> None:
        """Ask to link the client on show to a scenario (the workspace asks which)."""
        d = self.detail
        if d is None or self.client_id is None or not self.scenario_button.isEnabled():
            return
        self.scenarioRequested.emit(self.client_id, d.village)

    def reveal(self, field: str) -> None:
        if self.client_id is None:
            return
        cid, service = self.client_id, self.service

        def work(tc: TaskContext) -> Any:
            return service(tc.db).reveal(cid, field)

        self.writer.submit(work, success=lambda r, f=field: self._revealed(f, r), name="reveal")

    def _revealed(self, field: str, result: Any) -> None:
        if isinstance(result, FieldError):
            self.general_error.setText(result.message)
            return
        self.form.mark_revealed(field, result)
