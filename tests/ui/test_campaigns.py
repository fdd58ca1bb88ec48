"""The campaigns workspace (营销) under offscreen Qt, on the demo county (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store.db import write
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.campaigns import CampaignsWorkspace
from app.ui.main_window import MainWindow


def _open(qtbot, demo_dir: Path, code: str | None):
    return _open_with(qtbot, demo_dir, 3, code)


def _open_with(qtbot, demo_dir: Path, campaigns: int, code: str | None = None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    ws = next(x for x in w.workspaces if isinstance(x, CampaignsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    qtbot.waitUntil(lambda: len(ws.rows) == campaigns and ws.script.toPlainText() != "", timeout=5000)
    return w, ws, ctx


@pytest.fixture
def head(qtbot, demo_dir: Path):
    w, ws, ctx = _open(qtbot, demo_dir, None)
    yield ws
    w.close()
    ctx.shutdown()


def test_campaigns_list_with_their_left_out_counts_and_the_checked_script(qtbot, head: CampaignsWorkspace) -> None:
    assert head.list.rowCount() == 3 and "手机银行激活季" in head.list.item(0, 0).text()
    assert int(head.list.item(0, 3).text()) > 0  # left out for want of consent
    text = head.script.toPlainText()
    assert "风险提示" in text and "理财非存款" in text and "未发现禁用词" in text


def test_a_blocked_word_is_marked_in_the_script(qtbot, demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    with write(db):
        db.conn.execute("UPDATE campaigns SET script = '本活动保本保息，安全可靠' WHERE code = '2026-mb-activation'")
    db.close()
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        html = ws.script.toHtml()
        assert "保本保息" in html and "#f4b6b6" in html and "#fff0a8" in html
        assert "不能对客户使用" in ws.script.toPlainText()
    finally:
        w.close()
        ctx.shutdown()


def test_targets_and_the_left_out_with_their_reason(qtbot, head: CampaignsWorkspace) -> None:
    qtbot.waitUntil(lambda: head.targets.rowCount() > 0, timeout=5000)
    listed = head.targets.rowCount()
    head.excluded_box.setChecked(True)
    qtbot.waitUntil(lambda: head.targets.horizontalHeaderItem(3).text() == "排除原因", timeout=5000)
    qtbot.waitUntil(lambda: head.targets.rowCount() == int(head.list.item(0, 3).text()), timeout=5000)
    reasons = {head.targets.item(i, 3).text() for i in range(head.targets.rowCount())}
    assert reasons <= {"客户拒绝营销", "未取得营销授权"} and listed == int(head.list.item(0, 2).text())


def test_distribution_previews_then_writes_within_one(qtbot, head: CampaignsWorkspace) -> None:
    head.list.setCurrentCell(0, 0)
    qtbot.waitUntil(lambda: head.code == "2026-mb-activation", timeout=5000)
    head.distribute()
    qtbot.waitUntil(lambda: getattr(head, "preview_dialog", None) is not None, timeout=5000)
    table = head.preview_dialog.findChild(type(head.list), "assignPlan")
    counts = [int(table.item(i, 1).text().replace(",", "")) for i in range(table.rowCount())]
    assert max(counts) - min(counts) <= 1
    with qtbot.waitSignal(head.ctx.changes.changed, timeout=10_000):
        head.preview_dialog.accept()
    qtbot.waitUntil(lambda: head.list.item(0, 4).text() == head.list.item(0, 2).text(), timeout=5000)


def test_a_manager_sees_no_distribution_controls(qtbot, demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, demo_dir, "M0001")
    try:
        assert not ws.auto_button.isVisibleTo(ws) and not ws.excluded_box.isVisibleTo(ws)
    finally:
        w.close()
        ctx.shutdown()


def test_the_week_by_week_figures_of_the_selected_campaign(qtbot, demo_dir: Path) -> None:
    from datetime import date, timedelta

    from app.services import auth
    from app.services.campaigns import CampaignService
    from app.services.followups import FollowupService

    code = "2026-social-card"
    db = Store.open(demo_dir).connect()
    try:
        head = CampaignService(db, auth.load_staff(db, "A0001")[0])
        assert head.apply_plan(head.plan(code)).ok
        targets = head.targets(code)
        fu = FollowupService(db, head.staff)
        monday = date.today() - timedelta(days=date.today().weekday())
        for i, t in enumerate(targets[:9]):  # over three weeks, two converted
            on = monday - timedelta(days=7 * (i % 3) + 1)
            assert fu.contact(t.client_id, channel="电话", outcome="已激活" if i < 2 else "有意向", on=on,
                              campaign=code).ok
        expected = head.weekly(code)
    finally:
        db.close()
    assert len(expected) >= 3
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        row = next(i for i, r in enumerate(ws.rows) if r.code == code)
        ws.list.setCurrentCell(row, 0)
        ws.tabs.setCurrentIndex(2)
        qtbot.waitUntil(lambda: ws.code == code and ws.weekly.rowCount() == len(expected), timeout=5000)
        shown = [[ws.weekly.item(i, j).text() for j in range(5)] for i in range(ws.weekly.rowCount())]
        assert shown == [[week, str(r), str(c), f"{r / n:.0%}", f"{c / n:.0%}"] for week, n, r, c in expected]
        assert expected[-1][2:] == (9, 2)
        qtbot.waitUntil(lambda: ws.figures.rowCount() > 0, timeout=5000)
        assert sum(int(ws.figures.item(i, 2).text()) for i in range(ws.figures.rowCount())) == 9
        assert f"{expected[0][1]:,}" in ws.weekly_note.text()
    finally:
        w.close()
        ctx.shutdown()


# --- a local campaign made from the workspace (the branch head's) ------------------------------------

def _village_counts(demo_dir: Path) -> tuple[int, int, int]:
    """The village with the most clients: (its id, its live clients, those with marketing consent)."""
    db = Store.open(demo_dir).connect()
    try:
        return db.conn.execute(
            "SELECT village_id, count(*), sum(consent = 1) FROM clients WHERE deleted = 0 AND village_id IS NOT NULL"
            " GROUP BY village_id ORDER BY count(*) DESC, village_id LIMIT 1").fetchone()
    finally:
        db.close()


def _new(qtbot, ws: CampaignsWorkspace):
    dlg = ws.new_campaign()
    assert dlg is not None
    qtbot.waitUntil(lambda: dlg.words is not None and dlg.count is not None, timeout=5000)
    return dlg


def test_the_head_creates_a_local_campaign_by_village(qtbot, demo_dir: Path) -> None:
    village, total, consented = _village_counts(demo_dir)
    assert 0 < consented < total
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        assert ws.new_button.isVisibleTo(ws) and ws.new_button.isEnabled()
        dlg = _new(qtbot, ws)
        dlg.name.setText("茶季存款回馈")
        dlg.script.setPlainText("存款送大米一袋，欢迎到网点咨询。")
        dlg.goal.setText("30")
        dlg.village.setCurrentIndex(dlg.village.findData(village))
        qtbot.waitUntil(lambda: dlg.count is not None and dlg.count.total == total, timeout=5000)
        assert dlg.count.consented == consented and dlg.count.left_out == total - consented
        assert f"{consented:,}" in dlg.count_label.text() and f"{total - consented:,}" in dlg.count_label.text()
        qtbot.waitUntil(dlg.save_button.isEnabled, timeout=2000)  # the script checked, nothing found
        assert not dlg.warning.isVisibleTo(dlg) and dlg.reason.text() == ""
        with qtbot.waitSignal(dlg.saved, timeout=10_000) as saved:
            dlg.save_button.click()
        made = saved.args[0]
        assert made.targets == consented and made.no_consent == total - consented
        qtbot.waitUntil(lambda: len(ws.rows) == 4 and ws.code == made.code, timeout=5000)
        row = next(i for i, r in enumerate(ws.rows) if r.code == made.code)
        r = ws.rows[row]
        assert r.local and r.name == "茶季存款回馈" and ws.list.currentRow() == row
        assert ws.list.item(row, 0).text() == f"{ws._name(r)}（{made.code}）" and ws._name(r) != r.name
        assert ws.list.item(row, 2).text() == str(consented) and ws.list.item(row, 3).text() == "0"
        assert "茶季存款回馈" in ws.status.text()
        qtbot.waitUntil(lambda: ws.targets.rowCount() == consented, timeout=5000)
        assert "存款送大米一袋" in ws.script.toPlainText()
    finally:
        w.close()
        ctx.shutdown()


def test_a_blocked_word_or_a_missing_risk_line_disables_save(qtbot, head: CampaignsWorkspace) -> None:
    dlg = _new(qtbot, head)
    dlg.name.setText("理财季")
    dlg.script.setPlainText("本产品保本保息，欢迎咨询。")
    qtbot.waitUntil(lambda: "保本保息" in dlg.warning.findings.text(), timeout=2000)  # debounced, then checked
    assert dlg.warning.isVisibleTo(dlg) and not dlg.warning.ack.isVisibleTo(dlg)
    assert not dlg.save_button.isEnabled() and dlg.reason.text()
    dlg.save()  # refused here: nothing goes to the writer
    assert not dlg._busy
    # a wealth product's script without the risk line: refused too, until the line is added
    dlg.product.setCurrentIndex(dlg.product.findData("wealth"))
    dlg.script.setPlainText("理财季，欢迎咨询。")
    qtbot.waitUntil(lambda: dlg.add_risk.isVisibleTo(dlg), timeout=2000)
    assert not dlg.save_button.isEnabled() and dlg.words.risk_line in dlg.risk.text()
    dlg.add_risk.click()
    assert dlg.words.risk_line in dlg.script.toPlainText() and not dlg.add_risk.isVisibleTo(dlg)
    qtbot.waitUntil(dlg.save_button.isEnabled, timeout=2000)
    dlg.reject()


def test_a_warned_word_needs_the_box_and_is_audited(qtbot, demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, demo_dir, None)
    try:
        dlg = _new(qtbot, ws)
        dlg.name.setText("存款回馈")
        dlg.script.setPlainText("存款送大米，安全放心。")
        qtbot.waitUntil(lambda: dlg.warning.ack.isVisibleTo(dlg), timeout=2000)
        assert "安全" in dlg.warning.findings.text() and not dlg.save_button.isEnabled()
        dlg.warning.ack.setChecked(True)
        assert dlg.save_button.isEnabled() and dlg.warning.acknowledged
        with qtbot.waitSignal(dlg.saved, timeout=10_000) as saved:
            dlg.save_button.click()
        code = saved.args[0].code
        qtbot.waitUntil(lambda: ws.code == code, timeout=5000)
    finally:
        w.close()
        ctx.shutdown()
    db = Store.open(demo_dir).connect()
    try:
        assert db.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'ack_wording'").fetchone()[0] == 1
        assert db.conn.execute("SELECT row_uid FROM audit_log WHERE action = 'ack_wording'").fetchone()[0] == code
    finally:
        db.close()


def test_targets_by_client_numbers_and_field_errors(qtbot, head: CampaignsWorkspace, demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect()
    try:
        ids = [r[0] for r in db.conn.execute("SELECT id FROM clients WHERE deleted = 0 ORDER BY id LIMIT 6")]
        yes = db.conn.execute(f"SELECT count(*) FROM clients WHERE consent = 1 AND id IN ({','.join(map(str, ids))})"
                              ).fetchone()[0]
    finally:
        db.close()
    dlg = _new(qtbot, head)
    dlg.name.setText("逐户回访")
    dlg.script.setPlainText("欢迎到网点咨询。")
    dlg.clients.setText("，".join(map(str, ids)) + ", 99999999")
    assert dlg.by_clients.isChecked()
    qtbot.waitUntil(lambda: dlg.count is not None and dlg.count.unknown == ("99999999",), timeout=5000)
    assert "99999999" in dlg.errors["clients"].text() and not dlg.save_button.isEnabled()
    dlg.clients.setText(", ".join(map(str, ids)))
    qtbot.waitUntil(lambda: dlg.count is not None and dlg.count.ok and dlg.count.total == 6, timeout=5000)
    assert dlg.count.consented == yes
    # the service's field errors come back beside their fields, in Chinese
    dlg.ends.setText("2020-01-01")
    dlg.goal.setText("很多")
    qtbot.waitUntil(dlg.save_button.isEnabled, timeout=2000)
    dlg.save_button.click()
    qtbot.waitUntil(lambda: dlg.errors["goal"].isVisibleTo(dlg), timeout=5000)
    assert "整数" in dlg.errors["goal"].text() and "结束日期" in dlg.errors["ends"].text()
    assert dlg.isVisible() and dlg.save_button.isEnabled()
    dlg.reject()


def test_a_manager_does_not_see_the_new_campaign_button(qtbot, demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, demo_dir, "M0001")
    try:
        assert not ws.new_button.isVisibleTo(ws) and not ws.new_button.isEnabled()
        assert ws.new_campaign() is None
    finally:
        w.close()
        ctx.shutdown()


# --- a local campaign changed after it was made ----------------------------------------------------------

def _local(demo_dir: Path, village: int, n: int) -> tuple[str, list[int]]:
    """A local campaign made by the head with ``n`` consented clients of ``village`` as targets:
    (its code, those clients)."""
    from app.services import auth
    from app.services.campaigns import CampaignService

    db = Store.open(demo_dir).connect()
    try:
        ids = [r[0] for r in db.conn.execute(
            "SELECT id FROM clients WHERE deleted = 0 AND consent = 1 AND village_id = ? ORDER BY id LIMIT ?",
            (village, n))]
        svc = CampaignService(db, auth.load_staff(db, "A0001")[0])
        made = svc.create_local({"name": "茶季存款回馈", "script": "存款送大米一袋。", "starts": "2026-12-01",
                                 "ends": "2026-12-31", "goal": "20", "benefits": "大米一袋"}, ids)
        assert made.ok, made.message
        return made.value.code, ids
    finally:
        db.close()


def _select(qtbot, ws: CampaignsWorkspace, code: str) -> None:
    row = next(i for i, r in enumerate(ws.rows) if r.code == code)
    ws.list.setCurrentCell(row, 0)
    qtbot.waitUntil(lambda: ws.code == code, timeout=5000)


def _edit(qtbot, ws: CampaignsWorkspace):
    assert ws.edit_button.isVisibleTo(ws) and ws.edit_button.isEnabled()
    ws.edit_button.click()
    dlg = ws.edit_dialog
    qtbot.waitUntil(lambda: dlg.words is not None and dlg.original is not None, timeout=5000)
    return dlg


def test_the_head_edits_a_local_campaign_and_adds_a_village(qtbot, demo_dir: Path) -> None:
    village, total, consented = _village_counts(demo_dir)
    code, _first = _local(demo_dir, village, 3)
    w, ws, ctx = _open_with(qtbot, demo_dir, 4)
    try:
        _select(qtbot, ws, code)
        dlg = _edit(qtbot, ws)
        # prefilled; the product shown but fixed; nothing to save yet
        assert dlg.name.text() == "茶季存款回馈" and dlg.script.toPlainText() == "存款送大米一袋。"
        assert (dlg.starts.text(), dlg.ends.text(), dlg.goal.text(), dlg.benefits.text()) == (
            "2026-12-01", "2026-12-31", "20", "大米一袋")
        assert not dlg.product.isEnabled() and dlg.by_none.isChecked()
        assert not dlg.save_button.isEnabled() and dlg.reason.text()
        dlg.script.setPlainText("茶季到网点存款，送大米一袋，欢迎咨询。")
        dlg.village.setCurrentIndex(dlg.village.findData(village))
        dlg.by_village.setChecked(True)
        qtbot.waitUntil(lambda: dlg.count is not None and dlg.count.total == total, timeout=5000)
        assert (dlg.count.already, dlg.count.new, dlg.count.left_out) == (3, consented - 3, total - consented)
        text = dlg.count_label.text()
        assert f"{consented - 3:,}" in text and f"{total - consented:,}" in text and "3" in text
        qtbot.waitUntil(dlg.save_button.isEnabled, timeout=2000)
        with qtbot.waitSignal(dlg.saved, timeout=10_000) as saved:
            dlg.save_button.click()
        done = saved.args[0]
        assert (done.targets, done.already, done.no_consent) == (consented - 3, 3, total - consented)
        qtbot.waitUntil(lambda: ws.list.item(ws.list.currentRow(), 2).text() == str(consented), timeout=5000)
        assert ws.code == code and ws.rows[ws.list.currentRow()].code == code  # still selected
        qtbot.waitUntil(lambda: "茶季到网点存款" in ws.script.toPlainText(), timeout=5000)
        assert "茶季存款回馈" in ws.status.text()
    finally:
        w.close()
        ctx.shutdown()
    db = Store.open(demo_dir).connect()
    try:
        assert db.conn.execute("SELECT script, goal FROM campaigns WHERE code = ?", (code,)).fetchone() == (
            "茶季到网点存款，送大米一袋，欢迎咨询。", 20)
        assert db.conn.execute("SELECT count(*), count(DISTINCT client_uid) FROM campaign_targets"
                               " WHERE campaign = ? AND deleted = 0", (code,)).fetchone() == (consented, consented)
    finally:
        db.close()


def test_a_blocked_word_in_the_edit_disables_save(qtbot, demo_dir: Path) -> None:
    village, _total, _consented = _village_counts(demo_dir)
    code, _ids = _local(demo_dir, village, 2)
    w, ws, ctx = _open_with(qtbot, demo_dir, 4)
    try:
        _select(qtbot, ws, code)
        dlg = _edit(qtbot, ws)
        dlg.goal.setText("25")
        qtbot.waitUntil(dlg.save_button.isEnabled, timeout=2000)  # a field changed: something to save
        dlg.script.setPlainText("本活动保本保息，存款送大米。")
        qtbot.waitUntil(lambda: "保本保息" in dlg.warning.findings.text(), timeout=2000)
        assert not dlg.save_button.isEnabled() and dlg.reason.text()
        dlg.save()  # refused here: nothing goes to the writer
        assert not dlg._busy
        dlg.reject()
    finally:
        w.close()
        ctx.shutdown()


def test_head_offices_campaign_shows_no_edit_button(qtbot, head: CampaignsWorkspace) -> None:
    _select(qtbot, head, "2026-mb-activation")
    assert not head.rows[head.list.currentRow()].local
    assert not head.edit_button.isVisibleTo(head) and not head.edit_button.isEnabled()
    assert head.edit_campaign() is None


def test_a_refused_addition_rolls_the_edit_back(qtbot, demo_dir: Path, monkeypatch) -> None:
    from app.core.errors import FieldError
    from app.core.result import Result
    from app.services.campaigns import CampaignService

    village, _total, _consented = _village_counts(demo_dir)
    code, _ids = _local(demo_dir, village, 2)
    monkeypatch.setattr(CampaignService, "add_targets", lambda *_a, **_k: Result.failed(
        FieldError("clients", "目标客户", "unknown", "客户 42 不存在或已删除。")))
    w, ws, ctx = _open_with(qtbot, demo_dir, 4)
    try:
        _select(qtbot, ws, code)
        dlg = _edit(qtbot, ws)
        dlg.name.setText("改过的主题")
        dlg.by_village.setChecked(True)
        qtbot.waitUntil(lambda: dlg.count is not None and dlg.save_button.isEnabled(), timeout=5000)
        dlg.save_button.click()
        qtbot.waitUntil(lambda: dlg.errors["clients"].isVisibleTo(dlg), timeout=5000)
        assert "不存在或已删除" in dlg.errors["clients"].text() and dlg.isVisible()
        dlg.reject()
    finally:
        w.close()
        ctx.shutdown()
    db = Store.open(demo_dir).connect()
    try:  # the edit of the name was rolled back with the refused addition
        assert db.conn.execute("SELECT name FROM campaigns WHERE code = ?", (code,)).fetchone()[0] == "茶季存款回馈"
    finally:
        db.close()
