"""``branchdesk doctor``: is this workstation fit to work? One line per check.

Each check says ok / warn / fail / info with a Chinese detail. Any ``fail``
makes the command exit non-zero, so IT can script it after an install.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from app.resources import CJK_FONT, resource_path
from app.store import journal
from app.store.config import (
    DB_FILENAME,
    KEY_SOURCE_DEMO,
    KEY_SOURCE_KEYFILE,
    KEY_SOURCE_KEYRING,
    Settings,
)
from app.store.errors import StoreError
from app.store.keys import credential_store_status
from app.store.schema import latest_version
from app.store.store import Store

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"
MIN_FREE_BYTES = 1 << 30  # 1 GiB, or twice the database, whichever is larger


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


def run_checks(data_dir: Path, *, full: bool = False) -> list[Check]:
    """All checks, in order. Runs on the calling thread (seconds on a big file)."""
    checks: list[Check] = []
    settings = Settings.load(data_dir)
    db_path = data_dir / DB_FILENAME

    if not data_dir.is_dir():
        checks.append(Check("数据目录", FAIL, f"{data_dir} 不存在"))
    elif not os.access(data_dir, os.W_OK):
        checks.append(Check("数据目录", FAIL, f"{data_dir} 是只读的（或没有写入权限）"))
    else:
        checks.append(Check("数据目录", OK, str(data_dir)))

    cred = credential_store_status()
    if settings.key_source == KEY_SOURCE_DEMO:
        checks.append(Check("凭据存储", INFO, f"演示数据库使用公开的演示密钥（系统凭据存储：{cred.backend}）"))
    elif settings.key_source == KEY_SOURCE_KEYFILE:
        checks.append(Check("凭据存储", WARN, "数据库密钥保存在本机密钥文件中（已明确选择），安全性低于系统凭据存储"))
    elif settings.key_source == KEY_SOURCE_KEYRING:
        checks.append(
            Check(
                "凭据存储",
                OK if cred.usable else FAIL,
                cred.backend if cred.usable else f"没有可用的系统凭据存储（{cred.backend}）",
            )
        )

    store: Store | None = None
    if not db_path.exists():
        checks.append(Check("数据库", FAIL, "尚未创建（可运行 branchdesk demo 创建演示数据库）"))
    else:
        try:
            t0 = time.perf_counter()
            store = Store.open(data_dir)
            opened = time.perf_counter() - t0
            size = db_path.stat().st_size
            checks.append(Check("数据库", OK, f"已打开（{opened:.2f} 秒，{size / 1e6:.1f} MB，已加密）"))
        except StoreError as exc:
            checks.append(Check("数据库", FAIL, exc.message))
    if store is not None:
        version = store.schema_version()
        checks.append(
            Check(
                "数据结构版本", OK if version == latest_version() else FAIL, f"v{version}（本程序 v{latest_version()}）"
            )
        )
        try:
            seconds = store.check(full=full)
            checks.append(
                Check("完整性检查", OK, f"{'integrity_check' if full else 'quick_check'} 通过（{seconds:.1f} 秒）")
            )
        except StoreError as exc:
            newest = store.newest_good_backup()
            hint = f"；最近的完好备份：{newest.path.name}" if newest else "；没有可用的备份"
            checks.append(Check("完整性检查", FAIL, exc.message + hint))
        backups = store.backups()
        if backups:
            age_h = (time.time() - backups[0].taken.timestamp()) / 3600
            checks.append(
                Check(
                    "备份",
                    OK if age_h < 48 else WARN,
                    f"{len(backups)} 份，最新 {backups[0].path.name}（{age_h:.0f} 小时前）",
                )
            )
        else:
            checks.append(Check("备份", WARN, "还没有备份（程序每天自动备份一次，也可运行 branchdesk backup）"))
        db = store.connect(readonly=True)
        try:
            checks.append(Check("待同步变更", INFO, f"{journal.pending_count(db)} 条"))
        finally:
            db.close()

    checks.extend(_resource_checks())

    existing = next(p for p in (data_dir, *data_dir.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    need = max(MIN_FREE_BYTES, 2 * (db_path.stat().st_size if db_path.exists() else 0))
    checks.append(
        Check("磁盘空间", OK if free >= need else FAIL, f"可用 {free / 2**30:.1f} GB（至少需要 {need / 2**30:.1f} GB）")
    )
    return checks


def _resource_checks() -> list[Check]:
    out = []
    font = resource_path(CJK_FONT)
    try:
        with open(font, "rb") as fh:
            head = fh.read(4)
        ok = head in (b"ttcf", b"\x00\x01\x00\x00")
        out.append(Check("中文字体", OK if ok else FAIL, font.name if ok else f"{font} 不是 TrueType 字体"))
    except OSError:
        out.append(Check("中文字体", FAIL, f"缺少 {font}"))
    qm = resource_path("translations/branchdesk_zh_CN.qm")
    out.append(Check("界面翻译", OK if qm.exists() and qm.stat().st_size > 0 else FAIL, qm.name))
    try:
        from app.services.compliance import default_word_list

        words = default_word_list()
        out.append(
            Check("合规词表", OK, f"版本 {words.version}，禁用词 {len(words.block)} 个，提示词 {len(words.warn)} 个")
        )
    except Exception as exc:
        out.append(Check("合规词表", FAIL, f"无法加载：{type(exc).__name__}"))
    return out
