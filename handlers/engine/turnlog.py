"""One INFO line per turn: channel, a keyed digest of the sender, where the conversation stood, the outcome.

Never the sender's id, name or text: a platform id (a Telegram user id is a small number) is hidden
behind a digest keyed with SECRET_KEY, so the line can follow one sender without naming them.
"""

from __future__ import annotations

import hashlib
import logging

from handlers.core.types import Incoming
from storage.models import Conversation

log = logging.getLogger("studio_bot.turn")


def delivery_ref(incoming: Incoming) -> str:
    """A delivery as logs name it: a digest, since a platform's delivery id may carry the sender's id (an openid)."""
    return hashlib.blake2s(incoming.delivery_id.encode(), digest_size=6).hexdigest()


def sender_digest(incoming: Incoming, key: bytes) -> str:
    """Who sent it, as 10 hex digits that only this installation can compute."""
    mac = hashlib.blake2s(f"{incoming.channel}\x00{incoming.user_id}".encode(), key=key[:32], digest_size=5)
    return mac.hexdigest()


def input_kind(incoming: Incoming) -> str:
    """What kind of input the turn took: a button press, a file, or text."""
    if getattr(incoming, "payload", None):
        return "button"
    if getattr(incoming, "file", None) is not None:
        return "file"
    return "text"


def log_turn(
    incoming: Incoming, key: bytes, *, outcome: str, conversation: Conversation | None = None, replies: int = 0
) -> None:
    """The turn's one line (flow and step as the conversation stood when the message arrived)."""
    if not log.isEnabledFor(logging.INFO):
        return
    flow, step = (conversation.flow, conversation.step) if conversation is not None else ("-", "-")
    log.info(
        "turn channel=%s sender=%s input=%s flow=%s step=%s outcome=%s replies=%d",
        incoming.channel,
        sender_digest(incoming, key),
        input_kind(incoming),
        flow,
        step,
        outcome,
        replies,
    )
