"""Small helpers shared by the workspaces' widgets. UI thread."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QFrame, QScrollArea, QWidget

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
