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
# a button that carries its own number ("#7 数控编程…", an entry in 我的台账): typed as 7 or #7, never renumbered
_OWN_NUMBER = re.compile(r"^#(\d+)\s")


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
    own: dict[str, Button] = field(default_factory=dict)  # buttons that carry their own number, by that number

    def render(self, replies: Sequence[Reply]) -> list[str]:
        """The lines to print for one turn; its buttons become the ones a typed number presses.

        A turn without buttons (a "没听懂", a notice) leaves the earlier buttons pressable: the numbers
        the person still sees above keep working.
        """
        buttons = [b for reply in replies for b in reply.all_buttons()]
        own = any(_OWN_NUMBER.match(b.label) for b in buttons)
        if buttons:
            self.numbered, self.labelled, self.own = [], [], {}
        lines: list[str] = []
        for reply in replies:
            lines.extend(reply.text.splitlines() or [""])
            words: list[str] = []
            for row in reply.buttons:
                cells = []
                for button in row:
                    self.labelled.append(button)
                    mark = _OWN_NUMBER.match(button.label)
                    if mark:
                        self.own[mark.group(1)] = button
                        cells.append(button.label)
                    elif _typed_as_word(button) or own:
                        # beside buttons that carry their own numbers, others are typed by their words
                        words.append(button.label)
                    else:
                        self.numbered.append(button)
                        cells.append(f"[{len(self.numbered)}] {button.label}")
                if cells:
                    lines.append("   " + "   ".join(cells))
            if words:
                joined = " · ".join(words)
                # English words take ASCII brackets, Chinese ones full-width brackets
                ascii_words = all(word.isascii() for word in words)
                lines.append(f"   ({joined})" if ascii_words else f"   （{joined}）")
        return lines

    def press_for(self, typed: str) -> str | None:
        """The payload a typed line presses: a button's own number (7 or #7), an option's number or a button's
        exact label; else None."""
        text = typed.strip()
        number = text.removeprefix("#").strip()
        if number.isascii() and number.isdigit() and number in self.own:
            return self.own[number].payload
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
