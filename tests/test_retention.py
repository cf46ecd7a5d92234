"""What the bot remembers, and for how long: delivery ids per bot and for days, not for ever; files no record took
are removed once their conversation can no longer come back for them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.housekeeping import housekeep
from storage.base import utcnow
from storage.models import Attachment, SeenDelivery
from tests.support.fake_telegram import photo_update, text_update
from tests.support.faults import SCRIPT
from tests.support.telegram_world import LEAD_TG, STRANGER_TG, seed, telegram_world
from tests.test_media_gate import kept_files

OTHER_BOT = "987654321:AAOtherBotTokenForTestsOnly_abcdefg"
UNBOUND = "您好！您还没有绑定身份"


async def test_a_second_bot_on_the_same_database_answers_update_ids_the_first_has_seen(
    db_url: str, tmp_path: Path
) -> None:
    async with telegram_world(db_url, tmp_path / "first", "webhook") as first:
        said = await first.say(STRANGER_TG, "你好")  # update ids of this fake start at 500000
        assert UNBOUND in said[0]["text"]
    async with telegram_world(db_url, tmp_path / "second", "webhook", token=OTHER_BOT) as second:
        said = await second.say(STRANGER_TG, "你好")  # the same update id, from another bot: a new message
        assert said and UNBOUND in said[0]["text"]


async def test_delivery_ids_and_unused_files_are_forgotten_after_their_retention(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        await tg.log_activity(LEAD_TG, "刀具寿命攻关", photo=b"\xff\xd8\xff\xe0 kept with the record")
        for text in SCRIPT[:9]:  # another activity, up to its photos
            await tg.say(LEAD_TG, text)
        photo = tg.fake.add_file(b"\xff\xd8\xff\xe0 sent, then the record was cancelled", path="photos/later.jpg")
        await tg.deliver(photo_update(tg.fake.next_update_id(), LEAD_TG, [(photo, 1280)]))
        await tg.say(LEAD_TG, "取消")
        media = tg.runtime.settings.media_dir
        assert len(kept_files(media)) == 2
        update_id = tg.fake.next_update_id()
        await tg.deliver(text_update(update_id, STRANGER_TG, "你好"))

        soon = await housekeep(tg.runtime, now=utcnow() + timedelta(hours=1))
        assert (soon.deliveries, soon.files) == (0, 0)  # within every platform's retry window: all kept

        later = await housekeep(tg.runtime, now=utcnow() + timedelta(days=4))
        async with tg.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 0
            [attached] = list(await s.scalars(select(Attachment.stored_path)))
        assert later.deliveries > 0
        assert [p.name for p in kept_files(media)] == [Path(attached).name]  # the record's photo stays

        # Telegram numbers updates afresh after a quiet week: an id seen long ago is a new message now
        tg.runtime.bot.clock = lambda: utcnow() + timedelta(days=4)
        mark = max(tg.fake.messages)
        await tg.deliver(text_update(update_id, STRANGER_TG, "你好"))
        assert any(UNBOUND in m["text"] for m in tg.fake.messages_to(STRANGER_TG) if m["message_id"] > mark)
