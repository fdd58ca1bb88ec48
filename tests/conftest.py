"""Every test gets its own data folder and its own credential store.

Like napari's autouse ``_fresh_settings``: nothing a test does can reach the
developer's real BranchDesk data or the OS credential store. Qt runs offscreen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.keyring_backend import TestKeyring

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = tmp_path / "data"
    monkeypatch.setenv("BRANCHDESK_DATA_DIR", str(data))
    monkeypatch.delenv("BRANCHDESK_SHARED_DATA_DIR", raising=False)
    monkeypatch.delenv("BRANCHDESK_USER", raising=False)
    monkeypatch.delenv("BRANCHDESK_PIN", raising=False)
    monkeypatch.setenv("BRANCHDESK_TEST_KEYRING", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.keyring_backend.TestKeyring")
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    previous = keyring.get_keyring()
    keyring.set_keyring(TestKeyring())
    yield data
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(_isolated: Path) -> Path:
    return _isolated


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5,000-client demo data folder, built once per session; copy it, don't write to it."""
    from app.services.demo import create_demo

    folder = tmp_path_factory.mktemp("demo-template")
    # the campaigns as head office published them: tests of distributing and contacting start clean
    create_demo(folder, n_clients=5000, seed=2026, campaign_work=False)
    return folder


@pytest.fixture(scope="session")
def worked_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county as ``branchdesk demo`` makes it: campaigns mid-way (targets distributed,
    contacts logged). Copy it, don't write to it."""
    from app.services.demo import create_demo

    folder = tmp_path_factory.mktemp("worked-demo-template")
    create_demo(folder, n_clients=5000, seed=2026)
    return folder


@pytest.fixture
def worked_demo_dir(worked_demo_template: Path, data_dir: Path) -> Path:
    """This test's own copy of the demo county with the branch's campaign work."""
    shutil.copytree(worked_demo_template, data_dir, dirs_exist_ok=True)
    return data_dir


@pytest.fixture
def demo_dir(demo_template: Path, data_dir: Path) -> Path:
    """This test's own copy of the demo county (5,000 clients)."""
    shutil.copytree(demo_template, data_dir, dirs_exist_ok=True)
    return data_dir


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m app`` as a real subprocess with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=input,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        cwd=REPO,
    )
