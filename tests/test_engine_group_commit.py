"""Group commit: people writing at the same moment share transactions, and nobody notices but the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import handlers.engine.pipeline
from handlers.core.i18n import t
from handlers.core.types import Incoming, Reply, Turn
from handlers.engine.context import Context
from handlers.engine.group_commit import GroupCommit
from storage.models import Conversation, SeenDelivery
from tests.support import Clock, Transcript, World, add_identity, make_bot
from tests.support.fixtures import clock_fixture, entries, world_fixture  # noqa: F401
from tests.support.sql import statements

ERROR = t("engine.error", "zh_CN")
PEOPLE = 6


@contextmanager
def commits(engine: AsyncEngine) -> Iterator[list[int]]:
    """The transactions committed while the block runs (one entry per commit)."""
    done: list[int] = []

    def record(_conn: Any) -> None:
        done.append(1)

    event.listen(engine.sync_engine, "commit", record)
    try:
        yield done
    finally:
        event.remove(engine.sync_engine, "commit", record)


async def chats(
    sessions: async_sessionmaker[AsyncSession], world: World, bot: handlers.engine.pipeline.Bot
) -> list[Transcript]:
    """Six of the lead's accounts (a lead on six phones is the simplest way to get six writers)."""
    for n in range(PEOPLE):
        await add_identity(sessions, world.lead, f"phone-{n}")
    return [Transcript(bot, f"phone-{n}") for n in range(PEOPLE)]


async def test_by_default_turns_that_wait_share_a_commit_on_either_database(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, clock: Clock
):
    bot = make_bot(sessions, clock=clock)  # SQLite's fast path and PostgreSQL alike
    people = await chats(sessions, world, bot)
    with commits(engine) as done:
        await asyncio.gather(*(chat.say("记录活动") for chat in people))
    assert len(done) <= 2  # six turns at one moment: shared transactions, not six
    for chat in people:
        chat.expect("活动是哪天")


async def test_people_writing_at_once_share_a_commit_and_each_get_their_own_answer(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, clock: Clock
):
    bot = make_bot(sessions, clock=clock, group_commit=True)
    people = await chats(sessions, world, bot)
    with commits(engine) as done:
        await asyncio.gather(*(chat.say("记录活动") for chat in people))
        await asyncio.gather(*(chat.press("今天") for chat in people))
    assert len(done) <= 4  # twelve turns, two moments: two shared transactions (a little slack)
    for chat in people:
        chat.expect("活动类别")

    restarted = make_bot(sessions, clock=clock, group_commit=True)  # every step was committed
    for n, chat in enumerate(people):
        chat.bot = restarted
        await chat.press("技术交流")
        chat.expect("活动主题")
        await chat.say(f"交流 {n}")
    async with sessions() as session:
        steps = await session.scalars(select(Conversation.step).where(Conversation.user_id.like("phone-%")))
        assert sorted(steps) == ["place"] * PEOPLE


async def test_a_failing_turn_is_rolled_back_alone_and_the_others_are_submitted_once(
    world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    bot = make_bot(sessions, clock=clock, group_commit=True)
    people = await chats(sessions, world, bot)
    for chat in people:
        for answer in ("记录活动", "今天", "学习", "读标准", "跳过", "李明", "1", "读了新标准", "跳过", "跳过"):
            await chat.say(answer)
        chat.expect("请核对")
    submit = people[2].button("提交")
    real = handlers.engine.pipeline.dispatch  # type: ignore[attr-defined]

    async def failing_for_one(ctx: Context) -> list[Reply]:
        if ctx.incoming.user_id == "phone-2":
            raise RuntimeError("a bug in one person's turn")
        return await real(ctx)

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", failing_for_one)
    await asyncio.gather(*(chat.press("提交") for chat in people))

    people[2].expect(ERROR)
    for chat in people[:2] + people[3:]:
        chat.expect("已提交")
    assert len(await entries(sessions)) == PEOPLE - 1  # the others' work was redone, not doubled

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", real)
    await people[2].press_button(submit)  # nothing of the failed turn stuck: the summary is still there
    people[2].expect("已提交")
    assert len(await entries(sessions)) == PEOPLE


async def test_a_retry_already_answered_elsewhere_is_answered_the_same_beside_new_turns(
    world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    other_process = make_bot(sessions, clock=clock, group_commit=True)
    people = await chats(sessions, world, other_process)
    await people[0].say("记录活动")
    await people[0].say("今天")
    answered = people[0].text

    bot = make_bot(sessions, clock=clock, group_commit=True)
    for chat in people:
        chat.bot = bot
    retry, *_ = await asyncio.gather(people[0].redeliver(), *(chat.say("记录活动") for chat in people[1:]))
    assert isinstance(retry, Turn)

    assert retry.duplicate and [r.text for r in retry.replies] == [answered]
    for chat in people[1:]:
        chat.expect("活动是哪天")
    await people[0].say("学习")  # "今天" was not taken twice: this answers the kind question
    people[0].expect("活动主题")


async def test_an_answer_whose_caller_left_is_kept_for_the_retry(
    world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    bot = make_bot(sessions, clock=clock, group_commit=True)
    await add_identity(sessions, world.lead, "phone-0")
    incoming = Incoming(
        channel="test", user_id="phone-0", chat_id="chat-phone-0", delivery_id="gone-1", text="记录活动"
    )

    caller = asyncio.create_task(bot.handle(incoming))
    await asyncio.sleep(0)  # the turn is queued
    caller.cancel()  # the platform's request timed out and the connection closed
    with pytest.raises(asyncio.CancelledError):
        await caller
    for _ in range(100):
        async with sessions() as session:
            if await session.scalar(select(func.count()).select_from(SeenDelivery)):
                break
        await asyncio.sleep(0.01)

    retry = await make_bot(sessions, clock=clock).handle(incoming)  # the retry may reach another process
    assert retry.duplicate
    assert "活动是哪天" in retry.replies[0].text


async def test_stopping_mid_batch_leaves_no_caller_waiting():
    started, never = asyncio.Event(), asyncio.Event()

    async def together(batch: Sequence[Incoming]) -> list[Turn]:
        started.set()
        await never.wait()  # a batch in progress when the process stops
        return [Turn() for _ in batch]

    async def alone(incoming: Incoming) -> Turn:
        return Turn()

    group = GroupCommit(together=together, alone=alone)
    first = [asyncio.create_task(group.submit(_incoming(n))) for n in range(2)]
    await started.wait()
    later = asyncio.create_task(group.submit(_incoming(9)))  # queued behind the running batch
    await asyncio.sleep(0)
    assert group._drains
    for drain in list(group._drains):
        drain.cancel()
    done, pending = await asyncio.wait([*first, later], timeout=5)
    assert not pending and all(task.cancelled() for task in done)


def _incoming(n: int) -> Incoming:
    return Incoming(channel="test", user_id=f"u{n}", chat_id=f"c{n}", delivery_id=f"d{n}", text="帮助")


async def test_a_failed_turn_is_logged_without_the_senders_id(
    world: World,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(ctx: Context) -> list[Reply]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(handlers.engine.pipeline, "dispatch", broken)
    bot = make_bot(sessions, group_commit=False)
    # a WeChat event's delivery id carries the follower's openid
    delivery = "e:oSECRETopenid-1234567:1795900828:CLICK:help"
    turn = await bot.handle(
        Incoming(channel="wechat", user_id="oSECRETopenid-1234567", chat_id="x", delivery_id=delivery, text="帮助")
    )
    assert turn.replies[0].text == t("engine.error")
    assert "turn failed: channel=wechat" in caplog.text and "oSECRETopenid" not in caplog.text


async def test_the_steps_that_share_a_commit_are_saved_in_one_statement(
    world: World, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, clock: Clock
):
    bot = make_bot(sessions, clock=clock)  # SQLite's fast path and PostgreSQL alike
    people = await chats(sessions, world, bot)
    await asyncio.gather(*(chat.say("记录活动") for chat in people))
    with commits(engine) as done, statements(engine) as sent:
        await asyncio.gather(*(chat.press("今天") for chat in people))
    assert len([sql for sql in sent if "UPDATE conversations" in sql]) <= len(done) < PEOPLE
    restarted = make_bot(sessions, clock=clock)  # every step was saved
    for chat in people:
        chat.expect("活动类别")
        chat.bot = restarted
        await chat.press("技术交流")
        chat.expect("活动主题")
