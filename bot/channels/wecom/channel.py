"""The WeCom self-built app channel: GET/POST /wecom, encrypted callbacks, cards with buttons, pushes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from time import perf_counter
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from wechatpy.exceptions import InvalidSignatureException

from bot import logsafe
from bot.channels.ordering import Sequencer
from bot.channels.services import ChannelServices
from bot.channels.wecom import CHANNEL
from bot.channels.wecom.api import WeComClient
from bot.channels.wecom.callback import echo_of, open_message, passive_text, split_passive
from bot.channels.wecom.inbound import CardPress, WeComInbound, card_press
from bot.channels.wecom.outbound import WeComOutbound
from bot.channels.wecom.pressed import show_on_card
from bot.channels.wecom.pusher import MemberRate, WeComPusher, messages_for
from bot.channels.wxbase.api import Api, ApiError, aes_key_ok
from bot.channels.wxbase.crypto import WeComCrypto
from bot.channels.wxbase.freshness import REFUSED, Freshness
from bot.channels.wxbase.http import not_taken, peer, refuse, secret
from bot.channels.wxbase.inbound import REFUSAL_KEYS
from bot.channels.wxbase.owed import Owing, send_owed
from bot.channels.wxbase.rescue import rescue
from bot.http import xmlsafe
from bot.http.metrics import Metrics, metrics_of
from handlers.core.i18n import Translator
from handlers.core.types import Reply
from handlers.engine.failures import TurnNotTaken, database_unavailable

log = logging.getLogger(__name__)


class WeComChannel:
    """One WeCom app: decrypts callbacks, answers the first reply passively, sends the rest by the API."""

    name = CHANNEL

    def __init__(self, services: ChannelServices, *, clock: Callable[[], datetime] | None = None) -> None:
        s = services.settings
        self.services = services
        self.clock = clock = clock or services.now
        self.corp_id = s.wecom_corp_id
        self.agent_id = s.wecom_agent_id
        logsafe.install(secret(s.wecom_token), secret(s.wecom_aes_key), secret(s.wecom_secret))
        aes_key = aes_key_ok("WECOM_AES_KEY", secret(s.wecom_aes_key))
        self.crypto = WeComCrypto(secret(s.wecom_token), aes_key, s.wecom_corp_id)
        self.freshness = Freshness(s.wechat_signature_max_age_seconds, clock)
        client = WeComClient(s.wecom_corp_id, secret(s.wecom_secret), s.wecom_api_base_url)
        self.api = Api(client, services.tokens, key=f"wecom:{s.wecom_corp_id}:{s.wecom_agent_id}", clock=clock)
        self.rate = MemberRate()
        self.outbound = WeComOutbound(self.api, services, clock, s.wecom_agent_id)
        self.outbound.count = self.rate.count
        self.inbound = WeComInbound(self.api, services, self.outbound.pickers)
        self.pusher = WeComPusher(self.outbound, self.rate)
        self.sequencer = Sequencer()
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # waiting out a member's full minute
        self.default_locale = services.config.default_locale

    def routes(self) -> list[BaseRoute]:
        """The HTTP route of this channel."""
        return [Route("/wecom", self.endpoint, methods=["GET", "POST"])]

    def bind_metrics(self, metrics: Metrics) -> None:
        """Count pushes in the serving app's metrics too."""
        self.pusher.metrics = metrics

    async def start(self) -> None:
        """Let the outbox sender push through this app."""
        self.services.add_pusher(self.pusher)

    async def stop(self) -> None:
        """Finish the messages still being sent; store the cards still in memory."""
        await self.sequencer.drain()
        await self.outbound.cards.flush()

    async def endpoint(self, request: Request) -> Response:
        """GET: the callback handshake (decrypt echostr). POST: one encrypted message or event."""
        started = perf_counter()
        metrics = metrics_of(request.app.state)
        query = request.query_params
        signature, timestamp, nonce = (str(query.get(k, "")) for k in ("msg_signature", "timestamp", "nonce"))
        echostr = str(query.get("echostr", ""))
        try:
            if request.method == "GET":
                echo = echo_of(self.crypto, signature, timestamp, nonce, echostr)
                content = echostr.encode()
            else:
                content = await xmlsafe.read_body(request.stream(), request.headers.get("content-length"))
                msg = open_message(self.crypto, content, signature, timestamp, nonce)
        except InvalidSignatureException:
            return refuse(log, request, metrics, CHANNEL, "bad_signature", "bad msg_signature")
        except xmlsafe.BadXml as exc:
            log.warning("wecom: refused a body from %s: %s", peer(request), exc)
            metrics.event(CHANNEL, "bad_xml")
            return PlainTextResponse("bad request", status_code=400)
        if refused := self.freshness.refusal(request.method, timestamp, nonce, signature, content):
            return refuse(log, request, metrics, CHANNEL, refused, REFUSED[refused])
        if request.method == "GET":
            metrics.event(CHANNEL, "verify")
            return PlainTextResponse(echo)
        try:
            text, outcome = await self._answer(msg, metrics)
        except TurnNotTaken:
            return not_taken(log, metrics, CHANNEL)
        except Exception as exc:
            if database_unavailable(exc):  # the channel's own reads before the turn (seen before, menus, files)
                return not_taken(log, metrics, CHANNEL)
            log.exception("wecom: could not answer %s", msg.get("MsgId") or msg.get("MsgType"))
            metrics.error(CHANNEL, "answer")
            text, outcome = Translator(self.default_locale)("engine.error"), "error"
        metrics.event(CHANNEL, outcome, perf_counter() - started)
        if not text:
            return PlainTextResponse("")
        metrics.sent(CHANNEL, "passive")
        user = str(msg.get("FromUserName", ""))
        self.rate.count(user)
        xml = passive_text(self.corp_id, user, self.agent_id, text)
        return Response(self.crypto.encrypt_message(xml, nonce, timestamp or None), media_type="application/xml")

    async def _answer(self, msg: dict[str, Any], metrics: Metrics) -> tuple[str, str]:
        received = await self.inbound.convert(msg)
        user = str(msg.get("FromUserName", ""))
        if received.incoming is None:
            if received.outcome == "ignored":
                return "", "ignored"
            key = REFUSAL_KEYS.get(received.outcome, "channels.unsupported")
            return (await self._t(user))(key), received.outcome
        # what goes by the API after the passive answer stays owed until sent: a process killed in between
        # does not lose it, the member's next message brings it first
        owing = Owing(lambda replies: split_passive(list(replies))[1])
        turn = await self.services.handle(replace(received.incoming, confirms_replies=True, sent_after=owing))
        passive, replies = split_passive(turn.replies)
        if turn.duplicate:
            return passive, "duplicate"  # the same first piece again; the rest went by the API the first time
        press = card_press(msg)
        shown = next((r for r in turn.replies if r.outcome_of_press or r.redraws_pressed), None)
        update = (press, shown) if press is not None and shown is not None else None
        job = (lambda: self._follow_up(user, replies, update, metrics)) if replies or update is not None else None
        owed_by = received.incoming.delivery_id if owing.owed else None
        send_owed(self.services, self.sequencer, CHANNEL, user, job, owed_by)
        return passive, received.outcome

    async def _follow_up(
        self, user: str, replies: list[Reply], update: tuple[CardPress, Reply] | None, metrics: Metrics
    ) -> None:
        """Show on the pressed card what the press led to, then send the rest of the turn."""
        if update is not None:
            pace = self.rate.wait
            replies = await show_on_card(
                self.outbound, user, *update, replies, metrics, lambda n: self.sleep(pace(user, n))
            )
        t = await self._t(user) if any(r.all_buttons() or r.files for r in replies) else None
        for reply in replies:
            # WeCom drops what goes past 30 a minute to a member: this member's next replies wait (others do not)
            if (wait := self.rate.wait(user, messages_for(reply))) > 0:
                log.info("wecom: a member's minute is full; the rest of their turn waits %.0f s", wait)
                await self.sleep(wait)
            try:
                metrics.sent(CHANNEL, "api", await self.outbound.send(user, reply, t or Translator(None)))
            except ApiError as exc:
                metrics.error(CHANNEL, "send")
                if exc.uncertain:  # WeCom took it and answered late: handing it on would send it twice
                    log.warning("wecom: no answer in time (%s); the message is not sent again", exc)
                    continue
                log.warning("wecom: follow-up message failed (%s); handing it to the outbox", exc)
                await rescue(self.services, CHANNEL, user, reply)

    async def _t(self, user: str) -> Translator:
        return Translator(await self.services.locale_of(CHANNEL, user) or self.default_locale)
