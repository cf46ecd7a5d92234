"""Pushes to WeCom members: application messages, at most 30 a minute per member (WeCom's limit)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.channels.base import PushError, PushTarget
from bot.channels.wecom import CHANNEL
from bot.channels.wecom.outbound import UNREACHABLE, WeComOutbound
from bot.channels.wxbase.api import ApiError
from bot.http.metrics import Metrics
from handlers.core.i18n import Translator
from handlers.core.types import Reply

PER_MEMBER = 30
FREQUENCY = frozenset({45009, 45033})  # the app's API frequency limits: every push waits a minute
PERIOD = 60.0


def messages_for(reply: Reply) -> int:
    """How many application messages a reply takes (text, a card per six buttons, each file), as a member counts."""
    needed = max(1, len(reply.files) + (1 if reply.text else 0) + -(-len(reply.all_buttons()) // 6))
    return min(needed, PER_MEMBER)


class MemberRate:
    """Every message to a member is counted here (replies too); a push waits when the minute is full."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self._sent: dict[str, deque[float]] = {}

    def count(self, user: str) -> None:
        """One message went to `user`."""
        self._sent.setdefault(user, deque()).append(self.now())

    def wait(self, user: str, messages: int = 1) -> float:
        """Seconds until `messages` more fit in this member's last minute (0: now)."""
        sent = self._sent.get(user)
        if not sent:
            return 0.0
        now = self.now()
        while sent and sent[0] <= now - PERIOD:
            sent.popleft()
        if not sent:
            del self._sent[user]
            return 0.0
        over = len(sent) + messages - PER_MEMBER
        return 0.0 if over <= 0 else max(sent[min(over, len(sent)) - 1] + PERIOD - now, 0.0)


class WeComPusher:
    """The outbox sender's way to a WeCom member."""

    name = CHANNEL

    def __init__(
        self,
        outbound: WeComOutbound,
        rate: MemberRate,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.outbound = outbound
        self.rate = rate
        self.sleep = sleep
        self.metrics: Metrics | None = None  # the serving app's, once bound

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        """Send `reply` as application messages within the member's rate; PushError to retry later."""
        wait = self.rate.wait(target.external_id, messages_for(reply))
        if wait > 0:
            # replies in a busy conversation filled this member's minute: wait here, for this member only
            # (a PushError with retry_after would pause the sender for every member)
            await self.sleep(wait)
        try:
            sent = await self.outbound.send(target.external_id, reply, Translator(target.locale))
        except ApiError as exc:
            if exc.uncertain:  # WeCom took it and answered late: a retry would be a second copy
                return
            if exc.errcode in UNREACHABLE:
                raise PushError(str(exc), permanent=True) from None
            raise PushError(str(exc), retry_after=60 if exc.errcode in FREQUENCY else None) from None
        if self.metrics is not None:
            self.metrics.sent(self.name, "push", sent)
