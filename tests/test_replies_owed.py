"""A process that stops between committing a turn and sending its replies: the person's next message brings them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storage.base import utcnow
from tests.support.telegram_world import LEAD_TG, seed, telegram_world

QUESTION = "活动是哪天？"


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_replies_lost_to_a_crash_after_commit_come_first_with_the_next_message(
    db_url: str, tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with telegram_world(db_url, tmp_path / "before", mode) as tg:
        seeded = await seed(tg.runtime.sessions)
        assert any("王建国" in m.get("text", "") for m in await tg.say(LEAD_TG, f"/start {seeded.lead_code}"))

        async def dies_before_sending(*_: object, **__: object) -> None:
            return None  # the process is gone: nothing after the commit happens, not even the bookkeeping

        monkeypatch.setattr(tg.channel.turns, "deliver_accepted", dies_before_sending)
        assert await tg.say(LEAD_TG, "记录活动") == []  # committed (the record is open), never answered
    async with telegram_world(db_url, tmp_path / "after", mode) as tg:  # the process started again
        tg.runtime.bot.clock = lambda: utcnow() + timedelta(minutes=1)
        for _ in range(10):  # this fake Telegram counts update ids from the start again; the real one goes on
            tg.fake.next_update_id()
        said = [m.get("text", "") for m in await tg.say(LEAD_TG, "今天")]
        assert QUESTION in said[0], said  # the question they never saw, before the answer to what they typed
        assert len(said) >= 2 and QUESTION not in said[-1], said
        # owed once: the message after that brings only its own answer
        again = [m.get("text", "") for m in await tg.say(LEAD_TG, "帮助")]
        assert not any(QUESTION in text for text in again), again
