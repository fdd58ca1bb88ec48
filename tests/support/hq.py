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
             ssl_keyfile: str | None = None, replica: str | None = None) -> RunningHQ:
    """Start the service on a free loopback port; returns when it accepts connections.
    ``replica``: a read replica's URL, which pulls read (``serve --read-db``)."""
    store = HQStore.open(db_url, replica)
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
                     log_dir: Path | None = None, read_db: str | None = None) -> RunningHQProcess:
    """``python -m sync.server.cli --db URL serve --port P --workers N [--read-db R]`` on a free loopback port;
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
             "--workers", str(workers), *(["--read-db", read_db] if read_db else [])],
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


class PostgresStandby:
    """A hot standby of a throwaway ``PostgresCluster``: streaming replication on loopback, made
    with ``pg_basebackup -R`` and started on a port of its own. Every database of the primary,
    present and future, is on it, read-only, a moment behind; ``pause``/``resume`` stop and
    restart its replay (a standby lagging as long as a test needs)."""

    def __init__(self, primary: PostgresCluster) -> None:
        if primary.dir is None or primary.url is None:
            raise RuntimeError("a standby needs a cluster of the tests' own (not BRANCHDESK_TEST_PG_URL)")
        self.primary = primary
        self.dir = Path(tempfile.mkdtemp(prefix="branchdesk-pg-standby-"))
        self.user_prefix = primary.user_prefix
        if self.user_prefix:
            shutil.chown(self.dir, user=self.user_prefix[2])
            os.chmod(self.dir, 0o700)
        self.data = self.dir / "data"
        host_port = primary.url.split("@", 1)[1].split("/", 1)[0]
        host, port = host_port.split(":")
        self._run([_pg_bin("pg_basebackup") or "pg_basebackup", "-h", host, "-p", port, "-U", "hq", "-D",
                   str(self.data), "-R", "-X", "stream", "-c", "fast"])
        self.port = free_port()
        self._run([primary.pg_ctl, "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60", "-o",
                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c hot_standby=on", "start"])

    def _run(self, cmd: list[str]) -> None:
        res = subprocess.run([*self.user_prefix, *cmd], capture_output=True, text=True, cwd=self.dir)
        if res.returncode:
            raise RuntimeError(f"{cmd[0]} failed: {res.stdout}\n{res.stderr}")

    def url_of(self, primary_db_url: str) -> str:
        """The standby's URL for a database of the primary."""
        return f"postgresql://hq@127.0.0.1:{self.port}/{primary_db_url.rsplit('/', 1)[1]}"

    def _sql(self, url: str, query: str) -> object:
        import psycopg

        with psycopg.connect(url, autocommit=True) as c:
            return c.execute(query).fetchone()[0]

    def rows_read(self, url: str) -> int:
        """Rows the standby has returned from the database ``url`` names (its own statistics)."""
        name = url.rsplit("/", 1)[1]
        self._sql(url, "SELECT pg_stat_clear_snapshot()")
        return int(self._sql(url, f"SELECT tup_returned + tup_fetched FROM pg_stat_database WHERE datname = '{name}'"))

    def pause(self) -> None:
        self._sql(self.url_of("/postgres"), "SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self._sql(self.url_of("/postgres"), "SELECT pg_wal_replay_resume()")

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self._sql(self.primary.url, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while not self._sql(self.url_of("/postgres"),
                            f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            if time.monotonic() > deadline:
                raise RuntimeError("the standby did not catch up")
            time.sleep(0.05)

    def stop(self) -> None:
        subprocess.run([*self.user_prefix, self.primary.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, cwd=self.dir)
