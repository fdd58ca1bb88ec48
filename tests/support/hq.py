"""The real head-office service for tests: uvicorn on loopback in a thread, SQLite or PostgreSQL.

PostgreSQL: ``BRANCHDESK_TEST_PG_URL`` (a server someone else runs, e.g. CI),
else a throwaway cluster made with ``initdb``/``pg_ctl`` from the PATH or
/usr/local/bin (as an unprivileged user when the tests run as root, since
PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from sync.server.app import create_app
from sync.server.store import HQStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningHQ:
    url: str
    store: HQStore
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.store.engine.dispose()


def start_hq(db_url: str, *, app_wrapper=None, ssl_certfile: str | None = None,
             ssl_keyfile: str | None = None) -> RunningHQ:
    """Start the service on a free loopback port; returns when it accepts connections."""
    store = HQStore.open(db_url)
    app = create_app(store)
    if app_wrapper is not None:
        app = app_wrapper(app)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                            timeout_keep_alive=5, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="hq-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("head-office service did not start")
        time.sleep(0.02)
    scheme = "https" if ssl_certfile else "http"
    return RunningHQ(f"{scheme}://127.0.0.1:{port}", store, server, thread)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"):
        if Path(folder, name).exists():
            return str(Path(folder, name))
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster on loopback; ``new_database()`` gives each test its own."""

    def __init__(self) -> None:
        self.url = os.environ.get("BRANCHDESK_TEST_PG_URL")
        self.dir: Path | None = None
        self.user_prefix: list[str] = []
        if self.url:
            return
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (initdb and pg_ctl):
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
        self.pg_ctl = pg_ctl
        self.dir = Path(tempfile.mkdtemp(prefix="branchdesk-pg-"))
        user = "postgres"
        if os.geteuid() == 0:
            for candidate in ("postgres", "nobody"):
                if subprocess.run(["id", "-u", candidate], capture_output=True).returncode == 0:
                    user = candidate
                    break
            shutil.chown(self.dir, user=user)
            os.chmod(self.dir, 0o700)
            self.user_prefix = ["runuser", "-u", user, "--"]
        else:
            user = os.environ.get("USER") or "postgres"
        data = self.dir / "data"
        self._run([initdb, "-D", str(data), "-U", "hq", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        port = free_port()
        self._run([pg_ctl, "-D", str(data), "-l", str(self.dir / "log"), "-w", "-t", "60", "-o",
                   f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        self.data = data
        self.url = f"postgresql://hq@127.0.0.1:{port}/postgres"

    def _run(self, cmd: list[str]) -> None:
        res = subprocess.run([*self.user_prefix, *cmd], capture_output=True, text=True, cwd=self.dir)
        if res.returncode:
            raise RuntimeError(f"{cmd[0]} failed: {res.stdout}\n{res.stderr}")

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url.replace("postgresql://", "postgresql://", 1), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self.dir is None:
            return
        subprocess.run([*self.user_prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, cwd=self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)
