"""Transport settings that face the bank's network: proxy, CA bundle, clock skew, retry schedule."""

from __future__ import annotations

import random
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync import protocol as p
from sync.client.engine import SyncEngine
from sync.client.scheduler import RetrySchedule
from sync.client.transport import ServerUnavailable, Transport, TransportConfig, backoff_delay
from sync.server.demo import seed_demo
from tests.support.branch import DEMO_BRANCH, sync, workstation
from tests.support.hq import start_hq


def test_requests_go_through_the_configured_proxy():
    """A proxy that records the request line it receives (and then hangs up)."""
    seen: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        seen.append(conn.recv(4096).split(b"\r\n", 1)[0])
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    t = Transport(TransportConfig("http://hq.bank.invalid:8765", proxy=f"http://127.0.0.1:{port}", retries=0))
    with pytest.raises(ServerUnavailable):
        t.request("GET", "/health")
    listener.close()
    assert seen == [b"GET http://hq.bank.invalid:8765/health HTTP/1.1"]


def test_custom_ca_bundle_is_used_for_verification(tmp_path: Path):
    bundle = tmp_path / "bank-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    t = Transport(TransportConfig("https://127.0.0.1:9", ca_bundle=str(bundle), retries=0, connect_timeout=0.5))
    assert t.session.verify == str(bundle)
    with pytest.raises(ServerUnavailable):
        t.request("GET", "/health")  # nothing listens on port 9: a network error, reported in Chinese


def test_backoff_has_jitter_and_a_cap():
    rng = random.Random(1)
    delays = [backoff_delay(a, 0.5, 30.0, rng) for a in range(12)]
    assert all(0 <= d <= min(30.0, 0.5 * 2**a) for a, d in enumerate(delays))
    assert len(set(delays)) == len(delays)  # jittered, never in lockstep
    s = RetrySchedule(interval=900, base=30, cap=1800, rng=random.Random(2))
    after_failures = [s.next_delay(False) for _ in range(8)]
    assert all(5 <= d <= 1800 for d in after_failures) and s.failures == 8
    assert s.next_delay(True) == 900 and s.failures == 0


class _SkewedClock:
    """Wraps the real service and reports its clock two hours ahead (a badly set server, or PC)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        async def shifted(message):
            if message["type"] == "http.response.start":
                later = (datetime.now(UTC) + timedelta(hours=2)).isoformat(timespec="milliseconds")
                message = {**message, "headers": [
                    (k, later.encode() if k == p.SERVER_TIME_HEADER.lower().encode() else v)
                    for k, v in message["headers"]
                ]}
            await send(message)

        await self.app(scope, receive, shifted)


def test_clock_skew_is_warned_about_and_never_orders_anything(tmp_path: Path):
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}", app_wrapper=_SkewedClock)
    try:
        seed_demo(hq.store, n_clients=50)
        store = workstation(tmp_path / "ws", hq.url, hq.store)
        report = sync(store)
        assert report.status == "synced"
        assert report.skew_seconds is not None and abs(report.skew_seconds + 7200) < 60
        assert any("时钟" in w and "120 分钟" in w for w in report.warnings), report.warnings
    finally:
        hq.stop()


def test_progress_is_reported_and_cancel_stops_between_pages(tmp_path: Path):
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        seed_demo(hq.store, n_clients=1000)
        store = workstation(tmp_path / "ws", hq.url, hq.store)
        seen = []
        stop = threading.Event()

        def progress(pr) -> None:
            seen.append((pr.phase, pr.done, pr.total))
            if pr.phase == "pull" and len(seen) >= 3:
                stop.set()

        report = SyncEngine(store, page_size=100, progress=progress, cancelled=stop.is_set).run()
        assert report.status == "cancelled" and 0 < report.pulled < 1000 + 300
        pages = [s for s in seen if s[0] == "pull" and s[2] > 1]
        assert len(pages) >= 3 and pages[-1][1] < pages[-1][2]  # stopped part-way, at a page boundary
        db = store.connect(readonly=True)
        log = db.conn.execute("SELECT status, pulled FROM sync_log ORDER BY id DESC LIMIT 1").fetchone()
        db.close()
        assert log == ("cancelled", report.pulled)
        again = sync(store)
        assert again.status == "synced" and report.pulled + again.pulled == sum(1 for _ in _all(hq))
    finally:
        hq.stop()


def _all(hq):
    from sync.protocol import KINDS

    for kind in KINDS.names:
        yield from hq.store.records(DEMO_BRANCH, kind)


def _bank_ca_and_server_cert(folder: Path) -> tuple[Path, Path, Path]:
    """A bank's own CA and a certificate it issued for 127.0.0.1 (made here, as a bank's PKI would)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Rural Bank Root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
          .not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_pem, cert_pem, key_pem = folder / "bank-ca.pem", folder / "hq.pem", folder / "hq.key"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return ca_pem, cert_pem, key_pem


def test_https_with_the_banks_own_ca(tmp_path: Path):
    from app.store.store import Store
    from sync.client.engine import enrol
    from sync.client.transport import CertificateError, SyncError

    ca, cert, key = _bank_ca_and_server_cert(tmp_path)
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}", ssl_certfile=str(cert), ssl_keyfile=str(key))
    try:
        assert hq.url.startswith("https://")
        seed_demo(hq.store, n_clients=50)
        store = Store.open(tmp_path / "ws", create=True)
        _d, code = hq.store.new_enrolment(DEMO_BRANCH)
        # without the bank's CA the certificate does not verify: a clear message, no retries
        with pytest.raises(CertificateError, match="CA 证书"):
            Transport(TransportConfig(hq.url, retries=3, backoff_base=5)).request("GET", "/health")
        with pytest.raises(SyncError, match="CA 证书"):
            enrol(store, hq.url, code)
        enrol(store, hq.url, code, ca_bundle=str(ca))
        report = sync(store)
        assert report.status == "synced" and report.pulled > 50
    finally:
        hq.stop()


def test_enrolling_keeps_what_the_pc_chose(tmp_path: Path):
    """The interval and stale age set on the settings page survive an enrolment (a re-enrolment)."""
    from app.store.store import Store
    from sync.client.config import SyncSettings
    from sync.client.engine import enrol

    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        seed_demo(hq.store, n_clients=50)
        store = Store.open(tmp_path / "ws", create=True)
        chosen = SyncSettings.load(store.settings)
        chosen.interval_min, chosen.stale_hours = 60.0, 168.0
        chosen.save(store.settings, store.data_dir)
        _d, code = hq.store.new_enrolment(DEMO_BRANCH)
        s = enrol(store, hq.url, code)
        again = SyncSettings.load(Store.open(tmp_path / "ws").settings)
        assert s.enrolled and (again.interval_min, again.stale_hours) == (60.0, 168.0)
        assert again.server_url == hq.url and again.branch == DEMO_BRANCH
    finally:
        hq.stop()
