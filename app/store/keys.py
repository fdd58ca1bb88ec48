"""The database key: generated on first run, kept in the OS credential store.

The key is 32 random bytes handed to SQLCipher as a raw key (``x'...'``), which
skips SQLCipher's passphrase KDF: the key is already full-entropy, and opening
stays fast. Three sources, chosen in ``settings.json`` (``key_source``):

* ``keyring`` (default): the OS credential store through ``keyring`` (Windows
  Credential Manager on branch PCs). A machine with no credential store gets a
  clear error, never a silent plain-text key.
* ``demo``: the fixed, documented demo key below, for the demo county only.
  It is public; demo databases must never hold real client data.
* ``keyfile``: an explicit opt-in for machines with no credential store. The
  key is written to ``branchdesk.key`` readable only by the user, and ``doctor``
  and the status bar warn about it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors

from app.store.config import (
    KEY_FILENAME,
    KEY_SOURCE_DEMO,
    KEY_SOURCE_KEYFILE,
    KEY_SOURCE_KEYRING,
    Settings,
)
from app.store.errors import KeyUnavailableError

KEYRING_SERVICE = "BranchDesk"

# The demo key is public by design: sha256 of this documented phrase.
DEMO_KEY_PHRASE = "BranchDesk demo county - not for real client data"
DEMO_KEY = hashlib.sha256(DEMO_KEY_PHRASE.encode()).digest()

_NO_STORE = (
    "本机没有可用的系统凭据存储（如 Windows 凭据管理器），无法安全保存数据库密钥。"
    "如确需在此机器上保存正式数据，请使用 --allow-key-file 明确选择“仅本人可读的密钥文件”。"
)


@dataclass(frozen=True)
class CredentialStoreStatus:
    """What ``doctor`` reports about the credential store."""

    usable: bool
    backend: str


def credential_store_status() -> CredentialStoreStatus:
    """Is there a real credential store? (The ``fail`` backend means no.)"""
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    priority = getattr(backend, "priority", 0)
    usable = not name.startswith("keyring.backends.fail") and priority > 0
    return CredentialStoreStatus(usable=usable, backend=name)


def _keyring_username(settings: Settings) -> str:
    return f"database-key:{settings.db_id}"


def get_key(data_dir: Path, settings: Settings, *, create: bool = False) -> bytes:
    """Return the 32-byte database key, creating and storing it when ``create``.

    Raises KeyUnavailableError with a Chinese message when it cannot be had.
    """
    if settings.key_source == KEY_SOURCE_DEMO:
        return DEMO_KEY
    if settings.key_source == KEY_SOURCE_KEYFILE:
        return _keyfile_key(data_dir, create=create)
    if settings.key_source == KEY_SOURCE_KEYRING:
        return _keyring_key(settings, create=create)
    raise KeyUnavailableError(f"settings.json 中的 key_source 无效：{settings.key_source!r}。")


def delete_key(settings: Settings) -> None:
    """Remove the key from the credential store (used when a database is discarded)."""
    if settings.key_source != KEY_SOURCE_KEYRING or not settings.db_id:
        return
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, _keyring_username(settings))


def _keyring_key(settings: Settings, *, create: bool) -> bytes:
    if not settings.db_id:
        raise KeyUnavailableError("settings.json 缺少数据库编号（db_id），无法在凭据存储中找到密钥。")
    if not credential_store_status().usable:
        raise KeyUnavailableError(_NO_STORE)
    user = _keyring_username(settings)
    try:
        stored = keyring.get_password(KEYRING_SERVICE, user)
    except keyring.errors.KeyringError as exc:
        raise KeyUnavailableError(f"读取系统凭据存储失败：{type(exc).__name__}。") from exc
    if stored:
        return _decode(stored)
    if not create:
        raise KeyUnavailableError(
            "系统凭据存储中没有本数据库的密钥（可能换了 Windows 账户或凭据被清除）。请用备份恢复，或联系 IT。"
        )
    key = secrets.token_bytes(32)
    try:
        keyring.set_password(KEYRING_SERVICE, user, key.hex())
        if keyring.get_password(KEYRING_SERVICE, user) != key.hex():
            raise KeyUnavailableError("系统凭据存储未能保存数据库密钥。")
    except keyring.errors.KeyringError as exc:
        raise KeyUnavailableError(f"写入系统凭据存储失败：{type(exc).__name__}。") from exc
    return key


def _keyfile_key(data_dir: Path, *, create: bool) -> bytes:
    path = data_dir / KEY_FILENAME
    if path.exists():
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise KeyUnavailableError(f"密钥文件 {path} 可被其他用户读取，请将权限改为仅本人可读（600）。")
        return _decode(path.read_text(encoding="ascii").strip())
    if not create:
        raise KeyUnavailableError(f"找不到密钥文件 {path}。")
    key = secrets.token_bytes(32)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex())
        fh.flush()
        os.fsync(fh.fileno())
    return key


def _decode(text: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise KeyUnavailableError("保存的数据库密钥格式错误。") from exc
    if len(key) != 32:
        raise KeyUnavailableError("保存的数据库密钥长度错误。")
    return key


def new_db_id() -> str:
    """A random id for a new database (names its credential-store entry)."""
    return secrets.token_hex(8)
