"""``branchdesk-hq``: run and administer the head-office reference service.

    branchdesk-hq serve [--host 127.0.0.1] [--port 8765] [--workers N]   N worker processes (default 1)
    branchdesk-hq branch create CODE NAME [--county 500229]
    branchdesk-hq branch list
    branchdesk-hq device enrol BRANCH [--name NAME]     prints a one-time code
    branchdesk-hq device enrol --county 500229          a county manager's PC: reads every branch of the county
    branchdesk-hq device revoke DEVICE_ID
    branchdesk-hq device list
    branchdesk-hq publish KIND FILE.csv|xlsx [--branch B]
    branchdesk-hq pushed BRANCH [--limit N]
    branchdesk-hq conflicts BRANCH [--unmasked]
    branchdesk-hq denials
    branchdesk-hq nominations BRANCH [--unmasked]
    branchdesk-hq decide NOMINATION --accept LIMIT | --decline REASON [--client-no CQ…]
    branchdesk-hq outcomes BRANCH [--by manager|cluster]
    branchdesk-hq campaign-results BRANCH
    branchdesk-hq scenarios BRANCH
    branchdesk-hq import-bundle FILE [--reply OUT]     a carried bundle from a PC with no line; writes the reply
    branchdesk-hq demo [--clients N] [--seed S]

Listings print aligned tables in Chinese; ``--json`` (before or after the
command) prints JSON for scripts. Conflict values are masked unless ``--unmasked``.

The database is ``--db URL`` or ``BRANCHDESK_HQ_DB``; by default a SQLite file
``branchdesk-hq.db`` in the current folder. A PostgreSQL URL
(``postgresql://user@host/db``) uses PostgreSQL.

``serve --workers N`` runs N uvicorn worker processes on one database (the
service keeps nothing in memory between requests); the schema is created or
upgraded once, before they start. Under uvicorn or gunicorn directly, use the
factory ``sync.server.app:app_from_env`` (see its docstring).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sync.protocol.kinds import KINDS
from sync.protocol.masking import MASKS
from sync.server.devices import county_of
from sync.server.store import HQError, HQStore
from sync.server.workers import DB_ENV, READ_DB_ENV, open_store
from sync.terminal import chinese_argparse, print_json, table

DEFAULT_DB = "branchdesk-hq.db"
MAX_WORKERS = 64


def workers_count(text: str) -> int:
    """``--workers``: a whole number from 1 to ``MAX_WORKERS``."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"工作进程数应为 1 到 {MAX_WORKERS} 的整数，实际为“{text}”")
    return n


def db_url(value: str | None) -> str:
    value = value or os.environ.get("BRANCHDESK_HQ_DB") or DEFAULT_DB
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).resolve())


def build_parser() -> argparse.ArgumentParser:
    chinese_argparse()
    ap = argparse.ArgumentParser(prog="branchdesk-hq", description="BranchDesk 总行同步服务（参考实现）")
    ap.add_argument("--db", metavar="数据库", help="SQLite 文件路径或 postgresql:// 地址（默认 BRANCHDESK_HQ_DB 或 "
                    f"当前目录的 {DEFAULT_DB}）")
    # --json is accepted after any command as well as before it
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="输出 JSON（供脚本使用）")
    ap.add_argument("--json", action="store_true", help="输出 JSON（供脚本使用）")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="命令")
    s = sub.add_parser("serve", help="启动同步服务")
    s.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1）")
    s.add_argument("--port", type=int, default=8765, metavar="端口", help="监听端口（默认 8765）")
    s.add_argument("--ssl-certfile", metavar="PEM", help="HTTPS：服务证书（PEM）")
    s.add_argument("--ssl-keyfile", metavar="PEM", help="HTTPS：证书私钥（PEM）")
    s.add_argument("--workers", type=workers_count, default=1, metavar="N",
                   help=f"工作进程数（1 到 {MAX_WORKERS}，默认 1）；多个进程共用同一个数据库，宜用 PostgreSQL")
    s.add_argument("--read-db", metavar="只读副本",
                   help=f"拉取数据改从 PostgreSQL 只读副本（热备库）读取：postgresql:// 地址（默认 {READ_DB_ENV}）")
    br = sub.add_parser("branch", help="网点：创建、列出")
    br = br.add_subparsers(dest="sub", required=True, metavar="操作")
    bc = br.add_parser("create", help="创建网点")
    bc.add_argument("code", metavar="网点代码")
    bc.add_argument("name", metavar="网点名称")
    bc.add_argument("--county", metavar="区县代码",
                    help="所属区县（6 位数字，如 500229）；不填时取“500229-01”这类代码的前 6 位")
    br.add_parser("list", parents=[as_json], help="列出网点")
    dv = sub.add_parser("device", help="设备：登记、吊销、列出")
    dv = dv.add_subparsers(dest="sub", required=True, metavar="操作")
    de = dv.add_parser("enrol", help="为网点（或区县）登记一台设备，打印一次性注册码",
                       description="网点代码与 --county 二者选一：网点设备只同步本网点；县域设备（区县管理人员的电脑）"
                       "只读同步该区县所有网点的数据，只能修改自己的记录。")
    whose = de.add_mutually_exclusive_group(required=True)
    whose.add_argument("branch", nargs="?", metavar="网点代码", help="网点设备所属的网点")
    whose.add_argument("--county", metavar="区县代码",
                       help="县域设备：只读同步该区县（6 位数字，如 500229）所有网点的数据")
    de.add_argument("--name", default="", metavar="名称", help="设备名称（如 巴山网点-前台1）")
    dr = dv.add_parser("revoke", help="吊销设备")
    dr.add_argument("device_id", type=int, metavar="设备号")
    dv.add_parser("list", parents=[as_json], help="列出设备")
    pb = sub.add_parser("publish", help="从 csv/xlsx 发布主数据")
    pb.add_argument("kind", metavar="类型",
                    help="记录类型，如 client、whitelist、village、scenario-types、scenario-metrics")
    pb.add_argument("file", type=Path, metavar="文件", help=".csv 或 .xlsx")
    pb.add_argument("--branch", metavar="网点代码", help="不填则发布给全辖（标签目录、合规词表等）")
    pu = sub.add_parser("pushed", parents=[as_json], help="查看网点上传的变更")
    pu.add_argument("branch", metavar="网点代码")
    pu.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示几条（默认 50）")
    cf = sub.add_parser("conflicts", parents=[as_json], help="查看网点的冲突记录（证件号、手机号脱敏）")
    cf.add_argument("branch", metavar="网点代码")
    cf.add_argument("--unmasked", action="store_true", help="显示完整的证件号和手机号")
    sub.add_parser("denials", parents=[as_json], help="查看被拒绝的越权访问")
    nm = sub.add_parser("nominations", parents=[as_json], help="网点推荐的白名单客户（证件号脱敏）及评分卡档位")
    nm.add_argument("branch", metavar="网点代码")
    nm.add_argument("--unmasked", action="store_true", help="显示完整的证件号")
    dc = sub.add_parser("decide", help="评估一条推荐：通过（核定额度，生成白名单）或不通过（原因）")
    dc.add_argument("nomination", metavar="推荐编号", help="推荐编号（前 8 位即可）")
    dc.add_argument("--accept", metavar="额度", help="通过并核定额度，如 10万 或 100000")
    dc.add_argument("--decline", metavar="原因", help="不通过的原因")
    dc.add_argument("--client-no", metavar="核心客户号", help="被推荐人尚非客户时：开户后的核心客户号")
    dc.add_argument("--years", type=int, default=3, metavar="年", help="白名单有效期（默认 3 年）")
    cr = sub.add_parser("campaign-results", parents=[as_json], help="网点营销活动的触达率与转化率")
    cr.add_argument("branch", metavar="网点代码")
    scn = sub.add_parser("scenarios", parents=[as_json], help="网点的智慧乡村场景：进度、获客、最近一月开户数")
    scn.add_argument("branch", metavar="网点代码")
    oc = sub.add_parser("outcomes", parents=[as_json], help="网点白名单的营销结果：转化漏斗")
    oc.add_argument("branch", metavar="网点代码")
    oc.add_argument("--by", choices=["manager", "cluster"], default="manager", help="按客户经理或产业集群")
    ib = sub.add_parser("import-bundle", parents=[as_json],
                        help="导入网点带来的离线包（如同联网上传），并写出带回网点的回执包")
    ib.add_argument("file", type=Path, metavar="离线包")
    ib.add_argument("--reply", type=Path, metavar="回执包",
                    help="回执包写到哪里（默认与离线包同一文件夹，文件名加“-回执”）")
    rl = sub.add_parser("release", help="发布给网点的程序版本（各电脑下次同步时得知有新版本等待安装）")
    rl.add_argument("version", nargs="?", metavar="版本", help="如 0.2.0；不写则显示当前发布的版本")
    rl.add_argument("--clear", action="store_true", help="撤回：不再提示网点有新版本")
    dm = sub.add_parser("demo", parents=[as_json], help="写入与演示县一致的总行数据")
    dm.add_argument("--clients", type=int, default=5000, metavar="N", help="客户数量（默认 5000）")
    dm.add_argument("--seed", type=int, default=2026, metavar="S", help="随机种子（与网点的 branchdesk demo 一致）")
    return ap


_KIND_LABELS = {k.name: k.label for k in KINDS}
_OP = {"insert": "新增", "update": "修改", "delete": "删除"}
_STATUS = {"applied": "已应用", "duplicate": "重复（已应用过）", "conflict": "冲突", "quarantined": "已隔离",
           "rejected": "已拒绝"}
_KEPT = {"hq": "保留总行的值", "branch": "保留网点的值", "merged": "已合并"}


def _time(text: str | None) -> str:
    return (text or "")[:19].replace("T", " ")


def _value(kind: str, field: str, raw: str | None, *, unmasked: bool) -> str:
    """A stored JSON value as a person reads it: no quotes, lists joined, personal numbers masked."""
    if raw is None:
        return "（空）"
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    k = KINDS.get(kind)
    col = k.by_name.get(field) if k is not None else None
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（空）"
    if col is not None and col.mask and not unmasked and isinstance(value, str):
        return MASKS[col.mask](value)
    return str(value)


def _show(args: argparse.Namespace, obj: Any, text: str) -> None:
    if args.json:
        print_json(obj)
    else:
        print(text)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    try:
        url = db_url(args.db)
        replica = (args.read_db or os.environ.get(READ_DB_ENV)) if args.cmd == "serve" else None
        store = open_store(url, replica or None)
        if args.cmd == "serve":
            _serve(store, url, args)
        elif args.cmd == "branch" and args.sub == "create":
            store.create_branch(args.code, args.name, args.county)
            county = args.county.strip() if args.county else county_of(args.code.strip())
            print(f"已创建网点 {args.code} {args.name}" + (f"（区县 {county}）" if county else ""))
        elif args.cmd == "branch":
            found = store.branch_details()
            rows = [(b["code"], b["name"], b["county"] or "") for b in found]
            empty = "还没有网点（branchdesk-hq branch create 代码 名称）。"
            listing = table(("网点代码", "网点名称", "所属区县"), rows) if rows else empty
            _show(args, [{"code": b["code"], "name": b["name"], "county": b["county"]} for b in found], listing)
        elif args.cmd == "device" and args.sub == "enrol":
            device_id, code = store.new_enrolment(args.branch, args.name, county=args.county)
            if args.county:
                print(f"设备 {device_id} 是区县 {args.county} 的县域设备：只读同步该区县所有网点的数据，"
                      f"只能修改自己（{args.county} 县域管理）的记录。")
            print(f"设备 {device_id} 的一次性注册码（72 小时内有效，只显示一次）：")
            print(code)
        elif args.cmd == "device" and args.sub == "revoke":
            store.revoke(args.device_id)
            print(f"已吊销设备 {args.device_id}")
        elif args.cmd == "device":
            devices = store.list_devices()

            def state(d: dict[str, Any]) -> str:
                return "已吊销" if d["revoked_at"] else ("已注册" if d["enrolled_at"] else "等待注册")

            release = store.release()

            def version(d: dict[str, Any]) -> str:
                v = d.get("app_version") or "—"
                return f"{v}（待升级）" if release and d.get("app_version") and d["app_version"] != release else v

            rows = [(d["id"], d["branch"], d["county"] or "", d["name"], state(d), version(d), _time(d["last_seen"]),
                     _time(d["last_confirmed"]), f"{d['last_cursor'] or 0:,}") for d in devices]
            heads = ("设备号", "网点", "县域（只读全县）", "名称", "状态", "程序版本", "最近联系", "最近确认一致",
                     "游标")
            empty = "还没有设备（branchdesk-hq device enrol 网点代码）。"
            _show(args, devices, table(heads, rows, left=8) if rows else empty)
        elif args.cmd == "publish":
            from sync.server.scenarios import kind_of, prepare
            from sync.server.sheets import FIRST_DATA_ROW, read_sheet

            kind = kind_of(args.kind)
            rows = prepare(kind, read_sheet(kind, args.file))
            n = store.publish(kind, args.branch, rows, first_row=FIRST_DATA_ROW)
            print(f"已发布 {len(rows)} 条“{args.kind}”，其中 {n} 条有变化。")
        elif args.cmd == "pushed":
            counts, latest = store.push_counts(args.branch), store.pushed(args.branch, args.limit)
            summary = "，".join(f"{_STATUS.get(k, k)} {v:,}" for k, v in sorted(counts.items())) or "没有"
            rows = [(_time(c["received_at"]), c["device_id"], _KIND_LABELS.get(c["kind"], c["kind"]),
                     _OP.get(c["op"], c["op"]), _STATUS.get(c["status"], c["status"]), c["seq"] or "",
                     c["reason"] or "") for c in latest]
            text = f"网点 {args.branch} 上传的变更：{summary}"
            if rows:
                text += f"\n最近 {len(rows)} 条：\n" + table(
                    ("收到时间", "设备", "类型", "操作", "结果", "序号", "说明"), rows)
            _show(args, {"counts": counts, "latest": latest}, text)
        elif args.cmd == "conflicts":
            found = store.conflicts(args.branch)
            if args.json and not args.unmasked:
                found = [{**c, **{f: _value(c["kind"], c["field"], c[f], unmasked=False)
                                  for f in ("base_value", "server_value", "branch_value")}} for c in found]
            rows = [(c["id"], _time(c["created_at"]), _KIND_LABELS.get(c["kind"], c["kind"]),
                     _field_label(c["kind"], c["field"]),
                     _value(c["kind"], c["field"], c["base_value"], unmasked=args.unmasked),
                     _value(c["kind"], c["field"], c["branch_value"], unmasked=args.unmasked),
                     _value(c["kind"], c["field"], c["server_value"], unmasked=args.unmasked),
                     _KEPT.get(c["kept"], c["kept"]), "已处理" if c["resolved_at"] else "待处理") for c in found]
            heads = ("编号", "时间", "类型", "字段", "原值", "网点的值", "总行的值", "结果", "状态")
            _show(args, found, table(heads, rows) if rows else f"网点 {args.branch} 没有冲突记录。")
        elif args.cmd == "release":
            if args.clear:
                store.set_release("")
                print("已撤回发布的版本：网点不再提示新版本。")
            elif args.version:
                v = store.set_release(args.version)
                print(f"已发布版本 {v}：各网点电脑下次同步时会提示“新版本 {v} 等待安装”（程序不会自行更新）。")
            else:
                v = store.release()
                print(f"当前发布的版本：{v}" if v else "尚未发布版本（branchdesk-hq release 0.2.0）。")
        elif args.cmd == "denials":
            found = store.list_denials()
            rows = [(_time(d["time"]), d["device_id"] or "", d["device_branch"] or "", d["target"], d["reason"])
                    for d in found]
            _show(args, found, table(("时间", "设备", "设备所属网点", "访问对象", "原因"), rows)
                  if rows else "没有被拒绝的越权访问。")
        elif args.cmd in ("nominations", "decide", "outcomes", "campaign-results", "scenarios"):
            _whitelist(store, args)
        elif args.cmd == "import-bundle":
            _import_bundle(store, args)
        elif args.cmd == "demo":
            from sync.server.demo import seed_demo

            counts = seed_demo(store, seed=args.seed, n_clients=args.clients)
            rows = [(_KIND_LABELS.get(k, k), f"{n:,}") for k, n in counts.items()]
            _show(args, counts, "已写入演示县的总行数据（新增或有变化的条数）：\n"
                  + table(("类型", "条数"), rows, left=1))
    except HQError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _serve(store: HQStore, url: str, args: argparse.Namespace) -> None:
    """One process serving ``store``; or, with ``--workers N`` above 1, N uvicorn worker processes,
    each opening the database ``BRANCHDESK_HQ_DB`` names (this process has created or upgraded
    its schema already)."""
    import uvicorn

    from sync.server.app import create_app

    tls = {"ssl_certfile": args.ssl_certfile, "ssl_keyfile": args.ssl_keyfile}
    if args.workers == 1:
        uvicorn.run(create_app(store), host=args.host, port=args.port, log_level="info", **tls)
        return
    store.engine.dispose()  # the workers open their own connections
    os.environ[DB_ENV] = url
    if store.replica is not None:
        store.replica.dispose()
    if args.read_db:
        os.environ[READ_DB_ENV] = args.read_db  # the workers' pulls read it too
    uvicorn.run("sync.server.app:app_from_env", factory=True, workers=args.workers, host=args.host,
                port=args.port, log_level="info", **tls)


def _import_bundle(store: HQStore, args: argparse.Namespace) -> None:
    from sync.bundle import SUFFIX, BundleError

    src: Path = args.file
    reply: Path = args.reply or src.with_name(f"{src.name.removesuffix(SUFFIX)}-回执{SUFFIX}")
    if reply.resolve() == src.resolve():
        raise HQError("回执包不能覆盖离线包本身，请用 --reply 另选文件名。")
    try:
        data = src.read_bytes()
    except FileNotFoundError:
        raise HQError(f"找不到文件 {src}。") from None
    except IsADirectoryError:
        raise HQError(f"{src} 是文件夹，请给出离线包文件。") from None
    except OSError as exc:
        raise HQError(f"无法读取 {src}：{exc.strerror or type(exc).__name__}。") from exc
    try:
        out, summary = store.import_bundle(data)
    except BundleError as exc:
        raise HQError(str(exc)) from exc
    tmp = reply.with_name(reply.name + ".part")
    try:
        tmp.write_bytes(out)
        os.replace(tmp, reply)
    except OSError as exc:
        raise HQError(f"离线包已导入，但回执包无法写入 {reply}：{exc.strerror or type(exc).__name__}。"
                      "再次导入同一个离线包即可重新生成回执（不会重复应用）。") from exc
    counts = "，".join(f"{_STATUS.get(k, k)} {v:,}" for k, v in sorted(summary.counts.items())) or "没有变更"
    again = "（此前已导入过，本次没有改动，回执已重新生成）" if summary.repeated else ""
    _show(args, {**summary.__dict__, "reply": str(reply)},
          f"已导入网点 {summary.branch} 设备 {summary.device} 的第 {summary.number} 号离线包{again}：{counts}；"
          f"回执包含 {summary.records:,} 条总行记录，{len(out) / 1024:,.0f} KB → {reply}")


_DECISIONS = {"pending": "待评估", "accepted": "已通过", "declined": "未通过"}


def _wan(fen: int) -> str:
    return f"{fen / 1_000_000:,.2f}"


def _whitelist(store: HQStore, args: argparse.Namespace) -> None:
    from sync.protocol.money import parse_yuan
    from sync.server import whitelist as wl

    if args.cmd == "nominations":
        found = wl.nominations(store, args.branch)
        if not args.unmasked:
            found = [{**n, "id_number": MASKS["id"](n.get("id_number"))} for n in found]
        rows = [(n["uid"][:8], n["name"], n.get("id_number") or "", n.get("cluster") or "", n.get("band") or "—",
                 _wan(n.get("amount_fen") or 0), n.get("staff") or "", _DECISIONS.get(n["decision"], n["decision"]),
                 _wan(n["decided_limit_fen"]) if n.get("decided_limit_fen") else "", n.get("decision_reason") or "")
                for n in found]
        heads = ("编号", "姓名/名称", "证件号码", "集群", "评分卡档位", "建议额度（万元）", "客户经理", "结论",
                 "核定额度（万元）", "意见")
        _show(args, found, table(heads, rows, left=5) if rows else f"网点 {args.branch} 没有推荐。")
    elif args.cmd == "decide":
        amount = None
        if args.accept is not None:
            try:
                amount = parse_yuan(args.accept)
            except ValueError:
                raise HQError(f"核定额度应为金额，如 10万 或 100000，实际为“{args.accept}”。") from None
        done = wl.decide(store, args.nomination, accept_fen=amount, decline=args.decline, client_no=args.client_no,
                         years=args.years)
        if done["decision"] == "accepted":
            print(f"已通过推荐 {done['nomination'][:8]}，核定额度 {_wan(amount or 0)} 万元；"
                  f"白名单 {done['entry'][:8]} 已发布给网点 {done['branch']}。")
        else:
            print(f"已记录不通过：推荐 {done['nomination'][:8]}（网点 {done['branch']}）。")
    elif args.cmd == "scenarios":
        from sync.server.scenarios import STATUS, branch_scenarios

        found = branch_scenarios(store, args.branch)
        body = [(r["uid"][:8], r["type"] or "", r["name"] or "", r["village"] or "",
                 STATUS.get(r["status"], r["status"]), r["clients"], r["figures"], r["latest_period"] or "—",
                 "—" if r["latest_accounts"] is None else r["latest_accounts"]) for r in found]
        heads = ("编号", "类型", "场景", "村", "进度", "获客", "指标条数", "最近月份", "开户数")
        _show(args, found, table(heads, body, left=5) if body else f"网点 {args.branch} 没有场景。")
    elif args.cmd == "campaign-results":
        from sync.server.campaigns import campaign_results

        found = campaign_results(store, args.branch)

        def rate(n: int, d: int) -> str:
            return f"{100 * n / d:.0f}%" if d else "—"

        body = [(r["campaign"], r["name"] or "", r["targets"], r["excluded"], r["assigned"], r["reached"],
                 rate(r["reached"], r["targets"]), r["converted"], rate(r["converted"], r["targets"])) for r in found]
        heads = ("活动", "主题", "目标户数", "未授权排除", "已分发", "已触达", "触达率", "已转化", "转化率")
        _show(args, found, table(heads, body, left=2) if body else f"网点 {args.branch} 没有营销活动。")
    else:
        rows = wl.funnel(store, args.branch, args.by)

        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:.0f}%" if d else "—"

        body = [(r["key"] or ("未分配" if args.by == "manager" else "（无集群）"), r["entries"], _wan(r["limit_fen"]),
                 r["contacted"], pct(r["contacted"], r["entries"]), r["applied"], _wan(r["applied_fen"]), r["drawn"],
                 _wan(r["drawn_fen"]), pct(r["drawn"], r["entries"])) for r in rows]
        heads = ("客户经理" if args.by == "manager" else "产业集群", "户数", "额度（万元）", "已联系", "触达率",
                 "已申请", "申请额度（万元）", "已用信", "用信金额（万元）", "转化率")
        _show(args, rows, table(heads, body, left=1) if body else f"网点 {args.branch} 没有白名单。")


def _field_label(kind: str, field: str) -> str:
    k = KINDS.get(kind)
    col = k.by_name.get(field) if k is not None else None
    return col.label if col is not None else field


if __name__ == "__main__":
    sys.exit(main())
