"""Sync settings: head-office address, proxy, the bank's CA file, how often to sync in the background and
when the status bar calls a sync stale; with a "Test connection" that asks head office, off the UI thread.

Every field is checked before anything is saved, and each problem is shown beside its field. The settings
go to ``settings.json`` under "sync" (``SyncSettings.save``). Changing the address of an enrolled PC keeps
its branch, device and token (head office may simply have moved) but says plainly that a different
head-office service needs the PC enrolled again.
"""

from __future__ import annotations

import logging
import math
import ssl
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.store.config import Settings
from app.ui.appearance import GOOD_STYLE, themed
from app.ui.tasks import DbThread, Task
from app.ui.widgets import ERROR_STYLE
from sync import protocol as p
from sync.client.config import INTERVAL_MIN_RANGE, STALE_HOURS_RANGE, SyncSettings
from sync.client.transport import RequestRejected, ServerUnavailable, SyncError, Transport, TransportConfig

log = logging.getLogger(__name__)

# (``appearance.themed``: the amber of the colour scheme in force)
WARNING_STYLE = ("background: {warn_background}; color: palette(window-text); border: 1px solid {warn};"
                 " border-radius: 3px; padding: 6px;")
SUCCESS_STYLE = GOOD_STYLE
PROBE_READ_TIMEOUT = 10.0  # seconds: a health check answers at once, or something is wrong


# --- the check against head office (Qt-free, worker thread) -------------------------------


@dataclass(frozen=True)
class Probe:
    """What head office answered on ``/health``."""

    protocol: int
    server_time: str | None
    ms: float  # round trip, connection set-up included
    skew_seconds: float | None  # this PC's clock minus head office's


class NotHeadOffice(SyncError):
    """The address answers, but not as a BranchDesk head-office service."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def probe(config: TransportConfig) -> Probe:
    """Ask head office's unauthenticated ``/health`` once (no retries) with ``config``'s address, proxy
    and CA file. Worker thread. Raises ``ServerUnavailable`` (the network's reason, Chinese),
    ``CertificateError``, ``NotHeadOffice`` or another ``SyncError``."""
    t = Transport(replace(config, retries=0, read_timeout=min(config.read_timeout, PROBE_READ_TIMEOUT)))
    start = time.monotonic()
    try:
        answer = t.request("GET", "/health", retry=False)
    except ServerUnavailable as exc:
        # without the "retried 0 times" wrapper: the reason itself (网络错误：ConnectionError …)
        raise ServerUnavailable(str(exc.__cause__ or exc)) from exc
    except RequestRejected as exc:
        raise NotHeadOffice(exc.status) from exc
    finally:
        t.close()
    ms = (time.monotonic() - start) * 1000
    if not isinstance(answer, dict) or answer.get("ok") is not True or not isinstance(answer.get("protocol"), int):
        raise NotHeadOffice(200)
    return Probe(protocol=answer["protocol"], server_time=answer.get("server_time"), ms=ms,
                 skew_seconds=t.skew_seconds)


# --- the dialog (UI thread) ------------------------------------------------------------------


def _bounds(text: str, bounds: tuple[float, float]) -> str:
    return text.replace("%1", f"{bounds[0]:g}").replace("%2", f"{bounds[1]:g}")


class SyncSettingsDialog(QDialog):
    """UI thread. ``saved(SyncSettings)`` after the settings were written."""

    saved = Signal(object)

    def __init__(self, settings: Settings, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.data_dir = data_dir
        self.current = SyncSettings.load(settings)
        self.saved_settings: SyncSettings | None = None
        # the connection test's worker (network only, no database): made for each test and stopped when it
        # answers, so an idle dialog holds no thread
        self._worker: DbThread | None = None
        self._test: Task | None = None
        self.setWindowTitle(self.tr("Sync settings"))
        self.setMinimumWidth(620)
        self._build()
        self._fill()

    # --- layout -------------------------------------------------------------------------

    def _field(self, form: QFormLayout, label: str, editor: QWidget | QHBoxLayout, name: str) -> QLabel:
        """A form row: the editor with its error label right under it. Returns the error label."""
        cell = QVBoxLayout()
        cell.setSpacing(2)
        if isinstance(editor, QWidget):
            cell.addWidget(editor)
        else:
            cell.addLayout(editor)
        error = QLabel()
        error.setObjectName(f"{name}Error")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setVisible(False)
        cell.addWidget(error)
        form.addRow(label, cell)
        return error

    def _unit(self, edit: QLineEdit, text: str) -> QHBoxLayout:
        row = QHBoxLayout()
        edit.setMaximumWidth(110)
        row.addWidget(edit)
        row.addWidget(QLabel(text))
        row.addStretch(1)
        return row

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)

        self.server_edit = QLineEdit(objectName="serverEdit")
        self.server_edit.setPlaceholderText("https://sync.bank.local")
        self.server_edit.textChanged.connect(self._on_server_changed)
        self.server_error = self._field(form, self.tr("Head-office address"), self.server_edit, "server")
        self.reenrol_note = QLabel(objectName="reenrolNote")
        self.reenrol_note.setWordWrap(True)
        themed(self.reenrol_note, WARNING_STYLE)
        self.reenrol_note.setVisible(False)
        form.addRow("", self.reenrol_note)

        self.proxy_edit = QLineEdit(objectName="proxyEdit")
        self.proxy_edit.setPlaceholderText(self.tr("optional, e.g. http://proxy:8080"))
        self.proxy_error = self._field(form, self.tr("Proxy"), self.proxy_edit, "proxy")

        ca_row = QHBoxLayout()
        self.ca_edit = QLineEdit(objectName="caEdit")
        self.ca_edit.setPlaceholderText(self.tr("optional: the bank's CA certificate (PEM)"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_ca)
        self.browse_button = browse
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.ca_error = self._field(form, self.tr("CA certificate"), ca_row, "ca")

        self.interval_edit = QLineEdit(objectName="intervalEdit")
        unit = _bounds(self.tr("minutes (%1–%2)"), INTERVAL_MIN_RANGE)
        self.interval_error = self._field(form, self.tr("Sync in the background every"),
                                          self._unit(self.interval_edit, unit), "interval")
        self.stale_edit = QLineEdit(objectName="staleEdit")
        unit = _bounds(self.tr("hours (%1–%2)"), STALE_HOURS_RANGE)
        self.stale_error = self._field(form, self.tr("Warn after no confirmed sync for"),
                                       self._unit(self.stale_edit, unit), "stale")
        layout.addLayout(form)

        test_row = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test connection"), objectName="testButton")
        self.test_button.setToolTip(self.tr("Ask head office at the address above, through the proxy and CA above"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel(objectName="testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)

        self.save_error = QLabel(objectName="saveError")
        self.save_error.setStyleSheet(ERROR_STYLE)
        self.save_error.setWordWrap(True)
        self.save_error.setVisible(False)
        layout.addWidget(self.save_error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _fill(self) -> None:
        s = self.current
        self.server_edit.setText(s.server_url)
        self.proxy_edit.setText(s.proxy or "")
        self.ca_edit.setText(s.ca_bundle or "")
        self.interval_edit.setText(f"{s.interval_min:g}")
        self.stale_edit.setText(f"{s.stale_hours:g}")
        # what IT set for every PC (app.policy: Group Policy or the policy file) is shown, not edited
        edits = {"server_url": self.server_edit, "proxy": self.proxy_edit, "ca_bundle": self.ca_edit,
                 "interval_min": self.interval_edit, "stale_hours": self.stale_edit}
        for name, edit in edits.items():
            locked = name in s.locked
            edit.setReadOnly(locked)
            edit.setProperty("policyLocked", locked)
            edit.setToolTip(self.tr("Set for every PC by the bank's IT (policy); it cannot be changed here.")
                            if locked else "")
        self.browse_button.setEnabled("ca_bundle" not in s.locked)

    # --- checks ---------------------------------------------------------------------------

    def _url_problem(self, text: str) -> str:
        """Why ``text`` is not an http(s) address, or "" when it is one."""
        if any(ch.isspace() for ch in text):
            return self.tr("The address must not contain spaces")
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https"):
            return self.tr("The address must start with https:// (or http://)")
        try:
            port = parts.port
        except ValueError:
            port = -1
        if not parts.hostname:
            return self.tr("The address has no server name after the //")
        if port is not None and not 1 <= port <= 65535:
            return self.tr("The port after the colon must be a number from 1 to 65535")
        if parts.query or parts.fragment:
            return self.tr("The address must not contain ? or #")
        return ""

    def _ca_problem(self, text: str) -> str:
        """Why ``text`` is not a readable PEM CA file, or "" when it is one (a file of a few kB: read here)."""
        path = Path(text).expanduser()
        if not path.exists():
            return self.tr("No such file")
        if path.is_dir():
            return self.tr("This is a folder; choose the certificate file")
        try:
            ssl.create_default_context(cafile=str(path))
        except PermissionError:
            return self.tr("The file cannot be read (no permission)")
        except ssl.SSLError:
            return self.tr("The file holds no certificate in PEM format (-----BEGIN CERTIFICATE-----)")
        except (OSError, ValueError) as exc:
            return self.tr("The file cannot be read: %1").replace("%1", type(exc).__name__)
        return ""

    def _number_problem(self, text: str, bounds: tuple[float, float], unit: str) -> tuple[float | None, str]:
        """The number in ``text`` within ``bounds``, or None and why not (``unit`` names the range: "%1", "%2")."""
        lo, hi = bounds
        rng = _bounds(unit, bounds)
        if not text:
            return None, self.tr("Enter %1").replace("%1", rng)
        try:
            value = float(text)
        except ValueError:
            return None, self.tr("Not a number: enter %1").replace("%1", rng)
        if not math.isfinite(value) or not lo <= value <= hi:
            return None, self.tr("Out of range: enter %1").replace("%1", rng)
        return value, ""

    def _show(self, label: QLabel, problem: str) -> bool:
        label.setText(problem)
        label.setVisible(bool(problem))
        self._fit()
        return not problem

    def _fit(self) -> None:
        """Grow the dialog when a message appears: a wrapped label needs its height at the dialog's width,
        which the window does not take by itself once shown (the message would be cut off)."""
        layout = self.layout()
        layout.activate()
        need = max(self.heightForWidth(self.width()), layout.totalMinimumSize().height())
        if need > self.height():
            self.resize(self.width(), need)

    def _check_connection_fields(self, *, need_server: bool = True) -> TransportConfig | None:
        """Check address, proxy and CA file, showing each problem beside its field; the config when all are good.

        ``need_server=False``: a PC not enrolled yet may keep no address (enrolment sets it)."""
        server = self.server_edit.text().strip().rstrip("/")
        proxy = self.proxy_edit.text().strip()
        ca = self.ca_edit.text().strip()
        if server:
            server_problem = self._url_problem(server)
        elif need_server:
            server_problem = self.tr("Enter the head-office address, e.g. https://sync.bank.local")
        else:
            server_problem = ""
        ok = self._show(self.server_error, server_problem)
        ok &= self._show(self.proxy_error, self._url_problem(proxy) if proxy else "")
        ok &= self._show(self.ca_error, self._ca_problem(ca) if ca else "")
        if not ok:
            return None
        return replace(self.current.transport(), server_url=server, proxy=proxy or None,
                       ca_bundle=str(Path(ca).expanduser().resolve()) if ca else None)

    def validated(self) -> SyncSettings | None:
        """Every field checked, each problem beside its field; the settings to save when all are good."""
        cfg = self._check_connection_fields(need_server=self.current.enrolled)
        interval, problem = self._number_problem(self.interval_edit.text().strip(), INTERVAL_MIN_RANGE,
                                                 self.tr("minutes from %1 to %2"))
        ok = self._show(self.interval_error, problem)
        stale, problem = self._number_problem(self.stale_edit.text().strip(), STALE_HOURS_RANGE,
                                              self.tr("hours from %1 to %2"))
        ok &= self._show(self.stale_error, problem)
        if cfg is None or not ok or interval is None or stale is None:
            return None
        return replace(self.current, server_url=cfg.server_url, proxy=cfg.proxy, ca_bundle=cfg.ca_bundle,
                       interval_min=interval, stale_hours=stale)

    def _server_moved(self) -> bool:
        new = self.server_edit.text().strip().rstrip("/")
        return self.current.enrolled and new != self.current.server_url.rstrip("/")

    def _on_server_changed(self) -> None:
        moved = self._server_moved()
        if moved:
            s = self.current
            self.reenrol_note.setText(
                self.tr("This PC is enrolled with %1 as device %2 of branch %3. Its branch, device and token stay"
                        " as they are: if the new address is a different head-office service, this PC must be"
                        " enrolled again with a new one-time code before it can sync.")
                .replace("%1", s.server_url).replace("%2", str(s.device_id)).replace("%3", s.branch)
            )
        self.reenrol_note.setVisible(moved)
        self._fit()

    # --- actions --------------------------------------------------------------------------

    def save(self) -> bool:
        """Check every field; write the settings only when all are good. True when saved."""
        self.save_error.setVisible(False)
        s = self.validated()
        if s is None:
            return False
        if self._server_moved():
            answer = QMessageBox.warning(
                self, self.tr("Change the head-office address"),
                self.tr("This PC is enrolled with %1. Change the address to %2?\n\nIf it is a different"
                        " head-office service, this PC must be enrolled again before it can sync.")
                .replace("%1", self.current.server_url).replace("%2", s.server_url),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        before = self.settings.extra.get("sync")
        try:
            s.save(self.settings, self.data_dir)
        except OSError as exc:
            if before is None:
                self.settings.extra.pop("sync", None)
            else:
                self.settings.extra["sync"] = before
            self.save_error.setText(self.tr("The settings could not be saved: %1").replace(
                "%1", exc.strerror or type(exc).__name__))
            self.save_error.setVisible(True)
            return False
        log.info("sync settings saved: every %g min, stale after %g h", s.interval_min, s.stale_hours)
        self.saved_settings = s
        self.saved.emit(s)
        self.accept()
        return True

    def test_connection(self) -> None:
        """Ask head office at the typed address (proxy, CA) on the worker; the answer comes back in ``test_result``."""
        if self._test is not None and not self._test.done:
            return
        cfg = self._check_connection_fields()
        if cfg is None:
            self.test_result.setStyleSheet(ERROR_STYLE)
            self.test_result.setText(self.tr("Correct the fields marked in red first."))
            return
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Asking head office at %1…").replace("%1", cfg.server_url))
        self._worker = DbThread("sync-test", None, self)
        self._test = self._worker.submit(lambda _tc: probe(cfg), success=self._on_probe,
                                         failure=self._on_probe_failed, name="sync-test")

    def _stop_worker(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            if self._test is not None:
                self._test.cancel()
            worker.shutdown()
            worker.deleteLater()

    def _on_probe(self, result: Probe) -> None:
        self._stop_worker()
        self.test_button.setEnabled(True)
        lines = [self.tr("Connected: head office answered in %1 ms (sync protocol %2).")
                 .replace("%1", f"{result.ms:,.0f}").replace("%2", str(result.protocol))]
        good = True
        if result.protocol != p.PROTOCOL_VERSION:
            good = False
            lines.append(self.tr("Head office speaks sync protocol %1, this BranchDesk %2: one of them must be"
                                 " upgraded before syncing.")
                         .replace("%1", str(result.protocol)).replace("%2", str(p.PROTOCOL_VERSION)))
        if result.skew_seconds is not None and abs(result.skew_seconds) > 300:
            lines.append(self.tr("This PC's clock is %1 minutes off head office's; please correct it.")
                         .replace("%1", f"{abs(result.skew_seconds) / 60:,.0f}"))
        self.test_result.setStyleSheet(SUCCESS_STYLE if good else ERROR_STYLE)
        self.test_result.setText("\n".join(lines))
        self._fit()

    def _on_probe_failed(self, exc: BaseException, _tb: str) -> None:
        self._stop_worker()
        self.test_button.setEnabled(True)
        if isinstance(exc, NotHeadOffice):
            text = self.tr("This address answers, but not as a BranchDesk head-office service (%1).").replace(
                "%1", str(exc))
        elif isinstance(exc, ServerUnavailable):
            text = self.tr("Could not reach head office: %1").replace("%1", str(exc))
        elif isinstance(exc, SyncError):
            text = str(exc)  # already Chinese (certificate, upgrade, refusal)
        else:
            log.warning("connection test failed: %s", type(exc).__name__)
            text = self.tr("The test failed: %1").replace("%1", type(exc).__name__)
        self.test_result.setStyleSheet(ERROR_STYLE)
        self.test_result.setText(text)
        self._fit()

    def _browse_ca(self) -> None:
        start = str(Path(self.ca_edit.text().strip()).expanduser().parent) if self.ca_edit.text().strip() else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("CA certificate"), start,
                                              self.tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"))
        if path:
            self.ca_edit.setText(path)
            self._show(self.ca_error, self._ca_problem(path))

    def done(self, code: int) -> None:
        self._stop_worker()  # a test still running is waited for (its timeouts are short)
        super().done(code)
