"""``branchdesk report`` as a person types it (issue 19): the table in the terminal, JSON, the two
exports read back, Chinese errors naming the bad argument, a manager held to their own figures."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from app.services.reports import REPORTS
from tests.conftest import run_cli


def test_every_report_prints_its_table(demo_dir: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    for name, title in REPORTS.items():
        out = run_cli(*d, "report", name, "--from", "2026-01-01")
        assert out.returncode == 0, (name, out.stderr)
        assert out.stdout.startswith(title)
        assert ("期间：2026-01-01" in out.stdout) != ("当前状态" in out.stdout)  # the period, or a current state
        assert "· " in out.stdout and "Traceback" not in out.stderr
    by_title = run_cli(*d, "report", "手机银行渗透率", "--by", "乡镇")
    assert by_title.returncode == 0 and "手机银行渗透率（按乡镇）" in by_title.stdout and "签约率" in by_title.stdout


def test_json_and_the_two_exports(demo_dir: Path, tmp_path: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    data = json.loads(run_cli(*d, "report", "mobile_banking", "--json").stdout)
    assert data["name"] == "mobile_banking" and data["columns"][0] == "村" and data["chart"]["kind"] == "bar"
    assert sum(r[1] for r in data["rows"]) == 5000 and all(0 <= r[4] <= 1 for r in data["rows"])
    village = data["rows"][0][0]
    one = json.loads(run_cli(*d, "report", "mobile_banking", "--village", village, "--json").stdout)
    assert [r[0] for r in one["rows"]] == [village] and one["filter"]["village"]
    xlsx = tmp_path / "营销.xlsx"
    out = run_cli(*d, "report", "marketing", "--by", "campaign", "-o", str(xlsx))
    assert out.returncode == 0 and "已导出" in out.stdout, out.stderr
    ws = load_workbook(xlsx).active
    assert ws["A1"].value == "营销成效（按营销活动）" and len(ws._charts) == 1
    assert ws.cell(5, 3).value == "目标客户" and isinstance(ws.cell(6, 3).value, int)
    pdf = tmp_path / "客群.pdf"
    out = run_cli(*d, "report", "segments", "--from", "2026-06-30", "--to", "2026-11-30", "-o", str(pdf), "--json")
    assert out.returncode == 0, out.stderr
    meta = json.loads(out.stdout)
    assert meta["output"] == str(pdf) and meta["filter"]["start"] == "2026-06-30"
    text = "".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "客群提升" in text and "期间：2026-06-30至2026-11-30" in text and "农户" in text


def test_errors_name_the_bad_argument_in_chinese(demo_dir: Path, tmp_path: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for args, code, message in (
        (["report", "nope"], 2, "报表“nope”不存在；可选：marketing（营销成效）"),
        (["report", "reach", "--from", "2026-13-01"], 2, "--from 的日期“2026-13-01”应写作 年-月-日"),
        (["report", "reach", "--to", "昨天"], 2, "--to 的日期“昨天”"),
        (["report", "reach", "--from", "2026-11-02", "--to", "2026-11-01"], 1, "开始日期 2026-11-02 不能晚于结束日期"),
        (["report", "segments", "--manager", "Z9999"], 1, "客户经理“Z9999”不在本网点名册中"),
        (["report", "segments", "--village", "不存在的村"], 1, "村“不存在的村”不存在"),
        (["report", "segments", "--by", "村"], 2, "--by 只用于营销成效"),
        (["report", "marketing", "--by", "村"], 2, "--by 的值“村”不对"),
        (["report", "marketing", "-o", str(out_dir / "a.docx")], 2, "应以 .xlsx 或 .pdf 结尾"),
        (["report", "marketing", "-o", str(out_dir / "no" / "a.pdf")], 2, "-o 的文件夹"),
        (["--user", "M0001", "report", "marketing", "--manager", "M0002"], 1, "客户经理只能查看自己的报表数字"),
    ):
        out = run_cli(*d, *args)
        assert out.returncode == code and message in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
    assert not list(out_dir.iterdir())  # nothing written by a refused command
    helped = run_cli("report", "--help")
    assert helped.returncode == 0 and "期间起（含）" in helped.stdout and "场景获客" in helped.stdout


def test_a_manager_gets_their_own_figures(demo_dir: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    mine = json.loads(run_cli(*d, "--user", "M0001", "report", "mobile_banking", "--json").stdout)
    everyone = json.loads(run_cli(*d, "report", "mobile_banking", "--json").stdout)
    assert "客户经理：" in mine["scope"] and "（M0001）" in mine["scope"] and mine["filter"]["manager"] == "M0001"
    assert 0 < sum(r[1] for r in mine["rows"]) < sum(r[1] for r in everyone["rows"])
