"""``branchdesk whitelist``, ``nominate`` and ``scorecard check`` as a person types them (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

from app.store.store import Store
from tests.conftest import run_cli


def _state(data_dir: Path) -> tuple:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return (db.conn.execute("SELECT count(*), sum(version) FROM whitelist").fetchone(),
                db.conn.execute("SELECT count(*) FROM whitelist_outcomes").fetchone()[0],
                db.conn.execute("SELECT count(*) FROM journal").fetchone()[0])
    finally:
        db.close()


def _entry(data_dir: Path, where: str) -> tuple[str, int]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return db.conn.execute(
            "SELECT w.uid, w.limit_fen FROM whitelist w LEFT JOIN whitelist_state s ON s.whitelist_uid = w.uid"
            f" WHERE w.deleted = 0 AND {where} ORDER BY w.id LIMIT 1").fetchone()
    finally:
        db.close()


def test_list_filters_and_reads_in_wan(demo_dir: Path) -> None:
    out = run_cli("--data-dir", str(demo_dir), "whitelist", "list", "--cluster", "茶叶产业集群", "--expiring", "90",
                  "--limit", "5")
    assert out.returncode == 0, out.stderr
    assert "额度（万元）" in out.stdout and "茶叶产业集群" in out.stdout and "条符合条件" in out.stdout
    data = json.loads(run_cli("--data-dir", str(demo_dir), "whitelist", "list", "--outreach", "--json",
                              "--limit", "3").stdout)
    assert data["total"] > 0 and all(r["consent"] is True for r in data["rows"])
    assert all("****" in (r["mobile"] or "****") for r in data["rows"])  # masked
    for args, message in (
        (["--village", "不存在的村"], "所属村“不存在的村”不存在"),
        (["--cluster", "苹果"], "产业集群“苹果”不存在"),
        (["--status", "飞了"], "营销状态应为"),
        (["--manager", "Z9999"], "不在本网点名册"),
    ):
        bad = run_cli("--data-dir", str(demo_dir), "whitelist", "list", *args)
        assert bad.returncode == 1 and message in bad.stderr and "Traceback" not in bad.stderr, (args, bad.stderr)


def test_outcomes_move_forward_only_and_a_refusal_writes_nothing(demo_dir: Path) -> None:
    uid, limit = _entry(demo_dir, "s.whitelist_uid IS NULL AND w.valid_to >= date('now')")
    d = ["--data-dir", str(demo_dir)]
    before = _state(demo_dir)
    refused = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已用信", "--amount", "1万")
    assert refused.returncode == 1 and "用信之前须先“已申请”" in refused.stderr
    no_reason = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "拒绝")
    assert no_reason.returncode == 1 and "须填写原因" in no_reason.stderr
    bad_amount = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已联系", "--amount", "很多")
    assert bad_amount.returncode == 1 and "用信金额应为金额" in bad_amount.stderr
    unknown = run_cli(*d, "whitelist", "outcome", "nosuchentry", "--status", "已联系")
    assert unknown.returncode == 1 and "找不到白名单条目" in unknown.stderr
    assert _state(demo_dir) == before
    for status in ("已联系", "已申请"):
        ok = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", status)
        assert ok.returncode == 0 and "已登记" in ok.stdout, ok.stderr
    over = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已用信", "--amount", str(limit // 100 + 1))
    assert over.returncode == 1 and "超过核定额度" in over.stderr
    drawn = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已用信", "--amount", str(limit // 100))
    assert drawn.returncode == 0, drawn.stderr
    shown = run_cli(*d, "whitelist", "show", uid[:8])
    assert shown.returncode == 0 and "已用信" in shown.stdout and "待同步" in shown.stdout
    assert "（最终状态）" in shown.stdout


def test_an_outcome_note_with_warned_words_needs_ack_warnings(demo_dir: Path) -> None:
    uid, _limit = _entry(demo_dir, "s.whitelist_uid IS NULL AND w.valid_to >= date('now')")
    d = ["--data-dir", str(demo_dir)]
    before = _state(demo_dir)
    blocked = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已联系", "--note", "告诉他零风险",
                      "--ack-warnings")
    assert blocked.returncode == 1 and "禁用词“零风险”" in blocked.stderr and "【零风险】" in blocked.stderr
    warned = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已联系", "--note", "额度有保障")
    assert warned.returncode == 1 and "“有保障”" in warned.stderr and "--ack-warnings" in warned.stderr
    assert _state(demo_dir) == before
    ok = run_cli(*d, "whitelist", "outcome", uid[:8], "--status", "已联系", "--note", "额度有保障", "--ack-warnings")
    assert ok.returncode == 0 and "已登记" in ok.stdout, ok.stderr
    db = Store.open(demo_dir).connect(readonly=True)
    try:
        rows = db.conn.execute("SELECT kind, detail FROM audit_log WHERE action = 'ack_wording'").fetchall()
        assert len(rows) == 1 and rows[0][0] == "whitelist_outcome" and "有保障" in rows[0][1]
    finally:
        db.close()


def test_assign_preview_writes_nothing_and_auto_assigns_the_rest(demo_dir: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    before = _state(demo_dir)
    preview = run_cli(*d, "whitelist", "assign", "--auto", "--preview")
    assert preview.returncode == 0 and "预览，未写入" in preview.stdout and "M0001" in preview.stdout
    assert _state(demo_dir) == before
    both = run_cli(*d, "whitelist", "assign", "--auto", "--manager", "M0001")
    assert both.returncode == 2 and "二选一" in both.stderr
    done = run_cli(*d, "whitelist", "assign", "--auto")
    assert done.returncode == 0 and "已分配" in done.stdout
    listed = json.loads(run_cli(*d, "whitelist", "list", "--unassigned", "--json").stdout)
    assert listed["total"] == 0
    as_manager = run_cli(*d, "--user", "M0002", "whitelist", "assign", "--auto")
    assert as_manager.returncode == 1 and "无权分配白名单" in as_manager.stderr


def test_funnel_and_its_json_agree(demo_dir: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    text = run_cli(*d, "whitelist", "funnel", "--by", "cluster")
    assert text.returncode == 0 and "转化率" in text.stdout and "合计" in text.stdout
    rows = json.loads(run_cli(*d, "whitelist", "funnel", "--json").stdout)
    total = json.loads(run_cli(*d, "whitelist", "list", "--json", "--limit", "0").stdout)["total"]
    assert sum(r["entries"] for r in rows) == total


def test_scorecard_check_prints_each_factor_and_nominate_refuses_a_second_open_one(demo_dir: Path) -> None:
    d = ["--data-dir", str(demo_dir)]
    inputs = ["--household-size", "4", "--labour", "2", "--assets-wan", "30", "--debts-wan", "5",
              "--net-income-last-wan", "6", "--overall", "良", "--credit-record", "无不良记录"]
    check = run_cli(*d, "scorecard", "check", "--cluster", "tea", *inputs)
    assert check.returncode == 0, check.stderr
    assert "人口数：4人 → 8 / 8 分" in check.stdout and "档位 B" in check.stdout and "缺少 1 项输入" in check.stdout
    bad = run_cli(*d, "scorecard", "check", "--cluster", "tea", "--labour", "两个")
    assert bad.returncode == 1 and "劳动力应为数字" in bad.stderr
    before = _state(demo_dir)
    preview = run_cli(*d, "--user", "M0003", "nominate", "--cluster", "tea", "--name", "谭光荣", "--id-number",
                      "500229198803150036", "--preview", *inputs)
    assert preview.returncode == 0 and "预览" in preview.stdout and _state(demo_dir) == before
    first = run_cli(*d, "--user", "M0003", "nominate", "--cluster", "tea", "--name", "谭光荣", "--id-number",
                    "500229198803150036", "--amount", "10万", *inputs)
    assert first.returncode == 0 and "已提交推荐" in first.stdout, first.stderr
    second = run_cli(*d, "--user", "M0003", "nominate", "--cluster", "tea", "--name", "谭光荣", "--id-number",
                     "500229198803150036", *inputs)
    assert second.returncode == 1 and "不能重复推荐" in second.stderr
    listed = run_cli(*d, "whitelist", "nominations")
    assert "谭光荣" in listed.stdout and "500229198803150036" not in listed.stdout and "待总行评估" in listed.stdout
