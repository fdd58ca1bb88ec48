"""The real head-office service for tests: uvicorn on loopback in a thread, SQLite or PostgreSQL;
or ``branchdesk-hq serve --workers N`` as a process of its own (``start_hq_process``).

PostgreSQL: ``BRANCHDESK_TEST_PG_URL`` (a server someone else runs, e.g. CI),
else a throwaway cluster made with ``initdb``/``pg_ctl`` from the PATH or
/usr/local/bin (as an unprivileged user when the tests run as root, since
PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
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


@dataclass
class RunningHQProcess:
    """``branchdesk-hq serve`` in a process of its own (``python -m sync.server.cli``), with workers."""

    url: str
    db_url: str
    workers: int
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """SIGTERM (uvicorn's supervisor stops its workers), then SIGKILL to the group if it lingers."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def output(self) -> str:
        """What the service printed so far (uvicorn's log, tracebacks)."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_hq_process(db_url: str, *, workers: int = 1, timeout: float = 60,
                     log_dir: Path | None = None) -> RunningHQProcess:
    """``python -m sync.server.cli --db URL serve --port P --workers N`` on a free loopback port;
    returns once ``/health`` answers (the service creates or upgrades the schema first). Its
    output goes to a log file (``log_dir``, by default a temporary folder): a pipe nobody
    reads would stall it."""
    port = free_port()
    folder = log_dir or Path(tempfile.mkdtemp(prefix="branchdesk-hq-"))
    log = folder / f"hq-{port}.log"
    repo = Path(__file__).resolve().parents[2]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--db", db_url, "serve", "--port", str(port),
             "--workers", str(workers)],
            cwd=repo, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    running = RunningHQProcess(f"http://127.0.0.1:{port}", db_url, workers, proc, log)
    deadline = time.monotonic() + timeout
    answered = False
    with requests.Session() as s:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"head-office service exited ({proc.returncode}):\n{running.output()[-3000:]}")
            if not answered:
                with contextlib.suppress(requests.RequestException):
                    answered = s.get(running.url + "/health", timeout=2).ok
            # one worker answering is enough to go on; wait (a while) for the others' startup lines
            if answered and (workers == 1 or running.output().count("Application startup complete") >= workers
                             or time.monotonic() > deadline):
                return running
            if time.monotonic() > deadline:
                running.stop()
                raise RuntimeError(f"head-office service did not answer in {timeout:.0f} s:\n"
                                   f"{running.output()[-3000:]}")
            time.sleep(0.05)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"):
        if Path(folder, name).exists():
            return str(Path(folder, name))
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster on loopback; ``new_database()`` gives each test its own.

    ``fsync=False`` (tests) skips flushing to disk; a benchmark passes True, and ``settings``
    (``-c name=value``, e.g. ``{"max_connections": "300"}``) for the server."""

    def __init__(self, *, fsync: bool = False, settings: dict[str, str] | None = None) -> None:
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
        options = {"listen_addresses": "127.0.0.1", **({} if fsync else {"fsync": "off"}), **(settings or {})}
        self._run([pg_ctl, "-D", str(data), "-l", str(self.dir / "log"), "-w", "-t", "60", "-o",
                   f"-p {port} -k {self.dir} " + " ".join(f"-c {k}={v}" for k, v in options.items()), "start"])
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
