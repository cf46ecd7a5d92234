"""Files are fetched only for a bound person in a record that takes them: strangers' files are never downloaded."""

from __future__ import annotations

from pathlib import Path

from handlers.core.i18n import t
from tests.support.fake_telegram import document_update
from tests.support.telegram_world import LEAD_TG, STRANGER_TG, seed, telegram_world
from tests.support.wechat_world import wechat_world

BIG = b"%PDF-1.7 " + b"x" * (5 * 1024 * 1024)


def kept_files(media_dir: Path) -> list[Path]:
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


async def test_telegram_strangers_files_are_not_downloaded(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "polling") as tg:
        file_id = tg.fake.add_file(BIG, path="documents/big.pdf")
        mark = max(tg.fake.messages, default=0)
        await tg.deliver(
            document_update(
                tg.fake.next_update_id(), STRANGER_TG, file_id, file_name="big.pdf", mime_type="application/pdf"
            )
        )
        await tg.photo(STRANGER_TG, b"\xff\xd8\xff\xe0" + b"p" * (5 * 1024 * 1024))
        said = [m["text"] for m in tg.fake.messages_to(STRANGER_TG) if m["message_id"] > mark]
        assert said == [t("engine.unbound", "zh_CN")] * 2  # told politely
        assert not tg.fake.sent("getFile") and kept_files(tg.runtime.config.media_dir) == []

        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        answer = await tg.photo(LEAD_TG, b"\xff\xd8\xff\xe0 no record open")  # bound, but nothing asks for a file
        assert [m["text"] for m in answer] == [t("engine.file_without_flow", "zh_CN")]
        assert not tg.fake.sent("getFile") and kept_files(tg.runtime.config.media_dir) == []

        await tg.say(LEAD_TG, "记录活动")
        await tg.photo(LEAD_TG, b"\xff\xd8\xff\xe0 for the record")  # a record that takes files: fetched
        assert tg.fake.sent("getFile") and len(kept_files(tg.runtime.config.media_dir)) == 1


async def test_wechat_and_wecom_strangers_media_is_not_fetched(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        media_id = world.fake.add_media(b"\xff\xd8\xff\xe0" + b"p" * 1024)
        oa = await world.oa_platform.image("oSTRANGER-1", media_id)
        assert oa.status == 200 and "还没有绑定身份" in oa.text
        wecom = await world.wecom_platform.image("stranger-member", media_id)
        assert wecom.status == 200
        await world.settle()
        assert not [c for c in world.fake.calls if c.path == "media/get"]
        assert kept_files(tmp_path / "media") == []


async def test_a_document_too_big_is_refused_before_its_download(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "polling") as tg:
        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        await tg.say(LEAD_TG, "记录活动")
        file_id = tg.fake.add_file(b"%PDF" + b"z" * (21 * 1024 * 1024), path="documents/huge.pdf")
        mark = max(tg.fake.messages, default=0)
        # a self-hosted Bot API server serves big files; the update itself does not say how big
        await tg.deliver(document_update(tg.fake.next_update_id(), LEAD_TG, file_id, file_name="h.pdf", mime_type=""))
        said = [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
        assert said[0] == t("telegram.file_too_big", "zh_CN") and said[1].startswith(t("activity.ask.date", "zh_CN"))
        assert tg.fake.downloads == [] and kept_files(tg.runtime.config.media_dir) == []


async def test_a_telegram_file_of_no_known_size_is_cut_off_at_the_limit(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as tg:
        seeded = await seed(tg.runtime.sessions)
        await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
        await tg.say(LEAD_TG, "记录活动")
        tg.fake.sizes_known = False  # neither the update nor getFile says how big it is
        file_id = tg.fake.add_file(b"%PDF-1.7 " + b"x" * (48 * 1024 * 1024), path="documents/huge.pdf")
        update = document_update(tg.fake.next_update_id(), LEAD_TG, file_id, file_name="h.pdf", mime_type="")
        mark = max(tg.fake.messages)
        await tg.deliver(update)
        said = [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
        assert said and said[0].startswith(t("telegram.file_too_big", "zh_CN"))
        # the bot stopped reading at the limit (what the sockets' buffers already held aside), not at 48 MB
        assert tg.fake.streamed["documents/huge.pdf"] < 32 * 1024 * 1024
        assert kept_files(tg.runtime.config.media_dir) == []
