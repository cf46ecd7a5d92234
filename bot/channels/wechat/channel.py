"""The WeChat Official Account channel: GET/POST /wechat, passive replies, customer-service follow-ups."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from time import perf_counter
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from wechatpy.exceptions import InvalidSignatureException

from bot import logsafe
from bot.channels.ordering import Sequencer
from bot.channels.services import ChannelServices
from bot.channels.wechat import CHANNEL
from bot.channels.wechat.api import OAClient
from bot.channels.wechat.callbacks import PLAIN_MODE, open_message, signature_ok
from bot.channels.wechat.inbound import OAInbound
from bot.channels.wechat.outbound import OAOutbound, passive_text
from bot.channels.wechat.pusher import WeChatPusher
from bot.channels.wechat.replies import TurnReplies
from bot.channels.wxbase.api import Api, aes_key_ok
from bot.channels.wxbase.crypto import OACrypto
from bot.channels.wxbase.freshness import REFUSED, Freshness
from bot.channels.wxbase.http import not_taken, peer, refuse, secret
from bot.channels.wxbase.inbound import REFUSAL_KEYS
from bot.channels.wxbase.refs import RefBuffer
from bot.http import xmlsafe
from bot.http.metrics import Metrics, metrics_of
from handlers.core.i18n import Translator
from handlers.engine.failures import TurnNotTaken, database_unavailable

log = logging.getLogger(__name__)


class WeChatChannel:
    """One Official Account: verifies, decrypts, answers within the deadline, sends the rest afterwards."""

    name = CHANNEL

    def __init__(self, services: ChannelServices, *, clock: Callable[[], datetime] | None = None) -> None:
        s = services.settings
        self.services = services
        self.clock = clock = clock or services.now
        self.token = secret(s.wechat_token)
        aes_key = secret(s.wechat_aes_key)
        logsafe.install(self.token, aes_key, secret(s.wechat_app_secret))
        self.crypto = OACrypto(self.token, aes_key_ok("WECHAT_AES_KEY", aes_key), s.wechat_app_id) if aes_key else None
        self.freshness = Freshness(s.wechat_signature_max_age_seconds, clock)
        client = OAClient(s.wechat_app_id, secret(s.wechat_app_secret), s.wechat_api_base_url)
        self.api = Api(client, services.tokens, key=f"wechat:{s.wechat_app_id}", clock=clock)
        self.outbound = OAOutbound(
            self.api,
            services,
            clock,
            template_id=s.wechat_reminder_template_id,
            public_base_url=s.public_base_url,
        )
        self.inbound = OAInbound(self.api, services, clock, self.outbound.menus)
        self.pusher = WeChatPusher(self.outbound, services.config.tz, clock)
        self.replies = TurnReplies(services, self.outbound, self.inbound.numbers, clock)
        self.default_locale = services.config.default_locale

    @property
    def customer_service(self) -> bool:
        """Whether customer-service messages are used now (off for a while after errcode 48001)."""
        return self.replies.customer_service.on

    @property
    def api_proven(self) -> bool:
        """Whether a customer-service send has worked in this process (later ones go after the answer)."""
        return self.replies.customer_service.proven

    @property
    def sequencer(self) -> Sequencer:
        """Each follower's sends after the answer, one after another."""
        return self.replies.sequencer

    @property
    def passives(self) -> RefBuffer:
        """The numbered passive answers, for WeChat's retries reaching another process."""
        return self.replies.passives

    def routes(self) -> list[BaseRoute]:
        """The HTTP routes of this channel."""
        return [
            Route("/wechat", self.endpoint, methods=["GET", "POST"]),
            Route("/wechat/item/{token}", self.item_page, methods=["GET"]),
        ]

    def bind_metrics(self, metrics: Metrics) -> None:
        """Count pushes in the serving app's metrics too."""
        self.pusher.metrics = metrics

    async def start(self) -> None:
        """Let the outbox sender push through this account; warn once at start when it runs in plaintext mode."""
        self.services.add_pusher(self.pusher)
        if self.crypto is None:
            log.warning(PLAIN_MODE)

    async def stop(self) -> None:
        """Finish the follow-up messages still being sent; store the menu ids still in memory."""
        await self.replies.sequencer.drain()
        await self.outbound.menus.flush()
        await self.passives.flush()

    async def endpoint(self, request: Request) -> Response:
        """GET: URL verification (echostr). POST: one message or event."""
        started = perf_counter()
        metrics = metrics_of(request.app.state)
        query = request.query_params
        if not signature_ok(self.token, query):
            return refuse(log, request, metrics, CHANNEL, "bad_signature", "bad signature")
        if request.method == "GET":
            echostr = str(query.get("echostr", ""))
            if refused := self._refusal("GET", query, echostr.encode()):
                return refuse(log, request, metrics, CHANNEL, refused, REFUSED[refused])
            metrics.event(CHANNEL, "verify")
            return PlainTextResponse(echostr)
        if self.crypto is not None and query.get("encrypt_type", "raw").lower() != "aes":
            # the URL signature covers no body: in safe mode only the msg_signature of an encrypted one counts
            why = "not encrypted, but WECHAT_AES_KEY is set (safe mode takes only encrypt_type=aes)"
            return refuse(log, request, metrics, CHANNEL, "unencrypted", why)
        try:
            body = await xmlsafe.read_body(request.stream(), request.headers.get("content-length"))
            msg, encrypted = open_message(self.crypto, body, query)
        except InvalidSignatureException:
            return refuse(log, request, metrics, CHANNEL, "bad_signature", "missing or bad msg_signature")
        except xmlsafe.BadXml as exc:
            log.warning("wechat: refused a body from %s: %s", peer(request), exc)
            metrics.event(CHANNEL, "bad_xml")
            return PlainTextResponse("bad request", status_code=400)
        if refused := self._refusal("POST", query, body):
            return refuse(log, request, metrics, CHANNEL, refused, REFUSED[refused])
        try:
            text, outcome = await self._answer(msg, metrics)
        except TurnNotTaken:
            return not_taken(log, metrics, CHANNEL)
        except Exception as exc:
            if database_unavailable(exc):  # the channel's own reads before the turn (seen before, menus, files)
                return not_taken(log, metrics, CHANNEL)
            log.exception("wechat: could not answer %s", msg.get("MsgId") or msg.get("MsgType"))
            metrics.error(CHANNEL, "answer")
            text, outcome = Translator(self.default_locale)("engine.error"), "error"
        metrics.event(CHANNEL, outcome, perf_counter() - started)
        if not text:
            return PlainTextResponse("success")
        metrics.sent(CHANNEL, "passive")
        xml = passive_text(str(msg.get("FromUserName", "")), str(msg.get("ToUserName", "")), text)
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, query.get("nonce", ""), query.get("timestamp") or None)
        return Response(xml, media_type="application/xml")

    def _refusal(self, method: str, query: Any, content: bytes) -> str | None:
        timestamp, nonce, signature = (str(query.get(k, "")) for k in ("timestamp", "nonce", "signature"))
        return self.freshness.refusal(method, timestamp, nonce, signature, content)

    async def _answer(self, msg: dict[str, Any], metrics: Metrics) -> tuple[str, str]:
        received = await self.inbound.convert(msg)
        user = str(msg.get("FromUserName", ""))
        if received.incoming is None:
            if received.outcome == "ignored":
                return "", "ignored"
            key = REFUSAL_KEYS.get(received.outcome, "channels.unsupported")
            locale = await self.services.locale_of(CHANNEL, user) or self.default_locale
            return Translator(locale)(key), received.outcome
        delivery = received.incoming.delivery_id
        # what goes after the passive answer stays owed until sent: a process killed in between does not lose it
        owing = await self.replies.owing(user)
        turn = await self.services.handle(replace(received.incoming, confirms_replies=True, sent_after=owing))
        if turn.duplicate:
            return await self.replies.again(user, delivery, turn), "duplicate"
        return await self.replies.answer(user, delivery, turn, owing, metrics), received.outcome

    async def item_page(self, request: Request) -> Response:
        """The page a template message links to: the whole message, readable in WeChat's browser."""
        found = await self.outbound.item(str(request.path_params["token"])[:64])
        if found is None:
            return HTMLResponse(_page(Translator(self.default_locale)("channels.item_gone"), ""), status_code=404)
        reply, locale = found
        t = Translator(locale or self.default_locale)
        body = html.escape(reply.text).replace("\n", "<br>")
        return HTMLResponse(_page(body, html.escape(t("channels.item_footer"))))


def _page(body: str, footer: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>技师创新工作室</title></head><body><p>{body}</p><p><small>{footer}</small></p></body></html>"
    )
