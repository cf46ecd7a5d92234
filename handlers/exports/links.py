"""Signed, expiring download links for exports, for channels that cannot carry a file (WeChat OA).

A token carries its expiry and the file's path under EXPORT_DIR, tagged with an HMAC of SECRET_KEY;
the HTTP app serves the file only while the tag is right and the time has not passed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from handlers.core.config import HandlerConfig

_DOMAIN = b"download\x00"  # a button payload's tag can never pass as a link's, and the other way round
TAG_CHARS = 32


class LinkError(Exception):
    """A token that must not be honoured: `expired`, or `bad` (forged, damaged, pointing outside)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, _DOMAIN + body.encode(), hashlib.sha256).digest())[:TAG_CHARS]


def make_token(secret: bytes, relative: str, *, expires_at: datetime) -> str:
    """A token for the file at `relative` (a POSIX path under EXPORT_DIR) valid until `expires_at`."""
    body = _b64(f"{int(expires_at.timestamp())}:{relative}".encode())
    return f"{body}.{_tag(secret, body)}"


def verify_token(secret: bytes, token: str, *, now: datetime) -> str:
    """The relative path a valid token names; LinkError otherwise."""
    body, _, tag = token.partition(".")
    if not body or not hmac.compare_digest(tag.encode(), _tag(secret, body).encode()):
        raise LinkError("bad")
    try:
        expiry, _, relative = _unb64(body).decode().partition(":")
        expires = int(expiry)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise LinkError("bad") from None
    parts = PurePosixPath(relative).parts
    # a control character names no export we wrote, and a NUL makes the file system raise
    if not relative or relative.startswith("/") or ".." in parts or any(ch < " " or ch == "\x7f" for ch in relative):
        raise LinkError("bad")
    if now.timestamp() >= expires:
        raise LinkError("expired")
    return relative


def download_url(config: HandlerConfig, path: Path, *, now: datetime) -> str | None:
    """The public link to an export under EXPORT_DIR, or None when no PUBLIC_BASE_URL is set."""
    if not config.public_base_url:
        return None
    relative = path.resolve().relative_to(config.export_dir.resolve()).as_posix()
    expires = now + timedelta(minutes=config.download_link_ttl_minutes)
    token = make_token(config.secret_key, relative, expires_at=expires)
    return f"{config.public_base_url.rstrip('/')}/download/{token}"


def resolve(config: HandlerConfig, token: str, *, now: datetime) -> Path:
    """The file a token names, checked to lie inside EXPORT_DIR; LinkError if the token is bad or old."""
    root = config.export_dir.resolve()
    try:
        target = (root / verify_token(config.secret_key, token, now=now)).resolve()
    except (ValueError, OSError):
        raise LinkError("bad") from None
    if not target.is_relative_to(root):
        raise LinkError("bad")
    return target
