"""Telegram end to end, in polling and in webhook mode: real PTB, real engine and database, a fake Bot API."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.http.metrics import Metrics
from handlers.core.i18n import t
from storage.models import (
    Attachment,
    ChannelIdentity,
    Conversation,
    EntryStatus,
    LedgerEntry,
    ReviewDecision,
)
from tests.support.fake_telegram import button_data, button_labels, callback_update, text_update
from tests.support.telegram_world import (
    LEAD_TG,
    MEMBERS,
    REVIEWER_TG,
    STRANGER_TG,
    STUDIO,
    TelegramHarness,
    seed,
    telegram_world,
)
from tests.test_http_app import metric

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a "JPEG" of 10 KiB


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    """The channel started in each mode against the fake Bot API."""
    async with telegram_world(db_url, tmp_path, request.param) as harness:
        yield harness


def texts(messages: list[dict[str, object]]) -> list[str]:
    return [str(m["text"]) for m in messages]


async def test_start_with_a_code_binds_the_telegram_user(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)

    wrong = await tg.say(LEAD_TG, "/start ZZZZ999999")
    assert texts(wrong) == [t("binding.wrong_code", "zh_CN")]

    bound = await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    lead = t("binding.role.lead", "zh_CN")
    assert texts(bound) == [t("binding.done_at", "zh_CN", name="王建国", role=lead, place=STUDIO)]
    async with tg.runtime.sessions() as s:
        identity = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
    assert identity is not None
    assert (identity.person_id, identity.external_id, identity.chat_id) == (seeded.lead_id, str(LEAD_TG), str(LEAD_TG))


async def test_an_unbound_user_is_answered_in_their_telegram_language(tg: TelegramHarness) -> None:
    before = max(tg.fake.messages, default=0)
    await tg.deliver(text_update(tg.fake.next_update_id(), STRANGER_TG, "hello", language_code="en-US"))
    answers = [m for m in tg.fake.messages_to(STRANGER_TG) if m["message_id"] > before]
    assert texts(answers) == [t("engine.unbound", "en")]


async def test_a_whole_activity_conversation_with_a_photo(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")

    last = await tg.log_activity(LEAD_TG, "五轴编程经验交流", photo=PHOTO)

    assert len(last) == 1 and "五轴编程经验交流" in last[0]["text"] and "#" in last[0]["text"]
    summary = tg.fake.messages_to(LEAD_TG)[-2]
    assert t("engine.file_count", "zh_CN", count=1) in summary["text"]
    async with tg.runtime.sessions() as s:
        entry = await s.scalar(select(LedgerEntry))
        attachments = list(await s.scalars(select(Attachment)))
        open_conversations = await s.scalar(select(func.count()).select_from(Conversation))
    assert entry is not None
    assert (entry.title, entry.status, entry.author_id) == ("五轴编程经验交流", EntryStatus.SUBMITTED, seeded.lead_id)
    assert open_conversations == 0
    # the largest size was fetched at once and our own copy is what the user sent
    [attachment] = attachments
    assert attachment.entry_id == entry.id and attachment.channel == "telegram"
    assert attachment.sha256 == hashlib.sha256(PHOTO).hexdigest() and attachment.size == len(PHOTO)
    assert Path(attachment.stored_path).read_bytes() == PHOTO  # noqa: ASYNC240 - a test reading one small file
    assert Path(attachment.stored_path).is_relative_to(tg.runtime.settings.media_dir)
    fetched = [c.params["file_id"] for c in tg.fake.sent("getFile")]
    assert fetched == [attachment.file_ref]


async def test_a_reviewer_approves_with_the_inline_button(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(REVIEWER_TG, f"/start {seeded.reviewer_code}")
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.log_activity(LEAD_TG, "数控编程学习")
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()  # the review notice goes out through the Telegram pusher

    approve = t("reviews.button.approve", "zh_CN")
    notice = tg.last_with_button(REVIEWER_TG, approve)
    assert "数控编程学习" in notice["text"]
    as_sent = dict(notice)
    await tg.press(REVIEWER_TG, approve)

    # the press was answered, and the pressed message now shows the outcome without its decision buttons
    assert tg.fake.sent("answerCallbackQuery")
    [edit] = tg.fake.sent("editMessageText", message_id=notice["message_id"])
    edited = tg.fake.messages[notice["message_id"]]
    assert edited["text"] == edit.params["text"] != as_sent["text"]
    assert approve not in button_labels(edited)
    async with tg.runtime.sessions() as s:
        entry = await s.scalar(select(LedgerEntry))
    assert entry is not None and entry.status is EntryStatus.APPROVED

    # a second tap on the button as it was (a slow client) changes nothing
    replay = callback_update(tg.fake.next_update_id(), REVIEWER_TG, as_sent, button_data(as_sent, approve))
    await tg.deliver(replay)
    async with tg.runtime.sessions() as s:
        decisions = await s.scalar(select(func.count()).select_from(ReviewDecision))
    assert decisions == 1

    # the lead hears of it through the outbox
    await tg.runtime.sender.run_once()
    assert "数控编程学习" in tg.fake.messages_to(LEAD_TG)[-1]["text"]


async def test_the_same_update_twice_is_processed_once(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    update = text_update(tg.fake.next_update_id(), LEAD_TG, "记录活动")
    before = len(tg.fake.sent("sendMessage"))

    await tg.deliver(update)
    await tg.deliver(update)

    prompts = tg.fake.sent("sendMessage")[before:]
    assert len(prompts) == 1
    assert tg.channel.stats["duplicates"] == 1
    # the conversation moved one step, not two: pressing "today" once reaches the second question
    [after] = await tg.press(LEAD_TG, button_labels(tg.fake.messages_to(LEAD_TG)[-1])[0])
    assert t("activity.kind.技术交流", "zh_CN") in button_labels(after)


async def test_a_press_delivered_twice_is_answered_but_acted_on_once(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    [prompt] = await tg.say(LEAD_TG, "记录活动")
    today = button_labels(prompt)[0]
    press = callback_update(tg.fake.next_update_id(), LEAD_TG, prompt, button_data(prompt, today))
    before = len(tg.fake.sent("sendMessage"))

    await tg.deliver(press)
    await tg.deliver(press)

    assert len(tg.fake.sent("answerCallbackQuery")) == 2  # no spinner is left turning
    assert len(tg.fake.sent("sendMessage")[before:]) == 1


async def test_flood_control_is_waited_out_and_the_message_still_sent(tg: TelegramHarness) -> None:
    tg.fake.fail_once("sendMessage", retry_after=1)

    answers = await tg.say(STRANGER_TG, "帮助")

    assert texts(answers) == [t("engine.unbound", "zh_CN")]
    attempts = tg.fake.sent("sendMessage", chat_id=STRANGER_TG)
    assert len(attempts) == 2 and attempts[0].params["text"] == attempts[1].params["text"]


async def test_members_are_offered_as_buttons_and_toggled_in_place(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.say(LEAD_TG, "记录活动")
    await tg.press(LEAD_TG, button_labels(tg.fake.messages_to(LEAD_TG)[-1])[0])
    await tg.press(LEAD_TG, t("activity.kind.学习", "zh_CN"))
    await tg.say(LEAD_TG, "学习")
    place = tg.last_with_button(LEAD_TG, t("activity.place_studio", "zh_CN"))
    [members] = await tg.press(LEAD_TG, t("activity.place_studio", "zh_CN"))
    assert button_labels(tg.fake.messages[place["message_id"]]) == []  # the answered question's keyboard goes
    assert set(MEMBERS) <= set(button_labels(members))
    assert await tg.press(LEAD_TG, MEMBERS[2]) == []  # no copy of the question: its keyboard is redrawn
    assert await tg.press(LEAD_TG, MEMBERS[0]) == []
    redrawn = tg.fake.messages[members["message_id"]]
    assert f"✓ {MEMBERS[2]}" in button_labels(redrawn) and f"✓ {MEMBERS[0]}" in button_labels(redrawn)
    answered = tg.fake.sent("answerCallbackQuery")
    assert answered and all(not c.params.get("text") for c in answered)  # ordinary presses: no toast


async def test_polled_updates_are_counted_in_the_metrics(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "polling") as tg:
        metrics = Metrics()
        tg.channel.bind_metrics(metrics)
        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        update = text_update(tg.fake.next_update_id(), LEAD_TG, "帮助")
        await tg.deliver(update)
        await tg.deliver(update)
        text = (await metrics.render(tg.runtime.sessions)).decode()
    assert metric(text, "studio_inbound_events_total", channel="telegram", outcome="message") == 2
    assert metric(text, "studio_inbound_events_total", channel="telegram", outcome="duplicate") == 1
    assert metric(text, "studio_inbound_latency_seconds_count", channel="telegram") == 3
    assert metric(text, "studio_replies_total", channel="telegram", way="api") == 2
