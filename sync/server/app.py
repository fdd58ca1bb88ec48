"""The head-office HTTP service (FastAPI). Its OpenAPI description is the protocol's contract.

Every ``/v1`` request names the protocol version in ``X-BranchDesk-Protocol``;
an older (or missing) version gets ``426 Upgrade Required`` with a Chinese
"please upgrade" message. Every answer, errors included, carries the server's
clock in ``X-Server-Time``. Request bodies are size-limited and may be
gzip-compressed; pull pages are gzip-compressed when the client accepts it.
Handlers are plain ``def`` functions: FastAPI runs them on its worker threads,
each doing one store transaction. The routes live in ``sync.server.routes``,
their dependencies (version, device, branch scope) in ``sync.server.deps``.

The service keeps nothing in memory between requests (every request reads what
it needs from the database), so any number of worker processes can serve one
database: ``branchdesk-hq serve --workers N``, or ``app_from_env`` under
uvicorn or gunicorn directly.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from sync import protocol as p
from sync.protocol.schema import json_schema
from sync.server.db import HQError, now, safe_text
from sync.server.deps import protocol
from sync.server.http import BoundedBodyRoute, SafeJSONResponse, ServerTimeMiddleware, error
from sync.server.routes import bundles, checkpoint, enrol, pull, push
from sync.server.store import HQStore
from sync.server.workers import DB_ENV, READ_DB_ENV, open_store

log = logging.getLogger("sync.server")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": p.ErrorBody} for code in (400, 401, 403, 413, 422, 426)
}


def create_app(store: HQStore) -> FastAPI:
    app = FastAPI(
        title="BranchDesk head office",
        version=str(p.PROTOCOL_VERSION),
        description="总行同步服务：设备注册、上传变更、分页拉取、同步核对。协议版本见 X-BranchDesk-Protocol。",
        default_response_class=SafeJSONResponse,
    )
    app.router.route_class = BoundedBodyRoute
    app.add_middleware(ServerTimeMiddleware)
    app.state.store = store

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"error": "error", "message": str(exc.detail)}
        return SafeJSONResponse(detail, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            ".".join(safe_text(x, 40) for x in e.get("loc", ())) + ": " + safe_text(e.get("msg"), 200)
            for e in exc.errors()[:5]
        )
        return error(422, "invalid", f"请求格式不正确：{where}")

    @app.exception_handler(HQError)
    async def _hq_error(_request: Request, exc: HQError) -> JSONResponse:
        return error(exc.status, "refused", str(exc))

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "protocol": p.PROTOCOL_VERSION, "server_time": now()}

    for module in (enrol, push, pull, checkpoint, bundles):
        app.include_router(module.router, dependencies=[Depends(protocol)], responses=ERRORS)

    def openapi() -> dict[str, Any]:
        """The generated description, plus each kind's values as a schema of its own (from the declarations)."""
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for kind in p.KINDS:
                components[f"Values_{kind.name}"] = json_schema(kind)
            change = components.get("Change")
            if change is not None:
                change["properties"]["kind"]["enum"] = list(p.KINDS.names)
                change["properties"]["after"]["description"] = "变更后的值：按 kind 见 Values_<kind>"
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """ASGI factory for worker processes: the service on the database ``BRANCHDESK_HQ_DB`` names
    (pulls reading the PostgreSQL read replica ``BRANCHDESK_HQ_READ_DB`` names, if set).

    ``branchdesk-hq serve --workers N`` runs it in N processes. To run it under
    uvicorn or gunicorn directly (e.g. behind a reverse proxy)::

        export BRANCHDESK_HQ_DB=postgresql://hq@db.internal/hq
        uvicorn --factory sync.server.app:app_from_env --host 0.0.0.0 --port 8765 --workers 4
        gunicorn -k uvicorn_worker.UvicornWorker -w 4 -b 0.0.0.0:8765 'sync.server.app:app_from_env()'

    (gunicorn's worker class is in the ``uvicorn-worker`` package; no ``--preload``:
    each worker must make its own connections.) Each process opens the store with
    ``sync.server.workers.open_store``, one at a time, so workers starting together
    on a new or older database create or upgrade its schema once.
    """
    url = os.environ.get(DB_ENV)
    if not url:
        raise HQError(f"请用环境变量 {DB_ENV} 指定总行数据库（SQLite 文件路径或 postgresql:// 地址）。")
    if "://" not in url:
        url = "sqlite:///" + str(Path(url).resolve())
    return create_app(open_store(url, os.environ.get(READ_DB_ENV) or None))
