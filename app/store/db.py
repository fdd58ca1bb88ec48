"""Opening the encrypted SQLite file, per-connection settings, transactions.

One file per workstation. Every connection is keyed with the raw 32-byte key
(SQLCipher), then set up the same way: WAL, ``synchronous=FULL`` (a committed
transaction survives power loss), foreign keys on, a busy timeout. Connections
are plain DB-API connections from ``sqlcipher3`` wrapped in a
``sqlite_utils.Database``.

Threads: a connection belongs to the thread that opened it. The GUI keeps one
writer connection on its single database thread and opens read connections in
workers; WAL lets readers run while the writer writes.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3
import sqlite_utils

from app.store.errors import (
    DatabaseBusyError,
    DatabaseDamagedError,
    DataFolderError,
    StoreError,
    WrongKeyError,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# Page cache per connection, in KiB (negative = KiB for SQLite). Large enough for
# the client book's hot indexes, small enough to keep a headless process < 300 MB.
CACHE_KIB = 96 * 1024

DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError
OperationalError = sqlcipher3.OperationalError

DAMAGED_MESSAGE = (
    "数据库文件已损坏，无法安全使用。可以从最近一次完好的备份恢复："
    "运行 branchdesk restore（branchdesk backup --list 列出备份）。"
)
WRONG_KEY_MESSAGE = (
    "无法打开数据库：密钥不正确，或该文件不是 BranchDesk 数据库，或文件开头已损坏。"
    "如果是文件损坏，可运行 branchdesk restore 从最近一次完好的备份恢复。"
)
READ_ONLY_MESSAGE = "数据目录或数据库文件是只读的，无法保存。请检查文件夹权限或磁盘写保护；没有做任何修改。"


def _quiet_sqlcipher() -> None:
    """SQLCipher logs its own English lines (``hmac check failed``) to stderr; the user gets our
    Chinese message instead, so its log is off (a process-wide setting)."""
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    finally:
        conn.close()


_quiet_sqlcipher()


def store_error(exc: sqlcipher3.DatabaseError) -> StoreError | None:
    """The StoreError a person can act on for an SQLite error from the file or the disk,
    or None for anything else (a bug: let it surface)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return DatabaseDamagedError(DAMAGED_MESSAGE, [str(exc)])
    if primary == 8:  # SQLITE_READONLY
        return DataFolderError(READ_ONLY_MESSAGE)
    if primary == 13:  # SQLITE_FULL
        return DataFolderError("磁盘已满，无法保存。请清理磁盘后重试；没有做任何修改。")
    if primary == 14:  # SQLITE_CANTOPEN
        return DataFolderError("无法打开数据库文件：数据目录不可访问或权限不足。")
    if primary == 10:  # SQLITE_IOERR
        return DataFolderError("读写数据库文件时出错（磁盘故障或权限问题）；这一步没有完成。")
    if primary in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return DatabaseBusyError("数据库正被另一个程序写入，请稍后再试。")
    return None


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path, key: bytes, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open ``path`` with ``key`` and apply the house settings.

    Runs on the calling thread; the returned connection must stay on it.
    Raises WrongKeyError when the key does not open the file.
    """
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlcipher3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        conn = sqlcipher3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(_key_pragma(key))
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            other = store_error(exc)
            if isinstance(other, DataFolderError | DatabaseBusyError):
                raise other from exc
            raise WrongKeyError(WRONG_KEY_MESSAGE) from exc
        except MemoryError as exc:
            # SQLCipher reports a page that fails its HMAC (damaged after the first page, which
            # the key did open) as SQLITE_NOMEM: the file is damaged, the key is right
            raise DatabaseDamagedError(DAMAGED_MESSAGE, ["a page failed its integrity check"]) from exc
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA temp_store = MEMORY")
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode is %s, expected wal", mode)
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn, execute_plugins=False)


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error.

    IMMEDIATE takes the write lock up front, so two writers queue on the busy
    timeout instead of failing half-way with SQLITE_BUSY. Nested use becomes a
    savepoint (sqlite-utils' ``atomic``), so a caller can wrap several
    repository calls into one transaction; sqlite-utils' own calls nest the
    same way. The outermost transaction opens no savepoint of its own: with
    foreign keys on, every statement inside a savepoint keeps a statement
    journal of each page it touches, which made an UPDATE of a client 17x
    slower (1.8 ms against 0.1 ms, measured on a 200,000-client book).
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlcipher3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusyError("数据库正被另一个程序写入，请稍后再试。") from exc
        raise
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def quick_check(db: sqlite_utils.Database, *, full: bool = False) -> list[str]:
    """Run ``PRAGMA quick_check`` (or ``integrity_check``); return problems, [] if ok.

    Reads every page: seconds on a million-client file, so the GUI runs it in a
    worker after the window is up, never on the UI thread.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [r[0] for r in db.conn.execute(f"PRAGMA {pragma}(20)").fetchall()]
    except sqlcipher3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def ensure_healthy(db: sqlite_utils.Database, *, full: bool = False) -> float:
    """Raise DatabaseDamagedError if the check fails; return the seconds it took."""
    t0 = time.perf_counter()
    problems = quick_check(db, full=full)
    if problems:
        raise DatabaseDamagedError(DAMAGED_MESSAGE, problems)
    return time.perf_counter() - t0


def wal_checkpoint(db: sqlite_utils.Database) -> None:
    """Fold the WAL back into the main file (used before backups and on close)."""
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
