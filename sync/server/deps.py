"""FastAPI dependencies every route declares: the protocol version, the device, the branch scope.

``BranchDevice`` reads the branch from the path and the device from its token,
and refuses (403, logged) a device of another branch. A route that takes
``BranchDevice`` cannot forget the check, and a route under
``/v1/branches/{branch}`` without it fails ``tests/sync/test_routes.py``
(the FastAPI full-stack template's ``CurrentUser`` pattern).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool

from sync import protocol as p
from sync.server.db import Device
from sync.server.store import HQStore

# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency on a
# worker thread, a hand-off each way per dependency per request.


async def get_store(request: Request) -> HQStore:
    return request.app.state.store


Store = Annotated[HQStore, Depends(get_store)]


async def protocol(
    version: Annotated[int | None, Header(alias=p.PROTOCOL_HEADER, description="协议版本，当前为 2",
                                          ge=0, le=1000)] = None,
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
    store: Store,
    authorization: Annotated[str | None, Header(description="Bearer 设备令牌")] = None,
) -> Device:
    token = (authorization or "").removeprefix("Bearer ").strip()
    dev = store.authenticate(token) if token else None
    if dev is None:
        raise HTTPException(401, {"error": "unauthorized", "message": "设备令牌无效或已吊销，请重新注册本机。"},
                            headers={"WWW-Authenticate": "Bearer"})
    return dev


async def branch_device(
    branch: Annotated[str, Path(description="网点代码", max_length=32)],
    request: Request,
    store: Store,
    dev: Annotated[Device, Depends(device)],
) -> Device:
    """The device, if it belongs to the branch the path names; 403 (and a denial logged) otherwise."""
    if dev.branch != branch:
        await run_in_threadpool(store.deny, dev, f"{request.method} {request.url.path}", "cross-branch request")
        raise HTTPException(403, {"error": "forbidden", "message": "本设备只能同步本网点的数据。"})
    return dev


BranchDevice = Annotated[Device, Depends(branch_device)]
