"""BranchDesk sync protocol, version 2: the message shapes client and server share.

Standard library only, so the branch client (no web framework) and the
head-office service (FastAPI, which reads these dataclasses into its OpenAPI
description) import the same definitions.

Conversation (every request carries ``X-BranchDesk-Protocol: 2``; every answer
carries ``X-Server-Time``, the server's clock, the only clock that orders anything):

``POST /v1/enrol``                      one-time code in, device token out (not yet active)
``POST /v1/enrol/confirm``              the PC stored the token: now it is active, the code spent
``POST /v1/branches/{b}/push``          journal entries up; one answer per change id
``GET  /v1/branches/{b}/pull``          records after a cursor, one page at a time
``POST /v1/branches/{b}/fetch``         named records of one kind, whatever their seq
``POST /v1/branches/{b}/checkpoint``    per-scope count + hash; the server confirms or not
``POST /v1/branches/{b}/bundle-keys``   public keys for carried bundles (PCs enrolled before them)
``POST /v1/bundles``                    a carried bundle relayed by any connected PC; the reply back

Records travel in *columnar* pages: for each kind the column names once, then
one array per record ``[seq, uid, deleted, value, value, ...]`` in the kind's
column order. The cursor is the server sequence (``seq``) of the last record in
the page, a number the server hands out in commit order, never a clock.
Each kind's columns, in wire order, are declared once in ``sync.protocol.kinds``.

Ownership (architecture.md, "Sync principles"): head office owns master data
and a client's core-banking fields; the branch owns its field work and a
client's relationship fields; both may edit a client's phone, address and
village, which the server resolves by order of receipt and, when a change
overwrote a value its author never saw, keeps as a conflict for a person.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sync.protocol.kinds import KINDS
from sync.protocol.schema import OPS, Kind, Problem, id_problem, valid_id

__all__ = ["KINDS", "OPS", "Kind", "Problem", "id_problem", "valid_id"]  # re-exported with the messages below

# 2: kinds declared once and validated on both sides, change ids scoped per branch,
# checkpoint hashes that both sides keep incrementally (an O(1) checkpoint).
PROTOCOL_VERSION = 2
MIN_PROTOCOL_VERSION = 2
PROTOCOL_HEADER = "X-BranchDesk-Protocol"
SERVER_TIME_HEADER = "X-Server-Time"
APP_VERSION_HEADER = "X-BranchDesk-App"  # the app version a PC runs (head office lists it per device)

# The uid of a reference record (township, village, staff, tag, campaign...) is its
# code; of a client, whitelist entry or field-work record, a UUID made where the
# record was created. Kinds, their columns and their owners: ``sync.protocol.kinds``.


# Per-change answers.
APPLIED = "applied"
DUPLICATE = "duplicate"
CONFLICT = "conflict"
REJECTED = "rejected"
STATUSES = (APPLIED, DUPLICATE, CONFLICT, REJECTED)

# --- messages -------------------------------------------------------------------


@dataclass
class EnrolRequest:
    code: str
    device_name: str = ""


@dataclass
class EnrolResponse:
    device_id: int
    token: str
    branch: str
    branch_name: str
    server_time: str
    # head office's public keys for carried bundles (``sync.bundle``): base64 Ed25519, X25519
    hq_sign_pub: str = ""
    hq_box_pub: str = ""
    county: str = ""  # a county manager's device: it reads every branch of this county


@dataclass
class EnrolConfirm:
    """Enrolment step two: the token the PC has stored (the device is active only after this),
    and the public halves of the keys it made for carried bundles."""

    token: str
    sign_pub: str = ""
    box_pub: str = ""


@dataclass
class BundleKeys:
    """``POST /v1/branches/{b}/bundle-keys``: a PC enrolled before bundles existed gives its public keys;
    the answer carries head office's."""

    sign_pub: str
    box_pub: str


@dataclass
class BundleRelay:
    """``POST /v1/bundles``: a connected PC hands on a bundle carried from another (base64 of the file)."""

    bundle: str


@dataclass
class BundleRelayed:
    """Head office's reply bundle (base64 of the file) for the carrying person to take back, and what it held."""

    reply: str
    branch: str
    device: int
    number: int
    changes: int
    records: int
    repeated: bool


@dataclass
class EnrolConfirmed:
    device_id: int
    branch: str
    server_time: str


@dataclass
class Change:
    """One journal entry. ``before`` holds the values its author saw (the base)."""

    change_id: str
    kind: str
    uid: str
    op: str
    after: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)
    base_seq: int | None = None
    author: str = ""
    local_time: str = ""


@dataclass
class PushRequest:
    changes: list[Change]


@dataclass
class FieldConflict:
    field: str
    branch_value: Any
    server_value: Any
    base_value: Any


@dataclass
class ChangeResult:
    change_id: str
    status: str
    seq: int | None = None
    reason: str | None = None
    code: int | None = None  # HTTP-like code of a rejection (400, 403, 409)
    conflicts: list[FieldConflict] = field(default_factory=list)


@dataclass
class PushResponse:
    results: list[ChangeResult]
    server_time: str


@dataclass
class KindPage:
    columns: list[str]
    rows: list[list[Any]]  # [seq, uid, deleted, *values]


@dataclass
class PullResponse:
    cursor: int  # seq of the last record in this page (or the request's ``after``)
    high: int  # the newest seq this branch can see right now
    more: bool
    kinds: dict[str, KindPage]
    server_time: str
    # only to a device that reads several branches (a county's): kind -> branch -> uids in this page
    branches: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass
class FetchRequest:
    """Records of one kind by uid (at most 500): ones a pull set aside, asked for again."""

    kind: str
    uids: list[str]
    # only whose each record is (``branches``), no records: a county device filling in what it held
    # before head office said so (an older head office ignores this and sends the records)
    whose_only: bool = False


@dataclass
class ScopeSummary:
    count: int
    hash: str


@dataclass
class CheckpointRequest:
    cursor: int
    scopes: dict[str, ScopeSummary]


@dataclass
class CheckpointResponse:
    confirmed: bool
    high: int
    mismatched: list[str]
    scopes: dict[str, ScopeSummary]
    server_time: str
    release: str = ""  # the app version IT rolled out (``branchdesk-hq release``); "" when none is set
    # only to a device that reads several branches (a county's): code -> name of each branch it reads
    branch_names: dict[str, str] = field(default_factory=dict)


@dataclass
class ErrorBody:
    error: str
    message: str


# --- shared helpers ---------------------------------------------------------------


def canonical(obj: Any) -> bytes:
    """The canonical JSON bytes of ``obj``: sorted keys, no spaces, ASCII (any string, even one
    with a lone surrogate a hostile client sent, has one)."""
    return json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode()


def change_hash(c: dict[str, Any]) -> str:
    """The payload hash an idempotency key is tied to: everything but the timestamps."""
    body = {k: c.get(k) for k in ("kind", "uid", "op", "before", "after", "base_seq")}
    return hashlib.sha256(canonical(body)).hexdigest()


HASH_BITS = 128
_HASH_MOD = 1 << HASH_BITS


def record_digest(uid: str, seq: int) -> int:
    """The number one record contributes to its kind's checkpoint hash."""
    return int.from_bytes(hashlib.blake2b(f"{uid}:{seq}".encode(), digest_size=HASH_BITS // 8).digest(), "big")


def hash_text(total: int) -> str:
    return f"{total % _HASH_MOD:032x}"


def scope_summary(items: Iterable[tuple[str, int]]) -> ScopeSummary:
    """Count and hash of a kind's records (uid, seq), tombstones included.

    The hash is the sum, modulo 2**128, of a BLAKE2b digest of each ``uid:seq``:
    order does not matter, and adding, replacing or removing one record changes
    it in O(1), so both sides keep it up to date as records change instead of
    reading every record at each checkpoint (CommCare's case-id hash, made
    incremental).
    """
    total = 0
    n = 0
    for uid, seq in items:
        total += record_digest(uid, seq)
        n += 1
    return ScopeSummary(count=n, hash=hash_text(total))


EMPTY_SUMMARY = ScopeSummary(count=0, hash=hash_text(0))
