"""The ``branchdesk`` command: the desktop app by default, headless jobs as subcommands.

Every screen has a headless twin here, going through the same services (and
so the same permission checks, validation, journal and audit) as the GUI.
Exit codes: 0 done; 1 refused (validation, permission, a failed check);
2 usage error; 3 the database cannot be used (missing, locked, damaged, key).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from app import __version__
from sync.terminal import chinese_argparse, row

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3

log = logging.getLogger("app.cli")


def _data_dir(args: argparse.Namespace) -> Path:
    from app.store.config import default_data_dir

    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _print_json(obj: Any) -> None:
    def default(o: Any) -> Any:
        if isinstance(o, date):
            return o.isoformat()
        if isinstance(o, bytes):
            return o.hex()
        raise TypeError(type(o))

    print(json.dumps(obj, ensure_ascii=False, indent=2, default=default))


# --- parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    chinese_argparse()
    p = argparse.ArgumentParser(
        prog="branchdesk",
        description="BranchDesk 网点工作台。不带子命令时打开桌面程序。",
    )
    p.add_argument("--version", action="version", version=f"BranchDesk {__version__}", help="显示版本号并退出")
    # Options valid before or after the subcommand. SUPPRESS: a subcommand that was not
    # given the option must not overwrite the value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="数据目录（默认：系统的用户数据目录）"
    )
    common.add_argument(
        "--user", metavar="工号", default=argparse.SUPPRESS, help="以哪位员工身份操作（默认：设置中的默认员工）"
    )
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="日志记录更详细")
    # The same options on the top level, for the GUI.
    p.add_argument("--data-dir", metavar="DIR", help="数据目录（默认：系统的用户数据目录）")
    p.add_argument("--user", metavar="工号", help=argparse.SUPPRESS)
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--self-check", action="store_true", help="自检：加密数据库、翻译、中文 PDF，通过则退出码为 0")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="界面语言（默认 zh_CN）")
    sub = p.add_subparsers(dest="command", metavar="命令")

    d = sub.add_parser("demo", parents=[common], help="创建演示县的数据库")
    d.add_argument("--clients", type=int, default=5000, metavar="N", help="客户数量（默认 5000）")
    d.add_argument("--seed", type=int, default=2026, metavar="S", help="随机种子（同一种子生成相同数据）")
    once = d.add_mutually_exclusive_group()
    once.add_argument("--force", action="store_true", help="重建已有的演示数据库（其中的修改和登记会丢失）")
    once.add_argument("--if-missing", action="store_true", help="已有演示数据库时保留它，不做任何事")

    shots = sub.add_parser("screenshots", parents=[common], help="重新截取客户视图的界面截图（离屏）")
    shots.add_argument("outdir", metavar="OUTDIR", help="截图保存目录")
    shots.add_argument("--lang", dest="shots_lang", choices=["zh_CN", "en"], help="界面语言（默认 zh_CN）")
    vil = sub.add_parser("villages", parents=[common], help="列出乡镇和村及其村编码（同名村用“乡镇+村”区分）")
    vil.add_argument("--search", default="", metavar="TEXT", help="村名、乡镇名或村编码")
    vil.add_argument("--json", action="store_true")
    doc = sub.add_parser("doctor", parents=[common], help="检查数据库、凭据存储、资源和磁盘")
    doc.add_argument("--full", action="store_true", help="做完整的 integrity_check（较慢）")
    doc.add_argument("--json", action="store_true")

    init = sub.add_parser("init", parents=[common], help="创建空的正式数据库（密钥存入系统凭据存储）")
    init.add_argument(
        "--allow-key-file",
        action="store_true",
        help="本机没有系统凭据存储时，明确同意把密钥保存在仅本人可读的密钥文件中",
    )

    b = sub.add_parser("backup", parents=[common], help="立即备份数据库")
    b.add_argument("--list", action="store_true", help="列出已有备份")
    r = sub.add_parser("restore", parents=[common], help="用备份文件恢复数据库")
    r.add_argument("file", nargs="?", help="备份文件；省略时使用最近一份完好的备份")
    r.add_argument("--yes", action="store_true", help="不再询问确认")
    r.add_argument("--discard-unsent", action="store_true",
                   help="放弃当前数据库中尚未发送到总行、且不在备份中的变更（默认拒绝恢复）")

    c = sub.add_parser("clients", parents=[common], help="客户视图")
    csub = c.add_subparsers(dest="clients_command", metavar="操作", required=True)

    ls = csub.add_parser("list", parents=[common], help="查找与列出客户")
    ex = csub.add_parser("export", parents=[common], help="把筛选出的客户导出为 .xlsx 或 .csv（默认脱敏）")
    ex.add_argument("file", type=Path, help="导出文件（.xlsx 或 .csv）")
    ex.add_argument("--unmasked", action="store_true", help="完整导出证件号和手机号（需权限，记入审计）")
    ex.add_argument("--names", choices=["masked", "clear"], default="masked",
                    help="个人客户姓名：masked 脱敏（张*伟，默认），clear 完整")
    for sp in (ls, ex):
        sp.add_argument("--search", default="", metavar="TEXT", help="姓名、村名、手机尾号、证件尾号、客户编号")
        sp.add_argument("--tag", action="append", default=[], metavar="TAG", help="同时具有这些标签（可重复）")
        sp.add_argument("--any-tag", action="append", default=[], metavar="TAG", help="具有其中任一标签")
        sp.add_argument("--village", action="append", default=[], metavar="V", help="村名或村编码（可重复）")
        sp.add_argument("--segment", action="append", default=[], metavar="SEG", help="客群，如 农户 / farmer")
        sp.add_argument("--lifecycle", action="append", default=[], metavar="STAGE", help="生命周期阶段")
        sp.add_argument(
            "--sort",
            default="name",
            choices=["name", "village", "tier", "aum", "last_contact", "lifecycle", "manager", "id"],
        )
    ls.add_argument("--desc", action="store_true", help="倒序")
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示几位（默认 50）")
    ls.add_argument("--offset", type=int, default=0, metavar="N", help="从第几位之后开始（默认 0）")
    ls.add_argument("--json", action="store_true", help="输出 JSON")

    sh = csub.add_parser("show", parents=[common], help="查看一位客户")
    sh.add_argument("id", metavar="客户", help="编号（如 1491）或核心客户号（如 CQ2600001491）")
    sh.add_argument(
        "--reveal", action="append", choices=["id_number", "mobile"], default=[], help="显示完整号码（需权限，留痕）"
    )
    sh.add_argument("--history", action="store_true", help="同时显示修改历史")
    sh.add_argument("--json", action="store_true")

    fields = _client_field_options()
    add = csub.add_parser("add", parents=[common], help="新建客户（潜在客户建档）")
    ed = csub.add_parser("edit", parents=[common], help="修改客户信息")
    ed.add_argument("id", metavar="客户", help="编号（如 1491）或核心客户号（如 CQ2600001491）")
    ed.add_argument("--expected-version", type=int, metavar="版本", help="只在客户仍是此版本时修改")
    for sp in (add, ed):
        for flag, dest, label in fields:
            sp.add_argument(flag, dest=f"f_{dest}", metavar="值", help=label)
    rm = csub.add_parser("delete", parents=[common], help="删除客户（保留删除记录以便同步）")
    rm.add_argument("id", metavar="客户", help="编号（如 1491）或核心客户号（如 CQ2600001491）")
    rm.add_argument("--yes", action="store_true", help="不再询问确认")

    from app import cli_import, cli_marketing, cli_reports, cli_scenarios, cli_sheets, cli_whitelist

    cli_whitelist.add_parsers(sub, common)
    cli_marketing.add_parsers(sub, common)
    cli_marketing.add_campaign_parsers(sub, common)
    cli_marketing.add_print_parsers(sub, common)
    cli_sheets.add_parsers(sub, common)
    cli_scenarios.add_parsers(sub, common)
    cli_import.add_parsers(sub, common)
    cli_reports.add_parsers(sub, common)
    _COMMANDS.update(cli_reports.COMMANDS)  # 'report': dispatched as the commands defined here

    sy = sub.add_parser("sync", parents=[common], help="与总行同步：先上传本地变更，再下载总行数据")
    sy.add_argument("--watch", type=float, metavar="分钟", help="持续运行：每隔若干分钟同步一次，失败时按退避间隔重试")
    sy.add_argument("--page-size", type=int, default=20_000, help=argparse.SUPPRESS)
    sy.add_argument("--push-batch", type=int, default=500, help=argparse.SUPPRESS)
    sy.add_argument("--quiet", action="store_true", help="不显示进度")
    ssub = sy.add_subparsers(dest="sync_command", metavar="子命令")
    en = ssub.add_parser("enrol", parents=[common], help="用总行给的一次性注册码注册本机")
    en.add_argument("server", help="总行同步服务地址，如 https://sync.bank.local")
    en.add_argument("code", help="一次性注册码")
    en.add_argument("--name", default="", help="本机名称（默认：计算机名）")
    en.add_argument("--proxy", help="HTTP(S) 代理，如 http://proxy.bank.local:8080")
    en.add_argument("--ca-bundle", help="总行服务证书的 CA 证书文件（PEM）")
    st = ssub.add_parser("status", parents=[common], help="同步设置、待上传数量、冲突与最近的同步记录")
    st.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    cf = ssub.add_parser("conflicts", parents=[common],
                         help="列出待人工复核的同步冲突（证件号、手机号已脱敏），或处理一条")
    cf.add_argument("action", nargs="?", choices=["resolve"],
                    help="resolve 处理一条冲突（记入变更与审计，下次同步上传）")
    cf.add_argument("conflict_id", nargs="?", help="冲突编号（见列表）")
    decide = cf.add_mutually_exclusive_group()
    decide.add_argument("--keep", choices=["mine", "theirs"], help="mine 保留本网点的值；theirs 采用总行的值")
    decide.add_argument("--value", metavar="值", help="采用人工合并后的值（按该字段的规则检查）")
    cf.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    qa = ssub.add_parser("quarantine", parents=[common],
                         help="被总行拒绝的修改：查看原因、更正后重新上传、原样重新上传或放弃")
    qa.add_argument("action", nargs="?", choices=["fix", "retry", "discard"],
                    help="fix 更正被拒绝的值后重新上传（记入审计）；retry 原样重新上传；discard 放弃（记入审计）")
    qa.add_argument("change_id", nargs="?", help="变更编号（见列表）")
    qa.add_argument("--set", action="append", default=[], dest="set_values", metavar="字段=值",
                    help="fix 时更正一个字段：字段名或中文名=更正后的值，如 --set 所属村=厚坪乡青泉村；可重复")
    qa.add_argument("--yes", action="store_true", help="放弃时不再询问确认")
    qa.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    eb = ssub.add_parser("export-bundle", parents=[common],
                         help="无网络时：把待上传的修改导出为加密签名的离线包，带到联网电脑或总行导入")
    eb.add_argument("file", type=Path, help="离线包文件，如 E:\\巴山网点-0001.bdbundle")
    ib = ssub.add_parser("import-bundle", parents=[common],
                         help="导入总行生成的回执包：确认上传结果、补齐总行数据并核对")
    ib.add_argument("file", type=Path, help="回执包文件")
    rb = ssub.add_parser("relay-bundle", parents=[common],
                         help="在联网的电脑上：把别的电脑带来的离线包交给总行，写出回执包带回")
    rb.add_argument("file", type=Path, help="带来的离线包文件")
    rb.add_argument("--reply", type=Path, help="回执包写到哪里（默认与离线包同一文件夹，文件名加“-回执”）")
    return p


def _client_field_options() -> list[tuple[str, str, str]]:
    """One option per client field, from the kind's declaration: a reference (village, manager)
    is given by its name or code under its wire name."""
    from app.core.client import CLIENT_FIELDS, CLIENT_KIND

    out = []
    for name, spec in CLIENT_FIELDS.items():
        col = CLIENT_KIND.by_local.get(name)
        if col is not None and col.local_ref:
            out.append((f"--{col.name}", col.name, f"{spec.label}（名称或编码）"))
        elif name.endswith("_fen"):
            # stored in 分, typed in 元: the option says the unit it takes
            flag = f"--{name.removesuffix('_fen').replace('_', '-')}-yuan"
            out.append((flag, name, f"{spec.label}，单位元：如 12,345.67、5000元、1.5万、3万元"))
        else:
            hint = "，逗号分隔（整体替换）" if name == "tags" else ""
            out.append((f"--{name.replace('_', '-')}", name, spec.label + hint))
    return out


# --- helpers that need the store ----------------------------------------------------


def _open_store(args: argparse.Namespace):
    from app.store.store import Store

    return Store.open(_data_dir(args))


def _staff(args: argparse.Namespace, db, settings) -> Any:
    """Who is running this command, with their PIN checked where one is set."""
    from app.core.errors import FieldError
    from app.services import auth

    code = args.user or os.environ.get("BRANCHDESK_USER") or settings.default_user
    if not code:
        return FieldError("user", "员工", "required", "请用 --user 指定员工号（或设置 BRANCHDESK_USER）。")
    found = auth.load_staff(db, code)
    if found is None:
        return FieldError("user", "员工", "unknown", f"员工号 {code} 不在本网点名册中。")
    staff, pin_hash = found
    if pin_hash is None:
        if settings.demo:
            return staff
        return FieldError("pin", "PIN", "required", f"员工 {code} 尚未设置 PIN，请先在桌面程序中登录并设置。")
    pin = os.environ.get("BRANCHDESK_PIN")
    if pin is None and sys.stdin.isatty():
        pin = getpass.getpass(f"员工 {code} 的 PIN：")
    if not pin:
        return FieldError("pin", "PIN", "required", "需要 PIN（交互输入，或设置 BRANCHDESK_PIN）。")
    return auth.sign_in(db, code, pin)


def _print_errors(errors) -> None:
    for e in errors:
        _err(f"错误：{e.message}")


# --- commands -----------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from app.services.demo import DemoExistsError, create_demo
    from app.store.config import DB_FILENAME, Settings

    last = [0]

    def progress(done: int, total: int) -> None:
        if done - last[0] >= max(total // 20, 1) or done == total:
            last[0] = done
            print(f"\r  已生成 {done:,} / {total:,} 位客户", end="", file=sys.stderr, flush=True)

    data_dir = _data_dir(args)
    if args.if_missing and (data_dir / DB_FILENAME).exists() and Settings.load(data_dir).demo:
        print(f"已有演示数据库，保留不变：{data_dir}")
        return EXIT_OK
    try:
        result = create_demo(data_dir, n_clients=args.clients, seed=args.seed, progress=progress,
                             replace=args.force)
    except DemoExistsError as exc:
        _err(f"错误：{exc.message}")
        return EXIT_REFUSED
    _start_logging(result.data_dir, args)
    print(file=sys.stderr)
    print(
        f"演示县数据库已创建：{result.clients:,} 位客户，用时 {result.seconds:.1f} 秒"
        f"（{result.rate:,.0f} 位/秒），文件 {result.file_bytes / 1e6:.1f} MB。"
    )
    print(f"数据目录：{result.data_dir}")
    print(f"默认员工：{result.default_user}（网点负责人）。运行 branchdesk 打开桌面程序。")
    return EXIT_OK


def cmd_screenshots(args: argparse.Namespace) -> int:
    from app.ui.screenshots import take

    for path in take(_data_dir(args), Path(args.outdir), lang=args.shots_lang or args.lang or "zh_CN"):
        print(path)
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.services.doctor import FAIL, run_checks

    checks = run_checks(_data_dir(args), full=args.full)
    if args.json:
        _print_json([asdict(c) for c in checks])
    else:
        marks = {"ok": "通过", "warn": "注意", "fail": "失败", "info": "信息"}
        for c in checks:
            print(f"[{marks[c.status]}] {c.name}：{c.detail}")
    failed = [c for c in checks if c.status == FAIL]
    if not args.json:
        print("检查结果：" + ("全部通过。" if not failed else f"{len(failed)} 项失败。"))
    return EXIT_REFUSED if failed else EXIT_OK


def cmd_villages(args: argparse.Namespace) -> int:
    """Reference data only (no personal data): no sign-in."""
    from collections import Counter

    from app.store.reference import ReferenceData

    store = _open_store(args)
    db = store.connect(readonly=True)
    try:
        ref = ReferenceData(db)
        found = ref.find_villages(args.search) if args.search.strip() else list(ref.villages.values())
        same = Counter(v.name for v in ref.villages.values())
        rows = sorted(found, key=lambda v: v.code)
        if args.json:
            _print_json([{"code": v.code, "township": ref.township_name(v), "village": v.name,
                          "full_name": ref.full_name(v), "groups": v.groups, "same_name": same[v.name]}
                         for v in rows])
            return EXIT_OK
        if not rows:
            _err(f"没有找到村：{args.search}。")
            return EXIT_REFUSED
        print(f"共 {len(rows)} 个村（“同名”的村在 --village 中写成 乡镇+村，或用村编码）")
        widths = (12, 10, 10, 4)
        print(row(("村编码", "乡镇", "村", "组数"), widths, left=3))
        for v in rows:
            mark = f"  同名 {same[v.name]} 个" if same[v.name] > 1 else ""
            print(row((v.code, ref.township_name(v), v.name, str(v.groups)), widths, left=3) + mark)
        return EXIT_OK
    finally:
        db.close()


def cmd_init(args: argparse.Namespace) -> int:
    from app.store.config import DB_FILENAME
    from app.store.store import Store

    data_dir = _data_dir(args)
    if (data_dir / DB_FILENAME).exists():
        _err(f"数据目录 {data_dir} 中已有数据库，未做任何修改。")
        return EXIT_REFUSED
    store = Store.open(data_dir, create=True, allow_keyfile=args.allow_key_file)
    _start_logging(data_dir, args)
    print(f"已创建加密数据库：{store.path}（密钥来源：{store.settings.key_source}）")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    store = _open_store(args)
    if args.list:
        for b in store.backups():
            print(f"{b.path.name}\t{b.reason}\t{b.size / 1e6:.1f} MB")
        return EXIT_OK
    path = store.backup("manual")
    print(f"已备份：{path}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.store.errors import BackupUnusableError, UnsentChangesError
    from app.store.store import Store

    data_dir = _data_dir(args)
    store = Store.locate(data_dir)
    if args.file:
        source = Path(args.file)
    else:
        newest = store.newest_good_backup()
        if newest is None:
            _err("没有找到可用于恢复的完好备份。")
            return EXIT_REFUSED
        source = newest.path
    if not args.yes:
        if not sys.stdin.isatty():
            _err("恢复会替换当前数据库。请加 --yes 确认。")
            return EXIT_REFUSED
        answer = input(f"用 {source.name} 替换当前数据库？当前数据库会先另存为备份。[y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("已取消。")
            return EXIT_REFUSED
    try:
        saved = store.restore(source, discard_unsent=args.discard_unsent, by=args.user or "")
    except (UnsentChangesError, BackupUnusableError) as exc:
        _err(f"错误：{exc.message}")
        return EXIT_REFUSED
    print(f"已从 {source.name} 恢复。" + (f"原数据库已另存为 {saved.name}。" if saved else ""))
    return EXIT_OK


def _resolve_filter(svc, args: argparse.Namespace):
    from app.core.client import Lifecycle, Segment
    from app.core.errors import FieldError
    from app.store.search import ClientFilter

    errors: list[FieldError] = []

    def tags(names: list[str]) -> tuple[int, ...]:
        out = []
        for n in names:
            t = svc.ref.find_tag(n)
            if t is None:
                errors.append(FieldError("tag", "标签", "unknown", f"标签不存在：{n}。"))
            else:
                out.append(t.id)
        return tuple(out)

    villages: list[int] = []
    for v in args.village:
        found = svc.ref.find_villages(v)
        if not found:
            errors.append(FieldError("village", "村", "unknown", f"村不存在：{v}。"))
        villages += [x.id for x in found]

    def enum(cls, values: list[str], label: str) -> tuple[str, ...]:
        out = []
        for v in values:
            match = [m for m in cls if v in (m.value, m.label)]
            if not match:
                errors.append(FieldError(label, label, "choice", f"{label}不存在：{v}。"))
            else:
                out.append(match[0].value)
        return tuple(out)

    f = ClientFilter(
        text=args.search,
        tags_all=tags(args.tag),
        tags_any=tags(args.any_tag),
        village_ids=tuple(villages),
        segments=enum(Segment, args.segment, "客群"),
        lifecycles=enum(Lifecycle, args.lifecycle, "生命周期"),
    )
    return f, errors


def signed_in(args: argparse.Namespace, make: Any, fn: Any, *, writes: bool = False) -> int:
    """Open the data folder's database, sign the person in (their PIN where one is set), build
    the service with ``make(db, staff)`` and return ``fn(service, store)``. A command that
    writes takes the day's restore point before the day's first change. Main thread."""
    from app.core.errors import FieldError

    store = _open_store(args)
    store.check_if_due()
    if writes:
        store.backup_if_due()
    db = store.connect()
    try:
        staff = _staff(args, db, store.settings)
        if isinstance(staff, FieldError):
            _print_errors([staff])
            return EXIT_REFUSED
        return fn(make(db, staff), store)
    finally:
        db.close()


def _with_service(args: argparse.Namespace, fn) -> int:
    from app.core.errors import FieldError
    from app.services.clients import ClientService

    def run(svc: ClientService, store) -> int:
        if isinstance(getattr(args, "id", None), str):
            resolved = svc.resolve(args.id)
            if isinstance(resolved, FieldError):
                _print_errors([resolved])
                return EXIT_REFUSED
            args.id = resolved
        return fn(svc, store)

    return signed_in(args, ClientService, run, writes=args.clients_command in ("add", "edit", "delete"))


def cmd_clients(args: argparse.Namespace) -> int:
    return _with_service(args, lambda svc, store: _CLIENT_COMMANDS[args.clients_command](svc, args))


def _list(svc, args: argparse.Namespace) -> int:
    from app.core.errors import FieldError
    from app.core.money import format_yuan

    f, errors = _resolve_filter(svc, args)
    if errors:
        _print_errors(errors)
        return EXIT_REFUSED
    total = svc.count(f)
    if isinstance(total, FieldError):
        _print_errors([total])
        return EXIT_REFUSED
    rows = svc.page(f, sort=args.sort, descending=args.desc, offset=args.offset, limit=args.limit, total=total)
    if args.json:
        _print_json({"total": total, "offset": args.offset, "rows": [asdict(r) for r in rows]})
        return EXIT_OK
    print(f"共 {total:,} 位客户" + (f"，显示第 {args.offset + 1}–{args.offset + len(rows)} 位" if rows else ""))
    for r in rows:
        print(
            f"{r.id:>8}  {r.name:<8}\t{r.township}{r.village}{r.group_name or ''}\t"
            f"{r.mobile or '-':<11}  {r.id_number or '-':<18}  资产 {format_yuan(r.aum_fen):>14} 元\t"
            f"{','.join(r.tags)}"
        )
    return EXIT_OK


def _show(svc, args: argparse.Namespace) -> int:
    from app.core.errors import FieldError
    from app.core.money import format_yuan

    detail = svc.get(args.id)
    if isinstance(detail, FieldError):
        _print_errors([detail])
        return EXIT_REFUSED
    c = detail.client
    revealed: dict[str, str] = {}
    for field in args.reveal:
        value = svc.reveal(args.id, field)
        if isinstance(value, FieldError):
            _print_errors([value])
            return EXIT_REFUSED
        revealed[field] = value
    from dataclasses import replace

    c = replace(c, **revealed)
    history = svc.history(args.id) if args.history else []
    if args.json:
        out = asdict(c)
        out.update(
            village=detail.village,
            township=detail.township,
            manager=detail.manager,
            tag_names=list(detail.tag_names),
            tier=int(c.tier),
        )
        if args.history:
            out["history"] = [
                {**{k: v for k, v in asdict(h).items() if k != "fields"},
                 "fields": [asdict(f) for f in h.fields]} for h in history
            ]
        _print_json(out)
        return EXIT_OK
    lines = [
        ("客户", f"{c.name}（{c.kind.label}，编号 {c.id}，核心客户号 {c.client_no or '未开户'}）"),
        ("证件号码", c.id_number or "-"),
        ("手机号", c.mobile or "-"),
        ("地址", f"{detail.township}{detail.village}{c.group_name or ''} {c.address or ''}".strip()),
        ("客群 / 层级", f"{c.segment.label} / {c.tier.label}"),
        (
            "资产 / 存款 / 贷款",
            f"{format_yuan(c.aum_fen)} / {format_yuan(c.deposit_fen)} / {format_yuan(c.loan_fen)} 元",
        ),
        ("手机银行", ("已签约" if c.mb_signed else "未签约") + ("，月活" if c.mb_active else "")),
        ("生命周期", c.lifecycle.label + ("，潜力客户" if c.potential else "")),
        ("管户客户经理", detail.manager or "-"),
        (
            "营销授权",
            {None: "未知", True: "同意", False: "拒绝"}[c.consent]
            + (f"（{c.consent_date}，{c.consent_channel.label}）" if c.consent and c.consent_channel else ""),
        ),
        ("标签", "，".join(detail.tag_names) or "-"),
        ("最近联系", str(c.last_contact or "-")),
        ("备注", c.notes or "-"),
        ("版本", str(c.version)),
    ]
    for k, v in lines:
        print(f"{k}：{v}")
    if args.history:
        print("变更记录：" if history else "变更记录：无")
    for h in history:
        print(f"  {h.time}  {h.author}  {h.op}（{h.state}）{'：' + h.summary if h.op == '修改' else ''}")
    return EXIT_OK


def _field_values(args: argparse.Namespace) -> dict[str, str]:
    return {k[2:]: v for k, v in vars(args).items() if k.startswith("f_") and v is not None}


def _add(svc, args: argparse.Namespace) -> int:
    result = svc.add(_field_values(args))
    if not result.ok:
        _print_errors(result.errors)
        return EXIT_REFUSED
    print(f"已新建客户 {result.value.id}：{result.value.name}")
    return EXIT_OK


def _edit(svc, args: argparse.Namespace) -> int:
    values = _field_values(args)
    if not values:
        _err("没有要修改的字段。用 branchdesk clients edit --help 查看可修改的字段。")
        return EXIT_USAGE
    result = svc.edit(args.id, values, expected_version=args.expected_version)
    if not result.ok:
        _print_errors(result.errors)
        return EXIT_REFUSED
    if not result.changes:
        print(f"客户 {args.id} 的这些字段本来就是这样，没有修改。")
        return EXIT_OK
    print(f"已修改客户 {result.value.id}（版本 {result.value.version}）。")
    return EXIT_OK


def _delete(svc, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            _err("删除需要确认：请加 --yes。")
            return EXIT_REFUSED
        if input(f"删除客户 {args.id}？[y/N] ").strip().lower() not in ("y", "yes", "是"):
            print("已取消。")
            return EXIT_REFUSED
    result = svc.delete(args.id)
    if not result.ok:
        _print_errors(result.errors)
        return EXIT_REFUSED
    print(f"已删除客户 {args.id}（保留删除记录，同步后总行可见）。")
    return EXIT_OK


_RUN_STATUS = {"synced": "已同步（总行已确认）", "unconfirmed": "未确认", "failed": "失败", "cancelled": "已取消",
               "running": "进行中", "interrupted": "中断"}


def _print_status(st) -> None:
    """``sync status`` for a person (``--json`` prints the same as data)."""
    if st.enrolled:
        print(f"本机：已注册到 {st.server}，网点 {st.branch}，设备 {st.device}"
              + (f"（县域设备：只读同步区县 {st.county} 的所有网点）" if st.county else ""))
    else:
        print("本机：尚未注册到总行（branchdesk sync enrol 地址 注册码）")
    print(f"待上传 {st.pending:,}；被总行拒绝 {st.quarantined:,}；总行数据不符合规范已隔离 {st.rejected:,}；"
          f"待复核冲突 {st.open_conflicts:,}；游标 {st.cursor:,}")
    last = _RUN_STATUS.get(st.last_status or "", "从未同步")
    confirmed = (st.last_confirmed or "")[:16].replace("T", " ") or "从未"
    print(f"上次同步：{last}；上次总行确认：{confirmed}")
    if st.upgrade_waiting:
        print(f"新版本 {st.release} 已由银行 IT 发布，等待安装（本机为 {st.running}；程序不会自行更新）。")
    if st.recent:
        print("最近的同步：")
        widths = (16, 20, 6, 8, 4, 4, 7)
        print("  " + row(("开始时间", "结果", "上传", "下载", "冲突", "隔离", "流量KB"), widths) + "  问题")
        for r in st.recent:
            kb = (r["bytes_up"] + r["bytes_down"]) / 1024
            cells = ((r["started_at"] or "")[:16].replace("T", " "), _RUN_STATUS.get(r["status"], r["status"]),
                     f"{r['pushed']:,}", f"{r['pulled']:,}", str(r["conflicts"]), str(r["quarantined"]), f"{kb:,.0f}")
            print("  " + row(cells, widths) + f"  {r['error'] or ''}")


def _resolve_conflict(args: argparse.Namespace, review) -> int:
    """``sync conflicts resolve ID --keep mine|theirs | --value TEXT``: a journaled, audited decision."""
    from app.core.errors import FieldError
    from app.services.history import value_text
    from app.services.sync_review import DECISIONS, MERGED
    from sync.protocol.kinds import KINDS

    if not args.conflict_id:
        _err("请给出冲突编号（见 branchdesk sync conflicts 的列表）。")
        return EXIT_USAGE
    if not args.keep and args.value is None:
        _err("请用 --keep mine、--keep theirs 或 --value 值 说明如何处理。")
        return EXIT_USAGE
    detail = review.conflict(args.conflict_id)
    if isinstance(detail, FieldError):
        _print_errors([detail])
        return EXIT_REFUSED
    result = review.resolve(detail.view.id, keep=args.keep, value=args.value)
    if not result.ok:
        _print_errors(result.errors)
        return EXIT_REFUSED
    done = result.value
    if done.decision == MERGED:
        kind = KINDS.get(detail.view.kind)
        col = kind.by_name.get(detail.field) if kind is not None and detail.field else None
        shown = value_text(col, review.typed_value(col, args.value), review.ref) if col is not None else "—"
    else:
        shown = detail.mine.value if done.decision == "mine" else detail.theirs.value
    if args.json:
        _print_json({"id": done.conflict_id, "decision": done.decision, "change_ids": list(done.change_ids),
                     "record": detail.view.record, "field": detail.view.field, "value": shown})
        return EXIT_OK
    print(f"已处理冲突 [{done.conflict_id}] {detail.view.record}  {detail.view.field}：{DECISIONS[done.decision]}"
          f"（{shown}）。")
    print("已记为一项修改，下次同步时上传总行。" if done.change_ids else "本机已是该值，无需修改；已记入审计。")
    return EXIT_OK


def _fix_refused(args: argparse.Namespace, review) -> int:
    """``sync quarantine fix ID --set 字段=值 …``: the refused values corrected, sent again, audited."""
    from app.core.errors import FieldError
    from app.services.history import value_text
    from sync.protocol.kinds import KINDS

    offered = review.fixable(args.change_id)
    if isinstance(offered, FieldError):
        _print_errors([offered])
        return EXIT_REFUSED
    if not args.set_values:
        if args.json:
            _print_json(asdict(offered))
            return EXIT_OK
        print(f"{offered.record}  {offered.change.op}（变更 {offered.change.change_id}）")
        print(f"  原因：{offered.reason}")
        print("可更正的字段（字段名：被拒绝的值；填写说明）：")
        for f in offered.fields:
            print(f"  {f.field}（{f.label}）：{f.refused}" + (f"；{f.hint}" if f.hint else ""))
        _err("请用 --set 字段=值 给出更正后的值，如：branchdesk sync quarantine fix 编号 --set 字段=值。")
        return EXIT_USAGE
    values: dict[str, str] = {}
    for item in args.set_values:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            _err(f"“{item}”不是“字段=值”的写法，如 --set mobile=13800138000。")
            return EXIT_USAGE
        values[name.strip()] = text
    result = review.fix(args.change_id, values)
    if not result.ok:
        _print_errors(result.errors)
        return EXIT_REFUSED
    kind = KINDS[offered.kind]
    by_key = {key: f for f in offered.fields for key in (f.field, f.label)}
    shown = []
    for name, text in values.items():
        col = kind.by_name[by_key[name].field]
        shown.append((col.label, value_text(col, review.typed_value(col, text), review.ref)))
    if args.json:
        _print_json({"change_id": args.change_id, "new_change_id": result.value, "record": offered.record,
                     "fields": [{"field": label, "value": v} for label, v in shown]})
        return EXIT_OK
    print(f"已更正 {offered.record}：" + "；".join(f"{label} {v}" for label, v in shown) + "。")
    print(f"已重新排队上传（新变更 {result.value}），下次同步时发送；已记入审计。")
    return EXIT_OK


def _sync_review(args: argparse.Namespace, store) -> int:
    """``sync conflicts`` and ``sync quarantine [fix|retry|discard ID]``: signed in, masked, audited."""
    from app.core.errors import FieldError
    from app.services.sync_review import SyncReview

    db = store.connect()
    try:
        staff = _staff(args, db, store.settings)
        if isinstance(staff, FieldError):
            _print_errors([staff])
            return EXIT_REFUSED
        review = SyncReview(db, staff)
        if args.sync_command == "conflicts" and args.action == "resolve":
            return _resolve_conflict(args, review)
        if args.sync_command == "conflicts":
            if args.keep or args.value is not None or args.conflict_id:
                _err("处理冲突请写成：branchdesk sync conflicts resolve 编号 --keep mine|theirs 或 --value 值。")
                return EXIT_USAGE
            rows = review.conflicts()
            if isinstance(rows, FieldError):
                _print_errors([rows])
                return EXIT_REFUSED
            if args.json:
                _print_json([asdict(c) for c in rows])
                return EXIT_OK
            print(f"待复核的同步冲突：{len(rows)} 条" if rows else "没有待复核的同步冲突。")
            for c in rows:
                kept = "总行采用了本网点的值" if c.side == "push" else "本机采用了总行的值"
                print(f"  [{c.id}] {c.time}  {c.record}  {c.field}：本网点 {c.mine}；总行 {c.theirs}（{kept}）")
            if rows:
                print("用 branchdesk sync conflicts resolve 编号 --keep mine（保留本网点的值）或 --keep theirs"
                      "（采用总行的值）或 --value 值（合并后的值）处理。")
            return EXIT_OK
        action = args.action
        if action is None:
            items = review.quarantined()
            if isinstance(items, FieldError):
                _print_errors([items])
                return EXIT_REFUSED
            if args.json:
                _print_json([{"change": asdict(q.change), "record": q.record, "reason": q.reason} for q in items])
                return EXIT_OK
            print(f"被总行拒绝的修改：{len(items)} 条" if items else "没有被总行拒绝的修改。")
            for q in items:
                print(f"  [{q.change.change_id}] {q.change.time}  {q.change.author}  {q.record}  "
                      f"{q.change.op}：{q.change.summary}")
                print(f"      原因：{q.reason}")
            if items:
                print("用 branchdesk sync quarantine fix 编号 --set 字段=值 更正后重新上传；"
                      "改正记录后用 branchdesk sync quarantine retry 编号 原样重新上传；"
                      "或用 branchdesk sync quarantine discard 编号 --yes 放弃（恢复为总行的数据）。")
            return EXIT_OK
        if not args.change_id:
            _err("请给出变更编号（见 branchdesk sync quarantine 的列表）。")
            return EXIT_USAGE
        if action == "fix":
            return _fix_refused(args, review)
        if args.set_values:
            _err("--set 只用于 fix：branchdesk sync quarantine fix 编号 --set 字段=值。")
            return EXIT_USAGE
        if action == "discard" and not args.yes:
            _err("放弃一项修改后，该记录将恢复为总行的数据。确认请加 --yes。")
            return EXIT_REFUSED
        result = review.retry(args.change_id) if action == "retry" else review.discard(args.change_id)
        if not result.ok:
            _print_errors(result.errors)
            return EXIT_REFUSED
        print(f"已重新排队上传（新变更 {result.value}），下次同步时发送。" if action == "retry"
              else "已放弃该修改（已记入审计）；下次同步时将取回总行的数据。")
        return EXIT_OK
    finally:
        db.close()


def _sync_bundle(args: argparse.Namespace, store: Any) -> int:
    """``sync export-bundle FILE`` / ``import-bundle FILE`` / ``relay-bundle FILE``: counts only, like a sync run."""
    import time

    from sync.bundle import SUFFIX, BundleError
    from sync.client.bundle import export_bundle, import_reply, relay_bundle
    from sync.client.config import SyncSettings

    path: Path = args.file
    try:
        if args.sync_command == "relay-bundle":
            rr = relay_bundle(store, path, args.reply)
            again = "（此前已导入过，本次没有改动）" if rr.repeated else ""
            print(f"已把网点 {rr.branch} 设备 {rr.device} 的第 {rr.number} 号离线包交给总行{again}："
                  f"{rr.changes:,} 条修改，回执含 {rr.records:,} 条总行记录 → {rr.reply}")
            print("请把回执包带回那台电脑导入（branchdesk sync import-bundle）。")
            return EXIT_OK
        if args.sync_command == "export-bundle":
            if path.is_dir():  # a folder (a USB stick): a file named for this PC and the time
                s = SyncSettings.load(store.settings)
                path = path / f"{s.branch}-设备{s.device_id}-{time.strftime('%Y%m%d-%H%M%S')}{SUFFIX}"
            r = export_bundle(store, path)
            print(f"已导出第 {r.number} 号离线包：{r.changes:,} 条待上传的修改，{r.size / 1024:,.0f} KB，"
                  f"用时 {r.seconds:.1f} 秒 → {r.path}")
            print("请把文件带到联网的电脑或总行导入（branchdesk-hq import-bundle），再把总行的回执包带回本机导入。"
                  "修改在收到回执或联网同步之前仍算待上传。")
            return EXIT_OK
        r2 = import_reply(store, path)
    except BundleError as exc:
        _err(f"错误：{exc}")
        return EXIT_REFUSED
    if r2.repeated:
        print(f"第 {r2.number} 号离线包的回执此前已导入，本次没有任何改动。")
        return EXIT_OK
    status = _RUN_STATUS[r2.status]
    print(f"已导入第 {r2.number} 号离线包的回执：{status}。上传确认 {r2.acked + r2.duplicates}，冲突 {r2.conflicts}，"
          f"隔离 {r2.quarantined}，下载 {r2.pulled}" + (f"（{r2.skipped} 条已由联网同步取得）" if r2.skipped else "")
          + f"，用时 {r2.seconds:.1f} 秒")
    for w in r2.warnings:
        print(f"提示：{w}")
    if r2.quarantined:
        print("提示：有修改被总行拒绝，用 branchdesk sync quarantine 查看原因并处理。")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    """``branchdesk sync``: one cycle (or ``--watch``), ``enrol``, ``status``, ``conflicts``, ``quarantine``."""
    import platform
    import time

    from app.services.sync_status import sync_status
    from sync.client.engine import SyncEngine, enrol
    from sync.client.scheduler import RetrySchedule
    from sync.client.transport import SyncError

    store = _open_store(args)
    sub = getattr(args, "sync_command", None)
    try:
        if sub == "enrol":
            s = enrol(store, args.server, args.code, device_name=args.name or platform.node(),
                      proxy=args.proxy, ca_bundle=args.ca_bundle)
            print(f"已注册：网点 {s.branch}，设备 {s.device_id}。同步令牌已存入系统凭据存储。")
            return EXIT_OK
        if sub == "status":  # counts and runs only: no client data, no sign-in
            db = store.connect(readonly=True)
            try:
                st = sync_status(store, db, recent=5)
            finally:
                db.close()
            if args.json:
                _print_json(st.as_dict())
            else:
                _print_status(st)
            return EXIT_OK
        if sub in ("conflicts", "quarantine"):
            return _sync_review(args, store)
        if sub in ("export-bundle", "import-bundle", "relay-bundle"):
            return _sync_bundle(args, store)
        # The run itself is the device's, authorised by its token (a scheduled ``sync --watch``
        # needs no one's PIN in a script): it prints counts, never client data. Commands that
        # show client data (conflicts, quarantine) sign a person in.

        def progress(pr) -> None:
            if not args.quiet:
                print(f"\r{pr.message}    ", end="", file=sys.stderr, flush=True)

        schedule = RetrySchedule(interval=(args.watch or 0) * 60)
        while True:
            report = SyncEngine(
                store, progress=progress, page_size=args.page_size, push_batch=args.push_batch
            ).run()
            if not args.quiet:
                print(file=sys.stderr)
            status = _RUN_STATUS[report.status]
            set_aside = f"，{report.rejected} 条不符合规范已隔离" if report.rejected else ""
            print(
                f"同步结果：{status}。上传 {report.pushed}（确认 {report.acked + report.duplicates}，"
                f"冲突 {report.conflicts}，隔离 {report.quarantined}），下载 {report.pulled}{set_aside}，"
                f"流量 ↑{report.bytes_up / 1024:.0f} KB ↓{report.bytes_down / 1024:.0f} KB，"
                f"用时 {report.seconds:.1f} 秒"
            )
            for w in report.warnings:
                print(f"提示：{w}")
            if report.quarantined:
                print("提示：有修改被总行拒绝，用 branchdesk sync quarantine 查看原因并处理。")
            if report.error:
                _err(f"错误：{report.error}")
            if not args.watch:
                return EXIT_OK if report.synced else EXIT_REFUSED
            delay = schedule.next_delay(report.synced)
            print(f"下次同步：{delay:.0f} 秒后", file=sys.stderr)
            time.sleep(delay)
    except SyncError as exc:
        _err(f"错误：{exc}")
        return EXIT_REFUSED


def _export(svc, args: argparse.Namespace) -> int:
    from app.core.errors import FieldError
    from app.services.export import export_clients

    f, errors = _resolve_filter(svc, args)
    if errors:
        _print_errors(errors)
        return EXIT_REFUSED

    shown = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        print(f"\r已导出 {done:,} / {total:,}", end="", file=sys.stderr, flush=True)

    result = export_clients(svc, f, args.file, sort=args.sort, unmasked=args.unmasked,
                            mask_names=args.names == "masked", progress=progress if shown else None)
    if shown:
        print(file=sys.stderr)
    if isinstance(result, FieldError):
        _print_errors([result])
        return EXIT_REFUSED
    masked = []
    if result.masked:
        masked.append("证件号和手机号")
    if result.names_masked:
        masked.append("个人客户姓名")
    print(f"已导出 {result.rows:,} 位客户到 {result.path}（" + ("已脱敏：" + "、".join(masked) if masked
                                                           else "未脱敏，已记入审计") + "）。")
    return EXIT_OK


_CLIENT_COMMANDS = {"list": _list, "show": _show, "add": _add, "edit": _edit, "delete": _delete, "export": _export}
_COMMANDS = {
    "sync": cmd_sync,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "screenshots": cmd_screenshots,
    "init": cmd_init,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "clients": cmd_clients,
    "villages": cmd_villages,
}


def _command(name: str):
    if name in _COMMANDS:
        return _COMMANDS[name]
    from app.cli_import import COMMANDS as IMPORT
    from app.cli_marketing import COMMANDS as MARKETING
    from app.cli_scenarios import COMMANDS as SCENARIOS
    from app.cli_sheets import COMMANDS as SHEETS
    from app.cli_whitelist import COMMANDS as WHITELIST

    return {**WHITELIST, **MARKETING, **SHEETS, **SCENARIOS, **IMPORT}[name]


def _start_logging(data_dir: Path, args: argparse.Namespace) -> None:
    """Log into the data folder when it exists and can be written; otherwise nowhere (never to
    the terminal: the command reports the folder's problem itself, in Chinese)."""
    from app.logging_setup import setup_logging

    try:
        setup_logging(data_dir, verbose=getattr(args, "verbose", False))
    except OSError:
        root = logging.getLogger()
        if not root.handlers:
            root.addHandler(logging.NullHandler())


def main(argv: Sequence[str] | None = None) -> int:
    from app.store.db import DatabaseError, store_error
    from app.store.errors import StoreError

    args = build_parser().parse_args(argv)
    data_dir = _data_dir(args)
    if args.self_check:
        from app.selfcheck import run_self_check

        return run_self_check()
    _start_logging(data_dir, args)
    if args.command is None:
        from app.ui.app import run_gui

        return run_gui(data_dir=data_dir, user=args.user, lang=args.lang)
    log.info("command %s", args.command)
    try:
        return _command(args.command)(args)
    except StoreError as exc:
        _err(f"错误：{exc.message}")
        log.warning("command %s failed: %s", args.command, type(exc).__name__)
        return EXIT_STORE
    except DatabaseError as exc:
        known = store_error(exc)
        if known is None:
            raise
        _err(f"错误：{known.message}")
        log.warning("command %s failed: %s (%s)", args.command, type(known).__name__,
                    getattr(exc, "sqlite_errorname", ""))
        return EXIT_STORE
    except MemoryError:
        # SQLCipher's answer to a damaged page (its HMAC fails) is SQLITE_NOMEM
        from app.store.db import DAMAGED_MESSAGE

        _err(f"错误：{DAMAGED_MESSAGE}")
        log.warning("command %s failed: MemoryError (a damaged page, or out of memory)", args.command)
        return EXIT_STORE
    except KeyboardInterrupt:
        _err("已中断。")
        return 130
    except BrokenPipeError:
        # the reader has gone (``| head``): stop quietly, as cat and grep do. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
