"""A Telegram world for tests and benchmarks: a seeded studio, the real runtime, the channel, a fake Bot API.

`TelegramHarness` drives the channel the way Telegram would: in polling mode the fake hands updates to
getUpdates; in webhook mode they are POSTed as JSON, with the secret header, to a real uvicorn.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_services import RuntimeServices
from bot.channels.telegram.channel import TelegramChannel
from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from handlers.core.i18n import Translator
from storage.models import RoleKind, UnionLevel
from storage.repos import invites, org, persons
from tests.support.fake_telegram import (
    FakeTelegram,
    button_data,
    button_labels,
    callback_update,
    in_chat,
    photo_update,
    serving,
    text_update,
    until,
    voice_update,
)

WEBHOOK_SECRET = "test-webhook-secret_0123456789"
STUDIO = "张江数控技师创新工作室"
MEMBERS = ("李明", "赵强", "孙丽")
LEAD_TG, REVIEWER_TG, STRANGER_TG = 7001, 7002, 7003


@dataclass
class Seeded:
    """What the world starts with: the studio, and one-time binding codes."""

    studio_id: int
    lead_id: int
    reviewer_id: int
    lead_code: str
    reviewer_code: str


async def seed(sessions: async_sessionmaker[AsyncSession]) -> Seeded:
    """A district union with a named studio: a lead (技师), three members, and a reviewer at the union."""
    async with sessions() as s, s.begin():
        district = await org.create_union(session=s, name="浦东新区总工会", level=UnionLevel.DISTRICT)
        studio = await org.create_studio(session=s, name=STUDIO, union=district, named_on=date(2025, 1, 6))
        lead = await persons.create_person(session=s, name="王建国", grade="技师")
        await org.grant_role(session=s, person=lead, kind=RoleKind.LEAD, studio=studio)
        for name in MEMBERS:
            member = await persons.create_person(session=s, name=name)
            await org.grant_role(session=s, person=member, kind=RoleKind.MEMBER, studio=studio)
        reviewer = await persons.create_person(session=s, name="陈审核")
        await org.grant_role(session=s, person=reviewer, kind=RoleKind.REVIEWER, union=district)
        lead_code, _ = await invites.issue_invite(session=s, person=lead, role=RoleKind.LEAD, studio=studio)
        reviewer_code, _ = await invites.issue_invite(
            session=s, person=reviewer, role=RoleKind.REVIEWER, union=district
        )
        return Seeded(studio.id, lead.id, reviewer.id, lead_code, reviewer_code)


def telegram_settings(db_url: str, fake: FakeTelegram, media_dir: Path, *, webhook: bool) -> Settings:
    """Settings for a bot whose Telegram is the fake (webhook mode: a public URL, and the secret)."""
    return Settings(
        _env_file=None,
        environment="test",
        secret_key="test-secret-key-0123456789abcdef",
        database_url=db_url,
        media_dir=media_dir,
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.url,
        telegram_webhook_url="https://bot.example.test/telegram" if webhook else "",
        telegram_webhook_secret=WEBHOOK_SECRET if webhook else None,
    )


class TelegramHarness:
    """Sends updates as Telegram would and reads what the bot answered from the fake."""

    def __init__(self, fake: FakeTelegram, channel: TelegramChannel, runtime: Runtime, mode: str) -> None:
        self.fake, self.channel, self.runtime, self.mode = fake, channel, runtime, mode
        self.http: httpx.AsyncClient | None = None
        self.base_url = ""

    async def post(self, body: Any, *, secret: str | None = WEBHOOK_SECRET, raw: bytes | None = None) -> httpx.Response:
        """POST a body to /telegram as Telegram would (webhook mode)."""
        assert self.http is not None, "webhook mode only"
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        content = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        return await self.http.post(f"{self.base_url}/telegram", content=content, headers=headers)

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand one update to the bot and wait until it is processed and answered."""
        before = self.channel.stats["handled"]
        if self.mode == "polling":
            self.fake.queue_update(update)
        else:
            response = await self.post(update)
            assert response.status_code == 200, response.text
        await until(lambda: self.channel.stats["handled"] > before, what=f"update {update['update_id']}")

    def _mark(self) -> int:
        return max(self.fake.messages, default=0)

    def _since(self, chat_id: int, mark: int) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages_to(chat_id) if m["message_id"] > mark]

    async def say(self, user_id: int, text: str) -> list[dict[str, Any]]:
        """The user types `text`; return the bot's new messages to them."""
        mark = self._mark()
        await self.deliver(text_update(self.fake.next_update_id(), user_id, text))
        return self._since(user_id, mark)

    async def say_in(
        self,
        chat: dict[str, Any],
        user_id: int,
        text: str,
        *,
        reply_to: dict[str, Any] | None = None,
        language_code: str = "zh-hans",
    ) -> list[dict[str, Any]]:
        """The user writes `text` in a group chat (maybe replying to a message); return the bot's new messages there."""
        mark = self._mark()
        update = text_update(
            self.fake.next_update_id(), user_id, text, chat=chat, reply_to=reply_to, language_code=language_code
        )
        await self.deliver(update)
        return self._since(chat["id"], mark)

    async def press_in(self, chat: dict[str, Any], user_id: int, message: dict[str, Any], label: str) -> str:
        """The user presses a button of `message` as it stands in a group chat; return the callback query's id."""
        data = button_data(message, label)
        update = callback_update(self.fake.next_update_id(), user_id, in_chat(message, chat), data)
        await self.deliver(update)
        return str(update["callback_query"]["id"])

    def last_with_button(self, user_id: int, label: str) -> dict[str, Any]:
        """The newest message to the user that carries a button with this label."""
        for message in reversed(self.fake.messages_to(user_id)):
            try:
                button_data(message, label)
            except LookupError:
                continue
            return message
        raise AssertionError(f"no message to {user_id} has a button {label!r}")

    async def press(self, user_id: int, label: str) -> list[dict[str, Any]]:
        """The user presses the newest button with this label; return the bot's new messages to them."""
        message = self.last_with_button(user_id, label)
        mark = self._mark()
        update = callback_update(self.fake.next_update_id(), user_id, dict(message), button_data(message, label))
        await self.deliver(update)
        return self._since(user_id, mark)

    async def photo(self, user_id: int, content: bytes) -> list[dict[str, Any]]:
        """The user sends a photo (Telegram offers it in a small and a large size); return new messages."""
        small = self.fake.add_file(content[:64], path="photos/file_small.jpg")
        large = self.fake.add_file(content, path="photos/file_large.jpg")
        mark = self._mark()
        await self.deliver(photo_update(self.fake.next_update_id(), user_id, [(small, 90), (large, 1280)]))
        return self._since(user_id, mark)

    async def voice(self, user_id: int, content: bytes) -> list[dict[str, Any]]:
        """The user sends a voice message; return new messages."""
        file_id = self.fake.add_file(content, path="voice/file_1.oga")
        mark = self._mark()
        await self.deliver(voice_update(self.fake.next_update_id(), user_id, file_id, size=len(content)))
        return self._since(user_id, mark)

    async def log_activity(self, user_id: int, title: str, *, photo: bytes | None = None) -> list[dict[str, Any]]:
        """A whole 记录活动 conversation, as a lead would go through it; return the bot's last messages."""
        zh = Translator("zh_CN")
        await self.say(user_id, "记录活动")
        await self.press(user_id, button_labels(self.fake.messages_to(user_id)[-1])[0])  # today
        await self.press(user_id, zh("activity.kind.技术交流"))
        await self.say(user_id, title)
        await self.press(user_id, zh("activity.place_studio"))
        await self.press(user_id, MEMBERS[0])
        await self.press(user_id, MEMBERS[1])
        await self.press(user_id, zh("engine.done"))
        await self.press(user_id, zh("activity.hours_choice", hours="2"))
        await self.say(user_id, "交流五轴加工中心的编程经验")
        await self.say(user_id, "解决了两处刀路干涉")
        if photo is not None:
            await self.photo(user_id, photo)
            await self.press(user_id, zh("engine.done"))
        else:
            await self.press(user_id, zh("engine.skip"))
        return await self.press(user_id, zh("engine.submit"))


@asynccontextmanager
async def telegram_world(
    db_url: str, tmp_path: Path, mode: str, *, token: str | None = None
) -> AsyncIterator[TelegramHarness]:
    """The fake Bot API (for another bot's token, if given), the runtime on the test database, the channel started;
    webhook mode behind uvicorn."""
    async with AsyncExitStack() as stack:
        fake = FakeTelegram(token) if token else FakeTelegram()
        await fake.start()
        stack.push_async_callback(fake.stop)
        settings = telegram_settings(db_url, fake, tmp_path / "media", webhook=mode == "webhook")
        runtime = build_runtime(settings)
        stack.push_async_callback(runtime.close)
        channel = TelegramChannel(RuntimeServices(runtime))
        await channel.start()
        stack.push_async_callback(channel.stop)
        harness = TelegramHarness(fake, channel, runtime, mode)
        if mode == "webhook":
            app = create_app(runtime, channel.routes())  # the project's one ASGI app
            harness.base_url = await stack.enter_async_context(serving(app))
            harness.http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        yield harness
