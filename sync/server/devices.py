"""Branches, devices and enrolment, and the log of refused (403) requests.

A device reads its scopes (``read_scopes``): a branch device its own branch and
what every branch sees (``SHARED``); a county device (a county manager's PC,
enrolled with ``--county``) every branch of its county as well. Writing is the
same for both: a device writes only records of its own branch, and a county
device's own branch is the county code itself (``{county} 县域管理``).
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.server.base import StoreBase
from sync.server.db import SHARED, Device, HQError, branches, denials, devices, now, safe_text, sha

log = logging.getLogger("sync.server")

ENROL_CODE_TTL = timedelta(hours=72)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_COUNTY = re.compile(r"[0-9]{6}")  # 区县代码: six ASCII digits, e.g. 500229
_COUNTY_OF_BRANCH = re.compile(r"([0-9]{6})-")  # a branch code "500229-01" names its county


def county_code(county: str) -> str:
    """A county code as given (stripped), or HQError when it is not six digits."""
    county = str(county).strip()
    if not _COUNTY.fullmatch(county):
        raise HQError(f"区县代码应为 6 位数字（如 500229），实际为“{safe_text(county, 32)}”。")
    return county


def county_of(branch_code: str) -> str | None:
    """The county a branch code like ``500229-01`` names, or None."""
    m = _COUNTY_OF_BRANCH.match(branch_code)
    return m.group(1) if m else None


def in_county(county: str) -> sa.ColumnElement[bool]:
    """Branches of ``county`` (validated digits): its ``county`` column, or, for a branch stored
    before schema 5 (no county recorded), a code starting ``{county}-``."""
    return sa.or_(
        branches.c.county == county,
        sa.and_(branches.c.county.is_(None), branches.c.code.like(f"{county}-%")),
    )


class DeviceStore(StoreBase):
    def create_branch(self, code: str, name: str, county: str | None = None) -> None:
        """A new branch. ``county``: the county it belongs to (6 digits); by default the six digits
        a code like ``500229-01`` starts with, else none."""
        code = code.strip()
        if not code or len(code) > 32 or safe_text(code, 32) != code:
            raise HQError("网点代码不能为空，不超过 32 个字符，且不能含控制字符。")
        county = county_of(code) if county is None else county_code(county)
        with self.engine.begin() as c:
            if c.execute(sa.select(branches.c.code).where(branches.c.code == code)).first():
                raise HQError(f"网点 {code} 已存在。", 409)
            c.execute(branches.insert().values(code=code, name=safe_text(name, 200), created_at=now(),
                                               county=county))

    def branch_name(self, code: str) -> str | None:
        with self._read() as c:
            return c.execute(sa.select(branches.c.name).where(branches.c.code == code)).scalar()

    def list_branches(self) -> list[tuple[str, str]]:
        with self._read() as c:
            return [tuple(r) for r in c.execute(sa.select(branches.c.code, branches.c.name).order_by(branches.c.code))]

    def branch_details(self) -> list[dict[str, Any]]:
        """Every branch: code, name, county (as ``in_county`` reads it; None when it has none), created_at."""
        with self._read() as c:
            return [{**r._mapping, "county": r.county or county_of(r.code)} for r in c.execute(
                sa.select(branches.c.code, branches.c.name, branches.c.county, branches.c.created_at)
                .order_by(branches.c.code)
            )]

    def new_enrolment(self, branch: str | None, name: str = "", county: str | None = None) -> tuple[int, str]:
        """A device slot for ``branch`` and its one-time code (shown once, stored hashed).

        With ``county``: a county manager's device. It reads every branch of the county
        (``read_scopes``) and writes only its own branch, the county code itself, created
        here (``{county} 县域管理``) the first time. ``branch`` is then left out (or names
        the county, or one of its branches)."""
        if county is None:
            if not branch or self.branch_name(branch) is None:
                raise HQError(f"没有网点 {branch or '（未填写）'}，请先创建网点。", 404)
            home = branch
        else:
            county = county_code(county)
            home = county
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        expires = (datetime.now(UTC) + ENROL_CODE_TTL).isoformat(timespec="seconds")
        with self.engine.begin() as c:
            if county is not None:
                members = set(c.execute(
                    sa.select(branches.c.code).where(in_county(county), branches.c.code != county)
                ).scalars())
                if not members:
                    raise HQError(f"没有属于区县 {county} 的网点，请先创建网点（branch create 代码 名称 --county "
                                  f"{county}）。", 404)
                if branch and branch != county and branch not in members:
                    raise HQError(f"网点 {branch} 不属于区县 {county}。")
                if c.execute(sa.select(branches.c.code).where(branches.c.code == county)).first() is None:
                    try:
                        with c.begin_nested():  # another enrolment may create it at the same moment
                            c.execute(branches.insert().values(code=county, name=f"{county} 县域管理",
                                                               created_at=now(), county=county))
                    except sa.exc.IntegrityError:
                        pass
            device_id = c.execute(
                devices.insert().values(
                    branch=home, name=safe_text(name, 200), code_hash=sha(code), code_expires=expires,
                    created_at=now(), county=county,
                )
            ).inserted_primary_key[0]
        return int(device_id), code

    def read_scopes(self, device: Device) -> tuple[str, ...]:
        """The scopes ``device`` reads: its branch and ``SHARED``; for a county device every
        branch of its county too (sorted, each once)."""
        if device.county is None:
            return (device.branch, SHARED)
        with self._read() as c:
            codes = set(c.execute(sa.select(branches.c.code).where(in_county(device.county))).scalars())
        return tuple(sorted(codes | {device.branch, SHARED}))

    def redeem(self, code: str, device_name: str) -> tuple[Device, str]:
        """Exchange a one-time code for a device token, step one of two: the token works only after
        ``confirm_enrolment``; until then the code stays usable and a new redeem replaces the token.
        Raises HQError(403) for a bad code."""
        code = code.strip().upper()
        device_name = safe_text(device_name, 200)
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.code_expires, devices.c.revoked_at,
                          devices.c.county)
                .where(devices.c.code_hash == sha(code))
            ).first()
            if row is None or row.revoked_at or (row.code_expires or "") < datetime.now(UTC).isoformat():
                raise HQError("注册码无效、已使用或已过期，请向总行重新申请。", 403)
            c.execute(
                devices.update()
                .where(devices.c.id == row.id)
                .values(pending_token_hash=sha(token), name=device_name or row.name)
            )
        return Device(row.id, row.branch, device_name or row.name, county=row.county), token

    def confirm_enrolment(self, token: str) -> Device:
        """Step two: the PC stored its token; the device becomes active and the code is spent."""
        with self.engine.begin() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.revoked_at, devices.c.county)
                .where(devices.c.pending_token_hash == sha(token))
            ).first()
            if row is None or row.revoked_at:
                raise HQError("这次注册已失效（注册码已被再次使用或设备已吊销），请重新注册本机。", 403)
            c.execute(
                devices.update()
                .where(devices.c.id == row.id)
                .values(token_hash=sha(token), pending_token_hash=None, code_hash=None, code_expires=None,
                        enrolled_at=now())
            )
        return Device(row.id, row.branch, row.name, county=row.county)

    def enrol(self, code: str, device_name: str = "") -> tuple[Device, str]:
        """Both steps at once, for head office's own tools and tests that stand in for a PC."""
        device, token = self.redeem(code, device_name)
        self.confirm_enrolment(token)
        return device, token

    def authenticate(self, token: str) -> Device | None:
        with self._one_statement() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.county).where(
                    devices.c.token_hash == sha(token), devices.c.revoked_at.is_(None)
                )
            ).first()
        return Device(row.id, row.branch, row.name, county=row.county) if row else None

    def revoke(self, device_id: int) -> None:
        with self.engine.begin() as c:
            n = c.execute(
                devices.update()
                .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
                .values(revoked_at=now())
            ).rowcount
        if not n:
            raise HQError(f"没有未吊销的设备 {device_id}。", 404)

    def list_devices(self) -> list[dict[str, Any]]:
        with self._read() as c:
            rows = c.execute(
                sa.select(
                    devices.c.id, devices.c.branch, devices.c.county, devices.c.name, devices.c.enrolled_at,
                    devices.c.revoked_at, devices.c.last_seen, devices.c.last_confirmed, devices.c.last_cursor,
                    devices.c.app_version,
                ).order_by(devices.c.id)
            )
            return [dict(r._mapping) for r in rows]

    def deny(self, device: Device | None, target: str, reason: str) -> None:
        """Record a refused access (403). Logged without personal data."""
        target = safe_text(target, 200)
        log.warning("denied: device=%s branch=%s target=%s reason=%s",
                    device.id if device else None, device.branch if device else None, target, reason)
        with self.engine.begin() as c:
            c.execute(
                denials.insert().values(
                    time=now(),
                    device_id=device.id if device else None,
                    device_branch=device.branch if device else None,
                    target=target,
                    reason=safe_text(reason, 200),
                )
            )

    def list_denials(self) -> list[dict[str, Any]]:
        with self._read() as c:
            return [dict(r._mapping) for r in c.execute(sa.select(denials).order_by(denials.c.id))]
