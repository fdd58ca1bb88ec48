"""Machine-wide policy (app/policy.py): a policy value wins over the person's, which wins over the default;
a bad value is ignored on its own; saving never writes a policy value; the ADMX/ADML agree with the code."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import policy
from app.store.config import SETTINGS_FILENAME, Settings
from sync.client.config import INTERVAL_MIN_RANGE, STALE_HOURS_RANGE, SyncSettings

REPO = Path(__file__).resolve().parents[2]
POLICY_DIR = REPO / "resources" / "policy"
NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}


@pytest.fixture(autouse=True)
def _no_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No machine policy unless a test writes one (never the developer's /etc/branchdesk or registry)."""
    monkeypatch.setenv(policy.POLICY_FILE_ENV, str(tmp_path / "no-policy.json"))
    monkeypatch.setattr(policy, "_cached", None)


@pytest.fixture
def set_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[dict[str, Any]], None]:
    path = tmp_path / "policy.json"

    def write(values: dict[str, Any]) -> None:
        path.write_text(json.dumps(values), encoding="utf-8")
        monkeypatch.setenv(policy.POLICY_FILE_ENV, str(path))
        policy.reload()

    return write


def _write_settings(data_dir: Path, values: dict[str, Any]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / SETTINGS_FILENAME).write_text(json.dumps(values), encoding="utf-8")


def _file(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / SETTINGS_FILENAME).read_text(encoding="utf-8"))


# --- precedence: policy over the person's value over the default ------------------------------------

# (policy value name, policy value, settings field, the person's value, default, the effective policy value)
SETTINGS_CASES = [
    ("IdleLockMinutes", 3, "idle_lock_minutes", 25, 10, 3),
    ("OfferEnglish", False, "language", "en", "zh_CN", "zh_CN"),
]

SYNC_CASES = [
    ("ServerUrl", "https://hq.bank.local/", "server_url", "https://old.example", "", "https://hq.bank.local"),
    ("Proxy", "http://proxy.bank.local:8080", "proxy", "http://mine:3128", None, "http://proxy.bank.local:8080"),
    ("CaBundle", r"C:\ProgramData\BranchDesk\ca.pem", "ca_bundle", "/home/me/ca.pem", None,
     r"C:\ProgramData\BranchDesk\ca.pem"),
    ("SyncIntervalMinutes", 60, "interval_min", 5.0, 15.0, 60.0),
    ("StaleSyncDays", 3, "stale_hours", 12.0, 48.0, 72.0),
]


@pytest.mark.parametrize(("name", "pvalue", "fld", "user", "default", "forced"), SETTINGS_CASES)
def test_settings_policy_over_user_over_default(data_dir: Path, set_policy, name, pvalue, fld, user, default,
                                                forced) -> None:
    assert getattr(Settings.load(data_dir), fld) == default  # no file, no policy
    _write_settings(data_dir, {fld: user})
    s = Settings.load(data_dir)
    assert getattr(s, fld) == user and fld not in s.locked
    set_policy({name: pvalue})
    s = Settings.load(data_dir)
    assert getattr(s, fld) == forced and fld in s.locked
    assert policy.effective(policy.BY_VALUE_NAME[name].key, user, default) == (forced, True)
    (data_dir / SETTINGS_FILENAME).unlink()
    assert getattr(Settings.load(data_dir), fld) == forced  # the policy also wins over the default


@pytest.mark.parametrize(("name", "pvalue", "fld", "user", "default", "forced"), SYNC_CASES)
def test_sync_policy_over_user_over_default(data_dir: Path, set_policy, name, pvalue, fld, user, default,
                                            forced) -> None:
    assert getattr(SyncSettings.load(Settings.load(data_dir)), fld) == default
    _write_settings(data_dir, {"sync": {fld: user}})
    s = SyncSettings.load(Settings.load(data_dir))
    assert getattr(s, fld) == user and fld not in s.locked
    assert policy.effective(policy.BY_VALUE_NAME[name].key, user, default) == (user, False)
    assert policy.effective(policy.BY_VALUE_NAME[name].key, None, default) == (default, False)
    set_policy({name: pvalue})
    s = SyncSettings.load(Settings.load(data_dir))
    assert getattr(s, fld) == forced and s.locked == {fld}
    assert policy.effective(policy.BY_VALUE_NAME[name].key, user, default) == (forced, True)
    if fld == "proxy" or fld == "ca_bundle":
        assert getattr(s.transport(), fld) == forced


def test_every_policy_at_once(data_dir: Path, set_policy) -> None:
    set_policy({name: pvalue for name, pvalue, *_ in SETTINGS_CASES + SYNC_CASES})
    s = Settings.load(data_dir)
    sync = SyncSettings.load(s)
    assert s.locked == {"idle_lock_minutes", "language"}
    assert sync.locked == {"server_url", "proxy", "ca_bundle", "interval_min", "stale_hours"}
    for _name, _pv, fld, _user, _default, forced in SYNC_CASES:
        assert getattr(sync, fld) == forced


def test_english_offered_leaves_the_choice_to_the_person(data_dir: Path, set_policy) -> None:
    _write_settings(data_dir, {"language": "en"})
    set_policy({"OfferEnglish": True})
    s = Settings.load(data_dir)
    assert s.language == "en" and "language" not in s.locked
    assert policy.english_offered()
    set_policy({"OfferEnglish": 0})  # a registry DWORD 0
    assert Settings.load(data_dir).language == "zh_CN"
    assert not policy.english_offered()


def test_an_empty_proxy_or_ca_policy_forces_none(data_dir: Path, set_policy) -> None:
    _write_settings(data_dir, {"sync": {"proxy": "http://mine:3128", "ca_bundle": "/home/me/ca.pem"}})
    set_policy({"Proxy": "", "CaBundle": "  "})
    s = SyncSettings.load(Settings.load(data_dir))
    assert s.proxy is None and s.ca_bundle is None
    assert s.locked == {"proxy", "ca_bundle"}


# --- bad policy values ------------------------------------------------------------------------------


def test_invalid_values_are_ignored_one_by_one_and_never_logged(data_dir: Path, set_policy,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    _write_settings(data_dir, {"idle_lock_minutes": 25, "sync": {"server_url": "https://mine.example"}})
    secret = "s3cret-pw"
    with caplog.at_level(logging.INFO, logger="app.policy"):
        set_policy({
            "ServerUrl": "ftp://hq.bank.local",  # not http(s)
            "Proxy": f"http://user:{secret}@proxy:99999",  # port out of range; carries a password
            "CaBundle": "/etc/ssl/bank-ca.pem",  # the one good value
            "SyncIntervalMinutes": 0,  # below its range
            "StaleSyncDays": 31,  # above its range
            "IdleLockMinutes": "5",  # a string, not a number
            "OfferEnglish": "no",  # not a boolean
            "Frobnicate": 1,  # not a policy
        })
    s = Settings.load(data_dir)
    sync = SyncSettings.load(s)
    assert s.idle_lock_minutes == 25 and s.locked == frozenset()
    assert sync.server_url == "https://mine.example" and sync.proxy is None and sync.interval_min == 15.0
    assert sync.ca_bundle == "/etc/ssl/bank-ca.pem" and sync.locked == {"ca_bundle"}
    text = caplog.text
    for name in ("ServerUrl", "Proxy", "SyncIntervalMinutes", "StaleSyncDays", "IdleLockMinutes", "OfferEnglish",
                 "Frobnicate"):
        assert re.search(rf"\b{name}\b.*ignored", text), name
    for value in (secret, "ftp://", "99999", "bank-ca.pem"):
        assert value not in text


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage", b'"ServerUrl"'])
def test_an_unreadable_policy_file_is_no_policy(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture, content: bytes) -> None:
    path = tmp_path / "bad-policy.json"
    path.write_bytes(content)
    monkeypatch.setenv(policy.POLICY_FILE_ENV, str(path))
    with caplog.at_level(logging.WARNING, logger="app.policy"):
        p = policy.reload()
    assert dict(p.values) == {}
    assert "no policy applies" in caplog.text
    assert Settings.load(data_dir).idle_lock_minutes == 10


def test_a_missing_policy_file_is_no_policy_and_the_policy_is_cached(tmp_path: Path, set_policy,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert dict(policy.reload().values) == {}
    set_policy({"IdleLockMinutes": 7})
    first = policy.read_policy()
    assert first.get("idle_lock_minutes") == 7
    (tmp_path / "policy.json").write_text(json.dumps({"IdleLockMinutes": 8}), encoding="utf-8")
    assert policy.read_policy() is first  # cached per process…
    assert policy.reload().get("idle_lock_minutes") == 8  # …until reload()


# --- saving never writes a policy value -------------------------------------------------------------


def test_saving_after_load_keeps_the_persons_values(data_dir: Path, set_policy) -> None:
    _write_settings(data_dir, {"idle_lock_minutes": 25, "language": "en", "default_user": "A01",
                               "sync": {"server_url": "https://mine.example", "interval_min": 5.0, "branch": "B1"}})
    set_policy({name: pvalue for name, pvalue, *_ in SETTINGS_CASES + SYNC_CASES})
    s = Settings.load(data_dir)
    s.default_user = "A02"  # a field no policy governs is saved as usual
    s.save(data_dir)
    sync = SyncSettings.load(s)
    sync = dataclasses.replace(sync, device_id=7)  # replace() keeps what the policy did
    sync.save(s, data_dir)
    saved = _file(data_dir)
    assert saved["idle_lock_minutes"] == 25 and saved["language"] == "en" and saved["default_user"] == "A02"
    assert saved["sync"]["server_url"] == "https://mine.example" and saved["sync"]["interval_min"] == 5.0
    assert saved["sync"]["device_id"] == 7 and saved["sync"]["branch"] == "B1"
    # the person never had these: they stay out of the file rather than take the policy's value
    for fld in ("proxy", "ca_bundle", "stale_hours"):
        assert fld not in saved["sync"]
    assert "applied_policy" not in saved and "applied_policy" not in saved["sync"]
    # the policy gone, the person's own values are back
    set_policy({})
    s = Settings.load(data_dir)
    sync = SyncSettings.load(s)
    assert (s.idle_lock_minutes, s.language, sync.server_url, sync.interval_min) == (25, "en", "https://mine.example",
                                                                                      5.0)
    assert (sync.proxy, sync.ca_bundle, sync.stale_hours) == (None, None, 48.0)


def test_saving_a_new_settings_file_under_policy(data_dir: Path, set_policy) -> None:
    set_policy({"IdleLockMinutes": 3})
    s = Settings.load(data_dir)  # no file yet
    assert s.idle_lock_minutes == 3
    s.save(data_dir)
    assert "idle_lock_minutes" not in _file(data_dir)
    assert Settings.load(data_dir).idle_lock_minutes == 3


# --- the declarations, and the Group Policy templates -----------------------------------------------


def test_declared_policies_govern_real_fields_within_their_ranges() -> None:
    targets = {policy.SETTINGS: Settings, policy.SYNC: SyncSettings}
    for p in policy.POLICIES:
        assert p.field in {f.name for f in dataclasses.fields(targets[p.target])}, p.key
        assert p.type in (str, int, bool)
        assert (p.minimum is not None and p.maximum is not None) == (p.type is int)
    assert len({p.key for p in policy.POLICIES}) == len({p.value_name for p in policy.POLICIES}) == len(
        policy.POLICIES)
    interval, stale = policy.BY_KEY["sync_interval_minutes"], policy.BY_KEY["stale_sync_days"]
    assert INTERVAL_MIN_RANGE[0] <= interval.minimum and interval.maximum <= INTERVAL_MIN_RANGE[1]
    assert STALE_HOURS_RANGE[0] <= stale.minimum * 24 and stale.maximum * 24 <= STALE_HOURS_RANGE[1]


def _refs(root: ET.Element, kind: str) -> set[str]:
    found: set[str] = set()
    for el in root.iter():
        for value in el.attrib.values():
            found |= set(re.findall(rf"\$\({kind}\.([^)]+)\)", value))
    return found


def test_admx_matches_the_declared_policies() -> None:
    root = ET.parse(POLICY_DIR / "BranchDesk.admx").getroot()
    assert root.tag == f"{{{NS['p']}}}policyDefinitions"
    categories = {c.get("name") for c in root.findall("p:categories/p:category", NS)}
    supported = {d.get("name") for d in root.findall("p:supportedOn/p:definitions/p:definition", NS)}
    seen: dict[str, tuple[type, int | None, int | None]] = {}
    for pol in root.findall("p:policies/p:policy", NS):
        assert pol.get("class") == "Machine"
        assert pol.get("key") == policy.REGISTRY_KEY
        assert pol.find("p:parentCategory", NS).get("ref") in categories
        assert pol.find("p:supportedOn", NS).get("ref") in supported
        elements = list(pol.find("p:elements", NS))
        assert len(elements) == 1, pol.get("name")
        el = elements[0]
        kind = {"text": str, "decimal": int, "boolean": bool}[el.tag.split("}")[1]]
        lo, hi = el.get("minValue"), el.get("maxValue")
        seen[el.get("valueName")] = (kind, int(lo) if lo else None, int(hi) if hi else None)
        assert el.get("id") == el.get("valueName") == pol.get("name")
        assert el.get("key") in (None, policy.REGISTRY_KEY)
    declared = {p.value_name: (p.type, p.minimum, p.maximum) for p in policy.POLICIES}
    assert seen == declared


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_adml_defines_every_string_and_presentation(lang: str) -> None:
    admx = ET.parse(POLICY_DIR / "BranchDesk.admx").getroot()
    adml = ET.parse(POLICY_DIR / lang / "BranchDesk.adml").getroot()
    assert adml.tag == f"{{{NS['p']}}}policyDefinitionResources"
    strings = {s.get("id"): (s.text or "") for s in adml.findall("p:resources/p:stringTable/p:string", NS)}
    presentations = {p.get("id"): p for p in adml.findall("p:resources/p:presentationTable/p:presentation", NS)}
    assert _refs(admx, "string") <= set(strings)
    assert _refs(admx, "presentation") <= set(presentations)
    assert all(text.strip() for text in strings.values())
    for pol in admx.findall("p:policies/p:policy", NS):
        shown = presentations[re.fullmatch(r"\$\(presentation\.(.+)\)", pol.get("presentation")).group(1)]
        want = {el.get("id"): el.tag.split("}")[1] for el in pol.find("p:elements", NS)}
        got = {c.get("refId"): c.tag.split("}")[1] for c in shown}
        control = {"text": "textBox", "decimal": "decimalTextBox", "boolean": "checkBox"}
        assert got == {k: control[v] for k, v in want.items()}, pol.get("name")
    if lang == "zh-CN":
        assert all(re.search(r"[\u4e00-\u9fff]", strings[s]) for s in _refs(admx, "string") if s != "Cat_BranchDesk")


# --- the Windows registry -----------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "win32", reason="the Windows registry")
def test_registry_policy_is_read(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import winreg

    # HKLM needs an administrator: the same reading, pointed at a throwaway key under HKCU
    sub = rf"Software\BranchDeskTest-{uuid.uuid4().hex}\Policies"
    monkeypatch.setattr(winreg, "HKEY_LOCAL_MACHINE", winreg.HKEY_CURRENT_USER)
    monkeypatch.setattr(policy, "REGISTRY_KEY", sub)
    monkeypatch.delenv(policy.POLICY_FILE_ENV)
    key = winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, sub, 0, winreg.KEY_WRITE | winreg.KEY_WOW64_64KEY)
    try:
        with key:
            winreg.SetValueEx(key, "ServerUrl", 0, winreg.REG_SZ, "https://hq.bank.local")
            winreg.SetValueEx(key, "CaBundle", 0, winreg.REG_EXPAND_SZ, r"%SystemRoot%\bank-ca.pem")
            winreg.SetValueEx(key, "IdleLockMinutes", 0, winreg.REG_DWORD, 4)
            winreg.SetValueEx(key, "OfferEnglish", 0, winreg.REG_DWORD, 0)
            winreg.SetValueEx(key, "SyncIntervalMinutes", 0, winreg.REG_DWORD, 0)  # out of range: ignored
            winreg.SetValueEx(key, "StaleSyncDays", 0, winreg.REG_BINARY, b"\x01")  # wrong type: ignored
        assert policy.policy_file() is None
        p = policy.reload()
        assert p.source == "registry"
        s = Settings.load(data_dir)
        sync = SyncSettings.load(s)
        assert (s.idle_lock_minutes, s.language) == (4, "zh_CN")
        assert sync.server_url == "https://hq.bank.local"
        assert sync.ca_bundle is not None and "%" not in sync.ca_bundle and sync.ca_bundle.endswith("bank-ca.pem")
        assert sync.locked == {"server_url", "ca_bundle"}
    finally:
        winreg.DeleteKeyEx(winreg.HKEY_CURRENT_USER, sub, winreg.KEY_WOW64_64KEY, 0)
        winreg.DeleteKeyEx(winreg.HKEY_CURRENT_USER, sub.rsplit("\\", 1)[0], winreg.KEY_WOW64_64KEY, 0)
        policy.reload()


def test_english_not_offered_wins_over_lang_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    from app.ui.app import ui_language

    data = tmp_path / "data"
    Settings(language="en").save(data)
    assert ui_language(Settings.load(data), None) == "en" and ui_language(Settings.load(data), "zh_CN") == "zh_CN"
    rules = tmp_path / "policy.json"
    rules.write_text(json.dumps({"OfferEnglish": False}), encoding="utf-8")
    monkeypatch.setenv(policy.POLICY_FILE_ENV, str(rules))
    policy.reload()
    try:
        assert ui_language(Settings.load(data), "en") == "zh_CN"
    finally:
        monkeypatch.delenv(policy.POLICY_FILE_ENV)
        policy.reload()
