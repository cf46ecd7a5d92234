"""Button payloads: short typed strings with an HMAC tag, so a forged press is refused.

Format: `<kind>:<arg>:<arg>…~<tag>`; the whole string fits Telegram's 64-byte callback data.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from dataclasses import dataclass

MAX_BYTES = 64
TAG_CHARS = 10
SEP = "~"


@dataclass(frozen=True, slots=True)
class Payload:
    """A verified payload: its kind and arguments."""

    kind: str
    args: tuple[str, ...]

    def arg_int(self, index: int) -> int:
        """Argument `index` as an int (ValueError if it is not one)."""
        return int(self.args[index])


@functools.lru_cache(maxsize=4096)
def _tag(secret: bytes, body: str) -> str:
    # every step re-signs the same few buttons (提交, 返回, the kinds…): remembered, and one-shot HMAC
    digest = hmac.digest(secret, body.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).decode()[:TAG_CHARS]


def sign(secret: bytes, kind: str, *args: object) -> str:
    """A signed payload for a button of this kind and these arguments."""
    parts = [kind, *(str(a) for a in args)]
    if any(":" in p or SEP in p for p in parts):
        raise ValueError("payload parts may not contain ':' or '~'")
    body = ":".join(parts)
    payload = f"{body}{SEP}{_tag(secret, body)}"
    if len(payload.encode()) > MAX_BYTES:
        raise ValueError(f"payload longer than {MAX_BYTES} bytes: {payload!r}")
    return payload


def verify(secret: bytes, payload: str) -> Payload | None:
    """The payload's kind and arguments if its tag is right, else None."""
    if len(payload.encode()) > MAX_BYTES or SEP not in payload:
        return None
    body, _, tag = payload.rpartition(SEP)
    # bytes, not str: compare_digest refuses non-ASCII str, and a forged payload may carry any
    if not hmac.compare_digest(tag.encode(), _tag(secret, body).encode()):
        return None
    kind, *args = body.split(":")
    return Payload(kind=kind, args=tuple(args))
