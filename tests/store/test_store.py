"""The encrypted local store: encryption, keys, settings, migrations, backups, damage."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.store import schema
from app.store.config import DB_FILENAME, KEY_FILENAME, Settings
from app.store.db import connect, write
from app.store.errors import (
    DatabaseDamagedError,
    DatabaseMissingError,
    DatabaseNewerError,
    KeyUnavailableError,
    StoreError,
    WrongKeyError,
)
from app.store.keys import KEYRING_SERVICE
from app.store.lock import InstanceLock
from app.store.store import Store, verify_backup


def test_database_cannot_be_read_as_plain_sqlite_and_holds_no_plain_names(demo_dir: Path) -> None:
    path = demo_dir / DB_FILENAME
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    store = Store.open(demo_dir)
    db = store.connect()
    names = [r[0] for r in db.conn.execute("SELECT name FROM clients ORDER BY id LIMIT 300")]
    mobiles = [r[0] for r in db.conn.execute("SELECT mobile FROM clients WHERE mobile IS NOT NULL LIMIT 300")]
    db.close()
    store.close_cleanly()
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    long_names = [n for n in names if len(n) >= 3]
    assert long_names
    for n in long_names:
        assert n.encode("utf-8") not in raw
        assert n.encode("gb18030") not in raw
    for m in mobiles:
        assert m.encode() not in raw


def test_wal_file_is_encrypted_too(demo_dir: Path) -> None:
    store = Store.open(demo_dir)
    db = store.connect()
    with write(db):
        db.conn.execute("UPDATE clients SET notes = '独一无二的备注文字甲乙丙' WHERE id = 1")
    wal = Path(str(store.path) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert "独一无二的备注文字甲乙丙".encode() not in wal.read_bytes()
    db.close()


def test_connections_use_the_house_settings(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    c = db.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    db.close()


def test_wrong_key_is_refused_with_a_clear_message(demo_dir: Path) -> None:
    with pytest.raises(WrongKeyError) as err:
        connect(demo_dir / DB_FILENAME, b"\x01" * 32)
    assert "密钥" in err.value.message


def test_missing_database_says_how_to_get_one(data_dir: Path) -> None:
    with pytest.raises(DatabaseMissingError) as err:
        Store.open(data_dir)
    assert "branchdesk demo" in err.value.message


def test_key_is_generated_once_and_kept_in_the_credential_store(data_dir: Path) -> None:
    store = Store.open(data_dir, create=True)
    settings = Settings.load(data_dir)
    stored = keyring.get_password(KEYRING_SERVICE, f"database-key:{settings.db_id}")
    assert stored == store.key.hex()
    assert settings.key_source == "keyring"
    # Nothing secret on disk in plain text.
    for p in data_dir.rglob("*"):
        if p.is_file() and p.suffix != ".db":
            assert store.key.hex().encode() not in p.read_bytes(), p
    again = Store.open(data_dir)
    assert again.key == store.key


def test_no_credential_store_is_an_error_not_a_plain_text_key(data_dir: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyUnavailableError) as err:
        Store.open(data_dir, create=True)
    assert "凭据存储" in err.value.message and "--allow-key-file" in err.value.message
    assert not (data_dir / KEY_FILENAME).exists()
    assert not (data_dir / DB_FILENAME).exists()


def test_key_file_only_on_explicit_opt_in_and_private(data_dir: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    store = Store.open(data_dir, create=True, allow_keyfile=True)
    key_file = data_dir / KEY_FILENAME
    assert key_file.exists()
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings.load(data_dir).key_source == "keyfile"
    os.chmod(key_file, 0o644)
    with pytest.raises(KeyUnavailableError):
        Store.open(data_dir)
    os.chmod(key_file, 0o600)
    assert Store.open(data_dir).key == store.key


def test_a_newer_file_is_refused(demo_dir: Path) -> None:
    store = Store.open(demo_dir)
    db = store.connect()
    db.conn.execute(f"PRAGMA user_version = {schema.latest_version() + 1}")
    db.close()
    with pytest.raises(DatabaseNewerError) as err:
        Store.open(demo_dir)
    assert "较新版本" in err.value.message


def test_an_older_file_is_backed_up_then_upgraded(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v = schema.latest_version()

    def add_column(db) -> None:
        db.conn.execute("ALTER TABLE clients ADD COLUMN wechat TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, schema.Migration(v + 1, "wechat", add_column)])
    store = Store.open(demo_dir)
    assert store.migrated_from == v
    assert store.schema_version() == v + 1
    db = store.connect()
    assert "wechat" in db["clients"].columns_dict
    db.close()
    pre = [b for b in store.backups() if b.reason == "premigrate"]
    assert len(pre) == 1
    old = connect(pre[0].path, store.key, readonly=True)
    assert old.conn.execute("PRAGMA user_version").fetchone()[0] == v
    assert "wechat" not in old["clients"].columns_dict
    old.close()


def test_a_failed_migration_leaves_the_file_as_it_was(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v = schema.latest_version()

    def half_then_fail(db) -> None:
        db.conn.execute("ALTER TABLE clients ADD COLUMN wechat TEXT")
        raise RuntimeError("disk went away")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, schema.Migration(v + 1, "bad", half_then_fail)])
    with pytest.raises(RuntimeError):
        Store.open(demo_dir)
    monkeypatch.undo()
    store = Store.open(demo_dir)
    assert store.schema_version() == v
    db = store.connect()
    assert "wechat" not in db["clients"].columns_dict
    db.close()


def test_backup_restore_round_trip(demo_dir: Path) -> None:
    store = Store.open(demo_dir)
    backup = store.backup("manual")
    assert verify_backup(backup, store.key) is None
    db = store.connect()
    with write(db):
        db.conn.execute("DELETE FROM client_tags")
    db.close()
    saved = store.restore(backup)
    assert saved is not None and saved.exists()
    db = store.connect()
    assert db.conn.execute("SELECT count(*) FROM client_tags").fetchone()[0] > 0
    db.close()


def test_restore_is_refused_while_the_app_runs(demo_dir: Path) -> None:
    store = Store.open(demo_dir)
    backup = store.backup("manual")
    lock = InstanceLock(demo_dir)
    assert lock.acquire()
    try:
        with pytest.raises(StoreError) as err:
            store.restore(backup)
        assert "正在运行" in err.value.message
    finally:
        lock.release()


def test_backups_rotate(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.store import store as store_mod

    monkeypatch.setitem(store_mod.KEEP, "manual", 2)
    store = Store.open(demo_dir)
    made = [store.backup("manual") for _ in range(4)]
    kept = [b.path for b in store.backups() if b.reason == "manual"]
    assert len(kept) == 2
    assert set(kept) == set(made[-2:])


def _damage(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for offset in (size // 3, size // 2, 2 * size // 3):
            fh.seek(offset - offset % 4096 + 100)
            fh.write(os.urandom(512))


def test_a_damaged_file_is_detected_and_the_newest_good_backup_offered(demo_dir: Path) -> None:
    store = Store.open(demo_dir)
    good = store.backup("daily")
    store.close_cleanly()
    # A damaged, newer backup must be skipped in favour of the good one.
    bad = store.backup("manual")
    _damage(bad)
    _damage(store.path)
    with pytest.raises((DatabaseDamagedError, WrongKeyError)) as err:
        Store.open(demo_dir).check()
    assert "损坏" in err.value.message or "密钥" in err.value.message
    located = Store.locate(demo_dir)
    newest = located.newest_good_backup()
    assert newest is not None and newest.path == good
    # the damage may reach the journal: then whether unsent changes would be lost cannot be
    # known, and restore asks to be told (issue 13, item 10)
    located.restore(newest.path, discard_unsent=True)
    assert Store.open(demo_dir).check() >= 0


def test_indexes_dropped_for_a_bulk_load_come_back_after_a_crash(data_dir: Path) -> None:
    """A first sync or bulk load drops the book's indexes; if it dies there, the next open restores them."""
    from app.store import bulk

    store = Store.open(data_dir, create=True)
    db = store.connect()
    before = {n for (n,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    with write(db):
        assert bulk.drop_sort_indexes(db) == len(bulk._SORT_INDEX_NAMES)
    db.close()  # ...and the process dies here
    reopened = Store.open(data_dir)
    db = reopened.connect(readonly=True)
    after = {n for (n,) in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert after == before
    assert db.conn.execute("SELECT count(*) FROM meta WHERE key = ?", (bulk.DROPPED_KEY,)).fetchone()[0] == 0
    db.close()
