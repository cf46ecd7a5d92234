"""Replies are paced as Telegram asks: about one a second into a chat (a turn's few may go together), 30 a second
for the whole bot, and what waited behind a 429 comes out paced, not all at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.telegram import pacing
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_world import LEAD_TG, telegram_world

CHAT_BURST = pacing.CHAT_BURST  # as shipped (conftest lifts it for the other tests' fast typists)


@pytest.fixture(autouse=True)
def real_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram's per-chat pace as it runs in production."""
    monkeypatch.setattr(pacing, "CHAT_BURST", CHAT_BURST)


def most_in_a_second(fake: FakeTelegram, chat_id: int | None = None) -> int:
    """The most sendMessage calls (to one chat, if given) that reached the fake within any one second."""
    times = sorted(
        c.at for c in fake.calls if c.method == "sendMessage" and chat_id in (None, int(c.params["chat_id"]))
    )
    return max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)


async def test_a_long_run_of_replies_into_one_chat_goes_about_one_a_second(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        bot = tg.channel.application.bot  # the one bot every reply and push goes through
        await asyncio.gather(*(bot.send_message(chat_id=LEAD_TG, text=f"第{n}条待审") for n in range(8)))
        assert len(tg.fake.messages_to(LEAD_TG)) == 8  # nothing dropped
        assert most_in_a_second(tg.fake, LEAD_TG) <= 4  # a burst of three, then one a second


async def test_after_a_429_the_waiting_replies_come_out_paced(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        bot = tg.channel.application.bot
        tg.fake.fail_once("sendMessage", retry_after=1)
        await asyncio.gather(*(bot.send_message(chat_id=LEAD_TG, text=f"第{n}条") for n in range(8)))
        assert len(tg.fake.messages_to(LEAD_TG)) == 8
        assert most_in_a_second(tg.fake, LEAD_TG) <= 4


async def test_the_bot_as_a_whole_sends_at_most_about_30_a_second(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        bot = tg.channel.application.bot
        await asyncio.gather(*(bot.send_message(chat_id=8000 + n, text="您好") for n in range(75)))
        assert sum(1 for c in tg.fake.calls if c.method == "sendMessage") == 75
        assert most_in_a_second(tg.fake) <= 34  # paced under 30 a second (arrival jitter aside); was 60
