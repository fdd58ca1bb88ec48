"""``POST /v1/branches/{branch}/push``: journal entries up; one answer per change id."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from sync import protocol as p
from sync.server.db import now
from sync.server.deps import BranchDevice, Store
from sync.server.http import BoundedBodyRoute, dumps, json_response

router = APIRouter(route_class=BoundedBodyRoute)

MAX_PUSH = 2_000


@router.post("/v1/branches/{branch}/push", response_model=p.PushResponse)
def push(body: p.PushRequest, request: Request, dev: BranchDevice, store: Store) -> Response:
    if len(body.changes) > MAX_PUSH:
        raise HTTPException(413, {"error": "too_large", "message": f"每批最多上传 {MAX_PUSH} 条变更。"})
    results = store.push(dev, body.changes)
    return json_response(request, None, raw=dumps({"results": [_result(r) for r in results], "server_time": now()}))


def _result(r: p.ChangeResult) -> dict[str, Any]:
    """A result as ``dataclasses.asdict`` gives it, built directly: ``asdict`` deep-copies every
    field (about a millisecond of the answer to a push of 100, by py-spy)."""
    return {"change_id": r.change_id, "status": r.status, "seq": r.seq, "reason": r.reason, "code": r.code,
            "conflicts": [asdict(x) for x in r.conflicts]}
