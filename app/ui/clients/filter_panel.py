"""The filter panel beside the client table: tags, segment, tier, lifecycle, place,
manager, mobile banking, consent; it shows the size of the filtered set. UI thread."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.client import Lifecycle, Segment, Tier
from app.store.search import ClientFilter
from app.ui.labels import domain
from app.ui.widgets import fit_rows

TAG_ROWS = 8  # whole rows of tags shown; the rest scroll


@dataclass(frozen=True)
class Choices:
    """Reference data the panel offers (read once on the reader thread)."""

    tags: list[tuple[int, str]]
    townships: list[tuple[int, str]]
    villages: list[tuple[int, int, str]]  # id, township id, name
    managers: list[tuple[int, str]]


def _checklist(items: list[tuple[object, str]], rows: int = 0) -> QListWidget:
    """A list of checkable items showing every item, or ``rows`` whole rows and a scroll bar."""
    w = QListWidget()
    for value, text in items:
        it = QListWidgetItem(text)
        it.setData(Qt.ItemDataRole.UserRole, value)
        it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        it.setCheckState(Qt.CheckState.Unchecked)
        w.addItem(it)
    fit_rows(w, rows or len(items))
    policy = Qt.ScrollBarPolicy.ScrollBarAsNeeded if rows else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    w.setVerticalScrollBarPolicy(policy)
    return w


def _checked(w: QListWidget) -> tuple:
    return tuple(
        w.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(w.count())
        if w.item(i).checkState() == Qt.CheckState.Checked
    )


def _set_checked(w: QListWidget, values: tuple) -> None:
    for i in range(w.count()):
        it = w.item(i)
        it.setCheckState(
            Qt.CheckState.Checked if it.data(Qt.ItemDataRole.UserRole) in values else Qt.CheckState.Unchecked
        )


class FilterPanel(QScrollArea):
    """Emits ``changed`` whenever the person changes a criterion."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._loading = False
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 6, 6, 6)

        self.count_label = QLabel()
        self.count_label.setObjectName("filterCount")
        f = self.count_label.font()
        f.setBold(True)
        self.count_label.setFont(f)
        lay.addWidget(self.count_label)

        tag_box = QGroupBox(self.tr("Tags"))
        tl = QVBoxLayout(tag_box)
        mode = QHBoxLayout()
        self.tags_all = QRadioButton(self.tr("All of"))
        self.tags_any = QRadioButton(self.tr("Any of"))
        self.tags_all.setChecked(True)
        grp = QButtonGroup(self)
        grp.addButton(self.tags_all)
        grp.addButton(self.tags_any)
        mode.addWidget(self.tags_all)
        mode.addWidget(self.tags_any)
        tl.addLayout(mode)
        self.tags = _checklist([], TAG_ROWS)
        tl.addWidget(self.tags)
        lay.addWidget(tag_box)

        self.segments = _checklist([(s.value, domain(s.label)) for s in Segment])
        self.tiers = _checklist([(int(t), domain(t.label)) for t in Tier])
        self.lifecycles = _checklist([(s.value, domain(s.label)) for s in Lifecycle])
        for title, w in (
            (self.tr("Segment"), self.segments),
            (self.tr("Tier"), self.tiers),
            (self.tr("Lifecycle"), self.lifecycles),
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(w)
            lay.addWidget(box)

        place = QGroupBox(self.tr("Place and people"))
        form = QFormLayout(place)
        self.township = QComboBox()
        self.village = QComboBox()
        self.manager = QComboBox()
        self.mobile_banking = QComboBox()
        self.consent = QComboBox()
        form.addRow(self.tr("Township"), self.township)
        form.addRow(self.tr("Village"), self.village)
        form.addRow(self.tr("Manager"), self.manager)
        form.addRow(self.tr("Mobile banking"), self.mobile_banking)
        form.addRow(self.tr("Consent"), self.consent)
        lay.addWidget(place)
        for value, text in (
            (None, self.tr("Any")),
            ("unsigned", self.tr("Not signed")),
            ("signed", self.tr("Signed")),
            ("active", self.tr("Monthly active")),
            ("inactive", self.tr("Signed, not active")),
        ):
            self.mobile_banking.addItem(text, value)
        for value, text in (
            (None, self.tr("Any")),
            ("yes", self.tr("Consented")),
            ("no", self.tr("Refused")),
            ("unknown", self.tr("Not asked")),
        ):
            self.consent.addItem(text, value)

        self.clear_button = QPushButton(self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear)
        lay.addWidget(self.clear_button)
        lay.addStretch(1)
        self.setWidget(body)
        # never a horizontal scroll bar: the panel is as wide as its widest row in this language
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit()

        self._villages: list[tuple[int, int, str]] = []
        for w in (self.tags, self.segments, self.tiers, self.lifecycles):
            w.itemChanged.connect(self._emit)
        self.tags_all.toggled.connect(self._emit)
        self.township.currentIndexChanged.connect(self._on_township)
        for c in (self.village, self.manager, self.mobile_banking, self.consent):
            c.currentIndexChanged.connect(self._emit)

    def _fit(self) -> None:
        """Whole rows in the lists, and the panel as wide as its widest row, at the text size in force."""
        fit_rows(self.tags, TAG_ROWS)
        for w in (self.segments, self.tiers, self.lifecycles):
            fit_rows(w, w.count())
        self._fit_width()

    def _fit_width(self) -> None:
        """As wide as the widest row (the tags' "All of / Any of" at 150 %): nothing cut at the side."""
        width = max(230, self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
                    + 2 * self.frameWidth())
        if width != self.minimumWidth():
            self.setMinimumWidth(width)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the text size changed
            self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # (QScrollArea watches its widget) the rows laid out again, at a new text size or with new names
        if event.type() == QEvent.Type.LayoutRequest and watched is self.widget():
            self._fit_width()
        return super().eventFilter(watched, event)

    def set_choices(self, choices: Choices, *, show_manager: bool = True) -> None:
        self._loading = True
        self.tags.clear()
        for value, text in choices.tags:
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, value)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.tags.addItem(it)
        self.township.clear()
        self.township.addItem(self.tr("All townships"), None)
        for tid, name in choices.townships:
            self.township.addItem(name, tid)
        self._villages = choices.villages
        self._fill_villages(None)
        self.manager.clear()
        self.manager.addItem(self.tr("All managers"), None)
        for sid, name in choices.managers:
            self.manager.addItem(name, sid)
        self.manager.setEnabled(show_manager)
        self._fit()  # (the tags' rows, and names in the lists may widen the panel)
        self._loading = False

    def _fill_villages(self, township_id: int | None) -> None:
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(self.tr("All villages"), None)
        for vid, tid, name in self._villages:
            if township_id is None or tid == township_id:
                self.village.addItem(name, vid)
        self.village.blockSignals(False)

    def _on_township(self) -> None:
        self._fill_villages(self.township.currentData())
        self._emit()

    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit()

    def set_count(self, n: int) -> None:
        self.count_label.setText(self.tr("%1 clients").replace("%1", f"{n:,}"))

    def apply_to(self, f: ClientFilter) -> ClientFilter:
        """``f`` (the search text) with this panel's criteria."""
        tags = tuple(_checked(self.tags))
        mb = self.mobile_banking.currentData()
        consent = self.consent.currentData()
        return ClientFilter(
            text=f.text,
            tags_all=tags if self.tags_all.isChecked() else (),
            tags_any=tags if not self.tags_all.isChecked() else (),
            segments=tuple(_checked(self.segments)),
            tiers=tuple(_checked(self.tiers)),
            lifecycles=tuple(_checked(self.lifecycles)),
            township_ids=(self.township.currentData(),) if self.township.currentData() is not None else (),
            village_ids=(self.village.currentData(),) if self.village.currentData() is not None else (),
            manager_ids=(self.manager.currentData(),) if self.manager.currentData() is not None else (),
            mb_signed={"unsigned": False, "signed": True, "active": True, "inactive": True}.get(mb),
            mb_active={"active": True, "inactive": False}.get(mb),
            consent=(consent,) if consent else (),
        )

    def load(self, f: ClientFilter) -> None:
        """Show a saved view's criteria."""
        self._loading = True
        tags = f.tags_all or f.tags_any
        self.tags_any.setChecked(bool(f.tags_any))
        self.tags_all.setChecked(not f.tags_any)
        _set_checked(self.tags, tags)
        _set_checked(self.segments, f.segments)
        _set_checked(self.tiers, f.tiers)
        _set_checked(self.lifecycles, f.lifecycles)
        self.township.setCurrentIndex(max(0, self.township.findData(f.township_ids[0])) if f.township_ids else 0)
        self._fill_villages(self.township.currentData())
        self.village.setCurrentIndex(max(0, self.village.findData(f.village_ids[0])) if f.village_ids else 0)
        self.manager.setCurrentIndex(max(0, self.manager.findData(f.manager_ids[0])) if f.manager_ids else 0)
        mb = None
        if f.mb_signed is False:
            mb = "unsigned"
        elif f.mb_active is True:
            mb = "active"
        elif f.mb_active is False:
            mb = "inactive"
        elif f.mb_signed is True:
            mb = "signed"
        self.mobile_banking.setCurrentIndex(max(0, self.mobile_banking.findData(mb)))
        self.consent.setCurrentIndex(max(0, self.consent.findData(f.consent[0])) if f.consent else 0)
        self._loading = False

    def clear(self) -> None:
        self.load(ClientFilter())
        self.changed.emit()
