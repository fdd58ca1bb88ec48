"""Where this workstation syncs to, and its device token.

The non-secret part (server address, branch, device id, proxy, CA bundle,
timeouts, the background-sync interval and when to call a sync stale) is kept
under ``"sync"`` in the data folder's ``settings.json``. The
device token is a secret kept the way the database key is: in the OS
credential store (``keyring``) under the database's id; on a PC set up with
``init --allow-key-file`` (no credential store), in ``device-token`` beside
the key file, readable only by its owner.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import keyring
import keyring.errors

from app import policy
from app.store.config import KEY_SOURCE_KEYFILE, Settings
from sync.client.transport import SyncError, TransportConfig

TOKEN_FILENAME = "device-token"

KEYRING_SERVICE = "BranchDesk sync"

INTERVAL_MIN_RANGE = (1.0, 1440.0)  # minutes between background syncs: a minute to a day
STALE_HOURS_RANGE = (1.0, 720.0)  # hours without a confirmed sync before the status bar warns: up to 30 days


def _in_range(value: object, default: float, bounds: tuple[float, float]) -> float:
    """A number from settings.json, or ``default`` when it is missing or not a finite number;
    a hand-edited value outside ``bounds`` is brought to the nearest bound (0 would hammer head office)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = float(value)
    except ValueError:
        return default
    if not math.isfinite(number):
        return default
    return min(max(number, bounds[0]), bounds[1])


@dataclass
class SyncSettings:
    server_url: str = ""
    branch: str = ""
    device_id: int = 0
    proxy: str | None = None
    ca_bundle: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 5
    interval_min: float = 15.0  # minutes between background syncs after a confirmed one (INTERVAL_MIN_RANGE)
    stale_hours: float = 48.0  # the status bar turns amber after this long without a confirmed sync
    county: str = ""  # a county manager's device (reads every branch of this county); "" for a branch's PC
    # what the machine policy forced at load, and the person's own values of those fields (kept by replace())
    applied_policy: policy.Applied = field(default_factory=policy.Applied, repr=False, compare=False)

    @classmethod
    def load(cls, settings: Settings) -> SyncSettings:
        """The settings under "sync"; keys a file does not have (an older build's) take their defaults.
        The machine policy (``app.policy``: server address, proxy, CA file, interval, stale age) wins over them."""
        raw = settings.extra.get("sync") or {}
        known = {f.name for f in fields(cls)} - {"applied_policy"}
        values = {k: v for k, v in dict(raw).items() if k in known}
        s = cls(**values)
        s.interval_min = _in_range(s.interval_min, cls.interval_min, INTERVAL_MIN_RANGE)
        s.stale_hours = _in_range(s.stale_hours, cls.stale_hours, STALE_HOURS_RANGE)
        s.applied_policy = policy.apply(policy.SYNC, s, values)
        return s

    @property
    def locked(self) -> frozenset[str]:
        """The fields the machine policy forces (a settings page shows them read-only)."""
        return self.applied_policy.locked

    def save(self, settings: Settings, data_dir: Path) -> None:
        """Kept under "sync"; a field the policy locks keeps the person's own value (or stays out of the file)."""
        data = asdict(self)
        data.pop("applied_policy")
        settings.extra["sync"] = policy.restore_user_values(data, self.applied_policy)
        settings.save(data_dir)

    @property
    def enrolled(self) -> bool:
        return bool(self.server_url and self.branch and self.device_id)

    def transport(self) -> TransportConfig:
        return TransportConfig(
            server_url=self.server_url,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries=self.retries,
            proxy=self.proxy,
            ca_bundle=self.ca_bundle,
        )


def _username(settings: Settings, s: SyncSettings, slot: str = "") -> str:
    return f"{settings.db_id}:{s.branch}:{s.device_id}" + (f":{slot}" if slot else "")


def _token_file(data_dir: Path, slot: str = "") -> Path:
    return data_dir / (TOKEN_FILENAME + (f"-{slot}" if slot else ""))


def save_token(settings: Settings, data_dir: Path, s: SyncSettings, token: str, *, slot: str = "") -> None:
    """Keep the device token (or, with ``slot``, another device secret: the bundle keys) where the
    database key is kept. Raises SyncError (Chinese) when it cannot."""
    if settings.key_source == KEY_SOURCE_KEYFILE:
        path = _token_file(data_dir, slot)
        try:
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(token)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            raise SyncError(f"无法把同步密钥写入 {path}：{exc.strerror or type(exc).__name__}。") from exc
        return
    try:
        keyring.set_password(KEYRING_SERVICE, _username(settings, s, slot), token)
        if keyring.get_password(KEYRING_SERVICE, _username(settings, s, slot)) != token:
            raise keyring.errors.KeyringError("not kept")
    except keyring.errors.KeyringError as exc:
        raise SyncError(
            "本机没有可用的系统凭据存储，无法安全保存同步令牌。请联系 IT 启用 Windows 凭据管理器"
            "（或以 branchdesk init --allow-key-file 初始化的本机把令牌保存在仅本人可读的文件中）。"
        ) from exc


def load_secret(settings: Settings, data_dir: Path, s: SyncSettings, slot: str = "") -> str:
    """The secret saved by ``save_token`` ("" when there is none). Raises SyncError when it cannot be read."""
    if settings.key_source == KEY_SOURCE_KEYFILE:
        path = _token_file(data_dir, slot)
        try:
            if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
                raise SyncError(f"同步密钥文件 {path} 可被其他用户读取，请将权限改为仅本人可读（600）。")
            return path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""
        except OSError as exc:
            raise SyncError(f"无法读取同步密钥文件 {path}。") from exc
    try:
        return keyring.get_password(KEYRING_SERVICE, _username(settings, s, slot)) or ""
    except keyring.errors.KeyringError as exc:
        raise SyncError("无法读取系统凭据存储中的同步密钥。") from exc


def load_token(settings: Settings, data_dir: Path, s: SyncSettings) -> str:
    token = load_secret(settings, data_dir, s)
    if not token:
        raise SyncError("本机尚未注册到总行，或同步令牌已丢失。请用一次性注册码重新注册（branchdesk sync enrol）。")
    return token
