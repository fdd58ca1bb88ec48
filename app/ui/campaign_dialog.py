"""A new local campaign (本网点活动), from the campaigns workspace: the branch head's own theme,
product, dates, goal, script and benefits, and a target list chosen by village, by tag or by
client numbers typed. The same dialog changes a local campaign after it was made (``code``
given: the edit mode): its fields prefilled, the product fixed, and the target choice adding
clients to the ones it has (those already targets are counted apart, never added twice).

The script is checked against the marketing word list as it is typed (the list is read once on
the reader thread, the pure check runs here, 300 ms after the last key): a blocked word or a
wealth product's script without the risk line disables Save with the reason; a warned word needs
the box of ``WordingWarning`` (``app.ui.contact``) ticked, and the save then says
``acknowledged=True``, which the service audits. How many clients the target choice gives, and
how many of them are left out for want of marketing consent, is counted on the reader thread
before anything is saved. Save runs ``CampaignService.create_local`` on the writer thread (in
the edit mode: ``edit_local`` for the fields changed, then ``add_targets``, in one transaction:
if either refuses, nothing is written); its field errors come back beside their fields, in
Chinese. UI thread; data work on the database threads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlite_utils
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.compliance import Finding, WordList, check_text
from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Staff
from app.core.whitelist import PRODUCTS as LOAN_PRODUCTS
from app.services import compliance
from app.services.campaigns import WEALTH_PRODUCTS, CampaignService, LocalCampaign
from app.services.clients import ClientService
from app.store.db import write
from app.store.reference import ReferenceData
from app.store.search import ClientFilter
from app.ui.appearance import GOOD_STYLE, themed
from app.ui.contact import ERROR_STYLE, WARN_STYLE, WordingWarning
from app.ui.context import AppContext
from app.ui.tasks import TaskContext

DEBOUNCE_MS = 300
FIELDS = ("name", "product", "starts", "ends", "goal", "script", "benefits", "clients")
EDITABLE = ("name", "starts", "ends", "goal", "script", "benefits")  # what the edit mode may change
_SPLIT = re.compile(r"[\s,，、;；]+")


# --- the target list (database threads) ----------------------------------------------------------

@dataclass(frozen=True)
class TargetChoice:
    """How the targets are chosen: ``by`` "village" (``value`` a village id), "tag" (a tag id) or
    "clients" (the numbers typed); ``how``: what the target rows' note says (data, Chinese, as the
    CLI writes it)."""

    by: str
    value: Any
    how: str


@dataclass(frozen=True)
class TargetCount:
    """The clients a choice gives: all of them, those with marketing consent (the targets), the
    numbers typed that were refused (``errors``, Chinese) or name no live client (``unknown``);
    for a campaign already made, ``already``: the consented ones that are its targets already."""

    total: int
    consented: int
    errors: tuple[FieldError, ...] = ()
    unknown: tuple[str, ...] = ()
    already: int = 0

    @property
    def left_out(self) -> int:
        return self.total - self.consented

    @property
    def new(self) -> int:
        """The targets the choice would add (consented, not targets yet)."""
        return self.consented - self.already

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown


def numbers(text: str) -> list[str]:
    """The client numbers typed, split on commas (ASCII or Chinese), 、, semicolons or spaces."""
    return [t for t in _SPLIT.split(text or "") if t]


def _already(db: sqlite_utils.Database, campaign: str, ids: list[int]) -> int:
    """How many of the clients ``ids`` have marketing consent and are targets of ``campaign``."""
    n = 0
    for at in range(0, len(ids), 500):
        part = ids[at:at + 500]
        n += db.conn.execute(
            "SELECT count(DISTINCT c.id) FROM clients c JOIN campaign_targets t ON t.client_uid = c.uid"
            " AND t.campaign = ? AND t.deleted = 0"
            f" WHERE c.deleted = 0 AND c.consent = 1 AND c.id IN ({','.join('?' * len(part))})",
            [campaign, *part]).fetchone()[0]
    return n


def choose_targets(db: sqlite_utils.Database, staff: Staff, choice: TargetChoice, *, ids: bool = False,
                   campaign: str | None = None) -> tuple[list[int], TargetCount]:
    """(the chosen clients' ids when ``ids``, consent or not: the service counts the ones it leaves
    out; their count). For a ``campaign`` already made, the count says how many are its targets
    already. Database thread (the reader for the preview, the writer for the save)."""
    found, count = _choose(db, staff, choice, ids=ids or campaign is not None)
    if campaign is not None and count.consented:
        count = replace(count, already=_already(db, campaign, found))
    return (found if ids else []), count


def _choose(db: sqlite_utils.Database, staff: Staff, choice: TargetChoice, *, ids: bool
            ) -> tuple[list[int], TargetCount]:
    clients = ClientService(db, staff, ReferenceData(db))
    if choice.by == "clients":
        chosen: list[int] = []
        errors: list[FieldError] = []
        typed: dict[int, str] = {}
        for text in numbers(choice.value):
            found = clients.resolve(text)
            if isinstance(found, FieldError):
                errors.append(found)
            elif found not in typed:
                typed[found] = text
                chosen.append(found)
        consent: dict[int, Any] = {}
        for at in range(0, len(chosen), 500):
            part = chosen[at:at + 500]
            consent.update(db.conn.execute(
                f"SELECT id, consent FROM clients WHERE deleted = 0 AND id IN ({','.join('?' * len(part))})",
                part).fetchall())
        live = [i for i in chosen if i in consent]
        return live, TargetCount(len(live), sum(1 for i in live if consent[i] == 1), tuple(errors),
                                 tuple(typed[i] for i in chosen if i not in consent))
    f = ClientFilter(village_ids=(choice.value,)) if choice.by == "village" else ClientFilter(tags_all=(choice.value,))
    total = clients.count(f)
    if isinstance(total, FieldError):
        return [], TargetCount(0, 0, (total,))
    consented = clients.count(replace(f, consent=("yes",)))
    if isinstance(consented, FieldError):
        return [], TargetCount(0, 0, (consented,))
    out = list(clients.repo.ids(f, scope_manager_id=clients.scope_manager_id)) if ids and total else []
    return out, TargetCount(total, consented)


def _choices(db: sqlite_utils.Database) -> tuple[WordList, list[tuple[int, str]], list[tuple[int, str, str]]]:
    """The word list in force, the villages (id, township + village) and the tags (id, name, name
    with its category). Reader thread."""
    ref = ReferenceData(db)
    villages = [(v.id, f"{ref.township_name(v)} {v.name}".strip()) for v in ref.villages.values()]
    tags = [(t.id, t.name, f"{t.name}（{t.category}）" if t.category else t.name) for t in ref.tags.values()]
    return compliance.word_list(db), villages, tags


# --- the dialog --------------------------------------------------------------------------------

class _Refused(Exception):
    """Raised inside the edit's transaction to roll it back when a step refuses."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result


class NewCampaignDialog(QDialog):
    """See the module docstring. ``saved(LocalCampaign)`` after the campaign was made (its changes
    already published on the change signal, with this dialog as the source); in the edit mode
    (``code``), after it was changed: ``targets`` then counts the targets added, ``already`` the
    chosen ones that were targets before."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None,
                 code: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.code = code  # the local campaign changed (the edit mode), None for a new one
        self.original: dict[str, str] | None = None  # its fields as loaded (the edit mode)
        self.setObjectName("editCampaignDialog" if code else "newCampaignDialog")
        self.setWindowTitle(self.tr("Edit local campaign") if code else self.tr("New local campaign"))
        self.setMinimumWidth(680)
        self.words: WordList | None = None
        self.findings: list[Finding] = []
        self._checked: tuple[str, bool] | None = None  # (script, wealth) last checked
        self.count: TargetCount | None = None
        self.tag_names: dict[int, str] = {}
        self._count_seq = 0
        self._busy = False
        self.errors: dict[str, QLabel] = {}
        today = today or date.today()

        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("Changes go to head office with the next sync. The product stays as it was made;"
                               " the clients chosen below are added to the targets (never twice), those without"
                               " marketing consent are left out.") if code else
                       self.tr("A campaign of this branch only: it goes to head office with the next sync."
                               " Clients without marketing consent are never made targets."))
        intro.setWordWrap(True)
        lay.addWidget(intro)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit()
        self.name.setObjectName("campaignName")
        self.name.setMaxLength(60)
        self.name.setPlaceholderText(self.tr("e.g. 茶季存款回馈"))
        self.product = QComboBox()
        self.product.setObjectName("campaignProduct")
        self.product.addItem(self.tr("(none)"), None)
        for pcode, label in (("deposit", self.tr("Deposits")), ("mobile_banking", self.tr("Mobile banking")),
                             ("social_card", self.tr("Social security card")),
                             ("ecny", self.tr("Digital RMB (e-CNY)"))):
            self.product.addItem(label, pcode)
        for pcode, label in LOAN_PRODUCTS.items():
            self.product.addItem(label, pcode)
        wealth_labels = {"wealth": self.tr("Wealth management"), "fund": self.tr("Funds"),
                         "insurance": self.tr("Insurance (agency)")}
        for pcode in WEALTH_PRODUCTS:
            if pcode == "licai":  # another code of the same wealth products as "wealth"
                continue
            self.product.addItem(self.tr("%1 — the script needs the risk line")
                                 .replace("%1", wealth_labels.get(pcode, pcode)), pcode)
        dates = QWidget()
        dl = QHBoxLayout(dates)
        dl.setContentsMargins(0, 0, 0, 0)
        self.starts = QLineEdit(today.isoformat())
        self.starts.setObjectName("campaignStarts")
        self.ends = QLineEdit((today + timedelta(days=30)).isoformat())
        self.ends.setObjectName("campaignEnds")
        for e in (self.starts, self.ends):
            e.setPlaceholderText(self.tr("e.g. 2026-12-01"))
            e.setMaximumWidth(130)
        dl.addWidget(self.starts)
        dl.addWidget(QLabel(self.tr("to")))
        dl.addWidget(self.ends)
        dl.addStretch(1)
        self.goal = QLineEdit()
        self.goal.setObjectName("campaignGoal")
        self.goal.setPlaceholderText(self.tr("clients to convert (optional)"))
        self.goal.setMaximumWidth(200)

        self.script = QPlainTextEdit()
        self.script.setObjectName("campaignScriptEdit")
        self.script.setTabChangesFocus(True)
        self.script.setPlaceholderText(self.tr("What the managers say to clients (checked for marketing wording"
                                               " as you type)"))
        self.script.setMinimumHeight(110)
        self.warning = WordingWarning()
        self.warning.setObjectName("campaignWording")
        self.risk = QLabel()
        self.risk.setObjectName("campaignRiskLine")
        self.risk.setWordWrap(True)
        self.risk.setVisible(False)
        self.add_risk = QPushButton(self.tr("Add the risk line"))
        self.add_risk.setObjectName("addRiskLine")
        self.add_risk.setVisible(False)
        risk_row = QHBoxLayout()
        risk_row.setContentsMargins(0, 0, 0, 0)
        risk_row.addWidget(self.risk, 1)
        risk_row.addWidget(self.add_risk, 0, Qt.AlignmentFlag.AlignTop)
        self.benefits = QLineEdit()
        self.benefits.setObjectName("campaignBenefits")
        self.benefits.setMaxLength(1000)
        self.benefits.setPlaceholderText(self.tr("e.g. 存满一万送大米一袋 (optional)"))

        for key, label, widget in (("name", self.tr("Theme"), self.name),
                                   ("product", self.tr("Product"), self.product),
                                   ("starts", self.tr("Dates"), dates),
                                   ("goal", self.tr("Goal"), self.goal),
                                   ("script", self.tr("Script"), self.script),
                                   ("benefits", self.tr("Benefits"), self.benefits)):
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            v.addWidget(widget)
            if key == "script":
                v.addWidget(self.warning)
                v.addLayout(risk_row)
            if key == "starts":  # the two dates share a row, and each has its own error
                for k in ("starts", "ends"):
                    v.addWidget(self._error_label(k))
            else:
                v.addWidget(self._error_label(key))
            form.addRow(label, box)
        self.form = QWidget()  # in the edit mode, enabled once the campaign is loaded into it
        self.form.setLayout(form)
        self.form.setEnabled(self.code is None)
        lay.addWidget(self.form, 1)
        lay.addWidget(self._targets_box())

        self.general = QLabel()
        self.general.setObjectName("campaignError")
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.setVisible(False)
        lay.addWidget(self.general)
        buttons = QHBoxLayout()
        self.reason = QLabel()
        self.reason.setObjectName("saveReason")
        self.reason.setWordWrap(True)
        themed(self.reason, WARN_STYLE)
        buttons.addWidget(self.reason, 1)
        self.cancel_button = QPushButton(self.tr("Cancel (Esc)"))
        self.cancel_button.setObjectName("campaignCancel")
        self.save_button = QPushButton(self.tr("Save (Ctrl+Enter)"))
        self.save_button.setObjectName("campaignSave")
        for b in (self.cancel_button, self.save_button):
            b.setAutoDefault(False)  # Enter in a field must not save a half-filled campaign
            buttons.addWidget(b, 0, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(buttons)

        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(DEBOUNCE_MS)
        self.check_timer.timeout.connect(self._check_script)
        self.count_timer = QTimer(self)
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(DEBOUNCE_MS)
        self.count_timer.timeout.connect(self._count)

        self.script.textChanged.connect(self.check_timer.start)
        self.product.currentIndexChanged.connect(lambda _i: (self._clear_error("product"), self._check_script()))
        self.warning.ack.toggled.connect(lambda _on: self._update_save())
        self.add_risk.clicked.connect(self._add_risk_line)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for key, edit in (("name", self.name), ("starts", self.starts), ("ends", self.ends), ("goal", self.goal),
                          ("benefits", self.benefits)):
            edit.textEdited.connect(lambda _t, k=key: self._clear_error(k))
            if self.code:
                edit.textChanged.connect(lambda _t: self._update_save())  # something to save or not
        if self.code:
            self.script.textChanged.connect(self._update_save)
        for keys in (QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")):
            QShortcut(keys, self, activated=self.save)
        self._update_save()
        self.name.setFocus()
        self.resize(720, 640)  # room for the script to grow, and for its warnings below it
        staff = ctx.staff

        def load(tc: TaskContext) -> Any:
            found = _choices(tc.db)
            if code is None:
                return found
            return (*found, CampaignService(tc.db, staff, ReferenceData(tc.db)).detail(code))

        ctx.reader.submit(load, success=self._loaded, name="campaign-choices")

    def _error_label(self, key: str) -> QLabel:
        err = QLabel()
        err.setObjectName(f"campaignError_{key}")
        err.setStyleSheet(ERROR_STYLE)
        err.setWordWrap(True)
        err.setVisible(False)
        self.errors[key] = err
        return err

    def _targets_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Add targets") if self.code else self.tr("Targets"))
        grid = QGridLayout(box)
        self.by_village = QRadioButton(self.tr("Clients of the village"))
        self.by_village.setObjectName("targetsByVillage")
        self.by_tag = QRadioButton(self.tr("Clients with the tag"))
        self.by_tag.setObjectName("targetsByTag")
        self.by_clients = QRadioButton(self.tr("These clients"))
        self.by_clients.setObjectName("targetsByClients")
        self.by_none = QRadioButton(self.tr("Add no targets"))  # the edit mode: change the fields only
        self.by_none.setObjectName("targetsNone")
        self.by_none.setVisible(self.code is not None)
        (self.by_none if self.code else self.by_village).setChecked(True)
        self.target_mode = QButtonGroup(self)
        self.village = QComboBox()
        self.village.setObjectName("targetVillage")
        self.tag = QComboBox()
        self.tag.setObjectName("targetTag")
        self.clients = QLineEdit()
        self.clients.setObjectName("targetClients")
        self.clients.setPlaceholderText(self.tr("client numbers, comma-separated, e.g. 1491, CQ2600001491"))
        for i, (radio, widget) in enumerate(((self.by_village, self.village), (self.by_tag, self.tag),
                                             (self.by_clients, self.clients))):
            self.target_mode.addButton(radio, i)
            grid.addWidget(radio, i, 0)
            grid.addWidget(widget, i, 1)
        self.target_mode.addButton(self.by_none, 3)
        grid.addWidget(self.by_none, 3, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("targetCount")
        self.count_label.setWordWrap(True)
        grid.addWidget(self.count_label, 4, 0, 1, 2)
        grid.addWidget(self._error_label("clients"), 5, 0, 1, 2)
        self.target_mode.idToggled.connect(lambda _i, on: on and self._count())
        self.village.activated.connect(lambda _i: self._pick_mode(self.by_village))
        self.village.currentIndexChanged.connect(lambda _i: self.by_village.isChecked() and self._count())
        self.tag.activated.connect(lambda _i: self._pick_mode(self.by_tag))
        self.tag.currentIndexChanged.connect(lambda _i: self.by_tag.isChecked() and self._count())
        self.clients.textChanged.connect(lambda _t: self._on_clients_typed())
        return box

    # --- loading and checking ------------------------------------------------------------------

    def _loaded(self, result: Any) -> None:
        words, villages, tags, *detail = result
        self.tag_names = {key: name for key, name, _label in tags}
        for combo, rows in ((self.village, villages), (self.tag, tags)):
            combo.blockSignals(True)
            for key, *shown in rows:
                combo.addItem(shown[-1], key)
            combo.blockSignals(False)
        if detail and isinstance(detail[0], FieldError):  # gone since it was listed
            self.general.setText(detail[0].message)
            self.general.setVisible(True)
            self.count_label.setText("")
            self._update_save()
            return
        if detail:
            self._prefill(detail[0])
        self.words = words
        self._check_script()
        self._count()

    def _prefill(self, d: Any) -> None:
        """The edit mode: the campaign's fields as saved (``CampaignDetail``), the product fixed."""
        r = d.row
        self.original = {"name": r.name or "", "starts": r.starts or "", "ends": r.ends or "",
                         "goal": "" if r.goal is None else str(r.goal), "script": d.script, "benefits": d.benefits}
        for key, edit in (("name", self.name), ("starts", self.starts), ("ends", self.ends), ("goal", self.goal),
                          ("benefits", self.benefits)):
            edit.setText(self.original[key])
        self.script.setPlainText(d.script)
        at = self.product.findData(r.product) if r.product else 0
        if at < 0:  # a product code this form does not offer: shown as it is
            self.product.addItem(r.product, r.product)
            at = self.product.count() - 1
        self.product.setCurrentIndex(at)
        self.product.setEnabled(False)
        self.product.setToolTip(self.tr("The product of a campaign cannot be changed once it is made."))
        self.form.setEnabled(True)
        self.name.setFocus()

    def wealth(self) -> bool:
        return (self.product.currentData() or "") in WEALTH_PRODUCTS

    def _check_script(self) -> None:
        """The script against the word list (pure; the list was read on the reader thread)."""
        self.check_timer.stop()
        if self.words is None:
            return
        text, wealth = self.script.toPlainText().strip(), self.wealth()
        if self._checked == (text, wealth):
            return  # nothing new: a ticked box still holds
        self._checked = (text, wealth)
        self.findings = check_text(text, self.words, wealth=wealth)
        self._clear_error("script")
        if any(f.level in ("block", "warn") for f in self.findings):
            self.warning.show_findings(text, self.findings)
        else:
            self.warning.clear()
        missing = any(f.level == "missing_risk_line" for f in self.findings)
        if wealth:
            rule = self.tr("A wealth product's script must carry the risk line: %1").replace("%1", self.words.risk_line)
            self.risk.setText(rule if missing else self.tr("The risk line is in the script."))
            self.risk.setStyleSheet(ERROR_STYLE if missing else GOOD_STYLE)
        self.risk.setVisible(wealth)
        self.add_risk.setVisible(missing)
        self._update_save()
        self._fit()

    def _fit(self) -> None:
        """Grow to show the warnings and errors that appeared, wrapped (a layout's minimum size
        does not count wrapped lines: without this they would be drawn over the script)."""
        lay = self.layout()
        lay.activate()
        need = lay.totalHeightForWidth(self.width()) if lay.hasHeightForWidth() else lay.totalSizeHint().height()
        if need > self.height():
            self.resize(self.width(), need)

    def _add_risk_line(self) -> None:
        if self.words is None:
            return
        text = self.script.toPlainText().rstrip()
        self.script.setPlainText(f"{text}\n{self.words.risk_line}" if text else self.words.risk_line)
        self._check_script()

    # --- the target list -----------------------------------------------------------------------

    def _pick_mode(self, radio: QRadioButton) -> None:
        if not radio.isChecked():
            radio.setChecked(True)  # counts through idToggled

    def _on_clients_typed(self) -> None:
        self._clear_error("clients")
        if not self.by_clients.isChecked():
            self.by_clients.setChecked(True)  # counts now; the typing goes on below
        self.count = None
        self._count_seq += 1
        self._update_save()
        self.count_timer.start()

    def choice(self) -> TargetChoice | None:
        if self.by_village.isChecked():
            vid = self.village.currentData()
            return None if vid is None else TargetChoice("village", vid, f"村 {self.village.currentText()}")
        if self.by_tag.isChecked():
            tid = self.tag.currentData()
            return None if tid is None else TargetChoice("tag", tid, f"标签 {self.tag_names.get(tid, tid)}")
        if self.by_none.isChecked():
            return None
        text = self.clients.text().strip()
        return TargetChoice("clients", text, "逐户选定") if numbers(text) else None

    def _count(self) -> None:
        """How many clients the choice gives, counted on the reader thread (the latest choice wins)."""
        self.count_timer.stop()
        self._count_seq += 1
        seq, choice, staff, code = self._count_seq, self.choice(), self.ctx.staff, self.code
        self.count = None
        if choice is None:
            self.count_label.setText(self.tr("Loading…") if self.words is None else
                                     self.tr("No clients are added: only the fields above change.")
                                     if self.by_none.isChecked() else
                                     self.tr("Choose a village or a tag, or type client numbers."))
            self._update_save()
            return
        self.count_label.setText(self.tr("Counting…"))
        self._update_save()

        def shown(answer: Any) -> None:
            if seq == self._count_seq:
                self._counted(answer[1])

        self.ctx.reader.submit(lambda tc: choose_targets(tc.db, staff, choice, campaign=code), success=shown,
                               name="campaign-count")

    def _counted(self, count: TargetCount) -> None:
        self.count = count
        problems = [e.message for e in count.errors]
        if count.unknown:
            problems.append(self.tr("No client with the number %1.").replace("%1", "、".join(count.unknown)))
        if problems:
            self._show_error("clients", "\n".join(problems))
        else:
            self._clear_error("clients")
        if self.code:
            self.count_label.setText(
                self.tr("%1 clients chosen: %2 new targets to add, %3 left out (no marketing consent),"
                        " %4 already targets.")
                .replace("%1", f"{count.total:,}").replace("%2", f"{count.new:,}")
                .replace("%3", f"{count.left_out:,}").replace("%4", f"{count.already:,}"))
        else:
            self.count_label.setText(
                self.tr("%1 clients chosen: %2 with marketing consent become targets, %3 left out"
                        " (no marketing consent).")
                .replace("%1", f"{count.total:,}").replace("%2", f"{count.consented:,}")
                .replace("%3", f"{count.left_out:,}"))
        self._update_save()

    # --- saving --------------------------------------------------------------------------------

    def save_blocker(self) -> str:
        """Why Save is disabled now ("" when it is not)."""
        if self.words is None:
            return self.tr("Loading the word list…")
        if self.code and self.original is None:
            return self.tr("The campaign could not be loaded.")
        checked = not self.code or "script" in self.changes()  # an unchanged script is not checked again
        if checked and any(f.level == "block" for f in self.findings):
            return self.tr("The script holds blocked words: reword it to save.")
        if checked and any(f.level == "missing_risk_line" for f in self.findings):
            return self.tr("The script lacks the risk line a wealth product needs.")
        if checked and any(f.level == "warn" for f in self.findings) and not self.warning.acknowledged:
            return self.tr("Tick the box under the script to confirm the words to use with care.")
        if self.code and self.by_none.isChecked():
            return "" if self.changes() else self.tr("Nothing to save: change a field, or choose clients to add.")
        if self.count is None:
            return self.tr("Choose the targets.") if self.choice() is None else self.tr("Counting the targets…")
        if not self.count.ok:
            return self.tr("Correct the client numbers.")
        if self.code and not self.count.new:
            return self.tr("None of these clients would be added (already targets, or no marketing consent):"
                           " choose others, or “Add no targets”.")
        if not self.count.consented:
            return self.tr("No client of this choice has consented to marketing: there would be no targets.")
        return ""

    def _update_save(self) -> None:
        why = self.save_blocker()
        self.reason.setText(why)
        self.save_button.setEnabled(not why and not self._busy)

    def _clear_error(self, key: str) -> None:
        self.errors[key].clear()
        self.errors[key].setVisible(False)

    def _show_error(self, key: str, message: str) -> None:
        lab = self.errors[key]
        lab.setText((lab.text() + "\n" if lab.text() else "") + message)
        lab.setVisible(True)

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text(), "product": self.product.currentData(), "starts": self.starts.text(),
                "ends": self.ends.text(), "script": self.script.toPlainText(), "benefits": self.benefits.text(),
                "goal": self.goal.text()}

    def changes(self) -> dict[str, Any]:
        """The edit mode: the fields changed from the campaign as loaded (compared as the service
        keeps them: trimmed)."""
        if self.original is None:
            return {}
        now = self.values()
        return {k: now[k] for k in EDITABLE if str(now[k] or "").strip() != self.original[k].strip()}

    def save(self) -> None:
        """Make the campaign on the writer thread; the answer comes back to ``_done``."""
        self._check_script()  # the last keys typed may not have been checked yet
        if self._busy or self.save_blocker():
            self._update_save()
            return
        choice = self.choice()
        if self.code:
            self._save_edit(choice)
            return
        if choice is None:
            return
        staff, values, acknowledged = self.ctx.staff, self.values(), self.warning.acknowledged

        def work(tc: TaskContext) -> tuple[Any, TargetCount]:
            ids, count = choose_targets(tc.db, staff, choice, ids=True)
            if not count.ok:
                return None, count
            svc = CampaignService(tc.db, staff, ReferenceData(tc.db))
            return svc.create_local(values, ids, acknowledged=acknowledged, note=f"本网点自建：{choice.how}"), count

        self._busy = True
        self._update_save()
        self.ctx.writer.submit(work, success=self._done, failure=self._failed, name="campaign-create")

    def _save_edit(self, choice: TargetChoice | None) -> None:
        """The edit mode: the fields changed (``edit_local``), then the clients chosen added
        (``add_targets``), in one transaction on the writer thread: a refusal of either rolls
        both back."""
        staff, code, changes = self.ctx.staff, self.code or "", self.changes()
        acknowledged = self.warning.acknowledged
        name = (self.original or {}).get("name", "")

        def work(tc: TaskContext) -> tuple[Any, TargetCount | None]:
            ids: list[int] = []
            count = None
            if choice is not None:
                ids, count = choose_targets(tc.db, staff, choice, ids=True, campaign=code)
                if not count.ok:
                    return None, count
            svc = CampaignService(tc.db, staff, ReferenceData(tc.db))
            try:
                with write(tc.db):
                    edited = svc.edit_local(code, changes, acknowledged=acknowledged) if changes else None
                    if edited is not None and not edited.ok:
                        raise _Refused(edited)
                    added = svc.add_targets(code, ids, note=f"本网点自建：{choice.how}") if choice else None
                    if added is not None and not added.ok:
                        raise _Refused(added)
            except _Refused as refused:
                return refused.result, count
            value = LocalCampaign(code, edited.value.name if edited else name,
                                  added.value.targets if added else 0, added.value.no_consent if added else 0,
                                  added.value.already if added else 0)
            both = (edited.changes if edited else Changes()) | (added.changes if added else Changes())
            return Result.done(value, both), count

        self._busy = True
        self._update_save()
        self.ctx.writer.submit(work, success=self._done, failure=self._failed, name="campaign-edit")

    def _done(self, answer: tuple[Any, TargetCount | None]) -> None:
        self._busy = False
        result, count = answer
        for key in self.errors:
            self._clear_error(key)
        self.general.setVisible(False)
        if result is None and count is not None:  # the clients changed since they were counted
            self._counted(count)
            return
        if result.ok:
            self.ctx.changes.publish(result.changes, self)
            self.saved.emit(result.value)
            self.accept()
            return
        rest = []
        for e in result.errors:
            if e.field in self.errors:
                self._show_error(e.field, e.message)
            else:
                rest.append(e.message)
        self.general.setText("\n".join(rest))
        self.general.setVisible(bool(rest))
        first = next((k for k in FIELDS if self.errors[k].text()), None)
        focus = {"name": self.name, "product": self.product, "starts": self.starts, "ends": self.ends,
                 "goal": self.goal, "script": self.script, "benefits": self.benefits, "clients": self.clients}
        if first is not None:
            focus[first].setFocus()
        self._update_save()

    def _failed(self, exc: BaseException, _tb: str) -> None:
        self._busy = False
        self.general.setText(self.tr("Could not save: %1").replace("%1", type(exc).__name__))
        self.general.setVisible(True)
        self._update_save()
