"""Work off the UI thread: database threads and a pool for files, network and PDF.

``DbThread`` owns one SQLite connection on its own QThread and runs submitted
callables one at a time (SQLite likes one writer; Anki serialises its
collection the same way). The desktop app keeps two: the *writer*, for every
change, and a *reader*, for the client table's queries, so that typing in the
search box never waits behind a long write. Results come back to the UI thread
through queued signals; the callbacks run on the UI thread.

A task receives a ``TaskContext`` with its connection, a ``progress(done,
total)`` reporter and ``cancelled()``; long tasks poll it and stop early.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlite_utils
from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

_ids = itertools.count(1)


@dataclass
class TaskContext:
    db: sqlite_utils.Database | None
    _cancel: threading.Event = field(default_factory=threading.Event)
    _progress: Callable[[int, int], None] | None = None

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)


class Task(QObject):
    """A handle on submitted work: connect to its signals or use the callbacks.

    ``succeeded(result)``, ``failed(exception, traceback_text)``, ``progressed(done, total)``
    and ``finished()`` are all emitted on the UI thread.
    """

    succeeded = Signal(object)
    failed = Signal(object, str)
    progressed = Signal(int, int)
    finished = Signal()

    def __init__(self, fn: Callable[[TaskContext], Any], name: str) -> None:
        super().__init__()
        self.id = next(_ids)
        self.name = name
        self.fn = fn
        self.ctx = TaskContext(db=None)
        self.done = False

    def cancel(self) -> None:
        """Ask the task to stop; it finishes at its next ``cancelled()`` check."""
        self.ctx._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self.ctx.cancelled()


class _Worker(QObject):
    """Lives on the database thread. Reports through its own signals, which the
    ``DbThread`` (living on the UI thread) receives as queued calls."""

    run_task = Signal(object)
    task_done = Signal(object, bool, object, str)
    task_progress = Signal(object, int, int)

    def __init__(self, open_db: Callable[[], sqlite_utils.Database] | None) -> None:
        super().__init__()
        self._open_db = open_db
        self._db: sqlite_utils.Database | None = None
        self.run_task.connect(self._run)

    @Slot(object)
    def _run(self, task: Task) -> None:
        try:
            if self._open_db is not None and self._db is None:
                self._db = self._open_db()
            task.ctx.db = self._db
            task.ctx._progress = lambda done, total, t=task: self.task_progress.emit(t, done, total)
            result = task.fn(task.ctx)
        except BaseException as exc:
            tb = traceback.format_exc()
            log.error("task %s failed: %s", task.name, type(exc).__name__)
            log.debug("task %s traceback:\n%s", task.name, tb)
            self.task_done.emit(task, False, exc, tb)
        else:
            self.task_done.emit(task, True, result, "")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class DbThread(QObject):
    """One connection, one thread, tasks in submission order. Create on the UI thread."""

    def __init__(
        self,
        name: str,
        open_db: Callable[[], sqlite_utils.Database] | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker(open_db)
        self._worker.moveToThread(self._thread)
        self._worker.task_done.connect(self._on_task_done)
        self._worker.task_progress.connect(self._on_task_progress)
        self._thread.start()
        self._tasks: set[Task] = set()
        self._held: list[Task] | None = None  # tasks kept back while held (``hold``)

    def submit(
        self,
        fn: Callable[[TaskContext], Any],
        *,
        success: Callable[[Any], None] | None = None,
        failure: Callable[[BaseException, str], None] | None = None,
        name: str = "",
    ) -> Task:
        """Queue ``fn(ctx)``; callbacks run on the UI thread. Call from the UI thread."""
        task = Task(fn, name or getattr(fn, "__name__", "task"))
        if success is not None:
            task.succeeded.connect(success)
        if failure is not None:
            task.failed.connect(failure)
        self._tasks.add(task)
        if self._held is not None:
            self._held.append(task)
        else:
            self._worker.run_task.emit(task)
        return task

    def hold(self) -> None:
        """Keep tasks submitted from now on until ``release`` (they still run in submission order):
        the page a person is looking at reads first, on its own thread, while the others wait. UI thread."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Run the tasks kept back by ``hold``, in order; from now on run tasks as they come. UI thread."""
        held, self._held = self._held, None
        for task in held or ():
            self._worker.run_task.emit(task)  # (a task cancelled meanwhile stops at its first check)

    @Slot(object, bool, object, str)
    def _on_task_done(self, task: Task, ok: bool, result: object, tb: str) -> None:
        task.done = True
        self._tasks.discard(task)
        if ok:
            task.succeeded.emit(result)
        else:
            task.failed.emit(result, tb)
        task.finished.emit()

    @Slot(object, int, int)
    def _on_task_progress(self, task: Task, done: int, total: int) -> None:
        task.progressed.emit(done, total)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel queued tasks, close the connection on its own thread, stop the thread."""
        for t in list(self._tasks):
            t.cancel()
        self._held = None  # tasks kept back never ran: they are dropped
        done = threading.Event()
        task = Task(lambda ctx: (self._worker.close(), done.set()), "close")
        self._worker.run_task.emit(task)
        done.wait(timeout_ms / 1000)
        self._thread.quit()
        self._thread.wait(timeout_ms)


S = TypeVar("S")


class PerConnection(Generic[S]):
    """One service per database-thread connection, built on that thread at first use (its
    reference data is read on that connection, never from the UI thread). ``reload`` forgets
    them all, so each thread builds its own again (after a sync changed the reference data)."""

    def __init__(self, make: Callable[[sqlite_utils.Database], S]) -> None:
        self._make = make
        self._by_db: dict[int, tuple[sqlite_utils.Database, S]] = {}

    def __call__(self, db: sqlite_utils.Database) -> S:
        held = self._by_db.get(id(db))
        if held is None or held[0] is not db:
            held = (db, self._make(db))
            self._by_db[id(db)] = held
        return held[1]

    def reload(self) -> None:
        self._by_db.clear()
