"""Where BranchDesk keeps its data, and the small non-secret settings file there.

The data folder holds::

    settings.json        non-secret settings (which key source, default user, language)
    branchdesk.db        the encrypted SQLite database (+ -wal / -shm while open)
    backups/             rotating encrypted backups (SQLite backup API)
    logs/                rotating log files (no personal data)
    branchdesk.key       ONLY with the explicit key-file opt-in (0600, warned about)

The folder is resolved, first match wins: the ``--data-dir`` option, the
``BRANCHDESK_DATA_DIR`` environment variable, the machine-wide folder named in
``BRANCHDESK_SHARED_DATA_DIR`` (for PCs that staff share), else the platform's
per-user data folder (``%LOCALAPPDATA%\\BranchDesk`` on Windows,
``~/.local/share/BranchDesk`` on Linux). Never the install folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

from app import policy

APP_NAME = "BranchDesk"
DB_FILENAME = "branchdesk.db"
SETTINGS_FILENAME = "settings.json"
KEY_FILENAME = "branchdesk.key"

# How the database key is obtained.
KEY_SOURCE_KEYRING = "keyring"  # the OS credential store (Windows Credential Manager)
KEY_SOURCE_DEMO = "demo"  # the fixed, documented demo key: demo data only
KEY_SOURCE_KEYFILE = "keyfile"  # explicit opt-in: a key file readable only by the user
KEY_SOURCES = (KEY_SOURCE_KEYRING, KEY_SOURCE_DEMO, KEY_SOURCE_KEYFILE)


def default_data_dir() -> Path:
    """The data folder when no option says otherwise (see the module docstring)."""
    env = os.environ.get("BRANCHDESK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    shared = os.environ.get("BRANCHDESK_SHARED_DATA_DIR")
    if shared:
        return Path(shared).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


@dataclass
class Settings:
    """Non-secret settings kept beside the database as JSON.

    Unknown keys in the file are preserved, so an older build does not drop
    settings a newer one wrote.

    ``load`` applies the machine-wide policy (``app.policy``: the idle lock, whether English is offered);
    ``locked`` names the fields it forces, and ``save`` writes the person's own values of those, never the
    policy's.
    """

    db_id: str = ""  # random id naming this database's entry in the credential store
    key_source: str = KEY_SOURCE_KEYRING
    demo: bool = False
    default_user: str = ""  # staff code used by headless commands when --user is not given
    language: str = "zh_CN"
    idle_lock_minutes: int = 10
    extra: dict[str, object] = field(default_factory=dict)
    # what the machine policy forced at load, and the person's own values of those fields (kept by replace())
    applied_policy: policy.Applied = field(default_factory=policy.Applied, repr=False, compare=False)

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        path = data_dir / SETTINGS_FILENAME
        raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        known = {f.name for f in fields(cls)} - {"extra", "applied_policy"}
        values = {k: v for k, v in raw.items() if k in known}
        extra = {k: v for k, v in raw.items() if k not in known}
        settings = cls(**values, extra=extra)
        settings.applied_policy = policy.apply(policy.SETTINGS, settings, values)
        return settings

    @property
    def locked(self) -> frozenset[str]:
        """The fields the machine policy forces (a settings page shows them read-only)."""
        return self.applied_policy.locked

    def save(self, data_dir: Path) -> None:
        """Write atomically (temp file + rename), so a crash never leaves half a file.

        A field the policy locks keeps the value the person saved (or stays out of the file)."""
        data_dir.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        data.pop("applied_policy")
        policy.restore_user_values(data, self.applied_policy)
        extra = data.pop("extra")
        data.update(extra)
        path = data_dir / SETTINGS_FILENAME
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only where the OS supports it."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path
