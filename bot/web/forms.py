"""Reading the console's forms: urlencoded only, small, the first value of each field."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request

MAX_BODY = 16 * 1024  # a reason is at most 500 characters; nothing here needs more


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an urlencoded form (an empty dict for any other body); 413 beyond MAX_BODY."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413)  # answered by Starlette's own handler
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        fields.setdefault(name, value)
    return fields


def whole_number(value: object) -> int | None:
    """A non-negative whole number from a path or query parameter; None for anything else."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else None
