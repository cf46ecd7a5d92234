"""A question's buttons over several WeCom cards (six a card): which card shows which, and the newest drawing.

A toggle redraws the whole question, but WeCom lets a press update only the card pressed. That card is
updated; the others keep buttons of an earlier drawing, whose payloads the engine refuses as stale (each
carries the conversation's version). So a press on any card of a question is taken, by its place in the
question, as the same button of the question as last drawn: a payload the engine gave this member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.channels.services import ChannelServices
from bot.channels.wecom import CHANNEL
from bot.channels.wxbase.refs import RefBuffer
from handlers.core.types import Button

CARD_TTL = timedelta(hours=72)  # a card's ResponseCode is valid for 72 hours
PREFIX = "p"  # pickers share the card refs' batch: "p…" keys, cards are "t…"


@dataclass
class Slot:
    """One card of a question: where its buttons start, its title and body, and the payloads it may show."""

    at: int
    title: str
    body: str
    shown: list[list[str]]  # the last two: while an update is on its way the card shows either


@dataclass
class Picker:
    """A question drawn over cards: its text, its buttons as last drawn, and its cards."""

    text: str
    keys: list[str]
    labels: list[str]
    cards: dict[str, Slot] = field(default_factory=dict)

    def current(self, task_id: str, key: str) -> str | None:
        """The payload, as last drawn, of the button at the place of `key` on card `task_id`."""
        slot = self.cards.get(task_id)
        places = [slot.at + keys.index(key) for keys in slot.shown if key in keys] if slot is not None else []
        return next((self.keys[p] for p in places if p < len(self.keys)), None)

    def redrawn(self, task_id: str, text: str, buttons: list[Button]) -> list[Button] | None:
        """The buttons card `task_id` shows after this redrawing; None when other cards would change too."""
        slot = self.cards.get(task_id)
        if slot is None or text != self.text or len(buttons) != len(self.labels):
            return None
        size = len(slot.shown[-1])
        inside = range(slot.at, slot.at + size)
        if any(b.label != self.labels[i] for i, b in enumerate(buttons) if i not in inside):
            return None
        return buttons[slot.at : slot.at + size]

    def to_json(self) -> dict[str, Any]:
        """The picker as stored."""
        cards = {k: [s.at, s.title, s.body, s.shown] for k, s in self.cards.items()}
        return {"text": self.text, "keys": self.keys, "labels": self.labels, "cards": cards}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Picker:
        """A picker as stored."""
        cards = {k: Slot(int(v[0]), str(v[1]), str(v[2]), [list(s) for s in v[3]]) for k, v in data["cards"].items()}
        return Picker(str(data["text"]), list(data["keys"]), list(data["labels"]), cards)


class Pickers:
    """Pickers stored beside the cards: the first drawing in the cards' batch, each redrawing at once."""

    def __init__(self, cards: RefBuffer, services: ChannelServices, clock: Callable[[], datetime]) -> None:
        self.cards = cards
        self.store = services.refs(CHANNEL, cards.kind)
        self.clock = clock

    async def add(self, picker_id: str, picker: Picker) -> None:
        """Remember a question just drawn (stored with its cards, behind)."""
        await self.cards.put(PREFIX + picker_id, picker.to_json(), self.clock() + CARD_TTL)

    async def get(self, picker_id: str) -> Picker | None:
        """The picker as last stored by any process (a redrawing replaces the first drawing in the database)."""
        key = PREFIX + picker_id
        data = await self.store.get(key, now=self.clock()) or await self.cards.get(key)
        return Picker.from_json(data) if data is not None else None

    async def save(self, picker_id: str, picker: Picker) -> None:
        """Store a redrawing, replacing what was there."""
        now = self.clock()
        await self.store.put(PREFIX + picker_id, picker.to_json(), now=now, expires_at=now + CARD_TTL)

    async def current_key(self, user: str, task_id: str, key: str) -> str:
        """What a press of `key` on card `task_id` stands for now: the same button as last drawn, else `key`."""
        card = await self.cards.get(task_id)
        if card is None or card.get("user") != user or int(card.get("n", 1)) < 2 or not card.get("picker"):
            return key
        picker = await self.get(str(card["picker"]))
        return (picker.current(task_id, key) if picker is not None else None) or key
