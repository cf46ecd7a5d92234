"""The Official Account's passive reply under strain: long answers, retries, numbered text, a slow msgmenu, odd keys."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channel_services import RuntimeServices
from bot.channels.wechat import replies as oa_replies
from bot.channels.wechat.channel import WeChatChannel
from bot.channels.wxbase.inbound import Received
from handlers.core.types import Incoming
from storage.models import Conversation, EntryStatus, LedgerEntry, OutboxMessage
from tests.support.wechat_world import WxWorld, wechat_world
from tests.test_wechat_oa import LEAD, bind_lead, click, last_menu, texts_to

LIMIT = 2048  # bytes: WeChat cuts a text reply here
LONG_NAME = "长" * 1500  # 履历 <a studio that does not exist> echoes the name: a 4.5 KB plain answer


def within_limit(text: str) -> bool:
    return 0 < len(text.encode()) <= LIMIT


async def rescued(world: WxWorld) -> list[str]:
    """The texts handed to the outbox because they could not go out at once."""
    async with world.runtime.sessions() as s:
        rows = await s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("wechat-rescue:")))
        return [str(r.payload["text"]) for r in rows]


async def without_customer_service(world: WxWorld) -> None:
    """The account has no customer-service right (48001): learnt on the first msgmenu, kept for good."""
    world.fake.fail("message/custom/send", 48001)
    await world.oa_platform.text(LEAD, "我的台账")
    await world.settle()
    assert not world.oa.customer_service


async def numbered_to_the_summary(world: WxWorld) -> str:
    """In numbered mode, an activity with long content and results, up to its summary; the summary's passive reply."""
    oa = world.oa_platform
    for word in ("记录活动", "1", "2", "主轴振动攻关", "跳过"):
        await oa.text(LEAD, word)
    members = await oa.text(LEAD, "1")
    done = next(line for line in members.text.splitlines() if "完成" in line)
    for word in (done.split(".")[0], "2", "内容" * 999, "结果" * 999):
        await oa.text(LEAD, word)
    summary = await oa.text(LEAD, "跳过")  # photos
    await world.settle()
    return summary.text


async def test_a_retry_of_a_long_plain_reply_gets_the_same_first_piece(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        xml = world.oa_platform.xml(LEAD, "text", {"Content": f"履历 {LONG_NAME}"}, msg_id=777_000_001)
        first = await world.oa_platform.post(xml)
        await world.settle()
        sent = texts_to(world, LEAD)
        assert within_limit(first.text) and sent and all(within_limit(t) for t in sent)
        retry = await world.oa_platform.post(xml)  # WeChat's retry: our first answer did not reach it
        await world.settle()
        assert retry.text == first.text  # the first piece again, never the whole text
        assert texts_to(world, LEAD) == sent  # and nothing sent twice


async def test_a_retry_in_numbered_mode_repeats_the_question(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await without_customer_service(world)
        xml = world.oa_platform.xml(LEAD, "text", {"Content": "记录活动"}, msg_id=888_000_001)
        first = await world.oa_platform.post(xml)
        assert "哪天" in first.text and "1. " in first.text
        retry = await world.oa_platform.post(xml)
        assert retry.text == first.text  # not 'success': no msgmenu went out, the question would be lost
        await world.oa.passives.flush()
        other = WeChatChannel(
            RuntimeServices(world.runtime)
        )  # a retry that reaches another server process: nothing in memory
        again = Incoming(channel="wechat", user_id=LEAD, chat_id=LEAD, delivery_id="m:888000001", text="记录活动")
        turn = await world.runtime.handle(again)
        assert turn.duplicate and await other.replies.again(LEAD, again.delivery_id, turn) == first.text


async def test_without_customer_service_a_long_numbered_answer_keeps_its_options(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await without_customer_service(world)
        plain = await world.oa_platform.text(LEAD, f"履历 {LONG_NAME}")
        assert within_limit(plain.text)
        summary = await numbered_to_the_summary(world)
        # one passive reply is all there is: it carries the options; the beginning went to the outbox
        assert within_limit(summary) and "1. ✅ 提交" in summary and "回复序号" in summary
        kept = await rescued(world)
        assert any(LONG_NAME[:100] in t for t in kept) and any(t.startswith("请核对记录活动") for t in kept)
        assert all("1. ✅ 提交" not in t for t in kept)
        await world.oa_platform.text(LEAD, "1")  # submit, by its number
        async with world.runtime.sessions() as s:
            entry = await s.scalar(select(LedgerEntry))
            assert entry is not None and entry.status is EntryStatus.SUBMITTED


async def test_when_the_msgmenu_fails_a_long_numbered_answer_follows_in_pieces(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        oa = world.oa_platform
        await oa.text(LEAD, "记录活动")
        await world.settle()
        for label in ("今天", "攻关"):
            await click(world, LEAD, label)
        await oa.text(LEAD, "主轴振动攻关")
        await world.settle()
        for label in ("跳过", "李明", "完成", "2"):
            await click(world, LEAD, label)
        for text in ("内容" * 999, "结果" * 999):
            await oa.text(LEAD, text)
            await world.settle()
        before = len(texts_to(world, LEAD))
        world.fake.fail("message/custom/send", 45009)  # busy, once: the summary goes as numbered text
        menu = last_menu(world, LEAD)
        skip = next(i for i in menu["list"] if "跳过" in i["content"])
        passive = await oa.text(LEAD, skip["content"], bizmsgmenuid=skip["id"])
        await world.settle()
        after = texts_to(world, LEAD)[before:]
        # the API had worked, so the callback was answered at once and the numbered text followed through it
        assert passive.text == "" and after[0].startswith("请核对记录活动")
        assert after and all(within_limit(t) for t in after)
        assert "1. ✅ 提交" in after[-1] and all("1. ✅ 提交" not in t for t in after[:-1])
        assert world.oa.customer_service  # a busy API is no reason to stop using it
        await oa.text(LEAD, "1")  # submit, by its number
        async with world.runtime.sessions() as s:
            entry = await s.scalar(select(LedgerEntry))
            assert entry is not None and entry.status is EntryStatus.SUBMITTED


async def test_a_msgmenu_slower_than_the_budget_goes_out_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(oa_replies, "FIRST_SEND_BUDGET", 0.3)
    caplog.set_level(logging.WARNING)
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        world.fake.slow("message/custom/send", 0.8, msgtype="msgmenu")
        xml = world.oa_platform.xml(LEAD, "text", {"Content": "记录活动"}, msg_id=999_000_001)
        answer = await world.oa_platform.post(xml)
        retry = await world.oa_platform.post(xml)
        await world.settle()
        assert answer.text == "" and retry.text == ""  # the msgmenu was under way: no numbered text as well
        assert len(world.fake.sent("message/custom/send", msgtype="msgmenu")) == 1
        assert not [t for t in texts_to(world, LEAD) if "回复序号" in t]
        assert "timed out after 0.3 s" in caplog.text and "send failed ()" not in caplog.text
        assert not await rescued(world)


async def test_a_slow_msgmenu_that_then_fails_goes_to_the_outbox(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oa_replies, "FIRST_SEND_BUDGET", 0.3)
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        world.fake.slow("message/custom/send", 0.8, msgtype="msgmenu")
        world.fake.fail("message/custom/send", 45009)
        answer = await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        assert answer.text == ""
        [kept] = await rescued(world)
        assert "哪天" in kept  # the question is not lost: the outbox sender retries it


async def test_menu_clicks_with_unknown_keys_get_a_polite_answer(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        oa = world.oa_platform
        now = int(time.time())
        for i, key in enumerate(("MENU_KEY_01", "nonexistent", "菜单-1", "ledger 2")):
            answer = await oa.event(LEAD, "CLICK", key, at=now + i)
            assert "没听懂" in answer.text, key
        known = await oa.event(LEAD, "CLICK", "ledger", at=now + 10)
        await world.settle()
        assert known.text == "" and "台账" in last_menu(world, LEAD)["head_content"]
        await oa.text(LEAD, "记录活动")
        await world.settle()
        await click(world, LEAD, "今天")
        await click(world, LEAD, "攻关")
        stray = await oa.event(LEAD, "CLICK", "MENU_KEY_02", at=now + 20)
        assert "没听懂" in stray.text
        async with world.runtime.sessions() as s:
            conv = await s.scalar(select(Conversation))
            assert conv is not None and "title" not in conv.data["values"]  # not taken for the title


async def test_once_the_api_has_worked_a_msgmenu_goes_after_the_answer(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(oa_replies, "FIRST_SEND_BUDGET", 0.3)
    caplog.set_level(logging.WARNING)
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")  # the first msgmenu is awaited in the request, and works
        await world.settle()
        assert world.oa.api_proven
        menus = len(world.fake.sent("message/custom/send", msgtype="msgmenu"))
        world.fake.slow("message/custom/send", 0.8, msgtype="msgmenu")
        answer = await world.oa_platform.text(LEAD, "帮助")  # in a flow: the step's buttons again
        await world.settle()
        assert answer.text == "" and "timed out" not in caplog.text  # never waited for, so nothing timed out
        assert len(world.fake.sent("message/custom/send", msgtype="msgmenu")) == menus + 1
        assert not await rescued(world)


async def test_a_msgmenu_refused_after_answering_follows_as_numbered_text(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        world.fake.fail("message/custom/send", 48001)  # the right withdrawn: the msgmenu is refused, once
        answer = await world.oa_platform.text(LEAD, "帮助")
        await world.settle()
        assert answer.text == "" and not world.oa.customer_service
        assert any("回复序号" in t for t in texts_to(world, LEAD))  # the options, as numbered text


async def test_a_number_typed_after_numbered_options_answers_the_question_it_is_typed_at(
    db_url: str, tmp_path: Path
) -> None:
    # an overloaded API refuses one msgmenu, the next goes out: the typed "1" must not press the refused one's option
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        oa = world.oa_platform
        await oa.text(LEAD, "记录活动")  # the date's msgmenu works: the API is proven
        await world.settle()
        world.fake.fail("message/custom/send", 45009)  # busy, once: the kinds follow as numbered text
        await oa.text(LEAD, "今天")
        await world.settle()
        assert any("回复序号" in t for t in texts_to(world, LEAD))
        for word in ("技术交流", "五轴编程交流"):  # the kind typed out; then the title, and the place's msgmenu works
            await oa.text(LEAD, word)
        await world.settle()
        await oa.text(LEAD, "1")  # the first place, as the question now shown offers it
        await world.settle()
        async with world.runtime.sessions() as s:
            conv = await s.scalar(select(Conversation).where(Conversation.user_id == LEAD))
        # taken as the place, not refused as a button of the kinds' question (the numbers last shown)
        assert conv is not None and conv.step == "participants" and conv.data["values"]["place"] == "工作室"


def seen_by(world: WxWorld, openid: str, passive: list[str]) -> str:
    """Everything the follower read: the passive answers given, then every customer-service text and msgmenu."""
    calls = world.fake.sent("message/custom/send", touser=openid)
    sent = [c.body["text"]["content"] if c.body["msgtype"] == "text" else str(c.body.get("msgmenu")) for c in calls]
    return "\n".join([*passive, *sent])


async def test_a_number_typed_twice_quickly_is_refused_the_second_time(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the second "1" left before the next question reached the follower: it stands for the option they saw, which
    # is no longer asked; read as typed text it would answer a question they have not seen (here: the title "1")
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        oa = world.oa_platform
        await oa.text(LEAD, "记录活动")
        await world.settle()
        world.fake.fail("message/custom/send", 45009)  # busy, once: the kinds follow as numbered text
        await oa.text(LEAD, "今天")
        await world.settle()
        assert any("回复序号" in t for t in texts_to(world, LEAD))
        convert, both_read = world.oa.inbound.convert, asyncio.Barrier(2)

        async def read_together(msg: dict[str, Any]) -> Received:
            received = await convert(msg)  # the second one read before the first one's turn is answered
            await both_read.wait()
            return received

        monkeypatch.setattr(world.oa.inbound, "convert", read_together)
        answers = await asyncio.gather(oa.text(LEAD, "1"), oa.text(LEAD, "1"))
        await world.settle()
        assert "这个按钮属于之前的问题" in seen_by(world, LEAD, [a.text for a in answers])
        async with world.runtime.sessions() as s:
            conv = await s.scalar(select(Conversation).where(Conversation.user_id == LEAD))
        assert conv is not None and conv.step == "title" and "title" not in conv.data["values"]


async def test_a_number_typed_after_a_plain_question_is_its_answer(db_url: str, tmp_path: Path) -> None:
    # numbered kinds, then the title asked in plain text: "1" typed now is the title, not the first kind again
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        oa = world.oa_platform
        await oa.text(LEAD, "记录活动")
        await world.settle()
        world.fake.fail("message/custom/send", 45009)
        await oa.text(LEAD, "今天")
        await world.settle()
        await oa.text(LEAD, "技术交流")  # the kind typed out: the title's question goes out without numbers
        await world.settle()
        await oa.text(LEAD, "1")
        await world.settle()
        async with world.runtime.sessions() as s:
            conv = await s.scalar(select(Conversation).where(Conversation.user_id == LEAD))
        assert conv is not None and conv.data["values"].get("title") == "1"
