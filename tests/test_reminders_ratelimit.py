"""The rate limiter under simulated time: never above a platform's rate, yet close to it, chats independent."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

from bot.ratelimit import DEFAULT_RATES, RateLimiter


class SimClock:
    """Discrete-event time: it jumps to the next wake-up once every task is asleep on it."""

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + max(seconds, 0.0), next(self._seq), future))
        await future

    async def run(self, coros: list[Coroutine[Any, Any, None]]) -> None:
        tasks = [asyncio.create_task(c) for c in coros]
        while not all(t.done() for t in tasks):
            for _ in range(3):
                await asyncio.sleep(0)
            live = sum(not t.done() for t in tasks)
            if live and len(self._sleepers) >= live:
                self.t = max(self.t, self._sleepers[0][0])
                while self._sleepers and self._sleepers[0][0] <= self.t:
                    heapq.heappop(self._sleepers)[2].set_result(None)
        for t in tasks:
            t.result()


def limiter(clock: SimClock) -> RateLimiter:
    return RateLimiter(DEFAULT_RATES, now=clock.now, sleep=clock.sleep)


def most_in_window(times: list[float], period: float) -> int:
    ordered = sorted(times)
    return max(sum(1 for u in ordered if t <= u < t + period) for t in ordered)


async def sends(clock: SimClock, rl: RateLimiter, channel: str, chats: list[str]) -> dict[str, list[float]]:
    """Each chat's sends, one task per chat, in order within a chat."""
    times: dict[str, list[float]] = {}

    async def one_chat(chat: str, count: int) -> None:
        for _ in range(count):
            await rl.acquire(channel, chat)
            times.setdefault(chat, []).append(clock.now())

    counts: dict[str, int] = {}
    for chat in chats:
        counts[chat] = counts.get(chat, 0) + 1
    await clock.run([one_chat(chat, n) for chat, n in counts.items()])
    return times


async def test_telegram_bot_wide_rate_is_never_exceeded_and_nearly_reached() -> None:
    clock = SimClock()
    times = await sends(clock, limiter(clock), "telegram", [f"chat{i}" for i in range(600)])
    flat = [t for ts in times.values() for t in ts]
    assert len(flat) == 600 and most_in_window(flat, 1.0) <= 30
    achieved = len(flat) / (max(flat) - min(flat) + 1 / 30)
    assert achieved >= 0.95 * 30


async def test_one_busy_chat_gets_one_per_second_and_does_not_slow_the_others() -> None:
    clock = SimClock()
    times = await sends(clock, limiter(clock), "telegram", ["busy"] * 10 + [f"chat{i}" for i in range(50)])
    busy = times["busy"]
    # one a second (counted with the 2 % margin), never a whole second lost to the other chats
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(busy)) and busy[-1] - busy[0] < 10.0
    others = [ts[0] for chat, ts in times.items() if chat != "busy"]
    assert max(others) < 2.0  # 51 first messages at 30 a second


async def test_wecom_member_gets_at_most_30_a_minute() -> None:
    clock = SimClock()
    times = await sends(clock, limiter(clock), "wecom", ["wang"] * 90 + ["li"] * 3)
    assert most_in_window(times["wang"], 60.0) <= 30
    assert len(times["wang"]) / (max(times["wang"]) + 2.0) >= 0.95 * 30 / 60
    assert max(times["li"]) < 5.0


async def test_a_flood_wait_holds_the_whole_channel() -> None:
    clock = SimClock()
    rl = limiter(clock)
    rl.block("telegram", 5.0)
    times = await sends(clock, rl, "telegram", ["a", "b"])
    assert min(t for ts in times.values() for t in ts) >= 5.0


async def test_a_channel_without_limits_is_not_held() -> None:
    clock = SimClock()
    times = await sends(clock, limiter(clock), "wechat", ["x"] * 50)
    assert max(times["x"]) == 0.0
