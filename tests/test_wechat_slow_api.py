"""A customer-service API that answers late, or says the account lacks the right: each message goes out once,
and customer-service messages come back when the right does."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.wechat import replies as oa_replies
from storage.base import utcnow
from storage.models import OutboxMessage
from tests.support.clock import Clock
from tests.support.wechat_world import wechat_world
from tests.test_wechat_fallbacks import without_customer_service
from tests.test_wechat_oa import LEAD, bind_lead, last_menu


async def test_a_customer_service_api_slower_than_its_timeout_sends_a_question_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(oa_replies, "FIRST_SEND_BUDGET", 0.2)
    caplog.set_level(logging.WARNING)
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        world.oa.api.client.timeout = 0.4  # the HTTP timeout; the fake takes every send and answers after 1 s
        world.fake.slow("message/custom/send", 1.0, times=10)
        answer = await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        assert world.runtime.sender is not None
        for _ in range(3):  # the outbox sender's next passes, had anything been handed to it
            await world.runtime.sender.run_once()
        assert answer.status == 200 and answer.text == ""
        [sent] = world.fake.sent("message/custom/send", msgtype="msgmenu")  # WeChat took it once: it is not resent
        assert "哪天" in sent.body["msgmenu"]["head_content"]
        async with world.runtime.sessions() as s:
            assert not list(await s.scalars(select(OutboxMessage)))
        assert "no answer" in caplog.text


async def test_without_the_customer_service_right_numbered_text_until_it_is_granted(
    db_url: str, tmp_path: Path
) -> None:
    clock = Clock(utcnow())
    async with wechat_world(db_url, tmp_path, clock=clock) as world:
        await bind_lead(world)
        await without_customer_service(world)  # 48001 once: numbered passive replies from then on
        assert "1. " in (await world.oa_platform.text(LEAD, "记录活动")).text
        await world.oa_platform.text(LEAD, "取消")
        clock.advance(minutes=11)  # the right was granted meanwhile: the process tries again
        answer = await world.oa_platform.text(LEAD, "记录活动")
        await world.settle()
        assert answer.text == "" and "哪天" in last_menu(world, LEAD)["head_content"]
        assert world.oa.customer_service
