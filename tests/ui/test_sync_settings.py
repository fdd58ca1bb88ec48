"""Sync settings (issue 18): every field checked before saving, a connection test against the real head-office
service off the UI thread, the background interval following the settings, and the status bar on amber when
the last confirmed sync is too old."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import certifi
import pytest
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton

from app.store.config import Settings
from app.store.db import write
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import STALE_STYLE, MainWindow
from app.ui.sync_settings import SUCCESS_STYLE, SyncSettingsDialog
from app.ui.sync_workspace import SyncWorkspace
from app.ui.widgets import ERROR_STYLE
from sync import protocol as p
from sync.client.config import SyncSettings
from tests.support.branch import DEMO_BRANCH
from tests.support.hq import free_port, start_hq

SHOTS = os.environ.get("BRANCHDESK_SHOTS")


@pytest.fixture
def app():
    app = create_application([])
    assert i18n.install(app, "zh_CN")
    yield app
    i18n.install(app, "zh_CN")


@pytest.fixture
def store(demo_dir: Path) -> Store:
    return Store.open(demo_dir)


def enrol_settings(store: Store, **values: object) -> SyncSettings:
    """This PC as if enrolled (the settings an enrolment writes), without a head office."""
    s = SyncSettings(server_url="https://sync.bank.local", branch=DEMO_BRANCH, device_id=7, **values)
    s.save(store.settings, store.data_dir)
    return s


def dialog_for(qtbot, store: Store) -> SyncSettingsDialog:
    d = SyncSettingsDialog(store.settings, store.data_dir)
    qtbot.addWidget(d)
    d.show()
    return d


def settings_file(store: Store) -> bytes:
    path = store.data_dir / "settings.json"
    return path.read_bytes() if path.exists() else b""


def errors(d: SyncSettingsDialog) -> dict[str, str]:
    """The error labels that show, by field."""
    labels = {"server": d.server_error, "proxy": d.proxy_error, "ca": d.ca_error,
              "interval": d.interval_error, "stale": d.stale_error}
    return {name: lb.text() for name, lb in labels.items() if lb.isVisibleTo(d) and lb.text()}


# --- settings.json --------------------------------------------------------------------------


def test_an_older_settings_file_without_the_new_keys_loads_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({
        "db_id": "x", "sync": {"server_url": "http://127.0.0.1:8765", "branch": DEMO_BRANCH, "device_id": 3,
                               "proxy": None, "ca_bundle": None, "connect_timeout": 5.0, "read_timeout": 60.0,
                               "retries": 5},
    }), encoding="utf-8")
    s = SyncSettings.load(Settings.load(tmp_path))
    assert s.enrolled and (s.interval_min, s.stale_hours) == (15.0, 48.0)

    # a hand-edited file: nonsense takes the default, a value out of range the nearest bound
    for raw, interval in (("abc", 15.0), (0, 1.0), (99999, 1440.0), (None, 15.0), (True, 15.0), ("30", 30.0)):
        (tmp_path / "settings.json").write_text(json.dumps({"sync": {"interval_min": raw, "stale_hours": 0.2}}))
        s = SyncSettings.load(Settings.load(tmp_path))
        assert (s.interval_min, s.stale_hours) == (interval, 1.0), raw


# --- the dialog: checks before saving ----------------------------------------------------


def test_each_bad_field_is_refused_beside_it_and_nothing_is_saved(qtbot, app, store: Store, tmp_path: Path) -> None:
    enrol_settings(store)
    before = settings_file(store)
    not_pem = tmp_path / "notes.pem"
    not_pem.write_text("this is not a certificate\n", encoding="utf-8")
    d = dialog_for(qtbot, store)
    assert d.server_edit.text() == "https://sync.bank.local" and d.interval_edit.text() == "15"
    assert errors(d) == {}

    cases = [
        ("server", d.server_edit, "ftp://sync.bank.local"),
        ("server", d.server_edit, "sync.bank.local"),
        ("server", d.server_edit, "https://"),
        ("server", d.server_edit, "https://sync.bank.local:99999"),
        ("server", d.server_edit, "https://sync bank.local"),
        ("server", d.server_edit, ""),
        ("proxy", d.proxy_edit, "proxy.bank.local:8080"),
        ("ca", d.ca_edit, str(tmp_path / "missing.pem")),
        ("ca", d.ca_edit, str(tmp_path)),
        ("ca", d.ca_edit, str(not_pem)),
        ("interval", d.interval_edit, "0"),
        ("interval", d.interval_edit, "1441"),
        ("interval", d.interval_edit, "十五"),
        ("interval", d.interval_edit, ""),
        ("stale", d.stale_edit, "721"),
        ("stale", d.stale_edit, "nan"),
    ]
    for field, edit, bad in cases:
        good = edit.text()
        edit.setText(bad)
        d.buttons.button(d.buttons.StandardButton.Save).click()
        shown = errors(d)
        assert list(shown) == [field], (bad, shown)
        assert d.result() != QDialog.DialogCode.Accepted and d.isVisible()
        assert settings_file(store) == before, bad
        edit.setText(good)
    # different problems, different words
    d.ca_edit.setText(str(tmp_path / "missing.pem"))
    d.save()
    missing = errors(d)["ca"]
    d.ca_edit.setText(str(not_pem))
    d.save()
    assert errors(d)["ca"] != missing

    # all at once: every bad field marked together, the good ones not
    d.server_edit.setText("sync.bank.local")
    d.interval_edit.setText("0")
    d.stale_edit.setText("2000")
    assert not d.save()
    assert set(errors(d)) == {"server", "ca", "interval", "stale"}
    assert d.ca_error.styleSheet() == ERROR_STYLE
    if SHOTS:
        d.grab().save(str(Path(SHOTS) / "sync-settings-errors.png"))
    assert settings_file(store) == before
    assert SyncSettings.load(Settings.load(store.data_dir)) == SyncSettings.load(store.settings)


def test_good_settings_are_saved_and_read_back_from_the_data_folder(qtbot, app, store: Store) -> None:
    enrol_settings(store)
    d = dialog_for(qtbot, store)
    d.proxy_edit.setText("http://proxy.bank.local:8080")
    d.ca_edit.setText(certifi.where())
    d.interval_edit.setText("30")
    d.stale_edit.setText("72.5")
    with qtbot.waitSignal(d.saved, timeout=1000):
        d.buttons.button(d.buttons.StandardButton.Save).click()
    assert d.result() == QDialog.DialogCode.Accepted and errors(d) == {}

    s = SyncSettings.load(Settings.load(store.data_dir))  # from the file, not the object in memory
    assert (s.server_url, s.branch, s.device_id) == ("https://sync.bank.local", DEMO_BRANCH, 7)
    assert s.proxy == "http://proxy.bank.local:8080" and s.ca_bundle == str(Path(certifi.where()).resolve())
    assert (s.interval_min, s.stale_hours) == (30.0, 72.5)
    raw = json.loads((store.data_dir / "settings.json").read_text(encoding="utf-8"))
    assert raw["db_id"] == store.settings.db_id  # the rest of settings.json is kept

    # emptied proxy and CA are kept as "none"
    d = dialog_for(qtbot, store)
    assert d.ca_edit.text() == s.ca_bundle
    d.proxy_edit.setText("")
    d.ca_edit.setText("  ")
    assert d.save()
    s = SyncSettings.load(Settings.load(store.data_dir))
    assert s.proxy is None and s.ca_bundle is None


def test_a_new_address_on_an_enrolled_pc_warns_that_it_may_need_enrolling_again(qtbot, app, store: Store,
                                                                               monkeypatch) -> None:
    enrol_settings(store)
    before = settings_file(store)
    d = dialog_for(qtbot, store)
    assert not d.reenrol_note.isVisible()
    d.server_edit.setText("https://sync.bank.local/")  # the same address
    assert not d.reenrol_note.isVisible()
    d.server_edit.setText("https://hq2.bank.local")
    assert d.reenrol_note.isVisible()
    assert "https://sync.bank.local" in d.reenrol_note.text() and DEMO_BRANCH in d.reenrol_note.text()
    if SHOTS:
        d.grab().save(str(Path(SHOTS) / "sync-settings-reenrol.png"))

    asked: list[str] = []

    def answer(reply):
        def ask(_parent, _title, text, *_a, **_k):
            asked.append(text)
            return reply
        return ask

    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.No))
    assert not d.save()
    assert len(asked) == 1 and "https://hq2.bank.local" in asked[0]
    assert settings_file(store) == before
    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Yes))
    assert d.save()
    s = SyncSettings.load(Settings.load(store.data_dir))
    assert s.server_url == "https://hq2.bank.local"
    assert (s.branch, s.device_id) == (DEMO_BRANCH, 7)  # never changed behind the person's back


# --- test connection: the real head-office service ---------------------------------------


def test_test_connection_asks_the_real_head_office_off_the_ui_thread(qtbot, app, store: Store,
                                                                   tmp_path: Path) -> None:
    hq = start_hq(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        before = settings_file(store)
        d = dialog_for(qtbot, store)  # not enrolled: the address is only being tried
        d.server_edit.setText(hq.url)
        d.test_button.click()
        assert not d.test_button.isEnabled()  # the click returned at once: the request is on the worker
        assert hq.url in d.test_result.text()
        qtbot.waitUntil(lambda: d.test_button.isEnabled(), timeout=10_000)
        assert d.test_result.styleSheet() == SUCCESS_STYLE, d.test_result.text()
        text = d.test_result.text()
        assert ("ms" in text or "毫秒" in text) and str(p.PROTOCOL_VERSION) in text
        if SHOTS:
            d.grab().save(str(Path(SHOTS) / "sync-settings-ok.png"))
        assert settings_file(store) == before  # trying an address saves nothing
    finally:
        hq.stop()

    # a closed port: the network's reason, in Chinese
    d.server_edit.setText(f"http://127.0.0.1:{free_port()}")
    d.test_button.click()
    qtbot.waitUntil(lambda: d.test_button.isEnabled(), timeout=15_000)
    assert "网络错误" in d.test_result.text(), d.test_result.text()
    assert d.test_result.styleSheet() == ERROR_STYLE
    if SHOTS:
        d.grab().save(str(Path(SHOTS) / "sync-settings-closed.png"))

    # a bad field is marked and nothing is asked
    d.server_edit.setText("127.0.0.1:8765")
    d.test_button.click()
    assert d.test_button.isEnabled() and list(errors(d)) == ["server"]


# --- the Sync workspace ----------------------------------------------------------------------


def test_the_sync_workspace_opens_the_settings_and_its_interval_follows_them(qtbot, app, store: Store) -> None:
    enrol_settings(store, interval_min=20.0)
    ctx = build_context(store, None)
    page = SyncWorkspace(ctx, auto=False)
    qtbot.addWidget(page)
    try:
        assert page.schedule.interval == 20 * 60
        buttons = [b for b in page.findChildren(QPushButton) if b.objectName() == "syncSettings"]
        assert len(buttons) == 1
        buttons[0].click()
        dialogs = page.findChildren(SyncSettingsDialog)
        assert len(dialogs) == 1 and dialogs[0].isVisible()
        dialogs[0].reject()

        d = page.open_settings()
        assert isinstance(d, SyncSettingsDialog)
        d.interval_edit.setText("5")
        assert d.save()
        assert page.schedule.interval == 5 * 60
        assert page.schedule.next_delay(True) == 300
    finally:
        page.shutdown()
        ctx.shutdown()


# --- the status bar --------------------------------------------------------------------------


def confirmed_sync(store: Store, ago: timedelta) -> None:
    """A run head office confirmed, ``ago`` before now (the sync log as the engine writes it)."""
    when = (datetime.now().astimezone() - ago).isoformat(timespec="seconds")
    db = store.connect()
    try:
        with write(db):
            db.conn.execute("INSERT INTO sync_log (started_at, ended_at, status) VALUES (?, ?, 'synced')",
                            (when, when))
    finally:
        db.close()


def window_for(qtbot, store: Store):
    ctx = build_context(store, None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    return w, ctx


def label_state(qtbot, w: MainWindow) -> tuple[bool, str]:
    qtbot.waitUntil(lambda: w._sync_state is not None, timeout=5_000)
    qtbot.wait(50)  # the Sync workspace's own line, read on the same reader thread
    return bool(w.sync_label.property("stale")), w.sync_label.text()


def test_the_status_bar_turns_amber_when_the_last_confirmed_sync_is_too_old(qtbot, app, store: Store) -> None:
    enrol_settings(store)  # stale after 48 hours (the default)
    confirmed_sync(store, timedelta(days=3, hours=2))
    w, ctx = window_for(qtbot, store)
    qtbot.waitUntil(lambda: bool(w.sync_label.property("stale")), timeout=5_000)
    stale, text = label_state(qtbot, w)
    assert stale and text in ("Last confirmed sync: 3 days ago", "上次确认同步：3 天前"), text
    assert w.sync_label.styleSheet() == STALE_STYLE and "48" in w.sync_label.toolTip()
    if SHOTS:
        w.grab().save(str(Path(SHOTS) / "main-window-stale.png"))

    # a newer confirmed sync: no longer amber
    confirmed_sync(store, timedelta(hours=1))
    w.refresh_status()
    qtbot.waitUntil(lambda: not w.sync_label.property("stale"), timeout=5_000)
    assert w.sync_label.styleSheet() == ""
    w.close()
    ctx.shutdown()


def test_stale_age_follows_the_setting_and_a_never_synced_enrolled_pc_is_stale(qtbot, app, store: Store) -> None:
    enrol_settings(store, stale_hours=100.0)
    confirmed_sync(store, timedelta(days=3))  # 72 hours: within 100
    w, ctx = window_for(qtbot, store)
    stale, _text = label_state(qtbot, w)
    assert not stale and w.sync_label.styleSheet() == ""
    w.close()
    ctx.shutdown()

    db = store.connect()
    with write(db):
        db.conn.execute("DELETE FROM sync_log")
    db.close()
    w, ctx = window_for(qtbot, store)
    qtbot.waitUntil(lambda: bool(w.sync_label.property("stale")), timeout=5_000)
    assert w.sync_label.text() in ("Last confirmed sync: never", "上次确认同步：从未"), w.sync_label.text()
    w.close()
    ctx.shutdown()


def test_a_demo_pc_that_is_not_enrolled_is_never_amber(qtbot, app, store: Store) -> None:
    w, ctx = window_for(qtbot, store)
    stale, text = label_state(qtbot, w)
    assert not stale and text == "上次同步：从未同步"
    assert not [lb for lb in w.findChildren(QLabel) if lb.styleSheet() == STALE_STYLE]
    w.close()
    ctx.shutdown()


def test_what_it_set_by_policy_shows_read_only_and_survives_a_save(qtbot, app, store: Store, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from app import policy

    enrol_settings(store)
    rules = tmp_path / "policy.json"
    rules.write_text(json.dumps({"ServerUrl": "https://hq.policy.bank", "SyncIntervalMinutes": 60}), encoding="utf-8")
    monkeypatch.setenv(policy.POLICY_FILE_ENV, str(rules))
    policy.reload()
    try:
        d = dialog_for(qtbot, store)
        assert d.server_edit.text() == "https://hq.policy.bank" and d.server_edit.isReadOnly()
        assert d.interval_edit.text() == "60" and d.interval_edit.isReadOnly()
        assert "IT" in d.server_edit.toolTip() and not d.proxy_edit.isReadOnly()
        d.proxy_edit.setText("http://proxy.bank.local:8080")
        assert d.save()
        raw = json.loads((store.data_dir / "settings.json").read_text(encoding="utf-8"))["sync"]
        assert raw["server_url"] == "https://sync.bank.local" and raw["proxy"] == "http://proxy.bank.local:8080"
        assert raw["interval_min"] != 60  # the person's own value stays in the file; the policy is not copied
    finally:
        monkeypatch.delenv(policy.POLICY_FILE_ENV)
        policy.reload()
