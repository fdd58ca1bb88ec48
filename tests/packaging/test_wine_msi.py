"""The MSI (installer/branchdesk.wxs, built by installer/build_msi.py with wixl) under Wine's msiexec.

Silent install, major upgrade keeping the branch's data and the machine policy, a refused
downgrade, uninstall keeping the data, and the policy properties. Skipped with the reason
where wine or wixl/msitools is missing; CI sets BRANCHDESK_REQUIRE_WINE, so there they fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import policy
from tests.packaging.conftest import NEW, OLD, load_installer_module
from tests.support.wine import WinePrefix, branch_data, snapshot

PROGRAM = r"C:\Program Files\BranchDesk"
UNINSTALL = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall"
POLICY_KEY = r"HKLM\SOFTWARE\Policies\BranchDesk"
PAYLOAD_TOP = {"BranchDesk.exe", "branchdesk-cli.exe", "_internal"}


def _msiexec(wine: WinePrefix, action: str, msi: Path, *properties: str) -> int:
    code, seconds = wine.run("msiexec", action, str(msi), "/qn", *properties)
    print(f"\nmsiexec {action} {msi.name} /qn {' '.join(properties)}: exit {code} in {seconds:.1f} s")
    return code


def _product_code(msi: Path) -> str:
    out = subprocess.run(["msiinfo", "export", str(msi), "Property"], capture_output=True, text=True, check=True)
    return next(line.split("\t")[1] for line in out.stdout.splitlines() if line.startswith("ProductCode\t"))


def _entries(wine: WinePrefix, *msis: Path) -> dict[str, dict[str, object]]:
    """The Programs and Features entries (64-bit view) of these packages that exist."""
    found = {}
    for msi in msis:
        entry = wine.registry(f"{UNINSTALL}\\{_product_code(msi)}")
        if entry is not None:
            found[msi.name] = entry
    return found


def test_silent_install_files_entry_and_shortcut(wine: WinePrefix, msi_packages: dict[str, Path]) -> None:
    assert _msiexec(wine, "/i", msi_packages[OLD]) == 0
    folder = wine.host(PROGRAM)
    assert {p.name for p in folder.iterdir()} == PAYLOAD_TOP
    assert (folder / "_internal" / "folder with spaces" / "read me.txt").read_bytes() == b"spaces in a path\n"
    assert not wine.host(r"C:\Program Files (x86)\BranchDesk").exists()

    entries = _entries(wine, msi_packages[OLD])
    assert list(entries) == [msi_packages[OLD].name]
    entry = entries[msi_packages[OLD].name]
    assert entry["DisplayName"] == "BranchDesk"
    assert entry["DisplayVersion"] == OLD
    assert entry["Publisher"] == "BranchDesk"
    assert entry["WindowsInstaller"] == 1 and entry["NoModify"] == 1 and entry["NoRepair"] == 1
    # Wine's msiexec puts a per-machine package's shortcuts in the installing user's Start menu;
    # Windows puts them in all users' (ALLUSERS=1 is in the package)
    menus = [wine.host(wine.expand(p)) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "BranchDesk.lnk"
             for p in ("%PROGRAMDATA%", "%APPDATA%")]
    assert any(m.is_file() for m in menus), menus
    assert wine.registry(POLICY_KEY) is None  # no property, no policy


def test_major_upgrade_keeps_data_and_policy_and_a_downgrade_is_refused(
        wine: WinePrefix, msi_packages: dict[str, Path]) -> None:
    assert _msiexec(wine, "/i", msi_packages[OLD], "SERVERURL=https://sync.bank.local",
                    "PROXY=http://proxy.bank.local:8080") == 0
    data = branch_data(wine)
    before = snapshot(data)

    assert _msiexec(wine, "/i", msi_packages[NEW]) == 0
    entries = _entries(wine, msi_packages[OLD], msi_packages[NEW])
    assert list(entries) == [msi_packages[NEW].name], "the old version's entry is still there"
    assert entries[msi_packages[NEW].name]["DisplayVersion"] == NEW
    assert {p.name for p in wine.host(PROGRAM).iterdir()} == PAYLOAD_TOP
    assert snapshot(data) == before
    assert wine.registry(POLICY_KEY) == {"ServerUrl": "https://sync.bank.local", "Proxy": "http://proxy.bank.local:8080"}

    # the older package again: refused (1603, which Wine's exit status cuts to its low byte, 67)
    assert _msiexec(wine, "/i", msi_packages[OLD]) in (1603, 1603 & 0xFF)
    assert list(_entries(wine, msi_packages[OLD], msi_packages[NEW])) == [msi_packages[NEW].name]
    assert (wine.host(PROGRAM) / "BranchDesk.exe").is_file()


def test_uninstall_keeps_data_and_policy(wine: WinePrefix, msi_packages: dict[str, Path]) -> None:
    assert _msiexec(wine, "/i", msi_packages[OLD], "SYNCINTERVALMINUTES=30") == 0
    data = branch_data(wine)
    before = snapshot(data)
    assert _msiexec(wine, "/x", msi_packages[OLD]) == 0
    assert not (wine.host(PROGRAM) / "BranchDesk.exe").exists()
    assert not (wine.host(PROGRAM) / "_internal").exists()
    assert _entries(wine, msi_packages[OLD]) == {}
    assert snapshot(data) == before
    assert wine.registry(POLICY_KEY) == {"SyncIntervalMinutes": 30}


def test_policy_properties_become_the_machine_policy_the_app_reads(
        wine: WinePrefix, msi_packages: dict[str, Path]) -> None:
    properties = [
        "SERVERURL=https://sync.bank.local:8443/hq",
        "PROXY=http://proxy.bank.local:8080",
        r"CABUNDLE=C:\Bank\ca.pem",
        "SYNCINTERVALMINUTES=30",
        "IDLELOCKMINUTES=10",
        "STALESYNCDAYS=7",
        "OFFERENGLISH=1",
    ]
    assert _msiexec(wine, "/i", msi_packages[OLD], *properties) == 0
    raw = wine.registry(POLICY_KEY)
    assert raw == {
        "ServerUrl": "https://sync.bank.local:8443/hq",
        "Proxy": "http://proxy.bank.local:8080",
        "CaBundle": r"C:\Bank\ca.pem",
        "SyncIntervalMinutes": 30,
        "IdleLockMinutes": 10,
        "StaleSyncDays": 7,
        "OfferEnglish": 1,
    }
    read = policy._from_raw(raw, "registry")
    assert set(read.values) == {p.key for p in policy.POLICIES}


def test_every_policy_has_a_property_in_both_installers() -> None:
    """The MSI's properties and the NSIS options are the app's policies, no more, no fewer."""
    build_msi = load_installer_module("build_msi")
    names = {p.value_name.upper() for p in policy.POLICIES}
    assert set(build_msi.POLICY_COMPONENTS) == names
    nsi = (Path(build_msi.__file__).parent / "branchdesk.nsi").read_text(encoding="utf-8-sig")
    options = dict(re.findall(r"!insertmacro POLICY_OPTION \$\{MODE\} (\w+) (\w+)", nsi))
    assert set(options) == names
    assert {v for v in options.values()} == {p.value_name for p in policy.POLICIES}


def test_the_builder_refuses_what_wixl_would_get_wrong(tmp_path: Path) -> None:
    if shutil.which("wixl") is None:
        pytest.skip("wixl is not installed")
    build_msi = load_installer_module("build_msi")
    make_payload = load_installer_module("make_payload")
    payload = make_payload.make_standin(tmp_path / "p", non_ascii=True)
    with pytest.raises(build_msi.BuildError, match="non-ASCII"):
        build_msi.build(payload, tmp_path / "x.msi", "0.1.0")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(build_msi.BuildError, match=r"BranchDesk\.exe"):
        build_msi.build(empty, tmp_path / "y.msi", "0.1.0")
    assert build_msi.msi_version("1.2.0rc1") == "1.2.0"
    with pytest.raises(build_msi.BuildError):
        build_msi.msi_version("256.0.0")
