"""Media a WeChat or WeCom user sends: fetched at once with media/get (ids expire after 3 days) and stored."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bot.channels.services import ChannelServices
from bot.channels.wxbase.api import Api, ApiError
from handlers.core.types import InboundFile

MAX_MEDIA_BYTES = 20 * 1024 * 1024
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def _fetch(media_id: str) -> Any:
    def run(client: Any) -> tuple[bytes, str, str]:
        res = client.get("media/get", params={"media_id": media_id})
        if isinstance(res, dict):  # a JSON answer where bytes were expected (a video link, or an error)
            raise ApiError("media/get", int(res.get("errcode", -2)), "not a media file")
        content = res.content
        if len(content) > MAX_MEDIA_BYTES:
            raise ApiError("media/get", -3, f"media larger than {MAX_MEDIA_BYTES} bytes")
        media_type = str(res.headers.get("Content-Type", "")).split(";")[0].strip()
        match = _FILENAME.search(str(res.headers.get("Content-Disposition", "")))
        return content, media_type, unquote(match.group(1)) if match else ""

    return run


async def download(
    api: Api, services: ChannelServices, media_id: str, *, kind: str, filename: str = "", default_type: str = ""
) -> InboundFile:
    """Fetch a user's media now and keep it under MEDIA_DIR; ApiError if the platform refuses."""
    data, media_type, header_name = await api.call("media/get", _fetch(media_id))
    name = filename or header_name
    stored = await services.store_file(
        data,
        kind=kind,
        file_ref=media_id,
        filename=name,
        media_type=media_type if media_type and "json" not in media_type else default_type,
    )
    return replace(stored, filename=name or Path(stored.stored_path).name)
