"""Voice messages through the real protocols (issue 19, part 7): the Official Account's Recognition is an answer;
without it (recognition off, WeCom, Telegram) the recording is kept as an attachment and the person asked to type."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select
from wechatpy import parse_message
from wechatpy.messages import VoiceMessage

from storage.models import Attachment, LedgerEntry
from tests.support.telegram_world import LEAD_TG, seed, telegram_world
from tests.support.wechat_world import WxWorld, wechat_world
from tests.test_wechat_oa import LEAD, bind_lead, click, last_menu, texts_to
from tests.test_wecom_channel import LEAD as WECOM_LEAD
from tests.test_wecom_channel import cards, press, say, texts

AMR = b"#!AMR\n" + bytes(range(200))  # what WeChat's media/get returns for a voice message
HEARD = "分析主轴振动原因，更换轴承并复测。"


async def oa_until_content(world: WxWorld) -> None:
    """The bound lead, 记录活动 typed answer by answer up to 活动内容."""
    await bind_lead(world)
    for text in ("记录活动", "今天", "攻关", "主轴振动攻关", "跳过", "李明", "2"):
        await world.oa_platform.text(LEAD, text)
        await world.settle()
    assert "活动内容" in last_menu(world, LEAD)["head_content"]


async def test_the_official_accounts_recognition_is_shown_back_and_taken(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await oa_until_content(world)
        voice = world.fake.add_media(AMR, media_type="audio/amr")
        xml = world.oa_platform.voice_xml(LEAD, voice, HEARD)
        message = parse_message(xml)  # what wechatpy itself reads from such a callback
        assert isinstance(message, VoiceMessage) and message.recognition == HEARD
        await world.oa_platform.post(xml)
        await world.settle()
        shown = last_menu(world, LEAD)
        assert "听到的是" in shown["head_content"] and "分析主轴振动原因，更换轴承并复测" in shown["head_content"]
        await click(world, LEAD, "就用这段")
        assert "成效" in last_menu(world, LEAD)["head_content"]
        for label in ("跳过", "跳过", "提交"):  # results, files, submit
            await click(world, LEAD, label)
        async with world.runtime.sessions() as s:
            entry = await s.scalar(select(LedgerEntry))
            assert entry is not None
            assert await s.scalar(select(Attachment)) is None  # a heard voice is the answer, not a file
        assert not world.fake.sent("media/get")  # nothing fetched: the words came with the callback


async def test_without_recognition_the_voice_is_kept_and_the_lead_asked_to_type(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await oa_until_content(world)
        voice = world.fake.add_media(AMR, media_type="audio/amr")
        await world.oa_platform.voice(LEAD, voice)  # 接收语音识别结果 off: no Recognition
        await world.settle()
        shown = last_menu(world, LEAD)["head_content"]
        assert "语音已作为附件保存（共 1 个文件）" in shown and "请打字回答" in shown and "活动内容" in shown
        await world.oa_platform.text(LEAD, "分析主轴振动原因")
        await world.settle()
        for label in ("跳过", "完成", "提交"):  # results, files (the voice is there), submit
            await click(world, LEAD, label)
        async with world.runtime.sessions() as s:
            attachment = await s.scalar(select(Attachment))
            assert attachment is not None and attachment.entry_id is not None
            assert attachment.media_type == "audio/amr" and attachment.filename.endswith(".amr")
            stored = await asyncio.to_thread(Path(attachment.stored_path).read_bytes)
            assert stored == AMR


async def test_a_voice_outside_a_record_is_not_fetched_and_asks_for_typing(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        voice = world.fake.add_media(AMR, media_type="audio/amr")
        answer = await world.oa_platform.voice(LEAD, voice)
        await world.settle()
        assert "收到语音，但这里读不出其中的文字，请打字回答" in answer.text + "".join(texts_to(world, LEAD))
        assert not world.fake.sent("media/get")


async def test_a_wecom_voice_is_kept_as_an_attachment(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, WECOM_LEAD, f"绑定 {world.seeded.lead_code}")
        await say(world, WECOM_LEAD, "记录活动")
        await press(world, WECOM_LEAD, "今天")
        voice = world.fake.add_media(AMR, media_type="audio/amr")
        await world.wecom_platform.voice(WECOM_LEAD, voice)
        await world.settle()
        shown = str(cards(world, WECOM_LEAD)[-3:]) + "".join(texts(world, WECOM_LEAD)[-2:])
        assert "语音已作为附件保存" in shown and "活动类别" in shown
        assert world.fake.sent("media/get")  # fetched at once: WeCom's media ids expire


async def test_a_telegram_voice_is_kept_and_the_question_asked_again(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        outside = await tg.voice(LEAD_TG, b"OggS" + bytes(299))  # no record open: not even downloaded
        assert "收到语音，但这里读不出其中的文字，请打字回答" in str(outside[-1]["text"])
        assert not tg.fake.sent("getFile")
        await tg.say(LEAD_TG, "/activity")
        answered = await tg.voice(LEAD_TG, b"OggS" + bytes(300))
        said = "\n".join(str(m["text"]) for m in answered)
        assert "语音已作为附件保存（共 1 个文件）" in said and "请打字回答" in said and "活动是哪天" in said
        await tg.say(LEAD_TG, "/lang en")
        answered = await tg.voice(LEAD_TG, b"OggS" + bytes(301))
        said = "\n".join(str(m["text"]) for m in answered)
        assert "The voice message is kept as an attachment (2 files in all)" in said
