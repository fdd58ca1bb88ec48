"""Marketing work, headless: ``branchdesk check-text``, ``contact``, ``followups`` and ``campaigns``.

    branchdesk check-text FILE|- [--wealth] [--json]
    branchdesk contact 客户 --channel 电话 [--outcome 有意向] [--note …] [--next 2026-12-09] [--campaign CODE]
                       [--ack-warnings]
    branchdesk followups [--manager M] [--due overdue|today|week] [--json]
    branchdesk followups done 编号 --result …
    branchdesk followups snooze 编号 --until 2026-12-10 --reason …
    branchdesk campaigns create --name 主题 --script FILE|- [--product P] [--starts D] [--ends D] [--benefits …]
                       [--goal N] (--clients 1,2,3 | --village V | --tag T …) [--ack-warnings]
    branchdesk campaigns edit 活动 [--name …] [--starts D] [--ends D] [--goal N] [--script FILE|-]
                       [--benefits …] [--ack-warnings]
    branchdesk campaigns add-targets 活动 (--clients 1,2,3 | --village V | --tag T …)

``check-text``:

Reads a script or note (a file, or ``-`` for standard input, UTF-8), prints each
blocked or warned word with the words around it and the rule, and exits 1 when the
text may not go to a client (a blocked word, or a wealth text without its risk
line), 0 otherwise (warnings are printed; a person confirms them). The list in
force is head office's once this PC has synced one, else the one shipped.

``contact``: the note is held to the same list. A blocked word refuses the save; a warned
word refuses it until the person confirms with ``--ack-warnings`` (the confirmation, not the
note, is written to the audit trail). Either refusal exits 1 with the words shown in place.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    ct = sub.add_parser("check-text", parents=[common], help="检查面向客户的文字（话术、备注）是否含禁用词、慎用词")
    ct.add_argument("file", metavar="文件", help="文本文件（UTF-8），或 - 表示从标准输入读取")
    ct.add_argument("--wealth", action="store_true", help="理财产品材料：须含风险提示语")
    ct.add_argument("--json", action="store_true", help="输出 JSON")


    co = sub.add_parser("contact", parents=[common], help="登记一次客户触达（可同时排下次跟进）")
    co.add_argument("client", metavar="客户", help="编号（如 1491）或核心客户号（如 CQ2600001491）")
    co.add_argument("--channel", required=True, metavar="方式",
                    help="电话 / 上门 / 邀约到店 / 厅堂 / 微信 / 转介 / 短信")
    co.add_argument("--outcome", default="", metavar="结果", help="如 有意向、已办理、暂不需要")
    co.add_argument("--note", default="", metavar="备注")
    co.add_argument("--date", default="", metavar="日期", help="默认今天")
    co.add_argument("--next", default="", metavar="日期", help="下次跟进日期：排入客户经理的跟进队列")
    co.add_argument("--campaign", metavar="活动代码", help="这次触达属于哪个营销活动")
    co.add_argument("--ack-warnings", action="store_true",
                    help="备注含慎用词时，确认表述合规后仍然保存（记入审计）；含禁用词的备注不能保存")
    fu = sub.add_parser("followups", parents=[common], help="跟进队列：已逾期、今天、本周")
    fu.add_argument("action", nargs="?", choices=["done", "snooze"], help="done 完成；snooze 推迟")
    fu.add_argument("id", nargs="?", metavar="编号", help="跟进编号（前 8 位即可）")
    fu.add_argument("--manager", metavar="工号", help="只看这位客户经理的（网点负责人）")
    fu.add_argument("--due", choices=["overdue", "today", "week"], help="已逾期 / 今天 / 本周内")
    fu.add_argument("--result", default="", metavar="结果", help="完成时的跟进结果")
    fu.add_argument("--until", default="", metavar="日期", help="推迟到哪天")
    fu.add_argument("--reason", default="", metavar="原因", help="推迟原因")
    fu.add_argument("--json", action="store_true")


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


def _service(args: argparse.Namespace, fn, *, writes: bool = False) -> int:
    from app.cli import signed_in
    from app.services.followups import FollowupService

    return signed_in(args, FollowupService, lambda svc, _store: fn(svc), writes=writes)


def print_wording(errors, note: str, db, *, flag: str = "--ack-warnings", field: str = "note",
                  wealth: bool = False) -> None:
    """After a note (or a script: ``field``) was refused for its wording: the words in place, and
    how to confirm a warning."""
    from app.cli import _err
    from app.core.compliance import highlight
    from app.services.compliance import check

    codes = {e.code for e in errors if e.field == field}
    if not codes & {"blocked", "warning", "risk_line"}:
        return
    levels = {"block": "禁用", "warn": "慎用", "missing_risk_line": "缺风险提示"}
    for f in check(note.strip(), db, wealth=wealth)[0]:
        _err(f"      {levels.get(f.level, f.level)}：{highlight(note.strip(), f)}")
    if codes & {"blocked", "risk_line"}:
        _err("提示：请删去或改写禁用词后再登记。" if field == "note"
             else "提示：请删去或改写禁用词、补上风险提示语后再保存。")
    else:
        _err(f"提示：确认表述合规后，加 {flag} 再执行一次（确认会记入审计）。")


def cmd_contact(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, _print_errors
    from app.core.errors import FieldError
    from app.services.clients import ClientService

    def run(svc) -> int:
        cid = ClientService(svc.db, svc.staff, svc.ref).resolve(args.client)
        if isinstance(cid, FieldError):
            _print_errors([cid])
            return EXIT_REFUSED
        result = svc.contact(cid, channel=args.channel, outcome=args.outcome, note=args.note, on=args.date or None,
                             next_date=args.next or None, campaign=args.campaign, acknowledged=args.ack_warnings)
        if not result.ok:
            _print_errors(result.errors)
            print_wording(result.errors, args.note, svc.db)
            return EXIT_REFUSED
        rec = result.value.values
        then = f"；{rec['next_date']} 跟进已排入队列" if rec["next_date"] else ""
        print(f"已登记触达（{rec['date']}）{then}，待同步到总行。")
        return EXIT_OK

    return _service(args, run, writes=True)


def cmd_followups(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, _print_json
    from app.core.errors import FieldError
    from sync.terminal import table

    if args.action and not args.id:
        _err("错误：请给出跟进编号（见 branchdesk followups 的列表）。")
        return EXIT_USAGE

    def run(svc) -> int:
        if args.action == "done":
            result = svc.done(args.id, args.result)
        elif args.action == "snooze":
            result = svc.snooze(args.id, args.until, args.reason)
        else:
            manager = None
            if args.manager:
                s = svc.ref.find_staff(args.manager)
                if s is None:
                    _print_errors([FieldError("manager", "客户经理", "unknown", f"员工“{args.manager}”不在名册中。")])
                    return EXIT_REFUSED
                manager = s.code
            rows = svc.queue(manager=manager, due=args.due)
            if isinstance(rows, FieldError):
                _print_errors([rows])
                return EXIT_REFUSED
            if args.json:
                from dataclasses import asdict

                _print_json([asdict(r) for r in rows])
                return EXIT_OK
            when = {"overdue": "已逾期", "today": "今天", "week": "本周", "later": "以后"}
            names = {s.code: s.name for s in svc.ref.staff.values()}
            body = [[r.uid[:8], when[r.when] + (f" {r.days_late} 天" if r.days_late else ""), r.due, r.client_name,
                     r.village, r.mobile, names.get(r.staff, r.staff), r.campaign or "", r.note or r.snooze_reason]
                    for r in rows]
            if body:
                print(table(["编号", "到期", "日期", "客户", "村", "手机", "客户经理", "活动", "备注"], body))
            print(f"共 {len(rows)} 条待跟进" + ("（只列已授权营销的客户）。" if rows else "。"))
            return EXIT_OK
        if not result.ok:
            _print_errors(result.errors)
            return EXIT_REFUSED
        print("已完成。" if args.action == "done" else f"已推迟到 {result.value.values['snoozed_until']}。")
        return EXIT_OK

    return _service(args, run, writes=bool(args.action))


COMMANDS = {"check-text": cmd_check_text, "contact": cmd_contact, "followups": cmd_followups}


# --- campaigns -------------------------------------------------------------------------------


def add_campaign_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    c = sub.add_parser("campaigns", parents=[common], help="营销活动：列表、详情与目标客户、分发、触达率与转化率")
    cs = c.add_subparsers(dest="campaigns_command", metavar="操作", required=True)
    ls = cs.add_parser("list", parents=[common], help="列出营销活动")
    ls.add_argument("--json", action="store_true")
    sh = cs.add_parser("show", parents=[common], help="活动详情：话术（附风险提示、合规检查）和目标客户")
    sh.add_argument("campaign", metavar="活动", help="活动代码或名称")
    sh.add_argument("--manager", metavar="工号", help="只列这位客户经理的目标客户")
    sh.add_argument("--excluded", action="store_true", help="列出因客户未授权营销而排除的目标（网点负责人）")
    sh.add_argument("--json", action="store_true")
    asg = cs.add_parser("assign", parents=[common], help="把目标客户分发给客户经理（网点负责人）")
    asg.add_argument("campaign", metavar="活动", help="活动代码或名称")
    asg.add_argument("targets", nargs="*", metavar="目标", help="目标编号（前 8 位即可），与 --manager 同用")
    asg.add_argument("--manager", metavar="工号", help="把所列目标分给这位客户经理")
    asg.add_argument("--auto", action="store_true", help="按管户关系和村均衡分发尚未分发的目标")
    asg.add_argument("--preview", action="store_true", help="只显示方案，不写入")
    lc = sub.add_parser("lifecycle", parents=[common],
                        help="生命周期规则：按日历推进（蜜月期满→成熟，长期无触达→流失预警）")
    lcs = lc.add_subparsers(dest="lifecycle_command", metavar="操作", required=True)
    run = lcs.add_parser("run", parents=[common], help="按今天（或 --date）应用规则，每次变更记入日志并注明规则")
    run.add_argument("--date", default="", metavar="日期", help="按哪天计算（默认今天）")
    run.add_argument("--dry-run", action="store_true", help="只列出会变更的客户，不写入")
    run.add_argument("--json", action="store_true")
    cr = cs.add_parser("create", parents=[common],
                       help="新建本网点营销活动及其目标客户（网点负责人；话术须过合规词表，未授权营销的客户不纳入）")
    cr.add_argument("--name", required=True, metavar="主题", help="活动主题")
    cr.add_argument("--product", default="", metavar="产品",
                    help="产品代码（理财类 wealth/licai/fund/insurance 的话术须含风险提示语）")
    cr.add_argument("--starts", default="", metavar="日期", help="开始日期")
    cr.add_argument("--ends", default="", metavar="日期", help="结束日期")
    cr.add_argument("--script", required=True, metavar="文件", help="话术文本文件（UTF-8），或 - 表示从标准输入读取")
    cr.add_argument("--benefits", default="", metavar="权益", help="客户权益")
    cr.add_argument("--goal", default="", metavar="N", help="目标户数")
    cr.add_argument("--clients", default="", metavar="1,2,3", help="目标客户：编号或核心客户号，逗号分隔")
    cr.add_argument("--village", action="append", default=[], metavar="村", help="这些村的客户（可重复）")
    cr.add_argument("--tag", action="append", default=[], metavar="标签", help="同时具有这些标签的客户（可重复）")
    cr.add_argument("--ack-warnings", action="store_true",
                    help="话术含慎用词时，确认表述合规后仍然保存（记入审计）；含禁用词的话术不能保存")
    cr.add_argument("--json", action="store_true")
    ed = cs.add_parser("edit", parents=[common],
                       help="修改本网点营销活动的主题、日期、目标户数、话术或权益（网点负责人；总行活动不能修改，产品不能改）")
    ed.add_argument("campaign", metavar="活动", help="活动代码或名称")
    ed.add_argument("--name", metavar="主题", help="活动主题")
    ed.add_argument("--starts", metavar="日期", help="开始日期（空字符串表示清除）")
    ed.add_argument("--ends", metavar="日期", help="结束日期（空字符串表示清除）")
    ed.add_argument("--goal", metavar="N", help="目标户数（空字符串表示清除）")
    ed.add_argument("--script", metavar="文件", help="新话术的文本文件（UTF-8），或 - 表示从标准输入读取")
    ed.add_argument("--benefits", metavar="权益", help="客户权益")
    ed.add_argument("--ack-warnings", action="store_true",
                    help="话术含慎用词时，确认表述合规后仍然保存（记入审计）；含禁用词的话术不能保存")
    ed.add_argument("--json", action="store_true")
    at = cs.add_parser("add-targets", parents=[common],
                       help="为本网点营销活动追加目标客户（网点负责人；已是目标的不重复加入，未授权营销的客户不纳入）")
    at.add_argument("campaign", metavar="活动", help="活动代码或名称")
    at.add_argument("--clients", default="", metavar="1,2,3", help="目标客户：编号或核心客户号，逗号分隔")
    at.add_argument("--village", action="append", default=[], metavar="村", help="这些村的客户（可重复）")
    at.add_argument("--tag", action="append", default=[], metavar="标签", help="同时具有这些标签的客户（可重复）")
    at.add_argument("--json", action="store_true")
    fg = cs.add_parser("figures", parents=[common], help="触达率与转化率：按活动或客户经理")
    fg.add_argument("campaign", nargs="?", metavar="活动", help="只统计这个活动")
    fg.add_argument("--by", choices=["campaign", "manager", "week"], default="campaign",
                    help="按活动、客户经理，或按周（一个活动的触达与转化随时间的累计）")
    fg.add_argument("--json", action="store_true")


def _campaigns(args: argparse.Namespace, fn, *, writes: bool = False) -> int:
    from app.cli import signed_in
    from app.services.campaigns import CampaignService

    return signed_in(args, CampaignService, lambda svc, _store: fn(svc), writes=writes)


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "—"


def cmd_campaigns(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, _print_json
    from app.core.compliance import highlight
    from app.core.errors import FieldError
    from sync.terminal import table

    sub = args.campaigns_command
    if sub == "assign" and bool(args.auto) == bool(args.manager):
        _err("错误：请二选一：--auto（自动均衡分发），或 --manager 工号 加上目标编号。")
        return EXIT_USAGE
    script: str | None = ""
    if sub in ("create", "add-targets") and not (args.clients.strip() or args.village or args.tag):
        _err("错误：请用 --clients、--village 或 --tag 指明目标客户。")
        return EXIT_USAGE
    if sub == "edit" and all(getattr(args, k) is None for k in EDIT_OPTIONS):
        _err("错误：请至少给出一项要修改的内容：" + "、".join(f"--{k}" for k in EDIT_OPTIONS) + "。")
        return EXIT_USAGE
    if sub == "create" or (sub == "edit" and args.script is not None):
        script = _read_text(args.script)
        if script is None:
            return EXIT_USAGE

    def refused(errors) -> int:
        _print_errors(errors)
        return EXIT_REFUSED

    def run(svc) -> int:
        names = {s.code: s.name for s in svc.ref.staff.values()}
        if sub == "list":
            rows = svc.campaigns()
            if isinstance(rows, FieldError):
                return refused([rows])
            if args.json:
                _print_json([asdict(r) for r in rows])
                return EXIT_OK
            heads = ["代码", "主题", "来源", "起止", "目标户数", "未授权排除", "已分发", "已触达", "触达率", "已转化",
                     "转化率"]
            print(table(heads,
                        [[r.code, r.name, "本网点" if r.local else "总行", f"{r.starts or '—'}~{r.ends or '—'}",
                          r.targets, r.excluded, r.assigned, r.reached, _pct(r.reached, r.targets), r.converted,
                          _pct(r.converted, r.targets)]
                         for r in rows], left=4))
            return EXIT_OK
        if sub == "create":
            return _create(svc, args, script)
        code = svc.resolve(args.campaign) if getattr(args, "campaign", None) else None
        if isinstance(code, FieldError):
            return refused([code])
        if sub == "edit":
            return _edit(svc, args, code, script or "")
        if sub == "add-targets":
            return _add_targets(svc, args, code)
        if sub == "show":
            d = svc.detail(code)
            if isinstance(d, FieldError):
                return refused([d])
            manager = svc.ref.find_staff(args.manager).code if args.manager and svc.ref.find_staff(args.manager) \
                else None
            targets = svc.targets(code, manager=manager, excluded=args.excluded)
            if isinstance(targets, FieldError):
                return refused([targets])
            if args.json:
                _print_json({"campaign": asdict(d.row), "script": d.script, "benefits": d.benefits,
                             "risk_line": d.risk_line, "blocked": d.blocked,
                             "findings": [f.message for f in d.findings], "targets": [asdict(t) for t in targets]})
                return EXIT_OK
            r = d.row
            print(f"{r.name}（{r.code}）  {r.starts or '—'} 至 {r.ends or '—'}  目标 {r.goal or '—'} 户")
            print(f"话术：{d.script}")
            print(f"权益：{d.benefits or '—'}")
            print(f"风险提示：{d.risk_line}")
            for f in d.findings:
                print(f"  {'禁用' if f.level != 'warn' else '慎用'}：{highlight(d.script, f)}  {f.message}")
            title = "因客户未授权营销而排除的目标" if args.excluded else "目标客户"
            print(f"{title}（{len(targets)} 户）：")
            print(table(["编号", "客户", "村", "手机", "客户经理", "触达", "转化"] if not args.excluded else
                        ["编号", "客户", "村", "手机", "原因"],
                        [[t.uid[:8], t.name, t.village, t.mobile, names.get(t.manager or "", "未分发"),
                          "是" if t.reached else "", "是" if t.converted else ""] if not args.excluded else
                         [t.uid[:8], t.name, t.village, t.mobile,
                          "客户拒绝营销" if t.consent is False else "未取得营销授权"]
                         for t in targets]))
            return EXIT_OK
        if sub == "assign":
            if args.manager:
                uids = []
                for text in args.targets:
                    found = svc.db.conn.execute(
                        "SELECT uid FROM campaign_targets WHERE campaign = ? AND deleted = 0 AND uid LIKE ?",
                        (code, f"{text}%")).fetchall()
                    if len(found) != 1:
                        return refused([FieldError("target", "目标客户", "unknown", f"找不到目标“{text}”。")])
                    uids.append(found[0][0])
                result = svc.assign(uids, args.manager)
            else:
                plan = svc.plan(code)
                if isinstance(plan, FieldError):
                    return refused([plan])
                after = svc.balance(code, plan)
                print(table(["客户经理", "分发后（户）"], [[f"{names.get(m, m)}（{m}）", n] for m, n in after.items()],
                            left=1))
                if args.preview or not plan:
                    print(f"方案共 {len(plan)} 户" + ("（预览，未写入）。" if plan else "：没有需要分发的目标。"))
                    return EXIT_OK
                result = svc.apply_plan(plan)
            if not result.ok:
                return refused(result.errors)
            print(f"已分发 {result.value} 户（每条变更已记入日志，待同步）。")
            return EXIT_OK
        if args.by == "week":
            if code is None:
                _err("错误：按周统计请指明一个活动。")
                return EXIT_USAGE
            weeks = svc.weekly(code)
            if isinstance(weeks, FieldError):
                return refused([weeks])
            if args.json:
                _print_json([{"week": w, "targets": t, "reached": r, "converted": c} for w, t, r, c in weeks])
                return EXIT_OK
            if not weeks:
                print("这个活动还没有触达记录。")
                return EXIT_OK
            print(table(["周（周一）", "目标户数", "累计触达", "触达率", "累计转化", "转化率"],
                        [[w, t, r, _pct(r, t), c, _pct(c, t)] for w, t, r, c in weeks], left=1))
            return EXIT_OK
        rows = svc.figures(args.by, code)
        if isinstance(rows, FieldError):
            return refused([rows])
        if args.json:
            _print_json([{**asdict(r), "reach_rate": r.reach_rate, "conversion_rate": r.conversion_rate}
                         for r in rows])
            return EXIT_OK
        label = (lambda k: names.get(k, k) or "未分发") if args.by == "manager" else (lambda k: k)
        heads = ["客户经理" if args.by == "manager" else "活动", "目标户数", "已触达", "触达率", "已转化", "转化率"]
        print(table(heads,
                    [[label(r.key), r.targets, r.reached, _pct(r.reached, r.targets), r.converted,
                      _pct(r.converted, r.targets)] for r in rows], left=1))
        return EXIT_OK

    return _campaigns(args, run, writes=sub in ("create", "edit", "add-targets")
                      or (sub == "assign" and not args.preview))


def _read_text(path: str) -> str | None:
    """A UTF-8 text file, or standard input for ``-``; None (said why) when it cannot be read."""
    from app.cli import _err

    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        _err(f"错误：文件 {path} 不存在。")
    except UnicodeDecodeError:
        _err(f"错误：文件 {path} 不是 UTF-8 文本，请另存为 UTF-8 后再试。")
    except OSError as exc:
        _err(f"错误：无法读取 {path}（{exc.strerror or exc}）。")
    return None


EDIT_OPTIONS = ("name", "starts", "ends", "goal", "script", "benefits")  # what ``campaigns edit`` may change


def _target_ids(svc, args: argparse.Namespace) -> tuple[list[int], list]:
    """The clients chosen by number (``--clients``), village or tag: (their ids, field errors)."""
    from app.cli import _resolve_filter
    from app.core.errors import FieldError
    from app.services.clients import ClientService

    clients = ClientService(svc.db, svc.staff, svc.ref)
    ids: list[int] = []
    errors: list[FieldError] = []
    for text in (t.strip() for t in args.clients.replace("，", ",").split(",")):
        if text:
            found = clients.resolve(text)
            errors.append(found) if isinstance(found, FieldError) else ids.append(found)
    if args.village or args.tag:
        args.search, args.any_tag, args.segment, args.lifecycle = "", [], [], []
        f, wrong = _resolve_filter(clients, args)
        errors += wrong
        if not wrong:
            n = clients.count(f)
            rows = clients.page(f, limit=n if isinstance(n, int) else 0) if isinstance(n, int) and n else []
            if isinstance(n, FieldError) or isinstance(rows, FieldError):
                errors.append(n if isinstance(n, FieldError) else rows)  # type: ignore[arg-type]
            else:
                ids += [r.id for r in rows]
    return ids, errors


def _how(args: argparse.Namespace) -> str:
    """What the target rows' note says of the choice (data, Chinese)."""
    return "、".join([*(f"村 {v}" for v in args.village), *(f"标签 {t}" for t in args.tag)]) or "逐户选定"


def _create(svc, args: argparse.Namespace, script: str) -> int:
    """``campaigns create``: the targets chosen by number, village or tag; the campaign saved."""
    from app.cli import EXIT_OK, EXIT_REFUSED, _print_errors, _print_json
    from app.services.campaigns import WEALTH_PRODUCTS

    ids, errors = _target_ids(svc, args)
    if errors:
        _print_errors(errors)
        return EXIT_REFUSED
    values = {"name": args.name, "product": args.product, "starts": args.starts, "ends": args.ends,
              "script": script, "benefits": args.benefits, "goal": args.goal}
    result = svc.create_local(values, ids, acknowledged=args.ack_warnings, note=f"本网点自建：{_how(args)}")
    if not result.ok:
        _print_errors(result.errors)
        print_wording(result.errors, script, svc.db, field="script",
                      wealth=args.product.strip() in WEALTH_PRODUCTS)
        return EXIT_REFUSED
    made = result.value
    if args.json:
        from dataclasses import asdict

        _print_json(asdict(made))
        return EXIT_OK
    apart = f"；{made.no_consent} 位客户未授权营销，未纳入" if made.no_consent else ""
    print(f"已新建本网点营销活动“{made.name}”（{made.code}）：目标客户 {made.targets} 户{apart}。待同步到总行；"
          f"可用 branchdesk campaigns assign {made.code} --auto 分发给客户经理。")
    return EXIT_OK


def _edit(svc, args: argparse.Namespace, code: str, script: str) -> int:
    """``campaigns edit``: the fields given changed (a local campaign only; the service says why not)."""
    from app.cli import EXIT_OK, EXIT_REFUSED, _print_errors, _print_json
    from app.services.campaigns import WEALTH_PRODUCTS

    changes = {k: (script if k == "script" else getattr(args, k)) for k in EDIT_OPTIONS
               if getattr(args, k) is not None}
    result = svc.edit_local(code, changes, acknowledged=args.ack_warnings)
    if not result.ok:
        _print_errors(result.errors)
        if "script" in changes:
            product = svc.db.conn.execute("SELECT product FROM campaigns WHERE code = ?", (code,)).fetchone()
            print_wording(result.errors, script, svc.db, field="script",
                          wealth=bool(product) and (product[0] or "") in WEALTH_PRODUCTS)
        return EXIT_REFUSED
    if args.json:
        _print_json({"code": code, "name": result.value.name, "changed": sorted(changes)})
        return EXIT_OK
    labels = {"name": "主题", "starts": "开始日期", "ends": "结束日期", "goal": "目标户数", "script": "话术",
              "benefits": "权益"}
    what = "、".join(labels[k] for k in changes)
    print(f"已修改本网点营销活动“{result.value.name}”（{code}）的{what}，待同步到总行。")
    return EXIT_OK


def _add_targets(svc, args: argparse.Namespace, code: str) -> int:
    """``campaigns add-targets``: more clients for a local campaign (consented, not targets yet)."""
    from app.cli import EXIT_OK, EXIT_REFUSED, _print_errors, _print_json

    ids, errors = _target_ids(svc, args)
    if errors:
        _print_errors(errors)
        return EXIT_REFUSED
    result = svc.add_targets(code, ids, note=f"本网点自建：{_how(args)}")
    if not result.ok:
        _print_errors(result.errors)
        return EXIT_REFUSED
    added = result.value
    if args.json:
        from dataclasses import asdict

        _print_json(asdict(added))
        return EXIT_OK
    apart = "".join([f"；{added.already} 位已是目标客户，未重复加入" if added.already else "",
                     f"；{added.no_consent} 位客户未授权营销，未纳入" if added.no_consent else ""])
    print(f"已为本网点营销活动“{added.name}”（{code}）追加目标客户 {added.targets} 户{apart}。"
          + (f"待同步到总行；可用 branchdesk campaigns assign {code} --auto 分发给客户经理。" if added.targets else ""))
    return EXIT_OK


COMMANDS["campaigns"] = cmd_campaigns


def cmd_lifecycle(args: argparse.Namespace) -> int:
    from collections import Counter
    from datetime import date

    from app.cli import EXIT_OK, EXIT_REFUSED, _print_errors, _print_json, signed_in
    from app.core import validation as v
    from app.core.errors import FieldError
    from app.core.lifecycle import LifecycleRules
    from app.core.roles import Action, check
    from app.services import lifecycle

    day = v.parse_date(args.date, field="date", label="日期")
    if isinstance(day, FieldError):
        _print_errors([day])
        return EXIT_REFUSED
    if day is not None and day > date.today():
        _print_errors([FieldError("date", "日期", "future", "日期不能晚于今天。")])
        return EXIT_REFUSED

    def run(pair, store) -> int:
        db, staff = pair
        denied = check(staff, Action.RUN_LIFECYCLE)
        if denied:
            _print_errors([denied])
            return EXIT_REFUSED
        rules = LifecycleRules.from_settings(store.settings.extra)
        result = lifecycle.run_calendar(db, day or date.today(), rules, dry_run=args.dry_run)
        moves = result.value or []
        if args.json:
            _print_json([{"client_id": m.client_id, "from": m.old.value, "to": m.new.value, "rule": m.rule}
                         for m in moves])
            return EXIT_OK
        by_rule = Counter(m.why for m in moves)
        for why, n in by_rule.items():
            print(f"{why}：{n} 位")
        verb = "将变更" if args.dry_run else "已变更"
        print(f"{verb} {len(moves)} 位客户的生命周期（蜜月期 {rules.honeymoon_days} 天，"
              f"{rules.quiet_days} 天无触达即流失预警；settings.json 的 lifecycle 可改）。")
        return EXIT_OK

    return signed_in(args, lambda db, staff: (db, staff), run, writes=not args.dry_run)


COMMANDS["lifecycle"] = cmd_lifecycle


# --- printed worksheets ---------------------------------------------------------------------------


def add_print_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    pr = sub.add_parser("print", parents=[common], help="打印工作单（PDF）：白名单走访、跟进、营销")
    ps = pr.add_subparsers(dest="print_command", metavar="工作单", required=True)
    for name, helptext in (("whitelist", "白名单走访工作单"), ("followups", "跟进工作单（已逾期和本周到期）"),
                           ("marketing", "营销工作单（一个活动的目标客户，按村排列）"),
                           ("scenarios", "智慧乡村场景报告（按乡镇，某月开户数及同比环比）")):
        p = ps.add_parser(name, parents=[common], help=helptext)
        p.add_argument("-o", "--output", required=True, metavar="文件", help="PDF 文件")
        if name == "scenarios":
            p.add_argument("--period", default="", metavar="年-月", help="统计月份（默认有数据的最近一个月）")
            continue
        p.add_argument("--manager", metavar="工号", help="为哪位客户经理打印（网点负责人须指明）")
        p.add_argument("--unmasked", action="store_true", help="手机号不脱敏（需权限，记入审计）")
        if name == "whitelist":
            p.add_argument("--cluster", metavar="集群", help="产业集群代码")
            p.add_argument("--village", metavar="村", help="村名或村编码")
        if name == "marketing":
            p.add_argument("--campaign", required=True, metavar="活动", help="活动代码或名称")


def cmd_print(args: argparse.Namespace) -> int:
    from app.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, _err, _print_errors, signed_in
    from app.core.errors import FieldError
    from app.services.sheets import SheetService

    out = Path(args.output).expanduser()
    if out.suffix.lower() != ".pdf":
        _err("错误：输出文件应以 .pdf 结尾。")
        return EXIT_USAGE
    if not out.parent.is_dir():
        _err(f"错误：文件夹 {out.parent} 不存在。")
        return EXIT_USAGE

    def run(svc: SheetService, _store) -> int:
        kind = args.print_command
        if kind == "whitelist":
            village = None
            if args.village:
                found = svc.ref.find_villages(args.village)
                if len(found) != 1:
                    _print_errors([FieldError("village", "所属村", "unknown",
                                              f"所属村“{args.village}”不存在或有重名。")])
                    return EXIT_REFUSED
                village = found[0].id
            result = svc.whitelist(out, manager=args.manager, cluster=args.cluster, village_id=village,
                                   unmasked=args.unmasked)
        elif kind == "followups":
            result = svc.followups(out, manager=args.manager, unmasked=args.unmasked)
        elif kind == "scenarios":
            result = svc.scenarios(out, period=args.period or None)
        else:
            result = svc.marketing(out, campaign=args.campaign, manager=args.manager, unmasked=args.unmasked)
        if not result.ok:
            _print_errors(result.errors)
            return EXIT_REFUSED
        number, pages, rows = result.value
        print(f"已生成工作单 {number}：{rows} 行，{pages} 页 → {out}")
        return EXIT_OK

    try:
        return signed_in(args, SheetService, run)
    except PermissionError:
        _err(f"错误：无法写入 {out}（权限不足）。")
        return EXIT_USAGE


COMMANDS["print"] = cmd_print
