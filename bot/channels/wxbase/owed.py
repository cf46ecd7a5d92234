"""Follow-ups owed: what a WeChat-family turn sends after its passive answer stays owed until it went out.

The turn is committed before its answer, and its follow-ups leave after the answer: a process killed in between
would lose them, and the person's next message would answer a question they never saw. The engine records such a
turn's follow-ups as owed in the turn's own delivery row (no extra write); the channel says when they went out (one
write, only for turns that have follow-ups), and a turn whose follow-ups never went out has them brought first by
the sender's next turn (handlers/engine/owed.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.channels.ordering import Sequencer
from bot.channels.services import ChannelServices
from handlers.core.types import Reply

log = logging.getLogger(__name__)
Job = Callable[[], Awaitable[None]]


class Owing:
    """One turn's split, as the engine asked for it while it recorded the turn: whether anything is owed."""

    def __init__(self, after_answer: Callable[[Sequence[Reply]], list[Reply]]) -> None:
        self.after_answer = after_answer
        self.owed = False

    def __call__(self, replies: Sequence[Reply]) -> list[Reply]:
        """The replies sent after the answer (owed until sent); the last call is the committed turn's."""
        after = self.after_answer(replies)
        self.owed = bool(after)
        return after


def send_owed(
    services: ChannelServices,
    sequencer: Sequencer,
    channel: str,
    user: str,
    job: Job | None,
    owed_by: str | None,
) -> None:
    """Queue a turn's sends behind this user's earlier ones, then say whether the delivery `owed_by` owes them still."""

    async def sends() -> None:
        sent = False
        try:
            if job is not None:
                await job()
            sent = True  # what failed was handed to the outbox, what timed out reached the platform
        finally:
            if owed_by is not None:
                await services.replied(channel, [owed_by], sent=sent)

    if job is not None or owed_by is not None:
        sequencer.run(user, sends)
