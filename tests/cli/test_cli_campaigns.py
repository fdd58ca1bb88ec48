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


# --- changing a local campaign after it was made -----------------------------------------------------

def _made(d: tuple[str, ...], *clients: int) -> str:
    out = run_cli(*d, "campaigns", "create", "--name", "存款回馈", "--script", "-", "--json",
                  "--clients", ",".join(map(str, clients)), input="欢迎到网点咨询存款。")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["code"]


def _consented(data_dir: Path, n: int, *, consent: bool = True) -> list[int]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return [r[0] for r in db.conn.execute(
            f"SELECT id FROM clients WHERE deleted = 0 AND {'consent = 1' if consent else 'coalesce(consent, 0) = 0'}"
            " ORDER BY id LIMIT ?", (n,))]
    finally:
        db.close()


def test_edit_a_local_campaign_and_add_targets(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    yes = _consented(demo_dir, 4)
    no = _consented(demo_dir, 1, consent=False)
    code = _made(d, *yes[:2])
    script = tmp_path / "new.txt"
    script.write_text("新话术：本月到网点存款送大米。", encoding="utf-8")
    edited = run_cli(*d, "campaigns", "edit", code, "--script", str(script), "--ends", "2027-01-31",
                     "--goal", "12", "--benefits", "送大米一袋")
    assert edited.returncode == 0, edited.stderr
    assert "话术" in edited.stdout and "结束日期" in edited.stdout and code in edited.stdout
    shown = run_cli(*d, "campaigns", "show", code, "--json")
    detail = json.loads(shown.stdout)
    assert detail["script"] == "新话术：本月到网点存款送大米。" and detail["benefits"] == "送大米一袋"
    assert detail["campaign"]["ends"] == "2027-01-31" and detail["campaign"]["goal"] == 12
    assert detail["campaign"]["name"] == "存款回馈"  # what was not given stays
    _v, _n, journaled = _village_and_journal(demo_dir)
    added = run_cli(*d, "campaigns", "add-targets", code, "--clients", ",".join(map(str, [*yes, *no])), "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"code": code, "name": "存款回馈", "targets": 2, "no_consent": 1,
                                        "already": 2}
    assert _village_and_journal(demo_dir)[2] == journaled + 2
    again = run_cli(*d, "campaigns", "add-targets", code, "--clients", str(yes[0]))
    assert again.returncode == 0 and "追加目标客户 0 户" in again.stdout and "已是目标客户" in again.stdout
    village, consented, _j = _village_and_journal(demo_dir)
    by_village = run_cli(*d, "campaigns", "add-targets", code, "--village", village, "--json")
    assert by_village.returncode == 0, by_village.stderr
    made = json.loads(by_village.stdout)
    assert made["targets"] + made["already"] == consented


def test_edit_and_add_targets_refuse_and_write_nothing(demo_dir: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    code = _made(d, *_consented(demo_dir, 1))
    _v, _n, journaled = _village_and_journal(demo_dir)
    hq = run_cli(*d, "campaigns", "edit", "2026-mb-activation", "--name", "改名")
    assert hq.returncode == 1 and "由总行发布，网点不能修改" in hq.stderr
    hq_add = run_cli(*d, "campaigns", "add-targets", "2026-mb-activation", "--clients", "1")
    assert hq_add.returncode == 1 and "由总行发布，网点不能修改" in hq_add.stderr
    blocked = run_cli(*d, "campaigns", "edit", code, "--script", "-", input="本产品稳赚不赔。")
    assert blocked.returncode == 1 and "禁用词“稳赚不赔”" in blocked.stderr and "【稳赚不赔】" in blocked.stderr
    warned = run_cli(*d, "campaigns", "edit", code, "--script", "-", input="资金安全有保障。")
    assert warned.returncode == 1 and "--ack-warnings" in warned.stderr
    dates = run_cli(*d, "campaigns", "edit", code, "--starts", "2027-03-01", "--ends", "2027-02-01")
    assert dates.returncode == 1 and "结束日期不能早于开始日期" in dates.stderr
    unknown = run_cli(*d, "campaigns", "add-targets", code, "--clients", "99999999")
    assert unknown.returncode == 1 and "99999999" in unknown.stderr
    manager = run_cli(*d, "--user", "M0001", "campaigns", "edit", code, "--name", "改名")
    assert manager.returncode == 1 and "无权" in manager.stderr
    assert _village_and_journal(demo_dir)[2] == journaled
    nothing = run_cli(*d, "campaigns", "edit", code)
    assert nothing.returncode == 2 and "--script" in nothing.stderr
    no_targets = run_cli(*d, "campaigns", "add-targets", code)
    assert no_targets.returncode == 2 and "--clients" in no_targets.stderr
    no_code = run_cli(*d, "campaigns", "edit")
    assert no_code.returncode == 2
    ok = run_cli(*d, "campaigns", "edit", code, "--script", "-", "--ack-warnings", input="资金安全有保障。")
    assert ok.returncode == 0, ok.stderr
