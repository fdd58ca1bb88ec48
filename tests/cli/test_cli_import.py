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


# --- branchdesk import metrics / nominations -----------------------------------------------------


def _read(data_dir: Path, sql: str, *args: object) -> list[tuple]:
    db = Store.open(data_dir).connect(readonly=True)
    try:
        return db.conn.execute(sql, args).fetchall()
    finally:
        db.close()


def _scenario_names(data_dir: Path) -> list[str]:
    return [r[0] for r in _read(data_dir, "SELECT name FROM scenarios WHERE scenario_type = 'livestock'"
                                          " AND deleted = 0 ORDER BY name LIMIT 2")]


def test_metrics_dry_run_then_import_with_the_month_given_once_and_the_error_file(demo_dir: Path,
                                                                                   tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    first, second = _scenario_names(demo_dir)
    path = _roster(tmp_path / "五月.xlsx", ["场景名称", "新开户数", "补贴发放金额", "存款余额（万元）"], [
        [first, 12, 1.5, 300],
        [second, "３", "2万", 10],
        ["没有这个场景", 1, 1, 1],
    ])
    figures = "SELECT count(*) FROM scenario_metrics WHERE period = '2023-05' AND deleted = 0"
    out = run_cli(*d, "import", "metrics", str(path), "--period", "2023年5月", "--unit", "万元", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "新增 2" in out.stdout and "拒绝 1" in out.stdout and "试运行" in out.stdout
    assert "期间：2023-05（取自--period）" in out.stdout and "场景“没有这个场景”不存在" in out.stdout
    assert "未导入的列" in out.stdout and "存款余额" in out.stdout  # no such scenario metric: said, not guessed
    assert _read(demo_dir, figures) == [(0,)]

    errors = tmp_path / "未通过.xlsx"
    out = run_cli(*d, "import", "metrics", str(path), "--period", "2023-05", "--unit", "万元", "--errors", str(errors),
                  "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["counts"]["new"] == 2 and answer["figures"] == 4 and answer["period"] == "2023-05"
    assert [r["line"] for r in answer["rejected"]] == [4] and answer["units"] == {"补贴发放金额": "万元"}
    assert _read(demo_dir, "SELECT s.name, m.metric, m.value FROM scenario_metrics m JOIN scenarios s"
                           " ON s.uid = m.scenario WHERE m.period = '2023-05' ORDER BY 1, 2") == sorted([
        (first, "accounts", 12), (first, "subsidy_fen", 1_500_000), (second, "accounts", 3),
        (second, "subsidy_fen", 2_000_000)])
    ws = openpyxl.load_workbook(errors).active
    assert [c.value for c in ws[1]] == ["场景名称", "新开户数", "补贴发放金额", "存款余额(万元)", "期间",
                                        "导入失败原因", "原表行号"]  # the month given once goes with the rows
    assert ws.max_row == 2 and ws.cell(2, 5).value == "2023-05"
    ws.cell(2, 1).value = second
    ws.cell(2, 4).value = None
    ws.parent.save(errors)
    out = run_cli(*d, "import", "metrics", str(errors), "--duplicates", "update")  # no --period needed now
    assert out.returncode == 0, out.stderr
    assert "已导入：新增 0 行，更新 1 行" in out.stdout and "期间：" not in out.stdout
    assert _read(demo_dir, figures) == [(4,)]
    assert _read(demo_dir, "SELECT m.value FROM scenario_metrics m JOIN scenarios s ON s.uid = m.scenario"
                           " WHERE s.name = ? AND m.period = '2023-05' AND m.metric = 'accounts'", second) == [(1,)]
    out = run_cli(*d, "import", "metrics", str(path), "--period", "2023-05", "--unit", "万元")
    assert out.returncode == 0 and "已有数字（跳过） 1，已有（无变化） 1" in out.stdout, out.stdout
    assert "没有写入任何指标" in out.stdout


def test_metrics_wrong_input_is_explained_in_chinese(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    first, _second = _scenario_names(demo_dir)
    path = _roster(tmp_path / "六月.xlsx", ["场景名称", "开户数"], [[first, 1]])
    for args, said in (
        (("--period", "2026-13"), "--period “2026-13”不是有效的月份"),
        (("--period", "2099-01"), "--period 2099-01 还没有到"),
        (("--period", "六月"), "--period “六月”不是月份"),
        (("--period", "2023-06", "--unit", "千元"), "--unit 金额单位只能是“元”或“万元”"),
        (("--period", "2023-06", "--sheet", "第二页"), "没有工作表“第二页”"),
        (("--period", "2023-06", "--sheet", "3"), "没有第 3 个工作表"),
        ((), "表中没有“期间”列"),
        (("--period", "2023-06", "--mapping", "开户数=存款"), "没有字段“存款”"),
        (("--period", "2023-06", "--duplicates", "merge"), "--duplicates"),
    ):
        out = run_cli(*d, "import", "metrics", str(path), *args)
        assert out.returncode != 0 and said in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr
    out = run_cli(*d, "import", "metrics", str(tmp_path / "none.xlsx"), "--period", "2023-06")
    assert out.returncode != 0 and "找不到文件" in out.stderr
    assert _read(demo_dir, "SELECT count(*) FROM scenario_metrics WHERE period = '2023-06'") == [(0,)]


def test_nominations_dry_run_commit_and_the_second_time_skipped(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    listed = _read(demo_dir, "SELECT c.id_number FROM whitelist w JOIN clients c ON c.uid = w.client_uid WHERE"
                             " w.valid_to >= date('now') AND c.kind = 'individual' AND w.deleted = 0 LIMIT 1")[0][0]
    path = _roster(tmp_path / "推荐.xlsx", ["姓名", "身份证号码", "手机号码", "产业集群", "申请额度", "家庭人口"], [
        ["谭光荣", resident(500), "13800005000", "茶叶产业集群", 6, 3],
        ["白名单中", listed, "13800005001", "tea", 5, 2],
        ["坏集群", resident(501), "13800005002", "苹果", 5, 2],
    ])
    out = run_cli(*d, "import", "nominations", str(path), "--unit", "万", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "新推荐 1" in out.stdout and "跳过） 1" in out.stdout and "拒绝 1" in out.stdout and "试运行" in out.stdout
    assert "产业集群“苹果”不存在" in out.stdout and "已在白名单中" in out.stdout
    assert resident(500) not in out.stdout and listed not in out.stdout and "13800005000" not in out.stdout
    assert _read(demo_dir, "SELECT count(*) FROM nominations") == [(0,)]
    out = run_cli(*d, "import", "nominations", str(path), "--unit", "万元", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["counts"] == {"new": 1, "skip": 1, "rejected": 1} and len(answer["nominations"]) == 1
    assert [r["line"] for r in answer["skipped"]] == [3] and [r["line"] for r in answer["rejected"]] == [4]
    assert _read(demo_dir, "SELECT name, cluster, amount_fen, staff FROM nominations") == [
        ("谭光荣", "tea", 6_000_000, "A0001")]
    out = run_cli(*d, "import", "nominations", str(path), "--unit", "万元")
    assert out.returncode == 0, out.stderr
    assert "新推荐 " not in out.stdout and "已有一条推荐在等总行结论" in out.stdout
    assert "没有提交任何推荐" in out.stdout


def test_nominations_wrong_input_is_explained_in_chinese(demo_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(demo_dir))
    no_cluster = _roster(tmp_path / "名单.xlsx", ["姓名", "身份证号码", "申请额度"], [["甲", resident(510), 5]])
    path = _roster(tmp_path / "名单2.xlsx", ["姓名", "身份证号码", "产业集群", "申请额度"],
                   [["甲", resident(510), "tea", 5]])
    for f, args, said in (
        (path, ("--unit", "美元"), "--unit 金额单位只能是“元”或“万元”，不认识“美元”"),
        (no_cluster, (), "必须指定哪一列是“产业集群”"),
        (path, (), "建议额度只有 5 元：如果表中金额以万元计"),  # no unit anywhere: 5 元 is surely 5 万元
        (path, ("--errors", str(tmp_path / "x.txt")), ".xlsx"),
        (path, ("--sheet", "第二页"), "没有工作表“第二页”"),
    ):
        out = run_cli(*d, "import", "nominations", str(f), *args, "--dry-run")
        assert said in out.stderr + out.stdout, (args, out.stderr, out.stdout)
        assert "Traceback" not in out.stderr
    out = run_cli(*d, "import", "nominations", str(tmp_path / "none.csv"))
    assert out.returncode != 0 and "找不到文件" in out.stderr
