"""Importing a branch's own spreadsheets, headless: ``branchdesk import …``.

    branchdesk import clients FILE [--sheet S] [--mapping 列=字段,…] [--duplicates skip|update|merge]
                                   [--dry-run] [--errors OUT.xlsx] [--json]

The header and the column mapping are guessed (or the mapping remembered for a
file of the same layout is used); ``--mapping`` overrides, by header text or
column number: ``--mapping "户主=name,第3列=id_number"``. Every row is checked
by the rules of the client book; ``--dry-run`` shows what would happen and
writes nothing; otherwise the accepted rows are committed all at once and the
rejected ones (with the reason) written to ``--errors``. Prints counts and
masked numbers, never a whole row.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

COMMANDS: dict[str, Any] = {}
FIELD_HELP = "name 姓名、id_number 证件号码、mobile 手机号、township 乡镇、village 所属村、group_name 村民小组、" \
             "address 地址、segment 客群、manager 管户客户经理、tags 标签、consent_date 营销授权日期、" \
             "consent_channel 授权渠道、notes 备注"


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    im = sub.add_parser("import", parents=[common], help="从网点自己的 Excel / WPS / csv 表格导入客户")
    isub = im.add_subparsers(dest="import_command", metavar="类型", required=True)
    cl = isub.add_parser("clients", parents=[common], help="导入客户花名册（新建潜在客户，或更新已有客户）")
    cl.add_argument("file", type=Path, metavar="文件", help="xlsx、xls、et、ods、csv 或 txt")
    cl.add_argument("--sheet", metavar="工作表", help="工作表名称或序号（从 1 起；默认第一个）")
    cl.add_argument("--mapping", metavar="列=字段",
                    help=f"指定列的含义，逗号分隔；列写表头文字或“第N列”。字段：{FIELD_HELP}")
    cl.add_argument("--duplicates", choices=["skip", "update", "merge"], default="skip",
                    help="证件号码已在客户视图中：skip 跳过（默认）；update 更新网点可改的信息；merge 新增后待合并")
    cl.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")
    cl.add_argument("--errors", type=Path, metavar="OUT.xlsx",
                    help="把未通过的行（附原因）写入此文件，改正后可再次导入")
    cl.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")


def _sheet(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) - 1 if value.isdigit() and int(value) >= 1 else value


def _mapping(text: str, headers: list[str]) -> dict[int, str] | str:
    """``列=字段`` pairs as column -> target key, or the Chinese reason they cannot be read."""
    from app.core.cells import header_key
    from app.services.import_clients import BY_KEY

    by_label = {t.label: t.key for t in BY_KEY.values()}
    out: dict[int, str] = {}
    for part in re.split(r"[,，]", text):
        if not part.strip():
            continue
        if "=" not in part:
            return f"“{part.strip()}”应写成 列=字段，如 户主=name"
        col_text, key = (x.strip() for x in part.split("=", 1))
        key = by_label.get(key, key)
        if key not in BY_KEY:
            return f"没有字段“{key}”；可用：{FIELD_HELP}"
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


def cmd_import(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, _print_json, signed_in
    from app.services import import_clients as ic
    from app.services.import_files import ImportFileError
    from sync.terminal import table

    path: Path = args.file.expanduser()
    if args.errors is not None and args.errors.suffix.lower() != ".xlsx":
        _err("错误：--errors 的文件应以 .xlsx 结尾。")
        return EXIT_USAGE

    def run(imp: ic.ClientImporter, store: Any) -> int:
        try:
            loaded = ic.load(path, store.settings.extra, _sheet(args.sheet))
        except ImportFileError as exc:
            _err(f"错误：{exc}")
            return EXIT_REFUSED
        mapping = loaded.mapping
        if args.mapping:
            given = _mapping(args.mapping, loaded.header.texts)
            if isinstance(given, str):
                _err(f"错误：--mapping {given}。")
                return EXIT_USAGE
            mapping = {c: k for c, k in mapping.items() if c not in given and k not in given.values()} | given
        plan = imp.plan(loaded, mapping, args.duplicates)
        if not isinstance(plan, ic.Plan):
            _print_errors([plan])
            return EXIT_REFUSED
        counts = plan.counts()
        shown_map = "，".join(f"{loaded.header.texts[c] or f'第{c + 1}列'}→{ic.BY_KEY[k].label}"
                              for c, k in sorted(mapping.items()))
        written = 0
        if args.errors is not None and plan.rejected:
            try:
                written = ic.write_errors(plan, args.errors)
            except ImportFileError as exc:
                _err(f"错误：{exc}")
                return EXIT_REFUSED
        result = None
        if not args.dry_run:
            result = imp.commit(plan)
            if not result.ok:
                _print_errors(result.errors)
                return EXIT_REFUSED
            ic.remember(store.settings, store.data_dir, loaded, mapping)
        if args.json:
            _print_json({
                "file": path.name, "header_row": loaded.header.row + 1, "mapping": {str(c + 1): k for c, k in
                                                                                   sorted(mapping.items())},
                "remembered": loaded.remembered, "counts": counts, "dry_run": args.dry_run,
                "rejected": [{"line": r.line, "reason": r.reason} for r in plan.rejected],
                "to_merge": [list(p) for p in result.value.to_merge] if result is not None else [],
            })
            return EXIT_OK
        print(f"表头在第 {loaded.header.row + 1} 行{'（跨两行）' if loaded.header.rows == 2 else ''}；"
              f"列对应{'（沿用上次同样格式的文件）' if loaded.remembered else ''}：{shown_map}")
        print("，".join(f"{ic.STATUS[s]} {n:,}" for s, n in counts.items() if n) or "没有数据行")
        if plan.rejected:
            print(table(["行号", "姓名", "证件号码", "原因"],
                        [[r.line, r.name, r.shown_id, r.reason] for r in plan.rejected[:20]], max_width=200))
            if len(plan.rejected) > 20:
                print(f"……共 {len(plan.rejected):,} 行未通过" + ("" if written else "，用 --errors 文件.xlsx 导出全部"))
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


COMMANDS["import"] = cmd_import
