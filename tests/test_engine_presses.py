"""Typed presses: a button of an earlier conversation never answers the current one; malformed presses refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import typing
from dataclasses import fields
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers.app  # noqa: F401  # every feature's presses declared
from handlers.core import payloads
from handlers.core.payloads import MAX_BYTES, Press, pack, unpack
from handlers.core.presses import FlowOp, FlowPress, ReviewAction, ReviewPress, navigation
from handlers.engine.pipeline import Bot
from storage.models import Conversation
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401

SECRET = b"presses-test-secret"


async def _values(sessions: async_sessionmaker[AsyncSession], user: str) -> dict[str, Any] | None:
    async with sessions() as s:
        conv = await s.scalar(select(Conversation).where(Conversation.user_id == user))
        return None if conv is None else dict(conv.data["values"])


async def test_buttons_of_an_earlier_conversation_do_not_answer_the_current_one(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    chat.expect("活动类别")
    old_kind = chat.replies[-1].buttons[0][0]  # the first option, as the first category of an outcome is
    old_cancel = chat.button("取消")
    await chat.say("学习")
    await chat.say("车工比武")
    await chat.say("返回")
    await chat.say("车工比武")
    chat.expect("活动地点")
    old_skip = chat.button("跳过")
    await chat.say("取消")
    chat.expect("已取消")

    await chat.say("/outcome")
    await chat.say("数控刀具快换夹具")
    chat.expect("成果类别是？")  # at the version the old category and cancel buttons were shown at
    await chat.press_button(old_kind)
    chat.expect("来自之前的一次对话", "成果类别是？")
    assert "category" not in (await _values(sessions, "lead") or {})
    await chat.press_button(old_cancel)
    chat.expect("来自之前的一次对话", "成果类别是？")
    chat.expect_not("已取消")
    assert await _values(sessions, "lead") is not None  # the outcome is still being recorded

    await chat.press("小革新")
    await chat.press("李明")
    await chat.press("完成")
    await chat.say("否")
    chat.expect("获得了多少资助")
    here, old = payloads.peek(chat.button("跳过").payload), payloads.peek(old_skip.payload)
    assert isinstance(here, FlowPress) and isinstance(old, FlowPress)
    assert here.version == old.version  # only the conversation tells them apart
    await chat.press_button(old_skip)
    chat.expect("来自之前的一次对话", "获得了多少资助")
    values = await _values(sessions, "lead")
    assert values is not None and "funding_amount" not in values and values["category"] == "小革新"
    await chat.say("跳过")  # the word still works on the current question
    chat.expect("专利")


async def test_a_flow_button_of_another_person_is_refused(bot: Bot, world: World, sessions):
    lead, member = Transcript(bot, "lead"), Transcript(bot, "m1")
    await lead.say("记录活动")
    await member.say("记录活动")
    theirs = member.button("取消")
    await lead.press_button(theirs)
    lead.expect("来自之前的一次对话", "活动是哪天")
    assert await _values(sessions, "m1") is not None and await _values(sessions, "lead") is not None


async def test_a_conversation_begun_before_ids_were_kept_still_takes_its_buttons(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    async with sessions() as s, s.begin():
        conv = await s.scalar(select(Conversation).where(Conversation.user_id == "lead"))
        assert conv is not None
        conv.data = {k: v for k, v in conv.data.items() if k != "conversation"}  # as stored before this change
    await chat.say("帮助")  # shown again, nothing saved
    await chat.press("学习")
    chat.expect("活动主题")


async def test_forged_long_unknown_and_ill_typed_presses_change_nothing(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.say("今天")
    first = chat.replies[-1].buttons[0][0]
    here = payloads.unpack(bot.config.secret_key, first.payload)
    assert isinstance(here, FlowPress) and here.op is FlowOp.CHOOSE
    key = bot.config.secret_key
    refused = [
        pack(b"not-our-secret", here),  # forged tag
        first.payload[:-1] + ("A" if first.payload[-1] != "A" else "B"),  # tag altered
        _signed(key, f"fl:{here.conversation}:{here.version}:c:{'9' * 60}"),  # too long
        _signed(key, "zz:1:2"),  # unknown prefix
        _signed(key, f"fl:{here.conversation}:x{here.version}:c:0"),  # a non-integer where an int is declared
        _signed(key, f"fl:{here.conversation}:{here.version}:c:0:1"),  # a field too many
        _signed(key, f"fl:{here.conversation}:{here.version}:q:0"),  # not one of the declared ops
        _signed(key, f"fl:{here.conversation}:{here.version}:c:²"),  # a digit, but not an ASCII one
    ]
    before = await _values(sessions, "lead")
    for payload in refused:
        await chat.send_payload(payload)
        chat.expect("无效", "活动类别")
        assert await _values(sessions, "lead") == before
    await chat.press_button(first)  # the real button still works
    chat.expect("活动主题")


def _signed(secret: bytes, body: str) -> str:
    """A body signed as the bot signs payloads, whatever it holds: what a leaked tag scheme could produce."""
    digest = hmac.digest(secret, body.encode(), hashlib.sha256)
    return f"{body}~{base64.urlsafe_b64encode(digest).decode()[:10]}"


def _longest(press_type: type[Press]) -> Press:
    """The press with each field at its longest realistic value."""
    hints = typing.get_type_hints(press_type)
    values: dict[str, Any] = {}
    for field in fields(press_type):  # type: ignore[arg-type]
        hint = hints[field.name]
        inner = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
        if inner is int:
            values[field.name] = 10**9 - 1  # ids, versions, offsets: below a billion
        elif inner is str:
            values[field.name] = "x" * 12  # conversation ids (8), commands, move keys, stage codes
        else:
            values[field.name] = max(inner, key=lambda member: len(member.value))
    return press_type(**values)


def test_every_kind_of_press_packs_within_64_bytes_and_back():
    kinds = payloads.registered()
    assert len(kinds) >= 6
    for kind in kinds:
        press = _longest(kind)
        packed = pack(SECRET, press)
        assert len(packed.encode()) <= MAX_BYTES, packed
        assert unpack(SECRET, packed) == press
        assert unpack(b"another-secret", packed) is None


def test_trailing_defaults_are_left_out_and_payloads_sent_before_still_read():
    assert pack(SECRET, ReviewPress(ReviewAction.BATCH)).startswith("rv:batch~")
    assert unpack(SECRET, _signed(SECRET, "rv:approve:12:3")) == ReviewPress(ReviewAction.APPROVE, 12, 3)
    assert unpack(SECRET, _signed(SECRET, "rv:open:12")) == ReviewPress(ReviewAction.OPEN, 12)
    assert unpack(SECRET, _signed(SECRET, "fl:abc:1")) is None  # a field without a default may not be left out


def test_a_payload_is_signed_as_buttons_sent_before_were_so_they_still_answer():
    assert pack(SECRET, FlowPress("abc", 7, FlowOp.TOGGLE, 2)) == _signed(SECRET, "fl:abc:7:m:2")
    assert pack(SECRET, ReviewPress(ReviewAction.APPROVE, 12, 3)) == _signed(SECRET, "rv:approve:12:3")


def test_a_field_holding_a_separator_is_refused_rather_than_read_back_as_other_fields():
    for conversation in ("ab:c", "ab~c", ":", "~"):
        with pytest.raises(ValueError):
            pack(SECRET, FlowPress(conversation, 1, FlowOp.CHOOSE, 2))
    assert unpack(SECRET, pack(SECRET, FlowPress("abc", 1, FlowOp.CHOOSE, 2))) == FlowPress("abc", 1, FlowOp.CHOOSE, 2)


def test_the_console_learns_which_buttons_are_navigation_from_the_press_types():
    assert navigation(pack(SECRET, FlowPress("abc", 1, FlowOp.CANCEL))) is FlowOp.CANCEL
    assert navigation(pack(SECRET, FlowPress("abc", 1, FlowOp.SKIP))) is FlowOp.SKIP
    assert navigation(pack(SECRET, FlowPress("abc", 1, FlowOp.CHOOSE, 2))) is None
    assert navigation(pack(SECRET, ReviewPress(ReviewAction.OPEN, 3))) is None
    assert navigation("nonsense") is None
