"""MEDIA_DIR that cannot be written while serving (a full disk, a remounted volume): the person is told, nothing
changes, the platform is not asked to resend for ever; and WeChat's retries of one image fetch it once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.core.i18n import t
from storage import database
from storage.models import Conversation
from tests.support.fake_telegram import photo_update
from tests.support.faults import SCRIPT
from tests.support.telegram_world import LEAD_TG, WEBHOOK_SECRET, seed, telegram_world
from tests.support.wechat_world import WxWorld, wechat_world
from tests.test_wechat_oa import LEAD, bind_lead, last_menu

NOT_KEPT = t("channels.media_not_kept", "zh_CN")


def unwritable(media: Path) -> None:
    """MEDIA_DIR becomes a plain file: nothing can be written under it, whoever the process runs as."""
    if media.exists():
        for path in sorted(media.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        media.rmdir()
    media.write_text("not a folder any more")


async def files_step(world: WxWorld) -> None:
    """The OA lead, bound, in a new activity up to its photos question."""
    await bind_lead(world)
    for text in SCRIPT[:9]:
        await world.oa_platform.text(LEAD, text)
    await world.settle()


async def test_a_telegram_photo_with_media_dir_unwritable_is_refused_politely_once(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        for text in SCRIPT[:9]:
            await tg.say(LEAD_TG, text)
        unwritable(tg.runtime.settings.media_dir)
        photo = tg.fake.add_file(b"\xff\xd8\xff\xe0 a photo", path="photos/p.jpg")
        mark = max(tg.fake.messages)
        response = await tg.post(
            photo_update(tg.fake.next_update_id(), LEAD_TG, [(photo, 1280)]), secret=WEBHOOK_SECRET
        )
        assert response.status_code == 200  # a 500 would have Telegram send it again and again
        await tg.channel.drain()
        said = [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
        assert said and NOT_KEPT in said[0]
        async with tg.runtime.sessions() as s:
            conv = await s.scalar(select(Conversation))
        assert conv is not None and not conv.data["values"].get("files")  # nothing changed


async def test_a_wechat_image_with_media_dir_unwritable_is_refused_politely(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await files_step(world)
        unwritable(world.runtime.settings.media_dir)
        answer = await world.oa_platform.image(LEAD, world.fake.add_media(b"\xff\xd8\xff\xe0 a photo"))
        assert answer.status == 200 and NOT_KEPT in answer.text


async def test_concurrent_retries_of_one_wechat_image_fetch_it_once(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await files_step(world)
        platform = world.oa_platform
        media_id = world.fake.add_media(b"\xff\xd8\xff\xe0 a photo")
        world.fake.slow("media/get", 0.5)  # the first fetch is still under way when WeChat retries
        xml = platform.xml(LEAD, "image", {"PicUrl": "http://mmbiz.example/p.jpg", "MediaId": media_id})
        query, body = platform.envelope(xml, platform.query())
        answers = await asyncio.gather(*(platform.post("", query=query, body=body) for _ in range(3)))
        assert all(a.status == 200 for a in answers)
        assert len(world.fake.sent("media/get")) == 1


async def test_a_locked_database_before_the_turn_asks_wechat_to_resend(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("a write lock held past the busy timeout is SQLite's; PostgreSQL's outage is test_postgres_restart")
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 300)
    async with wechat_world(db_url, tmp_path) as world:
        await files_step(world)
        platform = world.oa_platform
        media_id = world.fake.add_media(b"\xff\xd8\xff\xe0 a photo")
        xml = platform.xml(LEAD, "image", {"PicUrl": "http://mmbiz.example/p.jpg", "MediaId": media_id})
        query, body = platform.envelope(xml, platform.query())
        other = sqlite3.connect(db_url.split(":///", 1)[1])  # another process writing, for longer than SQLite waits
        other.execute("BEGIN IMMEDIATE")
        try:
            await world.runtime.engine.dispose()  # no connection already inside a transaction
            locked = await platform.post("", query=query, body=body)
        finally:
            other.rollback()
            other.close()
        assert locked.status == 503  # not 200 with an error text: WeChat sends it again
        again = await platform.post("", query=query, body=body)  # WeChat's retry, the database free again
        await world.settle()
        assert again.status == 200 and "已收到" in last_menu(world, LEAD)["head_content"]  # the photo was taken
