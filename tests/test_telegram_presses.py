"""Telegram presses through the fake Bot API with the real python-telegram-bot: an expired or refused press is
answered with a toast; ordinary presses are answered silently."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.core.i18n import t
from tests.support.fake_telegram import button_data, callback_update
from tests.support.telegram_world import LEAD_TG, REVIEWER_TG, TelegramHarness, seed, telegram_world

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a "JPEG" of 10 KiB


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    """The lead and the reviewer bound, in each mode, against the fake Bot API."""
    async with telegram_world(db_url, tmp_path, request.param) as harness:
        seeded = await seed(harness.runtime.sessions)
        await harness.say(LEAD_TG, f"/start {seeded.lead_code}")
        await harness.say(REVIEWER_TG, f"/start {seeded.reviewer_code}")
        yield harness


def toasts(tg: TelegramHarness) -> list[str]:
    """The texts the bot answered callback queries with, oldest first (empty for a silent answer)."""
    return [str(c.params.get("text") or "") for c in tg.fake.sent("answerCallbackQuery")]


async def test_a_button_of_a_record_cancelled_since_gets_a_toast(tg: TelegramHarness) -> None:
    await tg.say(LEAD_TG, "记录活动")
    question = tg.last_with_button(LEAD_TG, t("engine.cancel", "zh_CN"))
    await tg.say(LEAD_TG, "取消")
    today = question["reply_markup"]["inline_keyboard"][0][0]["text"]

    await tg.deliver(callback_update(tg.fake.next_update_id(), LEAD_TG, question, button_data(question, today)))

    assert toasts(tg)[-1] == t("engine.nothing_open", "zh_CN")


async def test_a_second_reviewer_press_is_toasted_with_who_decided(tg: TelegramHarness) -> None:
    await tg.log_activity(LEAD_TG, "数控编程学习")
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()
    approve = t("reviews.button.approve", "zh_CN")
    card = dict(tg.last_with_button(REVIEWER_TG, approve))
    await tg.press(REVIEWER_TG, approve)
    assert toasts(tg)[-1] == ""  # the decision itself edits the card: no toast needed

    await tg.deliver(callback_update(tg.fake.next_update_id(), REVIEWER_TG, card, button_data(card, approve)))
    assert toasts(tg)[-1].startswith("您已于") and toasts(tg)[-1].endswith("通过。")


async def test_a_stale_button_of_the_open_record_gets_a_toast_and_the_question_again(tg: TelegramHarness) -> None:
    await tg.say(LEAD_TG, "记录活动")
    first = dict(tg.last_with_button(LEAD_TG, t("engine.cancel", "zh_CN")))
    today = first["reply_markup"]["inline_keyboard"][0][0]["text"]
    await tg.press(LEAD_TG, today)  # answered: the date question's keyboard goes, the kind question comes

    await tg.deliver(callback_update(tg.fake.next_update_id(), LEAD_TG, first, button_data(first, today)))

    assert toasts(tg)[-1] == t("engine.stale_button", "zh_CN")
    assert t("activity.ask.kind", "zh_CN") in tg.fake.messages_to(LEAD_TG)[-1]["text"]


async def test_the_reviewer_gets_the_entrys_photo_as_a_file(tg: TelegramHarness) -> None:
    await tg.log_activity(LEAD_TG, "数控编程学习", photo=PHOTO)
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()
    card = tg.last_with_button(REVIEWER_TG, "📎 查看附件（1）")
    assert "📎 附件（1）：" in card["text"]

    await tg.press(REVIEWER_TG, "📎 查看附件（1）")

    assert len(tg.fake.sent("sendPhoto", chat_id=REVIEWER_TG)) == 1
    assert tg.fake.uploads[-1][1] == PHOTO
    assert button_data(tg.fake.messages[card["message_id"]], t("reviews.button.approve", "zh_CN"))  # still decidable
