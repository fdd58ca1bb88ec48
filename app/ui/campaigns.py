"""The campaigns workspace (营销): head office's campaigns with reach and conversion, a
campaign's script checked word by word with its risk line, its targets (and, for the branch
head, the ones left out for want of consent, with the reason), the automatic distribution
with a preview, and the figures per manager. The branch head also makes local campaigns
here (``NewCampaignDialog``), marked "this branch" in the list, and changes them later (the
same dialog in its edit mode: the wording, the dates, more targets); head office's campaigns
stay read-only. UI thread; data work on the database threads.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import FieldError
from app.core.result import Changes, Result
from app.core.roles import Action, can
from app.services.campaigns import CampaignDetail, CampaignService, LocalCampaign
from app.store.reference import ReferenceData
from app.ui.appearance import bad, bad_background, good, warn_background
from app.ui.campaign_dialog import NewCampaignDialog
from app.ui.contact import SHORTCUT as CONTACT_SHORTCUT
from app.ui.contact import ContactDialog
from app.ui.context import AppContext
from app.ui.tasks import PerConnection, TaskContext
from app.ui.whitelist.dialogs import AssignPreviewDialog
from app.ui.widgets import EmptyHint
from app.ui.workspace import Workspace


def _pct(n: int, d: int) -> str:
    return f"{n / d:.0%}" if d else "—"


def _table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[list[Any]], right: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            item = QTableWidgetItem("" if v is None else str(v))
            if j in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(i, j, item)


def script_html(d: CampaignDetail) -> str:
    """The script with blocked words on red and warned ones on yellow (of the colour scheme in force)."""
    text, out, at = d.script, [], 0
    for f in sorted((f for f in d.findings if f.level != "missing_risk_line"), key=lambda f: f.start):
        out.append(html.escape(text[at:f.start]))
        colour = (bad_background() if f.level == "block" else warn_background()).name()
        out.append(f'<span style="background:{colour}" title="{html.escape(f.message)}">'
                   f"{html.escape(text[f.start:f.start + len(f.word)])}</span>")
        at = f.start + len(f.word)
    out.append(html.escape(text[at:]))
    return "".join(out)


class CampaignsWorkspace(Workspace):
    _script_shown: CampaignDetail | None = None  # drawn again when the scheme turns

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.services = PerConnection(lambda db, staff=ctx.staff: CampaignService(db, staff, ReferenceData(db)))
        self.head = can(ctx.staff, Action.ASSIGN_WHITELIST)
        self.manage = can(ctx.staff, Action.MANAGE_CAMPAIGNS)
        self.code: str | None = None
        self.names: dict[str, str] = {}
        self.list = _table([self.tr("Campaign"), self.tr("Dates"), self.tr("Targets"), self.tr("Left out"),
                            self.tr("Distributed"), self.tr("Reach"), self.tr("Conversion")], "campaignList")
        self.empty = EmptyHint(self.list)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.horizontalHeader().setStretchLastSection(False)
        self.list.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.script = QTextBrowser()
        self.script.setObjectName("campaignScript")
        self.targets = _table([self.tr("Client"), self.tr("Village"), self.tr("Mobile"), self.tr("Manager"),
                               self.tr("Reached"), self.tr("Converted")], "campaignTargets")
        self.excluded_box = QCheckBox(self.tr("Show the targets left out (no marketing consent)"))
        self.excluded_box.setObjectName("showExcluded")
        self.excluded_box.setVisible(self.head)
        self.auto_button = QPushButton(self.tr("Distribute automatically…"))
        self.auto_button.setObjectName("distributeButton")
        self.auto_button.setVisible(self.head)
        self.contact_button = QPushButton(self.tr("Log contact… (Ctrl+T)"))
        self.contact_button.setObjectName("logContactButton")
        self.contact_button.setToolTip(self.tr("Record a contact with the selected target for this campaign"))
        self.contact_button.setEnabled(False)
        self.print_button = QPushButton(self.tr("Print worksheet…"))
        self.print_button.setObjectName("printWorksheet")
        self.print_button.setToolTip(self.tr("A manager's targets of this campaign on paper, by village, with"
                                             " the script and a QR code per row for keying back"))
        self.print_button.setEnabled(False)
        self.target_rows: list[Any] = []
        targets_page = QWidget()
        tl = QVBoxLayout(targets_page)
        row = QHBoxLayout()
        row.addWidget(self.excluded_box)
        row.addStretch(1)
        row.addWidget(self.contact_button)
        row.addWidget(self.print_button)
        row.addWidget(self.auto_button)
        tl.addLayout(row)
        tl.addWidget(self.targets)
        self.figures = _table([self.tr("Manager"), self.tr("Targets"), self.tr("Reached"), self.tr("Reach"),
                               self.tr("Converted"), self.tr("Conversion")], "campaignFigures")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.script, self.tr("Script"))
        self.tabs.addTab(targets_page, self.tr("Targets"))
        self.tabs.addTab(self._figures_page(), self.tr("Week by week"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.tabs)
        split.setSizes([260, 600])
        self.status = QLabel()
        self.status.setObjectName("campaignStatus")
        self.new_button = QPushButton(self.tr("New local campaign…"))
        self.new_button.setObjectName("newCampaignButton")
        self.new_button.setToolTip(self.tr("A campaign of this branch, with its script and its own target list"))
        self.new_button.setVisible(self.manage)
        self.new_button.setEnabled(self.manage)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.setObjectName("editCampaignButton")
        self.edit_button.setToolTip(self.tr("Change this branch's campaign: its theme, dates, goal, script and"
                                            " benefits, and add targets"))
        self.edit_button.setVisible(False)  # a local campaign selected, for the branch head
        self.edit_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.edit_button)
        bottom.addWidget(self.new_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        self.rows: list[Any] = []
        self._note = ""  # said once by the next reload (a campaign just made)
        self.list.currentCellChanged.connect(lambda r, *_: self._pick(r))
        self.excluded_box.toggled.connect(lambda _on: self._load_targets())
        self.auto_button.clicked.connect(self.distribute)
        self.new_button.clicked.connect(self.new_campaign)
        self.edit_button.clicked.connect(self.edit_campaign)
        self.contact_button.clicked.connect(self.log_contact)
        self.print_button.clicked.connect(self.print_sheet)
        self.targets.currentCellChanged.connect(lambda *_: self._on_target())
        self.targets.doubleClicked.connect(lambda _i: self.log_contact())
        QShortcut(QKeySequence(CONTACT_SHORTCUT), self, activated=self.log_contact,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ctx.changes.changed.connect(self._on_changes)
        # (nothing read until the page is first shown: the list tallies every target, seconds at a
        # million clients, and the front page is read first)

    def print_sheet(self) -> None:
        """The marketing worksheet of the selected campaign for one manager."""
        from app.ui.printing import open_sheet, sheet_manager

        code = self.code
        if code is None:
            return
        row = self.targets.currentRow()
        current = None
        if self.head and 0 <= row < len(self.target_rows):
            current = getattr(self.target_rows[row], "manager", None)
        holders = {getattr(t, "manager", None) for t in self.target_rows} - {None, ""}
        managers = {c: self.names.get(c, c) for c in holders}  # the managers with targets here
        manager = sheet_manager(self.ctx, self, managers, current)
        if manager is None:
            return
        name = next((r.name for r in self.rows if r.code == code), code)
        open_sheet(self.ctx, self, self.tr("Marketing worksheet: %1").replace("%1", name),
                   lambda svc: svc.plan_marketing(campaign=code, manager=manager))

    def _figures_page(self) -> QWidget:
        """The selected campaign's reach and conversion week by week (left) and per manager (right)."""
        self.weekly = _table([self.tr("Week from"), self.tr("Reached"), self.tr("Converted"), self.tr("Reach"),
                              self.tr("Conversion")], "campaignWeekly")
        self.weekly_note = QLabel()
        self.weekly_note.setObjectName("campaignWeeklyNote")
        self.weekly_note.setWordWrap(True)
        self.weekly_rows: list[tuple[str, int, int, int]] = []
        page = QWidget()
        lay = QHBoxLayout(page)
        split = QSplitter(Qt.Orientation.Horizontal)
        for heading, note, table in ((self.tr("Week by week"), self.weekly_note, self.weekly),
                                     (self.tr("By manager"), None, self.figures)):
            box = QWidget()
            bl = QVBoxLayout(box)
            bl.setContentsMargins(0, 0, 0, 0)
            title = QLabel(f"<b>{html.escape(heading)}</b>")
            bl.addWidget(title)
            if note is not None:
                bl.addWidget(note)
            bl.addWidget(table, 1)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # rates stay by their counts
            split.addWidget(box)
        split.setSizes([460, 640])
        lay.addWidget(split)
        return page

    def _load_weekly(self, code: str) -> None:
        services = self.services

        def show(weeks: Any) -> None:
            if code != self.code:
                return
            if isinstance(weeks, FieldError):
                self.weekly_note.setText(weeks.message)
                self.weekly.setRowCount(0)
                return
            self.weekly_rows = weeks
            _fill(self.weekly, [[w, reached, converted, _pct(reached, targets), _pct(converted, targets)]
                                for w, targets, reached, converted in weeks], right={1, 2, 3, 4})
            targets = weeks[0][1] if weeks else None
            self.weekly_note.setText(
                self.tr("No contact logged for this campaign yet.") if not weeks else
                self.tr("Of %1 targets, reached and converted by the end of each week (rates of the targets).")
                .replace("%1", f"{targets:,}"))

        self.ctx.reader.submit(lambda tc: services(tc.db).weekly(code), success=show, name="campaign-weekly")

    icon_name = "campaigns"
    help_page = "campaigns.html"

    def title(self) -> str:
        return self.tr("Campaigns")

    def open_item(self, kind: str, key: str) -> None:
        """A campaign by its code: selected once the list is read."""
        if kind == "campaign":
            self.code = key
            self.reload()

    def activated(self) -> None:
        self.reload()

    def reload(self) -> None:
        services = self.services

        def load(tc: TaskContext) -> Any:
            svc = services(tc.db)
            return svc.campaigns(), {s.code: s.name for s in svc.ref.staff.values()}

        self.ctx.reader.submit(load, success=self._listed, name="campaigns")

    def _listed(self, result: Any) -> None:
        rows, self.names = result
        if isinstance(rows, FieldError):
            self.status.setText(rows.message)
            return
        self.rows = rows
        self.empty.show_for(len(rows), self.tr(
            "No campaigns yet. Head office's campaigns arrive at the next sync; a branch head can also start"
            " one here (New local campaign…)."))
        _fill(self.list, [[f"{self._name(r)}（{r.code}）", f"{r.starts or '—'} ~ {r.ends or '—'}", r.targets,
                           r.excluded, r.assigned, _pct(r.reached, r.targets), _pct(r.converted, r.targets)]
                          for r in rows],
              right={2, 3, 4, 5, 6})
        self.status.setText(self.tr("%1 campaigns; targets without marketing consent are left out of every list")
                            .replace("%1", str(len(rows))))
        if self._note:
            self.status.setText(self._note)
            self._note = ""
        keep = next((i for i, r in enumerate(rows) if r.code == self.code), 0 if rows else -1)
        if keep >= 0:
            self.list.setCurrentCell(keep, 0)
            self._pick(keep)

    def _name(self, row: Any) -> str:
        """A campaign's name in the list; a local one (本网点) says so."""
        return self.tr("%1 (this branch)").replace("%1", row.name) if row.local else row.name

    def new_campaign(self) -> NewCampaignDialog | None:
        """The form for a local campaign (the branch head's); the list selects it once made."""
        if not self.manage:
            return None
        dlg = NewCampaignDialog(self.ctx, self)
        self.new_dialog = dlg
        dlg.saved.connect(self._created)
        dlg.open()
        return dlg

    def _created(self, made: LocalCampaign) -> None:
        # the dialog published the change (its own source): _on_changes reloads, and the reload
        # keeps the row of self.code, now the new campaign
        self.code = made.code
        self._note = (self.tr("Local campaign “%1” created: %2 targets, %3 left out (no marketing consent)."
                                    " Distribute it to the managers from its Targets tab.")
                            .replace("%1", made.name).replace("%2", f"{made.targets:,}")
                      .replace("%3", f"{made.no_consent:,}"))
        self.status.setText(self._note)

    def _selected(self) -> Any:
        return next((r for r in self.rows if r.code == self.code), None)

    def edit_campaign(self) -> NewCampaignDialog | None:
        """The selected local campaign in the form (its edit mode); head office's are not changed."""
        row = self._selected()
        if not self.manage or row is None or not row.local:
            return None
        dlg = NewCampaignDialog(self.ctx, self, code=row.code)
        self.edit_dialog = dlg
        dlg.saved.connect(self._edited)
        dlg.open()
        return dlg

    def _edited(self, made: LocalCampaign) -> None:
        # as for a new one: the dialog published the change, _on_changes reloads, the row stays selected
        self.code = made.code
        if made.targets or made.no_consent or made.already:
            self._note = (self.tr("Local campaign “%1” saved: %2 targets added, %3 left out (no marketing"
                                  " consent), %4 already targets.")
                          .replace("%1", made.name).replace("%2", f"{made.targets:,}")
                          .replace("%3", f"{made.no_consent:,}").replace("%4", f"{made.already:,}"))
        else:
            self._note = self.tr("Local campaign “%1” saved.").replace("%1", made.name)
        self.status.setText(self._note)

    def _pick(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        self.code = self.rows[row].code
        local = self.manage and self.rows[row].local
        self.edit_button.setVisible(local)
        self.edit_button.setEnabled(local)
        self.print_button.setEnabled(True)
        services, code = self.services, self.code

        def load(tc: TaskContext) -> Any:
            svc = services(tc.db)
            return svc.detail(code), svc.figures("manager", code)

        self.ctx.reader.submit(load, success=lambda r, c=code: self._detail(c, r), name="campaign-detail")
        self._load_weekly(code)
        self._load_targets()

    def _detail(self, code: str, result: Any) -> None:
        if code != self.code:
            return
        d, figures = result
        if isinstance(d, FieldError):
            self.status.setText(d.message)
            return
        self._show_script(d)
        if isinstance(figures, list):
            _fill(self.figures, [[self.names.get(f.key, f.key) or self.tr("Not distributed"), f.targets, f.reached,
                                  _pct(f.reached, f.targets), f.converted, _pct(f.converted, f.targets)]
                                 for f in figures], right={1, 2, 3, 4, 5})

    def _show_script(self, d: CampaignDetail) -> None:
        self._script_shown = d
        verdict = (self.tr("The script holds words that may not go to clients.") if d.blocked else
                   self.tr("No blocked words.") if not d.findings else
                   self.tr("Words to use with care are marked in yellow."))
        colour = (bad() if d.blocked else good()).name()
        benefits = self.tr("Benefits")
        risk = self.tr("Risk line")
        self.script.setHtml(
            f"<h3>{html.escape(d.row.name)}</h3><p>{script_html(d)}</p>"
            f"<p><b>{html.escape(benefits)}</b>：{html.escape(d.benefits or '—')}</p>"
            f"<p><b>{html.escape(risk)}</b>：{html.escape(d.risk_line)}</p>"
            f'<p style="color:{colour}">{html.escape(verdict)}</p>')

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._script_shown is not None:  # light ↔ dark
            self._show_script(self._script_shown)

    def _load_targets(self) -> None:
        if self.code is None:
            return
        services, code, excluded = self.services, self.code, self.excluded_box.isChecked()

        def show(rows: Any) -> None:
            if isinstance(rows, FieldError):
                self.status.setText(rows.message)
                return
            if code != self.code or excluded != self.excluded_box.isChecked():
                return  # another campaign or view was chosen meanwhile
            self.target_rows = [] if excluded else list(rows)
            if excluded:
                self.targets.setHorizontalHeaderLabels([self.tr("Client"), self.tr("Village"), self.tr("Mobile"),
                                                        self.tr("Why left out"), "", ""])
                _fill(self.targets, [[t.name, t.village, t.mobile, self.tr("Refused marketing") if t.consent is False
                                      else self.tr("Never asked for consent"), "", ""] for t in rows])
            else:
                self.targets.setHorizontalHeaderLabels([self.tr("Client"), self.tr("Village"), self.tr("Mobile"),
                                                        self.tr("Manager"), self.tr("Reached"), self.tr("Converted")])
                yes = self.tr("Yes")
                _fill(self.targets, [[t.name, t.village, t.mobile, self.names.get(t.manager or "", "—"),
                                      yes if t.reached else "", yes if t.converted else ""] for t in rows])

            self._on_target()

        self.ctx.reader.submit(lambda tc: services(tc.db).targets(code, excluded=excluded), success=show,
                               name="campaign-targets")

    def _current_target(self) -> Any:
        row = self.targets.currentRow()
        return self.target_rows[row] if 0 <= row < len(self.target_rows) else None

    def _on_target(self) -> None:
        self.contact_button.setEnabled(self._current_target() is not None)

    def log_contact(self) -> ContactDialog | None:
        """The contact form for the selected target, for this campaign (the targets left out for
        want of consent are not worked)."""
        t, code = self._current_target(), self.code
        if t is None or code is None or self.excluded_box.isChecked():
            return None
        dlg = ContactDialog(self.ctx, t.client_id, heading=" · ".join(x for x in (t.name, t.village) if x),
                            campaign=code, parent=self)
        self.contact_dialog = dlg
        dlg.saved.connect(lambda _r: self.status.setText(self.tr("Contact logged.")))
        dlg.open()
        return dlg

    def distribute(self) -> None:
        if self.code is None:
            return
        services, code = self.services, self.code

        def plan(tc: TaskContext) -> Any:
            svc = services(tc.db)
            p = svc.plan(code)
            return p, (svc.balance(code, p) if isinstance(p, dict) else None)

        self.ctx.reader.submit(plan, success=self._preview, name="campaign-plan")

    def _preview(self, result: Any) -> None:
        plan, after = result
        if isinstance(plan, FieldError):
            self.status.setText(plan.message)
            return
        if not plan:
            self.status.setText(self.tr("Every target of this campaign already has a manager."))
            return
        dlg = AssignPreviewDialog(plan, after, self.names, self)
        self.preview_dialog = dlg
        services = self.services

        def done(code: int) -> None:
            if code == AssignPreviewDialog.DialogCode.Accepted:
                self.ctx.writer.submit(lambda tc: services(tc.db).apply_plan(plan), success=self._applied,
                                       name="campaign-apply")

        dlg.finished.connect(done)
        dlg.open()

    def _applied(self, result: Result) -> None:
        if not result.ok:
            self.status.setText(result.message)
            return
        self.status.setText(self.tr("%1 targets distributed (recorded for sync).").replace("%1", str(result.value)))
        self.ctx.changes.publish(result.changes, self)
        self.reload()

    def _on_changes(self, changes: Changes, source: object) -> None:
        if source is not self and changes.touches("campaign", "campaign_target", "contact", "client") \
                and self.isVisible():  # (a hidden page reads again when it is next shown)
            self.reload()
