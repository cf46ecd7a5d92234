"""Conversations as transcripts: say something, press a button, expect text — through the real engine.

    chat = Transcript(bot, user="lead")
    await chat.say("记录活动")
    chat.expect("活动是哪天")
    await chat.press("今天")

Each `say`/`press` is one delivery with a fresh delivery id, exactly as a channel adapter would hand
it to `Bot.handle`; the replies are recorded, and a failed expectation prints the whole conversation.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.app import routes
from handlers.core.config import HandlerConfig
from handlers.core.types import Button, Capabilities, InboundFile, Incoming, Reply, Turn
from handlers.engine.pipeline import Bot
from storage.base import utcnow

SECRET = b"transcript-test-secret"
_ids = itertools.count(1)


def make_bot(
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Callable[[], datetime] = utcnow,
    group_commit: bool | None = None,
    **config: object,
) -> Bot:
    """A Bot over the test database with a fixed secret (and any HandlerConfig field overridden)."""
    settings = HandlerConfig(secret_key=SECRET, **config)  # type: ignore[arg-type]
    return Bot(sessions, settings, routes=routes(), clock=clock, group_commit=group_commit)


class Transcript:
    """One person talking to the bot on one channel (the recording fake channel)."""

    def __init__(
        self,
        bot: Bot,
        user: str = "u1",
        *,
        channel: str = "test",
        language: str | None = None,
        capabilities: Capabilities | None = None,
    ) -> None:
        self.bot, self.user, self.channel, self.language = bot, user, channel, language
        self.capabilities = capabilities or Capabilities()
        self.log: list[str] = []
        self.turn = Turn()
        self.last_incoming: Incoming | None = None

    # ---- sending ---------------------------------------------------------------------------------

    async def say(self, text: str) -> list[Reply]:
        """Type a message."""
        self.log.append(f"{self.user} > {text}")
        return await self._send(text=text)

    async def speak(self, heard: str) -> list[Reply]:
        """Say something by voice: the platform's speech recognition of it arrives as text."""
        self.log.append(f"{self.user} (voice) > {heard}")
        return await self._send(text=heard, spoken=True)

    async def press(self, label: str) -> list[Reply]:
        """Press the button of the last answer whose label is `label` (or, failing that, contains it)."""
        button = self.button(label)
        self.log.append(f"{self.user} [{button.label}]")
        return await self._send(payload=button.payload)

    async def press_button(self, button: Button) -> list[Reply]:
        """Press a button kept from an earlier answer (a stale or replayed press)."""
        self.log.append(f"{self.user} [{button.label}] (kept)")
        return await self._send(payload=button.payload)

    async def send_payload(self, payload: str) -> list[Reply]:
        """Send a raw button payload, e.g. a forged one."""
        self.log.append(f"{self.user} [payload {payload!r}]")
        return await self._send(payload=payload)

    async def send_file(
        self, tmp: Path, name: str = "photo.jpg", data: bytes = b"\xff\xd8fake", caption: str = ""
    ) -> list[Reply]:
        """Send a photo or file (stored under `tmp` as an adapter would have stored it), with words if given."""
        import hashlib

        path = tmp / name
        path.write_bytes(data)
        file = InboundFile(
            kind="photo" if name.endswith((".jpg", ".png")) else "document",
            file_ref=f"ref-{name}",
            stored_path=path,
            size=len(data),
            media_type="image/jpeg" if name.endswith(".jpg") else "application/octet-stream",
            sha256=hashlib.sha256(data).hexdigest(),
            filename=name,
            caption=caption,
        )
        self.log.append(f"{self.user} [file {name}]")
        return await self._send(file=file)

    async def redeliver(self) -> Turn:
        """Hand the last delivery to the bot again, as a platform retry would."""
        assert self.last_incoming is not None
        self.log.append(f"{self.user} (redelivery of {self.last_incoming.delivery_id})")
        return await self.bot.handle(self.last_incoming)

    async def _send(self, **content: object) -> list[Reply]:
        incoming = Incoming(
            channel=self.channel,
            user_id=self.user,
            chat_id=f"chat-{self.user}",
            delivery_id=f"{self.user}-{next(_ids)}",
            user_language=self.language,
            capabilities=self.capabilities,
            **content,  # type: ignore[arg-type]
        )
        self.last_incoming = incoming
        self.turn = await self.bot.handle(incoming)
        for reply in self.turn.replies:
            self.log.append("bot < " + reply.text.replace("\n", "\n      "))
            if reply.buttons:
                self.log.append("      " + " | ".join(b.label for b in reply.all_buttons()))
        return self.turn.replies

    # ---- reading ---------------------------------------------------------------------------------

    @property
    def replies(self) -> list[Reply]:
        """The replies to the last message."""
        return self.turn.replies

    @property
    def text(self) -> str:
        """All the text of the last answer."""
        return "\n".join(r.text for r in self.turn.replies)

    @property
    def buttons(self) -> list[str]:
        """The labels of the last answer's buttons."""
        return [b.label for r in self.turn.replies for b in r.all_buttons()]

    def button(self, label: str) -> Button:
        """The button of the last answer with this label (exact, else the one label containing it)."""
        all_buttons = [b for r in self.turn.replies for b in r.all_buttons()]
        exact = [b for b in all_buttons if b.label == label]
        partial = [b for b in all_buttons if label in b.label]
        found = exact or partial
        if len(found) != 1:
            raise AssertionError(f"no single button {label!r} in {self.buttons}\n{self.transcript()}")
        return found[0]

    def expect(self, *fragments: str) -> None:
        """Assert that the last answer says each fragment."""
        missing = [f for f in fragments if f not in self.text]
        if missing:
            raise AssertionError(f"expected {missing} in the last answer\n{self.transcript()}")

    def expect_not(self, *fragments: str) -> None:
        """Assert that the last answer says none of the fragments."""
        present = [f for f in fragments if f in self.text]
        if present:
            raise AssertionError(f"did not expect {present} in the last answer\n{self.transcript()}")

    def expect_buttons(self, *labels: str) -> None:
        """Assert that the last answer offers buttons with these labels (or containing them)."""
        missing = [label for label in labels if not any(label in b for b in self.buttons)]
        if missing:
            raise AssertionError(f"expected buttons {missing} in {self.buttons}\n{self.transcript()}")

    def transcript(self) -> str:
        """The conversation so far, one line per message."""
        return "\n".join(self.log)


async def verify_dialog(chat: Transcript, dialog: Sequence[tuple[str, str]]) -> None:
    """Play (what the person does, what the bot must say) pairs; "[label]" presses a button."""
    for action, expected in dialog:
        if action.startswith("[") and action.endswith("]"):
            await chat.press(action[1:-1])
        else:
            await chat.say(action)
        chat.expect(expected)
