"""SQLITE_FAST_PATH on and off: each piece of the fast path follows the switch, and the bot behaves the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import aiosqlite
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channel_stores import StoredRefs
from bot.channels.wxbase.refs import RefBuffer
from bot.runtime import build_runtime
from bot.settings import Settings
from storage.base import utcnow
from storage.database import create_engine, is_sqlite_fast_path, session_factory
from storage.models import EntryStatus, LedgerEntry
from storage.repos import channel_refs
from storage.sqlite_inline import InlineConnection
from tests.support import Transcript, add_identity, make_bot, make_world
from tests.support.wechat_world import wechat_world
from tests.test_wechat_oa import LEAD, bind_lead, click, last_menu
from tests.test_wecom_review import test_a_reviewer_approves_from_a_card_and_the_card_shows_it_once as card_review

SWITCH = pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
PEOPLE = 4


@pytest.fixture
async def engine_for(sqlite_url: str, fast: bool) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url, sqlite_fast_path=fast)
    yield engine
    await engine.dispose()


@SWITCH
async def test_every_piece_follows_the_switch(engine_for: AsyncEngine, fast: bool) -> None:
    sessions = session_factory(engine_for)
    async with engine_for.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
    assert isinstance(driver, InlineConnection if fast else aiosqlite.Connection)
    assert is_sqlite_fast_path(engine_for) is fast and is_sqlite_fast_path(sessions) is fast
    assert (make_bot(sessions)._group is not None) is fast  # group commit
    refs = RefBuffer(SimpleNamespace(refs=partial(StoredRefs, sessions)), "wechat", "menu", utcnow)
    assert refs.store.write_behind is fast
    await refs.put("123456", {"payload": "x"}, None)
    async with sessions() as session:  # written in the request on the plain path, only later on the fast one
        stored = await channel_refs.get(session=session, channel="wechat", kind="menu", key="123456", now=refs.clock())
    assert (stored is None) is fast
    await refs.flush()
    assert await refs.get("123456") == {"payload": "x"}


def test_the_setting_reaches_the_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for value, fast in (("false", False), ("true", True)):
        monkeypatch.setenv("SQLITE_FAST_PATH", value)
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
        runtime = build_runtime(settings)
        assert is_sqlite_fast_path(runtime.engine) is fast and (runtime.bot._group is not None) is fast
        asyncio.run(runtime.close())
    assert not is_sqlite_fast_path(create_engine("postgresql+asyncpg://u@127.0.0.1/x"))  # a SQLite switch only


@SWITCH
async def test_people_logging_activities_at_once_get_the_same_answers(engine_for: AsyncEngine, fast: bool) -> None:
    sessions = session_factory(engine_for)
    world = await make_world(sessions)
    for n in range(PEOPLE):
        await add_identity(sessions, world.lead, f"phone-{n}")
    bot = make_bot(sessions)
    chats = [Transcript(bot, f"phone-{n}") for n in range(PEOPLE)]

    async def log(chat: Transcript, title: str) -> None:
        for kind, what in (("say", "记录活动"), ("press", "今天"), ("press", "技术交流"), ("say", title)):
            await (chat.say(what) if kind == "say" else chat.press(what))
        for what in ("工作室", "李明", "完成"):
            await chat.press(what)
        for what in ("3", "交流了宏程序的写法", "跳过", "跳过"):
            await chat.say(what)
        await chat.press("提交")
        chat.expect("已提交", title)

    commits: list[object] = []
    event.listen(engine_for.sync_engine, "commit", commits.append)  # the engine goes with the test
    await asyncio.gather(*(log(chat, f"交流{n}") for n, chat in enumerate(chats)))
    turns = sum(len([line for line in chat.log if line.startswith(chat.user)]) for chat in chats)
    assert (len(commits) < turns) is fast  # group commit: turns that wait share a transaction
    async with sessions() as session:
        titles = sorted(
            await session.scalars(select(LedgerEntry.title).where(LedgerEntry.status == EntryStatus.SUBMITTED))
        )
    assert titles == [f"交流{n}" for n in range(PEOPLE)]


@SWITCH
async def test_an_oa_conversation_by_msgmenu(
    sqlite_url: str, tmp_path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQLITE_FAST_PATH", str(fast).lower())
    async with wechat_world(sqlite_url, tmp_path) as world:
        assert is_sqlite_fast_path(world.runtime.engine) is fast and world.oa.outbound.menus.store.write_behind is fast
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        assert "哪天" in last_menu(world, LEAD)["head_content"]
        await click(world, LEAD, "今天")  # the menu id is found again, from memory or from the database
        assert "类别" in last_menu(world, LEAD)["head_content"]


@SWITCH
async def test_a_wecom_card_review(
    sqlite_url: str, tmp_path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQLITE_FAST_PATH", str(fast).lower())
    await card_review(sqlite_url, tmp_path)
