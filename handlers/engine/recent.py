"""The answers this process gave to recent deliveries: a platform's retry is answered again from memory."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from handlers.core.types import Reply

RECENT = 4096  # deliveries whose answers are kept in memory for retries
# platform retries come within minutes; older ids are the database's to judge (it forgets them after
# SEEN_DELIVERIES_KEEP_DAYS, and Telegram may then number updates afresh)
RECENT_FOR = timedelta(hours=1)


class RecentAnswers:
    """The last RECENT deliveries' answers, by (channel, delivery id), each good for RECENT_FOR."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._answers: OrderedDict[tuple[str, str], tuple[datetime, list[Reply]]] = OrderedDict()

    def remember(self, key: tuple[str, str], replies: list[Reply]) -> None:
        """Keep what this delivery was answered (the oldest kept one is forgotten past RECENT)."""
        # platform retries usually reach the process that answered: no database work for them
        self._answers[key] = (self.clock(), replies)
        if len(self._answers) > RECENT:
            self._answers.popitem(last=False)

    def recalled(self, key: tuple[str, str]) -> list[Reply] | None:
        """What this delivery was answered, if it was answered here less than RECENT_FOR ago."""
        found = self._answers.get(key)
        if found is None:
            return None
        if found[0] < self.clock() - RECENT_FOR:
            del self._answers[key]
            return None
        return found[1]
