"""``POST /v1/branches/{branch}/checkpoint``: per-kind count + hash; head office confirms or not."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from sync import protocol as p
from sync.server.deps import BranchDevice, Store
from sync.server.http import BoundedBodyRoute
from sync.server.routes.pull import MAX_CURSOR

router = APIRouter(route_class=BoundedBodyRoute)


@router.post("/v1/branches/{branch}/checkpoint", response_model=p.CheckpointResponse)
def checkpoint(body: p.CheckpointRequest, request: Request, dev: BranchDevice, store: Store) -> p.CheckpointResponse:
    if not 0 <= body.cursor <= MAX_CURSOR:
        raise HTTPException(400, {"error": "invalid", "message": f"游标应在 0 到 {MAX_CURSOR} 之间。"})
    return store.confirm(dev, body.cursor, body.scopes, scopes=store.read_scopes(dev),
                         app_version=request.headers.get(p.APP_VERSION_HEADER, ""))
