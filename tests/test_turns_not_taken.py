"""While the database cannot be written, no platform hears a message was handled: each is asked to send it again."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.chat import converse
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from handlers.core.i18n import t
from storage.models import ChannelIdentity, SeenDelivery
from tests.support.fake_telegram import text_update, until
from tests.support.outage import unwritable
from tests.support.telegram_world import LEAD_TG, seed, telegram_world
from tests.support.wechat_world import wechat_world

ERROR = t("engine.error", "zh_CN")
LEAD_OPENID = "oLEAD-outage-0001"


async def test_wechat_asks_for_a_resend_while_the_database_is_read_only_and_the_resend_binds(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        message = world.oa_platform.xml(LEAD_OPENID, "text", {"Content": f"绑定 {world.seeded.lead_code}"})
        with caplog.at_level(logging.INFO):
            async with unwritable(world.runtime.engine):
                refused = await world.oa_platform.post(message)
        assert refused.status == 503 and ERROR not in refused.text
        assert LEAD_OPENID not in caplog.text and world.seeded.lead_code not in caplog.text
        resent = await world.oa_platform.post(message)  # WeChat's retry, once the database is back
        assert resent.status == 200 and "王建国" in resent.text
        async with world.runtime.sessions() as s:
            bound = await s.scalar(select(func.count()).where(ChannelIdentity.external_id == LEAD_OPENID))
        assert bound == 1


async def test_wecom_asks_for_a_resend_while_the_database_is_read_only(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        message = world.wecom_platform.xml("zhangsan", "text", {"Content": f"绑定 {world.seeded.lead_code}"})
        async with unwritable(world.runtime.engine):
            refused = await world.wecom_platform.post(message)
        assert refused.status == 503 and ERROR not in refused.text
        resent = await world.wecom_platform.post(message)
        assert resent.status == 200 and "王建国" in resent.text


async def test_telegram_webhook_answers_5xx_while_the_database_is_read_only_and_the_resend_binds(
    db_url: str, tmp_path: Path
) -> None:
    async with telegram_world(db_url, tmp_path, "webhook") as hook:
        code = (await seed(hook.runtime.sessions)).lead_code
        update = text_update(hook.fake.next_update_id(), LEAD_TG, f"/start {code}")
        async with unwritable(hook.runtime.engine):
            refused = await hook.post(update)
        assert refused.status_code == 503
        assert not hook.fake.messages_to(LEAD_TG)  # no "sorry, that failed" for what will be done on the resend
        resent = await hook.post(update)
        assert resent.status_code == 200
        await hook.channel.drain()
        assert any("王建国" in m.get("text", "") for m in hook.fake.messages_to(LEAD_TG))


async def test_telegram_polling_tries_an_update_again_once_the_database_is_back(db_url: str, tmp_path: Path) -> None:
    async with telegram_world(db_url, tmp_path, "polling") as poll:
        poll.channel.retry_pause = 0.2
        code = (await seed(poll.runtime.sessions)).lead_code
        async with unwritable(poll.runtime.engine):
            poll.fake.queue_update(text_update(poll.fake.next_update_id(), LEAD_TG, f"/start {code}"))
            await until(lambda: poll.channel.stats["not_taken"] > 0, what="the update refused")
            assert not poll.fake.messages_to(LEAD_TG)
        await until(
            lambda: any("王建国" in m.get("text", "") for m in poll.fake.messages_to(LEAD_TG)), what="the bind answered"
        )
        async with poll.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 1


async def test_the_console_says_plainly_that_a_line_was_not_taken(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Runtime] = []

    def capture(settings: Settings) -> Runtime:
        built.append(build_runtime(settings))
        return built[-1]

    monkeypatch.setattr("bot.cli.chat.build_runtime", capture)

    async def typed() -> AsyncIterator[str]:
        async with unwritable(built[0].engine):
            yield "帮助"
        yield "帮助"

    out: list[str] = []
    await converse(Settings(_env_file=None, database_url=db_url), as_name=None, write=out.append, lines=typed())
    text = "\n".join(out)
    assert text.count(t("console.not_taken", "zh_CN")) == 1 and ERROR not in text
    assert out[-1] == t("console.bye", "zh_CN")  # the chat went on, and the second line was answered


async def test_healthz_fails_while_the_database_can_be_read_but_not_written(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        assert (await world.http.get("/healthz")).status_code == 200
        async with unwritable(world.runtime.engine):
            down = await world.http.get("/healthz")
        assert down.status_code == 503 and down.json()["database"] == "down"
        assert (await world.http.get("/healthz")).status_code == 200
        async with world.runtime.sessions() as s:  # the probe leaves nothing behind
            assert await s.scalar(select(func.count()).select_from(SeenDelivery)) == 0
