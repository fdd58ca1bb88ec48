"""HTTP plumbing: bounded (and gzip) request bodies, JSON answers that always encode, the server clock.

Every request body is read with a limit, compressed or not: a body over
``MAX_BODY`` bytes (after decompression) is answered 413 without being kept.
Answers are JSON that encodes whatever a client sent back in an error message
(a lone surrogate becomes its ``\\uXXXX`` escape, never a 500).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from sync import protocol as p
from sync.server.db import now

MAX_BODY = 32 * 1024 * 1024  # bytes, after decompression
GZIP_LEVEL = 5


def dumps(obj: Any) -> bytes:
    """JSON bytes for an answer: UTF-8, a lone surrogate kept as its JSON escape."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return SafeJSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def json_response(request: Request, obj: Any, *, raw: bytes | None = None) -> Response:
    """A dataclass (or ready JSON bytes) as the answer, gzip-compressed when the client accepts it."""
    body = raw if raw is not None else dumps(asdict(obj))
    headers = {}
    if len(body) > 1024 and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, GZIP_LEVEL, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


class _TooLarge(Exception):
    pass


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class BoundedBodyRoute(APIRoute):
    """Read request bodies with a size limit and undo gzip (FastAPI's documented custom-route recipe)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if request.method in ("POST", "PUT", "PATCH"):
                try:
                    raw = await _read_limited(request, MAX_BODY)
                except ClientDisconnect:
                    return Response(status_code=400)  # the client is gone; nothing was done
                except _TooLarge:
                    return error(413, "too_large", f"请求内容过大（最多 {MAX_BODY // 1024 // 1024} MB）。")
                if "gzip" in request.headers.get("content-encoding", "").lower():
                    try:
                        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        raw = d.decompress(raw, MAX_BODY)
                        if d.unconsumed_tail:
                            return error(413, "too_large",
                                         f"请求内容解压后过大（最多 {MAX_BODY // 1024 // 1024} MB）。")
                        if not d.eof:
                            raise ValueError("truncated")
                    except (zlib.error, ValueError):
                        return error(400, "bad_body", "请求内容的 gzip 压缩数据不完整或已损坏。")
                request._body = raw
            return await handler(request)

        return route


class ServerTimeMiddleware:
    """Pure ASGI middleware: ``X-Server-Time`` on every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((p.SERVER_TIME_HEADER.lower().encode(), now().encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)
