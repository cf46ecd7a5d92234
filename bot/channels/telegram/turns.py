"""One Telegram update as one engine turn, and the turn's replies back to the chat, in order per chat."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, replace

from telegram import Bot, CallbackQuery, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.channels.ordering import KeyedLocks
from bot.channels.services import ChannelServices
from bot.channels.telegram import CHANNEL, groups
from bot.channels.telegram.groups import GroupAnswer
from bot.channels.telegram.inbound import (
    CAPABILITIES,
    FileRefused,
    caption_of,
    delivery_of,
    is_private,
    language_hint,
    to_incoming,
)
from bot.channels.telegram.outbound import NotSent, Sender
from bot.http.metrics import Metrics
from handlers.core.i18n import Translator
from handlers.core.presses import answers_question
from handlers.core.types import Incoming, Reply, Turn

log = logging.getLogger(__name__)
TOAST = 200  # characters Telegram shows in a callback query's answer


@dataclass(frozen=True, slots=True)
class Accepted:
    """An update the engine answered: what came in, the turn, and its outcome (a metrics label)."""

    incoming: Incoming
    turn: Turn
    outcome: str  # "message" | "event" | "duplicate" | "media_failed", as the WeChat channels count them
    owed: tuple[str, ...] = ()  # the deliveries whose replies stay owed until they are sent


class Turns:
    """Accepts updates (files stored, the turn committed) and delivers what the engine answered."""

    def __init__(self, services: ChannelServices, bot: Bot, sender: Sender, stats: Counter[str]) -> None:
        self.services = services
        self.bot = bot
        self.sender = sender
        self.stats = stats
        self._locks = KeyedLocks()

    async def accept(self, update: Update) -> Accepted | GroupAnswer | None:
        """The engine's turn for an update (files downloaded and stored first); None if the bot ignores it.

        A captioned photo or document is two turns, its caption first (a command like 记录活动 then opens the
        record the file joins; at the files step the file's receipt is the last word), each deduplicated on
        its own delivery id; their replies go out together. An update from a group is never the engine's:
        what to say there, if anything, is a GroupAnswer.
        """
        self.stats["updates"] += 1
        if not is_private(update):
            said = groups.answer(update, self.bot, self.services.config.default_locale)
            self.stats["ignored" if said is None else "group"] += 1
            return said
        user = update.effective_user
        key = str(user.id if user else 0)  # a private chat's id is its user's
        async with self._lock("accept", key):
            refused: FileRefused | None = None
            try:
                incoming = await to_incoming(update, self.bot, self.services)
            except FileRefused as exc:
                self.stats["files_refused"] += 1
                refused, user_id = exc, str(user.id if user else 0)
                incoming = Incoming(
                    channel=CHANNEL,
                    user_id=user_id,
                    chat_id=key,
                    delivery_id=delivery_of(update, self.bot),
                    capabilities=CAPABILITIES,
                )
            if incoming is None:
                self.stats["ignored"] += 1
                return None
            turns: list[Turn] = []
            owed: list[str] = []
            caption = caption_of(update, self.services, self.bot)
            if caption is not None:
                turns.append(await self._handle(caption, owed))
            if refused is None:
                turns.append(await self._handle(incoming, owed))
            else:
                text = Translator(await self._locale(incoming, language_hint(user)))(refused.key)
                # the question the person stands at comes again, so the file's refusal is not the last word
                question = await self.services.where(CHANNEL, incoming.user_id)
                turns.append(Turn(replies=[Reply(text=text), *question]))
        if refused is not None:
            return Accepted(incoming, _together(turns), "media_failed", tuple(owed))
        if all(turn.duplicate for turn in turns):
            self.stats["duplicates"] += 1
            return Accepted(incoming, Turn(replies=turns[-1].replies, duplicate=True), "duplicate")
        outcome = "event" if update.callback_query is not None else "message"
        return Accepted(incoming, _together(turns), outcome, tuple(owed))

    async def _handle(self, incoming: Incoming, owed: list[str]) -> Turn:
        # the replies go out after the turn is committed: owed until deliver() has sent them
        turn = await self.services.handle(replace(incoming, confirms_replies=True))
        if not turn.duplicate:
            owed.append(incoming.delivery_id)
        return turn

    async def deliver_accepted(self, update: Update, accepted: Accepted, metrics: Metrics | None = None) -> None:
        """deliver() an accepted turn, then say whether its replies went out (else the next turn brings them)."""
        sent = False
        try:
            await self.deliver(update, accepted.incoming, accepted.turn, metrics)
            sent = True
        finally:
            if accepted.owed:
                await self.services.replied(CHANNEL, accepted.owed, sent=sent)

    async def deliver(self, update: Update, incoming: Incoming, turn: Turn, metrics: Metrics | None = None) -> None:
        """Answer a press, edit the pressed message with an outcome, send the other replies; in order per chat.

        What Telegram will not take goes to the outbox: the rest of the reply it stopped in, and the replies
        after it, so that they still arrive in order.
        """
        async with self._lock("send", incoming.chat_id):
            query = update.callback_query
            if query is not None:
                await self._answer(query, None if turn.duplicate else toast_of(turn))
            if turn.duplicate:
                return  # answered the first time; the same words again would only confuse
            pressed = query.message if query is not None and isinstance(query.message, Message) else None
            edits = any(r.outcome_of_press or r.redraws_pressed for r in turn.replies)
            if pressed is not None and not edits and answers_question(incoming.payload or ""):
                await self.sender.clear_keyboard(pressed.chat.id, pressed.message_id)  # answered: its buttons go
                pressed = None
            for index, reply in enumerate(turn.replies):
                try:
                    if (reply.outcome_of_press or reply.redraws_pressed) and pressed is not None:
                        await self.sender.edit(pressed.chat.id, pressed.message_id, reply)
                        pressed = None
                    else:
                        await self.sender.send(incoming.chat_id, reply)
                except NotSent as exc:
                    self.stats["send_failures"] += 1
                    if metrics is not None:
                        metrics.error(CHANNEL, "send")
                    log.warning("telegram reply to update %s not sent: %s", update.update_id, exc.cause)
                    later = [(index, exc.rest), *enumerate(turn.replies[index + 1 :], start=index + 1)]
                    await self._keep_for_later(incoming, later)
                    return
                self.stats["replies"] += 1
                if metrics is not None:
                    metrics.sent(CHANNEL, "api")

    async def say_in_group(self, update: Update, said: GroupAnswer) -> None:
        """The toast for a press in a group, or the line inviting to the private chat; never put off for later."""
        query = update.callback_query
        if said.press and query is not None:
            await self._answer(query, said.text)
            return
        async with self._lock("send", str(said.chat_id)):
            try:
                await self.sender.send(said.chat_id, Reply(text=said.text))
            except NotSent as exc:  # e.g. the bot was removed from the group: nobody there is owed this line
                self.stats["send_failures"] += 1
                log.info("telegram group answer to update %s not sent: %s", update.update_id, exc.cause)
                return
        self.stats["replies"] += 1

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await query.answer(text)
        except BadRequest as exc:  # "query is too old": the press itself is still handled
            log.info("telegram callback query not answered: %s", exc.message)
        except TelegramError as exc:
            log.warning("telegram callback query not answered: %s", exc)

    async def _keep_for_later(self, incoming: Incoming, replies: list[tuple[int, Reply]]) -> None:
        """Replies Telegram would not take now go to the outbox, which retries them (bound people only)."""
        keyed = [(f"telegram-reply:{incoming.delivery_id}:{index}", reply) for index, reply in replies]
        await self.services.keep_for_later(CHANNEL, incoming.user_id, keyed)

    async def _locale(self, incoming: Incoming, hint: str | None) -> str | None:
        chosen = await self.services.locale_of(CHANNEL, incoming.user_id)
        return chosen or hint or self.services.config.default_locale

    def _lock(self, purpose: str, chat_id: str) -> asyncio.Lock:
        return self._locks((purpose, chat_id))


def toast_of(turn: Turn) -> str | None:
    """What a press's toast says: a reply's own toast (a refused or expired press), else the one short line a press
    was answered with when it leaves nothing to press (taken by somebody else, gone); None for an ordinary step."""
    for reply in turn.replies:
        if reply.toast:
            return reply.toast[:TOAST]
    lone = turn.replies[0] if len(turn.replies) == 1 else None
    if lone is not None and not lone.buttons and not lone.files and len(lone.text) <= TOAST:
        return lone.text or None
    return None


def _together(turns: list[Turn]) -> Turn:
    # a part seen before was committed by an attempt that never got as far as replying (Telegram
    # redelivers only what it did not hear 200 for): its stored replies are owed too
    return Turn(replies=[reply for turn in turns for reply in turn.replies])
