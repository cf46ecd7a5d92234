"""WeCom drops application messages past 30 a minute to one member: the replies of a busy conversation wait for
the member's minute instead of being sent into the void."""

from __future__ import annotations

from pathlib import Path

from tests.support.wechat_world import wechat_world
from tests.test_wecom_channel import LEAD, cards, say


class MinuteClock:
    """The member rate's clock, moved on by the channel's waits instead of waiting them out."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


async def test_a_reply_past_a_members_30_a_minute_waits_for_the_minute(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
        clock = MinuteClock()
        world.wecom.rate.now, world.wecom.sleep = clock, clock.sleep
        for _ in range(30):  # the member's minute is full (reminders, cards of other turns)
            world.wecom.rate.count(LEAD)
        clock.now += 20
        before = len(cards(world, LEAD))
        answer = await say(world, LEAD, "记录活动")  # the question's buttons go as a card, by the API
        assert answer.status == 200
        assert len(cards(world, LEAD)) > before  # it went out in the end
        assert clock.waits and sum(clock.waits) >= 39  # after the minute had room for it, not into the void
