"""The frozen app (PyInstaller, ``build_installer.spec``) and the Windows installer (NSIS).

Fast, in every run:
  * the NSIS script compiles without a single warning (``makensis -WX``) around a
    stand-in payload (skipped where makensis is not installed);
  * the uninstaller removes exactly what a payload holds at its top level.

Slow (``pytest -m slow -s tests/packaging``; a build takes a minute or so):
  * PyInstaller builds the one-folder app from the spec into temporary folders;
  * the frozen ``branchdesk-cli --self-check`` passes (encrypted DB, translations,
    CJK PDF), and the first run (cold start) and the best warm run are timed;
  * the bundle holds the data files and none of the excluded packages;
  * with makensis, an installer is built around the real bundle to measure it;
  * with wixl, the MSI too; with wine, both are installed and uninstalled silently
    around the real bundle, and the install times printed.
  The figures are printed; the goals (bundle <= 250 MB, installer and MSI <= 100 MB,
  cold start <= 3 s) are asserted.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "build_installer.spec"
NSI = REPO / "installer" / "branchdesk.nsi"
IS_WIN = sys.platform == "win32"
EXE = ".exe" if IS_WIN else ""

BUNDLE_LIMIT_MB = 250
INSTALLER_LIMIT_MB = 100
# wixl compresses the MSI's cabinet with MSZIP only (NSIS: solid LZMA): 163 MB measured
MSI_LIMIT_MB = 200
COLD_START_LIMIT_S = 3.0

# Top-level packages that must not ship (test tooling, the HQ server stack, build tools).
EXCLUDED_PACKAGES = [
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "schemathesis",
    "pypdf",
    "importlinter",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
    "pydantic",
    "PyInstaller",
    "tkinter",
    "matplotlib",
    "IPython",
    "sync.server",
    "tests",
]
EXCLUDED_QT = [
    "QtQml",
    "QtQuick",
    "QtWebEngineCore",
    "Qt3DCore",
    "QtMultimedia",
    "QtSql",
    "QtDataVisualization",
    "QtBluetooth",
]


def _load_make_payload():
    spec = importlib.util.spec_from_file_location("make_payload", REPO / "installer" / "make_payload.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _makensis() -> str | None:
    found = shutil.which("makensis")
    if found is None and IS_WIN:
        for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
            candidate = Path(base or "") / "NSIS" / "makensis.exe"
            if base and candidate.is_file():
                return str(candidate)
    return found


def _compile_installer(makensis: str, payload: Path, out: Path, version: str = "0.1.0"):
    # makensis understands both "-" and "/" options on Windows, only "-" elsewhere.
    return subprocess.run(
        [makensis, "-WX", "-V2", f"-DVERSION={version}", f"-DPAYLOAD={payload}", f"-DOUTFILE={out}", str(NSI)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=600,
    )


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            total += os.lstat(os.path.join(root, f)).st_size
    return total / 1e6


# --- NSIS: fast -------------------------------------------------------------------------


def test_installer_script_compiles_without_warnings(tmp_path: Path) -> None:
    makensis = _makensis()
    if makensis is None:
        pytest.skip("makensis (NSIS 3) is not installed: apt-get install nsis / choco install nsis")
    payload = _load_make_payload().make_standin(tmp_path / "payload")
    out = tmp_path / "BranchDesk-0.1.0-setup.exe"
    result = _compile_installer(makensis, payload, out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()
    assert out.is_file() and out.stat().st_size > 50_000
    assert out.read_bytes()[:2] == b"MZ"


def test_installer_refuses_a_payload_without_the_app(tmp_path: Path) -> None:
    makensis = _makensis()
    if makensis is None:
        pytest.skip("makensis (NSIS 3) is not installed")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _compile_installer(makensis, empty, tmp_path / "x.exe")
    assert result.returncode != 0
    assert "BranchDesk.exe" in result.stdout + result.stderr


def test_uninstaller_removes_exactly_the_payload_top_level() -> None:
    """The uninstaller deletes named entries only (never RMDir /r $INSTDIR)."""
    text = NSI.read_text(encoding="utf-8-sig")
    un_app = text[text.index('Section "un.$(SecAppName)"') :]
    un_app = un_app[: un_app.index("SectionEnd")]
    defines = dict(re.findall(r'^!define\s+(\w+)\s+"([^"]*)"', text, re.M))
    removed = set()
    for _cmd, arg in re.findall(r'^\s*(Delete|RMDir /r)\s+"\$INSTDIR\\([^"]+)"', un_app, re.M):
        removed.add(re.sub(r"\$\{(\w+)\}", lambda m: defines[m.group(1)], arg))
    assert removed == set(_load_make_payload().TOP_LEVEL) | {defines["UNINSTALLER"]}
    assert 'RMDir /r "$INSTDIR"' not in text


# --- PyInstaller: slow ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("PyInstaller")
    base = tmp_path_factory.mktemp("pyinstaller")
    t0 = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            str(SPEC),
            "--distpath",
            str(base / "dist"),
            "--workpath",
            str(base / "work"),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=REPO,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-10000:]
    print(f"\nPyInstaller build: {time.perf_counter() - t0:.0f} s")
    return base / "dist" / "BranchDesk"


def _frozen_env() -> dict[str, str]:
    """The environment of a user's PC: nothing from the test run or the virtualenv."""
    drop = ("PYTHON", "BRANCHDESK_", "VIRTUAL_ENV", "PYTEST")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(drop)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _self_check(exe: Path, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    result = subprocess.run(
        [str(exe), "--self-check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=_frozen_env(),
        cwd=cwd,
        timeout=120,
    )
    return time.perf_counter() - t0, result


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_frozen_self_check_passes_and_starts_fast(bundle: Path, tmp_path: Path) -> None:
    cli = bundle / f"branchdesk-cli{EXE}"
    cold, result = _self_check(cli, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "self-check passed" in output
    warm = min(_self_check(cli, tmp_path)[0] for _ in range(2))
    size = _size_mb(bundle)
    files = sum(len(f) for _, _, f in os.walk(bundle))
    print(
        f"\nbundle: {size:.1f} MB in {files} files ({bundle})"
        f"\nfrozen self-check: first run (cold start) {cold:.2f} s, best warm run {warm:.2f} s"
        f"\n{result.stdout.strip()}"
    )
    assert size <= BUNDLE_LIMIT_MB, f"bundle is {size:.1f} MB"
    assert cold <= COLD_START_LIMIT_S, f"cold start took {cold:.2f} s"


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_bundle_layout_and_data_files(bundle: Path) -> None:
    top = {p.name for p in bundle.iterdir()}
    assert top == {f"BranchDesk{EXE}", f"branchdesk-cli{EXE}", "_internal"}
    internal = bundle / "_internal"
    for rel in [
        "resources/fonts/wqy-microhei.ttc",
        "resources/fonts/wqy-microhei.LICENSE",
        "resources/translations/branchdesk_zh_CN.qm",
        "resources/icons/branchdesk.ico",
        "resources/icons/branchdesk.png",
        "resources/compliance_words.json",
    ]:
        assert (internal / rel).is_file(), rel
    source_json = {p.relative_to(REPO).as_posix() for p in (REPO / "app").rglob("*.json")}
    bundled_json = {p.relative_to(internal).as_posix() for p in (internal / "app").rglob("*.json")}
    assert source_json <= bundled_json
    qt = internal / "PySide6" if IS_WIN else internal / "PySide6" / "Qt"  # as in the wheels
    assert sorted(p.name for p in (qt / "translations").iterdir()) == ["qtbase_en.qm", "qtbase_zh_CN.qm"]
    platforms = {p.name.split(".")[0].removeprefix("lib") for p in (qt / "plugins" / "platforms").iterdir()}
    assert "qoffscreen" in platforms and "qminimal" in platforms
    assert ("qwindows" if IS_WIN else "qxcb") in platforms
    assert platforms <= {"qwindows", "qoffscreen", "qminimal", "qxcb"}


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_bundle_leaves_out_excluded_modules(bundle: Path) -> None:
    from PyInstaller.archive.readers import pkg_archive_contents

    modules = set(pkg_archive_contents(str(bundle / f"branchdesk-cli{EXE}")))
    internal = bundle / "_internal"
    on_disk = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}

    def shipped(package: str) -> list[str]:
        dotted = [m for m in modules if m == package or m.startswith(package + ".")]
        path = package.replace(".", "/")
        files = [f for f in on_disk if f == path or f.startswith(path + "/")]
        return dotted + files

    leaks = {pkg: shipped(pkg)[:3] for pkg in EXCLUDED_PACKAGES if shipped(pkg)}
    assert not leaks, f"excluded packages in the bundle: {leaks}"
    assert "app.cli" in modules and "app.selfcheck" in modules

    qt_files = [f.rsplit("/", 1)[-1].lower() for f in on_disk if "qt" in f.lower()]
    for module in EXCLUDED_QT:
        names = (module.lower(), "qt6" + module[2:].lower())  # QtSvg: QtSvg.pyd, Qt6Svg.dll
        hits = [f for f in qt_files if any(n in f for n in names)]
        assert not hits, f"{module} shipped: {hits[:3]}"
        assert f"PySide6.{module}" not in modules
    assert not any("webengine" in f for f in qt_files)
    for module in ("QtPdf", "QtPdfWidgets", "QtCharts", "QtNetwork", "QtPrintSupport", "QtSvg"):  # the app uses these
        names = (module.lower(), "qt6" + module[2:].lower())
        assert any(n in f for f in qt_files for n in names), f"{module} missing from the bundle"


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_installer_around_the_real_bundle(bundle: Path, tmp_path: Path) -> None:
    makensis = _makensis()
    if makensis is None:
        pytest.skip("makensis (NSIS 3) is not installed")
    payload = bundle if IS_WIN else _load_make_payload().from_bundle(bundle, tmp_path / "payload")
    out = tmp_path / "BranchDesk-setup.exe"
    t0 = time.perf_counter()
    result = _compile_installer(makensis, payload, out)
    assert result.returncode == 0, result.stdout + result.stderr
    size = _size_mb(out)
    print(
        f"\ninstaller: {size:.1f} MB (payload {_size_mb(payload):.1f} MB,"
        f" compressed in {time.perf_counter() - t0:.0f} s)"
    )
    assert size <= INSTALLER_LIMIT_MB, f"installer is {size:.1f} MB"


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_msi_and_install_times_under_wine_around_the_real_bundle(bundle: Path, tmp_path: Path) -> None:
    """Sizes of both setups around the real bundle, and how long Wine takes to install each."""
    from tests.support.wine import WinePrefix, wine_missing

    makensis = _makensis()
    missing = wine_missing() or (None if makensis else "makensis is not installed") or next(
        (f"{t} is not installed" for t in ("wixl", "msibuild", "msiinfo") if shutil.which(t) is None), None)
    if missing:
        pytest.skip(missing)
    payload = bundle if IS_WIN else _load_make_payload().from_bundle(bundle, tmp_path / "payload")
    spec = importlib.util.spec_from_file_location("build_msi", REPO / "installer" / "build_msi.py")
    assert spec and spec.loader
    build_msi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_msi)

    setup = tmp_path / "BranchDesk-setup.exe"
    t0 = time.perf_counter()
    result = _compile_installer(makensis, payload, setup)
    assert result.returncode == 0, result.stdout + result.stderr
    nsis_build = time.perf_counter() - t0
    msi = tmp_path / "BranchDesk.msi"
    t0 = time.perf_counter()
    build_msi.build(payload, msi, "0.1.0")
    msi_build = time.perf_counter() - t0

    prefix = WinePrefix.boot(tmp_path / "wine")
    try:
        code, nsis_install = prefix.run(str(setup), "/S")
        assert code == 0
        installed = prefix.host(r"C:\Program Files\BranchDesk")
        assert _size_mb(installed) >= 0.95 * _size_mb(payload)
        code, nsis_uninstall = prefix.run(
            (installed / "uninstall.exe").as_posix(), "/S", "_?=C:\\Program", "Files\\BranchDesk")
        assert code == 0 and not (installed / "_internal").exists()
        code, msi_install = prefix.run("msiexec", "/i", str(msi), "/qn")
        assert code == 0
        assert _size_mb(installed) >= 0.95 * _size_mb(payload)
        code, msi_uninstall = prefix.run("msiexec", "/x", str(msi), "/qn")
        assert code == 0 and not (installed / "_internal").exists()
    finally:
        prefix.stop()
    print(
        f"\npayload {_size_mb(payload):.1f} MB in {sum(len(f) for _, _, f in os.walk(payload))} files"
        f"\nNSIS setup: {_size_mb(setup):.1f} MB (built in {nsis_build:.0f} s);"
        f" under Wine: install {nsis_install:.1f} s, uninstall {nsis_uninstall:.1f} s"
        f"\nMSI: {_size_mb(msi):.1f} MB (built in {msi_build:.0f} s);"
        f" under Wine: install {msi_install:.1f} s, uninstall {msi_uninstall:.1f} s"
    )
    assert _size_mb(setup) <= INSTALLER_LIMIT_MB and _size_mb(msi) <= MSI_LIMIT_MB
