"""The Telegram channel: one python-telegram-bot Application, fed by long polling or by our webhook route."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from time import perf_counter

from starlette.routing import BaseRoute
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import ContextTypes, TypeHandler

from bot import logsafe
from bot.channels.services import ChannelServices
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.application import TelegramConfigError, bot_settings, build_application
from bot.channels.telegram.commands import publish_commands
from bot.channels.telegram.groups import GroupAnswer
from bot.channels.telegram.inbound import ALLOWED_UPDATES
from bot.channels.telegram.outbound import Sender, TelegramPusher
from bot.channels.telegram.turns import Accepted, Turns
from bot.http.metrics import Metrics
from handlers.engine.failures import TurnNotTaken

log = logging.getLogger(__name__)

RETRY_PAUSE = 5.0  # seconds before a polled update the database could not take is tried again


class TelegramChannel:
    """Turns updates into engine turns and turns into messages; polling or webhook per the settings."""

    name = CHANNEL

    def __init__(self, services: ChannelServices) -> None:
        settings = services.settings
        self.services = services
        self.token, self.webhook_url, self.secret = bot_settings(settings)
        # before PTB builds the bot, which logs its URL; the part after the colon is the secret
        logsafe.install(self.token, self.token.partition(":")[2])
        self.application = build_application(self.token, settings.telegram_api_base_url, polling=self.polling)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = Sender(self.application.bot)
        self.pusher = TelegramPusher(self.sender)
        self.stats: Counter[str] = Counter()
        self.metrics: Metrics | None = None
        self.turns = Turns(services, self.application.bot, self.sender, self.stats)
        self.running = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._retries: set[asyncio.Task[None]] = set()
        self.retry_pause = RETRY_PAUSE

    @property
    def polling(self) -> bool:
        """Long polling when no webhook URL is configured."""
        return not self.webhook_url

    def bind_metrics(self, metrics: Metrics) -> None:
        """Count polled updates and pushes in the serving app's metrics too (the webhook route counts its own)."""
        self.metrics = self.pusher.metrics = metrics

    def routes(self) -> list[BaseRoute]:
        """The HTTP route of the webhook (POST /telegram), for the project's one ASGI app."""
        from bot.channels.telegram.webhook import telegram_routes

        return list(telegram_routes(self))

    async def start(self) -> None:
        """Meet the bot (getMe), publish the command menu, then poll or set the webhook; push through it."""
        try:
            await self.application.initialize()
        except InvalidToken as exc:
            raise TelegramConfigError("Telegram refused TELEGRAM_BOT_TOKEN (getMe)") from exc
        await publish_commands(self.application.bot, self.services.routes, self.services.config.default_locale)
        await self.application.start()
        self.services.add_pusher(self.pusher)
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
        for retry in list(self._retries):  # an update still waiting to be retried is lost with the process
            retry.cancel()
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
        """Polling: run the turn, then send its replies (an error goes on to PTB's error handler)."""
        started, metrics = perf_counter(), self.metrics
        try:
            try:
                accepted = await self.turns.accept(update)
            except TurnNotTaken:
                self._poll_again(update)
                if metrics is not None:
                    metrics.event(CHANNEL, "not_taken", perf_counter() - started)
                return
            if isinstance(accepted, GroupAnswer):
                await self.turns.say_in_group(update, accepted)
            elif accepted is not None:
                await self.turns.deliver_accepted(update, accepted, metrics)
        except Exception:
            if metrics is not None:
                metrics.error(CHANNEL, "answer")
                metrics.event(CHANNEL, "error", perf_counter() - started)
            raise
        finally:
            self.stats["handled"] += 1
        if metrics is not None:  # the same labels as the webhook route
            metrics.event(CHANNEL, accepted.outcome if accepted else "ignored", perf_counter() - started)

    def _poll_again(self, update: Update) -> None:
        # the Updater confirmed this update when it fetched it (getUpdates' offset): it is put back in the
        # application's queue after a pause instead, as Telegram would redeliver an unanswered webhook
        log.warning("telegram update %s not taken (database); trying it again shortly", update.update_id)
        self.stats["not_taken"] += 1

        async def again() -> None:
            await asyncio.sleep(self.retry_pause)
            await self.application.update_queue.put(update)

        task = asyncio.create_task(again())
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def receive(self, update: Update, metrics: Metrics | None = None) -> str:
        """Webhook: run the turn now (committed before Telegram hears 200), reply after; the outcome's label."""
        accepted = await self.turns.accept(update)
        if accepted is None:
            self.stats["handled"] += 1
            return "ignored"
        if isinstance(accepted, GroupAnswer):
            task = asyncio.create_task(self._say_later(update, accepted))
        else:
            task = asyncio.create_task(self._deliver_later(update, accepted, metrics))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return accepted.outcome

    async def _say_later(self, update: Update, said: GroupAnswer) -> None:
        try:
            await self.turns.say_in_group(update, said)
        except Exception:
            self.stats["errors"] += 1
            log.exception("telegram answer in a group to update %s failed", update.update_id)
        finally:
            self.stats["handled"] += 1

    async def _deliver_later(self, update: Update, accepted: Accepted, metrics: Metrics | None) -> None:
        try:
            await self.turns.deliver_accepted(update, accepted, metrics)
        except Exception:
            self.stats["errors"] += 1
            if metrics is not None:
                metrics.error(CHANNEL, "send")
            log.exception("telegram delivery of update %s failed", update.update_id)
        finally:
            self.stats["handled"] += 1
