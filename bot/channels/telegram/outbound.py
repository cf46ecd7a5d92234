"""Engine replies as Telegram messages: text with inline keyboards, edits of pressed messages, files."""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot.channels.base import PushError, PushTarget
from bot.channels.telegram import CHANNEL
from bot.http.metrics import Metrics
from handlers.core.types import OutFile, Reply

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # characters in one message
MAX_CAPTION = 1024


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (callback data is the signed payload)."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in reply.buttons if row]
    )


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Text cut into messages Telegram accepts, at line ends where possible."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds (int or timedelta depending on PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def push_error(exc: TelegramError) -> PushError:
    """A Telegram failure as the outbox understands it: retry later, or never."""
    if isinstance(exc, RetryAfter):
        return PushError(f"telegram flood control: {exc.message}", retry_after=retry_seconds(exc))
    if isinstance(exc, Forbidden):  # the user blocked the bot or deleted the account
        return PushError(f"telegram forbidden: {exc.message}", permanent=True)
    if isinstance(exc, (BadRequest, ChatMigrated)):  # chat not found, bad message: sending again will not help
        return PushError(f"telegram bad request: {exc.message}", permanent=True)
    if isinstance(exc, InvalidToken):
        return PushError("telegram refused the bot token")
    return PushError(f"telegram unavailable: {exc.message}")


class NotSent(Exception):
    """Telegram refused a reply partway: `rest` is what did not go out (all of it if nothing did)."""

    def __init__(self, cause: TelegramError, rest: Reply) -> None:
        super().__init__(cause.message)
        self.cause = cause
        self.rest = rest


class Sender:
    """Sends and edits messages through one (rate-limited) bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str | int, reply: Reply) -> None:
        """Send a reply: its text (buttons under the last part), then its files; NotSent says what remains."""
        parts = chunks(reply.text)
        for i, part in enumerate(parts):
            markup = keyboard(reply) if i == len(parts) - 1 else None
            try:
                await self.bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
            except TelegramError as exc:
                rest = Reply(text="\n".join(parts[i:]), buttons=reply.buttons, files=reply.files)
                raise NotSent(exc, rest) from exc
        for j, file in enumerate(reply.files):
            try:
                await self.send_file(chat_id, file)
            except TelegramError as exc:
                raise NotSent(exc, Reply(text="", files=reply.files[j:])) from exc

    async def edit(self, chat_id: str | int, message_id: int, reply: Reply) -> None:
        """Show a reply in place of a pressed message (whose buttons go away); send what does not fit.

        NotSent says what remains; if the edit itself failed, that is the whole reply, to be sent as a new message.
        """
        parts = chunks(reply.text) or [""]
        last = len(parts) == 1
        try:
            if parts[0]:
                markup = keyboard(reply) if last else None
                await self.bot.edit_message_text(
                    chat_id=chat_id, message_id=message_id, text=parts[0], reply_markup=markup
                )
            else:
                await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                # deleted, or no longer editable: the outcome still reaches the user, as a new message
                log.info("telegram edit of message %s failed (%s); sending instead", message_id, exc.message)
                await self.send(chat_id, reply)
                return
        except TelegramError as exc:
            raise NotSent(exc, reply) from exc
        rest = Reply(text="\n".join(parts[1:]), buttons=() if last else reply.buttons, files=reply.files)
        await self.send(chat_id, rest)

    async def clear_keyboard(self, chat_id: str | int, message_id: int) -> None:
        """Take the buttons off a message whose question was answered; a message gone or unchanged is no matter."""
        try:
            await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
        except TelegramError as exc:
            log.info("telegram keyboard of message %s not removed: %s", message_id, exc.message)

    async def send_file(self, chat_id: str | int, file: OutFile) -> None:
        """An export or chart: sendPhoto for photos (sendDocument if Telegram refuses it), else sendDocument."""
        try:
            data = await asyncio.to_thread(file.path.read_bytes)
        except OSError as exc:
            log.error("telegram: file %s to send is unreadable: %s", file.path, exc)
            return
        caption = file.caption[:MAX_CAPTION] or None
        name = file.filename or file.path.name
        if file.kind == "photo":
            try:
                await self.bot.send_photo(chat_id=chat_id, photo=InputFile(data, filename=name), caption=caption)
                return
            except BadRequest as exc:
                log.info("telegram refused %s as a photo (%s); sending it as a document", name, exc.message)
        await self.bot.send_document(chat_id=chat_id, document=InputFile(data, filename=name), caption=caption)


class TelegramPusher:
    """The outbox sender's way to reach a person on Telegram (reminders, review notices)."""

    name = CHANNEL

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.metrics: Metrics | None = None  # the serving app's, once bound

    async def push(self, target: PushTarget, reply: Reply, *, kind: str) -> None:
        """Send `reply` to the person's chat; Telegram failures become PushError."""
        try:
            await self.sender.send(target.chat_id, reply)
        except NotSent as exc:
            raise push_error(exc.cause) from exc.cause
        if self.metrics is not None:
            self.metrics.sent(self.name, "push")
