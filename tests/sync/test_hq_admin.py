"""branchdesk-hq as an administrator uses it: a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sync.server.sheets import client_uid, read_sheet
from sync.server.store import HQError, HQStore
from tests.conftest import REPO


def hq_cli(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "--db", str(db), *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_admin_commands(tmp_path: Path):
    db = tmp_path / "hq.db"
    r = hq_cli(db, "branch", "create", "B01", "城口县支行巴山网点")
    assert r.returncode == 0 and "已创建网点 B01" in r.stdout
    r = hq_cli(db, "branch", "create", "B01", "重复")
    assert r.returncode == 1 and "已存在" in r.stderr
    r = hq_cli(db, "device", "enrol", "B01", "--name", "pc1")
    assert r.returncode == 0
    code = r.stdout.strip().splitlines()[-1]
    assert len(code) == 14 and code.count("-") == 2
    r = hq_cli(db, "device", "enrol", "NOPE")
    assert r.returncode == 1 and "没有网点 NOPE" in r.stderr
    devices = json.loads(hq_cli(db, "device", "list", "--json").stdout)
    assert devices[0]["branch"] == "B01" and devices[0]["enrolled_at"] is None
    assert code not in json.dumps(devices)  # the one-time code is never shown again
    assert hq_cli(db, "device", "revoke", "1").returncode == 0
    assert hq_cli(db, "device", "revoke", "1").returncode == 1
    r = hq_cli(db, "demo", "--clients", "200", "--json")
    counts = json.loads(r.stdout)
    assert counts["client"] == 200 and counts["village"] > 0
    assert json.loads(hq_cli(db, "--json", "demo", "--clients", "200").stdout)["client"] == 0  # twice: nothing changes
    pushed = json.loads(hq_cli(db, "pushed", "500229-01", "--json").stdout)
    assert pushed == {"counts": {}, "latest": []}


def test_publish_from_csv_and_xlsx(tmp_path: Path):
    db = tmp_path / "hq.db"
    store = HQStore.open(f"sqlite:///{db}")
    store.create_branch("B01", "网点")
    store.publish("township", "B01", [{"uid": "T1", "code": "T1", "name": "巴山镇"}])
    store.publish("village", "B01", [{"uid": "V1", "code": "V1", "township": "T1", "name": "坪上村", "groups": 5}])
    csv = tmp_path / "clients.csv"
    pd.DataFrame([
        {"client_no": "CQ001", "kind": "individual", "name": "张三", "village": "V1", "segment": "farmer",
         "lifecycle": "mature", "aum_fen": "150000", "mb_signed": "是", "hq_tags": "hq_pension,hq_social_card"},
        {"client_no": "CQ002", "kind": "individual", "name": "李四", "village": "V1", "segment": "payroll",
         "lifecycle": "new", "aum_fen": "0", "mb_signed": "否", "hq_tags": ""},
    ]).to_csv(csv, index=False, encoding="utf-8-sig")
    r = hq_cli(db, "publish", "client", str(csv), "--branch", "B01")
    assert r.returncode == 0 and "已发布 2 条" in r.stdout and "2 条有变化" in r.stdout
    r = hq_cli(db, "publish", "client", str(csv), "--branch", "B01")
    assert "0 条有变化" in r.stdout  # the same sheet twice changes nothing
    records = {u: v for u, _s, _d, v in store.records("B01", "client")}
    zhang = records[client_uid("CQ001")]
    assert zhang["aum_fen"] == 150000 and zhang["mb_signed"] is True and zhang["hq_tags"] == [
        "hq_pension", "hq_social_card"]

    xlsx = tmp_path / "whitelist.xlsx"
    pd.DataFrame([{"uid": "W1", "client_uid": client_uid("CQ001"), "client_no": "CQ001",
                   "product": "xingnong_e_dai", "limit_fen": "5000000", "rate_bp": "385",
                   "valid_from": "2026-10-01", "valid_to": "2027-09-30", "batch": "2026Q4"}]
                 ).to_excel(xlsx, index=False)
    assert hq_cli(db, "publish", "whitelist", str(xlsx), "--branch", "B01").returncode == 0
    assert [v["limit_fen"] for _u, _s, _d, v in store.records("B01", "whitelist")] == [5000000]

    bad = tmp_path / "bad.csv"
    bad.write_text("client_no,name,aum_fen\nCQ003,王五,一万\n", encoding="utf-8")
    r = hq_cli(db, "publish", "client", str(bad), "--branch", "B01")
    assert r.returncode == 1 and "第 2 行" in r.stderr and "aum_fen" in r.stderr and "整数" in r.stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("code,name,colour\nx,y,z\n", encoding="utf-8")
    with pytest.raises(HQError, match="colour"):
        read_sheet("tag", unknown)
    assert len(list(store.records("B01", "client"))) == 2  # the bad sheet changed nothing


def test_a_database_that_cannot_be_opened_is_named_not_a_traceback(tmp_path: Path) -> None:
    for args in (("branch", "list"), ("serve", "--workers", "2")):
        r = hq_cli(tmp_path / "no such folder" / "hq.db", *args)
        assert r.returncode == 1, r.stderr
        assert "无法打开数据库" in r.stderr and "no such folder" in r.stderr
        assert "Traceback" not in r.stderr
    # a PostgreSQL server that is not there: its address, never its password
    r = hq_cli("postgresql://hq:secret@127.0.0.1:1/hq", "branch", "list")
    assert r.returncode == 1 and "无法打开数据库" in r.stderr and "127.0.0.1:1" in r.stderr
    assert "secret" not in r.stderr and "Traceback" not in r.stderr


def test_a_read_replica_needs_postgresql(tmp_path: Path) -> None:
    r = hq_cli(tmp_path / "hq.db", "serve", "--read-db", "postgresql://hq@127.0.0.1:1/hq")
    assert r.returncode == 1 and "只读副本只支持 PostgreSQL" in r.stderr and "Traceback" not in r.stderr
