"""Groups, supergroups and channels: the bot shows nothing there and only invites people to its private chat.

Ledgers, reviews and conversations belong to a person's private chat with the bot. An update from any other
chat never reaches the engine: an addressed message gets one line pointing to the private chat, a press gets a
toast, anything else no answer at all. Nothing is downloaded and nobody's push target changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, Message, MessageEntity, Update

from bot.channels.telegram.inbound import language_hint
from handlers.core.i18n import Translator, normalise_locale

_MARKS: list[str | None] = [MessageEntity.BOT_COMMAND, MessageEntity.MENTION, MessageEntity.TEXT_MENTION]


@dataclass(frozen=True, slots=True)
class GroupAnswer:
    """What the bot says in a group: a line sent to the chat, or a toast for a press (`press` set)."""

    chat_id: int
    text: str
    press: bool = False

    @property
    def outcome(self) -> str:
        """The metrics label of an update answered in a group."""
        return "group"


def answer(update: Update, bot: Bot, default_locale: str) -> GroupAnswer | None:
    """What to say to an update from a chat that is not private; None when it is not addressed to the bot."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    t = Translator(normalise_locale(language_hint(user)) or default_locale)
    query = update.callback_query
    if query is not None:
        chat_id = query.message.chat.id if query.message is not None else user.id
        return GroupAnswer(chat_id, t("telegram.group_press"), press=True)
    message = update.message
    if message is None or not addressed(message, bot):
        return None
    return GroupAnswer(message.chat.id, t("telegram.group_invite", bot=bot.username))


def addressed(message: Message, bot: Bot) -> bool:
    """A /command (to no bot or to this one), a mention of this bot, or a reply to one of its messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    me = bot.username.lower()
    marks = {**message.parse_entities(_MARKS), **message.parse_caption_entities(_MARKS)}
    for entity, text in marks.items():
        if entity.type == MessageEntity.BOT_COMMAND:
            _, _, to = text.partition("@")
            if entity.offset == 0 and to.lower() in ("", me):
                return True
        elif entity.type == MessageEntity.MENTION:
            if text.lower() == f"@{me}":
                return True
        elif entity.user is not None and entity.user.id == bot.id:  # a text mention: a link to a user
            return True
    return False
