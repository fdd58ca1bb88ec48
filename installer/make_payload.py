"""Make a payload folder for ``installer/branchdesk.nsi`` where the real Windows app can't be built.

The installer script needs ``BranchDesk.exe``, ``branchdesk-cli.exe`` and
``_internal/`` in the folder passed as ``-DPAYLOAD``. On Linux there is no
Windows build, so:

    python installer/make_payload.py standin OUT
        a small stand-in (a few fake files), for checking that the script compiles

    python installer/make_payload.py from-bundle dist/BranchDesk OUT
        the Linux one-folder bundle with the executables renamed to *.exe
        (hard links where possible, so it is quick and takes no space), for
        measuring the installer size with a payload of realistic size

The files of a stand-in are not runnable; an installer built from one is for
compile checks only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

APP_EXE = "BranchDesk.exe"
CLI_EXE = "branchdesk-cli.exe"
CONTENTS = "_internal"

# What the uninstaller removes from the install folder (see branchdesk.nsi): the
# payload must hold nothing else at its top level.
TOP_LEVEL = frozenset({APP_EXE, CLI_EXE, CONTENTS})


def make_standin(out: Path, app_exe: Path | None = None, non_ascii: bool = True) -> Path:
    """A tiny payload laid out like the real one.

    ``app_exe``: a real Windows program to stand in for ``BranchDesk.exe`` (the Wine tests
    use Wine's ``ping.exe``, which keeps running, to see the setup refuse a running app).
    ``non_ascii``: include a folder with a Chinese name (the MSI builder refuses those).
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in (APP_EXE, CLI_EXE):
        # "MZ" so that anything sniffing the files sees a PE header stub.
        (out / name).write_bytes(b"MZ" + b"\0" * 62 + f"stand-in {name}\n".encode())
    if app_exe is not None:
        shutil.copyfile(app_exe, out / APP_EXE)
    internal = out / CONTENTS
    files = {
        "python311.dll": b"stand-in\n",
        "base_library.zip": b"PK\x05\x06" + b"\0" * 18,
        "resources/fonts/wqy-microhei.ttc": b"stand-in font\n",
        "resources/translations/branchdesk_zh_CN.qm": b"stand-in\n",
        "resources/icons/branchdesk.ico": b"stand-in\n",
        "app/core/data/compliance_words.json": b"[]\n",
        "PySide6/Qt/plugins/platforms/qwindows.dll": b"stand-in\n",
        "PySide6/Qt/translations/qtbase_zh_CN.qm": b"stand-in\n",
        "folder with spaces/read me.txt": b"spaces in a path\n",
    }
    if non_ascii:
        files["名称 with spaces/说明.txt"] = "非 ASCII 路径\n".encode()
    for rel, data in files.items():
        path = internal / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def from_bundle(bundle: Path, out: Path) -> Path:
    """The PyInstaller bundle, executables named as on Windows."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for entry in bundle.iterdir():
        name = entry.name
        if entry.is_file() and not name.endswith(".exe") and f"{name}.exe" in TOP_LEVEL:
            name += ".exe"
        if name not in TOP_LEVEL:
            raise SystemExit(f"{bundle}: unexpected top-level entry {entry.name!r}")
        if entry.is_dir():
            shutil.copytree(entry, out / name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(out / name))
    missing = TOP_LEVEL - {p.name for p in out.iterdir()}
    if missing:
        raise SystemExit(f"{bundle}: missing {sorted(missing)}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("standin", help="a small fake payload")
    s.add_argument("out", type=Path)
    b = sub.add_parser("from-bundle", help="a payload from a (Linux) PyInstaller bundle")
    b.add_argument("bundle", type=Path)
    b.add_argument("out", type=Path)
    args = p.parse_args(argv)
    out = make_standin(args.out) if args.cmd == "standin" else from_bundle(args.bundle, args.out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
