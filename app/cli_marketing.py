"""``branchdesk check-text FILE|-``: the marketing-language checker, headless.

Reads a script or note (a file, or ``-`` for standard input, UTF-8), prints each
blocked or warned word with the words around it and the rule, and exits 1 when the
text may not go to a client (a blocked word, or a wealth text without its risk
line), 0 otherwise (warnings are printed; a person confirms them). The list in
force is head office's once this PC has synced one, else the one shipped.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    ct = sub.add_parser("check-text", parents=[common], help="检查面向客户的文字（话术、备注）是否含禁用词、慎用词")
    ct.add_argument("file", metavar="文件", help="文本文件（UTF-8），或 - 表示从标准输入读取")
    ct.add_argument("--wealth", action="store_true", help="理财产品材料：须含风险提示语")
    ct.add_argument("--json", action="store_true", help="输出 JSON")


def _word_list(args: argparse.Namespace):
    """Head office's list from this PC's database when there is one that opens, else the shipped one."""
    from app.cli import _data_dir
    from app.services.compliance import default_word_list, word_list
    from app.store.config import DB_FILENAME
    from app.store.errors import StoreError

    folder = _data_dir(args)
    if not (folder / DB_FILENAME).exists():
        return default_word_list()
    try:
        from app.store.store import Store

        db = Store.open(folder).connect(readonly=True)
    except StoreError:
        return default_word_list()
    try:
        return word_list(db)
    finally:
        db.close()


def cmd_check_text(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_json
    from app.core.compliance import blocked, check_text, highlight

    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as fh:
                text = fh.read()
    except FileNotFoundError:
        _err(f"错误：文件 {args.file} 不存在。")
        return EXIT_USAGE
    except UnicodeDecodeError:
        _err(f"错误：文件 {args.file} 不是 UTF-8 文本，请另存为 UTF-8 后再检查。")
        return EXIT_USAGE
    except OSError as exc:
        _err(f"错误：无法读取 {args.file}（{exc.strerror or exc}）。")
        return EXIT_USAGE
    words = _word_list(args)
    found = check_text(text, words, wealth=args.wealth)
    stop = blocked(found)
    if args.json:
        _print_json({"version": words.version, "blocked": stop,
                     "findings": [{"word": f.word, "level": f.level, "start": f.start, "message": f.message,
                                   "context": highlight(text, f)} for f in found]})
        return EXIT_REFUSED if stop else EXIT_OK
    levels = {"block": "禁用", "warn": "慎用", "missing_risk_line": "缺风险提示"}
    for f in found:
        print(f"{levels.get(f.level, f.level)}  {highlight(text, f)}")
        print(f"      {f.message}")
    if stop:
        print(f"不能用于客户：含禁用词或缺少风险提示（词表 {words.version}）。")
    elif found:
        print(f"可以使用，但有 {len(found)} 处需确认的表述（词表 {words.version}）。")
    else:
        print(f"未发现禁用词或慎用词（词表 {words.version}，{len(text)} 字）。")
    return EXIT_REFUSED if stop else EXIT_OK


COMMANDS = {"check-text": cmd_check_text}
