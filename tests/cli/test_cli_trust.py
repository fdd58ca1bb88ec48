"""Trust at the branch PC (issue 13), as a person meets it on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from app.store.store import Store
from tests.conftest import run_cli


def _a_banked_client(data_dir: Path) -> tuple[int, str]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return db.conn.execute(
            "SELECT id, mobile FROM clients WHERE mobile IS NOT NULL AND client_no IS NOT NULL"
            " AND lifecycle = 'churned' ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        db.close()


def test_history_is_masked_and_reads_in_chinese(demo_dir: Path) -> None:
    """Items 5 and 6: no full phone number, no internal codes, no raw JSON in a client's history."""
    cid, old_mobile = _a_banked_client(demo_dir)
    edit = run_cli("clients", "edit", str(cid), "--mobile", "13812345678", "--lifecycle", "成熟")
    assert edit.returncode == 0, edit.stderr
    shown = run_cli("clients", "show", str(cid), "--history")
    assert shown.returncode == 0, shown.stderr
    assert "13812345678" not in shown.stdout and old_mobile not in shown.stdout
    assert "手机号：" in shown.stdout and "138****5678" in shown.stdout
    assert "生命周期：流失 → 成熟" in shown.stdout
    assert "churned" not in shown.stdout and "{" not in shown.stdout
    as_json = run_cli("clients", "show", str(cid), "--history", "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert "13812345678" not in as_json.stdout and old_mobile not in as_json.stdout
    [entry] = json.loads(as_json.stdout)["history"]
    assert {f["label"]: f["after"] for f in entry["fields"]} == {"手机号": "138****5678", "生命周期": "成熟"}


def test_a_traceback_in_the_log_is_scrubbed_too(tmp_path: Path) -> None:
    """Item 8: ``log.exception`` on an error whose text holds a phone or ID number writes neither."""
    import logging

    from app.logging_setup import setup_logging

    path = setup_logging(tmp_path)
    log = logging.getLogger("test.scrub")
    try:
        raise ValueError("客户 13812345678 的证件 11010519491231002X 无效")
    except ValueError:
        log.exception("保存失败 %s", "15715711648")
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert "ValueError" in text and "Traceback" in text
    for number in ("13812345678", "11010519491231002X", "15715711648"):
        assert number not in text
    assert text.count("<mobile>") >= 2 and "<id-number>" in text


def test_export_masks_names_and_numbers_unless_asked(demo_dir: Path, tmp_path: Path) -> None:
    """Item 7: an export is masked by default (names too) and says so in its headers."""
    import csv

    cid, mobile = _a_banked_client(demo_dir)
    db = Store.open(demo_dir).connect(readonly=True)
    try:
        name, client_no = db.conn.execute("SELECT name, client_no FROM clients WHERE id = ?", (cid,)).fetchone()
    finally:
        db.close()
    out = tmp_path / "导出.csv"
    done = run_cli("clients", "export", str(out), "--search", client_no)
    assert done.returncode == 0, done.stderr
    assert "已脱敏" in done.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows, "the search by client number matched nothing"
    mine = next(r for r in rows if r["编号"] == str(cid))
    shown = mine["客户名称（已脱敏）"]
    assert shown != name and shown[0] == name[0] and "*" in shown
    assert mine["手机号（已脱敏）"] == mobile[:3] + "****" + mobile[-4:]
    assert mobile not in out.read_text(encoding="utf-8-sig")

    clear = tmp_path / "clear.csv"
    done = run_cli("clients", "export", str(clear), "--search", client_no, "--unmasked", "--names", "clear")
    assert done.returncode == 0, done.stderr
    mine = next(r for r in csv.DictReader(clear.open(encoding="utf-8-sig")) if r["编号"] == str(cid))
    assert mine["客户名称"] == name and mine["手机号"] == mobile
    db = Store.open(demo_dir).connect(readonly=True)
    try:
        (audited,) = db.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'export_unmasked'").fetchone()
    finally:
        db.close()
    assert audited == 1


def test_export_to_a_missing_folder_or_wrong_format_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    for target, message in ((tmp_path / "无此文件夹" / "x.csv", "文件夹不存在"), (tmp_path / "x.txt", ".xlsx 或 .csv")):
        done = run_cli("clients", "export", str(target))
        assert done.returncode == 1, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr
        assert not target.exists()


def test_a_closed_pipe_ends_quietly(demo_dir: Path, tmp_path: Path) -> None:
    """Item 13: ``| head`` on the commands that print the most, without a BrokenPipeError traceback.
    ``head -n 0`` leaves before the command writes, so every write meets a closed pipe."""
    import os
    import shlex
    import subprocess
    import sys

    from tests.conftest import REPO

    for args in (("clients", "show", "5", "--json", "--history"), ("sync", "status"), ("doctor", "--json"),
                 ("clients", "list", "--limit", "2000"), ("sync", "status", "--json")):
        err = tmp_path / "stderr.txt"
        cmd = f"{shlex.quote(sys.executable)} -m app {shlex.join(args)} 2>{shlex.quote(str(err))} | head -n 0"
        done = subprocess.run(["sh", "-c", "sleep 0; " + cmd], cwd=REPO, env=dict(os.environ), timeout=120)
        assert done.returncode == 0
        text = err.read_text(encoding="utf-8")
        assert "Traceback" not in text and "BrokenPipe" not in text, (args, text)


def test_show_and_edit_take_the_client_number_the_app_shows(demo_dir: Path) -> None:
    """Item 17: CQ2600001491 works as well as the internal id; a non-numeric id is a Chinese error."""
    cid, _mobile = _a_banked_client(demo_dir)
    db = Store.open(demo_dir).connect(readonly=True)
    try:
        (client_no,) = db.conn.execute("SELECT client_no FROM clients WHERE id = ?", (cid,)).fetchone()
    finally:
        db.close()
    by_no = run_cli("clients", "show", client_no.lower(), "--json")
    assert by_no.returncode == 0, by_no.stderr
    assert json.loads(by_no.stdout)["id"] == cid
    edited = run_cli("clients", "edit", client_no, "--notes", "按核心客户号修改")
    assert edited.returncode == 0 and f"客户 {cid}" in edited.stdout, edited.stderr
    for bad, message in (("abc", "不是客户编号"), ("CQ2699999999", "找不到核心客户号")):
        done = run_cli("clients", "show", bad)
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert "invalid int value" not in done.stderr


def test_same_named_villages_are_told_apart_by_township(demo_dir: Path) -> None:
    """Item 18: 青泉村 exists in two townships: the error lists both with what to type, 乡镇+村
    is accepted, ``branchdesk villages`` lists the codes, and no second 不能为空 error follows."""
    ambiguous = run_cli("clients", "add", "--name", "李四", "--village", "青泉村", "--mobile", "13812345678")
    assert ambiguous.returncode == 1
    assert "葛城街道青泉村" in ambiguous.stderr and "厚坪乡青泉村" in ambiguous.stderr
    assert "不能为空" not in ambiguous.stderr and "branchdesk villages" in ambiguous.stderr
    cid, _ = _a_banked_client(demo_dir)
    for written in ("厚坪乡青泉村", "厚坪乡 青泉村", "厚坪乡/青泉村"):
        done = run_cli("clients", "edit", str(cid), "--village", written)
        assert done.returncode == 0, (written, done.stderr)
    shown = json.loads(run_cli("clients", "show", str(cid), "--json").stdout)
    assert (shown["township"], shown["village"]) == ("厚坪乡", "青泉村")
    listed = run_cli("villages", "--search", "青泉村")
    assert listed.returncode == 0
    assert listed.stdout.count("青泉村") == 2 and "500229122267" in listed.stdout and "同名 2 个" in listed.stdout
    codes = json.loads(run_cli("villages", "--json").stdout)
    assert len(codes) > 100 and {"code", "township", "village", "full_name"} <= set(codes[0])


def test_amount_options_say_their_unit_and_take_yuan_or_wan(demo_dir: Path) -> None:
    """Item 19: ``--aum-fen 100`` stored 100 元. The options are named for 元, and take 万 too."""
    from app.core.money import parse_yuan

    assert parse_yuan("1.5万") == 1_500_000 and parse_yuan("3万元") == 3_000_000
    assert parse_yuan("12,345.67元") == 1_234_567 and parse_yuan("1.234567万") == 1_234_567
    helped = run_cli("clients", "add", "--help")
    assert "--aum-yuan" in helped.stdout and "--aum-fen" not in helped.stdout and "万" in helped.stdout
    old = run_cli("clients", "add", "--name", "王五", "--aum-fen", "100")
    assert old.returncode == 2 and "无法识别的参数" in old.stderr
    bad = run_cli("clients", "add", "--name", "王五", "--village", "厚坪乡青泉村", "--deposit-yuan", "一万")
    assert bad.returncode == 1 and "存款" in bad.stderr and "1.5万" in bad.stderr
