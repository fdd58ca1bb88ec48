"""The headless commands, run as real subprocesses the way IT would run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.store.store import Store
from tests.conftest import run_cli


def _db_snapshot(data_dir: Path) -> tuple:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return (
            db.conn.execute("SELECT count(*), sum(version) FROM clients").fetchone(),
            db.conn.execute("SELECT count(*) FROM journal").fetchone()[0],
            db.conn.execute(
                "SELECT group_concat(mobile), group_concat(id_number) FROM clients WHERE id <= 50"
            ).fetchone(),
        )
    finally:
        db.close()


def test_demo_then_doctor_passes(data_dir: Path) -> None:
    made = run_cli("demo", "--clients", "2000", "--seed", "7")
    assert made.returncode == 0, made.stderr
    assert "2,000" in made.stdout
    doc = run_cli("doctor")
    assert doc.returncode == 0, doc.stdout + doc.stderr
    assert "全部通过" in doc.stdout
    assert "[失败]" not in doc.stdout


def test_doctor_fails_without_a_database(data_dir: Path) -> None:
    doc = run_cli("doctor", "--json")
    assert doc.returncode == 1
    checks = {c["name"]: c for c in json.loads(doc.stdout)}
    assert checks["数据库"]["status"] == "fail"


def test_demo_refuses_to_overwrite_real_data(data_dir: Path) -> None:
    assert run_cli("init").returncode == 0
    out = run_cli("demo", "--clients", "100")
    assert out.returncode == 3
    assert "正式数据库" in out.stderr


def test_list_search_and_json(demo_dir: Path) -> None:
    out = run_cli("clients", "list", "--search", "张", "--limit", "5", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"] > 0 and len(data["rows"]) == 5
    assert all("张" in r["name"] for r in data["rows"])
    assert all(r["mobile"] is None or "****" in r["mobile"] for r in data["rows"])


def test_list_by_tag_and_village(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect(readonly=True)
    tag = db.conn.execute(
        "SELECT t.name FROM tags t JOIN client_tags ct ON ct.tag_id = t.id GROUP BY t.id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    village = db.conn.execute("SELECT name FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    db.close()
    out = run_cli("clients", "list", "--tag", tag, "--village", village, "--json", "--limit", "500")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"] == len(data["rows"]) > 0
    assert all(tag in r["tags"] and r["village"] == village for r in data["rows"])
    bad = run_cli("clients", "list", "--tag", "没有这个标签")
    assert bad.returncode == 1 and "标签不存在" in bad.stderr


def test_show_masks_and_reveal_is_audited(demo_dir: Path) -> None:
    out = run_cli("clients", "show", "1", "--json")
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["mobile"] is None or "****" in shown["mobile"]
    rev = run_cli("clients", "show", "1", "--reveal", "mobile", "--json")
    full = json.loads(rev.stdout)["mobile"]
    if full:
        assert "*" not in full
    db = Store.open(demo_dir).connect(readonly=True)
    assert db.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'reveal_mobile'").fetchone()[0] == 1
    db.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id-number", "110105194912310021"], "身份证号"),
        (["--aum-yuan", "-1"], "不能为负"),
        (["--village", "不存在的村"], "所属村不存在"),
        (["--mobile", "1380013800"], "手机号"),
    ],
)
def test_a_bad_edit_exits_non_zero_names_the_field_and_changes_nothing(demo_dir: Path, args, message) -> None:
    db = Store.open(demo_dir).connect(readonly=True)
    prospect = db.conn.execute(
        "SELECT id FROM clients WHERE client_no IS NULL AND kind = 'individual' LIMIT 1"
    ).fetchone()[0]
    db.close()
    before = _db_snapshot(demo_dir)
    out = run_cli("clients", "edit", str(prospect), *args)
    assert out.returncode == 1
    assert message in out.stderr, out.stderr
    assert _db_snapshot(demo_dir) == before


def test_a_good_edit_is_journaled(demo_dir: Path) -> None:
    out = run_cli("clients", "edit", "3", "--notes", "已上门，有贷款意向", "--lifecycle", "成熟")
    assert out.returncode == 0, out.stderr
    show = json.loads(run_cli("clients", "show", "3", "--history", "--json").stdout)
    assert show["notes"] == "已上门，有贷款意向"
    assert {f["label"]: f["after"] for f in show["history"][-1]["fields"]}["备注"] == "已上门，有贷款意向"


def test_add_and_delete(demo_dir: Path) -> None:
    db = Store.open(demo_dir).connect(readonly=True)
    village = db.conn.execute("SELECT code FROM villages ORDER BY id LIMIT 1").fetchone()[0]
    db.close()
    out = run_cli("clients", "add", "--name", "龙腾", "--mobile", "13700001111", "--village", village)
    assert out.returncode == 0, out.stderr
    new_id = out.stdout.split()[1].rstrip("：").split("：")[0]
    gone = run_cli("clients", "delete", new_id)
    assert gone.returncode == 1  # no confirmation on a pipe
    gone = run_cli("clients", "delete", new_id, "--yes")
    assert gone.returncode == 0, gone.stderr


def test_backup_and_restore_commands(demo_dir: Path) -> None:
    out = run_cli("backup")
    assert out.returncode == 0, out.stderr
    run_cli("clients", "edit", "3", "--notes", "恢复后应消失")
    assert run_cli("restore", "--yes").returncode == 1  # the unsent edit is not given up silently
    restored = run_cli("restore", "--yes", "--discard-unsent")
    assert restored.returncode == 0, restored.stderr
    show = json.loads(run_cli("clients", "show", "3", "--json").stdout)
    assert show["notes"] != "恢复后应消失"


def test_data_dir_option_overrides_everything(tmp_path: Path, demo_dir: Path) -> None:
    other = tmp_path / "elsewhere"
    out = run_cli("--data-dir", str(other), "demo", "--clients", "50")
    assert out.returncode == 0, out.stderr
    assert (other / "branchdesk.db").exists()
    listing = json.loads(run_cli("clients", "list", "--data-dir", str(other), "--json").stdout)
    assert listing["total"] == 50


def test_usage_errors_exit_2() -> None:
    assert run_cli("clients", "frobnicate").returncode == 2
