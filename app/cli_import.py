"""Importing a branch's own spreadsheets, headless: ``branchdesk import …``.

    branchdesk import clients FILE [--sheet S] [--mapping 列=字段,…] [--duplicates skip|update|merge]
                                   [--dry-run] [--errors OUT.xlsx] [--json]
    branchdesk import metrics FILE [--sheet S] [--period 2026-11] [--unit 元|万元] [--mapping 列=字段,…]
                                   [--duplicates skip|update] [--dry-run] [--errors OUT.xlsx] [--json]
    branchdesk import nominations FILE [--sheet S] [--unit 元|万元] [--mapping 列=字段,…]
                                       [--dry-run] [--errors OUT.xlsx] [--json]

The header and the column mapping are guessed (or the mapping remembered for a
file of the same layout is used); ``--mapping`` overrides, by header text or
column number: ``--mapping "户主=name,第3列=id_number"``. Every row is checked
by the rules of the service it goes to (the client book, ``scenarios metric``,
``nominate``); ``--dry-run`` shows what would happen and writes nothing;
otherwise the accepted rows are committed all at once and the rejected ones
(with the reason) written to ``--errors``. Prints counts and masked numbers,
never a whole row.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COMMANDS: dict[str, Any] = {}
FIELD_HELP = "name 姓名、id_number 证件号码、mobile 手机号、township 乡镇、village 所属村、group_name 村民小组、" \
             "address 地址、segment 客群、manager 管户客户经理、tags 标签、consent_date 营销授权日期、" \
             "consent_channel 授权渠道、notes 备注"


def _metric_fields() -> str:
    from app.core.scenarios import METRICS

    return "scenario 场景、period 期间、" + "、".join(f"{m.code} {m.label}" for m in METRICS.values())


def _nomination_fields() -> str:
    from sync.protocol.scorecard import INPUTS

    return ("name 姓名/名称、id_number 证件号码、mobile 手机号、village 所属村、cluster 产业集群、amount 建议额度、"
            "product 产品、reason 推荐理由、" + "、".join(f"{i.key} {i.label}" for i in INPUTS))


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    im = sub.add_parser("import", parents=[common],
                        help="从网点自己的 Excel / WPS / csv 表格导入客户、场景指标或白名单推荐")
    isub = im.add_subparsers(dest="import_command", metavar="类型", required=True)
    cl = isub.add_parser("clients", parents=[common], help="导入客户花名册（新建潜在客户，或更新已有客户）")
    cl.add_argument("file", type=Path, metavar="文件", help="xlsx、xls、et、ods、csv 或 txt")
    cl.add_argument("--sheet", metavar="工作表", help="工作表名称或序号（从 1 起；默认第一个）")
    cl.add_argument("--mapping", metavar="列=字段",
                    help=f"指定列的含义，逗号分隔；列写表头文字或“第N列”。字段：{FIELD_HELP}")
    cl.add_argument("--duplicates", choices=["skip", "update", "merge"], default="skip",
                    help="证件号码已在客户视图中：skip 跳过（默认）；update 更新网点可改的信息；merge 新增后待合并")
    _tail(cl)

    me = isub.add_parser("metrics", parents=[common],
                         help="导入智慧乡村场景的月度指标（每行一个场景；期间一列，或整表一个期间）")
    me.add_argument("file", type=Path, metavar="文件", help="xlsx、xls、et、ods、csv 或 txt")
    me.add_argument("--sheet", metavar="工作表", help="工作表名称或序号（从 1 起；默认第一个）")
    me.add_argument("--period", metavar="年-月",
                    help="整张表的期间，如 2026-11（表中没有期间列时必填，除非标题写明了月份；"
                         "表中有期间列时只用于期间为空的行）")
    me.add_argument("--unit", metavar="元|万元", help="金额列的单位（表头未写明单位时；默认 元）")
    me.add_argument("--mapping", metavar="列=字段",
                    help=f"指定列的含义，逗号分隔；列写表头文字或“第N列”。字段：{_metric_fields()}")
    me.add_argument("--duplicates", choices=["skip", "update"], default="skip",
                    help="该场景该月已有的指标：skip 保留已有数字（默认）；update 用表中的数字更新")
    _tail(me)

    no = isub.add_parser("nominations", parents=[common],
                         help="导入白名单推荐名单（逐行按评分卡预检，提交总行评估）")
    no.add_argument("file", type=Path, metavar="文件", help="xlsx、xls、et、ods、csv 或 txt")
    no.add_argument("--sheet", metavar="工作表", help="工作表名称或序号（从 1 起；默认第一个）")
    no.add_argument("--unit", metavar="元|万元",
                    help="建议额度等金额列的单位（表头未写明单位时；建议额度默认 元，评分卡金额默认 万元）")
    no.add_argument("--mapping", metavar="列=字段",
                    help=f"指定列的含义，逗号分隔；列写表头文字或“第N列”。字段：{_nomination_fields()}")
    _tail(no)


def _tail(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")
    p.add_argument("--errors", type=Path, metavar="OUT.xlsx", help="把未通过的行（附原因）写入此文件，改正后可再次导入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")


def _sheet(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) - 1 if value.isdigit() and int(value) >= 1 else value


def _mapping(text: str, headers: list[str], by_key: Mapping[str, Any] | None = None,
             fields: str = FIELD_HELP) -> dict[int, str] | str:
    """``列=字段`` pairs as column -> target key, or the Chinese reason they cannot be read.
    ``by_key``: the kind's targets by key (the client roster's by default)."""
    from app.core.cells import header_key

    if by_key is None:
        from app.services.import_clients import BY_KEY

        by_key = BY_KEY
    by_label = {t.label: t.key for t in by_key.values()}
    by_label.update({header_key(t.label): t.key for t in by_key.values()})
    out: dict[int, str] = {}
    for part in re.split(r"[,，]", text):
        if not part.strip():
            continue
        if "=" not in part:
            return f"“{part.strip()}”应写成 列=字段，如 户主=name"
        col_text, key = (x.strip() for x in part.split("=", 1))
        key = by_label.get(key, by_label.get(header_key(key), key))
        if key not in by_key:
            return f"没有字段“{key}”；可用：{fields}"
        m = re.fullmatch(r"第?(\d+)列?", col_text)
        if m:
            col = int(m.group(1)) - 1
            if not 0 <= col < len(headers):
                return f"没有第 {m.group(1)} 列（表头共 {len(headers)} 列）"
        else:
            found = [i for i, h in enumerate(headers) if header_key(h) == header_key(col_text)]
            if not found:
                return f"表头中没有“{col_text}”；表头为：{'、'.join(h or '（空）' for h in headers)}"
            col = found[0]
        for c in [c for c, k in out.items() if k == key]:
            del out[c]
        out[col] = key
    return out


def _apply_mapping(args: argparse.Namespace, loaded: Any, by_key: Mapping[str, Any],
                   fields: str) -> dict[int, str] | None:
    """The guessed (or remembered) mapping with ``--mapping`` laid over it; None after saying why not."""
    from app.cli import _err

    mapping = dict(loaded.mapping)
    if args.mapping:
        given = _mapping(args.mapping, loaded.header.texts, by_key, fields)
        if isinstance(given, str):
            _err(f"错误：--mapping {given}。")
            return None
        mapping = {c: k for c, k in mapping.items() if c not in given and k not in given.values()} | given
    return mapping


def _header_line(loaded: Any, mapping: Mapping[int, str], by_key: Mapping[str, Any]) -> str:
    shown = "，".join(f"{loaded.header.texts[c] or f'第{c + 1}列'}→{by_key[k].label}"
                     for c, k in sorted(mapping.items()))
    return (f"表头在第 {loaded.header.row + 1} 行{'（跨两行）' if loaded.header.rows == 2 else ''}；"
            f"列对应{'（沿用上次同样格式的文件）' if loaded.remembered else ''}：{shown}")


def _unmapped(loaded: Any, mapping: Mapping[int, str]) -> str:
    from app.services.import_common import LINE_HEADER, REASON_HEADER

    ours = (REASON_HEADER, LINE_HEADER)  # the columns an error file adds
    left = [t for c, t in enumerate(loaded.header.texts) if t and c not in mapping and t not in ours]
    if not left:
        return ""
    shown = "、".join(left[:12]) + ("……" if len(left) > 12 else "")
    return f"未导入的列（没有对应的字段，可用 --mapping 指定）：{shown}"


def _write_errors(mod: Any, plan: Any, args: argparse.Namespace) -> int | None:
    """The rejected rows to ``--errors``: how many, or None after saying why it could not."""
    from app.cli import _err
    from app.services.import_files import ImportFileError

    if args.errors is None or not plan.rejected:
        return 0
    try:
        return mod.write_errors(plan, args.errors)
    except ImportFileError as exc:
        _err(f"错误：{exc}")
        return None


def _rejected_lines(rows: list[Any], written: int, heads: list[str], cells: Any, what: str = "未通过") -> None:
    """The first 20 rows (masked numbers, the reason), and how many there are in all."""
    from sync.terminal import table

    print(table(heads, [cells(r) for r in rows[:20]], max_width=200))
    if len(rows) > 20:
        print(f"……共 {len(rows):,} 行{what}" + ("" if written else "，用 --errors 文件.xlsx 导出全部"))


def _unit(args: argparse.Namespace) -> str | bool | None:
    """--unit as 元 or 万元 (None when not given); False after saying what is wrong."""
    from app.cli import _err
    from app.services.import_common import unit_choice

    chosen = unit_choice(args.unit)
    if isinstance(chosen, ValueError):
        _err(f"错误：--unit {chosen}（如 --unit 万元）。")
        return False
    return chosen


@dataclass
class _Done:
    """What the common steps of an import produced, for the kind's own printing."""

    loaded: Any
    mapping: dict[int, str]
    plan: Any
    written: int  # rejected rows written to --errors
    result: Any  # the commit's Result; None on a dry run


def _steps(args: argparse.Namespace, module: Any, imp: Any, store: Any, path: Path, fields: str,
           plan: Callable[[Any, dict[int, str]], Any],
           check: Callable[[Any, dict[int, str]], bool] | None = None) -> _Done | int:
    """The steps every kind takes: read the sheet, map its columns (``--mapping``), ``check`` the
    mapping (the kind's own), plan, write the refused rows (``--errors``), commit and remember the
    mapping unless ``--dry-run``. An exit code when a step cannot go on (the reason printed)."""
    from app.cli import EXIT_REFUSED, EXIT_USAGE, _err, _print_errors
    from app.services.import_files import ImportFileError

    try:
        loaded = module.load(path, store.settings.extra, _sheet(args.sheet))
    except ImportFileError as exc:
        _err(f"错误：{exc}")
        return EXIT_REFUSED
    mapping = _apply_mapping(args, loaded, module.BY_KEY, fields)
    if mapping is None or (check is not None and not check(loaded, mapping)):
        return EXIT_USAGE
    planned = plan(loaded, mapping)
    if not isinstance(planned, module.Plan):
        _print_errors([planned])
        return EXIT_REFUSED
    written = _write_errors(module, planned, args)
    if written is None:
        return EXIT_REFUSED
    result = None
    if not args.dry_run:
        result = imp.commit(planned)
        if not result.ok:
            _print_errors(result.errors)
            return EXIT_REFUSED
        module.remember(store.settings, store.data_dir, loaded, mapping)
    return _Done(loaded, mapping, planned, written, result)


def cmd_import(args: argparse.Namespace) -> int:
    from app.cli import EXIT_USAGE, _err

    if args.errors is not None and args.errors.suffix.lower() != ".xlsx":
        _err("错误：--errors 的文件应以 .xlsx 结尾。")
        return EXIT_USAGE
    if args.import_command == "metrics":
        return _import_metrics(args)
    if args.import_command == "nominations":
        return _import_nominations(args)
    return _import_clients(args)


def _import_clients(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, _print_json, signed_in
    from app.services import import_clients as ic

    path: Path = args.file.expanduser()

    def run(imp: ic.ClientImporter, store: Any) -> int:
        done = _steps(args, ic, imp, store, path, FIELD_HELP, lambda loaded, m: imp.plan(loaded, m, args.duplicates))
        if isinstance(done, int):
            return done
        loaded, mapping, plan, written, result = done.loaded, done.mapping, done.plan, done.written, done.result
        counts = plan.counts()
        if args.json:
            _print_json({
                "file": path.name, "header_row": loaded.header.row + 1, "mapping": {str(c + 1): k for c, k in
                                                                                   sorted(mapping.items())},
                "remembered": loaded.remembered, "counts": counts, "dry_run": args.dry_run,
                "rejected": [{"line": r.line, "reason": r.reason} for r in plan.rejected],
                "to_merge": [list(p) for p in result.value.to_merge] if result is not None else [],
            })
            return EXIT_OK
        print(_header_line(loaded, mapping, ic.BY_KEY))
        print("，".join(f"{ic.STATUS[s]} {n:,}" for s, n in counts.items() if n) or "没有数据行")
        if plan.rejected:
            _rejected_lines(plan.rejected, written, ["行号", "姓名", "证件号码", "原因"],
                            lambda r: [r.line, r.name, r.shown_id, r.reason])
        if written:
            print(f"未通过的 {written:,} 行（附原因）已写入 {args.errors}：改正后可直接再次导入该文件。")
        if args.dry_run:
            print("（试运行：没有写入任何客户）")
        elif result is not None:
            done = result.value
            print(f"已导入：新增 {done.added:,}，更新 {done.updated:,}。修改已记入变更，下次同步时上传总行。")
            if done.to_merge:
                print(f"有 {len(done.to_merge):,} 位新增客户与已有客户证件号码相同，请在客户视图中合并："
                      + "、".join(f"{a} 与 {b}" for a, b in done.to_merge[:10]))
        return EXIT_OK

    return signed_in(args, ic.ClientImporter, run, writes=not args.dry_run)


def _import_metrics(args: argparse.Namespace) -> int:
    from datetime import date

    from app.cli import EXIT_OK, EXIT_USAGE, _err, _print_json, signed_in
    from app.core.errors import FieldError
    from app.core.scenarios import metric
    from app.services import import_metrics as im

    path: Path = args.file.expanduser()
    unit = _unit(args)
    if unit is False:
        return EXIT_USAGE
    given: str | None = None
    if args.period is not None:
        checked = im.parse_given_period(args.period, today=date.today())
        if isinstance(checked, FieldError):
            _err(f"错误：--period {checked.message.removeprefix('期间').lstrip()}")
            return EXIT_USAGE
        given = checked
    fields = _metric_fields()

    def has_month(loaded: Any, mapping: dict[int, str]) -> bool:
        if im.PERIOD not in mapping.values() and not given and not loaded.period:
            _err("错误：表中没有“期间”列，标题中也没有写明月份：请用 --period 给出月份（如 --period 2026-11），"
                 "或用 --mapping 指定哪一列是期间（如 --mapping 统计月份=period）。")
            return False
        return True

    def run(imp: im.MetricsImporter, store: Any) -> int:
        done = _steps(args, im, imp, store, path, fields,
                      lambda loaded, m: imp.plan(loaded, m, args.duplicates, period=given, unit=unit or None),
                      has_month)
        if isinstance(done, int):
            return done
        loaded, mapping, plan, written, result = done.loaded, done.mapping, done.plan, done.written, done.result
        counts = plan.counts()
        units = {loaded.header.texts[c] or f"第{c + 1}列": u for c, u in sorted(plan.units.items())}
        if args.json:
            _print_json({
                "file": path.name, "header_row": loaded.header.row + 1,
                "mapping": {str(c + 1): k for c, k in sorted(mapping.items())}, "remembered": loaded.remembered,
                "period": plan.period, "units": units, "counts": counts, "dry_run": args.dry_run,
                "figures": result.value.figures if result is not None else plan.figures,
                "rejected": [{"line": r.line, "reason": r.reason} for r in plan.rejected],
            })
            return EXIT_OK
        print(_header_line(loaded, mapping, im.BY_KEY))
        left = _unmapped(loaded, mapping)
        if left:
            print(left)
        if plan.period:
            where = "--period" if given else "表格标题"
            has_column = im.PERIOD in mapping.values()
            print(f"期间：{plan.period}（取自{where}{'，只用于期间为空的行' if has_column else ''}）")
            if given and loaded.period and loaded.period != given:
                print(f"注意：表格标题写的是 {loaded.period}，按 --period {given} 导入。")
        if units:
            print("金额单位：" + "，".join(f"{h} {u}" for h, u in units.items()))
        print("，".join(f"{im.STATUS[s]} {n:,}" for s, n in counts.items() if n) or "没有数据行")
        if plan.rejected:
            _rejected_lines(plan.rejected, written, ["行号", "场景", "期间", "原因"],
                            lambda r: [r.line, r.scenario, r.period, r.reason])
        if written:
            print(f"未通过的 {written:,} 行（附原因）已写入 {args.errors}：改正后可直接再次导入该文件。")
        kept = [r for r in plan.rows if r.kept]
        if kept and args.duplicates == im.SKIP:
            names = "、".join(dict.fromkeys(metric(k).label for r in kept for k in r.kept))
            print(f"有 {len(kept):,} 行的部分数字（{names}）该月已有且不同，已保留原数字；"
                  "要用表中的数字更新，请加 --duplicates update。")
        if args.dry_run:
            print(f"（试运行：没有写入任何指标；将写入 {plan.figures:,} 项指标）")
        elif result is not None:
            done = result.value
            if done.figures:
                print(f"已导入：新增 {done.added:,} 行，更新 {done.updated:,} 行，共写入 {done.figures:,} 项指标。"
                      "修改已记入变更，下次同步时上传总行。")
            else:
                print("没有写入任何指标：表中没有新的或需要更新的数字。")
        return EXIT_OK

    return signed_in(args, im.MetricsImporter, run, writes=not args.dry_run)


def _import_nominations(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_USAGE, _print_json, signed_in
    from app.services import import_nominations as inm

    path: Path = args.file.expanduser()
    unit = _unit(args)
    if unit is False:
        return EXIT_USAGE
    fields = _nomination_fields()

    def run(imp: inm.NominationImporter, store: Any) -> int:
        done = _steps(args, inm, imp, store, path, fields,
                      lambda loaded, m: imp.plan(loaded, m, inm.SKIP, unit=unit or None))
        if isinstance(done, int):
            return done
        loaded, mapping, plan, written, result = done.loaded, done.mapping, done.plan, done.written, done.result
        counts = plan.counts()
        units = {loaded.header.texts[c] or f"第{c + 1}列": u for c, u in sorted(plan.units.items())}
        if args.json:
            _print_json({
                "file": path.name, "header_row": loaded.header.row + 1,
                "mapping": {str(c + 1): k for c, k in sorted(mapping.items())}, "remembered": loaded.remembered,
                "units": units, "counts": counts, "dry_run": args.dry_run,
                "rejected": [{"line": r.line, "reason": r.reason} for r in plan.rejected],
                "skipped": [{"line": r.line, "reason": r.reason} for r in plan.skipped],
                "nominations": result.value.uids if result is not None else [],
            })
            return EXIT_OK
        print(_header_line(loaded, mapping, inm.BY_KEY))
        left = _unmapped(loaded, mapping)
        if left:
            print(left)
        if units:
            print("金额单位：" + "，".join(f"{h} {u}" for h, u in units.items()))
        print("，".join(f"{inm.STATUS[s]} {n:,}" for s, n in counts.items() if n) or "没有数据行")
        if plan.rejected:
            _rejected_lines(plan.rejected, written, ["行号", "姓名", "证件号码", "原因"],
                            lambda r: [r.line, r.name, r.shown_id, r.reason])
        if written:
            print(f"未通过的 {written:,} 行（附原因）已写入 {args.errors}：改正后可直接再次导入该文件。")
        if plan.skipped:
            print("跳过的行（已有推荐在等总行结论，或已在白名单中）：")
            _rejected_lines(plan.skipped, 1, ["行号", "姓名", "证件号码", "原因"],
                            lambda r: [r.line, r.name, r.shown_id, r.reason], "跳过")
        if args.dry_run:
            print("（试运行：没有提交任何推荐）")
        elif result is not None:
            if result.value.added:
                print(f"已提交推荐 {result.value.added:,} 位，等待总行评估。修改已记入变更，下次同步时上传总行。")
            else:
                print("没有提交任何推荐：表中没有可以新推荐的人。")
        return EXIT_OK

    return signed_in(args, inm.NominationImporter, run, writes=not args.dry_run)


COMMANDS["import"] = cmd_import
