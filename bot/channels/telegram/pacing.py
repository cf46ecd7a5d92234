"""Telegram's limits on everything the bot sends: PTB's AIORateLimiter, plus each private chat's own pace.

PTB's limiter holds the bot to 30 messages a second and a group to 20 a minute, and waits out RetryAfter; it
leaves private chats alone and lets a whole second's worth go at once. Telegram asks for about one message a
second in a chat (short bursts allowed): each private chat gets a small bucket here, taken before every attempt,
so the replies queued behind a 429 come out paced instead of all at once when the wait is over.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

MAX_RETRIES = 5  # a RetryAfter is waited out this many times before the call fails
BOT_BURST, BOT_RATE = 2, 28.0  # paced just under 30 a second (PTB's default lets 30 go at once, then 30 more)
CHAT_BURST, CHAT_RATE = 3, 1.0  # a turn's few replies go together, a longer run one a second
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
KEEP_CHATS = 10_000  # buckets of chats that wrote lately; an older one starts full again

Result = bool | dict[str, Any] | list[dict[str, Any]]


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter with a smaller bot-wide burst and a per-chat bucket for private chats."""

    def __init__(self) -> None:
        super().__init__(overall_max_rate=BOT_BURST, overall_time_period=BOT_BURST / BOT_RATE, max_retries=MAX_RETRIES)
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _chat(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None) or AsyncLimiter(CHAT_BURST, CHAT_BURST / CHAT_RATE)
        self._chats[chat_id] = limiter
        if len(self._chats) > KEEP_CHATS:
            self._chats.popitem(last=False)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Take the chat's bucket before each attempt of a send to a private chat, then PTB's limits."""
        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            chat_id = 0
        if endpoint in SENDS and chat_id > 0:  # private chats have positive ids; groups PTB paces itself
            limiter, send = self._chat(chat_id), callback

            async def paced(*a: Any, **kw: Any) -> Result:
                async with limiter:
                    return await send(*a, **kw)

            callback = paced
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
