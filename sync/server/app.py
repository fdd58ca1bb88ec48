"""The head-office HTTP service (FastAPI). Its OpenAPI description is the protocol's contract.

Every ``/v1`` request names the protocol version in ``X-BranchDesk-Protocol``;
an older (or missing) version gets ``426 Upgrade Required`` with a Chinese
"please upgrade" message. Every answer, errors included, carries the server's
clock in ``X-Server-Time``. Request bodies may be gzip-compressed
(``Content-Encoding: gzip``); pull pages are gzip-compressed when the client
accepts it. Handlers are plain ``def`` functions: FastAPI runs them on its
worker threads, each doing one store transaction.
"""


import gzip
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from sync import protocol as p
from sync.server.store import Device, HQError, HQStore, now

log = logging.getLogger("sync.server")

MAX_PAGE = 20_000
DEFAULT_PAGE = 5_000
MAX_PUSH = 2_000
MAX_BODY = 64 * 1024 * 1024  # after decompression
GZIP_LEVEL = 5


class GzipRequestRoute(APIRoute):
    """Accept gzip-compressed request bodies (FastAPI's documented custom-route recipe)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if "gzip" in request.headers.get("content-encoding", "").lower():
                try:
                    raw = await request.body()
                except ClientDisconnect:
                    return Response(status_code=400)  # the client is gone; nothing was done
                try:
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    body = d.decompress(raw, MAX_BODY)
                    if d.unconsumed_tail or not d.eof:
                        raise ValueError("truncated or too large")
                except (zlib.error, ValueError):
                    return _error(400, "bad_body", "请求内容的 gzip 压缩数据不完整或过大。")
                request._body = body
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


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def _json(request: Request, obj: Any, *, raw: bytes | None = None) -> Response:
    body = raw if raw is not None else json.dumps(asdict(obj), ensure_ascii=False, separators=(",", ":")).encode()
    headers = {}
    if len(body) > 1024 and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, GZIP_LEVEL, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


def create_app(store: HQStore) -> FastAPI:
    app = FastAPI(
        title="BranchDesk head office",
        version=str(p.PROTOCOL_VERSION),
        description="总行同步服务：设备注册、上传变更、分页拉取、同步核对。协议版本见 X-BranchDesk-Protocol。",
    )
    app.router.route_class = GzipRequestRoute
    app.add_middleware(ServerTimeMiddleware)
    app.state.store = store

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"error": "error", "message": str(exc.detail)}
        return JSONResponse(detail, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            ".".join(str(x) for x in e.get("loc", ())) + ": " + str(e.get("msg")) for e in exc.errors()[:5]
        )
        return JSONResponse({"error": "invalid", "message": f"请求格式不正确：{where}"}, status_code=422)

    @app.exception_handler(HQError)
    async def _hq_error(_request: Request, exc: HQError) -> JSONResponse:
        return _error(exc.status, "refused", str(exc))

    def protocol(
        version: Annotated[int | None, Header(alias=p.PROTOCOL_HEADER, description="协议版本，当前为 1")] = None,
    ) -> int:
        if version is None or version < p.MIN_PROTOCOL_VERSION:
            raise HTTPException(
                426,
                {"error": "upgrade_required",
                 "message": f"BranchDesk 版本过旧（同步协议 {version or '未知'}），请升级到最新版本后再同步。"},
                headers={p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION)},
            )
        if version > p.PROTOCOL_VERSION:
            raise HTTPException(
                400,
                {"error": "server_too_old",
                 "message": f"总行服务只支持到同步协议 {p.PROTOCOL_VERSION}，请联系总行升级服务。"},
            )
        return version

    def device(
        authorization: Annotated[str | None, Header(description="Bearer 设备令牌")] = None,
    ) -> Device:
        token = (authorization or "").removeprefix("Bearer ").strip()
        dev = store.authenticate(token) if token else None
        if dev is None:
            raise HTTPException(401, {"error": "unauthorized", "message": "设备令牌无效或已吊销，请重新注册本机。"},
                                headers={"WWW-Authenticate": "Bearer"})
        return dev

    def scoped(branch: str, request: Request, dev: Device) -> Device:
        if dev.branch != branch:
            store.deny(dev, f"{request.method} {request.url.path}", "cross-branch request")
            raise HTTPException(403, {"error": "forbidden", "message": "本设备只能同步本网点的数据。"})
        return dev

    v1 = [Depends(protocol)]
    errors = {
        400: {"model": p.ErrorBody}, 401: {"model": p.ErrorBody}, 403: {"model": p.ErrorBody},
        422: {"model": p.ErrorBody}, 426: {"model": p.ErrorBody},
    }

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "protocol": p.PROTOCOL_VERSION, "server_time": now()}

    @app.post("/v1/enrol", response_model=p.EnrolResponse, dependencies=v1, responses=errors)
    def enrol(body: p.EnrolRequest) -> p.EnrolResponse:
        dev, token = store.redeem(body.code[:64], body.device_name[:200])
        return p.EnrolResponse(dev.id, token, dev.branch, store.branch_name(dev.branch) or "", now())

    @app.post("/v1/branches/{branch}/push", response_model=p.PushResponse, dependencies=v1, responses=errors)
    def push(branch: str, body: p.PushRequest, request: Request, dev: Annotated[Device, Depends(device)]) -> Response:
        scoped(branch, request, dev)
        if len(body.changes) > MAX_PUSH:
            raise HTTPException(413, {"error": "too_large", "message": f"每批最多上传 {MAX_PUSH} 条变更。"})
        results = store.push(dev, body.changes)
        return _json(request, p.PushResponse(results, now()))

    @app.get("/v1/branches/{branch}/pull", response_model=p.PullResponse, dependencies=v1, responses=errors)
    def pull(
        branch: str,
        request: Request,
        dev: Annotated[Device, Depends(device)],
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
        kinds: Annotated[str, Query(description="逗号分隔的数据类型；空为全部")] = "",
        uids: Annotated[str, Query(description="逗号分隔的记录编号（须同时指定一种数据类型），最多 500 个")] = "",
    ) -> Response:
        scoped(branch, request, dev)
        wanted = [k for k in kinds.split(",") if k]
        unknown = [k for k in wanted if k not in p.KIND_COLUMNS]
        if unknown:
            raise HTTPException(400, {"error": "invalid", "message": f"未知的数据类型：{','.join(unknown)}"})
        uid_list = [u for u in uids.split(",") if u]
        if uid_list and (len(wanted) != 1 or len(uid_list) > 500):
            raise HTTPException(
                400, {"error": "invalid", "message": "按记录编号拉取时须指定一种数据类型，且最多 500 个编号。"}
            )
        page = store.pull(branch, after, limit, wanted, uid_list)
        parts = [
            f'{{"cursor":{page.cursor},"high":{page.high},"more":{"true" if page.more else "false"},'
            f'"server_time":"{now()}","kinds":{{'
        ]
        parts.append(",".join(
            f'"{kind}":{{"columns":{json.dumps(list(cols))},"rows":[{",".join(rows)}]}}'
            for kind, (cols, rows) in page.kinds.items()
        ))
        parts.append("}}")
        return _json(request, None, raw="".join(parts).encode())

    @app.post("/v1/branches/{branch}/checkpoint", response_model=p.CheckpointResponse, dependencies=v1,
              responses=errors)
    def checkpoint(
        branch: str, body: p.CheckpointRequest, request: Request, dev: Annotated[Device, Depends(device)]
    ) -> p.CheckpointResponse:
        scoped(branch, request, dev)
        return store.confirm(dev, body.cursor, body.scopes)

    return app
