"""Safe XML for the WeChat callbacks: no DTD, no entities, no external references, bounded size."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

MAX_BODY = 256 * 1024  # WeChat callbacks are a few kB; anything this large is not from WeChat
MAX_DEPTH = 8


class BadXml(ValueError):
    """The body is not a WeChat XML document we accept (malformed, a DTD, entities, too deep)."""


async def read_body(stream: AsyncIterator[bytes], declared: str | None) -> bytes:
    """The request body, refused as BadXml past MAX_BODY without reading the rest (or trusting the header)."""
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise BadXml("body too large")
    body = bytearray()
    async for chunk in stream:
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise BadXml("body too large")
    return bytes(body)


def parse(body: bytes | str) -> dict[str, Any]:
    """The children of the root `<xml>` element as a dict; BadXml for anything else."""
    if len(body) > MAX_BODY:
        raise BadXml("body too large")
    try:
        root = DefusedET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXml(type(exc).__name__) from None
    if root.tag != "xml":
        raise BadXml("root element is not <xml>")
    value = _convert(root, 0)
    return value if isinstance(value, dict) else {}


def _convert(element: Element, depth: int) -> dict[str, Any] | str:
    if depth > MAX_DEPTH:
        raise BadXml("nested too deep")
    children = list(element)
    if not children:
        return element.text or ""
    out: dict[str, Any] = {}
    for child in children:
        value = _convert(child, depth + 1)
        if child.tag in out:
            existing = out[child.tag]
            out[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[child.tag] = value
    return out
