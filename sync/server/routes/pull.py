"""``GET /v1/branches/{branch}/pull``: records after a cursor, one page at a time; ``POST .../fetch``: named ones.

The page is assembled from the stored JSON arrays without re-encoding them
(they passed the kinds' checks when stored), so it is not run through a
response model; its shape is documented as ``PullResponse``.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from sync import protocol as p
from sync.server.db import now
from sync.server.deps import BranchDevice, Store
from sync.server.http import BoundedBodyRoute, json_response
from sync.server.pull import Page

router = APIRouter(route_class=BoundedBodyRoute)

MAX_PAGE = 20_000
DEFAULT_PAGE = 5_000
MAX_UIDS = 500
MAX_CURSOR = 2**62


@router.get("/v1/branches/{branch}/pull", response_model=None,
            responses={200: {"model": p.PullResponse, "description": "一页记录"}})
def pull(
    request: Request,
    dev: BranchDevice,
    store: Store,
    after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    kinds: Annotated[str, Query(description="逗号分隔的数据类型；空为全部", max_length=1000)] = "",
) -> Response:
    wanted = [k for k in kinds.split(",") if k]
    unknown = [k for k in wanted if k not in p.KINDS]
    if unknown:
        raise HTTPException(400, {"error": "invalid", "message": f"未知的数据类型：{','.join(unknown)[:100]}"})
    return page_response(request, store.pull(dev.branch, after, limit, wanted, scopes=store.read_scopes(dev)))


@router.post("/v1/branches/{branch}/fetch", response_model=None,
             responses={200: {"model": p.PullResponse, "description": "所要的记录（游标不变）"}})
def fetch(body: p.FetchRequest, request: Request, dev: BranchDevice, store: Store) -> Response:
    """Records of one kind by uid, whatever their seq: ones a pull set aside, asked for again."""
    if body.kind not in p.KINDS:
        raise HTTPException(400, {"error": "invalid", "message": "未知的数据类型。"})
    if not 0 < len(body.uids) <= MAX_UIDS or not all(p.valid_id(u) for u in body.uids):
        raise HTTPException(400, {"error": "invalid",
                                  "message": f"记录编号应有 1 到 {MAX_UIDS} 个，只能由字母、数字和 _ . : - 组成。"})
    page = store.pull(dev.branch, 0, len(body.uids), [body.kind], body.uids, scopes=store.read_scopes(dev),
                      whose_only=body.whose_only)
    return page_response(request, page)


def page_response(request: Request, page: Page) -> Response:
    parts = [
        f'{{"cursor":{page.cursor},"high":{page.high},"more":{"true" if page.more else "false"},'
        f'"server_time":"{now()}","kinds":{{'
    ]
    parts.append(",".join(
        f'"{kind}":{{"columns":{json.dumps(list(cols))},"rows":[{",".join(rows)}]}}'
        for kind, (cols, rows) in page.kinds.items()
    ))
    parts.append("}")
    if page.branches:  # a county device: whose each record is
        parts.append(f',"branches":{json.dumps(page.branches)}')
    parts.append("}")
    return json_response(request, None, raw="".join(parts).encode())
