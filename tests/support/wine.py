"""Wine prefixes for running the real Windows installers on Linux (tests/packaging).

A prefix is booted once per test session (``wineboot``, 10–20 s) and each test gets its
own copy: the registry and every folder a setup may write are copied, Windows' own
system folders (over a gigabyte with Debian's wine) are hard-linked, so a copy takes
a fraction of a second. Each copy runs its own wineserver and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

# Windows' own folders, which no setup here writes into: hard-linked between copies
_LINKED = ("windows/system32", "windows/syswow64")


def wine_missing() -> str | None:
    """Why the Wine tests cannot run here, or None."""
    for tool in ("wine", "wineserver", "wineboot"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: dpkg --add-architecture i386; apt-get install wine wine32:i386)"
    return None


@dataclass
class WinePrefix:
    path: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WINE", "DISPLAY", "WAYLAND"))}
        env.update(
            WINEPREFIX=str(self.path),
            WINEDEBUG="-all",
            # no Mono or Gecko download prompts; no window is ever shown
            WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d",
            HOME=str(self.path / "home"),  # the Desktop and Documents links point here, not at the real home
            LC_ALL="C.UTF-8",
        )
        return env

    # --- booting and copying ----------------------------------------------------------------

    @classmethod
    def boot(cls, path: Path, timeout: float = 300) -> WinePrefix:
        path.mkdir(parents=True, exist_ok=True)
        (path / "home").mkdir(exist_ok=True)
        prefix = cls(path)
        result = subprocess.run(["wineboot", "-i"], env=prefix.env, capture_output=True, timeout=timeout)
        if result.returncode != 0:
            detail = result.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"wineboot failed ({result.returncode}): {detail}")
        prefix.stop()
        if not (path / "system.reg").is_file():
            raise RuntimeError(f"wineboot made no registry in {path}")
        return prefix

    def copy(self, dest: Path) -> WinePrefix:
        """A copy for one test; the wineserver of this prefix must be stopped."""
        linked = {self.path / "drive_c" / rel for rel in _LINKED}

        def copy_dir(src: Path, dst: Path) -> None:
            dst.mkdir(parents=True, exist_ok=True)
            for entry in os.scandir(src):
                s, d = Path(entry.path), dst / entry.name
                if entry.is_symlink():
                    os.symlink(os.readlink(s), d)
                elif s in linked:
                    shutil.copytree(s, d, symlinks=True, copy_function=os.link)
                elif entry.is_dir():
                    copy_dir(s, d)
                else:
                    shutil.copy2(s, d)

        copy_dir(self.path, dest)
        return WinePrefix(dest)

    def stop(self) -> None:
        """Stop this prefix's wineserver and every Windows process in it."""
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60)
        subprocess.run(["wineserver", "-w"], env=self.env, capture_output=True, timeout=60)

    # --- running --------------------------------------------------------------------------------

    def run(self, *args: str, timeout: float = 300) -> tuple[int, float]:
        """Run a Windows program to its end: (exit code, seconds)."""
        t0 = time.perf_counter()
        # no pipes: a Windows process that outlives this one (the app a test started, a
        # service) may inherit them, and reading to their end would wait for it too
        result = subprocess.run(["wine", *args], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=timeout)
        return result.returncode, time.perf_counter() - t0

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a Windows program in the background."""
        return subprocess.Popen(["wine", *args], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_for_process(self, image: str, timeout: float = 30) -> None:
        """Wait until a process of this prefix runs ``image`` (e.g. ``BranchDesk.exe``)."""
        deadline = time.monotonic() + timeout
        needle = image.lower().encode()
        while time.monotonic() < deadline:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().lower()
                    environ = Path(f"/proc/{pid}/environ").read_bytes()
                except OSError:
                    continue
                if needle in cmdline and b"start.exe" not in cmdline and \
                        f"WINEPREFIX={self.path}\0".encode() in environ:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"{image} did not start in {timeout:.0f} s")

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    # --- files and the registry -------------------------------------------------------------------

    def host(self, windows_path: str) -> Path:
        """The Linux path of a path on drive C:."""
        p = PureWindowsPath(windows_path)
        if p.drive.upper() != "C:":
            raise ValueError(f"not on drive C: {windows_path}")
        return self.path.joinpath("drive_c", *p.parts[1:])

    def expand(self, text: str) -> str:
        """A Windows environment string as this prefix expands it, e.g. ``%LOCALAPPDATA%``."""
        result = subprocess.run(["wine", "cmd", "/c", "echo", text], env=self.env, capture_output=True, timeout=120)
        return result.stdout.decode("utf-8", errors="replace").strip()

    def registry(self, key: str) -> dict[str, object] | None:
        """The values of a key in the 64-bit view (str, int for DWORDs), or None when it does not exist."""
        out = self.path / "drive_c" / "reg-export.reg"
        out.unlink(missing_ok=True)
        result = subprocess.run(["wine", "reg", "export", key, r"C:\reg-export.reg", "/reg:64", "/y"],
                                env=self.env, capture_output=True, timeout=120)
        if result.returncode != 0 or not out.is_file():
            return None
        text = out.read_bytes().decode("utf-16")
        out.unlink()
        return _parse_reg(text, key)


def _parse_reg(text: str, key: str) -> dict[str, object]:
    """The values of ``key`` itself (not its subkeys) in a ``reg export`` file."""
    values: dict[str, object] = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section is None or section.lower() != _full_key(key).lower() or not line.startswith('"'):
            continue
        name, _, value = _split_value(line)
        if value.startswith('"'):
            values[name] = value[1:-1].replace("\\\\", "\x00").replace('\\"', '"').replace("\x00", "\\")
        elif value.startswith("dword:"):
            values[name] = int(value[6:], 16)
        else:
            values[name] = value
    return values


def _full_key(key: str) -> str:
    short = {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER"}
    root, _, rest = key.partition("\\")
    return short.get(root.upper(), root) + "\\" + rest


def _split_value(line: str) -> tuple[str, str, str]:
    # "name"=value, where name may hold escaped quotes
    i = 1
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == '"':
            break
        i += 1
    return line[1:i].replace('\\"', '"').replace("\\\\", "\\"), "=", line[i + 2:]


def branch_data(wine: WinePrefix, settings: str = '{"language": "zh_CN"}') -> Path:
    """A branch's database, settings and a backup in %LOCALAPPDATA%\\BranchDesk, as an installed PC
    has them: what an installer, an upgrade or an uninstall must leave exactly as it was."""
    data = wine.host(wine.expand("%LOCALAPPDATA%")) / "BranchDesk"
    (data / "backups").mkdir(parents=True)
    (data / "branchdesk.db").write_bytes(b"SQLite format 3\x00 the branch's clients")
    (data / "settings.json").write_text(settings, encoding="utf-8")
    (data / "backups" / "branchdesk-2026-12-01.db").write_bytes(b"backup")
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → bytes): compare before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
