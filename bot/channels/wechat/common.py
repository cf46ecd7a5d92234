"""What the WeChat Official Account and WeCom channels share: text limits, numbered buttons, media, order."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.i18n import Translator
from handlers.core.types import Reply, reply_to_dict
from storage.media import StoredFile, store_bytes
from storage.models import Person
from storage.repos import channel_refs, deliveries, outbox, people

log = logging.getLogger(__name__)
TEXT_LIMIT = 2000  # bytes; WeChat cuts text messages at 2048
NUMBERS_TTL = timedelta(days=2)
ANSWERS_KEPT = 4096  # deliveries whose passive replies this process remembers for WeChat's retries


def cdata_safe(text: str) -> str:
    """Text for wechatpy's reply XML, which wraps it in CDATA as it is: a ']]>' in it would end the section."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text into pieces of at most `limit` UTF-8 bytes, at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:
            cut = len(line)
            while len(line[:cut].encode()) > limit:
                cut = cut * 3 // 4 or 1
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        if len((current + line).encode()) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces]


def split_keeping(text: str, keep_from: int, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text like split_text, keeping its part from `keep_from` on whole in the last piece (if it fits one)."""
    head, tail = text[:keep_from].rstrip("\n"), text[keep_from:].lstrip("\n")
    if not tail.strip():
        return split_text(text, limit)
    pieces = split_text(head, limit) if head.strip() else []
    ending = split_text(tail, limit)
    if pieces and len(ending) == 1 and len(f"{pieces[-1]}\n\n{ending[0]}".encode()) <= limit:
        return [*pieces[:-1], f"{pieces[-1]}\n\n{ending[0]}"]
    return pieces + ending


def numbered(reply: Reply, t: Translator, *, start: int = 1) -> tuple[str, dict[str, str]]:
    """The reply as text with its buttons as numbered lines, and the number → payload map."""
    buttons = reply.all_buttons()
    if not buttons:
        return reply.text, {}
    mapping = {str(n): b.payload for n, b in enumerate(buttons, start)}
    lines = [reply.text, ""] + [f"{n}. {b.label}" for n, b in enumerate(buttons, start)]
    lines.append(t("channels.reply_number"))
    return "\n".join(lines), mapping


async def locale_of(sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, default: str) -> str:
    """The language of the person behind a channel user (the default for strangers)."""
    async with sessions() as session:
        identity = await people.identity(session=session, channel=channel, external_id=user_id)
        person = await session.get(Person, identity.person_id) if identity else None
        return person.locale if person and person.locale else default


async def person_of(sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str) -> int | None:
    """The id of the person a channel user is bound to, if any."""
    async with sessions() as session:
        identity = await people.identity(session=session, channel=channel, external_id=user_id)
        return identity.person_id if identity else None


async def remember_numbers(
    sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, mapping: dict[str, str], now: datetime
) -> None:
    """Keep which payload each number shown to this user stands for (a typed number presses it)."""
    if not mapping:
        return
    async with sessions() as session, session.begin():
        await channel_refs.put(
            session=session,
            channel=channel,
            kind="numbers",
            key=user_id,
            value=mapping,
            now=now,
            expires_at=now + NUMBERS_TTL,
        )


async def typed_number(
    sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, text: str, now: datetime
) -> str | None:
    """The payload a typed number stands for, if the user was last shown numbered buttons."""
    word = text.strip()
    if not word.isdigit() or len(word) > 3:
        return None
    async with sessions() as session:
        mapping = await channel_refs.get(session=session, channel=channel, kind="numbers", key=user_id, now=now)
    return str(mapping[word]) if mapping and word in mapping else None


async def seen_before(sessions: async_sessionmaker[AsyncSession], channel: str, delivery_id: str) -> bool:
    """Whether this delivery was taken in already (a retry: no need to download its media again)."""
    async with sessions() as session:
        return await deliveries.stored_response(session=session, channel=channel, delivery_id=delivery_id) is not None


async def store_media(media_dir: Path, data: bytes, *, filename: str, media_type: str) -> StoredFile:
    """Write a downloaded file under MEDIA_DIR without blocking the loop."""
    return await asyncio.to_thread(store_bytes, media_dir, data, filename=filename, media_type=media_type)


async def rescue(sessions: async_sessionmaker[AsyncSession], channel: str, user_id: str, reply: Reply) -> bool:
    """Hand a reply that could not be sent to the outbox, whose sender retries it; False for strangers."""
    person_id = await person_of(sessions, channel, user_id)
    if person_id is None:
        log.error("%s: a message to an unbound user could not be sent and is dropped", channel)
        return False
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            session=session,
            key=f"{channel}-rescue:{uuid4().hex}",
            person_id=person_id,
            payload=reply_to_dict(reply),
            channel=channel,
        )
    return True


class Sequencer:
    """Runs each user's background sends one after another, in the order the turns came."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._pending: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, user_id: str, job: Callable[[], Awaitable[None]]) -> None:
        """Queue `job` behind this user's earlier jobs."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        self._pending[user_id] = self._pending.get(user_id, 0) + 1

        async def guarded() -> None:
            try:
                async with lock:
                    await job()
            except Exception:
                log.exception("background send to a user failed")
            finally:
                self._pending[user_id] -= 1
                if not self._pending[user_id]:  # the user's last job: forget the lock
                    del self._pending[user_id], self._locks[user_id]

        task = asyncio.get_running_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every queued send (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class Answered:
    """The passive reply each recent delivery got here: WeChat's retry of a delivery must get the same one."""

    def __init__(self, keep: int = ANSWERS_KEPT) -> None:
        self._keep = keep
        self._answers: OrderedDict[str, asyncio.Future[str]] = OrderedDict()

    def begin(self, delivery_id: str) -> asyncio.Future[str]:
        """The passive reply of this delivery, to be settled by its caller (cancelled if none was given)."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._answers[delivery_id] = future
        while len(self._answers) > self._keep:
            self._answers.popitem(last=False)
        return future

    async def of(self, delivery_id: str, wait: float) -> str | None:
        """What this delivery was answered, waiting up to `wait` s while that is being decided; None if unknown."""
        future = self._answers.get(delivery_id)
        if future is None:
            return None
        if not future.done():
            await asyncio.wait({future}, timeout=wait)
        return future.result() if future.done() and not future.cancelled() else None
