"""``branchdesk whitelist …``, ``branchdesk nominate`` and ``branchdesk scorecard check``:
the whitelist workspace's headless twins (same service, same rules, same Chinese messages).

    branchdesk whitelist list [--cluster C] [--village V] [--expiring DAYS] [--manager M] [--json]
    branchdesk whitelist show ENTRY
    branchdesk whitelist outcome ENTRY --status 已联系 [--amount 5万] [--reason …] [--note …] [--ack-warnings]
    branchdesk whitelist assign ENTRY… --manager M      |  whitelist assign --auto [--preview]
    branchdesk whitelist funnel [--by manager|cluster] [--json]
    branchdesk whitelist nominations [--json]
    branchdesk nominate --name N --id-number X --cluster C [scorecard inputs] [--preview]
    branchdesk scorecard check --cluster C [scorecard inputs] [--json]

ENTRY is the entry's number (its first 8 characters are enough) or the client's core
number. Amounts are typed in 元 or 万 (5万, 50000); lists show limits in 万元.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sync.protocol.scorecard import INPUTS
from sync.terminal import table


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    w = sub.add_parser("whitelist", parents=[common], help="白名单：名单、营销结果、分配、漏斗")
    ws = w.add_subparsers(dest="whitelist_command", metavar="操作", required=True)

    ls = ws.add_parser("list", parents=[common], help="列出白名单（额度以万元显示）")
    ls.add_argument("--cluster", metavar="集群", help="产业集群代码或名称，如 tea / 茶叶产业集群")
    ls.add_argument("--village", metavar="村", help="村名或村编码（同名村用“乡镇+村”）")
    ls.add_argument("--township", metavar="乡镇", help="乡镇名称")
    ls.add_argument("--expiring", type=int, metavar="天", help="有效期在今后若干天内到期（如 30 / 60 / 90）")
    ls.add_argument("--expired", action="store_true", help="只列已过有效期的")
    ls.add_argument("--manager", metavar="工号", help="负责的客户经理（工号或姓名）")
    ls.add_argument("--unassigned", action="store_true", help="只列尚未分配的")
    ls.add_argument("--status", metavar="状态", help="当前营销状态，如 未联系 / 已联系 / 已申请")
    ls.add_argument("--never-contacted", action="store_true", help="从未联系上的")
    ls.add_argument("--outreach", action="store_true", help="外呼/走访名单：只含已授权营销的客户")
    ls.add_argument("--search", default="", metavar="TEXT", help="客户姓名或核心客户号")
    ls.add_argument("--sort", default="valid_to", choices=["valid_to", "limit", "village", "name", "status"],
                    help="排序（默认按到期日）")
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示几条（默认 50）")
    ls.add_argument("--offset", type=int, default=0, metavar="N", help="从第几条之后开始")
    ls.add_argument("--json", action="store_true", help="输出 JSON")

    sh = ws.add_parser("show", parents=[common], help="查看一条白名单及其营销记录")
    sh.add_argument("entry", metavar="条目", help="白名单编号（前 8 位即可）或核心客户号")
    sh.add_argument("--json", action="store_true")

    oc = ws.add_parser("outcome", parents=[common], help="登记营销结果（状态只能向前推进）")
    oc.add_argument("entry", metavar="条目", help="白名单编号（前 8 位即可）或核心客户号")
    oc.add_argument("--status", required=True, metavar="状态",
                    help="已联系 / 有意向 / 已申请 / 已用信 / 无法联系 / 拒绝")
    oc.add_argument("--date", default="", metavar="日期", help="默认今天，如 2026-12-02")
    oc.add_argument("--amount", default="", metavar="金额", help="已用信时的用信金额，如 5万 或 50000")
    oc.add_argument("--reason", default="", metavar="原因", help="无法联系 / 拒绝 时必填")
    oc.add_argument("--note", default="", metavar="备注")
    oc.add_argument("--channel", metavar="方式",
                    help="这次联系的方式，同时记入联系记录：电话 / 上门 / 邀约到店 / 厅堂 / 微信 / 转介 / 短信")
    oc.add_argument("--ack-warnings", action="store_true",
                    help="备注含慎用词时，确认表述合规后仍然保存（记入审计）；含禁用词的备注不能保存")

    asg = ws.add_parser("assign", parents=[common], help="把白名单分配给客户经理（网点负责人）")
    asg.add_argument("entries", nargs="*", metavar="条目", help="白名单编号或核心客户号")
    asg.add_argument("--manager", metavar="工号", help="分给这位客户经理")
    asg.add_argument("--auto", action="store_true", help="按村和管户关系均衡自动分配尚未分配的条目")
    asg.add_argument("--managers", metavar="工号,…", help="自动分配时只分给这些客户经理")
    asg.add_argument("--preview", action="store_true", help="只显示分配方案，不写入")

    fn = ws.add_parser("funnel", parents=[common], help="转化漏斗：已联系 → 已申请 → 已用信（户数与金额）")
    fn.add_argument("--by", choices=["manager", "cluster"], default="manager", help="按客户经理或产业集群")
    fn.add_argument("--json", action="store_true")

    nl = ws.add_parser("nominations", parents=[common], help="本网点的推荐及总行结论")
    nl.add_argument("--json", action="store_true")

    nom = sub.add_parser("nominate", parents=[common], help="推荐新的白名单客户（建档），附评分卡预检")
    nom.add_argument("--client", metavar="客户", help="已在客户视图中的客户：编号或核心客户号")
    nom.add_argument("--name", default="", metavar="姓名", help="姓名或企业名称")
    nom.add_argument("--id-number", default="", metavar="证件号", help="身份证号或统一社会信用代码")
    nom.add_argument("--cluster", required=True, metavar="集群", help="产业集群代码或名称")
    nom.add_argument("--product", metavar="产品", help="产品代码，如 xingnong_e_dai")
    nom.add_argument("--amount", default="", metavar="金额", help="建议额度，如 10万")
    nom.add_argument("--reason", default="", metavar="理由", help="推荐理由")
    nom.add_argument("--preview", action="store_true", help="只做评分卡预检，不提交推荐")
    _input_options(nom)

    sc = sub.add_parser("scorecard", parents=[common], help="评分卡预检（离线）")
    scs = sc.add_subparsers(dest="scorecard_command", metavar="操作", required=True)
    chk = scs.add_parser("check", parents=[common], help="按总行评分卡估算档位和额度，列出每项得分")
    chk.add_argument("--cluster", required=True, metavar="集群", help="产业集群代码或名称")
    chk.add_argument("--json", action="store_true")
    _input_options(chk)


def _input_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("评分卡输入（金额以万元计）")
    for inp in INPUTS:
        hint = "、".join(lab for _, lab in inp.choices) if inp.choices else inp.unit
        g.add_argument(f"--{inp.key.replace('_', '-')}", dest=f"in_{inp.key}", metavar="值",
                       help=f"{inp.label}（{hint}）")


def _inputs(args: argparse.Namespace) -> dict[str, str]:
    return {inp.key: getattr(args, f"in_{inp.key}") for inp in INPUTS
            if getattr(args, f"in_{inp.key}", None) not in (None, "")}


# --- running ---------------------------------------------------------------------------------


def _run(args: argparse.Namespace, fn: Callable[[Any], int], *, writes: bool = False) -> int:
    from app.cli import signed_in
    from app.services.whitelist import WhitelistService

    return signed_in(args, WhitelistService, lambda svc, _store: fn(svc), writes=writes)


def _refused(errors) -> int:
    from app.cli import EXIT_REFUSED, _print_errors

    _print_errors(errors)
    return EXIT_REFUSED


def _cluster(svc: Any, text: str | None) -> str | None:
    """A cluster by code or name (None when not given); the text itself when unknown."""
    if not text:
        return None
    t = text.strip()
    for code, name in svc.repo.clusters():
        if t in (code, name) or (name and name.startswith(t)):
            return code
    return t


def _filter(svc: Any, args: argparse.Namespace):
    from app.core.errors import FieldError
    from app.core.whitelist import Status
    from app.store.whitelist import WhitelistFilter

    errors: list[FieldError] = []
    village_id = township_id = None
    if args.village:
        found = svc.ref.find_villages(args.village)
        if len(found) == 1:
            village_id = found[0].id
        else:
            names = "、".join(svc.ref.full_name(v) for v in found[:8])
            errors.append(FieldError("village", "所属村", "unknown" if not found else "ambiguous",
                                     f"所属村“{args.village}”不存在。" if not found else
                                     f"所属村“{args.village}”有多个：{names}；请写成“乡镇+村”。"))
    if args.township:
        t = next((t for t in svc.ref.townships.values() if args.township.strip() in (t.name, t.code)), None)
        if t is None:
            errors.append(FieldError("township", "乡镇", "unknown", f"乡镇“{args.township}”不存在。"))
        else:
            township_id = t.id
    manager = None
    if args.unassigned:
        manager = ""
    elif args.manager:
        s = svc.ref.find_staff(args.manager)
        if s is None:
            errors.append(FieldError("manager", "客户经理", "unknown", f"员工“{args.manager}”不在本网点名册中。"))
        else:
            manager = s.code
    status = None
    if args.status:
        st = Status.parse(args.status)
        if st is None:
            allowed = "、".join(s.label for s in Status)
            errors.append(FieldError("status", "营销状态", "choice",
                                     f"营销状态应为 {allowed} 之一，实际为“{args.status}”。"))
        else:
            status = st.value
    if args.expiring is not None and not 0 <= args.expiring <= 3650:
        errors.append(FieldError("expiring", "到期天数", "range", "到期天数应在 0 到 3650 之间。"))
    cluster = _cluster(svc, args.cluster)
    if cluster and cluster not in {c for c, _ in svc.repo.clusters()}:
        errors.append(FieldError("cluster", "产业集群", "unknown",
                                 f"产业集群“{args.cluster}”不存在。可选：{_cluster_names(svc)}。"))
    f = WhitelistFilter(cluster=cluster, village_id=village_id, township_id=township_id, manager=manager,
                        status=status, expiring_days=args.expiring, expired=True if args.expired else None,
                        never_contacted=args.never_contacted, outreach=args.outreach, text=args.search)
    return f, errors


def _cluster_names(svc: Any) -> str:
    return "、".join(f"{c}（{n}）" for c, n in svc.repo.clusters()) or "（无）"


def _wan(fen: int) -> str:
    from app.core.money import format_wan

    return format_wan(fen, unit=False)


def cmd_whitelist(args: argparse.Namespace) -> int:
    return {
        "list": _list, "show": _show, "outcome": _outcome, "assign": _assign, "funnel": _funnel,
        "nominations": _nominations,
    }[args.whitelist_command](args)


def _list(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, _print_json
    from app.core.errors import FieldError
    from app.core.whitelist import Status, product_label

    def run(svc) -> int:
        f, errors = _filter(svc, args)
        if errors:
            return _refused(errors)
        total = svc.count(f)
        if isinstance(total, FieldError):
            return _refused([total])
        rows = svc.page(f, sort=args.sort, offset=max(0, args.offset), limit=max(0, args.limit))
        if args.json:
            _print_json({"total": total, "offset": args.offset, "rows": [asdict(r) for r in rows]})
            return EXIT_OK
        today = svc.today.isoformat()
        clusters = dict(svc.repo.clusters())
        names = {s.code: s.name for s in svc.ref.staff.values()}
        body = []
        for r in rows:
            flag = "已过期" if r.valid_to and r.valid_to < today else ""
            body.append([r.uid[:8], r.name, f"{r.township}{r.village}", product_label(r.product),
                         clusters.get(r.cluster or "", r.cluster or "—"), names.get(r.manager or "", "未分配"),
                         Status(r.status).label, r.valid_to or "—", flag, "" if r.consent else "未授权营销",
                         _wan(r.limit_fen)])
        print(table(["编号", "客户", "村", "产品", "产业集群", "客户经理", "状态", "有效期至", "", "营销授权",
                     "额度（万元）"], body, left=10))
        shown = f"第 {args.offset + 1}–{args.offset + len(rows)} 条" if rows else "没有符合条件的条目"
        print(f"共 {total:,} 条符合条件；{shown}。")
        return EXIT_OK

    return _run(args, run)


def _show(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, _print_json
    from app.core.errors import FieldError
    from app.core.money import format_wan
    from app.core.whitelist import Status, product_label

    def run(svc) -> int:
        uid = svc.resolve(args.entry)
        if isinstance(uid, FieldError):
            return _refused([uid])
        d = svc.detail(uid)
        if isinstance(d, FieldError):
            return _refused([d])
        if args.json:
            _print_json({**asdict(d), "next_statuses": [s.value for s in d.next_statuses]})
            return EXIT_OK
        e = d.entry
        cluster = dict(svc.repo.clusters()).get(e.cluster or "", e.cluster or "—")
        who = svc.ref.staff_by_code.get(e.manager or "")
        manager = f"{who.name}（{who.code}）" if who else "未分配"
        print(f"{e.name}（{e.client_no or '潜在客户'}）  {e.township}{e.village}  手机 {e.mobile or '—'}")
        print(f"白名单 {e.uid}")
        print(f"  产品 {product_label(e.product)}  核定额度 {format_wan(e.limit_fen)}"
              f"{f'  利率 {e.rate_bp / 100:.2f}%' if e.rate_bp is not None else ''}")
        print(f"  有效期 {e.valid_from or '—'} 至 {e.valid_to or '—'}{'（已过期）' if d.expired else ''}"
              f"  集群 {cluster}  评分 {e.score if e.score is not None else '—'}（{e.band or '—'} 档）"
              f"  批次 {e.batch or '—'}")
        print(f"  客户经理 {manager}  当前状态 {Status(e.status).label}"
              f"{f'  已用信 {format_wan(e.drawn_fen)}' if e.drawn_fen else ''}"
              f"{'' if e.consent else '  （客户未授权营销）'}")
        if d.outcomes:
            print("营销记录：")
            print(table(["日期", "状态", "方式", "用信金额", "原因", "备注", "客户经理", "同步"],
                        [[o.date, o.status, o.channel, format_wan(o.amount_fen) if o.amount_fen else "", o.reason,
                          o.note, o.staff, "已同步" if o.synced else "待同步"] for o in d.outcomes]))
        nxt = "、".join(s.label for s in d.next_statuses) or "（最终状态）"
        print(f"可以改为：{nxt}")
        return EXIT_OK

    return _run(args, run)


def _outcome(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK
    from app.cli_marketing import print_wording
    from app.core import validation as v
    from app.core.errors import FieldError
    from app.core.money import format_wan
    from app.core.whitelist import Status

    def run(svc) -> int:
        uid = svc.resolve(args.entry)
        if isinstance(uid, FieldError):
            return _refused([uid])
        amount = v.money_fen(args.amount, field="amount_fen", label="用信金额")
        if isinstance(amount, FieldError):
            return _refused([amount])
        result = svc.record_outcome(uid, args.status, on=args.date or None, amount_fen=amount,
                                    reason=args.reason, note=args.note, channel=args.channel,
                                    acknowledged=args.ack_warnings)
        if not result.ok:
            code = _refused(result.errors)
            print_wording(result.errors, args.note, svc.db)
            return code
        rec = result.value.values
        extra = f"，用信 {format_wan(rec['amount_fen'])}" if rec["amount_fen"] else ""
        print(f"已登记：{Status(rec['status']).label}（{rec['date']}{extra}），待同步到总行。")
        return EXIT_OK

    return _run(args, run, writes=True)


def _assign(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_USAGE, _err
    from app.core.errors import FieldError
    from app.core.whitelist import balance

    if bool(args.auto) == bool(args.manager):
        _err("错误：请二选一：--manager 工号（把指定条目分给一位客户经理），或 --auto（自动均衡分配）。")
        return EXIT_USAGE
    if args.manager and not args.entries:
        _err("错误：请列出要分配的白名单条目（编号或核心客户号）。")
        return EXIT_USAGE

    def run(svc) -> int:
        uids = []
        for text in args.entries:
            uid = svc.resolve(text)
            if isinstance(uid, FieldError):
                return _refused([uid])
            uids.append(uid)
        if args.manager:
            if args.preview:
                print(f"将把 {len(uids)} 条分给 {args.manager}（预览，未写入）。")
                return EXIT_OK
            result = svc.assign(uids, args.manager)
        else:
            pool = None
            if args.managers:
                pool = []
                for text in args.managers.replace("，", ",").split(","):
                    s = svc.ref.find_staff(text)
                    if s is None:
                        return _refused([FieldError("managers", "客户经理", "unknown", f"员工“{text}”不在名册中。")])
                    pool.append(s.code)
            plan = svc.plan(uids or None, pool, reassign=bool(uids))
            if isinstance(plan, FieldError):
                return _refused([plan])
            names = {s.code: s.name for s in svc.ref.staff.values()}
            counts = balance(plan, pool or sorted(set(plan.values())))
            print(table(["客户经理", "新分配（条）"], [[f"{names.get(m, m)}（{m}）", n] for m, n in counts.items()],
                        left=1))
            if args.preview or not plan:
                print(f"方案共 {len(plan)} 条" + ("（预览，未写入）。" if plan else "：没有需要分配的条目。"))
                return EXIT_OK
            result = svc.apply_plan(plan)
        if not result.ok:
            return _refused(result.errors)
        print(f"已分配 {result.value} 条（每条变更已记入日志，待同步）。")
        return EXIT_OK

    return _run(args, run, writes=not args.preview)


def _funnel(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, _print_json
    from app.core.errors import FieldError
    from app.store.whitelist import WhitelistFilter

    def run(svc) -> int:
        rows = svc.funnel(args.by, WhitelistFilter())
        if isinstance(rows, FieldError):
            return _refused([rows])
        if args.json:
            _print_json([asdict(r) for r in rows])
            return EXIT_OK
        if args.by == "manager":
            names = {s.code: f"{s.name}（{s.code}）" for s in svc.ref.staff.values()}
            label = {r.key: names.get(r.key, r.key) or "未分配" for r in rows}
        else:
            cl = dict(svc.repo.clusters())
            label = {r.key: cl.get(r.key, r.key) or "（无集群）" for r in rows}

        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:.0f}%" if d else "—"

        body = [[label[r.key], r.entries, _wan(r.limit_fen), r.contacted, pct(r.contacted, r.entries),
                 r.applied, _wan(r.applied_fen), r.drawn, _wan(r.drawn_fen), pct(r.drawn, r.entries)] for r in rows]
        total = [sum(getattr(r, k) for r in rows) for k in ("entries", "limit_fen", "contacted", "applied",
                                                            "applied_fen", "drawn", "drawn_fen")]
        body.append(["合计", total[0], _wan(total[1]), total[2], pct(total[2], total[0]), total[3], _wan(total[4]),
                     total[5], _wan(total[6]), pct(total[5], total[0])])
        print(table(["客户经理" if args.by == "manager" else "产业集群", "户数", "额度（万元）", "已联系", "触达率",
                     "已申请", "申请额度（万元）", "已用信", "用信金额（万元）", "转化率"], body, left=1))
        return EXIT_OK

    return _run(args, run)


def _nominations(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, _print_json

    def run(svc) -> int:
        rows = svc.nominations()
        if args.json:
            _print_json(rows)
            return EXIT_OK
        decisions = {"pending": "待总行评估", "accepted": "已通过", "declined": "未通过"}
        print(table(["编号", "姓名/名称", "证件号码", "集群", "建议额度（万元）", "客户经理", "总行结论",
                     "核定额度（万元）", "总行意见", "推荐日期"],
                    [[r["uid"][:8], r["name"], r["id_number"], r["cluster"], _wan(r["amount_fen"]), r["staff"],
                      decisions.get(r["decision"], r["decision"]),
                      _wan(r["decided_limit_fen"]) if r["decided_limit_fen"] else "", r["decision_reason"],
                      r["created"]] for r in rows], left=4))
        print(f"共 {len(rows)} 条推荐。")
        return EXIT_OK

    return _run(args, run)


def cmd_nominate(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK
    from app.core.errors import FieldError

    def run(svc) -> int:
        cluster = _cluster(svc, args.cluster) or ""
        client_uid = None
        if args.client:
            from app.services.clients import ClientService

            cs = ClientService(svc.db, svc.staff, svc.ref)
            cid = cs.resolve(args.client)
            if isinstance(cid, FieldError):
                return _refused([cid])
            client_uid = svc.db.conn.execute("SELECT uid FROM clients WHERE id = ?", (cid,)).fetchone()[0]
        check = svc.scorecard_check(cluster, _inputs(args))
        if not check.ok:
            return _refused(check.errors)
        print("评分卡预检：")
        for line in check.value.lines():
            print(f"  {line}")
        if args.preview:
            print("（预览，未提交推荐）")
            return EXIT_OK
        result = svc.nominate({"client_uid": client_uid, "name": args.name, "id_number": args.id_number,
                               "cluster": cluster, "product": args.product, "amount": args.amount,
                               "reason": args.reason, "inputs": _inputs(args)})
        if not result.ok:
            return _refused(result.errors)
        print(f"已提交推荐 {result.value.uid[:8]}（{result.value.values['name']}），待同步到总行评估。")
        return EXIT_OK

    return _run(args, run, writes=not args.preview)


def cmd_scorecard(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, _print_json

    def run(svc) -> int:
        result = svc.scorecard_check(_cluster(svc, args.cluster) or "", _inputs(args))
        if not result.ok:
            return _refused(result.errors)
        e = result.value
        if args.json:
            _print_json({"score": str(e.score), "band": e.band, "limit_min_fen": e.limit_min_fen,
                         "limit_max_fen": e.limit_max_fen, "missing": list(e.missing), "caps": list(e.caps),
                         "contributions": [{"key": c.key, "label": c.label, "value": c.value,
                                            "points": str(c.points), "weight": str(c.weight)}
                                           for c in e.contributions]})
            return EXIT_OK
        for line in e.lines():
            print(line)
        return EXIT_OK

    return _run(args, run)


COMMANDS = {"whitelist": cmd_whitelist, "nominate": cmd_nominate, "scorecard": cmd_scorecard}
