"""Staff sign-in with a PIN: set on first use, kept as a salted scrypt hash.

scrypt (RFC 7914, in the standard library) is a memory-hard KDF: a stolen
database does not give up 6-digit PINs to a GPU as a fast hash would. The
parameters travel with the hash, so they can be raised later without
breaking existing PINs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from itertools import pairwise

import sqlite_utils

from app.core.errors import FieldError
from app.core.roles import Role, Staff
from app.store import audit
from app.store.db import write
from app.store.journal import local_now

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_MIN, PIN_MAX = 6, 12


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def pin_problem(pin: str) -> FieldError | None:
    """Is this PIN acceptable as a new PIN? (6–12 digits, not trivially guessable.)"""

    def err(code: str, msg: str) -> FieldError:
        return FieldError("pin", "PIN", code, msg)

    if not re.fullmatch(r"\d+", pin or ""):
        return err("format", "PIN 只能由数字组成。")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return err("length", f"PIN 需为 {PIN_MIN}–{PIN_MAX} 位数字。")
    if len(set(pin)) == 1:
        return err("format", "PIN 不能全部是同一个数字。")
    digits = [int(ch) for ch in pin]
    steps = {b - a for a, b in pairwise(digits)}
    if steps in ({1}, {-1}):
        return err("format", "PIN 不能是连续数字（如 123456）。")
    return None


def load_staff(db: sqlite_utils.Database, code: str) -> tuple[Staff, str | None] | None:
    """The staff member with this code and their PIN hash (None if unknown)."""
    row = db.conn.execute(
        "SELECT id, code, name, role, active, pin_hash FROM staff WHERE code = ?", (code.strip(),)
    ).fetchone()
    if row is None:
        return None
    return Staff(row[0], row[1], row[2], Role(row[3]), bool(row[4])), row[5]


def set_pin(db: sqlite_utils.Database, staff_id: int, pin: str) -> FieldError | None:
    problem = pin_problem(pin)
    if problem:
        return problem
    with write(db):
        db.conn.execute(
            "UPDATE staff SET pin_hash = ?, updated_at = ? WHERE id = ?",
            (hash_pin(pin), local_now(), staff_id),
        )
    return None


def sign_in(db: sqlite_utils.Database, code: str, pin: str) -> Staff | FieldError:
    """Check a PIN. Audits failures and successes (the staff code, never the PIN)."""
    found = load_staff(db, code)
    if found is None:
        return FieldError("staff", "员工", "unknown", f"员工号 {code} 不在本网点名册中。")
    staff, pin_hash = found
    if not staff.active:
        return FieldError("staff", "员工", "permission", f"员工 {staff.code} 已停用，不能登录。")
    if pin_hash is None:
        return FieldError("pin", "PIN", "required", "首次使用，请先设置 PIN。")
    if not verify_pin(pin, pin_hash):
        audit.record(db, staff=staff.code, action=audit.SIGN_IN_FAILED)
        return FieldError("pin", "PIN", "format", "PIN 不正确。")
    audit.record(db, staff=staff.code, action=audit.SIGN_IN)
    return staff
