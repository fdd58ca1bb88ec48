"""Carried bundles: sync for an outlet with no line, by a file someone carries (shared by the PC and head
office; outside ``sync.protocol``, which stays standard library only).

A bundle is one file, sealed by its sender for one reader, from well-kept
primitives of the ``cryptography`` package (nothing home-made):

* **encryption**: an ephemeral X25519 key agreement with the reader's X25519
  public key, HKDF-SHA256 to a key, ChaCha20-Poly1305 (an AEAD) over the
  zlib-compressed JSON payload, the file's header as associated data (the
  ECIES pattern, as in HPKE's base mode);
* **signature**: the sender's Ed25519 key over everything before it.

Keys are made at enrolment: each PC makes an Ed25519 and an X25519 key pair
(private halves kept where its device token is, in the OS credential store)
and gives head office the public halves; head office gives the PC its own
two public keys. A PC's bundle is readable only by head office and provably
from that PC; head office's reply only by that PC and provably from head office.

Layout (integers big-endian)::

    MAGIC (8) | header length (4) | header (JSON) | body length (8) | nonce (12) + ciphertext | signature (64)

The header is readable without keys (what the bundle is, for whom, its
number) but covered by both the signature and the AEAD. Opening checks, in
order: the magic, the lengths (a truncated copy), the header, the signature,
then decrypts; each failure is a ``BundleError`` with a Chinese reason, and
nothing is returned, so nothing is applied. Order and replay (the bundle's
number against the last one taken) are the reader's to check.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"BDBNDL\x00\x01"
REQUEST = "request"  # a PC's pending changes and cursor, for head office
REPLY = "reply"  # head office's answers and the records the PC is missing, for that PC
TYPES = {REQUEST: "网点离线包", REPLY: "总行回执包"}
SUFFIX = ".bdbundle"

_HEADER_MAX = 64 * 1024
_TRUNCATED = "离线包不完整（文件被截断，可能复制时中断）。未导入任何数据；请重新复制或重新导出。"
_SIG = 64
_NONCE = 12


class BundleError(Exception):
    """A bundle refused, with the reason in Chinese; ``code`` says which check refused it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class KeyPair:
    """A party's two private keys (base64 of their raw 32 bytes)."""

    sign: str
    box: str

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(b64(Ed25519PrivateKey.generate().private_bytes_raw()),
                   b64(X25519PrivateKey.generate().private_bytes_raw()))

    @property
    def sign_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(unb64(self.sign))

    @property
    def box_key(self) -> X25519PrivateKey:
        return X25519PrivateKey.from_private_bytes(unb64(self.box))

    @property
    def public(self) -> PublicKeys:
        return PublicKeys(b64(self.sign_key.public_key().public_bytes_raw()),
                          b64(self.box_key.public_key().public_bytes_raw()))

    def to_json(self) -> str:
        return json.dumps({"sign": self.sign, "box": self.box})

    @classmethod
    def from_json(cls, text: str) -> KeyPair:
        d = json.loads(text)
        keys = cls(str(d["sign"]), str(d["box"]))
        keys.public  # noqa: B018 - fails here (ValueError) on a damaged key, not at first use
        return keys


@dataclass(frozen=True)
class PublicKeys:
    """A party's two public keys (base64 of their raw 32 bytes)."""

    sign: str
    box: str

    def check(self) -> None:
        """Raises ValueError unless both are well-formed keys."""
        Ed25519PublicKey.from_public_bytes(unb64(self.sign))
        X25519PublicKey.from_public_bytes(unb64(self.box))


def _key(shared: bytes, header: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"BranchDesk bundle v1|" + header).derive(shared)


def seal(
    kind: str, *, branch: str, device: int, number: int, payload: dict[str, Any], sender: KeyPair,
    reader_box: str, extra: dict[str, Any] | None = None,
) -> bytes:
    """The bundle file's bytes: ``payload`` encrypted for ``reader_box``, signed by ``sender``. Any thread."""
    eph = X25519PrivateKey.generate()
    header = json.dumps({
        "v": 1, "type": kind, "branch": branch, "device": int(device), "number": int(number),
        "id": uuid.uuid4().hex, "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "eph": b64(eph.public_key().public_bytes_raw()), **(extra or {}),
    }, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")
    shared = eph.exchange(X25519PublicKey.from_public_bytes(unb64(reader_box)))
    nonce = os.urandom(_NONCE)
    plain = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)
    body = nonce + ChaCha20Poly1305(_key(shared, header)).encrypt(nonce, plain, MAGIC + header)
    signed = MAGIC + struct.pack(">I", len(header)) + header + struct.pack(">Q", len(body)) + body
    return signed + sender.sign_key.sign(signed)


@dataclass(frozen=True)
class Sealed:
    """A bundle whose framing and header were read, not yet verified."""

    header: dict[str, Any]
    raw_header: bytes
    body: bytes
    signed: bytes
    signature: bytes

    @property
    def kind(self) -> str:
        return str(self.header.get("type"))

    @property
    def branch(self) -> str:
        return str(self.header.get("branch"))

    @property
    def device(self) -> int:
        return int(self.header.get("device") or 0)

    @property
    def number(self) -> int:
        return int(self.header.get("number") or 0)

    @property
    def digest(self) -> str:
        """What identifies this exact file (its signature covers every other byte)."""
        return hashlib.sha256(self.signed + self.signature).hexdigest()

    def verify(self, sign_pub: str) -> None:
        try:
            Ed25519PublicKey.from_public_bytes(unb64(sign_pub)).verify(self.signature, self.signed)
        except (InvalidSignature, ValueError) as exc:
            raise BundleError("离线包的签名不符：文件已被改动、损坏，或不是这台设备 / 总行签发的。未导入任何数据。",
                              "signature") from exc

    def open(self, reader: KeyPair) -> dict[str, Any]:
        """The payload (call ``verify`` first)."""
        try:
            eph = X25519PublicKey.from_public_bytes(unb64(str(self.header.get("eph"))))
            key = _key(reader.box_key.exchange(eph), self.raw_header)
            plain = ChaCha20Poly1305(key).decrypt(self.body[:_NONCE], self.body[_NONCE:], MAGIC + self.raw_header)
            payload = json.loads(zlib.decompress(plain).decode("utf-8"))
        except (InvalidTag, ValueError, zlib.error, UnicodeDecodeError) as exc:
            raise BundleError("离线包无法解密：它不是为本方加密的，或内容已损坏。未导入任何数据。", "decrypt") from exc
        if not isinstance(payload, dict):
            raise BundleError("离线包内容格式不正确。未导入任何数据。", "format")
        return payload


def read(data: bytes) -> Sealed:
    """Framing and header of a bundle file; ``BundleError`` for anything else. Any thread."""
    if not data.startswith(MAGIC):
        raise BundleError("这不是 BranchDesk 离线包（文件开头不对）。未导入任何数据。", "not_bundle")
    pos = len(MAGIC)
    if len(data) < pos + 4:
        raise BundleError(_TRUNCATED, "truncated")
    (hlen,) = struct.unpack_from(">I", data, pos)
    pos += 4
    if hlen > _HEADER_MAX:
        raise BundleError("离线包已损坏（标头长度不正确）。未导入任何数据。", "damaged")
    if len(data) < pos + hlen + 8:
        raise BundleError(_TRUNCATED, "truncated")
    raw_header = data[pos : pos + hlen]
    pos += hlen
    (blen,) = struct.unpack_from(">Q", data, pos)
    pos += 8
    if len(data) < pos + blen + _SIG:
        raise BundleError(_TRUNCATED, "truncated")
    if len(data) > pos + blen + _SIG or blen < _NONCE + 16:
        raise BundleError("离线包已损坏（长度不正确）。未导入任何数据。", "damaged")
    body = data[pos : pos + blen]
    signed, signature = data[: pos + blen], data[pos + blen :]
    try:
        header = json.loads(raw_header.decode("ascii"))
        if not isinstance(header, dict) or header.get("v") != 1 or header.get("type") not in TYPES:
            raise ValueError
        if not (isinstance(header.get("device"), int) and isinstance(header.get("number"), int)
                and isinstance(header.get("branch"), str)):
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BundleError("离线包已损坏或被改动（标头无法读取）。未导入任何数据。", "damaged") from exc
    return Sealed(header, raw_header, body, signed, signature)


def describe(s: Sealed) -> str:
    """One line a person reads: what the bundle is and whose (no personal data)."""
    what = TYPES.get(s.kind, s.kind)
    n = s.header.get("changes")
    count = f"，{n:,} 条变更" if isinstance(n, int) else ""
    return f"{what}：网点 {s.branch} 设备 {s.device} 第 {s.number} 号{count}（{str(s.header.get('created'))[:19]}）"
