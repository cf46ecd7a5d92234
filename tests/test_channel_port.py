"""The channel port: the registry serve builds channels from, each adapter's capabilities, and the services."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.channel_services import RuntimeServices
from bot.channels import console, telegram, wechat, wecom
from bot.channels.registry import CHANNELS
from bot.channels.telegram.inbound import CAPABILITIES as TELEGRAM
from bot.channels.wechat.inbound import CAPABILITIES as WECHAT
from bot.channels.wecom.inbound import CAPABILITIES as WECOM
from bot.runtime import build_runtime
from bot.server import ServeError, build_channels
from bot.settings import Settings
from handlers.core.types import Documents, Reply
from storage.base import utcnow
from storage.models import OutboxMessage
from storage.repos import people, persons
from tests.support.wechat_world import aes_key


def test_every_channel_package_declares_its_entry_once() -> None:
    assert [e.name for e in CHANNELS] == [wechat.CHANNEL, wecom.CHANNEL, telegram.CHANNEL]
    bare = Settings(database_url="sqlite+aiosqlite:///:memory:")
    assert not any(e.enabled(bare) for e in CHANNELS)
    on = bare.model_copy(update={"telegram_bot_token": SecretStr("123:abc")})
    assert [e.name for e in CHANNELS if e.enabled(on)] == ["telegram"]


async def test_serve_builds_what_the_settings_turn_on_and_says_a_bad_setting_in_one_line(
    db_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=db_url,
        media_dir=tmp_path,
        wechat_app_id="wx1",
        wechat_app_secret=SecretStr("s"),
        wechat_token=SecretStr("t"),
        wechat_aes_key=SecretStr(aes_key()),
    )
    runtime = build_runtime(settings)
    try:
        assert [c.name for c in build_channels(runtime)] == ["wechat"]
        runtime.settings = settings.model_copy(update={"wechat_aes_key": SecretStr("short")})
        with pytest.raises(ServeError, match=r"^配置错误 / configuration error: WECHAT_AES_KEY must be"):
            build_channels(runtime)
    finally:
        await runtime.close()


def test_adapters_say_what_they_can_do() -> None:
    assert (TELEGRAM.documents, TELEGRAM.tappable_buttons, TELEGRAM.edits_pressed) == (Documents.ATTACHED, True, True)
    assert (WECOM.documents, WECOM.tappable_buttons, WECOM.edits_pressed) == (Documents.ATTACHED, True, True)
    assert (WECHAT.documents, WECHAT.tappable_buttons, WECHAT.edits_pressed) == (Documents.LINKED, True, False)
    typed = console.ConsoleScreen().incoming("导出", user_id="c-1")
    assert typed.capabilities.documents is Documents.SAVED and not typed.capabilities.tappable_buttons


async def test_the_services_answer_for_storage(db_url: str, tmp_path: Path) -> None:
    runtime = build_runtime(Settings(database_url=db_url, media_dir=tmp_path / "media"))
    services = RuntimeServices(runtime)
    try:
        async with runtime.sessions() as s, s.begin():
            person = await persons.create_person(session=s, name="李四")
            person.locale = "en"
            await people.bind_identity(
                session=s, person=person, channel="wecom", external_id="lisi", chat_id="lisi", now=utcnow()
            )
        assert await services.person_of("wecom", "lisi") == person.id
        assert await services.locale_of("wecom", "lisi") == "en"
        assert await services.locale_of("wecom", "stranger") is None
        assert await services.person_name(person.id) == "李四"

        runtime.outbox_wakeup.clear()
        assert not await services.keep_for_later("wecom", "stranger", [("k:0", Reply(text="x"))])
        assert not runtime.outbox_wakeup.is_set()
        assert await services.keep_for_later("wecom", "lisi", [("k:1", Reply(text="one")), ("k:2", Reply(text="two"))])
        assert runtime.outbox_wakeup.is_set()
        async with runtime.sessions() as s:
            kept = (await s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.channel))).all()
        assert sorted(kept) == [("k:1", "wecom"), ("k:2", "wecom")]

        refs, now = services.refs("wecom", "card"), utcnow()
        assert await refs.claim("t1", {"user": "lisi"}, now=now, expires_at=now + timedelta(hours=1))
        assert not await refs.claim("t1", {"user": "other"}, now=now, expires_at=None)
        assert await refs.get("t1", now=now) == {"user": "lisi"}
        assert await refs.get("t1", now=now + timedelta(hours=2)) is None  # expired
        assert await services.refs("wechat", "card").get("t1", now=now) is None  # another channel's

        stored = await services.store_file(b"%PDF", kind="document", file_ref="m1", filename="a.pdf", media_type="")
        assert stored.stored_path.is_relative_to(tmp_path / "media") and stored.stored_path.read_bytes() == b"%PDF"
        assert (stored.filename, stored.media_type, stored.size) == ("a.pdf", "application/pdf", 4)
    finally:
        await runtime.close()
