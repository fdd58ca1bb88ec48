"""This PC's keys for carried bundles (``sync.bundle``), and head office's public ones.

Made at enrolment, or at the next online sync of a PC enrolled before bundles
existed. The private halves are kept where the device token is (the OS
credential store); head office's public keys in the encrypted database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.store.db import write
from app.store.reference import meta_get, meta_set
from app.store.store import Store
from sync import bundle as b
from sync.client.config import SyncSettings, load_secret, save_token

log = logging.getLogger("sync.client")

SLOT = "bundle"  # where the private keys are kept, beside the device token
HQ_SIGN, HQ_BOX = "bundle.hq_sign_pub", "bundle.hq_box_pub"


def new_keys(store: Store, s: SyncSettings) -> b.KeyPair:
    """Make this PC's bundle keys and keep the private halves (SyncError when they cannot be kept)."""
    keys = b.KeyPair.generate()
    save_token(store.settings, store.data_dir, s, keys.to_json(), slot=SLOT)
    return keys


def keep_hq_keys(db: Any, sign_pub: str, box_pub: str) -> None:
    """Head office's public keys, in the encrypted database (inside ``write``)."""
    if sign_pub and box_pub:
        b.PublicKeys(sign_pub, box_pub).check()
        meta_set(db, HQ_SIGN, sign_pub)
        meta_set(db, HQ_BOX, box_pub)


def has_keys(store: Store, db: Any, s: SyncSettings) -> bool:
    return bool(meta_get(db, HQ_SIGN) and meta_get(db, HQ_BOX) and load_secret(store.settings, store.data_dir, s,
                                                                                SLOT))


def ensure_keys(store: Store, db: Any, s: SyncSettings, request: Callable[[dict[str, str]], dict[str, Any]]) -> bool:
    """Online: make bundle keys if this PC has none (enrolled before bundles). ``request`` posts the
    public halves to head office and returns its answer. True when keys were made."""
    if has_keys(store, db, s):
        return False
    keys = new_keys(store, s)
    ans = request({"sign_pub": keys.public.sign, "box_pub": keys.public.box})
    with write(db):
        keep_hq_keys(db, str(ans.get("sign_pub") or ""), str(ans.get("box_pub") or ""))
    log.info("bundle keys made for device %s", s.device_id)
    return True
