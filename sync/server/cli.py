"""``branchdesk-hq``: run and administer the head-office reference service.

    branchdesk-hq serve [--host 127.0.0.1] [--port 8765]
    branchdesk-hq branch create CODE NAME
    branchdesk-hq device enrol BRANCH [--name NAME]     prints a one-time code
    branchdesk-hq device revoke DEVICE_ID
    branchdesk-hq device list
    branchdesk-hq publish KIND FILE.csv|xlsx [--branch B]
    branchdesk-hq pushed BRANCH [--limit N]
    branchdesk-hq conflicts BRANCH
    branchdesk-hq demo [--clients N] [--seed S]

The database is ``--db URL`` or ``BRANCHDESK_HQ_DB``; by default a SQLite file
``branchdesk-hq.db`` in the current folder. A PostgreSQL URL
(``postgresql://user@host/db``) uses PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sync.server.store import HQError, HQStore

DEFAULT_DB = "branchdesk-hq.db"


def db_url(value: str | None) -> str:
    value = value or os.environ.get("BRANCHDESK_HQ_DB") or DEFAULT_DB
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).resolve())


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="branchdesk-hq", description="BranchDesk 总行同步服务（参考实现）")
    ap.add_argument("--db", help="数据库：SQLite 文件路径或 postgresql:// 地址")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="启动同步服务")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    s.add_argument("--ssl-certfile", help="HTTPS：服务证书（PEM）")
    s.add_argument("--ssl-keyfile", help="HTTPS：证书私钥（PEM）")
    br = sub.add_parser("branch", help="网点").add_subparsers(dest="sub", required=True)
    bc = br.add_parser("create", help="创建网点")
    bc.add_argument("code")
    bc.add_argument("name")
    br.add_parser("list", help="列出网点")
    dv = sub.add_parser("device", help="设备").add_subparsers(dest="sub", required=True)
    de = dv.add_parser("enrol", help="为网点登记一台设备，打印一次性注册码")
    de.add_argument("branch")
    de.add_argument("--name", default="")
    dr = dv.add_parser("revoke", help="吊销设备")
    dr.add_argument("device_id", type=int)
    dv.add_parser("list", help="列出设备")
    pb = sub.add_parser("publish", help="从 csv/xlsx 发布主数据")
    pb.add_argument("kind")
    pb.add_argument("file", type=Path)
    pb.add_argument("--branch", help="网点代码；不填则发布给全辖（标签目录、合规词表等）")
    pu = sub.add_parser("pushed", help="查看网点上传的变更")
    pu.add_argument("branch")
    pu.add_argument("--limit", type=int, default=50)
    cf = sub.add_parser("conflicts", help="查看网点的冲突记录")
    cf.add_argument("branch")
    sub.add_parser("denials", help="查看被拒绝的越权访问")
    dm = sub.add_parser("demo", help="写入与演示县一致的总行数据")
    dm.add_argument("--clients", type=int, default=5000)
    dm.add_argument("--seed", type=int, default=2026)
    return ap


def _print(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        store = HQStore.open(db_url(args.db))
        if args.cmd == "serve":
            import uvicorn

            from sync.server.app import create_app

            uvicorn.run(create_app(store), host=args.host, port=args.port, log_level="info",
                        ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
        elif args.cmd == "branch" and args.sub == "create":
            store.create_branch(args.code, args.name)
            print(f"已创建网点 {args.code} {args.name}")
        elif args.cmd == "branch":
            _print(store.list_branches())
        elif args.cmd == "device" and args.sub == "enrol":
            device_id, code = store.new_enrolment(args.branch, args.name)
            print(f"设备 {device_id} 的一次性注册码（72 小时内有效，只显示一次）：")
            print(code)
        elif args.cmd == "device" and args.sub == "revoke":
            store.revoke(args.device_id)
            print(f"已吊销设备 {args.device_id}")
        elif args.cmd == "device":
            _print(store.list_devices())
        elif args.cmd == "publish":
            from sync.server.sheets import FIRST_DATA_ROW, read_sheet

            rows = read_sheet(args.kind, args.file)
            n = store.publish(args.kind, args.branch, rows, first_row=FIRST_DATA_ROW)
            print(f"已发布 {len(rows)} 条“{args.kind}”，其中 {n} 条有变化。")
        elif args.cmd == "pushed":
            _print({"counts": store.push_counts(args.branch), "latest": store.pushed(args.branch, args.limit)})
        elif args.cmd == "conflicts":
            _print(store.conflicts(args.branch))
        elif args.cmd == "denials":
            _print(store.list_denials())
        elif args.cmd == "demo":
            from sync.server.demo import seed_demo

            _print(seed_demo(store, seed=args.seed, n_clients=args.clients))
    except HQError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
