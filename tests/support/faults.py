"""Fault injection for sync tests: a TCP proxy that cuts connections, and an ASGI wrapper
that makes the real service answer 500 or stall at chosen points.

Both sit in front of the real head-office service; nothing of it is replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import threading
from dataclasses import dataclass, field
from typing import Any


class CuttingProxy:
    """Forwards loopback TCP to ``target``; the first connection that carries more than
    ``cut_after`` bytes in ``direction`` ('up' = client to server, 'down') is cut there
    (both sockets closed, mid-message). One cut per arming."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.cut_after: int | None = None
        self.direction = "down"
        self.cuts = 0
        self.totals = {"up": 0, "down": 0}  # bytes carried, all connections, since reset_totals()
        self.lock = threading.Lock()
        self.closing = False
        threading.Thread(target=self._accept, daemon=True, name="cutting-proxy").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, n: int, direction: str) -> None:
        with self.lock:
            self.cut_after, self.direction = n, direction

    def reset_totals(self) -> None:
        with self.lock:
            self.totals = {"up": 0, "down": 0}

    def disarm(self) -> None:
        with self.lock:
            self.cut_after = None

    def close(self) -> None:
        self.closing = True
        self.listener.close()

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        counts = {"up": 0, "down": 0}
        peers = {client: (upstream, "up"), upstream: (client, "down")}
        try:
            while True:
                ready, _, _ = select.select(list(peers), [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    other, direction = peers[s]
                    with self.lock:
                        limit = self.cut_after if self.direction == direction else None
                        if limit is not None and counts[direction] + len(data) > limit:
                            self.cut_after = None
                            self.cuts += 1
                            other.sendall(data[: max(0, limit - counts[direction])])
                            return
                        self.totals[direction] += len(data)
                    counts[direction] += len(data)
                    other.sendall(data)
        except OSError:
            return
        finally:
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


@dataclass
class Fault:
    path_part: str  # e.g. "/push"
    when: str  # "before" (the service never sees it) or "after" (the service did the work)
    action: str  # "500" or "stall"
    nth: int = 1  # the nth matching request (1-based)
    stall_seconds: float = 3.0
    seen: int = 0
    fired: bool = False


@dataclass
class FaultInjector:
    """ASGI wrapper around the real app; ``arm()`` a fault, it fires once."""

    app: Any
    fault: Fault | None = None
    log: list[str] = field(default_factory=list)
    taps: list[Any] = field(default_factory=list)  # callables given each request's path

    def arm(self, fault: Fault) -> None:
        self.fault = fault

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            for tap in self.taps:
                tap(scope["path"])
        f = self.fault
        if scope["type"] != "http" or f is None or f.fired or f.path_part not in scope["path"]:
            await self.app(scope, receive, send)
            return
        f.seen += 1
        if f.seen != f.nth:
            await self.app(scope, receive, send)
            return
        f.fired = True
        self.log.append(f"{f.when}:{f.action}:{scope['path']}")
        if f.when == "after":
            # let the service do the work, then throw its answer away
            async def swallow(_message: dict) -> None:
                return None

            await self.app(scope, receive, swallow)
        if f.action == "stall":
            await asyncio.sleep(f.stall_seconds)
        body = b'{"error":"injected","message":"injected fault"}'
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
