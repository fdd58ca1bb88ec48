"""``POST /v1/enrol``: a one-time code in, a device token out."""

from __future__ import annotations

from fastapi import APIRouter

from sync import protocol as p
from sync.server.db import now
from sync.server.deps import Store
from sync.server.http import BoundedBodyRoute

router = APIRouter(route_class=BoundedBodyRoute)


@router.post("/v1/enrol", response_model=p.EnrolResponse)
def enrol(body: p.EnrolRequest, store: Store) -> p.EnrolResponse:
    dev, token = store.redeem(body.code[:64], body.device_name[:200])
    return p.EnrolResponse(dev.id, token, dev.branch, store.branch_name(dev.branch) or "", now())
