"""What an Official Account turn sends after its passive answer: customer-service messages, while the account may."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.channels.services import ChannelServices
from bot.channels.wechat import CHANNEL
from bot.channels.wechat.outbound import OAOutbound
from bot.channels.wxbase.api import ApiError
from bot.channels.wxbase.rescue import rescue
from bot.http.metrics import Metrics
from handlers.core.i18n import Translator
from handlers.core.types import Reply

log = logging.getLogger(__name__)
Numbered = Callable[[str, list[Reply]], Awaitable[list[str]]]
# after 48001 (no customer-service right) numbered passive replies only, until the right is asked about again:
# an operator may grant it meanwhile, and a restart should not be what turns the messages back on
CUSTOMER_SERVICE_RECHECK = timedelta(minutes=10)
UNCERTAIN = "wechat: no answer from the customer-service API in time (%s); it took the message, which is not sent again"


class CustomerService:
    """The account's customer-service right as this process last heard of it."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.off_until: datetime | None = None  # set when WeChat says the account lacks the right
        # until a customer-service send has worked here, the first one is awaited in the request, so that a refusal
        # (48001: no such right) is answered at once with numbered text; after that, sends go after the answer
        self.proven = False

    @property
    def on(self) -> bool:
        """Whether customer-service messages are used now (off for a while after errcode 48001)."""
        return self.off_until is None or self.clock() >= self.off_until

    def refused(self, exc: ApiError) -> None:
        """A send failed: 48001 turns customer-service messages off for CUSTOMER_SERVICE_RECHECK."""
        if exc.errcode == 48001:
            self.off_until = self.clock() + CUSTOMER_SERVICE_RECHECK


class FollowUps:
    """Sends the rest of a turn through the customer-service API; what cannot go now is handed to the outbox."""

    def __init__(
        self,
        services: ChannelServices,
        outbound: OAOutbound,
        customer_service: CustomerService,
        numbered: Numbered,
    ) -> None:
        self.services = services
        self.outbound = outbound
        self.customer_service = customer_service
        self.numbered = numbered
        self.default_locale = services.config.default_locale

    async def send_after(self, user: str, replies: list[Reply], metrics: Metrics) -> None:
        """After answering: the first reply by the API, then the rest; numbered text if the first is refused."""
        first, rest = replies[0], replies[1:]
        t = await self._t(user) if first.files else Translator(self.default_locale)
        try:
            await self.outbound.send(user, first, t)
            metrics.sent(CHANNEL, "api")
        except ApiError as exc:
            metrics.error(CHANNEL, "send")
            log.warning("wechat: customer-service send failed after answering (%s); sending numbered text", exc)
            self.customer_service.refused(exc)
            rest = [Reply(text=piece) for piece in await self.numbered(user, replies)]
        await self.follow_up(user, rest, metrics)

    async def finish(
        self, user: str, sending: asyncio.Future[None], first: Reply, rest: list[Reply], metrics: Metrics
    ) -> None:
        """After a first send that outlived the deadline: its outcome, then the rest of the turn."""
        try:
            await sending
            metrics.sent(CHANNEL, "api")
        except ApiError as exc:
            metrics.error(CHANNEL, "send")
            if exc.uncertain:
                log.warning(UNCERTAIN, exc)
            else:
                log.warning(
                    "wechat: customer-service send failed after the deadline (%s); handing it to the outbox", exc
                )
                self.customer_service.refused(exc)
                await rescue(self.services, CHANNEL, user, first)
        await self.follow_up(user, rest, metrics)

    async def follow_up(self, user: str, replies: list[Reply], metrics: Metrics) -> None:
        """Send the rest of a turn, then anything held for this follower; rescue what cannot go now."""
        t = await self._t(user) if any(r.files for r in replies) else Translator(self.default_locale)
        held = await self.outbound.take_held(user)
        for reply in [*replies, *held]:
            try:
                await self.outbound.send(user, reply, t)
                metrics.sent(CHANNEL, "api")
            except ApiError as exc:
                metrics.error(CHANNEL, "send")
                if exc.uncertain:
                    log.warning(UNCERTAIN, exc)
                    continue
                log.warning("wechat: follow-up message failed (%s); handing it to the outbox", exc)
                await rescue(self.services, CHANNEL, user, reply)

    async def rescue(self, user: str, reply: Reply) -> None:
        """Hand one message to the outbox, whose sender falls back to a template message or holds it."""
        await rescue(self.services, CHANNEL, user, reply)

    async def _t(self, user: str) -> Translator:
        return Translator(await self.services.locale_of(CHANNEL, user) or self.default_locale)
