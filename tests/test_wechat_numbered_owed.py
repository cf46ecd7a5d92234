"""Numbered mode (no customer-service right): the one passive reply carries the options, what came before them goes
to the outbox after the answer, and that part is owed until it is there: a process killed in between does not lose
it, the follower's next message brings it; handed over, it never comes twice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from handlers.core.types import Incoming
from handlers.engine.pipeline import Bot
from storage.models import SeenDelivery
from tests.support.wechat_world import wechat_world
from tests.test_wechat_fallbacks import LONG_NAME, rescued, within_limit, without_customer_service
from tests.test_wechat_oa import LEAD, bind_lead
from tests.test_wechat_owed import later


async def test_the_beginning_lost_with_a_dead_process_comes_with_the_next_message(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await without_customer_service(world)
        elsewhere = Bot(world.runtime.sessions, world.runtime.config, routes=world.runtime.bot.routes)
        incoming = Incoming(
            channel="wechat", user_id=LEAD, chat_id=LEAD, delivery_id="m:died", text=f"履历 {LONG_NAME}"
        )
        owing = await world.oa.replies.owing(LEAD)
        turn = await elsewhere.handle(replace(incoming, confirms_replies=True, sent_after=owing))
        assert turn.replies and owing.owed  # committed there with its beginning owed; then it died
        assert not any(LONG_NAME[:100] in text for text in await rescued(world))
        later(world)
        answer = await world.oa_platform.text(LEAD, "帮助")
        await world.settle()
        assert within_limit(answer.text)
        brought = [*await rescued(world), answer.text]
        assert sum(LONG_NAME[:100] in text for text in brought) == 1


async def test_a_beginning_handed_to_the_outbox_is_not_brought_again(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await bind_lead(world)
        await without_customer_service(world)
        first = await world.oa_platform.text(LEAD, f"履历 {LONG_NAME}")
        await world.settle()
        assert within_limit(first.text)
        assert sum(LONG_NAME[:100] in text for text in await rescued(world)) == 1
        async with world.runtime.sessions() as s:
            assert await s.scalar(select(SeenDelivery.id).where(SeenDelivery.owed.is_(True))) is None
        later(world)
        await world.oa_platform.text(LEAD, "帮助")
        await world.settle()
        assert sum(LONG_NAME[:100] in text for text in await rescued(world)) == 1
