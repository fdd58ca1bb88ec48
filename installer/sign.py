"""Authenticode signing of the Windows executables and setups, with osslsigncode (Debian's
``osslsigncode``), so a bank's PCs neither block nor warn about BranchDesk.

    python installer/sign.py FILE...               # sign each file in place (and verify it)
    python installer/sign.py --verify FILE...      # check each file's signature
    python installer/sign.py --release FILE...     # as a release build: refuses to go on unsigned

The certificate and its key come from the environment, never from the repository:
``BRANCHDESK_SIGN_CERT`` (PEM certificate, with its chain) and ``BRANCHDESK_SIGN_KEY`` (PEM
private key; ``BRANCHDESK_SIGN_PASS`` its password, if any), or ``BRANCHDESK_SIGN_PKCS12`` (a
.pfx) instead of both. ``BRANCHDESK_SIGN_TIMESTAMP`` names an RFC 3161 timestamp server
(e.g. the certificate vendor's): signatures are then timestamped, so they stay valid after the
certificate expires. Without a certificate a development build is left unsigned with a warning;
a release build (``--release``) stops with an error instead. Runs on the build machine only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DESCRIPTION = "BranchDesk 网点工作台"
URL = "https://branchdesk.bank.local"


class SigningError(Exception):
    """Signing could not be done or checked; the message says why, in Chinese."""


@dataclass(frozen=True)
class Signer:
    cert: Path | None = None
    key: Path | None = None
    pkcs12: Path | None = None
    password: str | None = None
    timestamp: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Signer | None:
        """The signer the environment configures, or None when it configures none."""
        env = dict(os.environ if env is None else env)
        pfx = env.get("BRANCHDESK_SIGN_PKCS12")
        cert, key = env.get("BRANCHDESK_SIGN_CERT"), env.get("BRANCHDESK_SIGN_KEY")
        if not (pfx or cert or key):
            return None
        if not pfx and not (cert and key):
            raise SigningError("签名需要 BRANCHDESK_SIGN_CERT 和 BRANCHDESK_SIGN_KEY 两项"
                               "（或 BRANCHDESK_SIGN_PKCS12）。")
        for name, value in (("BRANCHDESK_SIGN_PKCS12", pfx), ("BRANCHDESK_SIGN_CERT", cert),
                            ("BRANCHDESK_SIGN_KEY", key)):
            if value and not Path(value).is_file():
                raise SigningError(f"{name} 指向的文件 {value} 不存在。")
        return cls(Path(cert) if cert and not pfx else None, Path(key) if key and not pfx else None,
                   Path(pfx) if pfx else None, env.get("BRANCHDESK_SIGN_PASS") or None,
                   env.get("BRANCHDESK_SIGN_TIMESTAMP") or None)


def tool() -> str:
    found = shutil.which("osslsigncode")
    if found is None:
        raise SigningError("找不到 osslsigncode：apt-get install osslsigncode（Windows 上可用 signtool）。")
    return found


def sign(path: Path, signer: Signer) -> None:
    """Sign ``path`` in place (a PE file: .exe, .dll, an NSIS setup, an MSI). The file is replaced
    only once the signed copy is written and verifies."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".signed")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    cmd = [tool(), "sign", "-h", "sha256", "-n", DESCRIPTION, "-i", URL]
    if signer.pkcs12 is not None:
        cmd += ["-pkcs12", str(signer.pkcs12)]
    else:
        cmd += ["-certs", str(signer.cert), "-key", str(signer.key)]
    if signer.password:
        cmd += ["-pass", signer.password]
    if signer.timestamp:
        cmd += ["-ts", signer.timestamp]
    cmd += ["-in", str(path), "-out", str(tmp)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not tmp.exists():
            why = (done.stderr or done.stdout).strip().splitlines()
            raise SigningError(f"签名 {path.name} 失败：{why[-1] if why else done.returncode}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def verify(path: Path, ca_file: Path | None = None) -> tuple[bool, str]:
    """(signed and intact, osslsigncode's words) for ``path``; ``ca_file``: the roots to trust
    (by default the system's)."""
    cmd = [tool(), "verify", "-in", str(path)]
    if ca_file is not None:
        cmd += ["-CAfile", str(ca_file)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = (done.stdout + done.stderr).strip()
    return done.returncode == 0 and "Signature verification: ok" in out, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Authenticode 签名（osslsigncode）：证书取自环境变量")
    ap.add_argument("files", nargs="+", type=Path, metavar="文件")
    ap.add_argument("--verify", action="store_true", help="只检查签名")
    ap.add_argument("--release", action="store_true", help="正式发布：没有证书时报错退出，而不是留下未签名的文件")
    ap.add_argument("--ca-file", type=Path, help="检查签名时信任的根证书（PEM；默认系统的）")
    args = ap.parse_args(argv)
    try:
        if args.verify:
            bad = [f for f in args.files if not verify(f, args.ca_file)[0]]
            for f in bad:
                print(f"未签名或签名无效：{f}", file=sys.stderr)
            return 1 if bad else 0
        signer = Signer.from_env()
        if signer is None:
            if args.release:
                print("错误：正式发布必须签名，但没有配置证书（BRANCHDESK_SIGN_CERT 与 BRANCHDESK_SIGN_KEY，"
                      "或 BRANCHDESK_SIGN_PKCS12）。未签名的安装包会被银行的电脑拦截或警告。", file=sys.stderr)
                return 2
            print("警告：没有配置签名证书，文件未签名（开发版本）。", file=sys.stderr)
            return 0
        for f in args.files:
            sign(f, signer)
            print(f"已签名：{f}")
    except SigningError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
