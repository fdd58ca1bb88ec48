"""The NSIS setup run for real under Wine: install, upgrade, reinstall, uninstall, policy options.

Each test installs into its own copy of a booted Wine prefix (tests/support/wine.py), with a
stand-in app whose BranchDesk.exe is a real Windows program (Wine's ping.exe). Skipped with
the reason where wine or makensis is missing; CI sets BRANCHDESK_REQUIRE_WINE, so there
they fail instead.
"""

from __future__ import annotations

from pathlib import Path

from app import policy
from tests.packaging.conftest import NEW, OLD
from tests.support.wine import WinePrefix, branch_data, snapshot

PROGRAM = r"C:\Program Files\BranchDesk"
UNINST_KEY = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\BranchDesk"
UNINST_KEY_32 = r"HKLM\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\BranchDesk"
POLICY_KEY = r"HKLM\SOFTWARE\Policies\BranchDesk"
SHORTCUT = "BranchDesk 网点工作台.lnk"
PAYLOAD_TOP = {"BranchDesk.exe", "branchdesk-cli.exe", "_internal"}


def _unquoted(options: tuple[str, ...]) -> list[str]:
    """/D= and _?= come last and unquoted, as IT types them. wine would quote an argument with
    a space in it, so a folder with spaces is passed as several arguments (joined by spaces again)."""
    tails = ("/D=", "_?=")
    return [part for option in options for part in (option.split(" ") if option.startswith(tails) else [option])]


def _install(wine: WinePrefix, setup: Path, *options: str) -> int:
    code, seconds = wine.run(str(setup), "/S", *_unquoted(options))
    print(f"\n{setup.name} /S {' '.join(options)}: exit {code} in {seconds:.1f} s")
    return code


def _uninstall(wine: WinePrefix, folder: str = PROGRAM, *options: str) -> int:
    # _?= runs the uninstaller in place, so that wine waits for it (it would copy itself to TEMP and return)
    uninstaller = wine.host(folder).joinpath("uninstall.exe").as_posix()
    code, _ = wine.run(uninstaller, "/S", *_unquoted((*options, f"_?={folder}")))
    return code


def _branch_data(wine: WinePrefix) -> tuple[Path, Path]:
    """A branch's database and settings in %LOCALAPPDATA%\\BranchDesk, and a shared folder in %PROGRAMDATA%."""
    data = branch_data(wine, '{"language": "zh_CN", "idle_lock_minutes": 7}')
    shared = wine.host(wine.expand("%PROGRAMDATA%")) / "BranchDesk"
    shared.mkdir(parents=True)
    (shared / "branchdesk.db").write_bytes(b"shared")
    return data, shared


def test_silent_install_program_files_entry_and_shortcuts(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    assert _install(wine, nsis_setups[OLD]) == 0
    folder = wine.host(PROGRAM)
    assert {p.name for p in folder.iterdir()} == PAYLOAD_TOP | {"uninstall.exe"}
    assert (folder / "_internal" / "名称 with spaces" / "说明.txt").read_text(encoding="utf-8") == "非 ASCII 路径\n"
    assert not wine.host(r"C:\Program Files (x86)\BranchDesk").exists()

    entry = wine.registry(UNINST_KEY)
    assert entry is not None, "no Add/Remove Programs entry in the 64-bit view"
    assert wine.registry(UNINST_KEY_32) is None
    assert entry["DisplayName"] == "BranchDesk 网点工作台"
    assert entry["DisplayVersion"] == OLD
    assert entry["Publisher"] == "BranchDesk"
    assert entry["InstallLocation"] == PROGRAM
    assert entry["UninstallString"] == f'"{PROGRAM}\\uninstall.exe"'
    assert entry["QuietUninstallString"] == f'"{PROGRAM}\\uninstall.exe" /S'
    assert entry["DisplayIcon"] == f"{PROGRAM}\\BranchDesk.exe,0"
    assert entry["NoModify"] == entry["NoRepair"] == 1
    size_kb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1024
    assert 0.8 * size_kb <= int(entry["EstimatedSize"]) <= 1.5 * size_kb + 8, (entry["EstimatedSize"], size_kb)

    start_menu = wine.host(wine.expand("%PROGRAMDATA%")) / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    desktop = wine.host(wine.expand("%PUBLIC%")) / "Desktop"
    for lnk in (start_menu / SHORTCUT, desktop / SHORTCUT):
        assert lnk.is_file(), lnk
        assert "BranchDesk.exe".encode("utf-16-le") in lnk.read_bytes() or b"BranchDesk.exe" in lnk.read_bytes()
    # no policy unless asked
    assert wine.registry(POLICY_KEY) is None


def test_install_to_a_chosen_folder_and_upgrade_goes_there(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    chosen = r"C:\Apps\网点 工作台"
    assert _install(wine, nsis_setups[OLD], f"/D={chosen}") == 0
    assert (wine.host(chosen) / "BranchDesk.exe").is_file()
    assert not wine.host(PROGRAM).exists()
    assert wine.registry(UNINST_KEY)["InstallLocation"] == chosen
    # an upgrade without /D finds the installed version's folder
    assert _install(wine, nsis_setups[NEW]) == 0
    assert wine.registry(UNINST_KEY)["DisplayVersion"] == NEW
    assert (wine.host(chosen) / "BranchDesk.exe").is_file()
    assert not wine.host(PROGRAM).exists()


def test_upgrade_keeps_data_settings_and_policy(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    assert _install(wine, nsis_setups[OLD], "/SERVERURL=https://sync.bank.local", "/SYNCINTERVALMINUTES=30") == 0
    data, shared = _branch_data(wine)
    before, shared_before = snapshot(data), snapshot(shared)
    stray = wine.host(PROGRAM) / "_internal" / "only-in-0.1.0.txt"
    stray.write_text("a file the old version had", encoding="utf-8")

    assert _install(wine, nsis_setups[NEW]) == 0
    entry = wine.registry(UNINST_KEY)
    assert entry["DisplayVersion"] == NEW and entry["InstallLocation"] == PROGRAM
    assert {p.name for p in wine.host(PROGRAM).iterdir()} == PAYLOAD_TOP | {"uninstall.exe"}
    assert not stray.exists(), "the old version's _internal was not removed before the new one came"
    assert snapshot(data) == before and snapshot(shared) == shared_before
    # the policy given to the first install stays: IT set it once
    assert wine.registry(POLICY_KEY) == {"ServerUrl": "https://sync.bank.local", "SyncIntervalMinutes": 30}


def test_second_install_of_the_same_version(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    assert _install(wine, nsis_setups[OLD]) == 0
    (wine.host(PROGRAM) / "branchdesk-cli.exe").unlink()  # a damaged install, repaired by installing again
    data, _ = _branch_data(wine)
    before = snapshot(data)
    assert _install(wine, nsis_setups[OLD]) == 0
    assert {p.name for p in wine.host(PROGRAM).iterdir()} == PAYLOAD_TOP | {"uninstall.exe"}
    assert wine.registry(UNINST_KEY)["DisplayVersion"] == OLD
    assert snapshot(data) == before


def test_silent_uninstall_keeps_the_data(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    assert _install(wine, nsis_setups[OLD], "/SERVERURL=https://sync.bank.local") == 0
    data, shared = _branch_data(wine)
    before, shared_before = snapshot(data), snapshot(shared)
    assert _uninstall(wine) == 0
    left = {p.name for p in wine.host(PROGRAM).iterdir()} if wine.host(PROGRAM).exists() else set()
    assert left <= {"uninstall.exe"}, left  # run in place (_?=), the uninstaller cannot delete itself
    assert wine.registry(UNINST_KEY) is None
    start_menu = wine.host(wine.expand("%PROGRAMDATA%")) / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    assert not (start_menu / SHORTCUT).exists()
    assert not (wine.host(wine.expand("%PUBLIC%")) / "Desktop" / SHORTCUT).exists()
    assert snapshot(data) == before and snapshot(shared) == shared_before
    assert wine.registry(POLICY_KEY) == {"ServerUrl": "https://sync.bank.local"}  # IT's, like Group Policy's


def test_uninstall_removes_the_data_when_asked(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    assert _install(wine, nsis_setups[OLD]) == 0
    data, shared = _branch_data(wine)
    other = wine.host(wine.expand("%LOCALAPPDATA%")) / "OtherApp"
    other.mkdir()
    (other / "keep.txt").write_text("not ours", encoding="utf-8")
    assert _uninstall(wine, PROGRAM, "/REMOVEDATA") == 0
    assert not data.exists() and not shared.exists()
    assert (other / "keep.txt").is_file()
    assert wine.registry(UNINST_KEY) is None


def test_setup_and_uninstaller_refuse_while_the_app_runs(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    assert _install(wine, nsis_setups[OLD]) == 0
    app = wine.start(wine.host(PROGRAM).joinpath("BranchDesk.exe").as_posix(), "-n", "120", "127.0.0.1")
    try:
        wine.wait_for_process("BranchDesk.exe")
        assert _install(wine, nsis_setups[NEW]) == 2
        assert wine.registry(UNINST_KEY)["DisplayVersion"] == OLD  # nothing was changed
        assert (wine.host(PROGRAM) / "uninstall.exe").is_file()
        assert _uninstall(wine) == 2
        assert wine.registry(UNINST_KEY) is not None
    finally:
        wine.kill(app)
    wine.stop()  # the app's process is gone from Wine too
    assert _install(wine, nsis_setups[NEW]) == 0
    assert wine.registry(UNINST_KEY)["DisplayVersion"] == NEW


def test_policy_options_become_the_machine_policy_the_app_reads(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    options = [
        "/SERVERURL=https://sync.bank.local:8443/hq",
        "/PROXY=",
        r"/CABUNDLE=C:\Program Files\Bank CA\ca.pem",
        "/SYNCINTERVALMINUTES=30",
        "/IDLELOCKMINUTES=10",
        "/STALESYNCDAYS=7",
        "/OFFERENGLISH=0",
    ]
    assert _install(wine, nsis_setups[OLD], *options) == 0
    raw = wine.registry(POLICY_KEY)
    assert raw == {
        "ServerUrl": "https://sync.bank.local:8443/hq",
        "Proxy": "",
        "CaBundle": r"C:\Program Files\Bank CA\ca.pem",
        "SyncIntervalMinutes": 30,
        "IdleLockMinutes": 10,
        "StaleSyncDays": 7,
        "OfferEnglish": 0,
    }
    # every value is one the app accepts, under the name the app reads (app/policy.py)
    read = policy._from_raw(raw, "registry")
    assert set(read.values) == {p.key for p in policy.POLICIES}
    assert read.get("server_url") == "https://sync.bank.local:8443/hq" and read.get("offer_english") is False


def test_a_bad_policy_option_installs_nothing(wine: WinePrefix, nsis_setups: dict[str, Path]) -> None:
    for bad in ("/SYNCINTERVALMINUTES=5000", "/IDLELOCKMINUTES=ten", "/OFFERENGLISH=2"):
        assert _install(wine, nsis_setups[OLD], "/SERVERURL=https://sync.bank.local", bad) == 87, bad
        assert not wine.host(PROGRAM).exists()
        assert wine.registry(UNINST_KEY) is None
        assert wine.registry(POLICY_KEY) is None
