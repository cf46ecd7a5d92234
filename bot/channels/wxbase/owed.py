"""Follow-ups owed: what a WeChat-family turn sends after its passive answer stays owed until it went out.

The turn is committed before its answer, and its follow-ups leave after the answer: a process killed in between
would lose them, and the person's next message would answer a question they never saw. The engine records such a
turn's follow-ups as owed in the turn's own delivery row (no extra write); the channel says when they went out (one
write, only for turns that have follow-ups), and a turn whose follow-ups never went out has them brought first by
the sender's next turn (handlers/engine/owed.py). Marks of follow-ups sent close together go in one write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.channels.ordering import Sequencer
from bot.channels.services import ChannelServices
from bot.channels.wxbase.text import split_text
from handlers.core.types import Reply

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[None]]
# seconds a delivery whose follow-ups went out waits to be marked sent with the others sent meanwhile: one write for
# them all instead of one each (far within REPLY_OWED_AFTER_SECONDS, after which an unmarked one would come again)
MARK_LINGER = 0.25
_MARKS = "\0marks"  # the sequencer's key of the markings: behind no follower's sends, and drained with them


class Owing:
    """One turn's split, as the engine asked for it while it recorded the turn: whether anything is owed."""

    def __init__(self, after_answer: Callable[[Sequence[Reply]], list[Reply]]) -> None:
        self.after_answer = after_answer
        self.owed = False
        self._cut: tuple[str, list[str]] | None = None

    def cut(self, text: str) -> list[str]:
        """split_text(text), done once a turn: the engine's recording of what is owed and the answer cut alike."""
        if self._cut is None or self._cut[0] != text:
            self._cut = (text, split_text(text))
        return list(self._cut[1])

    def __call__(self, replies: Sequence[Reply]) -> list[Reply]:
        """The replies sent after the answer (owed until sent); the last call is the committed turn's."""
        after = self.after_answer(replies)
        self.owed = bool(after)
        return after


class SentMarks:
    """Deliveries whose follow-ups went out, marked sent together: those sent within MARK_LINGER in one write."""

    def __init__(self, services: ChannelServices, sequencer: Sequencer, channel: str) -> None:
        self.services = services
        self.sequencer = sequencer
        self.channel = channel
        self._due: list[str] = []

    def add(self, delivery_id: str) -> None:
        """Mark this delivery sent with the next write (the sequencer's drain waits for it)."""
        self._due.append(delivery_id)
        if len(self._due) == 1:
            self.sequencer.run(_MARKS, self._write)

    async def _write(self) -> None:
        await asyncio.sleep(MARK_LINGER)
        due, self._due = self._due, []
        await self.services.replied(self.channel, due, sent=True)


def send_owed(
    services: ChannelServices,
    sequencer: Sequencer,
    channel: str,
    user: str,
    job: Job | None,
    owed_by: str | None,
    marks: SentMarks | None = None,
) -> None:
    """Queue a turn's sends behind this user's earlier ones, then say whether the delivery `owed_by` owes them still.

    marks: where a delivery sent is marked (with others); without, each is marked on its own at once.
    """

    async def sends() -> None:
        sent = False
        try:
            if job is not None:
                await job()
            sent = True  # what failed was handed to the outbox, what timed out reached the platform
        finally:
            if owed_by is not None:
                if sent and marks is not None:
                    marks.add(owed_by)
                else:
                    await services.replied(channel, [owed_by], sent=sent)

    if job is not None or owed_by is not None:
        sequencer.run(user, sends)
