"""``POST /v1/branches/{branch}/push``: journal entries up; one answer per change id."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from sync import protocol as p
from sync.server.db import now
from sync.server.deps import BranchDevice, Store
from sync.server.http import BoundedBodyRoute, json_response

router = APIRouter(route_class=BoundedBodyRoute)

MAX_PUSH = 2_000


@router.post("/v1/branches/{branch}/push", response_model=p.PushResponse)
def push(body: p.PushRequest, request: Request, dev: BranchDevice, store: Store) -> Response:
    if len(body.changes) > MAX_PUSH:
        raise HTTPException(413, {"error": "too_large", "message": f"每批最多上传 {MAX_PUSH} 条变更。"})
    results = store.push(dev, body.changes)
    return json_response(request, p.PushResponse(results, now()))
