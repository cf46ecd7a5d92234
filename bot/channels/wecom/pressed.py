"""What a press led to, shown on the WeCom card pressed: its outcome in place of its buttons, or its question redrawn.

A multi-select toggle redraws the whole question (Reply.redraws_pressed). Sending it again would be every card of
it, about nine for a studio of forty, and WeCom drops what passes 30 messages a minute to a member; so the card
pressed is updated with its buttons as redrawn, one API call, with the ResponseCode of the press. Only when it
cannot be (no code, a code used or expired, an API error) do its buttons go out on a new card of the question.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.channels.wecom import CHANNEL
from bot.channels.wecom.inbound import CardPress
from bot.channels.wecom.outbound import WeComOutbound, template_card
from bot.channels.wecom.pickers import Slot
from bot.channels.wxbase.api import ApiError
from bot.http.metrics import Metrics
from handlers.core.types import Reply

log = logging.getLogger(__name__)


async def show_on_card(
    outbound: WeComOutbound,
    user: str,
    press: CardPress,
    shown: Reply,
    replies: list[Reply],
    metrics: Metrics,
    wait: Callable[[int], Awaitable[None]],
) -> list[Reply]:
    """Show `shown` on the pressed card; the replies still to send (a redrawing shown is not sent again)."""
    if shown.redraws_pressed:
        if await redraw(outbound, user, press, shown, metrics, wait):
            return [r for r in replies if r is not shown]
        return replies
    if press.response_code:
        try:
            await outbound.update_card(user, press.task_id, press.response_code, press.key, shown.text)
        except ApiError as exc:
            metrics.error(CHANNEL, "update_card")
            log.warning("wecom: could not update card %s: %s", press.task_id, exc)
    return replies


async def redraw(
    outbound: WeComOutbound,
    user: str,
    press: CardPress,
    reply: Reply,
    metrics: Metrics,
    wait: Callable[[int], Awaitable[None]],
) -> bool:
    """The pressed card's part of a redrawn question, on that card (else a new one); False: send it whole."""
    card = await outbound.cards.get(press.task_id)
    if card is None or card.get("user") != user or not card.get("picker"):
        return False
    picker_id = str(card["picker"])
    buttons = reply.all_buttons()
    try:
        picker = await outbound.pickers.get(picker_id)
        chunk = picker.redrawn(press.task_id, reply.text, buttons) if picker is not None else None
        if picker is None or chunk is None:
            return False  # more than the pressed card changed: the question goes out again
        slot = picker.cards[press.task_id]
        keys = [b.payload for b in chunk]
        picker.keys, picker.labels = [b.payload for b in buttons], [b.label for b in buttons]
        slot.shown = [*slot.shown[-1:], keys]
        await outbound.pickers.save(picker_id, picker)
    except Exception as exc:  # the database: unrecorded, the other cards' presses would be stale; send it whole
        log.warning("wecom: could not keep a redrawn question (%s); sending it again", type(exc).__name__)
        return False
    if press.response_code:
        try:
            await outbound.update(
                user, press.response_code, {"template_card": template_card(press.task_id, slot.title, slot.body, chunk)}
            )
            metrics.sent(CHANNEL, "card_update")
            return True
        except ApiError as exc:
            if exc.uncertain:  # WeCom took it and answered late: the card shows it, a new one would be a copy
                return True
            metrics.error(CHANNEL, "update_card")
            log.warning("wecom: could not update card %s (%s); its buttons go on a new card", press.task_id, exc)
    await wait(1)
    try:
        task_id = await outbound.card(user, slot.title, slot.body, chunk, picker=picker_id, of=len(picker.cards) + 1)
    except ApiError as exc:
        if exc.uncertain:
            return True
        log.warning("wecom: the new card of a redrawn question failed (%s); sending the question", exc)
        return False
    picker.cards[task_id] = Slot(slot.at, slot.title, slot.body, [keys])
    await outbound.pickers.save(picker_id, picker)
    metrics.sent(CHANNEL, "api")
    return True
