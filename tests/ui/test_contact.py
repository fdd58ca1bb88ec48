"""The contact form (记录触达) under offscreen Qt, on the demo county (issue 15): opened from
the client book, a campaign's target and a whitelist entry, typed into from the keyboard, a
warned word saved only once the warning is ticked as read, a blocked word never saved; the
follow-up and whitelist outcome forms hold their notes to the same rule."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.campaigns import CampaignsWorkspace
from app.ui.clients.workspace import ClientsWorkspace
from app.ui.contact import ContactDialog
from app.ui.followups import FollowupsWorkspace
from app.ui.main_window import MainWindow
from app.ui.whitelist.workspace import WhitelistWorkspace
from sync.protocol.kinds import CONTACT_CHANNELS
from tests.ui.test_followups import _seed


def _open(qtbot, demo_dir: Path, code: str | None = None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    w.activateWindow()
    return w, ctx


def _go(w: MainWindow, kind: type):
    ws = next(x for x in w.workspaces if isinstance(x, kind))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    return ws


def _type(widget: QWidget, text: str) -> None:
    """Chinese as a person types it: the input method commits the characters (QTest's key
    clicks know only ASCII)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _shown(qtbot, dlg: ContactDialog) -> None:
    """The dialog open and active, as a window manager makes a new dialog (offscreen does not)."""
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=5000)


def _enter(qtbot, dlg: ContactDialog, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(dlg.focusWidget(), Qt.Key.Key_Return, modifier)


def _rows(ctx, sql: str, *args) -> list[tuple]:
    db = ctx.store.connect(readonly=True)
    try:
        return db.conn.execute(sql, args).fetchall()
    finally:
        db.close()


def _saved_or_refused(qtbot, dlg: ContactDialog) -> None:
    qtbot.waitUntil(lambda: not dlg._busy and dlg.save_button.isEnabled(), timeout=5000)


def test_from_the_client_book_a_warning_needs_the_box_ticked(qtbot, demo_dir: Path) -> None:
    w, ctx = _open(qtbot, demo_dir)
    try:
        ws = _go(w, ClientsWorkspace)
        qtbot.waitUntil(lambda: ws.model.total > 0, timeout=10_000)
        ws.model.row_at(0)
        qtbot.waitUntil(lambda: ws.model.is_loaded(0), timeout=5000)
        ws.select_row(0)
        qtbot.waitUntil(lambda: ws.detail.contact_button.isEnabled(), timeout=5000)
        cid = ws.detail.client_id
        ws.table.setFocus()
        qtbot.keyClick(ws.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # Ctrl+T opens the form
        qtbot.waitUntil(lambda: getattr(ws, "contact_dialog", None) is not None and ws.contact_dialog.isVisible(),
                        timeout=5000)
        dlg: ContactDialog = ws.contact_dialog
        _shown(qtbot, dlg)
        assert dlg.client_id == cid and dlg.focusWidget() is dlg.channel
        assert dlg.channel.count() == len(CONTACT_CHANNELS) and dlg.channel.currentText() == "电话"
        qtbot.keyClick(dlg.channel, Qt.Key.Key_Down)  # 上门
        assert dlg.channel.currentData() == "visit"
        _enter(qtbot, dlg)
        assert dlg.focusWidget() is dlg.outcome  # Enter moves on
        _type(dlg.outcome, "有意向")
        _enter(qtbot, dlg)
        assert dlg.focusWidget() is dlg.note
        _type(dlg.note, "客户问存款是否安全，已解释")
        _enter(qtbot, dlg)
        assert dlg.focusWidget() is dlg.next
        nxt = (date.today() + timedelta(days=7)).isoformat()
        qtbot.keyClicks(dlg.next, nxt)
        _enter(qtbot, dlg)  # Enter on the last field saves: refused for the warned word
        qtbot.waitUntil(lambda: dlg.warning.ack.isVisibleTo(dlg), timeout=5000)
        assert "【安全】" in dlg.warning.findings.text() and "需谨慎使用" in dlg.warning.findings.text()
        assert dlg.note.selectedText() == "安全" and dlg.focusWidget() is dlg.warning.ack
        assert dlg.isVisible()
        notes = "SELECT channel, outcome, next_date FROM contacts c JOIN clients k ON k.uid = c.client_uid" \
                " WHERE k.id = ? AND c.note = ?"
        assert _rows(ctx, notes, cid, "客户问存款是否安全，已解释") == []
        _enter(qtbot, dlg)  # Enter again, the box not ticked: refused again
        _saved_or_refused(qtbot, dlg)
        assert dlg.isVisible() and dlg.warning.ack.isVisibleTo(dlg) and not dlg.warning.ack.isChecked()
        assert _rows(ctx, notes, cid, "客户问存款是否安全，已解释") == []
        dlg.warning.ack.setFocus()
        qtbot.keyClick(dlg.warning.ack, Qt.Key.Key_Space)  # ticked from the keyboard
        assert dlg.warning.ack.isChecked()
        with qtbot.waitSignal(ctx.changes.changed, timeout=5000):
            _enter(qtbot, dlg)
        qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
        assert dlg.result() == QDialog.DialogCode.Accepted
        assert _rows(ctx, notes, cid, "客户问存款是否安全，已解释") == [("visit", "有意向", nxt)]
        acks = _rows(ctx, "SELECT kind, detail FROM audit_log WHERE action = 'ack_wording'")
        assert len(acks) == 1 and acks[0][0] == "contact" and "安全" in acks[0][1] and "客户问" not in acks[0][1]
        assert _rows(ctx, "SELECT count(*) FROM followups f JOIN clients k ON k.uid = f.client_uid"
                          " WHERE k.id = ? AND f.due = ?", cid, nxt) == [(1,)]
    finally:
        w.close()
        ctx.shutdown()


def test_from_a_campaign_target_a_blocked_word_is_never_saved_and_esc_cancels(qtbot, demo_dir: Path) -> None:
    w, ctx = _open(qtbot, demo_dir)
    try:
        ws = _go(w, CampaignsWorkspace)
        qtbot.waitUntil(lambda: ws.code is not None and ws.targets.rowCount() > 0 and bool(ws.target_rows),
                        timeout=5000)
        ws.tabs.setCurrentIndex(1)
        ws.targets.setCurrentCell(0, 0)
        assert ws.contact_button.isEnabled()
        target, code = ws.target_rows[0], ws.code
        # Esc cancels and writes nothing
        qtbot.mouseClick(ws.contact_button, Qt.MouseButton.LeftButton)
        dlg: ContactDialog = ws.contact_dialog
        _shown(qtbot, dlg)
        assert dlg.campaign == code and target.name in dlg.heading.text()
        qtbot.keyClick(dlg.channel, Qt.Key.Key_Escape)
        assert not dlg.isVisible() and dlg.result() == QDialog.DialogCode.Rejected
        # again, with a blocked word in the note
        qtbot.mouseClick(ws.contact_button, Qt.MouseButton.LeftButton)
        dlg = ws.contact_dialog
        _shown(qtbot, dlg)
        _enter(qtbot, dlg)
        _type(dlg.outcome, "已介绍")
        _enter(qtbot, dlg)
        _type(dlg.note, "告诉客户这是保本的")
        _enter(qtbot, dlg)
        _enter(qtbot, dlg)
        qtbot.waitUntil(lambda: dlg.warning.isVisibleTo(dlg), timeout=5000)
        assert "【保本】" in dlg.warning.findings.text() and "禁用词" in dlg.warning.findings.text()
        assert not dlg.warning.ack.isVisibleTo(dlg)  # nothing to confirm: it cannot be saved
        assert dlg.note.selectedText() == "保本" and dlg.focusWidget() is dlg.note
        assert dlg.isVisible()
        mine = "SELECT note FROM contacts c JOIN clients k ON k.uid = c.client_uid WHERE k.id = ? AND c.campaign = ?"
        assert _rows(ctx, mine, target.client_id, code) == []
        # reworded (typing over the selected word): the warning goes, Ctrl+Enter saves
        _type(dlg.note, "有保")
        assert not dlg.warning.isVisibleTo(dlg)
        dlg.note.selectAll()
        _type(dlg.note, "已介绍手机银行激活礼")
        with qtbot.waitSignal(ctx.changes.changed, timeout=5000):
            _enter(qtbot, dlg, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
        assert _rows(ctx, mine, target.client_id, code) == [("已介绍手机银行激活礼",)]
        assert _rows(ctx, "SELECT count(*) FROM audit_log WHERE action = 'ack_wording'") == [(0,)]
        # the target list hears of it and reads the campaign again: the target is now reached
        qtbot.waitUntil(lambda: any(t.client_id == target.client_id and t.reached for t in ws.target_rows),
                        timeout=5000)
    finally:
        w.close()
        ctx.shutdown()


def test_the_follow_up_form_holds_its_note_to_the_same_rule(qtbot, demo_dir: Path) -> None:
    _seed(demo_dir, "M0001", [-1])
    w, ctx = _open(qtbot, demo_dir, "M0001")
    try:
        ws = _go(w, FollowupsWorkspace)
        qtbot.waitUntil(lambda: ws.model.rowCount() == 1, timeout=5000)
        qtbot.waitUntil(lambda: not ctx.reader.busy and not ctx.writer.busy, timeout=5000)
        ws.table.selectRow(0)
        _type(ws.outcome, "已办理")
        _type(ws.note, "客户说我们服务最好")
        qtbot.keyClick(ws.note, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: ws.wording.ack.isVisibleTo(ws), timeout=5000)
        assert "【最好】" in ws.wording.findings.text() and ws.model.rowCount() == 1
        qtbot.keyClick(ws.wording.ack, Qt.Key.Key_Space)
        assert ws.focusWidget() is ws.note or QApplication.focusWidget() is ws.note
        with qtbot.waitSignal(ctx.changes.changed, timeout=5000):
            qtbot.keyClick(ws.note, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: ws.model.rowCount() == 0, timeout=5000)
        assert _rows(ctx, "SELECT count(*) FROM contacts WHERE note = '客户说我们服务最好'") == [(1,)]
        assert _rows(ctx, "SELECT count(*) FROM audit_log WHERE action = 'ack_wording'") == [(1,)]
    finally:
        w.close()
        ctx.shutdown()


def test_a_whitelist_entry_logs_a_contact_and_its_outcome_note_needs_the_box(qtbot, demo_dir: Path) -> None:
    w, ctx = _open(qtbot, demo_dir)
    try:
        ws = _go(w, WhitelistWorkspace)
        qtbot.waitUntil(lambda: ws.model.total > 0, timeout=10_000)
        with qtbot.waitSignal(ws.model.countChanged, timeout=5000):
            ws.view.setCurrentIndex(ws.view.findData("never"))
        ws.model.row_at(0)
        qtbot.waitUntil(lambda: ws.model.is_loaded(0), timeout=5000)
        ws.select_row(0)
        uid = ws.model.row_at(0).uid
        entry = ws.entry
        qtbot.waitUntil(lambda: entry.detail is not None and entry.detail.entry.uid == uid, timeout=5000)
        assert entry.contact_button.isEnabled()
        # the contact form, tied to the entry
        qtbot.mouseClick(entry.contact_button, Qt.MouseButton.LeftButton)
        dlg: ContactDialog = ws.contact_dialog
        _shown(qtbot, dlg)
        assert dlg.whitelist == uid and dlg.client_id == entry.detail.entry.client_id
        _enter(qtbot, dlg)
        _type(dlg.outcome, "已联系")
        _enter(qtbot, dlg)
        _type(dlg.note, "讲了惠农e贷怎么申请")
        with qtbot.waitSignal(ctx.changes.changed, timeout=5000):
            _enter(qtbot, dlg, Qt.KeyboardModifier.ControlModifier)
        assert _rows(ctx, "SELECT note FROM contacts WHERE whitelist_uid = ?", uid) == [("讲了惠农e贷怎么申请",)]
        # the outcome form's note: a warned word is saved only once the box is ticked
        qtbot.waitUntil(lambda: entry.detail is not None and entry.save_button.isEnabled(), timeout=5000)
        entry.status.setCurrentIndex(entry.status.findData("interested"))
        entry.note.setFocus()
        _type(entry.note, "客户说这是唯一能贷到的")
        qtbot.keyClick(entry.note, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: entry.wording.ack.isVisibleTo(entry), timeout=5000)
        assert "【唯一】" in entry.wording.findings.text()
        # (the "never reached" view may start with an entry marked 无法联系 before: count from there)
        outcomes = "SELECT count(*) FROM whitelist_outcomes WHERE whitelist_uid = ?"
        (before,), = _rows(ctx, outcomes, uid)
        assert _rows(ctx, "SELECT count(*) FROM whitelist_outcomes WHERE whitelist_uid = ? AND status = 'interested'",
                     uid) == [(0,)]  # the warned note was not saved
        qtbot.keyClick(entry.wording.ack, Qt.Key.Key_Space)
        with qtbot.waitSignal(entry.saved, timeout=5000):
            qtbot.keyClick(entry.note, Qt.Key.Key_Return)
        assert _rows(ctx, outcomes, uid) == [(before + 1,)]
        assert _rows(ctx, "SELECT kind FROM audit_log WHERE action = 'ack_wording'") == [("whitelist_outcome",)]
        assert not entry.wording.isVisibleTo(entry)
    finally:
        w.close()
        ctx.shutdown()
