"""Button payloads: typed presses packed into short signed strings, so a forged or malformed press is refused.

Each kind of button is a frozen dataclass declared with a short prefix (`class ReviewPress(Press, prefix="rv")`,
like aiogram's `CallbackData`). `pack` writes `<prefix>:<field>:<field>…~<tag>`, the tag an HMAC-SHA256 with
SECRET_KEY, the whole at most 64 bytes (Telegram's callback data); trailing fields left at their default are
omitted. `unpack` checks the tag, the prefix and every field's declared type (int, str, a StrEnum, or one of
these or None), and gives None for anything else: a malformed press is refused, never an exception.
"""

from __future__ import annotations

import binascii
import dataclasses
import enum
import functools
import hashlib
import hmac
import re
import types
import typing
from collections.abc import Callable
from typing import Any, ClassVar

MAX_BYTES = 64
TAG_CHARS = 10
SEP = "~"
FIELD_SEP = ":"
_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: "²".isdigit() is True
_PRESSES: dict[str, type[Press]] = {}
_URLSAFE = bytes.maketrans(b"+/", b"-_")


class Press:
    """A press of one kind of button; subclasses are frozen dataclasses declared with a unique `prefix=`."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or FIELD_SEP in prefix or SEP in prefix:
            raise ValueError(f"bad button prefix {prefix!r}")
        if prefix in _PRESSES:
            raise ValueError(f"button prefix {prefix!r} declared twice: {_PRESSES[prefix]} and {cls}")
        cls.prefix = prefix
        _PRESSES[prefix] = cls


def registered() -> tuple[type[Press], ...]:
    """Every kind of press declared so far."""
    return tuple(_PRESSES.values())


def pack(secret: bytes, press: Press) -> str:
    """The signed payload of a press (ValueError if a field cannot be written or the whole is too long)."""
    codecs = _codecs(type(press))
    values = [getattr(press, name) for name, _, _, _ in codecs]
    parts = [press.prefix, *[encode(value) for (_, _, encode, _), value in zip(codecs, values, strict=True)]]
    kept = len(values)
    while kept and codecs[kept - 1][1] is not dataclasses.MISSING and values[kept - 1] == codecs[kept - 1][1]:
        kept -= 1  # trailing defaults are left out: shorter, and the payloads of before stay readable
    body = FIELD_SEP.join(parts[: kept + 1])
    if SEP in body or body.count(FIELD_SEP) != kept:  # a field holding a separator
        raise ValueError(f"payload fields may not contain {FIELD_SEP!r} or {SEP!r}: {press!r}")
    payload = f"{body}{SEP}{_tag(secret, body)}"
    if len(payload.encode()) > MAX_BYTES:
        raise ValueError(f"payload longer than {MAX_BYTES} bytes: {payload!r}")
    return payload


def unpack(secret: bytes, payload: str) -> Press | None:
    """The press a payload stands for if its tag, prefix and fields are right, else None."""
    if len(payload.encode()) > MAX_BYTES or SEP not in payload:
        return None
    body, _, tag = payload.rpartition(SEP)
    # bytes, not str: compare_digest refuses non-ASCII str, and a forged payload may carry any
    if not hmac.compare_digest(tag.encode(), _tag(secret, body).encode()):
        return None
    return _parse(body)


def peek(payload: str) -> Press | None:
    """The press a payload names, its tag NOT checked: only for how a channel shows a button, never to act."""
    if len(payload.encode()) > MAX_BYTES:
        return None
    return _parse(payload.rpartition(SEP)[0] if SEP in payload else payload)


def _parse(body: str) -> Press | None:
    prefix, *parts = body.split(FIELD_SEP)
    cls = _PRESSES.get(prefix)
    if cls is None:
        return None
    codecs = _codecs(cls)
    if len(parts) > len(codecs):
        return None
    values: dict[str, Any] = {}
    try:
        for (name, _, _, decode), text in zip(codecs, parts, strict=False):
            values[name] = decode(text)
    except ValueError:
        return None
    missing = codecs[len(parts) :]
    if any(default is dataclasses.MISSING for _, default, _, _ in missing):
        return None
    return cls(**values)


@functools.lru_cache(maxsize=4096)
def _tag(secret: bytes, body: str) -> str:
    # every step re-signs the same few buttons (提交, 返回, the kinds…): remembered; the rest copy a keyed HMAC
    # (half the cost of hmac.digest, which sets the key up again each time)
    mac = _keyed(secret).copy()
    mac.update(body.encode())
    # base64.urlsafe_b64encode, without its two Python-level calls: the same characters
    return binascii.b2a_base64(mac.digest(), newline=False).translate(_URLSAFE).decode()[:TAG_CHARS]


@functools.lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)


Encode = Callable[[Any], str]
Decode = Callable[[str], Any]
_Codec = tuple[str, Any, Encode, Decode]
_CODECS: dict[type[Press], tuple[_Codec, ...]] = {}


def _codecs(cls: type[Press]) -> tuple[_Codec, ...]:
    found = _CODECS.get(cls)  # built once a kind of press, at its first pack or unpack
    if found is None:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # every Press subclass is a dataclass
        found = _CODECS[cls] = tuple((f.name, f.default, *_codec_of(hints[f.name])) for f in fields)
    return found


def _codec_of(hint: Any) -> tuple[Encode, Decode]:
    if isinstance(hint, types.UnionType) and type(None) in hint.__args__:
        (inner,) = (a for a in hint.__args__ if a is not type(None))
        encode, decode = _codec_of(inner)
        return (lambda v: "" if v is None else encode(v)), (lambda s: None if s == "" else decode(s))
    if hint is int:
        return _encode_int, _decode_int
    if hint is str:
        return str, str
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        # a member is written as is, anything else through the enum; hint(text) raises ValueError for a value
        # it does not have
        return (lambda v: v.value if type(v) is hint else hint(v).value), hint
    raise TypeError(f"a button field cannot be of type {hint!r}")


def _encode_int(value: int) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a whole number ≥ 0: {value!r}")
    return str(value)


def _decode_int(text: str) -> int:
    if not _DIGITS.fullmatch(text):
        raise ValueError(text)
    return int(text)
