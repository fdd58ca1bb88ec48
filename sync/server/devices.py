"""Branches, devices and enrolment, and the log of refused (403) requests."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.server.base import StoreBase
from sync.server.db import Device, HQError, branches, denials, devices, now, safe_text, sha

log = logging.getLogger("sync.server")

ENROL_CODE_TTL = timedelta(hours=72)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class DeviceStore(StoreBase):
    def create_branch(self, code: str, name: str) -> None:
        code = code.strip()
        if not code or len(code) > 32 or safe_text(code, 32) != code:
            raise HQError("网点代码不能为空，不超过 32 个字符，且不能含控制字符。")
        with self.engine.begin() as c:
            if c.execute(sa.select(branches.c.code).where(branches.c.code == code)).first():
                raise HQError(f"网点 {code} 已存在。", 409)
            c.execute(branches.insert().values(code=code, name=safe_text(name, 200), created_at=now()))

    def branch_name(self, code: str) -> str | None:
        with self._read() as c:
            return c.execute(sa.select(branches.c.name).where(branches.c.code == code)).scalar()

    def list_branches(self) -> list[tuple[str, str]]:
        with self._read() as c:
            return [tuple(r) for r in c.execute(sa.select(branches.c.code, branches.c.name).order_by(branches.c.code))]

    def new_enrolment(self, branch: str, name: str = "") -> tuple[int, str]:
        """A device slot for ``branch`` and its one-time code (shown once, stored hashed)."""
        if self.branch_name(branch) is None:
            raise HQError(f"没有网点 {branch}，请先创建网点。", 404)
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        expires = (datetime.now(UTC) + ENROL_CODE_TTL).isoformat(timespec="seconds")
        with self.engine.begin() as c:
            device_id = c.execute(
                devices.insert().values(
                    branch=branch, name=safe_text(name, 200), code_hash=sha(code), code_expires=expires,
                    created_at=now(),
                )
            ).inserted_primary_key[0]
        return int(device_id), code

    def redeem(self, code: str, device_name: str) -> tuple[Device, str]:
        """Exchange a one-time code for a device token, step one of two: the token works only after
        ``confirm_enrolment``; until then the code stays usable and a new redeem replaces the token.
        Raises HQError(403) for a bad code."""
        code = code.strip().upper()
        device_name = safe_text(device_name, 200)
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.code_expires, devices.c.revoked_at)
                .where(devices.c.code_hash == sha(code))
            ).first()
            if row is None or row.revoked_at or (row.code_expires or "") < datetime.now(UTC).isoformat():
                raise HQError("注册码无效、已使用或已过期，请向总行重新申请。", 403)
            c.execute(
                devices.update()
                .where(devices.c.id == row.id)
                .values(pending_token_hash=sha(token), name=device_name or row.name)
            )
        return Device(row.id, row.branch, device_name or row.name), token

    def confirm_enrolment(self, token: str) -> Device:
        """Step two: the PC stored its token; the device becomes active and the code is spent."""
        with self.engine.begin() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name, devices.c.revoked_at)
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
        return Device(row.id, row.branch, row.name)

    def enrol(self, code: str, device_name: str = "") -> tuple[Device, str]:
        """Both steps at once, for head office's own tools and tests that stand in for a PC."""
        device, token = self.redeem(code, device_name)
        self.confirm_enrolment(token)
        return device, token

    def authenticate(self, token: str) -> Device | None:
        with self._read() as c:
            row = c.execute(
                sa.select(devices.c.id, devices.c.branch, devices.c.name).where(
                    devices.c.token_hash == sha(token), devices.c.revoked_at.is_(None)
                )
            ).first()
        return Device(row.id, row.branch, row.name) if row else None

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
                    devices.c.id, devices.c.branch, devices.c.name, devices.c.enrolled_at, devices.c.revoked_at,
                    devices.c.last_seen, devices.c.last_confirmed, devices.c.last_cursor,
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
