"""Fixtures for the installer tests: a booted Wine prefix per session, a copy per test, setups built once."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.wine import WinePrefix, wine_missing

REPO = Path(__file__).resolve().parents[2]
NSI = REPO / "installer" / "branchdesk.nsi"
OLD, NEW = "0.1.0", "0.2.0"


def _require(reason: str | None) -> None:
    """Skip with the reason where a tool is missing, unless CI asks for the Wine tests (then fail)."""
    if reason is None:
        return
    if os.environ.get("BRANCHDESK_REQUIRE_WINE"):
        pytest.fail(f"BRANCHDESK_REQUIRE_WINE is set but {reason}")
    pytest.skip(reason)


def load_installer_module(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "installer" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def wine_template(tmp_path_factory: pytest.TempPathFactory) -> WinePrefix:
    _require(wine_missing())
    prefix = WinePrefix.boot(tmp_path_factory.mktemp("wine") / "template")
    ping = prefix.path / "drive_c" / "windows" / "system32" / "ping.exe"
    if not ping.is_file() or b"Wine placeholder DLL" in ping.read_bytes()[:4096]:
        pytest.fail(f"{ping} is not a real program: the running-app test needs one")
    return prefix


@pytest.fixture
def wine(wine_template: WinePrefix, tmp_path: Path):
    prefix = wine_template.copy(tmp_path / "prefix")
    yield prefix
    prefix.stop()


@pytest.fixture(scope="session")
def standin_payload(wine_template: WinePrefix, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in app whose BranchDesk.exe really runs (Wine's ping.exe) and stays up while asked to."""
    make_payload = load_installer_module("make_payload")
    ping = wine_template.path / "drive_c" / "windows" / "system32" / "ping.exe"
    return make_payload.make_standin(tmp_path_factory.mktemp("payload") / "p", app_exe=ping, non_ascii=False)


@pytest.fixture(scope="session")
def nsis_setups(standin_payload: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The NSIS setup of two versions, built around the stand-in (a path with Chinese in it too)."""
    makensis = shutil.which("makensis")
    _require(None if makensis else "makensis (NSIS 3) is not installed: apt-get install nsis")
    base = tmp_path_factory.mktemp("nsis")
    payload = base / "payload"
    shutil.copytree(standin_payload, payload)
    (payload / "_internal" / "名称 with spaces").mkdir()
    (payload / "_internal" / "名称 with spaces" / "说明.txt").write_text("非 ASCII 路径\n", encoding="utf-8")
    setups = {}
    for version in (OLD, NEW):
        out = base / f"BranchDesk-{version}-setup.exe"
        result = subprocess.run(
            [makensis, "-WX", "-V2", f"-DVERSION={version}", f"-DPAYLOAD={payload}", f"-DOUTFILE={out}", str(NSI)],
            capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        setups[version] = out
    return setups


@pytest.fixture(scope="session")
def msi_packages(standin_payload: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    missing = next((f"{t} is not installed (Debian: apt-get install wixl msitools)"
                    for t in ("wixl", "msibuild", "msiinfo") if shutil.which(t) is None), None)
    _require(missing)
    build_msi = load_installer_module("build_msi")
    base = tmp_path_factory.mktemp("msi")
    return {v: build_msi.build(standin_payload, base / f"BranchDesk-{v}.msi", v) for v in (OLD, NEW)}
