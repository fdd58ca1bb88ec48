"""HTTP to head office: timeouts, retries with backoff and jitter, gzip both ways, proxy, CA bundle.

No Qt: runs on whatever thread calls it (a worker in the desktop app, the main
thread in ``branchdesk sync``). Counts the bytes that crossed the wire (bodies
as sent, compressed) and reads the server's clock from every answer.

Errors are ``SyncError`` subclasses with Chinese messages: network trouble and
5xx are retried here (``retries`` times, exponential backoff with full jitter)
and then raised as ``ServerUnavailable``; a 4xx is never retried.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3.exceptions

from app import __version__
from sync import protocol as p

log = logging.getLogger("sync.client")


@dataclass
class TransportConfig:
    server_url: str
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    proxy: str | None = None  # e.g. http://proxy.bank.local:8080
    ca_bundle: str | None = None  # the bank's own CA (PEM file); None: the system's
    gzip_level: int = 5
    extra_headers: dict[str, str] = field(default_factory=dict)


class SyncError(Exception):
    """A sync problem with a Chinese message for the user."""


class SyncCancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("同步已取消，已完成的部分已保存。")


class ServerUnavailable(SyncError):
    """Network down, timeouts or 5xx after all retries: try again later."""


class UpgradeRequired(SyncError):
    pass


class Unauthorized(SyncError):
    pass


class CertificateError(SyncError):
    """The server's TLS certificate does not verify: a setting to fix, not a thing to retry."""


class RequestRejected(SyncError):
    """A 4xx answer (other than 401/426): the request itself is wrong and must not be retried."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(cap, base * 2**attempt)]."""
    return (rng or random).uniform(0, min(cap, base * (2**attempt)))


class Transport:
    def __init__(
        self,
        config: TransportConfig,
        token: str | None = None,
        *,
        cancelled: Callable[[], bool] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.token = token
        self.cancelled = cancelled or (lambda: False)
        self.sleep = sleep
        self.bytes_up = 0
        self.bytes_down = 0
        self.server_time: str | None = None
        self.skew_seconds: float | None = None
        self.session = requests.Session()
        self.session.trust_env = config.proxy is None
        if config.proxy:
            self.session.proxies = {"http": config.proxy, "https": config.proxy}
        if config.ca_bundle:
            self.session.verify = config.ca_bundle
        self.session.headers.update(
            {p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION), p.APP_VERSION_HEADER: __version__, "Accept-Encoding": "gzip",
             **config.extra_headers}
        )

    def close(self) -> None:
        self.session.close()

    # --- one request with retries -------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        retry: bool = True,
        decode: bool = True,
    ) -> Any:
        """Send one request; returns the decoded JSON answer. Retries network errors and 5xx.

        ``decode=False`` returns a successful answer's body as (decompressed, complete)
        bytes, for a caller that parses it on another thread.
        """
        url = self.config.server_url.rstrip("/") + path
        data = None
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
            if len(raw) > 1024:
                raw = gzip.compress(raw, self.config.gzip_level, mtime=0)
                headers["Content-Encoding"] = "gzip"
            data = raw
        attempts = self.config.retries + 1 if retry else 1
        last: Exception | None = None
        for attempt in range(attempts):
            if self.cancelled():
                raise SyncCancelled()
            if attempt:
                delay = backoff_delay(attempt - 1, self.config.backoff_base, self.config.backoff_max)
                log.info("retrying %s %s in %.1f s (attempt %d): %s", method, path, delay, attempt + 1, last)
                self._sleep(delay)
            try:
                return self._once(method, url, params, data, headers, decode)
            except ServerUnavailable as exc:
                last = exc
        raise ServerUnavailable(f"连接总行失败（已重试 {attempts - 1} 次）：{last}") from last

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.cancelled():
                raise SyncCancelled()
            self.sleep(min(left, 0.2))

    def _once(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        data: bytes | None,
        headers: dict[str, str],
        decode: bool = True,
    ) -> Any:
        try:
            resp = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                stream=True,
                # explicit per request: with trust_env, REQUESTS_CA_BUNDLE would override a session setting
                verify=self.config.ca_bundle or True,
            )
            try:
                raw = resp.raw.read(decode_content=False)
            finally:
                resp.close()
        except requests.exceptions.SSLError as exc:
            raise CertificateError(
                "无法验证总行服务的证书。请确认服务地址正确，并在同步设置中指定本行的 CA 证书文件。"
            ) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ServerUnavailable(f"网络错误：{type(exc).__name__}") from exc
        except requests.RequestException as exc:  # chunked encoding cut, protocol errors
            raise ServerUnavailable(f"传输中断：{type(exc).__name__}") from exc
        except (OSError, urllib3.exceptions.HTTPError) as exc:  # a body cut mid-read
            raise ServerUnavailable(f"传输中断：{type(exc).__name__}") from exc
        self.bytes_up += len(data or b"")
        self.bytes_down += len(raw)
        self._clock(resp.headers.get(p.SERVER_TIME_HEADER))
        declared = resp.headers.get("Content-Length")
        if declared is not None and int(declared) != len(raw):
            raise ServerUnavailable(f"回应不完整（{len(raw)}/{declared} 字节）")
        if "gzip" in resp.headers.get("Content-Encoding", ""):
            try:
                d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                raw = d.decompress(raw)
                if not d.eof:
                    raise ServerUnavailable("压缩数据不完整")
            except zlib.error as exc:
                raise ServerUnavailable(f"压缩数据损坏：{exc}") from exc
        status = resp.status_code
        if not decode and status < 300:
            return raw
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError as exc:
            if status >= 500 or status == 200:
                raise ServerUnavailable(f"回应无法解析（HTTP {status}）") from exc
            payload = {}
        message = payload.get("message") if isinstance(payload, dict) else None
        if status >= 500:
            raise ServerUnavailable(f"总行服务暂时不可用（HTTP {status}）")
        if status == 426:
            raise UpgradeRequired(message or "BranchDesk 版本过旧，请升级后再同步。")
        if status == 401:
            raise Unauthorized(message or "本机的同步令牌无效或已被吊销，请重新注册本机。")
        if status >= 400:
            raise RequestRejected(status, message or f"总行拒绝了请求（HTTP {status}）")
        return payload

    def _clock(self, value: str | None) -> None:
        if not value:
            return
        try:
            server = datetime.fromisoformat(value)
        except ValueError:
            return
        self.server_time = value
        self.skew_seconds = (datetime.now(UTC) - server).total_seconds()
