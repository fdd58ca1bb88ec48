"""Where this workstation syncs to, and its device token.

The non-secret part (server address, branch, device id, proxy, CA bundle,
timeouts) is kept under ``"sync"`` in the data folder's ``settings.json``. The
device token is a secret: it lives only in the OS credential store
(``keyring``), under the database's id, never in a file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

import keyring
import keyring.errors

from app.store.config import Settings
from sync.client.transport import SyncError, TransportConfig

KEYRING_SERVICE = "BranchDesk sync"


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

    @classmethod
    def load(cls, settings: Settings) -> SyncSettings:
        raw = settings.extra.get("sync") or {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dict(raw).items() if k in known})

    def save(self, settings: Settings, data_dir: Path) -> None:
        settings.extra["sync"] = asdict(self)
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


def _username(settings: Settings, s: SyncSettings) -> str:
    return f"{settings.db_id}:{s.branch}:{s.device_id}"


def save_token(settings: Settings, s: SyncSettings, token: str) -> None:
    try:
        keyring.set_password(KEYRING_SERVICE, _username(settings, s), token)
    except keyring.errors.KeyringError as exc:
        raise SyncError(
            "本机没有可用的系统凭据存储，无法安全保存同步令牌。请联系 IT 启用 Windows 凭据管理器。"
        ) from exc


def load_token(settings: Settings, s: SyncSettings) -> str:
    try:
        token = keyring.get_password(KEYRING_SERVICE, _username(settings, s))
    except keyring.errors.KeyringError as exc:
        raise SyncError("无法读取系统凭据存储中的同步令牌。") from exc
    if not token:
        raise SyncError("本机尚未注册到总行，或同步令牌已丢失。请用一次性注册码重新注册（branchdesk sync enrol）。")
    return token
