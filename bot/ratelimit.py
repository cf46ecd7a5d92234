"""Per-platform send rates: a sliding-window log (never above the limit) with even pacing."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Rate:
    """At most `limit` sends in any `period` seconds, for the whole bot or for each chat (member)."""

    limit: int
    period: float
    per: Literal["bot", "chat"] = "bot"
    paced: bool = True  # spread sends period/limit apart instead of bursting
    margin: float = 0.02  # count windows 2 % longer: sends reach the platform with some jitter

    @property
    def window(self) -> float:
        """The period this limiter counts in, with its safety margin."""
        return self.period * (1 + self.margin)


# What each platform allows (DESIGN.md "Channels"); WeChat OA pushes are governed by its 48-hour window.
DEFAULT_RATES: dict[str, tuple[Rate, ...]] = {
    "telegram": (Rate(30, 1.0, "bot"), Rate(1, 1.0, "chat")),
    "wecom": (Rate(30, 60.0, "chat"),),
}


class _Window:
    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self.sent: deque[float] = deque()
        self.slot = float("-inf")  # earliest paced moment of the next send

    def wait(self, now: float) -> float:
        while self.sent and self.sent[0] <= now - self.rate.window:
            self.sent.popleft()
        full = self.sent[0] + self.rate.window - now if len(self.sent) >= self.rate.limit else 0.0
        paced = self.slot - now if self.rate.paced else 0.0
        return max(full, paced, 0.0)

    def take(self, now: float) -> None:
        interval = self.rate.window / self.rate.limit
        fresh = not self.sent  # nothing sent within the period: start pacing from now, no burst
        self.sent.append(now)
        # otherwise count on from the previous slot: a send delayed by a busy event loop or database is
        # caught up later (the window log still caps every period), so delays do not lower the rate
        base = now if fresh else max(self.slot, now - min(self.rate.window / 2, 1.0))
        self.slot = base + interval

    def idle(self, now: float) -> bool:
        return not self.sent or self.sent[-1] <= now - self.rate.window


class RateLimiter:
    """Waits until a send to (channel, chat) fits every rate of that channel, then counts it."""

    def __init__(
        self,
        rates: Mapping[str, Sequence[Rate]],
        *,
        now: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.rates = {channel: tuple(r) for channel, r in rates.items()}
        self.now = now
        self.sleep = sleep
        self._windows: dict[tuple[str, str, int], _Window] = {}
        self._blocked_until: dict[str, float] = {}

    def _window(self, channel: str, chat: str, index: int, rate: Rate) -> _Window:
        key = (channel, chat if rate.per == "chat" else "", index)
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) > 10_000:
                self._prune()
            window = self._windows[key] = _Window(rate)
        return window

    def _prune(self) -> None:
        now = self.now()
        for key in [k for k, w in self._windows.items() if k[1] and w.idle(now)]:
            del self._windows[key]

    def _waits(self, channel: str, chat: str) -> tuple[float, list[_Window]]:
        now = self.now()
        windows = [self._window(channel, chat, i, rate) for i, rate in enumerate(self.rates.get(channel, ()))]
        wait = max([w.wait(now) for w in windows] + [self._blocked_until.get(channel, now) - now, 0.0])
        return wait, windows

    async def ready(self, channel: str, chat: str) -> None:
        """Return when a send to (channel, chat) would fit now, without counting it."""
        while (wait := self._waits(channel, chat)[0]) > 0:
            await self.sleep(wait)

    def take(self, channel: str, chat: str) -> bool:
        """Count a send that goes out this instant if it fits; False (nothing counted) if it must wait."""
        wait, windows = self._waits(channel, chat)
        if wait > 0:
            return False
        now = self.now()
        for w in windows:
            w.take(now)
        return True

    async def acquire(self, channel: str, chat: str) -> None:
        """Return when a send may go out now; the send is counted on return."""
        while True:
            await self.ready(channel, chat)
            if self.take(channel, chat):
                return

    def block(self, channel: str, seconds: float) -> None:
        """Hold every send on a channel for `seconds` (the platform asked us to slow down)."""
        self._blocked_until[channel] = max(self._blocked_until.get(channel, 0.0), self.now() + seconds)
