"""Smart-village scenarios, headless: ``branchdesk scenarios …``.

    branchdesk scenarios list [--type T] [--village V] [--status S] [--json]
    branchdesk scenarios types
    branchdesk scenarios add --type 智慧畜牧 --name … [--village V] [--partner …] [--contact …] [--owner 工号]
    branchdesk scenarios show ID
    branchdesk scenarios status ID 上线 [--reason …] [--date YYYY-MM-DD]
    branchdesk scenarios metric ID --period 2026-10 --开户数 35 --补贴发放金额 12000.50 …
    branchdesk scenarios link ID 客户编号 [客户编号 …]
    branchdesk scenarios attach ID FILE [FILE …]
    branchdesk scenarios compare [--by scenario|village|township|type] [--metric 开户数] [--period 2026-10] [--json]
    branchdesk scenarios export FILE.xlsx [--by …] [--period …]

``metric`` takes each metric by its Chinese name or code; amounts in 元 (two decimals at
most), counts as whole numbers. Entering a month again updates it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.core import scenarios as sc

COMMANDS: dict[str, Any] = {}


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("scenarios", parents=[common], help="智慧乡村场景：名录、进度、月度指标、同比环比")
    ss = s.add_subparsers(dest="scenarios_command", metavar="操作", required=True)
    ls = ss.add_parser("list", parents=[common], help="列出场景")
    ls.add_argument("--type", metavar="类型", help="场景类型名称或代码")
    ls.add_argument("--village", metavar="村", help="村名或村编码")
    ls.add_argument("--status", metavar="进度", help="调研、洽谈、签约、上线、运营、停用")
    ls.add_argument("--json", action="store_true")
    ss.add_parser("types", parents=[common], help="场景类型及各自跟踪的指标")
    add = ss.add_parser("add", parents=[common], help="新建场景（进度从“调研”开始）")
    add.add_argument("--type", required=True, metavar="类型", help="场景类型名称或代码")
    add.add_argument("--name", required=True, metavar="名称", help="场景名称")
    add.add_argument("--village", default="", metavar="村", help="所在村（村名或乡镇+村）")
    add.add_argument("--partner", default="", metavar="合作方", help="村委会、合作社、学校、政府部门…")
    add.add_argument("--contact", default="", metavar="联系人", help="合作方联系人")
    add.add_argument("--owner", default="", metavar="工号", help="负责人（默认自己）")
    add.add_argument("--note", default="", metavar="备注")
    show = ss.add_parser("show", parents=[common], help="一个场景：进度各步日期、月度指标、获客数")
    show.add_argument("scenario", metavar="场景", help="编号（前 8 位即可）或名称")
    show.add_argument("--json", action="store_true")
    st = ss.add_parser("status", parents=[common], help="推进（或退回、停用）场景进度")
    st.add_argument("scenario", metavar="场景", help="编号（前 8 位即可）或名称")
    st.add_argument("to", metavar="进度", help="调研、洽谈、签约、上线、运营、停用")
    st.add_argument("--reason", default="", metavar="原因", help="退回时必填")
    st.add_argument("--date", default="", metavar="日期", help="这一步的日期（默认今天）")
    me = ss.add_parser("metric", parents=[common], help="录入某月指标（同月再录即更新）")
    me.add_argument("scenario", metavar="场景", help="编号（前 8 位即可）或名称")
    me.add_argument("--period", required=True, metavar="年-月", help="如 2026-10")
    for m in sc.METRICS.values():
        me.add_argument(f"--{m.label}", f"--{m.code.removesuffix('_fen')}", dest=f"m_{m.code}",
                        metavar="元" if m.money else "数", help="金额，元" if m.money else "整数")
    at = ss.add_parser("attach", parents=[common],
                       help="给场景附上文件（协议照片、表格…；文件留在本机，名称和校验值同步）")
    at.add_argument("scenario", metavar="场景", help="编号（前 8 位即可）或名称")
    at.add_argument("files", nargs="+", type=Path, metavar="文件")
    ln = ss.add_parser("link", parents=[common], help="登记经由场景获得的客户（客户数由此统计）")
    ln.add_argument("scenario", metavar="场景", help="编号（前 8 位即可）或名称")
    ln.add_argument("clients", nargs="+", metavar="客户", help="客户编号（如 1491）")
    cp = ss.add_parser("compare", parents=[common], help="同比、环比：按场景、村、乡镇或类型")
    cp.add_argument("--by", default="scenario", choices=("scenario", "village", "township", "type"))
    cp.add_argument("--metric", default="开户数", metavar="指标", help="指标名称或代码（默认开户数）")
    cp.add_argument("--period", default="", metavar="年-月", help="默认为有数据的最近一个月")
    cp.add_argument("--json", action="store_true")
    ex = ss.add_parser("export", parents=[common], help="把各项指标的同比环比导出为 xlsx（每项指标一页）")
    ex.add_argument("output", metavar="文件", help="xlsx 文件")
    ex.add_argument("--by", default="scenario", choices=("scenario", "village", "township", "type"))
    ex.add_argument("--period", default="", metavar="年-月")


def _amount(text: str, label: str) -> int | str:
    """元 with at most two decimals → fen; the text back when it is not a number (the service names it)."""
    from decimal import Decimal, InvalidOperation

    try:
        d = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return text
    if d != d.quantize(Decimal("0.01")):
        return text
    return int(d * 100)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from datetime import date

    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, signed_in
    from app.core.errors import FieldError
    from app.core.money import format_wan, format_yuan
    from app.services.scenarios import ScenarioService
    from sync.terminal import table

    sub = args.scenarios_command
    on = None
    if sub == "status" and args.date:
        try:
            on = date.fromisoformat(args.date.strip())
        except ValueError:
            _err(f"错误：日期“{args.date}”应写作 年-月-日，如 2026-12-02。")
            return EXIT_USAGE
    if sub == "export":
        out = Path(args.output).expanduser()
        if out.suffix.lower() != ".xlsx":
            _err("错误：输出文件应以 .xlsx 结尾。")
            return EXIT_USAGE
        if not out.parent.is_dir():
            _err(f"错误：文件夹 {out.parent} 不存在。")
            return EXIT_USAGE

    def shown(m: str, v: int | None) -> str:
        if v is None:
            return "—"
        return format_yuan(v) if sc.metric(m).money else f"{v:,}"

    def run(svc: ScenarioService, _store) -> int:
        def refused(errors) -> int:
            _print_errors(errors)
            return EXIT_REFUSED

        def resolve() -> str | None:
            uid = svc.resolve(args.scenario)
            if isinstance(uid, FieldError):
                _print_errors([uid])
                return None
            return uid

        if sub == "types":
            print(table(["代码", "类型", "跟踪指标"],
                        [[c, n, "、".join(sc.metric(m).label for m in ms)] for c, n, ms in svc.types()]))
            return EXIT_OK
        if sub == "list":
            rows = svc.list(type=args.type, village=args.village, status=args.status)
            if isinstance(rows, FieldError):
                return refused([rows])
            if args.json:
                print(json.dumps([{"uid": r.uid, "type": r.type, "name": r.name, "village": r.village_name,
                                   "township": r.township_name, "partner": r.partner, "owner": r.owner,
                                   "status": r.status, "since": r.since, "clients": r.clients} for r in rows],
                                 ensure_ascii=False, indent=1))
                return EXIT_OK
            print(table(["编号", "类型", "场景", "村", "合作方", "进度", "自", "获客"],
                        [[r.uid[:8], r.type_name, r.name, f"{r.township_name}{r.village_name}", r.partner,
                          r.status_label, r.since, r.clients] for r in rows], left=6))
            print(f"共 {len(rows)} 个场景。")
            return EXIT_OK
        if sub == "add":
            result = svc.add({"scenario_type": args.type, "name": args.name, "village": args.village,
                              "partner": args.partner, "partner_contact": args.contact, "owner": args.owner or None,
                              "note": args.note})
            if not result.ok:
                return refused(result.errors)
            print(f"已新建场景 {result.value.uid[:8]}（调研），待同步到总行。")
            return EXIT_OK
        uid = resolve() if sub in ("show", "status", "metric", "link", "attach") else None
        if sub in ("show", "status", "metric", "link", "attach") and uid is None:
            return EXIT_REFUSED
        if sub == "show":
            assert uid is not None
            r = svc.get(uid)
            assert not isinstance(r, FieldError)
            figures = svc.metrics_of(uid)
            if args.json:
                print(json.dumps({"uid": r.uid, "type": r.type, "name": r.name, "status": r.status,
                                  "status_dates": r.status_dates, "clients": r.clients,
                                  "metrics": {p: {m: v for m, (v, _s) in ms.items()} for p, ms in figures.items()}},
                                 ensure_ascii=False, indent=1))
                return EXIT_OK
            print(f"{r.name}（{r.type_name}）  {r.township_name}{r.village_name}  合作方：{r.partner or '—'}"
                  f" {r.partner_contact}  获客 {r.clients} 户")
            print("进度：" + " → ".join(f"{sc.STATUS_LABELS[s]} {d}" for s, d in
                                       sorted(r.status_dates.items(), key=lambda x: x[1])))
            if figures:
                metrics = sorted({m for ms in figures.values() for m in ms}, key=lambda m: list(sc.METRICS).index(m)
                                 if m in sc.METRICS else 99)
                print(table(["期间", *(sc.metric(m).label for m in metrics)],
                            [[p, *(shown(m, ms.get(m, (None, ""))[0]) for m in metrics)]
                             for p, ms in sorted(figures.items())[-12:]]))
            files = svc.attachments(uid)
            if files:
                print(table(["附件", "大小", "添加日期", "校验值（SHA-256）", "本机"],
                            [[n, f"{size:,} 字节" if size < 10_240 else f"{size / 1024:,.0f} KB", added, sha[:16],
                              "有" if path else "不在本机"]
                             for sha, n, size, added, path in files]))
            return EXIT_OK
        if sub == "attach":
            assert uid is not None
            refused_any = False
            for f in args.files:
                result = svc.attach(uid, f.expanduser())
                if not result.ok:
                    _print_errors(result.errors)
                    refused_any = True
                else:
                    print(f"已附上 {f.name}（SHA-256 {result.value[:16]}…），文件保存在本机，名称和校验值待同步。")
            return EXIT_REFUSED if refused_any else EXIT_OK
        if sub == "status":
            assert uid is not None
            result = svc.move(uid, args.to, reason=args.reason, on=on)
            if not result.ok:
                return refused(result.errors)
            print(f"已改为“{sc.STATUS_LABELS[result.value.values['status']]}”，待同步到总行。")
            return EXIT_OK
        if sub == "metric":
            assert uid is not None
            figures: dict[str, int | str] = {}
            bad = []
            for m in sc.METRICS.values():
                raw = getattr(args, f"m_{m.code}", None)
                if raw is None:
                    continue
                value = _amount(raw, m.label) if m.money else raw
                if m.money and isinstance(value, str):
                    bad.append(FieldError(m.code, m.label, "amount",
                                          f"{m.label}应为金额（元，最多两位小数），实际为“{raw}”。"))
                figures[m.code] = value
            if bad:
                return refused(bad)
            result = svc.record(uid, args.period, figures)
            if not result.ok:
                return refused(result.errors)
            then = "，待同步到总行。" if result.value else "（与已有数字相同，未改动）。"
            print(f"已录入 {result.value} 项{then}")
            return EXIT_OK
        if sub == "link":
            assert uid is not None
            ids = []
            for c in args.clients:
                if not c.strip().isdigit():
                    _err(f"错误：客户编号应为数字，实际为“{c}”。")
                    return EXIT_USAGE
                ids.append(int(c))
            result = svc.link_clients(uid, ids)
            if not result.ok:
                return refused(result.errors)
            print(f"已登记 {result.value} 位客户（已登记过的不重复）。")
            return EXIT_OK
        if sub == "compare":
            rows = svc.compare(metric=args.metric, by=args.by, period=args.period or None)
            if isinstance(rows, FieldError):
                return refused([rows])
            if args.json:
                print(json.dumps([{"name": n, "period": c.period, "value": c.value, "previous": c.previous,
                                   "last_year": c.last_year, "mom": c.mom, "yoy": c.yoy} for n, c in rows],
                                 ensure_ascii=False, indent=1))
                return EXIT_OK
            m = rows[0][1].metric if rows else args.metric
            print(table(["名称", "本月", "上月", "环比", "去年同月", "同比"],
                        [[n, shown(m, c.value), shown(m, c.previous), sc.format_rate(c.mom), shown(m, c.last_year),
                          sc.format_rate(c.yoy)] for n, c in rows], left=1))
            period = rows[0][1].period if rows else (args.period or svc.latest_period())
            total = sum(c.value or 0 for _n, c in rows)
            print(f"{sc.metric(m).label}，{period}：合计 "
                  + (format_wan(total) if sc.metric(m).money else f"{total:,}") + f"，共 {len(rows)} 项。")
            return EXIT_OK
        if sub == "export":
            result = svc.export_xlsx(out, by=args.by, period=args.period or None)
            if not result.ok:
                return refused(result.errors)
            print(f"已导出 {result.value} 行 → {out}")
            return EXIT_OK
        return EXIT_USAGE

    try:
        return signed_in(args, ScenarioService, run, writes=sub in ("add", "status", "metric", "link", "attach"))
    except PermissionError:
        _err("错误：没有写入权限。")
        return EXIT_USAGE


COMMANDS["scenarios"] = cmd_scenarios
