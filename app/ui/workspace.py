"""The workspaces of the main window, and the placeholder for those still to come."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.appearance import emphasize


class Workspace(QWidget):
    """Base class: a page of the main window with a title for navigation, its icon
    (``resources/icons/workspaces``) and its help page (``resources/help/zh_CN``)."""

    icon_name = ""
    help_page = "index.html"

    def title(self) -> str:
        raise NotImplementedError

    def open_item(self, kind: str, key: str) -> None:
        """Show one record another page named (the front page, the search): ``kind`` as
        ``app.services.today.Item`` and ``app.services.find.Hit`` say, ``key`` the record. UI thread."""

    def activated(self) -> None:
        """Called when the page is shown (refresh cheap state here)."""

    def shutdown(self) -> None:
        """Called when the window closes: stop this page's own threads."""


class PlaceholderWorkspace(Workspace):
    """An empty workspace that says what will be there."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None, *, icon_name: str = "",
                 help_page: str = "index.html") -> None:
        super().__init__(parent)
        self._title = title
        self.icon_name = icon_name
        self.help_page = help_page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        heading = QLabel(title)
        heading.setObjectName("workspaceHeading")
        emphasize(heading, 1.6, bold=True)
        body = QLabel(description)
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setObjectName("workspaceDescription")
        soon = QLabel(self.tr("This workspace is not available yet in this version."))
        soon.setObjectName("workspaceSoon")
        soon.setStyleSheet("color: palette(mid);")
        layout.addWidget(heading)
        layout.addSpacing(12)
        layout.addWidget(body)
        layout.addSpacing(12)
        layout.addWidget(soon)
        layout.addStretch(1)

    def title(self) -> str:
        return self._title
