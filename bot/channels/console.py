"""The console channel: replies printed with numbered options; a typed number presses that button."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.channels.base import PushTarget
from bot.channels.services import ChannelServices
from handlers.core.presses import navigation
from handlers.core.types import Button, Capabilities, Documents, Incoming, Reply

CHANNEL = "console"
# the user reads this machine's disk, and presses a button by typing its number
CAPABILITIES = Capabilities(documents=Documents.SAVED, tappable_buttons=False)
_LEADING_MARKS = re.compile(r"^[^\w]+")


def _typed_as_word(button: Button) -> bool:
    # Skip, back and cancel are typed as words (every step understands them), so that a number typed
    # as an answer ("3" hours, "2" people) is never taken for a press of one of them.
    return navigation(button.payload) is not None


def _plain(label: str) -> str:
    return _LEADING_MARKS.sub("", label).strip().lower()


@dataclass
class ConsoleScreen:
    """Turns replies into lines of text and remembers which number (or label) presses which button."""

    numbered: list[Button] = field(default_factory=list)
    labelled: list[Button] = field(default_factory=list)

    def render(self, replies: Sequence[Reply]) -> list[str]:
        """The lines to print for one turn; its buttons become the ones a typed number presses."""
        self.numbered, self.labelled = [], []
        lines: list[str] = []
        for reply in replies:
            lines.extend(reply.text.splitlines() or [""])
            words: list[str] = []
            for row in reply.buttons:
                cells = []
                for button in row:
                    self.labelled.append(button)
                    if _typed_as_word(button):
                        words.append(button.label)
                        continue
                    self.numbered.append(button)
                    cells.append(f"[{len(self.numbered)}] {button.label}")
                if cells:
                    lines.append("   " + "   ".join(cells))
            if words:
                lines.append("   （" + " · ".join(words) + "）")
        return lines

    def press_for(self, typed: str) -> str | None:
        """The payload a typed line presses: an option's number or a button's exact label; else None."""
        text = typed.strip()
        if text.isascii() and text.isdigit() and 1 <= int(text) <= len(self.numbered):
            return self.numbered[int(text) - 1].payload
        wanted = _plain(text)
        for button in self.labelled:
            if wanted and _plain(button.label) == wanted and not _typed_as_word(button):
                return button.payload
        return None

    def incoming(self, typed: str, *, user_id: str) -> Incoming:
        """What a typed line is for the engine: a button press or text."""
        payload = self.press_for(typed)
        return Incoming(
            channel=CHANNEL,
            user_id=user_id,
            chat_id=user_id,
            delivery_id=f"console-{uuid.uuid4().hex}",
            text=None if payload else typed,
            payload=payload,
            capabilities=CAPABILITIES,
        )


class ConsolePusher:
    """Prints what the bot pushes to other people (and to oneself) as `→ 李四: …` lines."""

    name = CHANNEL

    def __init__(self, services: ChannelServices, write: Callable[[str], None]) -> None:
        self.services = services
        self.write = write

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        """Print the message under the recipient's name."""
        name = await self.services.person_name(target.person_id) or str(target.person_id)
        lines = reply.text.splitlines() or [""]
        self.write(f"   → {name}: {lines[0]}")
        for line in lines[1:]:
            self.write(f"     {line}")
        labels = [b.label for b in reply.all_buttons()]
        if labels:
            self.write("     〔" + " | ".join(labels) + "〕")
