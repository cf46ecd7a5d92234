"""A turn in its own transaction, done again when another writer got in its way (at most ATTEMPTS times)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError

from handlers.core.config import HandlerConfig
from handlers.core.i18n import Translator
from handlers.core.types import Incoming, Reply, Turn
from handlers.engine.failures import TurnNotTaken, conflicted, database_unavailable, describe
from handlers.engine.turnlog import delivery_ref, log_turn
from storage.repos import conversations

log = logging.getLogger(__name__)
ATTEMPTS = 3

Attempt = Callable[[Incoming], Awaitable[Turn]]
Taken = Callable[[Incoming], Awaitable[Turn | None]]


async def alone(incoming: Incoming, *, attempt: Attempt, taken_elsewhere: Taken, config: HandlerConfig) -> Turn:
    """Run the turn by `attempt`; redo it on a moved conversation, a collision or a deadlock; answer a bug politely.

    The database unavailable raises TurnNotTaken (nothing was written: the platform must deliver it again).
    """
    for n in range(ATTEMPTS):
        try:
            return await attempt(incoming)
        except conversations.StaleConversation:
            # another process moved this conversation on; read it again and redo the turn
            log.info("conversation changed under turn %s (attempt %d)", delivery_ref(incoming), n + 1)
        except IntegrityError as exc:
            # another process wrote the same row first (its conversation, say): if it took this very delivery,
            # answer as it did; if another of this person's, redo the turn on what it wrote
            if (taken := await taken_elsewhere(incoming)) is not None:
                return taken
            log.info("turn %s collided with another (attempt %d): %s", delivery_ref(incoming), n + 1, describe(exc))
        except Exception as exc:
            if conflicted(exc) and n + 1 < ATTEMPTS:
                # PostgreSQL rolled it back to break a deadlock with a transaction beside it: nothing of it was written
                # (the last time, it is not taken: the platform delivers it again rather than the person reading
                # an error)
                log.info(
                    "turn %s conflicted with another (attempt %d): %s", delivery_ref(incoming), n + 1, describe(exc)
                )
                continue
            if database_unavailable(exc):
                # nothing was written: the platform must deliver it again rather than hear it was handled
                log.warning(
                    "turn not taken: channel=%s delivery=%s: %s",
                    incoming.channel,
                    delivery_ref(incoming),
                    describe(exc),
                )
                log_turn(incoming, config.secret_key, outcome="not_taken")
                raise TurnNotTaken(exc) from None
            log.error(
                "turn failed: channel=%s delivery=%s: %s",
                incoming.channel,
                delivery_ref(incoming),
                describe(exc),
                exc_info=exc,  # the engine hides statements' parameters (storage.database)
            )
            break
    log_turn(incoming, config.secret_key, outcome="error", replies=1)
    return Turn(replies=[Reply(text=Translator(config.default_locale)("engine.error"))])
