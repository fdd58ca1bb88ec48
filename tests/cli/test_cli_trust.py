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
