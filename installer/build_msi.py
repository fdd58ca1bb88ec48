"""Build the MSI (``installer/branchdesk.wxs``) around a one-folder app with wixl (msitools).

    python installer/build_msi.py dist/BranchDesk [-o dist/BranchDesk-0.1.0.msi] [--version 0.1.0]

The payload folder is the PyInstaller one-folder app (``BranchDesk.exe``,
``branchdesk-cli.exe``, ``_internal/``), or on Linux one made by ``make_payload.py``.
Every file becomes a component of its own (the file is its key path, its GUID derived
by wixl from the path), so a major upgrade replaces exactly what the previous version
installed. wixl comes with Debian's ``wixl`` package; on Windows, the WiX Toolset 3 can
build the same sources (``heat`` for the payload fragment, then ``candle``/``light``).

Signing is a separate step (``installer/sign.py``), as for the NSIS setup.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WXS = HERE / "branchdesk.wxs"
ICON = REPO / "resources" / "icons" / "branchdesk.ico"
PUBLISHER = "BranchDesk"

# Machine policy as public properties: the component that writes each one (branchdesk.wxs).
POLICY_COMPONENTS = {
    "SERVERURL": "PolicyServerUrl",
    "PROXY": "PolicyProxy",
    "CABUNDLE": "PolicyCaBundle",
    "SYNCINTERVALMINUTES": "PolicySyncInterval",
    "IDLELOCKMINUTES": "PolicyIdleLock",
    "STALESYNCDAYS": "PolicyStaleSync",
    "OFFERENGLISH": "PolicyOfferEnglish",
}
_PERMANENT = 16  # msidbComponentAttributesPermanent


class BuildError(Exception):
    """The MSI could not be built; the message says why."""


def app_version() -> str:
    text = (REPO / "app" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if not found:
        raise BuildError("no __version__ in app/__init__.py")
    return found.group(1)


def msi_version(version: str) -> str:
    """ProductVersion for Windows Installer: three numbers (major < 256, minor < 256, build < 65536).

    ``1.2.0rc1`` → ``1.2.0``. A major upgrade compares only these three fields, so a
    release candidate and its release must not be installed over each other.
    """
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    numbers += [0] * (3 - len(numbers))
    major, minor, build = numbers
    if major > 255 or minor > 255 or build > 65535:
        raise BuildError(f"version {version} does not fit an MSI ProductVersion (255.255.65535)")
    return f"{major}.{minor}.{build}"


def _id(prefix: str, rel: str) -> str:
    # MSI identifiers: letters, digits, underscores and dots, at most 72 characters
    return prefix + hashlib.sha1(rel.encode("utf-8")).hexdigest()[:32].upper()


def _relative_to_root(path: Path) -> str:
    """wixl refuses absolute Source paths: it is run from the root folder, given them relative to it."""
    return path.resolve().relative_to(path.resolve().anchor).as_posix()


def payload_fragment(payload: Path) -> str:
    """The ``Payload`` component group: one component per file, folders as in the payload."""
    files = sorted(p for p in payload.rglob("*") if p.is_file())
    if not files:
        raise BuildError(f"{payload} holds no files")
    # wixl 0.101 resolves a non-ASCII folder name to a wrong folder, silently: refuse instead
    odd = [p.relative_to(payload).as_posix() for p in files if not p.relative_to(payload).as_posix().isascii()]
    if odd:
        raise BuildError(f"wixl cannot package non-ASCII file names, e.g. {odd[0]!r} ({len(odd)} in all)")
    tree: dict = {}
    for path in files:
        rel = path.relative_to(payload)
        node = tree
        for part in rel.parts[:-1]:
            node = node.setdefault(part + "/", {})
        node[rel.parts[-1]] = rel.as_posix()
    lines: list[str] = []
    refs: list[str] = []

    def emit(node: dict, depth: int, prefix: str) -> None:
        pad = "  " * depth
        for name, child in sorted(node.items()):
            if isinstance(child, dict):
                rel_dir = prefix + name
                lines.append(f"{pad}<Directory Id={quoteattr(_id('d', rel_dir))} Name={quoteattr(name[:-1])}>")
                emit(child, depth + 1, rel_dir)
                lines.append(f"{pad}</Directory>")
            else:
                comp = _id("c", child)
                refs.append(comp)
                source = _relative_to_root(payload / child)
                lines.append(f'{pad}<Component Id="{comp}" Guid="*" Win64="yes">')
                file_id = quoteattr(_id("f", child))
                lines.append(f'{pad}  <File Id={file_id} KeyPath="yes" Source={quoteattr(source)} />')
                lines.append(f"{pad}</Component>")

    emit(tree, 3, "")
    group = "\n".join(f'      <ComponentRef Id="{c}" />' for c in refs)
    body = "\n".join(lines)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">\n'
        "  <Fragment>\n"
        '    <DirectoryRef Id="INSTALLDIR">\n'
        f"{body}\n"
        "    </DirectoryRef>\n"
        '    <ComponentGroup Id="Payload">\n'
        f"{group}\n"
        "    </ComponentGroup>\n"
        "  </Fragment>\n"
        "</Wix>\n"
    )


def build(payload: Path, out: Path, version: str | None = None, wixl: str | None = None) -> Path:
    """Build ``out`` from ``payload``; returns ``out``. Raises BuildError with the reason."""
    wixl = wixl or shutil.which("wixl")
    if wixl is None:
        raise BuildError("wixl is not installed (Debian/Ubuntu: apt-get install wixl)")
    for name in ("BranchDesk.exe", "branchdesk-cli.exe"):
        if not (payload / name).is_file():
            raise BuildError(f"{payload} has no {name}: build the app first (pyinstaller build_installer.spec)")
    version = version or app_version()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="branchdesk-msi-") as tmp:
        fragment = Path(tmp) / "payload.wxs"
        fragment.write_text(payload_fragment(payload.resolve()), encoding="utf-8")
        result = subprocess.run(
            [wixl, "--arch", "x64", "-o", str(out.resolve()),
             "-D", f"VERSION={version}", "-D", f"MSI_VERSION={msi_version(version)}",
             "-D", f"ICON={_relative_to_root(ICON)}", "-D", f"PUBLISHER={PUBLISHER}",
             str(WXS), str(fragment.resolve())],
            cwd=Path(fragment.resolve().anchor), capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=1800,
        )
    if result.returncode != 0 or not out.is_file():
        raise BuildError(f"wixl failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    _policy_components(out)
    return out


def _policy_components(msi: Path, msibuild: str | None = None) -> None:
    """What wixl 0.101 cannot say: each policy component installed only when its property
    is given, and never removed; the properties secure (passed to the installation side);
    the product's and the shortcuts' Chinese name."""
    msibuild = msibuild or shutil.which("msibuild")
    if msibuild is None:
        raise BuildError("msibuild is not installed (Debian/Ubuntu: apt-get install msitools)")
    attributes = {row[0]: int(row[3]) for row in _table(msi, "Component")}
    queries = [
        f"UPDATE `Component` SET `Condition` = '{prop}', `Attributes` = {attributes[component] | _PERMANENT} "
        f"WHERE `Component` = '{component}'"
        for prop, component in POLICY_COMPONENTS.items()
    ]
    secure = ";".join(POLICY_COMPONENTS)
    existing = _property(msi, "SecureCustomProperties")
    if existing:
        secure = existing + ";" + secure
        queries.append(f"UPDATE `Property` SET `Value` = '{secure}' WHERE `Property` = 'SecureCustomProperties'")
    else:
        queries.append(f"INSERT INTO `Property` (`Property`, `Value`) VALUES ('SecureCustomProperties', '{secure}')")
    for query in queries:
        result = subprocess.run([msibuild, str(msi), "-q", query], capture_output=True, text=True,
                                encoding="utf-8", errors="replace", timeout=300)
        if result.returncode != 0:
            raise BuildError(f"msibuild failed on {query!r}:\n{result.stdout}{result.stderr}")
    table = _table(msi, "Component")
    for prop, component in POLICY_COMPONENTS.items():
        row = next((r for r in table if r[0] == component), None)
        if row is None or row[4] != prop or not int(row[3]) & _PERMANENT:
            raise BuildError(f"component {component} was not made conditional on {prop}")


def _table(msi: Path, name: str) -> list[list[str]]:
    """The rows of one table of ``msi`` (msiinfo export): lists of column texts."""
    msiinfo = shutil.which("msiinfo")
    if msiinfo is None:
        raise BuildError("msiinfo is not installed (Debian/Ubuntu: apt-get install msitools)")
    result = subprocess.run([msiinfo, "export", str(msi), name], capture_output=True, text=True,
                            encoding="utf-8", errors="replace", timeout=300)
    if result.returncode != 0:
        raise BuildError(f"msiinfo export {name} failed:\n{result.stderr}")
    lines = result.stdout.replace("\r\n", "\n").split("\n")
    return [line.split("\t") for line in lines[3:] if line]  # names, types, keys, then rows


def _property(msi: Path, name: str) -> str | None:
    return next((row[1] for row in _table(msi, "Property") if row[0] == name), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("payload", type=Path, help="the one-folder app (dist/BranchDesk)")
    parser.add_argument("-o", "--output", type=Path, help="the MSI (default dist/BranchDesk-VERSION.msi)")
    parser.add_argument("--version", help="default: __version__ in app/__init__.py")
    args = parser.parse_args(argv)
    try:
        version = args.version or app_version()
        out = args.output or REPO / "dist" / f"BranchDesk-{version}.msi"
        build(args.payload, out, version)
    except BuildError as exc:
        print(f"build_msi: {exc}", file=sys.stderr)
        return 1
    print(f"{out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
