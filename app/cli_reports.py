"""Process reports (过程管控), headless: ``branchdesk report …``.

    branchdesk report NAME [--from 2026-01-01] [--to 2026-12-02] [--manager M0001] [--village 村]
                           [--branch 网点] [--by …] [-o FILE.xlsx | -o FILE.pdf] [--json]

NAME: marketing（营销成效）, reach（触达与转化趋势）, segments（客群提升）, mobile_banking（手机银行渗透率）,
whitelist_funnel（白名单营销漏斗）, scenarios（场景获客）; the Chinese title works too. Without ``-o``
the table is printed; ``--json`` prints the report as JSON (rates as fractions). ``--by``: marketing
by manager or campaign (客户经理 / 营销活动), mobile banking by village or township (村 / 乡镇).
A 客户经理 always gets their own figures.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

COMMANDS: dict[str, Any] = {}

# --by, per report: (value, Chinese) pairs
BY = {
    "marketing": (("manager", "客户经理"), ("campaign", "营销活动")),
    "mobile_banking": (("village", "村"), ("township", "乡镇")),
}


def _names() -> str:
    from app.services.reports import REPORTS

    return "、".join(f"{n}（{t}）" for n, t in REPORTS.items())


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    r = sub.add_parser("report", parents=[common],
                       help="过程管控报表：营销成效、触达转化、客群提升、手机银行、白名单漏斗、场景获客",
                       description="过程管控报表。报表：" + _names() + "。",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("name", metavar="报表", help="报表名称（英文名或中文名），见上")
    r.add_argument("--from", dest="start", default="", metavar="日期",
                   help="期间起（含），年-月-日；默认当年 1 月 1 日")
    r.add_argument("--to", dest="end", default="", metavar="日期", help="期间止（含），年-月-日；默认今天")
    r.add_argument("--manager", default="", metavar="工号",
                   help="只看一位客户经理（工号或姓名）；客户经理本人只能看自己的")
    r.add_argument("--village", default="", metavar="村", help="只看一个村（村编码、村名或乡镇+村）")
    r.add_argument("--branch", default="", metavar="网点", help="县级设备：只看一个网点（网点编码）")
    r.add_argument("--by", default="", metavar="分组",
                   help="营销成效：客户经理（manager，默认）或营销活动（campaign）；手机银行渗透率：村（village，默认）或乡镇（township）")
    r.add_argument("-o", "--output", default="", metavar="文件",
                   help="导出为 .xlsx（含图表）或 .pdf（A4 横向）；不写则在终端显示")
    r.add_argument("--json", action="store_true", help="以 JSON 输出报表")


def _date(text: str, option: str) -> date | str | None:
    """A date from the command line; the Chinese error (naming the option) as a str when it is not one."""
    t = text.strip()
    if not t:
        return None
    try:
        return date.fromisoformat(t)
    except ValueError:
        return f"错误：{option} 的日期“{text}”应写作 年-月-日，如 2026-12-02。"


def cmd_report(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, signed_in
    from app.core.errors import FieldError
    from app.services.reports import REPORTS, Report, ReportFilter, ReportService
    from sync.terminal import table

    wanted = args.name.strip()
    name = next((n for n, t in REPORTS.items() if wanted in (n, t)), None)
    if name is None:
        _err(f"错误：报表“{args.name}”不存在；可选：{_names()}。")
        return EXIT_USAGE
    start, end = _date(args.start, "--from"), _date(args.end, "--to")
    for bad in (start, end):
        if isinstance(bad, str):
            _err(bad)
            return EXIT_USAGE
    options: dict[str, Any] = {}
    if args.by:
        choices = BY.get(name)
        if choices is None:
            _err(f"错误：--by 只用于营销成效（marketing）和手机银行渗透率（mobile_banking），{REPORTS[name]}没有分组。")
            return EXIT_USAGE
        value = next((v for v, zh in choices if args.by.strip() in (v, zh)), None)
        if value is None:
            allowed = "、".join(f"{v}（{zh}）" for v, zh in choices)
            _err(f"错误：--by 的值“{args.by}”不对；{REPORTS[name]}可按 {allowed} 分组。")
            return EXIT_USAGE
        options["by"] = value
    out = Path(args.output).expanduser() if args.output else None
    if out is not None:
        if out.suffix.lower() not in (".xlsx", ".pdf"):
            _err(f"错误：-o 的文件“{args.output}”应以 .xlsx 或 .pdf 结尾。")
            return EXIT_USAGE
        if not out.parent.is_dir():
            _err(f"错误：-o 的文件夹 {out.parent} 不存在。")
            return EXIT_USAGE
    f = ReportFilter(start if isinstance(start, date) else None, end if isinstance(end, date) else None,
                     args.manager.strip() or None, args.village.strip() or None, args.branch.strip() or None)

    def run(svc: ReportService, _store: Any) -> int:
        report = svc.run(name, f, **options)
        if isinstance(report, FieldError):
            _print_errors([report])
            return EXIT_REFUSED
        assert isinstance(report, Report)
        if out is not None:
            from app.services.report_export import EXPORTERS

            try:
                EXPORTERS[out.suffix.lower()](report, out)
            except OSError as exc:
                _err(f"错误：无法写入 {out}（{exc.strerror or exc}）。")
                return EXIT_REFUSED
        if args.json:
            data = report.as_dict()
            if out is not None:
                data["output"] = str(out)
            print(json.dumps(data, ensure_ascii=False, indent=1))
            return EXIT_OK
        if out is not None:
            print(f"已导出“{report.title}”{len(report.rows)} 行 → {out}")
            return EXIT_OK
        print(report.title)
        print(report.scope)
        print()
        if report.rows:
            left = sum(1 for fmt in report.formats if fmt in ("text", "date"))
            print(table(list(report.columns), report.text_rows(), left=left))
        else:
            print("（没有符合条件的数据）")
        print()
        for note in report.notes:
            print(f"· {note}")
        return EXIT_OK

    return signed_in(args, ReportService, run)


COMMANDS["report"] = cmd_report
