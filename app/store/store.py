"""A BranchDesk database: find it, unlock it, upgrade it, back it up, restore it.

``Store.open`` resolves the data folder and the key, opens the file once to
check the schema version (upgrading an older file after a backup; refusing a
newer one) and returns a ``Store`` that hands out connections. Opening is fast
(well under a second at a million clients): the full ``quick_check`` reads
every page, so the desktop app runs it in a worker after its window is up and
``doctor`` runs it on demand; headless commands run it when the last check is
more than a day old.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlcipher3
import sqlite_utils

from app.store import schema
from app.store.config import (
    DB_FILENAME,
    KEY_SOURCE_KEYFILE,
    Settings,
    default_data_dir,
    ensure_private_dir,
)
from app.store.db import DAMAGED_MESSAGE, connect, ensure_healthy, quick_check, wal_checkpoint, write
from app.store.errors import (
    BackupUnusableError,
    DatabaseDamagedError,
    DatabaseMissingError,
    DatabaseNewerError,
    DataFolderError,
    StoreError,
    UnsentChangesError,
    WrongKeyError,
)
from app.store.keys import get_key, new_db_id
from app.store.lock import InstanceLock
from app.store.reference import meta_get, meta_set

log = logging.getLogger(__name__)

BACKUP_DIRNAME = "backups"
STATE_FILENAME = "state.json"
# How many backups of each kind to keep.
KEEP = {"daily": 7, "premigrate": 5, "prerestore": 5, "manual": 10}
_BACKUP_RE = re.compile(r"^branchdesk-(\d{8}-\d{6})-([a-z]+)(?:-v\d+)?(?:-\d+)?\.db$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken: datetime
    reason: str
    size: int


class Store:
    """One encrypted database file plus its data folder. Thread-agnostic: hand
    out one connection per thread with ``connect()``."""

    def __init__(self, data_dir: Path, key: bytes, settings: Settings) -> None:
        self.data_dir = data_dir
        self.path = data_dir / DB_FILENAME
        self.key = key
        self.settings = settings
        self.migrated_from: int | None = None

    # --- opening ----------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: Path | None = None,
        *,
        create: bool = False,
        allow_keyfile: bool = False,
        settings: Settings | None = None,
    ) -> Store:
        """Open (or with ``create``, create) the database in ``data_dir``.

        Raises a StoreError subclass with a Chinese message on any problem.
        Runs on any thread; takes about 0.1 s plus any migration.
        """
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        path = data_dir / DB_FILENAME
        settings = settings or Settings.load(data_dir)
        if not path.exists():
            if not create:
                raise DatabaseMissingError(
                    f"数据目录 {data_dir} 中还没有数据库。"
                    "可先运行“branchdesk demo”创建演示数据库，或由 IT 初始化正式数据库。"
                )
            ensure_private_dir(data_dir)
            if not settings.db_id:
                settings.db_id = new_db_id()
            if allow_keyfile:
                settings.key_source = KEY_SOURCE_KEYFILE
            key = get_key(data_dir, settings, create=True)
            settings.save(data_dir)
        else:
            require_writable(data_dir)
            key = get_key(data_dir, settings)
        store = cls(data_dir, key, settings)
        store._upgrade()
        return store

    @classmethod
    def locate(cls, data_dir: Path | None = None) -> Store:
        """The store with its key but without opening the file (for restoring a damaged one)."""
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        if not (data_dir / DB_FILENAME).exists() and not data_dir.is_dir():
            raise DatabaseMissingError(f"数据目录 {data_dir} 不存在。")
        require_writable(data_dir)
        settings = Settings.load(data_dir)
        return cls(data_dir, get_key(data_dir, settings), settings)

    def connect(self, *, readonly: bool = False) -> sqlite_utils.Database:
        """A new connection for the calling thread."""
        return connect(self.path, self.key, readonly=readonly)

    def _upgrade(self) -> None:
        db = self.connect()
        try:
            version = db.conn.execute("PRAGMA user_version").fetchone()[0]
            latest = schema.latest_version()
            if version > latest:
                raise DatabaseNewerError(
                    f"此数据库由较新版本的 BranchDesk 写入（数据结构版本 {version}），"
                    f"本程序只支持到版本 {latest}。请安装新版本后再打开，旧版本不会修改它。"
                )
            if version == latest:
                self._finish_interrupted_load(db)
                return
            if version > 0:
                # An existing file: keep a copy of it as it was before we touch it.
                self.backup("premigrate", db=db, label=f"v{version}")
            for m in schema.MIGRATIONS:
                if m.version <= version:
                    continue
                with write(db):
                    m.apply(db)
                    db.conn.execute(f"PRAGMA user_version = {m.version}")
                    meta_set(db, "schema_migrated_at", datetime.now().astimezone().isoformat())
                log.info("schema migrated to v%d: %s", m.version, m.title)
            if version == 0:
                with write(db):
                    meta_set(db, "db_id", self.settings.db_id)
                    meta_set(db, "created_at", datetime.now().astimezone().isoformat())
            self.migrated_from = version
        finally:
            db.close()

    @staticmethod
    def _finish_interrupted_load(db: sqlite_utils.Database) -> None:
        """A bulk load or first sync that crashed left indexes dropped: put them back."""
        from app.store.bulk import restore_sort_indexes

        n = restore_sort_indexes(db)
        if n:
            log.warning("recreated %d indexes left dropped by an interrupted bulk load", n)

    def schema_version(self) -> int:
        db = self.connect(readonly=True)
        try:
            return db.conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            db.close()

    # --- integrity --------------------------------------------------------------

    def check(self, *, full: bool = False) -> float:
        """Run quick_check (or integrity_check); record success; return seconds taken.

        Raises DatabaseDamagedError. Slow on big files: call off the UI thread.
        """
        db = self.connect()
        try:
            seconds = ensure_healthy(db, full=full)
        finally:
            db.close()
        self._save_state(last_check=time.time())
        return seconds

    def check_if_due(self, max_age: timedelta = timedelta(days=1)) -> bool:
        """Run the check when the last good one is older than ``max_age``. True if run."""
        last = self._state().get("last_check", 0)
        if time.time() - float(last) < max_age.total_seconds():
            return False
        self.check()
        return True

    def _state(self) -> dict:
        try:
            return json.loads((self.data_dir / STATE_FILENAME).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def _save_state(self, **values: object) -> None:
        state = self._state()
        state.update(values)
        tmp = self.data_dir / (STATE_FILENAME + ".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.data_dir / STATE_FILENAME)

    # --- backups ------------------------------------------------------------------

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / BACKUP_DIRNAME

    def backup(
        self, reason: str = "manual", *, db: sqlite_utils.Database | None = None, label: str = ""
    ) -> Path:
        """Copy the live database with the SQLite backup API (consistent while in use).

        The copy is encrypted with the same key. Written under a temporary name
        and renamed, so a crash never leaves a half backup that looks whole.
        """
        if reason not in KEEP:
            raise ValueError(reason)
        ensure_private_dir(self.backup_dir)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"branchdesk-{stamp}-{reason}{'-' + label if label else ''}.db"
        target = self.backup_dir / name
        n = 1
        while target.exists():
            n += 1
            target = self.backup_dir / name.replace(".db", f"-{n}.db")
        self.copy_to(target, db=db)
        self._save_state(**{f"last_backup_{reason}": time.time()})
        self._rotate(reason)
        log.info("backup written: %s", target.name)
        return target

    def copy_to(self, target: Path, *, db: sqlite_utils.Database | None = None) -> Path:
        """A consistent copy of the live database at ``target``, encrypted with the same key
        (SQLite backup API, safe while in use). Written under a temporary name and renamed, so a
        crash never leaves a half copy that looks whole. Raises DatabaseDamagedError when a page
        of the live file fails its check."""
        tmp = target.with_suffix(".tmp")
        own = db is None
        src = db or self.connect()
        try:
            dst = sqlcipher3.connect(str(tmp))
            try:
                dst.execute(f"PRAGMA key = \"x'{self.key.hex()}'\"")
                try:
                    src.conn.backup(dst)
                except sqlcipher3.DatabaseError as exc:
                    # a page that fails its check stops the copy with a bare "SQL logic error":
                    # never let a damaged copy stand in for a good backup
                    # (SQLCipher leaves that connection in an error state: check on a fresh one)
                    problems = self._problems()
                    if problems:
                        raise DatabaseDamagedError(DAMAGED_MESSAGE, problems) from exc
                    raise
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            if own:
                src.close()
            if tmp.exists():
                tmp.unlink()
        return target

    def throwaway_copy(self, folder: Path) -> Store:
        """This database copied into ``folder`` (which must exist), as a store of its own: what
        is done there never reaches the live file or head office (screenshots, trials)."""
        self.copy_to(folder / DB_FILENAME)
        settings = dataclasses.replace(self.settings, extra={})  # not enrolled: it can never sync
        settings.save(folder)
        return Store(folder, self.key, settings)

    def _problems(self) -> list[str]:
        """quick_check on a fresh read connection; a file that cannot be read at all is a problem too."""
        try:
            db = self.connect(readonly=True)
        except (StoreError, sqlcipher3.DatabaseError) as exc:
            return [type(exc).__name__]
        try:
            return quick_check(db)
        except (sqlcipher3.DatabaseError, MemoryError) as exc:
            return [type(exc).__name__]
        finally:
            db.close()

    def backup_if_due(self, max_age: timedelta = timedelta(days=1)) -> Path | None:
        """The daily backup: taken when the newest one is older than ``max_age``."""
        last = float(self._state().get("last_backup_daily", 0))
        if time.time() - last < max_age.total_seconds():
            return None
        return self.backup("daily")

    def backups(self) -> list[BackupInfo]:
        """Backups in this data folder, newest first."""
        out = []
        if not self.backup_dir.exists():
            return out
        for p in self.backup_dir.iterdir():
            m = _BACKUP_RE.match(p.name)
            if not m:
                continue
            taken = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
            out.append(BackupInfo(p, taken, m.group(2), p.stat().st_size))
        # same-second backups: the file's modification time orders them
        out.sort(key=lambda b: (b.taken, b.path.stat().st_mtime_ns), reverse=True)
        return out

    def _rotate(self, reason: str) -> None:
        same = [b for b in self.backups() if b.reason == reason]
        for old in same[KEEP[reason] :]:
            old.path.unlink(missing_ok=True)

    def newest_good_backup(self) -> BackupInfo | None:
        """The newest backup that opens with our key and passes quick_check."""
        for b in self.backups():
            if verify_backup(b.path, self.key, db_id=self.expected_db_id()) is None:
                return b
        return None

    def restore(
        self, backup_file: Path, *, lock: InstanceLock | None = None, discard_unsent: bool = False,
        by: str = "",
    ) -> Path | None:
        """Replace the live database with ``backup_file``.

        The backup is verified first (our key, this database's id, quick_check,
        schema not newer). Changes head office never received that are not in
        the backup would be lost: refused with UnsentChangesError unless
        ``discard_unsent`` (also when the live file cannot be read to count them).
        The current file is kept as a ``prerestore`` backup when it still opens,
        else copied aside as ``branchdesk-damaged-*.db``. Needs the instance lock:
        refused while the desktop app is running. The restore is written to the
        restored file's audit trail (``by``: the staff code, if known). Returns the path of the kept copy.
        """
        backup_file = Path(backup_file)
        problem = verify_backup(backup_file, self.key, db_id=self.expected_db_id())
        if problem:
            raise BackupUnusableError(f"备份文件不能用于恢复：{problem}")
        lost = self.unsent_not_in(backup_file) if self.path.exists() else 0
        if lost != 0 and not discard_unsent:
            raise UnsentChangesError(_unsent_message(lost), lost)
        own_lock = lock is None
        lock = lock or InstanceLock(self.data_dir)
        if own_lock and not lock.acquire():
            raise StoreError("BranchDesk 正在运行，请先关闭程序再恢复备份。")
        try:
            saved: Path | None = None
            if self.path.exists():
                try:
                    saved = self.backup("prerestore")
                except (sqlcipher3.DatabaseError, StoreError, OSError) as exc:
                    log.warning("current database could not be copied before restore: %s", type(exc).__name__)
                    saved = self.path.with_name(f"branchdesk-damaged-{datetime.now():%Y%m%d-%H%M%S}.db")
                    shutil.copy2(self.path, saved)
            tmp = self.path.with_suffix(".restore.tmp")
            shutil.copyfile(backup_file, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            # A WAL left by the old file must never be applied to the restored one.
            for suffix in ("-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            os.replace(tmp, self.path)
            self._upgrade()
            self._save_state(last_check=time.time())
            self._audit_restore(backup_file, lost, by)
            return saved
        finally:
            if own_lock:
                lock.release()

    def expected_db_id(self) -> str | None:
        """This database's id: from settings.json, else from the live file's meta (None if neither)."""
        if self.settings.db_id:
            return self.settings.db_id
        try:
            return database_id(self.path, self.key)
        except (StoreError, sqlcipher3.DatabaseError):
            return None

    def unsent_not_in(self, backup_file: Path) -> int | None:
        """How many changes in the live file head office never received are missing from
        ``backup_file`` (they would be lost by restoring it); None when the live file cannot be read."""
        live = unsent_change_ids(self.path, self.key)
        if live is None:
            return None
        if not live:
            return 0
        kept = _journal_ids(backup_file, self.key)
        return len(live - kept)

    def _audit_restore(self, backup_file: Path, lost: int | None, by: str) -> None:
        from app.store import audit

        db = self.connect()
        try:
            detail = f"从备份 {backup_file.name} 恢复"
            if lost:
                detail += f"，放弃 {lost} 条未发送到总行的变更"
            elif lost is None:
                detail += "，原数据库无法读取，未发送的变更数不详"
            audit.record(db, staff=by or "-", action=audit.RESTORE,
                         kind=None, detail=detail)
        finally:
            db.close()

    def close_cleanly(self) -> None:
        """Checkpoint the WAL into the main file (on exit; makes the file self-contained)."""
        db = self.connect()
        try:
            wal_checkpoint(db)
        finally:
            db.close()

    # --- meta ---------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        db = self.connect(readonly=True)
        try:
            return meta_get(db, key, default)
        finally:
            db.close()


def require_writable(data_dir: Path) -> None:
    """Raise DataFolderError naming the folder when it (or the database in it) cannot be written.

    Every command writes there (the database, its WAL, the daily check, logs, backups), so a
    read-only folder is said up front, in Chinese, before anything is half done."""
    path = data_dir / DB_FILENAME
    if os.access(data_dir, os.W_OK) and (not path.exists() or os.access(path, os.W_OK)):
        return
    raise DataFolderError(
        f"数据目录 {data_dir} 是只读的（或没有写入权限）：BranchDesk 要在其中保存数据库、日志和备份。"
        "请检查文件夹权限或磁盘写保护后重试；没有做任何修改。"
    )


def _unsent_message(lost: int | None) -> str:
    if lost is None:
        return ("无法读取当前数据库，不能确认其中是否有尚未发送到总行的变更；恢复后这些变更会丢失"
                "（原文件会另存，不会删除）。确认恢复请加 --discard-unsent。")
    return (f"当前数据库中有 {lost} 条变更尚未发送到总行，且不在该备份中，恢复后会丢失。"
            "若数据库还能打开，请先运行 branchdesk sync 发送；确认放弃请加 --discard-unsent"
            "（原文件会另存为备份，不会删除）。")


def unsent_change_ids(path: Path, key: bytes) -> set[str] | None:
    """Change ids in the file at ``path`` that head office never received (pending, refused).

    Reads through the journal's state index, so a file damaged elsewhere still answers.
    None when the file cannot be opened or that part of it cannot be read."""
    try:
        db = connect(path, key, readonly=True)
    except (StoreError, sqlcipher3.DatabaseError):
        return None
    try:
        rows = db.conn.execute(
            "SELECT change_id FROM journal INDEXED BY journal_by_state"
            " WHERE sync_state IN ('pending', 'quarantined')"
        ).fetchall()
        return {r[0] for r in rows}
    except sqlcipher3.DatabaseError:
        return None
    finally:
        db.close()


def _journal_ids(path: Path, key: bytes) -> set[str]:
    db = connect(path, key, readonly=True)
    try:
        return {r[0] for r in db.conn.execute("SELECT change_id FROM journal")}
    finally:
        db.close()


def database_id(path: Path, key: bytes) -> str | None:
    """The id a database was created with (its ``meta.db_id``), None if it has none."""
    db = connect(path, key, readonly=True)
    try:
        return meta_get(db, "db_id")
    finally:
        db.close()


def verify_backup(path: Path, key: bytes, *, db_id: str | None = None) -> str | None:
    """Why ``path`` is not a usable backup (Chinese), or None if it is good.

    ``db_id``: the database it must belong to (a backup of another database with the same
    key, such as another demo county, is refused)."""
    if not path.exists():
        return f"找不到文件 {path}。"
    try:
        db = connect(path, key, readonly=True)
    except WrongKeyError:
        return "无法用本机的数据库密钥打开（不是本机数据库的备份，或文件已损坏）。"
    except (sqlcipher3.DatabaseError, StoreError):
        return "无法打开（文件已损坏，或不是 BranchDesk 数据库）。"
    try:
        version = db.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > schema.latest_version():
            return f"备份由较新版本写入（数据结构版本 {version}）。"
        if version == 0:
            return "文件中没有 BranchDesk 数据。"
        if db_id:
            theirs = meta_get(db, "db_id")
            if theirs and theirs != db_id:
                return f"它属于另一个数据库（编号 {theirs}），不是本机数据库（编号 {db_id}）的备份。"
        problems = quick_check(db)
        if problems:
            return "完整性检查未通过。"
    finally:
        db.close()
    return None


__all__ = [
    "BackupInfo",
    "DatabaseDamagedError",
    "Store",
    "verify_backup",
]
