"""A WeChat-family message that could not go out now is handed to the outbox, whose sender retries it."""

from __future__ import annotations

import logging
from uuid import uuid4

from bot.channels.services import ChannelServices
from handlers.core.types import Reply

log = logging.getLogger(__name__)


async def rescue(services: ChannelServices, channel: str, user_id: str, reply: Reply) -> bool:
    """Queue `reply` in the outbox for the person behind this user; False (and logged) for strangers."""
    if await services.keep_for_later(channel, user_id, [(f"{channel}-rescue:{uuid4().hex}", reply)]):
        return True
    log.error("%s: a message to an unbound user could not be sent and is dropped", channel)
    return False
