"""``branchdesk import clients`` as a branch head types it (issue 19): dry run, commit, the error file,
a mapping given by hand and then remembered, wrong input said in Chinese, ``| head``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from app.store.store import Store
from tests.conftest import REPO, run_cli
from tests.services.test_import_clients import resident


def _roster(path: Path, heads: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(heads)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _village(data_dir: Path) -> tuple[str, int]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        name = db.conn.execute("SELECT t.name || v.name FROM villages v JOIN townships t ON t.id = v.township_id"
                               " ORDER BY v.id LIMIT 1").fetchone()[0]
        return name, db.conn.execute("SELECT count(*) FROM clients WHERE deleted = 0").fetchone()[0]
    finally:
        db.close()


def test_dry_run_then_import_with_the_error_file(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    village, before = _village(demo_dir)
    path = _roster(tmp_path / "花名册.xlsx", ["户主姓名", "身份证号码", "联系电话", "所属村"], [
        ["张大", resident(1), "13800000001", village],
        ["李二", resident(2), "1380000", village],
        ["王三", resident(3), "13800000003", "不存在村"],
    ])
    out = run_cli(*d, "import", "clients", str(path), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "新增 1" in out.stdout and "拒绝 2" in out.stdout and "试运行" in out.stdout
    assert "手机号" in out.stdout and "不存在村" in out.stdout
    assert resident(2) not in out.stdout and "500229********" in out.stdout  # masked
    assert _village(demo_dir)[1] == before

    errors = tmp_path / "未通过.xlsx"
    out = run_cli(*d, "import", "clients", str(path), "--errors", str(errors), "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["counts"]["new"] == 1 and [r["line"] for r in answer["rejected"]] == [3, 4]
    assert _village(demo_dir)[1] == before + 1
    ws = openpyxl.load_workbook(errors).active
    assert ws.max_row == 3 and ws.cell(1, 5).value == "导入失败原因"
    ws.cell(2, 3).value = "13800000002"
    ws.cell(3, 4).value = village
    ws.parent.save(errors)
    out = run_cli(*d, "import", "clients", str(errors))
    assert out.returncode == 0, out.stderr
    assert "已导入：新增 2" in out.stdout and _village(demo_dir)[1] == before + 3


def test_a_mapping_by_hand_is_remembered_and_wrong_input_is_explained(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    village, before = _village(demo_dir)
    heads = ["编号", "成员", "证件", "居住地"]
    first = _roster(tmp_path / "三月.xlsx", heads, [["1", "许一", resident(10), village]])
    out = run_cli(*d, "import", "clients", str(first))
    assert out.returncode != 0 and "必须指定哪一列是“姓名/名称”" in out.stderr
    out = run_cli(*d, "import", "clients", str(first), "--mapping", "成员=name,第3列=id_number,居住地=所属村")
    assert out.returncode == 0, out.stderr
    assert "成员→姓名/名称" in out.stdout and "已导入：新增 1" in out.stdout
    second = _roster(tmp_path / "四月.xlsx", heads, [["2", "何二", resident(11), village]])
    out = run_cli(*d, "import", "clients", str(second))
    assert out.returncode == 0, out.stderr
    assert "沿用上次同样格式的文件" in out.stdout and _village(demo_dir)[1] == before + 2

    for args, said in (
        (("--mapping", "成员"), "应写成 列=字段"),
        (("--mapping", "成员=nobody"), "没有字段“nobody”"),
        (("--mapping", "第9列=name"), "没有第 9 列"),
        (("--mapping", "户主=name"), "表头中没有“户主”"),
        (("--errors", str(tmp_path / "x.csv")), ".xlsx"),
        (("--sheet", "第二页"), "没有工作表“第二页”"),
    ):
        out = run_cli(*d, "import", "clients", str(second), *args)
        assert out.returncode != 0 and said in out.stderr, (args, out.stderr)
    out = run_cli(*d, "import", "clients", str(tmp_path / "none.xlsx"))
    assert out.returncode != 0 and "找不到文件" in out.stderr


def test_output_piped_to_head_is_fine(demo_dir: Path, tmp_path: Path) -> None:
    village, _before = _village(demo_dir)
    rows = [[f"客户{chr(0x4e00 + n)}", resident(100 + n), "1380000", village] for n in range(40)]
    path = _roster(tmp_path / "many.xlsx", ["姓名", "身份证号", "手机号码", "所属村"], rows)
    cmd = f"{sys.executable} -m app --data-dir {demo_dir} import clients {path} --dry-run | head -3"
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=120)
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 3
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr
