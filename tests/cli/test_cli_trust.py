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
