"""Follow-ups owed on WeChat OA and WeCom: a turn's messages sent after its passive answer are owed until they went
out (the kill -9 scenario is tests/faults/test_kill_followups.py). Here: what went out is never brought again, what
was owed comes back without the passive answer already read, a dead process's debt is paid by this one, a turn
answered whole in its passive answer writes nothing after it, a WeCom card waits for no agent API, and a turn's
text is cut into messages once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.wechat import replies as wechat_replies
from bot.channels.wxbase import owed as wxbase_owed
from bot.channels.wxbase.text import TEXT_LIMIT, split_text
from handlers.core.types import Incoming, Reply
from handlers.engine.pipeline import Bot
from storage.base import utcnow
from tests.support.fake_telegram import until
from tests.support.sql import statements
from tests.support.wechat_world import WxWorld, wechat_world
from tests.test_wechat_oa import LEAD, bind_lead
from tests.test_wecom_channel import LEAD as MEMBER
from tests.test_wecom_channel import say


def menus_to(world: WxWorld, openid: str, words: str) -> int:
    """How many customer-service msgmenus whose text has `words` this follower got."""
    sent = world.fake.sent("message/custom/send", touser=openid, msgtype="msgmenu")
    return sum(words in call.body["msgmenu"]["head_content"] for call in sent)


def said_to(world: WxWorld, member: str) -> list[str]:
    """What the WeCom app sent a member, oldest first: texts, and each card's title and subtitle."""
    said = []
    for call in world.fake.sent("message/send", touser=member):
        if call.body["msgtype"] == "text":
            said.append(call.body["text"]["content"])
        elif call.body["msgtype"] == "template_card":
            card = call.body["template_card"]
            said.append(card["main_title"]["title"] + "\n" + card.get("sub_title_text", ""))
    return said


def later(world: WxWorld) -> None:
    """The bot's clock past REPLY_OWED_AFTER_SECONDS (30 s): anything still owed now would come with the next turn."""
    world.runtime.bot.clock = lambda: utcnow() + timedelta(minutes=1)


async def test_a_follow_up_that_went_out_is_not_brought_again_on_wechat(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        for word in ("记录活动", "今天"):  # both answered with nothing, their questions sent by the API after
            assert (await world.oa_platform.text(LEAD, word)).text == ""
            await world.settle()
        later(world)
        await world.oa_platform.text(LEAD, "技术交流")
        await world.settle()
        assert menus_to(world, LEAD, "活动类别是") == 1
        assert menus_to(world, LEAD, "活动主题是") == 1


async def test_a_follow_up_that_went_out_is_not_brought_again_on_wecom(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, MEMBER, f"绑定 {world.seeded.lead_code}")
        await say(world, MEMBER, "记录活动")
        later(world)
        await say(world, MEMBER, "今天")
        said = said_to(world, MEMBER)
        assert sum("类别" in text for text in said) == 1, said
        assert sum("开始记录活动" in text for text in said) == 1, said


async def test_only_a_turn_with_follow_ups_writes_after_its_answer(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        with statements(world.runtime.engine) as passive_only:
            answer = await world.oa_platform.text(LEAD, "取消")  # answered whole in the passive reply
            await world.settle()
        assert "已取消" in answer.text
        with statements(world.runtime.engine) as with_follow_up:
            await world.oa_platform.text(LEAD, "记录活动")  # its question goes by the API after the answer
            await world.settle()
    marks = [s for s in passive_only + with_follow_up if s.lstrip().upper().startswith("UPDATE SEEN_DELIVERIES")]
    assert not any(s in marks for s in passive_only)
    assert len(marks) == 1  # the follow-up's delivery marked sent, once


async def test_follow_ups_sent_close_together_are_marked_sent_in_one_write(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await world.oa_platform.text(LEAD, "记录活动")  # the first msgmenu is awaited in the request: the API works
        await world.settle()
        with statements(world.runtime.engine) as said:
            for word in ("今天", "帮助"):  # each question goes by the API after its answer
                await world.oa_platform.text(LEAD, word)
            await world.settle()
        later(world)
        await world.oa_platform.text(LEAD, "帮助")
        await world.settle()
    marks = [s for s in said if s.lstrip().upper().startswith("UPDATE SEEN_DELIVERIES")]
    assert len(marks) == 1, marks  # both deliveries in one write
    assert menus_to(world, LEAD, "活动类别") == 3  # and nothing brought again: the kinds, the kinds again, then help's


async def test_a_wecom_card_waits_for_no_agent_api_and_still_arrives(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, MEMBER, f"绑定 {world.seeded.lead_code}")
        world.fake.hold("message/send", touser=MEMBER)  # the agent API takes nothing until released
        answer = await world.wecom_platform.text(MEMBER, "记录活动")  # answered while nothing could be sent
        assert answer.status == 200 and answer.text == ""
        await until(lambda: world.fake.holding > 0, what="the card on its way")
        assert not any("开始记录活动" in text for text in said_to(world, MEMBER))
        world.fake.release(deliver=True)
        await world.settle()
        assert sum("开始记录活动" in text for text in said_to(world, MEMBER)) == 1


async def test_replies_owed_by_another_process_that_died_come_with_the_next_turn_here(
    db_url: str, tmp_path: Path
) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)  # this process has looked for owed replies once already
        elsewhere = Bot(world.runtime.sessions, world.runtime.config, routes=world.runtime.bot.routes)
        incoming = Incoming(channel="wechat", user_id=LEAD, chat_id=LEAD, delivery_id="m:elsewhere", text="记录活动")
        turn = await elsewhere.handle(replace(incoming, confirms_replies=True))  # committed there, then it died
        assert turn.replies and not turn.duplicate
        later(world)
        await world.oa_platform.text(LEAD, "今天")
        await world.settle()
        assert menus_to(world, LEAD, "开始记录活动") == 1  # the question never sent, brought here
        assert menus_to(world, LEAD, "活动类别是") == 1


async def test_only_what_went_after_the_answer_is_brought_again(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        elsewhere = Bot(world.runtime.sessions, world.runtime.config, routes=world.runtime.bot.routes)
        incoming = Incoming(channel="wechat", user_id=LEAD, chat_id=LEAD, delivery_id="m:passive-went", text="帮助")
        lost = Reply(text="（答复之后的那条消息）")  # its passive answer reached WeChat; what followed it did not
        turn = await elsewhere.handle(replace(incoming, confirms_replies=True, sent_after=lambda replies: [lost]))
        assert "记录活动" in turn.replies[0].text
        later(world)
        answer = await world.oa_platform.text(LEAD, "取消")
        assert answer.text == lost.text  # first, and without the help the follower had already read


async def test_a_turns_text_is_cut_into_messages_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the engine asks what goes after the passive answer (to record it as owed) and the answer is cut from the same
    # text: one cut serves both, the text's bytes counted once a turn (the OA mixed bench's leads answered passively)
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        cuts: list[str] = []

        def counted(text: str, limit: int = TEXT_LIMIT) -> list[str]:
            cuts.append(text)
            return split_text(text, limit)

        for module in (wechat_replies, wxbase_owed):
            monkeypatch.setattr(module, "split_text", counted, raising=False)
        answer = await world.oa_platform.text(LEAD, "帮助")  # answered whole in the passive reply
        await world.settle()
    assert "记录活动" in answer.text
    assert len(cuts) == 1, cuts
