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
    """Step one: a one-time code for a token that works once confirmed (the code stays usable till then)."""
    dev, token = store.redeem(body.code[:64], body.device_name[:200])
    hq = store.hq_keys().public
    return p.EnrolResponse(dev.id, token, dev.branch, store.branch_name(dev.branch) or "", now(),
                           hq_sign_pub=hq.sign, hq_box_pub=hq.box, county=dev.county or "")


@router.post("/v1/enrol/confirm", response_model=p.EnrolConfirmed)
def confirm(body: p.EnrolConfirm, store: Store) -> p.EnrolConfirmed:
    """Step two: the PC has stored its token; from now on it works, and the code is spent."""
    dev = store.confirm_enrolment(body.token[:200])
    if body.sign_pub or body.box_pub:  # the keys the PC made for carried bundles
        store.set_device_keys(dev.id, body.sign_pub[:64], body.box_pub[:64])
    return p.EnrolConfirmed(dev.id, dev.branch, now())
