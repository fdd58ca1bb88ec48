"""The scenarios workspace (场景) under offscreen Qt, on the demo county (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core import scenarios as sc
from app.services import auth
from app.services.scenarios import ScenarioService
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.scenarios import ScenariosWorkspace
from app.ui.widgets import ERROR_STYLE


@contextmanager
def _service(demo_dir: Path) -> Iterator[ScenarioService]:
    db = Store.open(demo_dir).connect()
    try:
        yield ScenarioService(db, auth.load_staff(db, "A0001")[0])
    finally:
        db.close()


@pytest.fixture
def head(qtbot, demo_dir: Path):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(demo_dir), None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    ws = next(x for x in w.workspaces if isinstance(x, ScenariosWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    qtbot.waitUntil(lambda: ws.dashboard.dashboard is not None and bool(ws.list_page.rows)
                    and bool(ws.compare.rows), timeout=10_000)
    qtbot.waitUntil(lambda: not ctx.reader.busy and not ctx.writer.busy, timeout=5000)
    yield ws
    w.close()
    ctx.shutdown()


def _select(qtbot, ws: ScenariosWorkspace, pick) -> str:
    """Open the list tab on the first scenario ``pick(row)`` accepts; wait for its detail."""
    ws.tabs.setCurrentIndex(1)
    page = ws.list_page
    i = next(i for i, r in enumerate(page.rows) if pick(r))
    uid = page.rows[i].uid
    page.table.setCurrentCell(i, 0)
    qtbot.waitUntil(lambda: page.detail.row is not None and page.detail.row.uid == uid, timeout=5000)
    qtbot.waitUntil(lambda: not ws.ctx.reader.busy, timeout=5000)
    return uid


def test_the_dashboard_shows_the_month_and_its_charts(qtbot, head: ScenariosWorkspace) -> None:
    d = head.dashboard.dashboard
    assert d is not None and d.scenarios >= 30
    assert d.period in head.dashboard.heading.text()
    accounts = head.dashboard.tiles["accounts"]
    assert accounts.value.text() not in ("", "—") and "%" in accounts.mom.text() + accounts.yoy.text()
    assert head.dashboard.tiles["subsidy_fen"].value.text().endswith("万元")
    lines = head.dashboard.trend.series()
    assert [s.name() for s in lines] == ["开户数", "手机银行月活"]
    assert all(s.count() >= 24 for s in lines)
    assert lines[0].at(lines[0].count() - 1).y() == d.series["accounts"][-1][1]
    bars = head.dashboard.steps.series()[0].barSets()[0]
    assert [bars.at(i) for i in range(bars.count())] == [d.by_status.get(c, 0) for c in (*sc.PIPELINE, sc.STOPPED)]
    assert sum(bars.at(i) for i in range(bars.count())) == d.scenarios
    assert head.dashboard.top.rowCount() == len(d.top) > 0
    assert head.dashboard.top.item(0, 0).text() == d.top[0][0]


def test_a_months_figures_are_saved_from_the_form(qtbot, head: ScenariosWorkspace, demo_dir: Path) -> None:
    uid = _select(qtbot, head, lambda r: True)
    detail = head.list_page.detail
    month = f"{date.today():%Y-%m}"  # the demo's figures stop at last month
    detail.period.setText(month)
    detail.inputs["accounts"].setText("17")
    detail.inputs["subsidy_fen"].setText("1,234.50")
    with qtbot.waitSignal(head.ctx.changes.changed, timeout=5000):
        qtbot.keyClick(detail.inputs["subsidy_fen"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "2" in detail.message.text(), timeout=5000)
    with _service(demo_dir) as svc:
        held = svc.metrics_of(uid)[month]
    assert held["accounts"][0] == 17 and held["subsidy_fen"][0] == 123_450
    assert set(held) == {"accounts", "subsidy_fen"}  # empty fields are left alone
    qtbot.waitUntil(lambda: detail.months.rowCount() > 0 and detail.months.item(0, 0).text() == month,
                    timeout=5000)


def test_a_negative_figure_is_refused_at_its_field(qtbot, head: ScenariosWorkspace, demo_dir: Path) -> None:
    uid = _select(qtbot, head, lambda r: True)
    detail = head.list_page.detail
    month = f"{date.today():%Y-%m}"
    detail.period.setText(month)
    detail.inputs["merchants"].setText("3")
    detail.inputs["accounts"].setText("-5")
    detail.save_figures()
    error = detail.field_errors["accounts"]
    qtbot.waitUntil(lambda: error.isVisibleTo(head) and error.text() != "", timeout=5000)
    assert "不能为负数" in error.text() and not detail.field_errors["merchants"].isVisibleTo(head)
    with _service(demo_dir) as svc:
        assert month not in svc.metrics_of(uid)  # nothing written, not even the good figure


def test_moving_back_needs_a_reason(qtbot, head: ScenariosWorkspace, demo_dir: Path) -> None:
    uid = _select(qtbot, head, lambda r: r.status in sc.PIPELINE[1:])
    detail = head.list_page.detail
    was = detail.row.status
    back = detail.back_step()
    dlg = detail.move_back()
    assert dlg is not None
    dlg.setTextValue("")
    dlg.accept()
    qtbot.waitUntil(lambda: "原因" in detail.message.text(), timeout=5000)
    assert detail.message.styleSheet() == ERROR_STYLE
    with _service(demo_dir) as svc:
        assert svc.get(uid).status == was
    dlg = detail.move_back()
    dlg.setTextValue("合作社换届，重新洽谈")
    with qtbot.waitSignal(head.ctx.changes.changed, timeout=5000):
        dlg.accept()
    with _service(demo_dir) as svc:
        row = svc.get(uid)
    assert row.status == back and "重新洽谈" in row.note
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.status == back, timeout=5000)


def test_the_compare_table_matches_the_service(qtbot, head: ScenariosWorkspace, demo_dir: Path,
                                               tmp_path: Path) -> None:
    page = head.compare
    head.tabs.setCurrentIndex(2)
    page.by.setCurrentIndex(page.by.findData("village"))
    page.metric_box.setCurrentIndex(page.metric_box.findData("mb_active"))
    qtbot.waitUntil(lambda: page.rows and page.choice()[:2] == ("village", "mb_active")
                    and not head.ctx.reader.busy, timeout=5000)
    with _service(demo_dir) as svc:
        expected = svc.compare(metric="mb_active", by="village")
    name, c = expected[0]
    cells = [page.table.item(0, j).text() for j in range(6)]
    assert cells == [name, f"{c.value:,}", f"{c.previous:,}" if c.previous is not None else "—",
                     sc.format_rate(c.mom), f"{c.last_year:,}" if c.last_year is not None else "—",
                     sc.format_rate(c.yoy)]
    assert page.table.rowCount() == len(expected)
    target = tmp_path / "比较.xlsx"
    page.export(target)
    qtbot.waitUntil(lambda: str(target) in page.message.text(), timeout=10_000)
    assert target.exists()


def test_a_new_scenario_is_added_and_wins_clients(qtbot, head: ScenariosWorkspace, demo_dir: Path) -> None:
    head.tabs.setCurrentIndex(1)
    page = head.list_page
    dlg = page.new_scenario()
    dlg.type.setCurrentIndex(dlg.type.findData("school_fees"))
    dlg.save()  # no name
    qtbot.waitUntil(lambda: "名称" in dlg.error.text(), timeout=5000)
    assert dlg.isVisible()
    dlg.name.setText("测试中心小学教育缴费")
    dlg.partner.setText("测试中心小学")
    with qtbot.waitSignal(dlg.saved, timeout=5000):
        dlg.save()
    qtbot.waitUntil(lambda: page.detail.row is not None and page.detail.row.name == "测试中心小学教育缴费",
                    timeout=5000)
    detail = page.detail
    assert detail.row.status == "survey" and "fees_fen" in detail.inputs
    with _service(demo_dir) as svc:
        ids = [r[0] for r in svc.db.conn.execute("SELECT id FROM clients WHERE deleted = 0 ORDER BY id LIMIT 2")]
    detail.link_clients("12x")
    assert "12x" in detail.message.text() and detail.message.styleSheet() == ERROR_STYLE
    with qtbot.waitSignal(head.ctx.changes.changed, timeout=5000):
        detail.link_clients(f"{ids[0]}，{ids[1]}")
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.clients == 2, timeout=5000)


def test_files_are_attached_opened_from_this_pc_and_removed(qtbot, head: ScenariosWorkspace, demo_dir: Path,
                                                            tmp_path: Path) -> None:
    uid = _select(qtbot, head, lambda r: r.status == "operating")
    detail = head.list_page.detail
    scan = tmp_path / "合作协议.pdf"
    scan.write_bytes(b"%PDF-1.4 test agreement")
    detail.attach([str(scan)])
    qtbot.waitUntil(lambda: detail.files.count() == 1, timeout=5000)
    assert "合作协议.pdf" in detail.files.item(0).text() and detail.open_file_button.isEnabled()
    with _service(demo_dir) as svc:
        [(_sha, name, _size, _added, path)] = svc.attachments(uid)
        assert name == "合作协议.pdf" and path is not None and path.read_bytes() == scan.read_bytes()
    detail.files.setCurrentRow(0)
    detail.remove_file()
    qtbot.waitUntil(lambda: detail.files.count() == 0, timeout=5000)
    assert not path.exists()
    detail.attach([str(tmp_path / "没有这个文件.pdf")])
    qtbot.waitUntil(lambda: "不存在" in detail.message.text(), timeout=5000)


def test_a_client_is_linked_to_a_scenario_from_the_client_book(qtbot, head: ScenariosWorkspace,
                                                               demo_dir: Path) -> None:
    from app.ui.clients.workspace import ClientsWorkspace

    w = head.window()
    book = next(x for x in w.workspaces if isinstance(x, ClientsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(book))
    qtbot.waitUntil(lambda: book.model.total > 0, timeout=10_000)
    book.model.row_at(0)
    qtbot.waitUntil(lambda: book.model.is_loaded(0), timeout=5000)
    book.select_row(0)
    qtbot.waitUntil(lambda: book.detail.scenario_button.isEnabled(), timeout=5000)
    cid = book.detail.client_id
    book.detail.scenario_button.click()
    qtbot.waitUntil(lambda: getattr(book, "scenario_dialog", None) is not None and book.scenario_dialog.isVisible(),
                    timeout=5000)
    dlg = book.scenario_dialog
    chosen = dlg.comboBoxItems()[0]  # the client's own village's scenarios come first
    dlg.setTextValue(chosen)
    dlg.accept()
    qtbot.waitUntil(lambda: "“" in book.status.text(), timeout=5000)
    with _service(demo_dir) as svc:
        uid = next(r.uid for r in svc.list() if chosen.startswith(r.name + "（"))
        linked = svc.db.conn.execute(
            "SELECT count(*) FROM scenario_clients k JOIN clients c ON c.uid = k.client_uid"
            " WHERE k.scenario = ? AND c.id = ? AND k.deleted = 0", (uid, cid)).fetchone()[0]
    assert linked == 1


def test_the_scenario_report_prints_from_the_compare_tab(qtbot, head: ScenariosWorkspace) -> None:
    from app.ui.printing import SheetPrintDialog

    head.tabs.setCurrentIndex(2)
    head.compare.print_button.click()
    dlg = next(w for w in head.compare.findChildren(SheetPrintDialog))
    qtbot.waitUntil(lambda: dlg.print_button.isEnabled(), timeout=20_000)
    assert dlg.number.startswith("S") and dlg.document.pageCount() == dlg.pages >= 1
    dlg.close()
