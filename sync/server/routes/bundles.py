"""Carried bundles over HTTP: a PC's public keys (``bundle-keys``), and a bundle relayed by a connected PC.

``POST /v1/bundles`` takes a bundle someone carried from an outlet with no line
to any PC that has one: that PC's token gets the request in, the bundle's own
signature says whose it is (``HQStore.import_bundle`` checks everything before
applying anything), and the answer is the reply bundle to carry back.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from sync import protocol as p
from sync.bundle import BundleError
from sync.server.db import Device
from sync.server.deps import BranchDevice, Store, device
from sync.server.http import BoundedBodyRoute

log = logging.getLogger("sync.server")

router = APIRouter(route_class=BoundedBodyRoute)


@router.post("/v1/branches/{branch}/bundle-keys", response_model=p.BundleKeys)
def bundle_keys(body: p.BundleKeys, dev: BranchDevice, store: Store) -> p.BundleKeys:
    """For a PC enrolled before bundles existed (or whose keys were lost): it makes new keys and gives
    the public halves; the answer is head office's. A later bundle is checked against these."""
    hq = store.set_device_keys(dev.id, body.sign_pub[:64], body.box_pub[:64])
    return p.BundleKeys(hq.sign, hq.box)


@router.post("/v1/bundles", response_model=p.BundleRelayed)
def relay(body: p.BundleRelay, dev: Annotated[Device, Depends(device)], store: Store) -> p.BundleRelayed:
    """A bundle relayed by a connected PC (of any branch): applied exactly as at head office's desk."""
    try:
        data = base64.b64decode(body.bundle.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise HTTPException(400, {"error": "invalid", "message": "离线包内容不是有效的 base64 编码。"}) from exc
    try:
        reply, s = store.import_bundle(data)
    except BundleError as exc:
        raise HTTPException(400, {"error": "bundle_refused", "message": str(exc)}) from exc
    log.info("bundle %s of device %s relayed by device %s", s.number, s.device, dev.id)
    return p.BundleRelayed(base64.b64encode(reply).decode("ascii"), s.branch, s.device, s.number, s.changes,
                           s.records, s.repeated)
