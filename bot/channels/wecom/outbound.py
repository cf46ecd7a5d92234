"""WeCom application messages out: text, template cards with buttons (button_interaction), files, card updates."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.channels.services import ChannelServices
from bot.channels.wecom import CHANNEL
from bot.channels.wecom.pickers import CARD_TTL, Picker, Pickers, Slot
from bot.channels.wxbase.api import Api, ApiError
from bot.channels.wxbase.refs import RefBuffer
from bot.channels.wxbase.text import split_text
from handlers.core.i18n import Translator
from handlers.core.types import Button, OutFile, Reply

log = logging.getLogger(__name__)
CARD_BUTTONS = 6  # WeCom's limit per button_interaction card
TITLE_CHARS = 26
BODY_CHARS = 300
REPLACE_NAME_CHARS = 20  # what the buttons of an updated card show
_CLAUSE_END = re.compile(r"[：:，,。；;！!？?]")
UNREACHABLE = frozenset({40003, 60111, 81013})  # no such user / not in the app's visible range


class WeComOutbound:
    """Sends to one WeCom member through the app's message API."""

    def __init__(self, api: Api, services: ChannelServices, clock: Callable[[], datetime], agent_id: str) -> None:
        self.api = api
        self.clock = clock
        self.agent_id = int(agent_id) if agent_id.isdigit() else agent_id
        self.cards = RefBuffer(services, CHANNEL, "card", clock)
        self.cards_done = services.refs(CHANNEL, "card_done")
        self.pickers = Pickers(self.cards, services, clock)
        self.count: Callable[[str], None] = lambda user: None  # the pusher counts every message for its rate

    async def send(self, user: str, reply: Reply, t: Translator) -> int:
        """One reply: text, then cards for its buttons (six a card), then its files; how many messages went."""
        buttons = reply.all_buttons()
        text = reply.text.strip()
        lines = text.splitlines() or [""]
        fits = len(lines[0]) <= TITLE_CHARS and len(text) - len(lines[0]) <= BODY_CHARS
        sent = 0
        if not buttons or not fits:
            for piece in split_text(reply.text):
                if piece.strip():
                    await self._send(user, {"msgtype": "text", "text": {"content": piece}})
                    sent += 1
        if buttons:
            title, body = (lines[0], "\n".join(lines[1:]).strip()) if fits else (t("channels.card_title"), "")
            picker_id = secrets.token_hex(12)
            picker = Picker(reply.text, [b.payload for b in buttons], [b.label for b in buttons])
            for start in range(0, len(buttons), CARD_BUTTONS):
                keys = [b.payload for b in buttons[start : start + CARD_BUTTONS]]
                more = (t("channels.card_more"), "") if start else (title, body)
                picker.cards["t" + secrets.token_hex(12)] = Slot(start, *more, [keys])
            await self.pickers.add(picker_id, picker)  # before the cards: a press may come at once
            for task_id, slot in picker.cards.items():
                chunk = buttons[slot.at : slot.at + CARD_BUTTONS]
                await self.card(
                    user, slot.title, slot.body, chunk, task_id=task_id, picker=picker_id, of=len(picker.cards)
                )
                sent += 1
        for file in reply.files:
            await self.file(user, file)
            sent += 1
        return sent

    async def card(
        self,
        user: str,
        title: str,
        body: str,
        buttons: list[Button],
        *,
        task_id: str = "",
        picker: str = "",
        of: int = 1,
    ) -> str:
        """A button_interaction card, one of `of` drawing a question; remembered so that a press can update it."""
        task_id = task_id or "t" + secrets.token_hex(12)
        await self.cards.put(task_id, {"user": user, "picker": picker, "n": of}, self.clock() + CARD_TTL)
        await self._send(
            user, {"msgtype": "template_card", "template_card": template_card(task_id, title, body, buttons)}
        )
        return task_id

    async def file(self, user: str, file: OutFile) -> None:
        """Upload a file or photo and send it."""
        data = await asyncio.to_thread(Path(file.path).read_bytes)
        kind = "image" if file.kind == "photo" else "file"

        def upload(client: Any) -> str:
            result = client.media.upload(kind, (file.filename or Path(file.path).name, data, file.media_type))
            return str(result["media_id"])

        media_id = await self.api.call("media/upload", upload)
        await self._send(user, {"msgtype": kind, kind: {"media_id": media_id}})

    async def update_card(self, user: str, task_id: str, response_code: str, payload: str, outcome: str) -> bool:
        """Show on a pressed card what the press led to (once: a card's code works one time); False if already done."""
        now = self.clock()
        card = await self.cards.get(task_id)
        if card is None or card.get("user") != user:
            return False
        if not await self.cards_done.claim(task_id, {"payload": payload}, now=now, expires_at=now + CARD_TTL):
            return False
        try:
            await self.update(user, response_code, {"button": {"replace_name": shown_on_card(outcome)}})
        except ApiError:
            await self.cards_done.remove(task_id)  # not shown: a later press may try again
            raise
        return True

    async def update(self, user: str, response_code: str, change: dict[str, Any]) -> None:
        """Update the card a press's `response_code` belongs to (WeCom takes each code once, within 72 hours)."""
        data = {"userids": [user], "agentid": self.agent_id, "response_code": response_code, **change}
        await self.api.call("message/update_template_card", lambda c: c.post("message/update_template_card", data=data))

    async def _send(self, user: str, msg: dict[str, Any]) -> None:
        self.count(user)
        result = await self.api.call("message/send", lambda c: c.message.send(self.agent_id, user, msg=msg))
        if isinstance(result, dict) and result.get("invaliduser"):
            raise ApiError("message/send", 81013, "the member is not in the app's visible range")


def template_card(task_id: str, title: str, body: str, buttons: list[Button]) -> dict[str, Any]:
    """A button_interaction card (sent, or given to a press's update)."""
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": title},
        "task_id": task_id,
        "button_list": [{"text": b.label, "style": 1, "key": b.payload} for b in buttons],
    }
    if body:
        card["sub_title_text"] = body
    return card


def shown_on_card(outcome: str) -> str:
    """What the pressed card's buttons turn into: the outcome of the press, to its first clause if it is long.

    Not the pressed button's label: a press on a card that no longer applies (withdrawn, decided by someone,
    or by the presser on an earlier press whose update failed) decided nothing, and its outcome says why.
    """
    line = next((ln.strip() for ln in outcome.splitlines() if ln.strip()), "")
    if len(line) > REPLACE_NAME_CHARS:
        clause = _CLAUSE_END.split(line, maxsplit=1)[0].strip()
        line = clause if len(clause) > 1 else line
    return line if len(line) <= REPLACE_NAME_CHARS else line[: REPLACE_NAME_CHARS - 1] + "…"
