"""Access tokens shared through the database: fetched once for every process, never refreshed while valid."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_stores import StoredTokens
from bot.channels.wechat.api import OAClient
from bot.channels.wecom.api import WeComClient
from bot.channels.wxbase.api import Api
from storage.models import AccessToken
from tests.support.clock import Clock
from tests.support.fake_wechat import APP_ID, APP_SECRET, CORP_ID, CORP_SECRET, FakeWeChat


def process(fake: FakeWeChat, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Api:
    """What one server process has: its own client and in-memory copy, the shared database."""
    return Api(OAClient(APP_ID, APP_SECRET, fake.url), StoredTokens(sessions), key=f"wechat:{APP_ID}", clock=clock)


def say(text: str) -> Any:
    return lambda client: client.message.send_text("oFOLLOWER", text)


async def test_processes_share_one_token_and_never_refresh_a_valid_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    fake, clock = FakeWeChat(), Clock()
    await fake.start()
    try:
        a, b = process(fake, sessions, clock), process(fake, sessions, clock)
        await asyncio.gather(*(api.call("custom/text", say(f"hi {i}")) for i in range(10) for api in (a, b)))
        assert fake.token_fetches() == 1
        clock.advance(minutes=100)  # still valid for a while: a new process reads it from the database
        await process(fake, sessions, clock).call("custom/text", say("later"))
        assert fake.token_fetches() == 1
        clock.advance(minutes=20)  # now within the safety margin of its 2 hours: fetched once more, for all
        await asyncio.gather(a.call("custom/text", say("x")), b.call("custom/text", say("y")))
        assert fake.token_fetches() == 2
        async with sessions() as s:
            row = await s.scalar(select(AccessToken))
            assert row is not None and row.token == fake.tokens_issued[-1]
            assert row.expires_at == clock() + timedelta(seconds=7200)
    finally:
        await fake.stop()


async def test_a_rejected_token_is_replaced_once_and_nobody_invalidates_the_new_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    fake, clock = FakeWeChat(), Clock()
    await fake.start()
    try:
        a, b = process(fake, sessions, clock), process(fake, sessions, clock)
        await a.call("custom/text", say("warm a"))
        await b.call("custom/text", say("warm b"))
        fake.revoke_tokens()
        await b.call("custom/text", say("b first"))  # 40001 → b expires the stored token and fetches another
        await a.call("custom/text", say("a after"))  # a's copy is refused too; it finds b's token, fetches nothing
        assert fake.token_fetches() == 2
        await b.call("custom/text", say("b again"))  # b's token still works: a did not invalidate it
        assert fake.token_fetches() == 2
        refused = [
            c for c in fake.calls if c.path == "message/custom/send" and c.params["access_token"] == "TOKEN-token-1"
        ]
        assert len(refused) == 4  # two warm-ups, then one refusal each
    finally:
        await fake.stop()


async def test_wecom_tokens_come_from_its_own_host_under_their_own_key(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    fake, clock = FakeWeChat(), Clock()
    await fake.start()
    try:
        api = Api(
            WeComClient(CORP_ID, CORP_SECRET, fake.url), StoredTokens(sessions), key=f"wecom:{CORP_ID}:1", clock=clock
        )
        await api.call("message/send", lambda c: c.message.send_text(1, "zhangsan", "hi"))
        assert [c.path for c in fake.calls] == ["gettoken", "message/send"]
        async with sessions() as s:
            assert [r.key for r in await s.scalars(select(AccessToken))] == [f"wecom:{CORP_ID}:1"]
    finally:
        await fake.stop()
