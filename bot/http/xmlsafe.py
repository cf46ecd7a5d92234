"""Safe XML for the WeChat callbacks: no DTD, no entities, no external references, bounded size.

The document is read with expat directly into the dict the channels use, refusing what defusedxml refuses
(forbid_dtd, forbid_entities, forbid_external), with ElementTree's reading of it: an element's value is its
text before its first child, or a dict of its children (a repeated name becomes a list); attributes, comments
and processing instructions are ignored. Building an ElementTree first cost more than the parse itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, NoReturn
from xml.parsers import expat

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
    tree = _Tree()
    parser = expat.ParserCreate(None, "}")  # ElementTree's namespace form: {uri}name
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid("DTDForbidden")
    parser.EntityDeclHandler = _forbid("EntitiesForbidden")
    parser.UnparsedEntityDeclHandler = _forbid("EntitiesForbidden")
    parser.ExternalEntityRefHandler = _forbid("ExternalReferenceForbidden")
    parser.StartElementHandler = tree.start
    parser.EndElementHandler = tree.end
    parser.CharacterDataHandler = tree.text
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, ValueError) as exc:
        raise exc if isinstance(exc, BadXml) else BadXml("ParseError") from None
    if tree.root_tag != "xml":
        raise BadXml("root element is not <xml>")
    return tree.root if isinstance(tree.root, dict) else {}


def _forbid(what: str) -> Any:
    def refuse(*_: Any) -> NoReturn:
        raise BadXml(what)

    return refuse


class _Tree:
    """expat's events → nested dicts; each open element is [name, text pieces, children or None]."""

    def __init__(self) -> None:
        self.open: list[list[Any]] = []
        self.root_tag = ""
        self.root: dict[str, Any] | str = ""

    def start(self, name: str, attributes: Any) -> None:
        if len(self.open) > MAX_DEPTH:
            raise BadXml("nested too deep")
        if self.open and self.open[-1][2] is None:
            self.open[-1][2] = {}
        self.open.append(["{" + name if "}" in name else name, [], None])

    def text(self, data: str) -> None:
        if self.open[-1][2] is None:  # ElementTree keeps only the text before the first child
            self.open[-1][1].append(data)

    def end(self, _: str) -> None:
        name, pieces, children = self.open.pop()
        value = children if children is not None else "".join(pieces)
        if not self.open:
            self.root_tag, self.root = name, value
            return
        siblings = self.open[-1][2]
        if name in siblings:
            existing = siblings[name]
            siblings[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            siblings[name] = value
