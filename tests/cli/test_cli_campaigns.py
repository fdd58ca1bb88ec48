"""``branchdesk campaigns create`` and ``campaigns list`` as the branch head types them (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from app.store.store import Store
from tests.conftest import run_cli


def _village_and_journal(data_dir: Path) -> tuple[str, int, int]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        village = db.conn.execute("SELECT code FROM villages ORDER BY id LIMIT 1").fetchone()[0]
        consented = db.conn.execute(
            "SELECT count(*) FROM clients c JOIN villages v ON v.id = c.village_id"
            " WHERE v.code = ? AND c.deleted = 0 AND c.consent = 1", (village,)).fetchone()[0]
        journaled = db.conn.execute("SELECT count(*) FROM journal").fetchone()[0]
        return village, consented, journaled
    finally:
        db.close()


def test_create_a_local_campaign_for_a_village(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    village, consented, journaled = _village_and_journal(demo_dir)
    script = tmp_path / "script.txt"
    script.write_text("您好，本月到网点开通手机银行可领取小礼品。", encoding="utf-8")
    out = run_cli(*d, "campaigns", "create", "--name", "村口手机银行推广", "--starts", "2026-12-01",
                  "--ends", "2026-12-20", "--script", str(script), "--goal", "30", "--village", village, "--json")
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    assert made["targets"] == consented > 0 and made["code"].count("-L") == 1
    listed = run_cli(*d, "campaigns", "list")
    line = next(x for x in listed.stdout.splitlines() if made["code"] in x)
    assert "本网点" in line and "村口手机银行推广" in line
    assert "总行" in listed.stdout
    assert _village_and_journal(demo_dir)[2] == journaled + 1 + consented  # journaled for sync
    shown = run_cli(*d, "campaigns", "show", made["code"])
    assert shown.returncode == 0 and "村口手机银行推广" in shown.stdout


def test_create_refuses_wording_and_bad_fields_and_writes_nothing(demo_dir: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    _v, _n, journaled = _village_and_journal(demo_dir)
    blocked = run_cli(*d, "campaigns", "create", "--name", "稳赚理财", "--product", "wealth", "--script", "-",
                      "--clients", "1,2", input="本产品稳赚不赔。")
    assert blocked.returncode == 1
    assert "禁用词“稳赚不赔”" in blocked.stderr and "风险提示语" in blocked.stderr and "【稳赚不赔】" in blocked.stderr
    warned = run_cli(*d, "campaigns", "create", "--name", "存款季", "--script", "-", "--clients", "1",
                     input="资金安全有保障。")
    assert warned.returncode == 1 and "--ack-warnings" in warned.stderr
    dates = run_cli(*d, "campaigns", "create", "--name", "存款季", "--script", "-", "--clients", "1",
                    "--starts", "2026-12-20", "--ends", "2026-12-01", "--goal", "-3", input="欢迎到店。")
    assert dates.returncode == 1 and "结束日期不能早于开始日期" in dates.stderr and "目标户数" in dates.stderr
    none = run_cli(*d, "campaigns", "create", "--name", "存款季", "--script", "-", input="欢迎到店。")
    assert none.returncode == 2 and "--clients" in none.stderr
    manager = run_cli(*d, "--user", "M0001", "campaigns", "create", "--name", "存款季", "--script", "-",
                      "--clients", "1", input="欢迎到店。")
    assert manager.returncode == 1 and "无权" in manager.stderr
    assert _village_and_journal(demo_dir)[2] == journaled
    ok = run_cli(*d, "campaigns", "create", "--name", "存款季", "--script", "-", "--clients", "1",
                 "--ack-warnings", input="资金安全有保障。")
    assert ok.returncode == 0, ok.stderr
