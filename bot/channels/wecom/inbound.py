"""WeCom callbacks → engine events: text, images and files, app-menu clicks, and template-card button presses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.services import ChannelServices
from bot.channels.wecom import CHANNEL
from bot.channels.wecom.pickers import Pickers
from bot.channels.wxbase.api import Api
from bot.channels.wxbase.inbound import Received, delivery_id, media_received, menu_command, sent_at, unknown_click
from handlers.core.types import Capabilities, Incoming

# files travel; a pressed template card is updated once to show the outcome of the press
CAPABILITIES = Capabilities(edits_pressed=True)


@dataclass(frozen=True, slots=True)
class CardPress:
    """A press on one of our template cards: which card, and the one-time code that lets us update it."""

    task_id: str
    response_code: str
    key: str


def card_press(msg: dict[str, Any]) -> CardPress | None:
    """The raw fields of a template_card_event (wechatpy does not parse this event)."""
    if str(msg.get("MsgType", "")).lower() != "event" or str(msg.get("Event", "")) != "template_card_event":
        return None
    return CardPress(
        task_id=str(msg.get("TaskId", "")),
        response_code=str(msg.get("ResponseCode", "")),
        key=str(msg.get("EventKey", "")),
    )


class WeComInbound:
    """Turns one decrypted WeCom message into an Incoming, downloading media at once."""

    def __init__(self, api: Api, services: ChannelServices, pickers: Pickers | None = None) -> None:
        self.api = api
        self.services = services
        self.routes = services.routes
        self.pickers = pickers  # a press on a card of a question is the same button of it as last drawn

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

        press = card_press(msg)
        if press is not None:
            if not press.key:
                return Received("ignored")
            key = press.key if self.pickers is None else await self.pickers.current_key(user, press.task_id, press.key)
            return Received("press", make(payload=key))
        if kind == "event":
            if unknown_click(self.routes, msg):
                return Received("unknown_key")
            text = self._event_text(msg)
            return Received("event", make(text=text)) if text is not None else Received("ignored")
        if kind == "text":
            return Received("message", make(text=str(msg.get("Content", ""))))
        if kind in ("image", "file", "voice") and msg.get("MediaId"):  # WeCom sends no recognition: voice is a file
            filename = str(msg.get("Title") or msg.get("FileName") or "")
            return await media_received(self.api, self.services, CHANNEL, msg, filename, make)
        return Received("unsupported")

    def _event_text(self, msg: dict[str, Any]) -> str | None:
        event = str(msg.get("Event", "")).lower()
        if event == "subscribe":
            return "/start"
        if event == "click":
            return menu_command(self.routes, str(msg.get("EventKey") or ""))  # app-menu keys name chat commands
        return None  # enter_agent, view, location, …: nothing to answer
