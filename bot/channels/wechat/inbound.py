"""Official Account callbacks → engine events: text, menu clicks, images and files, subscribe/scan/click events."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.channels.services import ChannelServices
from bot.channels.wechat import CHANNEL
from bot.channels.wechat.numbers import Numbers
from bot.channels.wxbase.api import Api
from bot.channels.wxbase.inbound import Received, delivery_id, media_received, menu_command, sent_at, unknown_click
from bot.channels.wxbase.refs import RefBuffer
from handlers.core.types import Capabilities, Documents, Incoming

log = logging.getLogger(__name__)
# an Official Account sends photos but no other files; buttons are a msgmenu (numbered text without the right)
CAPABILITIES = Capabilities(documents=Documents.LINKED)
_COMMAND_KEY = re.compile(r"^[a-z0-9_]{1,32}$")
_IGNORED_EVENTS = frozenset(
    {"unsubscribe", "view", "templatesendjobfinish", "masssendjobfinish", "location", "view_miniprogram"}
)


class OAInbound:
    """Turns one decrypted OA message into an Incoming, downloading media at once."""

    def __init__(
        self,
        api: Api,
        services: ChannelServices,
        clock: Callable[[], datetime],
        menus: RefBuffer | None = None,
    ) -> None:
        self.api = api
        self.services = services
        self.routes = services.routes
        self.clock = clock
        self.menus = menus
        self.numbers = Numbers(services, CHANNEL)

    async def convert(self, msg: dict[str, Any]) -> Received:
        """The engine event this callback stands for."""
        kind = str(msg.get("MsgType", "")).lower()
        user = str(msg.get("FromUserName", ""))
        delivery = delivery_id(msg)

        def make(**fields: Any) -> Incoming:
            return Incoming(
                channel=CHANNEL,
                user_id=user,
                chat_id=user,
                delivery_id=delivery,
                received_at=sent_at(msg),
                capabilities=CAPABILITIES,
                **fields,
            )

        if kind == "event":
            if unknown_click(self.routes, msg):
                return Received("unknown_key")
            text = self._event_text(msg)
            scanned = str(msg.get("Event", "")).lower() in ("subscribe", "scan")
            return Received("event", make(text=text, scanned=scanned)) if text is not None else Received("ignored")
        if kind == "text":
            content = str(msg.get("Content", ""))
            payload = await self._menu_payload(user, str(msg.get("bizmsgmenuid", "")))
            if payload is None:
                payload = await self.numbers.typed(user, content, self.clock())
            if payload is not None:
                return Received("message", make(payload=payload))
            return Received("message", make(text=content))
        if kind == "voice":
            # with 接收语音识别结果 switched on, WeChat sends what it heard: an answer typed by voice
            heard = str(msg.get("Recognition") or "").strip()
            if heard:
                return Received("message", make(text=heard, spoken=True))
        if kind in ("image", "file", "voice") and msg.get("MediaId"):
            filename = str(msg.get("Title", ""))
            return await media_received(self.api, self.services, CHANNEL, msg, filename, make)
        return Received("unsupported")

    def _event_text(self, msg: dict[str, Any]) -> str | None:
        event = str(msg.get("Event", "")).lower()
        key = str(msg.get("EventKey") or "").strip()
        if event == "subscribe":
            # a QR code with a binding code as its scene binds on subscribing
            code = key.removeprefix("qrscene_") if key.startswith("qrscene_") else ""
            return f"/start {code}".strip()
        if event == "scan":
            return f"/start {key}".strip()
        if event == "click":
            return menu_command(self.routes, key)  # menu keys name chat commands: activity, ledger, pending, help …
        if event not in _IGNORED_EVENTS:
            log.info("ignoring WeChat event %r", event)
        return None

    async def _menu_payload(self, user: str, menu_id: str) -> str | None:
        if not menu_id.isdigit() or self.menus is None:
            return None
        ref = await self.menus.get(menu_id)
        if ref is None or ref.get("user") != user:
            return None  # unknown, expired or someone else's: the label text goes to the engine instead
        return str(ref["payload"])
