"""The engine's promises: every step persisted, each delivery once, expiry with a message, buttons checked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.app import routes
from handlers.core.payloads import pack, peek
from handlers.core.presses import FlowOp, FlowPress
from handlers.core.types import Incoming
from handlers.engine.expiry import expire_conversations
from handlers.engine.pipeline import Bot
from storage.models import ChannelIdentity, Conversation, OutboxMessage, SeenDelivery
from storage.repos import conversations
from tests.support import Clock, Inbox, Transcript, World, add_identity, make_bot
from tests.support.fixtures import bot_fixture, clock_fixture, entries, world_fixture  # noqa: F401
from tests.support.sql import statements


async def test_a_restart_mid_flow_carries_on_at_the_same_step(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "技术练兵", "车工比武"):
        await chat.say(answer)
    chat.expect("活动地点")
    kept_button = chat.button("工作室")

    restarted = make_bot(sessions, clock=clock)  # a new process over the same database
    chat.bot = restarted
    await chat.press_button(kept_button)  # a button sent before the restart still works
    chat.expect("参加人员")
    await chat.say("李明")
    await chat.say("2")
    await chat.say("返回")
    chat.expect("多少小时")
    await chat.say("4")
    for answer in ("比赛车削", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("请核对", "车工比武", "工作室", "李明", "4 小时")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert entry.title == "车工比武"


async def test_a_redelivered_message_is_answered_the_same_and_changes_nothing(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习", "读标准", "跳过", "李明", "1", "读了新标准", "跳过", "跳过"):
        await chat.say(answer)
    await chat.press("提交")
    first = chat.text
    again = await chat.redeliver()
    assert again.duplicate
    assert [r.text for r in again.replies] == [first]
    assert len(await entries(sessions)) == 1

    await chat.say("记录活动")
    await chat.say("今天")
    retry = await chat.redeliver()  # a platform retry of "今天" must not answer the next question with it
    assert retry.duplicate
    await chat.say("学习")
    chat.expect("活动主题")
    async with sessions() as session:
        seen = await session.scalar(select(func.count()).select_from(SeenDelivery))
    assert seen == 14


async def test_a_redelivery_to_another_process_is_answered_the_same_and_changes_nothing(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习"):
        await chat.say(answer)
    answered = chat.text
    chat.bot = make_bot(sessions, clock=clock)  # the platform's retry reaches the other server process
    retry = await chat.redeliver()  # taken again, "学习" would become the title
    assert retry.duplicate
    assert [r.text for r in retry.replies] == [answered]
    async with sessions() as session:
        conv = await session.scalar(select(Conversation))
    assert conv is not None and conv.step == "title" and "title" not in conv.data["values"]
    await chat.say("读标准")
    chat.expect("活动地点")


async def test_an_abandoned_conversation_expires_with_a_message(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    clock.advance(hours=23)
    await chat.say("学习")
    chat.expect("活动主题")  # still alive: each answer renews it
    clock.advance(hours=25)
    await chat.say("读标准")
    chat.expect("太久没有继续", "记录活动")
    chat.expect_not("活动地点")
    await chat.say("记录活动")
    chat.expect("活动是哪天")


async def test_the_sweeper_ends_expired_conversations_and_tells_their_owner(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    chat = Transcript(bot, "m1")
    await chat.say("记录成果")
    await chat.say("一种新夹具")
    clock.advance(days=2)
    async with sessions() as session, session.begin():
        assert await expire_conversations(session=session, routes=routes(), now=clock()) == 1
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0
    inbox = Inbox(sessions)
    await inbox.deliver()
    assert len(inbox.texts("m1")) == 1
    assert "记录成果" in inbox.texts("m1")[0]
    assert "太久没有继续" in inbox.texts("m1")[0]


async def test_the_sweeper_takes_the_same_statements_for_two_or_eight_expired_conversations(
    world: World, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], clock: Clock
):
    async def sweep(count: int) -> tuple[int, int]:
        """Open `count` conversations of the lead's accounts and one of a stranger, expire them; (ended, statements)."""
        clock.advance(days=1)
        async with sessions() as session, session.begin():
            for user in [*(f"lead-{count}-{n}" for n in range(count)), f"stranger-{count}"]:
                await conversations.save(
                    session=session,
                    channel="test",
                    user_id=user,
                    flow="activity",
                    step="title",
                    data={},
                    expires_at=clock(),
                    now=clock(),
                    expected_version=None,
                )
        with statements(engine) as sent:
            async with sessions() as session, session.begin():
                ended = await expire_conversations(session=session, routes=routes(), now=clock() + timedelta(minutes=1))
        return ended, len(sent)

    for n in range(10):
        await add_identity(sessions, world.lead, f"lead-2-{n}")
        await add_identity(sessions, world.lead, f"lead-8-{n}")
    assert (await sweep(2))[0] == 3
    ended, eight = await sweep(8)
    assert ended == 9
    assert eight == (await sweep(2))[1]
    async with sessions() as session:
        keys = list(await session.scalars(select(OutboxMessage.idempotency_key)))
    assert len(keys) == 2 + 8 + 2 and not any("stranger" in key for key in keys)


async def test_old_forged_and_foreign_buttons_change_nothing(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    today = chat.button("今天")
    await chat.press("今天")
    await chat.press_button(today)  # pressed twice: the second press is stale
    chat.expect("之前的问题", "活动类别")
    study = chat.button("学习")
    here = peek(study.payload)
    assert isinstance(here, FlowPress)
    await chat.send_payload(pack(b"not-our-secret", FlowPress(here.conversation, here.version, FlowOp.CHOOSE, 0)))
    chat.expect("无效")
    await chat.send_payload("x" * 500)
    chat.expect("无效")
    other = Transcript(bot, "m1")
    await other.press_button(study)  # somebody else's button: no conversation of theirs
    other.expect("没有进行中的操作")
    await chat.press("学习")
    chat.expect("活动主题")


async def test_commands_inside_a_flow_are_refused_politely(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("/outcome")
    chat.expect("正在进行“记录活动”", "活动是哪天")
    await chat.say("记录培训")  # without a slash too
    chat.expect("正在进行“记录活动”")
    await chat.say("我的台账")
    chat.expect("正在进行“记录活动”")
    await chat.say("今天")
    await chat.press("学习")
    await chat.say("记录活动心得")  # a title that starts with a command word is an answer
    chat.expect("活动地点")


async def test_strangers_only_learn_how_to_bind(bot: Bot, world: World):
    chat = Transcript(bot, "stranger")
    for text in ("你好", "记录活动", "/ledger", "帮助", "取消", "1"):
        await chat.say(text)
        chat.expect("还没有绑定身份", "绑定码")
    signed = pack(bot.config.secret_key, FlowPress("c0nv1d", 1, FlowOp.CHOOSE, 0))
    await chat.send_payload(signed)  # a correctly signed flow button
    chat.expect("还没有绑定身份")


async def test_help_and_unknown_words(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("帮助")
    chat.expect("张工", "记录活动", "记录成果", "记录培训", "我的台账")
    await chat.say("今天天气不错")
    chat.expect("没听懂", "帮助")
    await chat.say("/help")
    chat.expect("记录成果")


async def test_language_is_kept_per_person(bot: Bot, world: World, clock: Clock, sessions):
    chat = Transcript(bot, "m3")
    await chat.say("语言 en")
    chat.expect("English")
    await chat.say("语言 klingon")
    chat.expect("/lang en")
    chat.bot = make_bot(sessions, clock=clock)
    await chat.say("help")
    chat.expect("you can send", "/activity")
    await chat.say("/lang zh")
    await chat.say("帮助")
    chat.expect("您可以发送")


async def test_a_stranger_with_an_english_platform_gets_english(bot: Bot, world: World):
    chat = Transcript(bot, "visitor", language="en-US")
    await chat.say("hello")
    chat.expect("binding code")


async def test_switching_language_mid_flow_keeps_the_answers(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天", "学习"):
        await chat.say(answer)
    await chat.say("语言 en")
    chat.expect("English", "Title of the activity")
    for answer in ("Reading drawings", "skip", "李明", "2", "Read the new drawings", "skip", "skip"):
        await chat.say(answer)
    chat.expect("Date: 2026-03-10", "Participants: 李明", "Title: Reading drawings")
    await chat.say("help")
    chat.expect("This is the summary", "Submit")


async def test_a_conversation_at_a_step_the_flow_no_longer_has_carries_on(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for answer in ("记录活动", "今天"):
        await chat.say(answer)
    async with sessions() as session, session.begin():  # as if a new release renamed the step
        conv = await session.scalar(select(Conversation))
        assert conv is not None
        conv.step = "old_step_name"
    await chat.say("学习")
    chat.expect("活动主题")


async def test_an_event_from_a_group_chat_is_refused_and_takes_no_chat_id(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    group = Incoming(
        channel="test", user_id="lead", chat_id="group-1", delivery_id="g1", text="我的台账", private=False
    )
    turn = await bot.handle(group)

    assert turn.replies == [] and not turn.duplicate
    async with sessions() as s:
        assert (
            await s.scalar(select(ChannelIdentity.chat_id).where(ChannelIdentity.external_id == "lead")) == "chat-lead"
        )
        assert (
            await s.scalar(select(func.count()).select_from(SeenDelivery).where(SeenDelivery.delivery_id == "g1")) == 0
        )
        assert await s.scalar(select(func.count()).select_from(Conversation)) == 0
