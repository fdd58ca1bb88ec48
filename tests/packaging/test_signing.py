"""Authenticode signing (issue 20): the NSIS setup, built around the stand-in payload, signed with
osslsigncode by ``installer/sign.py`` under a throwaway certificate the test makes (a root and a
code-signing certificate it issued), then verified; a byte changed afterwards breaks the signature;
a release build without a certificate stops, a development build warns. CI installs osslsigncode
and nsis, so these never skip there."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.packaging.test_installer import REPO, _compile_installer, _load_make_payload, _makensis

pytestmark = pytest.mark.skipif(shutil.which("osslsigncode") is None,
                                reason="osslsigncode is not installed: apt-get install osslsigncode")


def _sign_module():
    spec = importlib.util.spec_from_file_location("sign", REPO / "installer" / "sign.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["sign"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(root CA PEM, code-signing certificate PEM, its key PEM): throwaway, valid for a day."""
    now = dt.datetime.now(dt.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("BranchDesk Test Root")
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name("某农商银行 BranchDesk 测试签名")).issuer_name(root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(root_key, hashes.SHA256()))
    paths = folder / "root.pem", folder / "signer.pem", folder / "signer.key"
    paths[0].write_bytes(root.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return paths


@pytest.fixture
def setup_exe(tmp_path: Path) -> Path:
    makensis = _makensis()
    if makensis is None:
        pytest.skip("makensis (NSIS 3) is not installed: apt-get install nsis")
    payload = _load_make_payload().make_standin(tmp_path / "payload")
    out = tmp_path / "BranchDesk-0.1.0-setup.exe"
    result = _compile_installer(makensis, payload, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_setup_is_signed_and_verifies_and_a_changed_byte_breaks_it(setup_exe: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    sign = _sign_module()
    root, cert, key = _certificates(tmp_path)
    ok, words = sign.verify(setup_exe, root)
    assert not ok  # unsigned as built
    unsigned = setup_exe.stat().st_size
    monkeypatch.setenv("BRANCHDESK_SIGN_CERT", str(cert))
    monkeypatch.setenv("BRANCHDESK_SIGN_KEY", str(key))
    assert sign.main(["--release", str(setup_exe)]) == 0
    assert "已签名" in capsys.readouterr().out
    ok, words = sign.verify(setup_exe, root)
    assert ok, words
    assert "某农商银行 BranchDesk 测试签名" in words or "BranchDesk" in words
    assert setup_exe.stat().st_size > unsigned and not list(tmp_path.glob(".*.signed"))
    assert sign.main(["--verify", "--ca-file", str(root), str(setup_exe)]) == 0
    print(f"\nsetup: {unsigned / 1e3:,.0f} kB unsigned, {setup_exe.stat().st_size / 1e3:,.0f} kB signed")
    # a byte changed after signing: the signature no longer holds
    tampered = tmp_path / "tampered.exe"
    data = bytearray(setup_exe.read_bytes())
    data[len(data) // 3] ^= 0xFF
    tampered.write_bytes(bytes(data))
    ok, _words = sign.verify(tampered, root)
    assert not ok
    assert sign.main(["--verify", "--ca-file", str(root), str(tampered)]) == 1
    # trusted only by its own root: against the system's roots it does not verify
    assert not sign.verify(setup_exe)[0]


def test_a_release_build_without_a_certificate_stops_and_a_development_build_warns(
        setup_exe: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sign = _sign_module()
    for name in ("BRANCHDESK_SIGN_CERT", "BRANCHDESK_SIGN_KEY", "BRANCHDESK_SIGN_PKCS12"):
        monkeypatch.delenv(name, raising=False)
    before = setup_exe.read_bytes()
    assert sign.main(["--release", str(setup_exe)]) == 2
    assert "正式发布必须签名" in capsys.readouterr().err
    assert sign.main([str(setup_exe)]) == 0
    assert "未签名（开发版本）" in capsys.readouterr().err
    assert setup_exe.read_bytes() == before
    # half a configuration, or a file that is not there: said, nothing signed
    monkeypatch.setenv("BRANCHDESK_SIGN_CERT", str(tmp_path / "none.pem"))
    assert sign.main(["--release", str(setup_exe)]) == 1
    assert "BRANCHDESK_SIGN_KEY" in capsys.readouterr().err
    assert setup_exe.read_bytes() == before


def test_the_msi_is_signed_verifies_and_still_installs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       wine) -> None:
    """The MSI (wixl) signed the same way; Wine's msiexec still installs the signed package."""
    from tests.packaging.conftest import load_installer_module

    for tool in ("wixl", "msibuild", "msiinfo"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install wixl msitools)")
    sign = _sign_module()
    build_msi = load_installer_module("build_msi")
    payload = _load_make_payload().make_standin(tmp_path / "payload", non_ascii=False)
    msi = build_msi.build(payload, tmp_path / "BranchDesk-0.1.0.msi", "0.1.0")
    root, cert, key = _certificates(tmp_path)
    assert not sign.verify(msi, root)[0]
    monkeypatch.setenv("BRANCHDESK_SIGN_CERT", str(cert))
    monkeypatch.setenv("BRANCHDESK_SIGN_KEY", str(key))
    assert sign.main(["--release", str(msi)]) == 0
    ok, words = sign.verify(msi, root)
    assert ok, words
    code, _ = wine.run("msiexec", "/i", str(msi), "/qn")
    assert code == 0
    assert (wine.host(r"C:\Program Files\BranchDesk") / "BranchDesk.exe").is_file()
