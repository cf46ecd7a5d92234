"""`studio-bot chat`'s outbox sender: prints what is due for people with a console identity."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import PushTarget
from bot.channels.console import CHANNEL, ConsolePusher
from handlers.core.types import reply_from_dict
from storage.base import utcnow
from storage.models import OutboxStatus
from storage.repos import outbox, sending


class ConsoleSender:
    """Delivers due outbox rows of people who have a console identity by printing them; others' rows stay queued."""

    # Not the OutboxSender itself: it fails rows its pushers cannot reach and holds reminders until working
    # hours, while a chat on a shared database must leave other people's rows to the real sender untouched.

    def __init__(self, sessions: async_sessionmaker[AsyncSession], pusher: ConsolePusher) -> None:
        self.sessions = sessions
        self.pusher = pusher

    async def run_once(self, *, limit: int = 100) -> int:
        """Print what is due for console people; return how many rows were delivered."""
        sent = 0
        async with self.sessions() as session:
            # the real sender's reads; everything due is printed, whatever the hour: the console is a demo
            due = await sending.due(session=session, now=utcnow(), limit=limit, notices_only=False, channels={CHANNEL})
            identities = await sending.identities_of(session=session, person_ids=(m.person_id for m in due))
        for message in due:
            console = next((i for i in identities.get(message.person_id, []) if i.channel == CHANNEL), None)
            if console is None or message.channel not in (None, CHANNEL):
                continue
            async with self.sessions() as session, session.begin():
                if not await outbox.claim(session=session, message_id=message.id, holder="console", now=utcnow()):
                    continue
                await outbox.finish(session=session, message_id=message.id, status=OutboxStatus.SENT, now=utcnow())
            # printed after the commit: the pusher reads the recipient's name in a session of its own
            target = PushTarget(message.person_id, CHANNEL, console.external_id, console.chat_id, None, "zh_CN")
            await self.pusher.push(target, reply_from_dict(message.payload), kind=message.kind)
            sent += 1
        return sent
