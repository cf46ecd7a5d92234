"""How an Official Account turn's replies leave: the first piece in the passive answer, the rest after it.

What goes after the answer is owed until sent (bot/channels/wxbase/owed.py); the passive answer is not, since
WeChat asks for it again (the same MsgId) until it has it, and a retry gets the stored answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.channels.ordering import Sequencer
from bot.channels.services import ChannelServices
from bot.channels.wechat import CHANNEL
from bot.channels.wechat.followups import UNCERTAIN, CustomerService, FollowUps
from bot.channels.wechat.numbers import Numbers
from bot.channels.wechat.outbound import OAOutbound
from bot.channels.wxbase.answers import Answered
from bot.channels.wxbase.api import ApiError
from bot.channels.wxbase.owed import Job, Owing, SentMarks, send_owed
from bot.channels.wxbase.refs import RefBuffer
from bot.channels.wxbase.text import numbered_pieces, split_text
from bot.http.metrics import Metrics
from handlers.core.i18n import Translator
from handlers.core.types import Reply, Turn

log = logging.getLogger(__name__)
FIRST_SEND_BUDGET = 3.0  # seconds for a customer-service send inside the 5 s reply deadline
PASSIVE_TTL = timedelta(minutes=10)  # WeChat retries a message three times within about 15 s


class TurnReplies:
    """Answers each turn within WeChat's deadline and queues the rest of it, in order per follower."""

    def __init__(
        self, services: ChannelServices, outbound: OAOutbound, numbers: Numbers, clock: Callable[[], datetime]
    ) -> None:
        self.services = services
        self.outbound = outbound
        self.numbers = numbers
        self.clock = clock
        self.customer_service = CustomerService(clock)
        self.sequencer = Sequencer()
        self.marks = SentMarks(services, self.sequencer, CHANNEL)
        self.answered = Answered()
        self.passives = RefBuffer(services, CHANNEL, "passive", clock)
        self.followups = FollowUps(services, outbound, self.customer_service, self.numbered)
        self.default_locale = services.config.default_locale

    async def owing(self, user: str) -> Owing:
        """A turn's split, handed to the engine with the turn: it records what goes after the answer as owed."""
        # numbered text is worded in the follower's language (read only when the account sends numbered text)
        t = None if self.customer_service.on else await self._t(user)
        owing = Owing(lambda replies: self.after_answer(replies, owing.cut, t))
        return owing

    def after_answer(
        self, replies: Sequence[Reply], cut: Callable[[str], list[str]] = split_text, t: Translator | None = None
    ) -> list[Reply]:
        """What of a turn's replies goes after the passive answer (text cut by `cut`; numbered text worded by `t`)."""
        if not replies:
            return []
        if not self.customer_service.on:
            # numbered text: the piece with the options answers, what came before goes to the outbox after it
            pieces, _ = numbered_pieces(list(replies), t or Translator(self.default_locale))
            return [Reply(text="\n".join(pieces[:-1]))] if len(pieces) > 1 else []
        first = replies[0]
        if first.all_buttons() or first.files:
            return list(replies)
        return [Reply(text=p) for p in cut(first.text)[1:]] + list(replies[1:])

    async def answer(self, user: str, delivery: str, turn: Turn, owing: Owing, metrics: Metrics) -> str:
        """The passive reply's text; the rest of the turn is queued to go out afterwards."""
        answered = self.answered.begin(delivery)
        owed_by = delivery if owing.owed else None
        try:
            passive, job = await self._split(user, delivery, list(turn.replies), owing, metrics)
        except BaseException:
            answered.cancel()
            if owed_by is not None:
                await self.services.replied(CHANNEL, [owed_by], sent=False)
            raise
        answered.set_result(passive)
        send_owed(self.services, self.sequencer, CHANNEL, user, job, owed_by, self.marks)
        return passive

    async def again(self, user: str, delivery: str, turn: Turn) -> str:
        """A retry's passive reply: the first delivery's, never anything sent again."""
        known = await self.answered.of(delivery, FIRST_SEND_BUDGET + 0.5)
        if known is None:
            stored = await self.passives.get(delivery)
            known = str(stored.get("text", "")) if stored is not None else None
        if known is not None:
            return known
        # answered by another process or before a restart, which remember only numbered answers: a plain
        # first reply went as its first piece and one with buttons or files by the API
        replies = list(turn.replies)
        if not replies:
            return ""
        if not self.customer_service.on:
            return (await self.numbered(user, replies))[-1]
        first = replies[0]
        return "" if first.all_buttons() or first.files else split_text(first.text)[0]

    async def _split(
        self, user: str, delivery: str, replies: list[Reply], owing: Owing, metrics: Metrics
    ) -> tuple[str, Job | None]:
        """The passive reply's text, and what sends the rest of the turn afterwards (text cut as the engine had it)."""
        if not replies:
            return "", None
        if not self.customer_service.on:
            return await self._all_numbered(user, delivery, replies, metrics)
        # this turn goes out as a msgmenu or plain text: numbers shown before answer no question now (one refused
        # later comes back as numbered text, which are remembered then)
        await self.numbers.forget(user, self.clock())
        first, rest = replies[0], replies[1:]
        passive = ""
        if (first.all_buttons() or first.files) and self.customer_service.proven:
            # the API has worked here: answer now and send after, so the callback never waits for a worker
            # thread and the platform; a failure is still answered, by numbered text through the API or the outbox
            return "", lambda: self.followups.send_after(user, replies, metrics)
        if first.all_buttons() or first.files:
            t = await self._t(user) if first.files else Translator(self.default_locale)
            # not cancelled at the deadline: its worker thread would deliver the message all the same
            sending = asyncio.ensure_future(self.outbound.send(user, first, t))
            try:
                await asyncio.wait_for(asyncio.shield(sending), FIRST_SEND_BUDGET)
                metrics.sent(CHANNEL, "api")
                self.customer_service.proven = True
            except TimeoutError:
                log.warning(
                    "wechat: customer-service send timed out after %.1f s (FIRST_SEND_BUDGET); "
                    "answering with nothing while it finishes in the background",
                    FIRST_SEND_BUDGET,
                )
                return "", lambda: self.followups.finish(user, sending, first, rest, metrics)
            except ApiError as exc:
                if not exc.uncertain:
                    log.warning("wechat: customer-service send failed (%s); answering with numbered text", exc)
                    self.customer_service.refused(exc)
                    return await self._all_numbered(user, delivery, replies, metrics)
                log.warning(UNCERTAIN, exc)  # it reached WeChat: the rest of the turn still follows it
        else:
            pieces = owing.cut(first.text)
            passive, rest = pieces[0], [Reply(text=p) for p in pieces[1:]] + rest
        if rest or await self.outbound.has_held(user):
            return passive, lambda: self.followups.follow_up(user, rest, metrics)
        return passive, None

    async def _all_numbered(
        self, user: str, delivery: str, replies: list[Reply], metrics: Metrics
    ) -> tuple[str, Job | None]:
        """Buttons as numbered text: one piece passively, the others as long texts go, the options never lost."""
        pieces = await self.numbered(user, replies)
        job: Job | None = None
        if self.customer_service.on:  # the API works for text: the passive reply first, the rest after it
            passive, rest = pieces[0], [Reply(text=p) for p in pieces[1:]]
            if rest or await self.outbound.has_held(user):
                job = lambda: self.followups.follow_up(user, rest, metrics)  # noqa: E731
        else:
            # one passive reply is all this account can send now: the piece with the options; what came
            # before goes to the outbox, whose sender falls back to a template message or holds it
            passive = pieces[-1]
            if len(pieces) > 1:
                job = lambda: self.followups.rescue(user, Reply(text="\n".join(pieces[:-1])))  # noqa: E731
        # kept where any process finds it: only the first delivery knew which piece it answered with
        await self.passives.put(delivery, {"text": passive}, self.clock() + PASSIVE_TTL)
        return passive, job

    async def numbered(self, user: str, replies: list[Reply]) -> list[str]:
        """The replies as numbered text cut within the limit, the last options whole in the last piece."""
        pieces, mapping = numbered_pieces(replies, await self._t(user))
        await self.numbers.remember(user, mapping, self.clock())
        return pieces

    async def _t(self, user: str) -> Translator:
        return Translator(await self.services.locale_of(CHANNEL, user) or self.default_locale)
