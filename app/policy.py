"""Machine-wide policy: the settings IT sets once for every PC, which a person cannot change.

Where the policy is read, first match wins:

* the JSON file named in the ``BRANCHDESK_POLICY_FILE`` environment variable (on every system; tests use it);
* on Windows, the registry key ``HKLM\\SOFTWARE\\Policies\\BranchDesk`` (64-bit view), as Group Policy writes it
  from ``resources/policy/BranchDesk.admx``;
* elsewhere, ``/etc/branchdesk/policy.json``.

The file is one JSON object keyed by the registry value names, e.g.
``{"ServerUrl": "https://sync.bank.local", "SyncIntervalMinutes": 30, "OfferEnglish": false}``.
A value absent from the registry or the file is no policy: the person's own setting applies.

Precedence: a policy value wins over the person's saved value, which wins over the default. A value of the
wrong type, out of its range or otherwise unusable is ignored on its own (the others still apply), with a
log line naming the policy but never its value (a proxy address may carry a password). An unreadable file
is no policy at all, with a log line.

Threads: any. Reading is cheap (one small file or one registry key) and done once per process; the result is
cached (``read_policy``). ``reload()`` reads again (tests; a settings page that wants a fresh look).

Nothing here imports Qt or the rest of the app: ``app.store.config`` and ``sync.client.config`` both apply it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

REGISTRY_KEY = r"SOFTWARE\Policies\BranchDesk"
POLICY_FILE_ENV = "BRANCHDESK_POLICY_FILE"
DEFAULT_POLICY_FILE = Path("/etc/branchdesk/policy.json")

# which settings object a policy governs
SETTINGS = "settings"  # app.store.config.Settings (settings.json's top level)
SYNC = "sync"  # sync.client.config.SyncSettings (settings.json's "sync")

ENGLISH = "en"
CHINESE = "zh_CN"


def _url(text: str, schemes: tuple[str, ...]) -> bool:
    """Whether ``text`` is a plain address with one of ``schemes`` and a host (no spaces, query or fragment)."""
    if any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme.lower() in schemes and bool(parts.hostname) and not parts.query and not parts.fragment
            and (port is None or 1 <= port <= 65535))


@dataclass(frozen=True)
class PolicyDef:
    """One policy: its name here and in the registry, its type and range, and the setting it governs."""

    key: str  # the name in this code, e.g. "server_url"
    value_name: str  # the registry value (and JSON key), e.g. "ServerUrl"
    type: type  # str, int or bool (a registry REG_SZ, REG_DWORD, REG_DWORD 0/1)
    target: str  # SETTINGS or SYNC
    field: str  # the governed field of that settings object
    minimum: int | None = None  # ints only, inclusive
    maximum: int | None = None
    # the policy's value as the setting's value; returning None means "no constraint" (the person's value applies)
    to_setting: Callable[[Any], Any] = lambda v: v
    # strings only: whether a (stripped) value is usable
    check: Callable[[str], bool] = lambda v: True
    allow_empty: bool = False  # strings only: "" is a real policy (e.g. "no proxy") rather than invalid


POLICIES: tuple[PolicyDef, ...] = (
    PolicyDef("server_url", "ServerUrl", str, SYNC, "server_url",
              check=lambda v: _url(v, ("http", "https")), to_setting=lambda v: v.rstrip("/")),
    # "" forces a direct connection (no proxy)
    PolicyDef("proxy", "Proxy", str, SYNC, "proxy", allow_empty=True,
              check=lambda v: v == "" or _url(v, ("http", "https", "socks5", "socks5h")),
              to_setting=lambda v: v or ""),
    # "" forces the system's certificate store (no bank CA file)
    PolicyDef("ca_bundle", "CaBundle", str, SYNC, "ca_bundle", allow_empty=True,
              check=lambda v: "\0" not in v, to_setting=lambda v: v or ""),
    PolicyDef("sync_interval_minutes", "SyncIntervalMinutes", int, SYNC, "interval_min",
              minimum=1, maximum=1440, to_setting=float),
    PolicyDef("stale_sync_days", "StaleSyncDays", int, SYNC, "stale_hours",
              minimum=1, maximum=30, to_setting=lambda v: float(v * 24)),
    PolicyDef("idle_lock_minutes", "IdleLockMinutes", int, SETTINGS, "idle_lock_minutes",
              minimum=1, maximum=240),
    # English offered: the person chooses (no constraint); not offered: Chinese, locked
    PolicyDef("offer_english", "OfferEnglish", bool, SETTINGS, "language",
              to_setting=lambda v: None if v else CHINESE),
)

BY_KEY: Mapping[str, PolicyDef] = MappingProxyType({p.key: p for p in POLICIES})
BY_VALUE_NAME: Mapping[str, PolicyDef] = MappingProxyType({p.value_name: p for p in POLICIES})

# the empty string stands for None in the settings that are optional (proxy, CA bundle): see ``governed``
_NONE_WHEN_EMPTY = frozenset({("sync", "proxy"), ("sync", "ca_bundle")})


@dataclass(frozen=True)
class Policy:
    """The policies in force on this PC: key → the policy's (validated) value, and where they came from."""

    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""  # "registry", the file's path, or "" when there is none

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.values


# --- reading --------------------------------------------------------------------------------------


def _validate(p: PolicyDef, value: object) -> tuple[bool, Any]:
    """(usable, value) for one raw value from the registry or the file."""
    if p.type is bool:
        # a registry DWORD 0/1 or a JSON true/false
        if isinstance(value, bool):
            return True, value
        if isinstance(value, int) and value in (0, 1):
            return True, bool(value)
        return False, None
    if p.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return False, None
        if (p.minimum is not None and value < p.minimum) or (p.maximum is not None and value > p.maximum):
            return False, None
        return True, value
    if not isinstance(value, str):
        return False, None
    text = value.strip()
    if not text and not p.allow_empty:
        return False, None
    if not p.check(text):
        return False, None
    return True, text


def _from_raw(raw: Mapping[str, object], source: str) -> Policy:
    values: dict[str, Any] = {}
    for name, value in raw.items():
        p = BY_VALUE_NAME.get(name)
        if p is None:
            log.warning("policy (%s): unknown policy %s ignored", source, name[:60])
            continue
        ok, clean = _validate(p, value)
        if not ok:
            # never the value: a proxy address may carry a password
            log.warning("policy (%s): %s ignored: not a valid %s%s", source, p.value_name, p.type.__name__,
                        f" from {p.minimum} to {p.maximum}" if p.type is int else "")
            continue
        values[p.key] = clean
    if values:
        log.info("policy (%s) in force: %s", source, ", ".join(BY_KEY[k].value_name for k in values))
    return Policy(MappingProxyType(values), source)


def _read_file(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return Policy()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("policy file %s cannot be read (%s): no policy applies", path, type(exc).__name__)
        return Policy()
    try:
        raw = json.loads(text)
    except ValueError:
        log.warning("policy file %s is not valid JSON: no policy applies", path)
        return Policy()
    if not isinstance(raw, dict):
        log.warning("policy file %s is not a JSON object: no policy applies", path)
        return Policy()
    return _from_raw(raw, str(path))


def _read_registry() -> Policy:
    """The values under HKLM\\SOFTWARE\\Policies\\BranchDesk (64-bit view). Windows only."""
    import winreg  # Windows only: imported here so the module loads everywhere

    raw: dict[str, object] = {}
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, REGISTRY_KEY, 0,
                             winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except FileNotFoundError:
        return Policy()
    except OSError as exc:
        log.warning("policy registry key cannot be read (%s): no policy applies", type(exc).__name__)
        return Policy()
    with key:
        for p in POLICIES:
            try:
                value, kind = winreg.QueryValueEx(key, p.value_name)
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("policy (registry): %s cannot be read (%s): ignored", p.value_name, type(exc).__name__)
                continue
            if kind == winreg.REG_EXPAND_SZ and isinstance(value, str):
                value = winreg.ExpandEnvironmentStrings(value)
            elif kind not in (winreg.REG_SZ, winreg.REG_EXPAND_SZ, winreg.REG_DWORD, winreg.REG_QWORD):
                value = object()  # a binary or multi-string value: the wrong type, ignored with a log line
            raw[p.value_name] = value
    return _from_raw(raw, "registry")


def policy_file() -> Path | None:
    """The policy file this process reads, or None when it reads the registry (Windows without the variable)."""
    env = os.environ.get(POLICY_FILE_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        return None
    return DEFAULT_POLICY_FILE


_lock = threading.Lock()
_cached: tuple[Path | None, Policy] | None = None


def _read() -> Policy:
    path = policy_file()
    return _read_registry() if path is None else _read_file(path)


def read_policy() -> Policy:
    """The policy in force, read once per process (again when ``BRANCHDESK_POLICY_FILE`` changes). Any thread."""
    global _cached
    with _lock:
        path = policy_file()
        if _cached is None or _cached[0] != path:
            _cached = (path, _read())
        return _cached[1]


def reload() -> Policy:
    """Forget the cached policy and read it again (tests; after IT changed it while the app runs)."""
    global _cached
    with _lock:
        _cached = None
    return read_policy()


# --- applying -------------------------------------------------------------------------------------


def _setting_value(p: PolicyDef, value: Any) -> Any:
    out = p.to_setting(value)
    if out == "" and (p.target, p.field) in _NONE_WHEN_EMPTY:
        return None
    return out


def effective(key: str, user_value: Any, default: Any, policy: Policy | None = None) -> tuple[Any, bool]:
    """The value of the setting that policy ``key`` governs, and whether the policy locks it.

    The policy's value when one is in force (locked), else ``user_value`` when it is not None, else ``default``.
    """
    p = BY_KEY[key]
    policy = read_policy() if policy is None else policy
    if key in policy:
        value = _setting_value(p, policy.get(key))
        if value is not None or (p.target, p.field) in _NONE_WHEN_EMPTY:
            return value, True
    return (default if user_value is None else user_value), False


def governed(target: str, policy: Policy | None = None) -> dict[str, Any]:
    """Field → forced value, for each field of ``target`` (SETTINGS or SYNC) a policy in force locks."""
    policy = read_policy() if policy is None else policy
    out: dict[str, Any] = {}
    for p in POLICIES:
        if p.target != target or p.key not in policy:
            continue
        value = _setting_value(p, policy.get(p.key))
        if value is not None or (p.target, p.field) in _NONE_WHEN_EMPTY:
            out[p.field] = value
    return out


def english_offered(policy: Policy | None = None) -> bool:
    """Whether the language choice may offer English (a UI hides it when not)."""
    policy = read_policy() if policy is None else policy
    return policy.get("offer_english") is not False


@dataclass(frozen=True)
class Applied:
    """What the policy changed when a settings object was loaded, so that saving it keeps the file the person's.

    ``locked``: the fields the policy forces (a settings page shows them read-only). ``user``: the person's own
    values of those fields as the file had them (a field the file did not have is absent from it).
    """

    locked: frozenset[str] = frozenset()
    user: Mapping[str, Any] = field(default_factory=dict)


def apply(target: str, obj: Any, file_values: Mapping[str, Any], policy: Policy | None = None) -> Applied:
    """Set each field of ``obj`` (a ``target`` settings object) that a policy locks; what was done."""
    forced = governed(target, policy)
    for name, value in forced.items():
        setattr(obj, name, value)
    return Applied(frozenset(forced), {k: file_values[k] for k in forced if k in file_values})


def restore_user_values(data: dict[str, Any], applied: Applied) -> dict[str, Any]:
    """``data`` (a settings object as it is about to be saved) with each locked field back to the person's own
    value, or without it when the person never had one: a policy value is never written to settings.json.
    A change made in memory to a locked field is not saved either (the field is read-only)."""
    for name in applied.locked:
        if name in applied.user:
            data[name] = applied.user[name]
        else:
            data.pop(name, None)
    return data
