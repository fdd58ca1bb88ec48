"""Small helpers shared by the workspaces' widgets. UI thread."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QScrollArea, QWidget

# A field's or an operation's error, in the app's one red: the palette's BrightText role, which
# ``app.ui.appearance.tone`` sets to a red that reads on the window's colour (dark red on light,
# light red on dark and high contrast), so it follows the colour scheme.
ERROR_STYLE = "color: palette(bright-text);"


def row_height(view: QAbstractItemView) -> int:
    """The height of one row of ``view``: its first row's, or the font's when it is empty."""
    h = view.sizeHintForRow(0) if view.model() is not None and view.model().rowCount() else -1
    return h if h > 0 else view.fontMetrics().height() + 4


def fit_rows(view: QAbstractItemView, rows: int) -> None:
    """Give ``view`` a fixed height that shows exactly ``rows`` whole rows (never a half one).

    Call again after the rows change: the height follows the first row's real size
    in the font the app uses, not a guessed pixel count."""
    frame = 2 * view.frameWidth() if isinstance(view, QFrame) else 0
    margins = view.viewportMargins()
    view.setFixedHeight(max(1, rows) * row_height(view) + frame + margins.top() + margins.bottom())


def scrolled(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area that resizes it: a form keeps its natural row heights on a
    small screen or at a large text size, and scrolls instead of squeezing its labels. UI thread."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


class EmptyHint(QLabel):
    """What to do next, shown over an item view's empty area when it has no rows: "没有客户。导入
    名单（文件 → 导入）或与总行同步。" The workspace says when (``show_for``), after its read has
    answered, so a list still loading never claims to be empty. Follows the view's size. UI thread."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view.viewport())
        self.setObjectName("emptyHint")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet("color: palette(mid); padding: 28px 24px;")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)
        self.hide()

    def show_for(self, rows: int, text: str) -> None:
        """Show ``text`` when ``rows`` is 0, else hide."""
        if rows:
            self.hide()
            return
        self.setText(text)
        self.setGeometry(self._viewport.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._viewport.rect())
        return False
