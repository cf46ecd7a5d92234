"""Callbacks of the WeChat family as engine events: delivery ids, menu keys, send times, media fetched at once."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.channels.services import ChannelServices, FileNotKept
from bot.channels.wxbase import media
from bot.channels.wxbase.api import Api, ApiError
from handlers.core.types import Incoming
from handlers.engine.router import Routes

log = logging.getLogger(__name__)
_COMMAND_KEY = re.compile(r"^[a-z0-9_]{1,32}$")

# what a callback without an engine event is answered (the catalogue's keys), by its outcome
_FETCHING: dict[tuple[str, str], asyncio.Future[Received]] = {}  # media downloads under way, per delivery
REFUSAL_KEYS = {
    "media_failed": "channels.media_failed",
    "media_not_kept": "channels.media_not_kept",
    "unknown_key": "engine.unknown",
}


@dataclass(frozen=True, slots=True)
class Received:
    """What a callback carried: an engine event, or why there is none (outcome: a metrics label)."""

    outcome: str  # "message" | "event" | "ignored" | "unsupported" | "media_failed" | "unknown_key"
    incoming: Incoming | None = None


def delivery_id(msg: dict[str, Any]) -> str:
    """MsgId for messages; sender + CreateTime for events (WeChat's rule for deduplicating retries).

    An event's id also names the event and its key or card: a retry repeats them all, while two
    different clicks in the same second stay two events.
    """
    if str(msg.get("MsgType", "")).lower() != "event" and msg.get("MsgId"):
        return f"m:{msg['MsgId']}"
    what = ":".join(str(msg.get(k) or "") for k in ("TaskId", "EventKey") if msg.get(k))
    head = f"e:{msg.get('FromUserName', '')}:{msg.get('CreateTime', '')}:{msg.get('Event', '')}:"
    if len(head) + len(what) > 191:  # cut, two buttons of one card would be one event again
        what = hashlib.sha256(what.encode()).hexdigest()[:40]
    return (head + what)[:191]


def menu_command(routes: Routes, key: str) -> str | None:
    """The chat command a menu key names ('ledger' → '/ledger'), or None if it names none."""
    word = key.strip().lower()
    return "/" + word if _COMMAND_KEY.match(word) and routes.match(word) is not None else None


def unknown_click(routes: Routes, msg: dict[str, Any]) -> bool:
    """A menu click whose key names no command: answered politely, never taken for an answer in a conversation."""
    is_click = str(msg.get("Event", "")).lower() == "click"
    return is_click and menu_command(routes, str(msg.get("EventKey") or "")) is None


def sent_at(msg: dict[str, Any]) -> datetime | None:
    """When WeChat says the message was sent."""
    raw = str(msg.get("CreateTime", ""))
    if not raw.isdigit() or len(raw) > 12:
        return None
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (ValueError, OverflowError, OSError):  # past year 9999: a forged or broken field, not a time
        return None


async def media_received(
    api: Api,
    services: ChannelServices,
    channel: str,
    msg: dict[str, Any],
    filename: str,
    make: Callable[..., Incoming],
) -> Received:
    """An image, file or voice message: downloaded at once (a retry is not fetched again)."""
    kind = str(msg.get("MsgType", "")).lower()
    delivery = delivery_id(msg)
    if await services.seen_before(channel, delivery):
        return Received("message", make(text=""))  # a retry: the engine answers as before
    wanted = {"image": "photo", "voice": "voice"}.get(kind, "document")
    if not await services.takes_file(channel, str(msg.get("FromUserName", ""))):
        return Received("message", make(file_declined=wanted))  # a stranger's or unasked-for file: never fetched
    if wanted == "voice" and not filename:
        filename = f"{delivery_id(msg).removeprefix('m:')}.{str(msg.get('Format') or 'amr').lower()[:8]}"
    key = (channel, delivery)
    fetching = _FETCHING.get(key)
    if fetching is None:  # a retry arriving while the first copy still fetches shares its download
        fetching = _FETCHING[key] = asyncio.ensure_future(_fetch(api, services, msg, wanted, delivery, filename, make))
        fetching.add_done_callback(lambda _: _FETCHING.pop(key, None))
    return await asyncio.shield(fetching)  # not cancelled with one request: the others wait for it


async def _fetch(
    api: Api,
    services: ChannelServices,
    msg: dict[str, Any],
    wanted: str,
    delivery: str,
    filename: str,
    make: Callable[..., Incoming],
) -> Received:
    try:
        file = await media.download(
            api,
            services,
            str(msg["MediaId"]),
            kind=wanted,
            filename=filename,
            default_type={"photo": "image/jpeg", "voice": "audio/amr"}.get(wanted, ""),
        )
    except ApiError as exc:
        log.error("could not fetch %s %s: %s", wanted, delivery, exc)
        return Received("media_failed")
    except FileNotKept:
        return Received("media_not_kept")
    return Received("message", make(file=file))
