"""Photos and documents with a caption: a command caption is read as a message of its own (then the file is kept);
any other caption is kept as the file's description."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot.channels.telegram.inbound import caption_of
from handlers.core.i18n import t
from storage.models import Attachment, Conversation, LedgerEntry, SeenDelivery
from tests.support.fake_telegram import button_labels, document_update, photo_update
from tests.support.telegram_world import LEAD_TG, MEMBERS, TelegramHarness, seed, telegram_world

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    """A bound lead's chat, in each mode, against the fake Bot API."""
    async with telegram_world(db_url, tmp_path, request.param) as harness:
        seeded = await seed(harness.runtime.sessions)
        await harness.say(LEAD_TG, f"/start {seeded.lead_code}")
        yield harness


def captioned_photo(tg: TelegramHarness, caption: str) -> dict[str, Any]:
    """A photo update with this caption, its file downloadable from the fake."""
    file_id = tg.fake.add_file(PHOTO, path=f"photos/p{len(tg.fake.files)}.jpg")
    return photo_update(tg.fake.next_update_id(), LEAD_TG, [(file_id, 1280)], caption=caption)


async def send(tg: TelegramHarness, update: dict[str, Any]) -> list[str]:
    """Deliver an update; the texts the lead got for it."""
    mark = max(tg.fake.messages, default=0)
    await tg.deliver(update)
    await tg.channel.drain()
    return [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]


async def conversation(tg: TelegramHarness) -> Conversation:
    async with tg.runtime.sessions() as s:
        found = await s.scalar(select(Conversation))
    assert found is not None
    return found


def kept_files(conv: Conversation) -> list[dict[str, Any]]:
    return [f for v in conv.data["values"].values() if isinstance(v, list) for f in v if isinstance(f, dict)]


async def test_a_caption_naming_a_command_opens_the_record_the_photo_joins(tg: TelegramHarness) -> None:
    answers = await send(tg, captioned_photo(tg, "记录活动"))

    assert len(answers) == 2
    assert t("activity.ask.date", "zh_CN") in answers[0]
    assert answers[1].startswith(t("engine.file_kept", "zh_CN", count=1))
    [kept] = kept_files(await conversation(tg))
    assert kept["kind"] == "photo" and Path(kept["stored_path"]).read_bytes() == PHOTO  # noqa: ASYNC240


async def test_a_caption_is_kept_as_the_files_description_not_taken_as_an_answer(tg: TelegramHarness) -> None:
    await tg.say(LEAD_TG, "记录活动")
    await tg.press(LEAD_TG, button_labels(tg.fake.messages_to(LEAD_TG)[-1])[0])
    await tg.press(LEAD_TG, t("activity.kind.技术交流", "zh_CN"))

    answers = await send(tg, captioned_photo(tg, "车间现场，左起李明、赵强"))

    assert len(answers) == 1  # one turn: the file, its caption with it
    assert answers[0].startswith("文件说明已记下：“车间现场，左起李明、赵强”")
    assert t("activity.ask.title", "zh_CN") in answers[0]  # the title is still asked: the caption did not answer it
    await tg.say(LEAD_TG, "五轴编程交流")
    await tg.press(LEAD_TG, t("activity.place_studio", "zh_CN"))
    await tg.press(LEAD_TG, MEMBERS[0])
    await tg.press(LEAD_TG, t("engine.done", "zh_CN"))
    await tg.press(LEAD_TG, t("activity.hours_choice", "zh_CN", hours="2"))
    await tg.say(LEAD_TG, "交流五轴加工中心的编程经验")
    await tg.press(LEAD_TG, t("engine.skip", "zh_CN"))
    await tg.press(LEAD_TG, t("engine.done", "zh_CN"))
    await tg.press(LEAD_TG, t("engine.submit", "zh_CN"))
    async with tg.runtime.sessions() as s:
        entry = await s.scalar(select(LedgerEntry))
        [attachment] = list(await s.scalars(select(Attachment)))
    assert entry is not None and entry.title == "五轴编程交流"
    assert attachment.description == "车间现场，左起李明、赵强"


async def test_a_captioned_photo_delivered_twice_is_processed_once(tg: TelegramHarness) -> None:
    update = captioned_photo(tg, "记录活动")

    first = await send(tg, update)
    again = await send(tg, update)

    assert len(first) == 2 and again == []
    assert tg.channel.stats["duplicates"] == 1
    conv = await conversation(tg)
    assert len(kept_files(conv)) == 1
    async with tg.runtime.sessions() as s:
        seen = set(await s.scalars(select(SeenDelivery.delivery_id)))
    delivery = f"{tg.fake.token.partition(':')[0]}:{update['update_id']}"  # keyed by the bot
    assert {delivery, f"{delivery}:caption"} <= seen


async def test_a_redelivery_after_only_the_caption_was_processed_does_the_rest_once(tg: TelegramHarness) -> None:
    file_id = tg.fake.add_file(b"%PDF-1.7 plan", path="documents/plan.pdf")
    update = document_update(
        tg.fake.next_update_id(),
        LEAD_TG,
        file_id,
        file_name="方案.pdf",
        mime_type="application/pdf",
        caption="记录活动",
    )
    # an earlier attempt committed the caption's turn, then stopped before the file's and before replying
    bot = tg.channel.application.bot
    caption = caption_of(Update.de_json(update, bot), tg.channel.services, bot)
    assert caption is not None
    opened = await tg.runtime.handle(caption)

    answers = await send(tg, update)

    assert answers == [*(r.text for r in opened.replies), answers[-1]]  # the caption's answer is still owed
    assert answers[-1].startswith(t("engine.file_kept", "zh_CN", count=1))
    [kept] = kept_files(await conversation(tg))
    assert kept["filename"] == "方案.pdf"


async def test_a_caption_is_read_even_when_its_file_cannot_be_fetched(tg: TelegramHarness) -> None:
    huge = tg.fake.add_file(b"x", path="documents/huge.pdf")
    update = document_update(
        tg.fake.next_update_id(),
        LEAD_TG,
        huge,
        file_name="图纸.pdf",
        mime_type="application/pdf",
        file_size=25 << 20,
        caption="记录活动",
    )

    answers = await send(tg, update)

    assert t("activity.ask.date", "zh_CN") in answers[0]
    assert answers[1] == t("telegram.file_too_big", "zh_CN")
    assert answers[2].startswith(t("activity.ask.date", "zh_CN"))  # the question again after the refusal
    assert kept_files(await conversation(tg)) == []
