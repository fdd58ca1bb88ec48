"""BranchDesk sync protocol, version 1: the message shapes client and server share.

Standard library only, so the branch client (no web framework) and the
head-office service (FastAPI, which reads these dataclasses into its OpenAPI
description) import the same definitions.

Conversation (every request carries ``X-BranchDesk-Protocol: 1``; every answer
carries ``X-Server-Time``, the server's clock, the only clock that orders anything):

``POST /v1/enrol``                      one-time code in, device token out
``POST /v1/branches/{b}/push``          journal entries up; one answer per change id
``GET  /v1/branches/{b}/pull``          records after a cursor, one page at a time
``POST /v1/branches/{b}/checkpoint``    per-scope count + hash; the server confirms or not

Records travel in *columnar* pages: for each kind the column names once, then
one array per record ``[seq, uid, deleted, value, value, ...]`` in the kind's
column order. The cursor is the server sequence (``seq``) of the last record in
the page, a number the server hands out in commit order, never a clock.

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

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-BranchDesk-Protocol"
SERVER_TIME_HEADER = "X-Server-Time"

# --- kinds and their columns -------------------------------------------------------
#
# The uid of a reference record is its code; of a client, whitelist entry or
# field-work record, a UUID made where the record was created.

CLIENT_COLUMNS: tuple[str, ...] = (
    "client_no",
    "kind",
    "name",
    "id_number",
    "mobile",
    "village",
    "group_name",
    "address",
    "segment",
    "aum_fen",
    "deposit_fen",
    "loan_fen",
    "mb_signed",
    "mb_active",
    "lifecycle",
    "potential",
    "manager",
    "consent",
    "consent_date",
    "consent_channel",
    "notes",
    "last_contact",
    "id_override",
    "hq_tags",
    "branch_tags",
)

# Client fields by owner. While a client has no core-banking number yet (a
# prospect the branch created), the branch may also set its name, kind and ID.
CLIENT_HQ_FIELDS = frozenset(
    {"client_no", "kind", "name", "id_number", "aum_fen", "deposit_fen", "loan_fen", "mb_signed", "mb_active",
     "hq_tags"}
)
CLIENT_PROSPECT_FIELDS = frozenset({"kind", "name", "id_number"})
CLIENT_SHARED_FIELDS = frozenset({"mobile", "address", "village"})
CLIENT_BRANCH_FIELDS = frozenset(CLIENT_COLUMNS) - CLIENT_HQ_FIELDS - CLIENT_SHARED_FIELDS

KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    # master data: published by head office, read-only at the branch
    "township": ("code", "name"),
    "village": ("code", "township", "name", "groups"),
    "staff": ("code", "name", "role", "active"),
    "tag": ("code", "name", "source", "category"),
    "client": CLIENT_COLUMNS,
    "whitelist": (
        "client_uid", "client_no", "product", "limit_fen", "rate_bp", "valid_from", "valid_to", "batch",
    ),
    "campaign": ("code", "name", "product", "starts", "ends", "script", "targets"),
    "scenario_type": ("code", "name", "metrics"),
    "compliance_words": ("version", "block", "warn"),
    # field work: written at the branch, kept by head office
    "contact": ("client_uid", "staff", "date", "channel", "outcome", "note", "campaign"),
    "followup": ("client_uid", "campaign", "due", "done", "result", "note", "staff"),
    "scenario": ("scenario_type", "village", "period", "metrics", "note"),
    "whitelist_outcome": ("whitelist_uid", "status", "amount_fen", "date", "note", "staff"),
    "nomination": ("client_uid", "product", "amount_fen", "reason", "staff"),
}

MASTER_KINDS = frozenset(
    {"township", "village", "staff", "tag", "client", "whitelist", "campaign", "scenario_type", "compliance_words"}
)
BRANCH_KINDS = frozenset({"contact", "followup", "scenario", "whitelist_outcome", "nomination"})
# Kinds a branch may push: its field work, its clients (branch and shared
# fields; whole records for prospects) and its own tags (source = "branch").
PUSHABLE_KINDS = BRANCH_KINDS | {"client", "tag"}
# Order in which a page's kinds are applied (what others refer to comes first).
APPLY_ORDER: tuple[str, ...] = (
    "township", "village", "staff", "tag", "scenario_type", "compliance_words",
    "client", "whitelist", "campaign", "contact", "followup", "scenario", "whitelist_outcome", "nomination",
)
assert set(APPLY_ORDER) == set(KIND_COLUMNS)

OPS = ("insert", "update", "delete")

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


@dataclass
class ErrorBody:
    error: str
    message: str


# --- shared helpers ---------------------------------------------------------------


def canonical(obj: Any) -> bytes:
    """The canonical JSON bytes of ``obj`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def change_hash(c: dict[str, Any]) -> str:
    """The payload hash an idempotency key is tied to: everything but the timestamps."""
    body = {k: c.get(k) for k in ("kind", "uid", "op", "before", "after", "base_seq")}
    return hashlib.sha256(canonical(body)).hexdigest()


def scope_summary(items: Iterable[tuple[str, int]]) -> ScopeSummary:
    """Count and SHA-256 of ``uid:seq`` lines, sorted by uid (byte order).

    Both sides compute it the same way over the records of one kind they hold,
    tombstones included (CommCare's case-id hash, with versions).
    """
    lines = sorted(f"{uid}:{seq}\n" for uid, seq in items)
    return ScopeSummary(count=len(lines), hash=hashlib.sha256("".join(lines).encode()).hexdigest())

