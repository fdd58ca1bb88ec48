"""``POST /v1/branches/{branch}/bundle-keys``: a PC's public keys for carried bundles, head office's back."""

from __future__ import annotations

from fastapi import APIRouter

from sync import protocol as p
from sync.server.deps import BranchDevice, Store
from sync.server.http import BoundedBodyRoute

router = APIRouter(route_class=BoundedBodyRoute)


@router.post("/v1/branches/{branch}/bundle-keys", response_model=p.BundleKeys)
def bundle_keys(body: p.BundleKeys, dev: BranchDevice, store: Store) -> p.BundleKeys:
    """For a PC enrolled before bundles existed (or whose keys were lost): it makes new keys and gives
    the public halves; the answer is head office's. A later bundle is checked against these."""
    hq = store.set_device_keys(dev.id, body.sign_pub[:64], body.box_pub[:64])
    return p.BundleKeys(hq.sign, hq.box)
