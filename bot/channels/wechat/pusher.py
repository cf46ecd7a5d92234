"""Pushes to Official Account followers: customer-service messages within 48 h, template messages outside."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.channels.base import PushError, PushTarget
from bot.channels.wechat import CHANNEL
from bot.channels.wechat.outbound import OAOutbound, is_transient
from bot.channels.wxbase.api import ApiError
from bot.http.metrics import Metrics
from handlers.core.i18n import Translator
from handlers.core.types import Reply

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=48)
SAFETY = timedelta(minutes=10)  # a customer-service message sent right at the edge would bounce with 45015
OUT_OF_WINDOW = frozenset({45015, 45047, 48001})  # window closed, too many replies, no customer-service right
NOT_FOLLOWING = frozenset({43004, 43019})  # unsubscribed, or blocked the account
BAD_USER = frozenset({40003})


class WeChatPusher:
    """The outbox sender's way to an OA follower; nothing is dropped (a message that cannot go is held)."""

    name = CHANNEL

    def __init__(self, outbound: OAOutbound, tz: ZoneInfo, clock: Callable[[], datetime]) -> None:
        self.outbound = outbound
        self.tz = tz
        self.clock = clock
        self.metrics: Metrics | None = None  # the serving app's, once bound

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        """Send `reply`; PushError for a retry later or a follower who cannot be reached at all."""
        t = Translator(target.locale)
        openid = target.external_id
        last = target.last_inbound_at
        if last is not None and self.clock() - last < WINDOW - SAFETY:
            try:
                await self.outbound.send(openid, reply, t)
                self._count("push")
                return
            except ApiError as exc:
                if exc.uncertain:  # WeChat took it and answered late: a retry would be a second copy
                    log.warning("customer-service push got no answer in time (%s); recorded as sent", exc)
                    self._count("push")
                    return
                if exc.errcode in NOT_FOLLOWING:
                    log.info("follower unreachable (%s); holding the message until they write", exc.errcode)
                    await self.outbound.hold(openid, reply)
                    self._count("held")
                    return
                if exc.errcode not in OUT_OF_WINDOW:
                    raise self._error(exc) from None
                log.info("customer-service push refused (%s); using the template message", exc.errcode)
        await self._outside_window(openid, reply, t)

    async def _outside_window(self, openid: str, reply: Reply, t: Translator) -> None:
        if self.outbound.template_id:
            local_time = self.clock().astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
            try:
                await self.outbound.template(openid, reply, t, local_time=local_time)
                self._count("template")
                return
            except ApiError as exc:
                if is_transient(exc) or exc.errcode in BAD_USER:
                    raise self._error(exc) from None
                log.warning("template message refused (%s); holding the message until the follower writes", exc)
        else:
            log.info("no WECHAT_REMINDER_TEMPLATE_ID; holding a message until the follower writes")
        await self.outbound.hold(openid, reply)
        self._count("held")

    def _count(self, way: str) -> None:
        if self.metrics is not None:
            self.metrics.sent(self.name, way)

    @staticmethod
    def _error(exc: ApiError) -> PushError:
        if exc.errcode in BAD_USER:
            return PushError(str(exc), permanent=True)
        return PushError(str(exc), retry_after=60 if exc.errcode in (45009, 45033) else None)
