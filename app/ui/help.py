"""Help (F1) and the first-run guide, from the pages bundled in ``resources/help/zh_CN``.

The help window is a ``QTextBrowser`` on the bundled HTML: it works offline, follows the
pages' links to one another, and opens the page of the workspace in front. The guide walks
a new member of staff through the five sections of ``guide.html`` (sign-in, PIN, the front
page, printing a sheet, syncing) one at a time; it can be skipped, and is offered again from
the help window. Whether it was seen is kept in ``ui.ini`` per member of staff. UI thread.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from PySide6.QtCore import QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.resources import resource_path

HELP_DIR = "help/zh_CN"
GUIDE_SECTIONS = ("signin", "pin", "today", "print", "sync")
GUIDE_SEEN = "guide/seen/{staff}"  # ui.ini: "1" once a member of staff finished or skipped the guide


def help_file(page: str) -> QUrl:
    """The bundled page (``today.html``, ``guide.html#pin``) as a file URL; the contents page
    when the name is not one of ours."""
    name, _, anchor = page.partition("#")
    path = resource_path(f"{HELP_DIR}/{name}")
    if not re.fullmatch(r"[a-z_]+\.html", name) or not path.is_file():
        path = resource_path(f"{HELP_DIR}/index.html")
        anchor = ""
    url = QUrl.fromLocalFile(str(path))
    if anchor:
        url.setFragment(anchor)
    return url


class HelpWindow(QDialog):
    """The help pages, non-modal: F1 again shows the page of the current workspace."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle(self.tr("BranchDesk help"))
        self.resize(760, 620)
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.back = QPushButton(self.tr("Back"))
        self.home = QPushButton(self.tr("Contents"))
        self.guide = QPushButton(self.tr("First-run guide…"))
        for b in (self.back, self.home, self.guide):
            bar.addWidget(b)
        bar.addStretch(1)
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._external)
        self.browser.setSearchPaths([str(resource_path(HELP_DIR))])
        self.back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back.setEnabled)
        self.back.setEnabled(False)
        self.home.clicked.connect(lambda: self.show_page("index.html"))
        lay.addLayout(bar)
        lay.addWidget(self.browser, 1)

    def show_page(self, page: str) -> None:
        self.browser.setSource(help_file(page))
        self.show()
        self.raise_()
        self.activateWindow()

    def _external(self, url: QUrl) -> None:
        if url.scheme() not in ("", "file"):  # the pages have none; never follow one out of the app
            QDesktopServices.openUrl(url)


class _Sections(HTMLParser):
    """The guide's sections: the HTML between one ``id`` in GUIDE_SECTIONS and the next."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id")
        if ident in GUIDE_SECTIONS and ident not in self.starts:
            line, col = self.getpos()
            self.starts[ident] = _offset(self.rawdata, line, col)


def _offset(text: str, line: int, col: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + col


def guide_sections() -> list[tuple[str, str]]:
    """(id, HTML) of each section of the bundled guide, in order."""
    path = resource_path(f"{HELP_DIR}/guide.html")
    text = path.read_text(encoding="utf-8")
    parser = _Sections()
    parser.feed(text)
    starts = [(k, parser.starts[k]) for k in GUIDE_SECTIONS if k in parser.starts]
    out = []
    for n, (key, at) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else text.find("</body>", at)
        out.append((key, text[at: end if end > at else len(text)]))
    return out


class GuideDialog(QDialog):
    """The first-run guide, one section a page: Back, Next, Skip; Finish on the last. A link in a
    section ("详见今日") asks for that help page (``helpRequested``)."""

    helpRequested = Signal(str)

    def __init__(self, ui_settings: QSettings, staff_code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle(self.tr("Welcome to BranchDesk"))
        self.resize(620, 440)
        self.ui_settings = ui_settings
        self.staff_code = staff_code
        self.sections = guide_sections()
        self.at = 0
        lay = QVBoxLayout(self)
        self.step = QLabel()
        self.step.setObjectName("guideStep")
        self.step.setStyleSheet("color: palette(mid);")
        self.page = QTextBrowser()
        self.page.setObjectName("guidePage")
        self.page.setOpenLinks(False)
        self.page.anchorClicked.connect(lambda url: self.helpRequested.emit(url.fileName() or "index.html"))
        self.page.setSearchPaths([str(resource_path(HELP_DIR))])
        buttons = QDialogButtonBox()
        self.skip = buttons.addButton(self.tr("Skip the guide"), QDialogButtonBox.ButtonRole.RejectRole)
        self.prev = buttons.addButton(self.tr("Back"), QDialogButtonBox.ButtonRole.ActionRole)
        self.next = buttons.addButton(self.tr("Next"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip.clicked.connect(self.reject)
        self.prev.clicked.connect(lambda: self.go(self.at - 1))
        self.next.clicked.connect(self._next)
        lay.addWidget(self.step)
        lay.addWidget(self.page, 1)
        lay.addWidget(QLabel(self.tr("You can open this guide again from Help (F1).")))
        lay.addWidget(buttons)
        self.finished.connect(lambda _r: self.mark_seen())
        self.go(0)

    def go(self, n: int) -> None:
        if not self.sections:
            return
        self.at = max(0, min(n, len(self.sections) - 1))
        self.page.setHtml(self.sections[self.at][1])
        self.step.setText(self.tr("Step %1 of %2").replace("%1", str(self.at + 1))
                          .replace("%2", str(len(self.sections))))
        self.prev.setEnabled(self.at > 0)
        last = self.at == len(self.sections) - 1
        self.next.setText(self.tr("Finish") if last else self.tr("Next"))

    def _next(self) -> None:
        if self.at >= len(self.sections) - 1:
            self.accept()
        else:
            self.go(self.at + 1)

    def mark_seen(self) -> None:
        self.ui_settings.setValue(GUIDE_SEEN.format(staff=self.staff_code), "1")
        self.ui_settings.sync()


def guide_seen(ui_settings: QSettings, staff_code: str) -> bool:
    return str(ui_settings.value(GUIDE_SEEN.format(staff=staff_code), "")) == "1"
