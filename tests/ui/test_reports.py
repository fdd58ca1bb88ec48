"""The reports workspace (报表) under offscreen Qt, on the demo county (issue 19): the chart and the
table agree with the report service, the filters, a manager held to their own figures, the
exports read back, and a logged contact rerunning the report through the change signal."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QLineSeries
from PySide6.QtCore import QDate

from app.core.roles import Staff
from app.services.followups import FollowupService
from app.services.reports import REPORTS, ReportService
from app.store.store import Store
from app.ui import i18n
from app.ui.app import build_context, create_application
from app.ui.main_window import MainWindow
from app.ui.reports import PERIODS, ReportsWorkspace


def _open(qtbot, worked_demo_dir: Path, code: str | None = None):
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(worked_demo_dir), code)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    ws = next(x for x in w.workspaces if isinstance(x, ReportsWorkspace))
    w.nav.setCurrentRow(w.workspaces.index(ws))
    _shown(qtbot, ws, "marketing")
    qtbot.waitUntil(lambda: ws.manager.count() > 1 or not ws.manager.isEnabled(), timeout=5000)
    return w, ws, ctx


def _shown(qtbot, ws: ReportsWorkspace, name: str) -> None:
    qtbot.waitUntil(lambda: ws.report is not None and ws.report.name == name and not ws._busy
                    and not ws._timer.isActive(), timeout=10_000)


def _pick(qtbot, ws: ReportsWorkspace, name: str) -> None:
    before = ws._run_id
    ws.list.setCurrentRow(list(REPORTS).index(name))
    qtbot.waitUntil(lambda: ws._run_id > before, timeout=5000)
    _shown(qtbot, ws, name)


def _table(ws: ReportsWorkspace) -> list[list[str]]:
    t = ws.table
    return [[t.item(i, j).text() for j in range(t.columnCount())] for i in range(t.rowCount())]


def _service(worked_demo_dir: Path, staff: Staff) -> tuple[ReportService, object]:
    db = Store.open(worked_demo_dir).connect(readonly=True)
    return ReportService(db, staff), db


def test_the_workspace_in_chinese_with_the_chart_and_table_the_service_gives(qtbot, worked_demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, worked_demo_dir)
    try:
        assert w.nav.item(w.workspaces.index(ws)).text() == "报表"
        assert [ws.list.item(i).text() for i in range(ws.list.count())] == list(REPORTS.values())
        assert ws.period.currentText() == "今年以来" and ws.manager.currentText() == "全部客户经理"
        assert ws.heading.text() == "营销成效（按客户经理）" and "期间：" in ws.scope.text()
        svc, db = _service(worked_demo_dir, ctx.staff)
        expected = svc.run("marketing", ws.current_filter(), by="manager")
        db.close()
        assert _table(ws) == expected.text_rows() and ws.table.rowCount() >= 6
        assert [ws.table.horizontalHeaderItem(j).text() for j in range(ws.table.columnCount())] == list(
            expected.columns)
        (series,) = ws.chart.series()
        assert isinstance(series, QBarSeries) and [s.label() for s in series.barSets()] == ["触达率", "转化率"]
        reached = series.barSets()[0]
        assert [round(reached.at(i), 6) for i in range(reached.count())] == [round(r[4] * 100, 6)
                                                                             for r in expected.rows]
        assert "合计：目标客户" in ws.notes.text()
        assert ws.export_xlsx.isEnabled() and ws.export_pdf.isEnabled()
        # a second grouping: per campaign
        ws.by.setCurrentIndex(ws.by.findData("campaign"))
        qtbot.waitUntil(lambda: ws.heading.text() == "营销成效（按营销活动）", timeout=10_000)
        assert ws.table.horizontalHeaderItem(0).text() == "营销活动"
    finally:
        w.close()
        ctx.shutdown()


def test_many_villages_are_drawn_across_and_a_village_filter_narrows_them(qtbot, worked_demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, worked_demo_dir)
    try:
        _pick(qtbot, ws, "mobile_banking")
        assert ws.table.rowCount() > 40
        (series,) = ws.chart.series()
        assert isinstance(series, QHorizontalBarSeries)  # village names readable, not cut to "…"
        assert series.barSets()[0].count() == 40 and "前 40 项" in ws.chart.title()
        village = ws.table.item(0, 0).text()
        ws.village.setEditText(village)
        ws.village.lineEdit().editingFinished.emit()
        qtbot.waitUntil(lambda: ws.table.rowCount() == 1 and not ws._busy, timeout=10_000)
        assert ws.table.item(0, 0).text() == village and f"村：{village}" in ws.scope.text()
        (series,) = ws.chart.series()
        assert isinstance(series, QBarSeries)
        ws.village.setEditText("没有这个村")
        ws.village.lineEdit().editingFinished.emit()
        qtbot.waitUntil(lambda: "不存在" in ws.message.text(), timeout=10_000)
        assert "村“没有这个村”不存在" in ws.message.text()
    finally:
        w.close()
        ctx.shutdown()


def test_periods_weeks_and_a_wrong_pair_of_dates(qtbot, worked_demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, worked_demo_dir)
    try:
        _pick(qtbot, ws, "reach")
        before = ws._run_id
        ws.period.setCurrentIndex(PERIODS.index("weeks12"))
        qtbot.waitUntil(lambda: ws._run_id > before, timeout=5000)
        _shown(qtbot, ws, "reach")
        assert ws.table.rowCount() == 12 and ws.table.horizontalHeaderItem(0).text() == "周次"
        assert isinstance(ws.chart.series()[0], QLineSeries) and ws.chart.series()[0].count() == 12
        ws.period.setCurrentIndex(PERIODS.index("custom"))
        assert ws.start.isEnabled() and ws.end.isEnabled()
        ws.end.setDate(QDate(2026, 3, 1))
        ws.start.setDate(QDate(2026, 3, 2))
        qtbot.waitUntil(lambda: "不能晚于结束日期" in ws.message.text(), timeout=10_000)
        assert not ws.export_xlsx.isEnabled() or ws.report is not None  # the last good report stays exportable
    finally:
        w.close()
        ctx.shutdown()


def test_a_manager_sees_only_their_own_figures(qtbot, worked_demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, worked_demo_dir, "M0001")
    try:
        assert not ws.manager.isEnabled() and "M0001" in ws.manager.currentText()
        assert [r[0] for r in _table(ws)] == [ws.report.rows[0][0]] and "M0001" in ws.table.item(0, 0).text()
        svc, db = _service(worked_demo_dir, ctx.staff)
        mine = svc.run("mobile_banking", ws.current_filter())
        db.close()
        _pick(qtbot, ws, "mobile_banking")
        assert _table(ws) == mine.text_rows()
    finally:
        w.close()
        ctx.shutdown()


def test_exports_are_written_off_the_ui_thread_and_read_back(qtbot, worked_demo_dir: Path, tmp_path: Path) -> None:
    w, ws, ctx = _open(qtbot, worked_demo_dir)
    try:
        _pick(qtbot, ws, "segments")
        ws.export(".xlsx", tmp_path / "客群提升")
        qtbot.waitUntil(lambda: ws.last_export is not None, timeout=10_000)
        assert ws.last_export == tmp_path / "客群提升.xlsx" and "已导出到" in ws.message.text()
        sheet = load_workbook(ws.last_export).active
        assert sheet["A1"].value == "客群提升" and len(sheet._charts) == 1
        assert [sheet.cell(5, j + 1).value for j in range(ws.table.columnCount())] == list(ws.report.columns)
        ws.last_export = None
        ws.export(".pdf", tmp_path / "客群提升.pdf")
        qtbot.waitUntil(lambda: ws.last_export is not None, timeout=20_000)
        text = "".join("".join(p.extract_text() for p in PdfReader(ws.last_export).pages).split())
        assert "客群提升" in text and "期末户数" in text
        ws.export(".pdf", tmp_path / "no-such-folder" / "x.pdf")
        qtbot.waitUntil(lambda: "无法写入" in ws.message.text(), timeout=10_000)
        assert ws.export_pdf.isEnabled()
    finally:
        w.close()
        ctx.shutdown()


def test_a_contact_logged_elsewhere_reruns_the_report(qtbot, worked_demo_dir: Path) -> None:
    w, ws, ctx = _open(qtbot, worked_demo_dir)
    try:
        reached = ws.report.meta["reached"]
        db = Store.open(worked_demo_dir).connect(readonly=True)
        target = db.conn.execute(
            """SELECT c.id, t.campaign FROM campaign_targets t JOIN clients c ON c.uid = t.client_uid
                WHERE t.deleted = 0 AND c.consent = 1 AND c.deleted = 0 AND t.manager IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.client_uid = t.client_uid
                                  AND k.campaign = t.campaign)
                LIMIT 1""").fetchone()
        db.close()

        def log(tc):
            return FollowupService(tc.db, ctx.staff).contact(target[0], channel="电话", outcome="已开通",
                                                             campaign=target[1])

        results = []
        ctx.writer.submit(log, success=results.append)
        qtbot.waitUntil(lambda: bool(results), timeout=5000)
        assert results[0].ok, results[0].errors
        ctx.changes.publish(results[0].changes)
        qtbot.waitUntil(lambda: ws.report.meta["reached"] == reached + 1, timeout=10_000)
    finally:
        w.close()
        ctx.shutdown()


def test_nothing_is_counted_for_a_page_nobody_has_opened(qtbot, worked_demo_dir: Path) -> None:
    app = create_application([])
    i18n.install(app, "zh_CN")
    ctx = build_context(Store.open(worked_demo_dir), None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.show()
    try:
        ws = next(x for x in w.workspaces if isinstance(x, ReportsWorkspace))
        qtbot.wait(400)
        assert ws._run_id == 0 and ws.report is None  # the client book opens first; no report ran
        w.nav.setCurrentRow(w.workspaces.index(ws))
        _shown(qtbot, ws, "marketing")
        assert ws._run_id == 1
    finally:
        w.close()
        ctx.shutdown()


def test_in_english_the_titles_headings_and_segments_are_english(qtbot, worked_demo_dir: Path) -> None:
    """Titles, column headings, the value axis and declared labels in cells (segments) follow the UI
    language; the notes stay Chinese sentences, like the services' messages."""
    app = create_application([])
    assert i18n.install(app, "en")
    ctx = build_context(Store.open(worked_demo_dir), None)
    w = MainWindow(ctx, auto_sync=False)
    qtbot.addWidget(w)
    w.resize(1440, 900)
    w.show()
    try:
        ws = next(x for x in w.workspaces if isinstance(x, ReportsWorkspace))
        w.nav.setCurrentRow(w.workspaces.index(ws))
        _shown(qtbot, ws, "marketing")
        assert ws.heading.text() == "Marketing results (by manager)"

        def headings() -> list[str]:
            return [ws.table.horizontalHeaderItem(j).text() for j in range(ws.table.columnCount())]

        assert headings()[1:] == ["Targets", "Reached", "Converted", "Reach rate", "Conversion rate"]
        for name in REPORTS:
            if name != "marketing":
                _pick(qtbot, ws, name)
            texts = [ws.heading.text(), *headings(), *(a.titleText() for a in ws.chart.axes())]
            assert not any(map(_has_cjk, texts)), (name, texts)
            if name == "segments":
                assert "Farmer" in [row[0] for row in _table(ws)]
            if name == "scenarios":  # a heading with the month in it
                assert any(h.startswith("Accounts opened (20") for h in headings()), headings()
    finally:
        w.close()
        ctx.shutdown()
        i18n.install(app, "zh_CN")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
