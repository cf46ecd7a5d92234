"""Long text kept (issue 19): one limit per field, stated in its question; an answer past it is a draft, not lost."""

from __future__ import annotations

import pytest
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.app import routes
from handlers.engine.pipeline import Bot
from handlers.ledgers.form import forms
from storage.ledger_specs import SPECS
from storage.models import LedgerKind
from tests.reviews_support import World as ReviewWorld
from tests.reviews_support import at, make_cast, ready_to_apply
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401

DICTATED = "今天组织读装配图，" * 300  # 2,700 characters, as a voice input method writes them


async def activity_until_content(chat: Transcript) -> None:
    for answer in ("记录活动", "今天", "学习", "读图", "跳过", "李明", "1"):
        await chat.say(answer)
    chat.expect("活动内容", "（不超过 2000 字）")


async def test_an_answer_over_the_limit_is_kept_and_its_first_part_offered(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await activity_until_content(chat)
    await chat.say(DICTATED)
    chat.expect("这段文字有 2700 字，“活动内容”最多 2000 字", "已保存为草稿", "活动内容：做了什么")
    chat.expect_buttons("只保留前 2000 字")
    await chat.say("帮助")  # the draft waits while the question is open
    chat.expect_buttons("只保留前 2000 字")
    await chat.press("只保留前 2000 字")
    chat.expect("取得了什么成效")
    for answer in ("跳过", "跳过", "提交"):
        await chat.say(answer)
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["content"] == DICTATED[:2000].strip()


async def test_a_shorter_answer_replaces_the_draft(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await activity_until_content(chat)
    await chat.say(DICTATED)
    kept = chat.button("只保留前 2000 字")
    await chat.say("组织读装配图")
    chat.expect("取得了什么成效")
    chat.expect_not("只保留前")
    await chat.press_button(kept)  # the draft went with its question
    chat.expect("取得了什么成效")
    for answer in ("跳过", "跳过"):
        await chat.say(answer)
    chat.expect("活动内容：组织读装配图")


async def test_the_title_states_its_one_limit_and_keeps_the_draft_in_english(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    for answer in ("/activity", "today", "学习"):
        await chat.say(answer)
    chat.expect("Title of the activity?", "(at most 100 characters)")
    await chat.say("x" * 130)
    chat.expect("That text has 130 characters; “Title” takes at most 100", "kept as a draft")
    await chat.press("Keep the first 100")
    chat.expect("Where")


async def test_every_text_question_states_its_limit_from_the_ledger_declaration(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    await chat.say("学习")
    chat.expect("活动主题是？", "（不超过 100 字）")
    await chat.say("读图")
    chat.expect("活动地点是？", "（不超过 100 字）")
    await chat.say("跳过")
    chat.expect_not("不超过")  # the names question has no character limit
    await chat.say("李明")
    await chat.say("1")
    chat.expect("（不超过 2000 字）")
    await chat.say("读图")
    chat.expect("取得了什么成效", "（不超过 2000 字）")


@pytest.mark.parametrize("kind", list(LedgerKind))
def test_each_typed_field_has_one_limit_that_fits_its_column(kind: LedgerKind) -> None:
    form, spec = forms(routes())[kind], SPECS[kind]
    flow = routes().flows[form.flow]
    for step in flow.steps:
        if step.key not in {c.key for c in spec.fields} or step.limit is None:
            continue
        assert step.limit == spec.column(step.key).limit
        column = spec.model.__table__.columns[step.key]
        if isinstance(column.type, String) and column.type.length:
            assert step.limit <= column.type.length, (kind, step.key)
    typed = {c.key for c in spec.fields if c.limit is not None}
    assert typed == {s.key for s in flow.steps if s.limit is not None}


async def test_the_application_states_its_limits_and_keeps_a_long_description(
    sessions: async_sessionmaker[AsyncSession],
):
    cast = await make_cast(ReviewWorld(sessions, at("2026-03-10 10:00")))
    await ready_to_apply(cast)
    lead = cast.lead
    await lead.say("申报")
    lead.expect("活动场所", "（不超过 300 字）")
    for answer in ("二号车间创新室", "数控车床 3 台"):
        await lead.say(answer)
    await lead.press("焊接夹具")
    await lead.press("完成")
    lead.expect("群众性创新活动及成效", "（不超过 2000 字）")
    lead.expect_not("2000 字以内")  # one limit, stated once
    await lead.say("坚持每月开展技术交流。" * 250)  # 2,750 characters
    lead.expect("这段文字有 2750 字", "已保存为草稿")
    await lead.press("只保留前 2000 字")
    lead.expect("申报材料")


async def test_a_reviewers_reason_states_its_limit_and_keeps_a_long_one(sessions: async_sessionmaker[AsyncSession]):
    cast = await make_cast(ReviewWorld(sessions, at("2026-03-10 10:00")))
    await cast.lead.log_activity()
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    cast.reviewer.expect("请写明原因", "（不超过 500 字）")
    await cast.reviewer.say("缺少活动现场照片。" * 70)  # 630 characters
    cast.reviewer.expect("这段文字有 630 字", "最多 500 字", "已保存为草稿")
    await cast.reviewer.press("只保留前 500 字")
    cast.reviewer.expect("请核对")
    await cast.reviewer.press("提交")
    cast.reviewer.expect("已退回")
