"""Returned worksheets, headless: ``branchdesk sheets show`` and ``sheets key`` (回录).

    branchdesk sheets show NUMBER [--json]
    branchdesk sheets key NUMBER --row N --outcome "32 1215" [--note …]
    branchdesk sheets key NUMBER --from FILE|-        # one "ROW CODE" per line

NUMBER is the sheet number printed on every page (``M261202-0001``), or what a scanner
reads from any row's QR code (``M261202-0001:17``, which also names the row). A row is keyed
as ``方式 结果 [月日]``: the digits beside the ticked boxes, and the next follow-up date if
one was written (``32 1215``: by phone, interested, next on 15 December); ``0`` for a row
that was not visited. Keying a row that was keyed before changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

COMMANDS: dict[str, Any] = {}

KINDS = {"marketing": "营销工作单", "followups": "跟进工作单", "whitelist": "白名单走访工作单"}


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    sh = sub.add_parser("sheets", parents=[common], help="回录纸质工作单：查看、逐行录入结果")
    ss = sh.add_subparsers(dest="sheets_command", metavar="操作", required=True)
    show = ss.add_parser("show", parents=[common], help="工作单的每一行：已回录、未回录、已失效")
    show.add_argument("number", metavar="工作单号", help="如 M261202-0001，或扫描任一行二维码所得")
    show.add_argument("--json", action="store_true", help="输出 JSON")
    key = ss.add_parser("key", parents=[common], help="录入一行（或一批）结果，写入触达与跟进记录")
    key.add_argument("number", metavar="工作单号", help="如 M261202-0001，或扫描所得 M261202-0001:17")
    key.add_argument("--row", type=int, metavar="行号", help="第几行（扫描所得已含行号时可省略）")
    key.add_argument("--outcome", metavar="结果", help="方式 结果 [月日]，如 32 或 \"32 1215\"；未走访填 0")
    key.add_argument("--note", default="", metavar="备注", help="跟进情况的文字")
    key.add_argument("--from", dest="source", metavar="文件", help="逐行“行号 结果”的文件，- 为标准输入")


def _lines(source: str) -> list[str]:
    if source == "-":
        return sys.stdin.read().splitlines()
    with open(source, encoding="utf-8-sig") as f:
        return f.read().splitlines()


def cmd_sheets(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, signed_in
    from app.core.sheets import parse_scan
    from app.services.sheets import KeyingService
    from sync.terminal import table

    scanned = parse_scan(args.number)
    if scanned is None:
        _err(f"错误：“{args.number}”不是工作单号（如 M261202-0001）。")
        return EXIT_USAGE
    number, scanned_row = scanned

    if args.sheets_command == "show":
        def show(svc: KeyingService, _store) -> int:
            view = svc.open(number)
            if not hasattr(view, "rows"):
                _print_errors([view])
                return EXIT_REFUSED
            if args.json:
                print(json.dumps({"number": view.number, "kind": view.kind, "title": view.title,
                                  "manager": view.manager, "campaign": view.campaign, "printed_at": view.printed_at,
                                  "rows": [{"row": r.row, "client": r.client_name, "village": r.village,
                                            "keyed": r.keyed, "keyed_at": r.keyed_at, "stale": r.stale}
                                           for r in view.rows]}, ensure_ascii=False, indent=1))
                return EXIT_OK
            print(f"{view.title}  {view.number}  客户经理：{view.manager_name}（{view.manager}）"
                  f"  打印于 {view.printed_at}")
            print(table(["行", "客户", "村", "回录"],
                        [[r.row, r.client_name, r.village,
                          r.keyed or (f"已失效：{r.stale}" if r.stale else "—")] for r in view.rows]))
            left = len(view.rows) - view.keyed
            print(f"共 {len(view.rows)} 行：已回录 {view.keyed} 行，未回录 {left} 行"
                  + (f"（其中 {view.stale} 行已失效）" if view.stale else "") + "。")
            return EXIT_OK

        return signed_in(args, KeyingService, show)

    if args.source:
        if args.row or args.outcome:
            _err("错误：--from 与 --row/--outcome 不能同时使用。")
            return EXIT_USAGE
        try:
            lines = _lines(args.source)
        except FileNotFoundError:
            _err(f"错误：文件 {args.source} 不存在。")
            return EXIT_USAGE
        except PermissionError:
            _err(f"错误：没有读取 {args.source} 的权限。")
            return EXIT_USAGE
        except OSError as exc:
            _err(f"错误：无法读取 {args.source}（{exc.strerror or type(exc).__name__}）。")
            return EXIT_USAGE
        except UnicodeDecodeError:
            _err(f"错误：{args.source} 不是 UTF-8 文本。")
            return EXIT_USAGE
        batch: list[tuple[int, str]] = []
        for n, line in enumerate(lines, 1):
            parts = line.split(maxsplit=1)
            if not parts or line.lstrip().startswith("#"):
                continue
            if not parts[0].isdigit() or len(parts) < 2:
                _err(f"错误：第 {n} 行应为“行号 结果”，如 “3 32 1215”，实际为“{line.strip()}”。")
                return EXIT_USAGE
            batch.append((int(parts[0]), parts[1]))
    else:
        row = args.row or scanned_row
        if row is None or not args.outcome:
            _err("错误：请给出 --row 行号（或扫描所得的带行号的工作单号）和 --outcome 结果。")
            return EXIT_USAGE
        batch = [(row, args.outcome)]

    def key(svc: KeyingService, _store) -> int:
        refused = 0
        for row, code in batch:
            result = svc.key(number, row, code, note=args.note)
            if not result.ok:
                refused += 1
                _print_errors(result.errors)
                continue
            k = result.value
            then = "（此前已回录，未重复录入）" if k.again else "，已记入日志，待同步。" if k.wrote else "，已记下。"
            print(f"第 {k.row} 行：{k.text}{then}")
        return EXIT_REFUSED if refused else EXIT_OK

    return signed_in(args, KeyingService, key, writes=True)


COMMANDS["sheets"] = cmd_sheets
