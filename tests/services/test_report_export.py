"""Process reports as files (issue 19): the workbook read back with openpyxl (numbers as numbers,
rates formatted as %, a native chart over the table), the PDF read back with pypdf (title, filter
and figures as text, the table's header on every page) and rendered with pdftoppm; one PNG per
report is kept in /tmp/report_pngs/ for a person to look at."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart
from pypdf import PdfReader

from app.services import auth
from app.services.campaigns import CampaignService
from app.services.followups import FollowupService
from app.services.report_export import to_pdf, to_xlsx
from app.services.reports import PCT, REPORTS, Report, ReportFilter, ReportService, cell_text
from app.store.store import Store

PNG_DIR = Path("/tmp/report_pngs")
CODE = "2026-mb-activation"


@pytest.fixture(scope="module")
def reports(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    """The six reports of the demo county after some campaign work, plus the long ones."""
    folder = tmp_path_factory.mktemp("reports-demo")
    shutil.copytree(demo_template, folder, dirs_exist_ok=True)
    db = Store.open(folder).connect()
    try:
        head = auth.load_staff(db, "A0001")[0]
        camp = CampaignService(db, head)
        assert camp.apply_plan(camp.plan(CODE)).ok
        fu = FollowupService(db, head)
        today = date.today()
        for i, t in enumerate(camp.targets(CODE)[:60]):
            day = max(date(today.year, 11, 1), date.fromordinal(today.toordinal() - i % 30))
            assert fu.contact(t.client_id, channel="电话", outcome="已开通" if i % 3 == 0 else "有意向", on=day,
                              campaign=CODE).ok
        svc = ReportService(db, head)
        f = ReportFilter(date(today.year, 1, 1), today)
        out = {name: svc.run(name, f) for name in REPORTS}
        out["reach_weekly"] = svc.reach(ReportFilter(date(today.year, 10, 1), today))
        out["marketing_campaigns"] = svc.marketing(f, by="campaign")
        out["mobile_banking_townships"] = svc.mobile_banking(by="township")
    finally:
        db.close()
    assert all(isinstance(r, Report) for r in out.values()), out
    return out


def test_xlsx_has_the_numbers_and_a_native_chart(reports: dict[str, Report], tmp_path: Path) -> None:
    for key, r in reports.items():
        path = to_xlsx(r, tmp_path / f"{key}.xlsx")
        wb = load_workbook(path)
        ws = wb.active
        assert ws["A1"].value == r.title and ws["A2"].value == r.scope
        assert [ws.cell(5, j + 1).value for j in range(len(r.columns))] == list(r.columns)
        for i, row in enumerate(r.rows, start=6):
            for j, (value, fmt) in enumerate(zip(row, r.formats, strict=True), start=1):
                cell = ws.cell(i, j)
                if isinstance(value, date):
                    assert isinstance(cell.value, datetime) and cell.value.date() == value
                    assert cell.number_format == "yyyy-mm-dd"
                elif isinstance(value, float):
                    assert cell.value == pytest.approx(value, rel=1e-12), (key, i, j)
                else:
                    assert cell.value == value, (key, i, j)
                if fmt == PCT:
                    assert cell.number_format == "0.0%" and isinstance(cell.value, (int, float))
                if fmt in ("int", "wan") and value is not None:
                    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, str)
        notes = [ws.cell(6 + len(r.rows) + 2 + k, 1).value for k in range(len(r.notes))]
        assert notes == list(r.notes)
        charts = ws._charts
        assert len(charts) == 1, key
        chart = charts[0]
        assert isinstance(chart, LineChart if r.chart.kind == "line" else BarChart)
        if r.chart.kind == "stacked":
            assert chart.grouping == "stacked"
        assert len(chart.series) == len(r.chart.series)
        last = 5 + len(r.rows)
        for s, col in zip(chart.series, r.chart.series, strict=True):
            letter = ws.cell(1, col + 1).column_letter
            assert s.val.numRef.f.endswith(f"${letter}$6:${letter}${last}"), (key, s.val.numRef.f)
            assert s.tx.strRef.f.replace("$", "").endswith(f"!{letter}5")
        cat = ws.cell(1, r.chart.category + 1).column_letter
        ref = chart.series[0].cat.strRef or chart.series[0].cat.numRef
        assert ref.f.endswith(f"${cat}$6:${cat}${last}"), (key, ref.f)
    assert not list(tmp_path.glob("*.part"))


def test_pdf_has_title_filter_and_figures_as_text_and_renders(reports: dict[str, Report], tmp_path: Path) -> None:
    PNG_DIR.mkdir(exist_ok=True)
    for key, r in reports.items():
        path = to_pdf(r, tmp_path / f"{key}.pdf")
        reader = PdfReader(path)
        text = "\n".join(page.extract_text() for page in reader.pages)
        flat = "".join(text.split())
        assert "".join(r.title.split()) in flat and "".join(r.scope.split()) in flat, key
        assert reader.metadata.title == r.title
        for row in r.text_rows()[:5] + r.text_rows()[-2:]:
            for cell in row:
                if len(cell) < 40:  # a long name wraps in its cell
                    assert "".join(cell.split()) in flat, (key, cell)
        assert "".join(r.notes[-1].split())[:30] in flat
        if len(r.rows) > 40:  # the long table goes on, its header on every page
            assert len(reader.pages) > 1
            for page in reader.pages[1:]:
                assert "".join(r.columns[1].split()) in "".join(page.extract_text().split())
        out = tmp_path / key
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", str(path), str(out)],
                       check=True)
        png = out.with_suffix(".png")
        assert png.stat().st_size > 10_000
        shutil.copyfile(png, PNG_DIR / f"{key}.png")


def test_a_failed_write_leaves_the_old_file_and_no_part_file(reports: dict[str, Report], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    r = reports["segments"]
    pdf = to_pdf(r, tmp_path / "r.pdf")
    xlsx = to_xlsx(r, tmp_path / "r.xlsx")
    before = pdf.read_bytes(), xlsx.read_bytes()
    from openpyxl import Workbook
    from reportlab.platypus import SimpleDocTemplate

    def boom(*_a, **_k):
        raise OSError("磁盘已满")

    monkeypatch.setattr(SimpleDocTemplate, "build", boom)
    monkeypatch.setattr(Workbook, "save", boom)
    with pytest.raises(OSError):
        to_pdf(r, pdf)
    with pytest.raises(OSError):
        to_xlsx(r, xlsx)
    assert (pdf.read_bytes(), xlsx.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf", "r.xlsx"]


def test_an_empty_report_still_writes_both_files(reports: dict[str, Report], tmp_path: Path) -> None:
    from dataclasses import replace

    r = replace(reports["marketing"], rows=[])
    wb = load_workbook(to_xlsx(r, tmp_path / "e.xlsx"))
    assert wb.active._charts == [] and wb.active.cell(5, 1).value == r.columns[0]
    text = PdfReader(to_pdf(r, tmp_path / "e.pdf")).pages[0].extract_text()
    assert "没有符合条件的数据" in "".join(text.split())
    assert cell_text(None, "int") == "—"
