"""Official Account messages out: customer-service text and msgmenu, photos, template messages, held messages."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from wechatpy.replies import TextReply

from bot.channels.services import ChannelServices
from bot.channels.wechat import CHANNEL
from bot.channels.wxbase.api import Api, ApiError
from bot.channels.wxbase.refs import RefBuffer
from bot.channels.wxbase.text import cdata_safe, split_text
from handlers.core.i18n import Translator
from handlers.core.types import Button, OutFile, Reply, reply_from_dict, reply_to_dict

log = logging.getLogger(__name__)
MENU_TTL = timedelta(days=7)
ITEM_TTL = timedelta(days=30)
HELD_TTL = timedelta(days=30)
HELD_REFRESH = 60.0  # seconds: how stale this process's list of followers with held messages may get
MENU_HEAD_LIMIT = 1500  # bytes of text above a msgmenu; longer texts go first as plain messages


def passive_text(to_user: str, from_account: str, text: str) -> str:
    """The XML of a passive text reply (wechatpy renders it)."""
    return str(TextReply(source=from_account, target=to_user, content=cdata_safe(text)).render())


class OAOutbound:
    """Sends to one OA follower through the customer-service and template APIs."""

    def __init__(
        self,
        api: Api,
        services: ChannelServices,
        clock: Callable[[], datetime],
        *,
        template_id: str = "",
        public_base_url: str = "",
    ) -> None:
        self.api = api
        self.clock = clock
        self.items = services.refs(CHANNEL, "item")
        self.held = services.refs(CHANNEL, "held")
        self.template_id = template_id
        self.public_base_url = public_base_url.rstrip("/")
        self.menus = RefBuffer(services, CHANNEL, "menu", clock)
        # followers with held messages, so that the common message costs no database read for them
        self._held: set[str] | None = None
        self._held_read = 0.0

    async def send(self, openid: str, reply: Reply, t: Translator) -> None:
        """One reply through the customer-service API: a msgmenu when it has buttons, its photos after."""
        buttons = reply.all_buttons()
        pieces = split_text(reply.text, MENU_HEAD_LIMIT if buttons else 2000)
        texts = pieces[:-1] if buttons else pieces
        for piece in texts:
            if piece.strip():
                await self.text(openid, piece)
        if buttons:
            await self.menu(openid, pieces[-1], buttons)
        for file in reply.files:
            await self.file(openid, file, t)

    async def text(self, openid: str, text: str) -> None:
        """A customer-service text message."""
        await self.api.call("custom/text", lambda c: c.message.send_text(openid, text))

    async def menu(self, openid: str, head: str, buttons: list[Button]) -> None:
        """A customer-service msgmenu; each item's numeric id is mapped to its payload server-side."""
        ids = await self._menu_ids(openid, buttons)
        msgmenu = {
            "head_content": head,
            "list": [{"id": menu_id, "content": b.label} for menu_id, b in zip(ids, buttons, strict=True)],
            "tail_content": "",
        }
        await self.api.call("custom/msgmenu", lambda c: c.message.send_msg_menu(openid, msgmenu))

    async def _menu_ids(self, openid: str, buttons: list[Button]) -> list[str]:
        # unguessable ids: a click on someone else's id must not be forgeable by counting
        ids = [str(10**11 + secrets.randbelow(9 * 10**11)) for _ in buttons]
        expires_at = self.clock() + MENU_TTL
        for menu_id, button in zip(ids, buttons, strict=True):
            await self.menus.put(menu_id, {"payload": button.payload, "user": openid}, expires_at)
        return ids

    async def file(self, openid: str, file: OutFile, t: Translator) -> None:
        """A photo is uploaded and sent; other files cannot go through an OA and are named instead."""
        if file.kind != "photo":
            await self.text(openid, t("channels.file_not_here", name=file.filename))
            return
        data = await asyncio.to_thread(Path(file.path).read_bytes)

        def send(client: Any) -> Any:
            uploaded = client.media.upload("image", (file.filename or "image.jpg", data, file.media_type))
            return client.message.send_image(openid, uploaded["media_id"])

        await self.api.call("custom/image", send)

    async def template(self, openid: str, reply: Reply, t: Translator, *, local_time: str) -> None:
        """A template message (WECHAT_REMINDER_TEMPLATE_ID) pointing at a page with the whole message."""
        first_line = (reply.text.strip().splitlines() or [""])[0]
        data = {
            "first": {"value": t("channels.template_first")},
            "keyword1": {"value": first_line if len(first_line) <= 20 else first_line[:19] + "…"},
            "keyword2": {"value": local_time},
            "remark": {"value": t("channels.template_remark")},
        }
        url = await self._item_link(openid, reply, t.locale) if self.public_base_url else None
        await self.api.call("template/send", lambda c: c.message.send_template(openid, self.template_id, data, url=url))

    async def _item_link(self, openid: str, reply: Reply, locale: str) -> str:
        token = secrets.token_urlsafe(18)
        now = self.clock()
        value = {"user": openid, "locale": locale, "reply": reply_to_dict(reply)}
        await self.items.put(token, value, now=now, expires_at=now + ITEM_TTL)
        return f"{self.public_base_url}/wechat/item/{token}"

    async def item(self, token: str) -> tuple[Reply, str] | None:
        """The message behind a template link and its reader's language, while the link lives."""
        ref = await self.items.get(token, now=self.clock())
        return (reply_from_dict(ref["reply"]), str(ref.get("locale", ""))) if ref else None

    async def hold(self, openid: str, reply: Reply) -> None:
        """Keep a message that cannot reach the follower now; it goes out when they next write."""
        now = self.clock()
        key = f"{openid}:{now.timestamp():.6f}:{secrets.token_hex(4)}"
        await self.held.put(key, {"reply": reply_to_dict(reply)}, now=now, expires_at=now + HELD_TTL)
        if self._held is not None:
            self._held.add(openid)

    async def has_held(self, openid: str) -> bool:
        """Whether messages wait for this follower (as this process knows, refreshed every minute)."""
        if self._held is None or time.monotonic() - self._held_read > HELD_REFRESH:
            keys = await self.held.live_keys(now=self.clock())
            self._held, self._held_read = {k.split(":", 1)[0] for k in keys}, time.monotonic()
        return openid in self._held

    async def take_held(self, openid: str) -> list[Reply]:
        """The messages held for a follower (removed: the caller sends them)."""
        if not await self.has_held(openid):
            return []
        if self._held is not None:
            self._held.discard(openid)
        values = await self.held.take_prefixed(f"{openid}:", now=self.clock())
        return [reply_from_dict(v["reply"]) for v in values]


def is_transient(exc: ApiError) -> bool:
    """Worth retrying later: no answer, WeChat busy, or a frequency limit."""
    return exc.errcode in (None, -1, 45009, 45011, 45033)
