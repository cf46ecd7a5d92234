"""The WeChat Official Account channel: GET/POST /wechat, passive replies, customer-service follow-ups."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
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
from bot.channels.wechat.inbound import OAInbound
from bot.channels.wechat.outbound import OAOutbound, passive_text
from bot.channels.wechat.pusher import WeChatPusher
from bot.channels.wxbase.answers import Answered
from bot.channels.wxbase.api import Api, ApiError, aes_key_ok
from bot.channels.wxbase.crypto import OACrypto
from bot.channels.wxbase.freshness import REFUSED, Freshness
from bot.channels.wxbase.http import not_taken, peer, refuse, secret
from bot.channels.wxbase.inbound import REFUSAL_KEYS
from bot.channels.wxbase.refs import RefBuffer
from bot.channels.wxbase.rescue import rescue
from bot.channels.wxbase.text import numbered, split_keeping, split_text
from bot.http import xmlsafe
from bot.http.metrics import Metrics, metrics_of
from handlers.core.i18n import Translator
from handlers.core.types import Reply, Turn
from handlers.engine.failures import TurnNotTaken, database_unavailable

log = logging.getLogger(__name__)
FIRST_SEND_BUDGET = 3.0  # seconds for a customer-service send inside the 5 s reply deadline
PASSIVE_TTL = timedelta(minutes=10)  # WeChat retries a message three times within about 15 s
# after 48001 (no customer-service right) numbered passive replies only, until the right is asked about again:
# an operator may grant it meanwhile, and a restart should not be what turns the messages back on
CUSTOMER_SERVICE_RECHECK = timedelta(minutes=10)
UNCERTAIN = "wechat: no answer from the customer-service API in time (%s); it took the message, which is not sent again"
PLAIN_MODE = (
    "wechat: plaintext mode (no WECHAT_AES_KEY): a callback's signature does not cover its message, so anyone who "
    "sees one callback URL (a proxy's access log, say) in time can forge messages as any follower; "
    "set WECHAT_AES_KEY to turn on safe mode"
)


def signature_ok(token: str, query: Any) -> bool:
    """The `signature` of an OA callback: sha1 of the sorted token, timestamp and nonce."""
    parts = sorted([token, str(query.get("timestamp", "")), str(query.get("nonce", ""))])
    expected = hashlib.sha1("".join(parts).encode(), usedforsecurity=False).hexdigest()
    return hmac.compare_digest(expected, str(query.get("signature", "")))


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
        self.sequencer = Sequencer()
        self.answered = Answered()
        self.passives = RefBuffer(services, CHANNEL, "passive", clock)
        self._no_customer_service_until: datetime | None = None  # set when WeChat says the account lacks the right
        # until a customer-service send has worked here, the first one is awaited in the request, so that a refusal
        # (48001: no such right) is answered at once with numbered text; after that, sends go after the answer
        self.api_proven = False
        self.default_locale = services.config.default_locale

    @property
    def customer_service(self) -> bool:
        """Whether customer-service messages are used now (off for a while after errcode 48001)."""
        until = self._no_customer_service_until
        return until is None or self.clock() >= until

    def _refused_customer_service(self, exc: ApiError) -> None:
        if exc.errcode == 48001:
            self._no_customer_service_until = self.clock() + CUSTOMER_SERVICE_RECHECK

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
        await self.sequencer.drain()
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
            msg, encrypted = self._open(body, query)
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

    def _open(self, body: bytes, query: Any) -> tuple[dict[str, Any], bool]:
        """The message and whether it came encrypted; InvalidSignatureException unless msg_signature signs it."""
        outer = xmlsafe.parse(body)
        if query.get("encrypt_type", "raw").lower() != "aes":
            return outer, False
        if self.crypto is None:
            raise xmlsafe.BadXml("an encrypted message, but no WECHAT_AES_KEY")
        if "Encrypt" not in outer or not query.get("msg_signature"):
            raise InvalidSignatureException()  # nothing a msg_signature signs, or none to check
        try:
            plain = self.crypto.decrypt_message(
                {"Encrypt": outer["Encrypt"]},
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except InvalidSignatureException:
            raise
        except Exception as exc:  # wrong key, bad padding, wrong app id: the body is not ours to read
            raise xmlsafe.BadXml(f"cannot decrypt ({type(exc).__name__})") from None
        return xmlsafe.parse(plain), True

    async def _answer(self, msg: dict[str, Any], metrics: Metrics) -> tuple[str, str]:
        received = await self.inbound.convert(msg)
        user = str(msg.get("FromUserName", ""))
        if received.incoming is None:
            if received.outcome == "ignored":
                return "", "ignored"
            key = REFUSAL_KEYS.get(received.outcome, "channels.unsupported")
            return (await self._t(user))(key), received.outcome
        delivery = received.incoming.delivery_id
        turn = await self.services.handle(received.incoming)
        if turn.duplicate:
            return await self._again(user, delivery, turn), "duplicate"
        answered = self.answered.begin(delivery)
        try:
            passive = await self._deliver(user, delivery, turn, metrics)
        except BaseException:
            answered.cancel()
            raise
        answered.set_result(passive)
        return passive, received.outcome

    async def _again(self, user: str, delivery: str, turn: Turn) -> str:
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
        if not self.customer_service:
            return (await self._numbered(user, replies))[-1]
        first = replies[0]
        return "" if first.all_buttons() or first.files else split_text(first.text)[0]

    async def _deliver(self, user: str, delivery: str, turn: Turn, metrics: Metrics) -> str:
        """The passive reply's text; the rest of the turn goes out by customer-service messages afterwards."""
        replies = list(turn.replies)
        if not replies:
            return ""
        if not self.customer_service:
            return await self._all_numbered(user, delivery, replies, metrics)
        first, rest = replies[0], replies[1:]
        passive = ""
        if (first.all_buttons() or first.files) and self.api_proven:
            # the API has worked here: answer now and send after, so the callback never waits for a worker
            # thread and the platform; a failure is still answered, by numbered text through the API or the outbox
            self.sequencer.run(user, lambda: self._send_after(user, replies, metrics))
            return ""
        if first.all_buttons() or first.files:
            t = await self._t(user) if first.files else Translator(self.default_locale)
            # not cancelled at the deadline: its worker thread would deliver the message all the same
            sending = asyncio.ensure_future(self.outbound.send(user, first, t))
            try:
                await asyncio.wait_for(asyncio.shield(sending), FIRST_SEND_BUDGET)
                metrics.sent(CHANNEL, "api")
                self.api_proven = True
            except TimeoutError:
                log.warning(
                    "wechat: customer-service send timed out after %.1f s (FIRST_SEND_BUDGET); "
                    "answering with nothing while it finishes in the background",
                    FIRST_SEND_BUDGET,
                )
                self.sequencer.run(user, lambda: self._finish(user, sending, first, rest, metrics))
                return ""
            except ApiError as exc:
                if exc.uncertain:
                    log.warning(UNCERTAIN, exc)
                    return ""
                log.warning("wechat: customer-service send failed (%s); answering with numbered text", exc)
                self._refused_customer_service(exc)
                return await self._all_numbered(user, delivery, replies, metrics)
        else:
            pieces = split_text(first.text)
            passive, rest = pieces[0], [Reply(text=p) for p in pieces[1:]] + rest
        if rest or await self.outbound.has_held(user):
            self.sequencer.run(user, lambda: self._follow_up(user, rest, metrics))
        return passive

    async def _send_after(self, user: str, replies: list[Reply], metrics: Metrics) -> None:
        """After answering: the first reply by the API, then the rest; numbered text if the first is refused."""
        first, rest = replies[0], replies[1:]
        t = await self._t(user) if first.files else Translator(self.default_locale)
        try:
            await self.outbound.send(user, first, t)
            metrics.sent(CHANNEL, "api")
        except ApiError as exc:
            metrics.error(CHANNEL, "send")
            log.warning("wechat: customer-service send failed after answering (%s); sending numbered text", exc)
            self._refused_customer_service(exc)
            rest = [Reply(text=piece) for piece in await self._numbered(user, replies)]
        await self._follow_up(user, rest, metrics)

    async def _finish(
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
                self._refused_customer_service(exc)
                await rescue(self.services, CHANNEL, user, first)
        await self._follow_up(user, rest, metrics)

    async def _all_numbered(self, user: str, delivery: str, replies: list[Reply], metrics: Metrics) -> str:
        """Buttons as numbered text: one piece passively, the others as long texts go, the options never lost."""
        pieces = await self._numbered(user, replies)
        if self.customer_service:  # the API works for text: the passive reply first, the rest after it
            passive, rest = pieces[0], [Reply(text=p) for p in pieces[1:]]
            if rest or await self.outbound.has_held(user):
                self.sequencer.run(user, lambda: self._follow_up(user, rest, metrics))
        else:
            # one passive reply is all this account can send now: the piece with the options; what came
            # before goes to the outbox, whose sender falls back to a template message or holds it
            passive = pieces[-1]
            if len(pieces) > 1:
                self.sequencer.run(user, lambda: self._rescue(user, Reply(text="\n".join(pieces[:-1]))))
        # kept where any process finds it: only the first delivery knew which piece it answered with
        await self.passives.put(delivery, {"text": passive}, self.clock() + PASSIVE_TTL)
        return passive

    async def _numbered(self, user: str, replies: list[Reply]) -> list[str]:
        """The replies as numbered text cut within the limit, the last options whole in the last piece."""
        t = await self._t(user)
        texts: list[str] = []
        mapping: dict[str, str] = {}
        keep_from, offset = len("\n\n".join(r.text for r in replies)), 0
        for reply in replies:
            text, numbers = numbered(reply, t, start=max((int(k) for k in mapping if k.isdigit()), default=0) + 1)
            if numbers:
                keep_from = offset + len(reply.text)
            texts.append(text)
            mapping.update(numbers)
            offset += len(text) + 2
        await self.inbound.numbers.remember(user, mapping, self.clock())
        return split_keeping("\n\n".join(texts), keep_from)

    async def _rescue(self, user: str, reply: Reply) -> None:
        await rescue(self.services, CHANNEL, user, reply)

    async def _follow_up(self, user: str, replies: list[Reply], metrics: Metrics) -> None:
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

    async def _t(self, user: str) -> Translator:
        return Translator(await self.services.locale_of(CHANNEL, user) or self.default_locale)

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
