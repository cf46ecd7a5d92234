"""Telegram updates as engine events: text, commands, button presses, photos and documents (stored at once)."""

from __future__ import annotations

import logging
from dataclasses import replace

import httpx
from telegram import Bot, Chat, Message, Update, User
from telegram.error import BadRequest, TelegramError

from bot.channels.services import ChannelServices, FileNotKept
from bot.channels.telegram import CHANNEL
from handlers.core.types import Capabilities, InboundFile, Incoming
from handlers.engine.answers import calls_command

log = logging.getLogger(__name__)

# documents travel as files; the pressed message is edited to show the outcome of the press
CAPABILITIES = Capabilities(edits_pressed=True)
# Edited messages, channel posts, polls …: Telegram is told not to send them at all.
ALLOWED_UPDATES = ("message", "callback_query")
# getFile on the cloud Bot API serves files up to 20 MB; larger ones are refused before downloading.
MAX_FILE_BYTES = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60.0  # seconds for a file whose size nobody gave
CAPTION_SUFFIX = ":caption"  # update ids are integers: no other delivery id ends like this


def delivery_of(update: Update, bot: Bot) -> str:
    """An update's delivery id, keyed by the bot (its token's numeric id): two bots on one database never collide."""
    return f"{bot.token.partition(':')[0]}:{update.update_id}"


class FileRefused(Exception):
    """A photo or file that could not be fetched; `key` is the message that tells the user why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def language_hint(user: User | None) -> str | None:
    """The user's Telegram language (an IETF tag like zh-hans, en-US) as a locale the engine knows."""
    code = (user.language_code or "").lower() if user else ""
    if code.startswith("zh"):
        return "zh_CN"
    if code.startswith("en"):
        return "en"
    return code or None


def is_private(update: Update) -> bool:
    """Whether the update comes from a person's private chat with the bot (a press: where its message is)."""
    query = update.callback_query
    if query is not None:
        # a press on an inline-mode message carries no chat: nothing says it is private
        return query.message is not None and query.message.chat.type == Chat.PRIVATE
    chat = update.effective_chat
    return chat is not None and chat.type == Chat.PRIVATE


async def to_incoming(update: Update, bot: Bot, services: ChannelServices) -> Incoming | None:
    """The engine event an update stands for, files already stored; None for updates the bot ignores.

    Replies and pushes go to the sender's private chat, whose id is the user's: never to the chat a message
    came from, so that no group can become anyone's push target (groups.py keeps them from the engine anyway).
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    delivery_id, private = delivery_of(update, bot), is_private(update)
    query = update.callback_query
    if query is not None:
        return Incoming(
            channel=CHANNEL,
            user_id=str(user.id),
            chat_id=str(user.id),
            delivery_id=delivery_id,
            payload=query.data or "",
            user_language=language_hint(user),
            private=private,
            capabilities=CAPABILITIES,
        )
    message = update.message
    if message is None:
        return None
    opens = command_caption(message, services) is not None  # a command caption is a turn first: it may open a record
    wanted = private and carries_file(message) and await services.takes_file(CHANNEL, str(user.id), may_open=opens)
    file = await fetch_file(message, bot, services) if wanted else None
    words = (message.caption or "").strip()
    if file is not None and words and not opens:
        file = replace(file, caption=words)  # other words are the file's description
    declined = None if wanted or not private or not carries_file(message) else _kind(message)
    return Incoming(
        channel=CHANNEL,
        user_id=str(user.id),
        chat_id=str(user.id),
        delivery_id=delivery_id,
        # a stored file's caption is its description, or a turn of its own (caption_of) when it is a command
        text=None if file is not None or declined else message.text or message.caption,
        file=file,
        file_declined=declined,
        received_at=message.date,
        user_language=language_hint(user),
        private=private,
        capabilities=CAPABILITIES,
    )


def command_caption(message: Message, services: ChannelServices) -> str | None:
    """A file's caption when it calls a command (记录活动): that is read as a message of its own."""
    caption = (message.caption or "").strip()
    if not caption or not carries_file(message):
        return None
    return caption if calls_command(services.routes, caption) else None


def caption_of(update: Update, services: ChannelServices, bot: Bot) -> Incoming | None:
    """The caption of a photo or document that calls a command, as a text message of its own (its own delivery id)."""
    user, message = update.effective_user, update.message
    if user is None or user.is_bot or message is None or command_caption(message, services) is None:
        return None
    return Incoming(
        channel=CHANNEL,
        user_id=str(user.id),
        chat_id=str(user.id),
        private=is_private(update),
        # the file keeps the update's id, so a redelivered update is recognised part by part
        delivery_id=f"{delivery_of(update, bot)}{CAPTION_SUFFIX}",
        text=message.caption,
        received_at=message.date,
        user_language=language_hint(user),
        capabilities=CAPABILITIES,
    )


def carries_file(message: Message) -> bool:
    """Whether the message brings a photo, document or voice (Telegram sends no text of it), fetched and stored."""
    return bool(message.photo) or message.document is not None or message.voice is not None


def _kind(message: Message) -> str:
    return "photo" if message.photo else "voice" if message.voice is not None else "document"


async def fetch_file(message: Message, bot: Bot, services: ChannelServices) -> InboundFile | None:
    """Download the message's photo (largest size) or document and keep our own copy."""
    if message.photo:
        size = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return await _download(bot, services, "photo", size.file_id, size.file_size, "", "image/jpeg")
    voice = message.voice
    if voice is not None:
        name = f"{voice.file_unique_id}.ogg"
        return await _download(bot, services, "voice", voice.file_id, voice.file_size, name, voice.mime_type or "")
    document = message.document
    if document is not None:
        return await _download(
            bot,
            services,
            "document",
            document.file_id,
            document.file_size,
            document.file_name or "",
            document.mime_type or "",
        )
    return None


async def _capped(url: str) -> bytes:
    """The file at `url`, read as it streams in; FileRefused as soon as it passes MAX_FILE_BYTES."""
    data = bytearray()
    async with httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT) as http, http.stream("GET", url) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                raise FileRefused("telegram.file_too_big")
    return bytes(data)


async def _download(
    bot: Bot, services: ChannelServices, kind: str, file_id: str, size: int | None, filename: str, media_type: str
) -> InboundFile:
    if size is not None and size > MAX_FILE_BYTES:
        raise FileRefused("telegram.file_too_big")
    try:
        remote = await bot.get_file(file_id)
        if remote.file_size is not None and remote.file_size > MAX_FILE_BYTES:
            # an update need not say a document's size; getFile does, before a byte is fetched
            raise FileRefused("telegram.file_too_big")
        if size is None and remote.file_size is None:
            data = await _capped(str(remote.file_path))  # nobody says how big: read no more than allowed
        else:
            data = bytes(await remote.download_as_bytearray())
    except BadRequest as exc:
        log.warning("telegram file %s refused by the Bot API: %s", kind, exc.message)
        raise FileRefused(
            "telegram.file_too_big" if "too big" in exc.message.lower() else "telegram.file_failed"
        ) from exc
    except (TelegramError, RuntimeError, httpx.HTTPError) as exc:
        log.warning("telegram file %s could not be downloaded: %s", kind, type(exc).__name__)
        raise FileRefused("telegram.file_failed") from exc
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("telegram.file_too_big")
    # Photos carry no name: the stored copy is named by its checksum and type.
    try:
        return await services.store_file(data, kind=kind, file_ref=file_id, filename=filename, media_type=media_type)
    except FileNotKept:
        raise FileRefused("channels.media_not_kept") from None
