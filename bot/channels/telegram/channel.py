"""The Telegram channel: one python-telegram-bot Application, fed by long polling or by our webhook route."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections import Counter
from typing import TYPE_CHECKING, Any

from starlette.routing import Route
from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.telegram import redact
from bot.channels.telegram.commands import publish_commands
from bot.channels.telegram.inbound import ALLOWED_UPDATES, CHANNEL, FileRefused, language_hint, to_incoming
from bot.channels.telegram.outbound import Sender, TelegramPusher
from handlers.i18n import Translator
from handlers.types import Incoming, Reply, Turn, reply_to_dict
from storage.models import Person
from storage.repos import outbox, people

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

# A RetryAfter is waited out this many times by the rate limiter before the call fails.
MAX_RETRIES = 5
CONCURRENT_UPDATES = 64
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class TelegramConfigError(Exception):
    """The Telegram settings cannot work; the message says which one and why."""


def build_application(token: str, api_base_url: str, *, polling: bool) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application against this Bot API server, rate-limited (30 msg/s, 20 msg/min per group)."""
    base = api_base_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=MAX_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .job_queue(None)  # reminders have their own scheduler
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


class TelegramChannel:
    """Turns updates into engine turns and turns into messages; polling or webhook per the settings."""

    name = CHANNEL

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
            raise TelegramConfigError("TELEGRAM_BOT_TOKEN is empty: the Telegram channel is off")
        self.runtime = runtime
        self.token = settings.telegram_bot_token.get_secret_value()
        self.webhook_url = settings.telegram_webhook_url.strip()
        secret = settings.telegram_webhook_secret
        self.secret = secret.get_secret_value() if secret is not None else ""
        if self.webhook_url and not _SECRET.match(self.secret):
            raise TelegramConfigError(
                "TELEGRAM_WEBHOOK_SECRET is required in webhook mode: 1-256 characters of A-Z a-z 0-9 _ -"
            )
        self.media_dir = settings.media_dir
        redact.install(self.token)  # before PTB builds the bot, which logs its URL
        self.application = build_application(self.token, settings.telegram_api_base_url, polling=self.polling)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = Sender(self.application.bot)
        self.pusher = TelegramPusher(self.sender)
        self.stats: Counter[str] = Counter()
        self.running = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    @property
    def polling(self) -> bool:
        """Long polling when no webhook URL is configured."""
        return not self.webhook_url

    def routes(self) -> list[Route]:
        """The HTTP route of the webhook (POST /telegram), for the project's one ASGI app."""
        from bot.channels.telegram.webhook import telegram_routes

        return telegram_routes(self)

    async def start(self) -> None:
        """Meet the bot (getMe), publish the command menu, then poll or set the webhook; push through it."""
        try:
            await self.application.initialize()
        except InvalidToken as exc:
            raise TelegramConfigError("Telegram refused TELEGRAM_BOT_TOKEN (getMe)") from exc
        await publish_commands(self.application.bot, self.runtime.config.default_locale)
        await self.application.start()
        self.runtime.add_pusher(self.pusher)
        self.running = True
        if self.polling:
            assert self.application.updater is not None
            await self.application.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))
        else:
            # Telegram may post the moment it knows the URL: the route already takes updates
            await self.application.bot.set_webhook(
                url=self.webhook_url, secret_token=self.secret, allowed_updates=list(ALLOWED_UPDATES)
            )
        log.info(
            "telegram channel on (%s) as @%s", "polling" if self.polling else "webhook", self.application.bot.username
        )

    async def stop(self) -> None:
        """Stop taking updates, finish the replies under way, close the connections (the webhook stays set)."""
        self.running = False
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.drain()
        await self.application.shutdown()

    async def drain(self) -> None:
        """Wait until every reply already accepted has been sent."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ---- updates --------------------------------------------------------------------------------

    async def _on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.process(update)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.stats["errors"] += 1
        log.error("telegram update failed", exc_info=context.error)

    async def process(self, update: Update) -> None:
        """Polling: run the turn, then send its replies."""
        accepted = await self.accept(update)
        if accepted is not None:
            await self.deliver(update, *accepted)
        self.stats["handled"] += 1

    async def receive(self, update: Update) -> None:
        """Webhook: run the turn now (what the user sent is committed before Telegram hears 200), reply after."""
        accepted = await self.accept(update)
        if accepted is None:
            self.stats["handled"] += 1
            return
        task = asyncio.create_task(self._deliver_later(update, *accepted))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_later(self, update: Update, incoming: Incoming, turn: Turn) -> None:
        try:
            await self.deliver(update, incoming, turn)
        except Exception:
            self.stats["errors"] += 1
            log.exception("telegram delivery of update %s failed", update.update_id)
        finally:
            self.stats["handled"] += 1

    async def accept(self, update: Update) -> tuple[Incoming, Turn] | None:
        """The engine's turn for an update (files downloaded and stored first); None if the bot ignores it."""
        self.stats["updates"] += 1
        user, chat = update.effective_user, update.effective_chat
        key = str(chat.id if chat else user.id if user else 0)
        async with self._lock("accept", key):
            try:
                incoming = await to_incoming(update, self.application.bot, self.media_dir)
            except FileRefused as exc:
                self.stats["files_refused"] += 1
                user_id = str(user.id if user else 0)
                incoming = Incoming(channel=CHANNEL, user_id=user_id, chat_id=key, delivery_id=str(update.update_id))
                text = Translator(await self._locale(incoming, language_hint(user)))(exc.key)
                return incoming, Turn(replies=[Reply(text=text)])
            if incoming is None:
                self.stats["ignored"] += 1
                return None
            turn = await self.runtime.handle(incoming)
        if turn.duplicate:
            self.stats["duplicates"] += 1
        return incoming, turn

    async def deliver(self, update: Update, incoming: Incoming, turn: Turn) -> None:
        """Answer a press, edit the pressed message with an outcome, send the other replies; in order per chat."""
        async with self._lock("send", incoming.chat_id):
            query = update.callback_query
            if query is not None:
                await self._answer(query)
            if turn.duplicate:
                return  # answered the first time; the same words again would only confuse
            pressed = query.message if query is not None and isinstance(query.message, Message) else None
            for index, reply in enumerate(turn.replies):
                try:
                    if reply.outcome_of_press and pressed is not None:
                        await self.sender.edit(pressed.chat.id, pressed.message_id, reply)
                        pressed = None
                    else:
                        await self.sender.send(incoming.chat_id, reply)
                    self.stats["replies"] += 1
                except TelegramError as exc:
                    self.stats["send_failures"] += 1
                    log.warning("telegram reply to update %s not sent: %s", update.update_id, exc)
                    await self._keep_for_later(incoming, reply, index)

    async def _answer(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except BadRequest as exc:  # "query is too old": the press itself is still handled
            log.info("telegram callback query not answered: %s", exc.message)
        except TelegramError as exc:
            log.warning("telegram callback query not answered: %s", exc)

    async def _keep_for_later(self, incoming: Incoming, reply: Reply, index: int) -> None:
        """A reply Telegram would not take now goes to the outbox, which retries it (bound people only)."""
        async with self.runtime.sessions() as session, session.begin():
            identity = await people.identity(session=session, channel=CHANNEL, external_id=incoming.user_id)
            if identity is None:
                return
            await outbox.enqueue(
                session=session,
                key=f"telegram-reply:{incoming.delivery_id}:{index}",
                person_id=identity.person_id,
                payload=reply_to_dict(Reply(text=reply.text, buttons=reply.buttons, files=reply.files)),
                kind="notice",
                channel=CHANNEL,
            )
        self.runtime.outbox_wakeup.set()

    async def _locale(self, incoming: Incoming, hint: str | None) -> str | None:
        async with self.runtime.sessions() as session:
            identity = await people.identity(session=session, channel=CHANNEL, external_id=incoming.user_id)
            person = await session.get(Person, identity.person_id) if identity else None
        return person.locale if person else hint or self.runtime.config.default_locale

    def _lock(self, purpose: str, chat_id: str) -> asyncio.Lock:
        lock = self._locks.get((purpose, chat_id))
        if lock is None:
            lock = self._locks[(purpose, chat_id)] = asyncio.Lock()
        return lock
