"""Freshness of /wechat and /wecom callbacks: a timestamp near now, and each signature set on one body only."""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

log = logging.getLogger(__name__)
KEPT = 200_000  # signature sets remembered at most: ~650 callbacks a second through a 300 s window
_SECONDS = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would also take '١٢', ' 12' or '1_2'
REFUSED = {  # what the log says of a refusal, by its outcome
    "stale": "its timestamp is not within WECHAT_SIGNATURE_MAX_AGE_SECONDS of now (is this server's clock right?)",
    "replayed": "its timestamp, nonce and signature came before with another body",
}


class Freshness:
    """Refuses a signed callback whose timestamp is out of the window, or whose signature set came with another body.

    WeChat's retries repeat the query and the body byte for byte: those pass (the MsgId dedup answers them).
    Only sets that passed their signature check are remembered, so nobody without the token can fill this.
    """

    def __init__(self, max_age: int, clock: Callable[[], datetime], *, kept: int = KEPT) -> None:
        self.max_age = max_age
        self.clock = clock
        self.kept = kept
        self._seen: OrderedDict[tuple[str, str, str], tuple[int, bytes]] = OrderedDict()  # → (forget after, digest)
        self._full_said = False

    def __len__(self) -> int:
        return len(self._seen)

    def refusal(self, method: str, timestamp: str, nonce: str, signature: str, content: bytes) -> str | None:
        """'stale' or 'replayed' (a metrics outcome) for a callback to refuse; None to take it, a retry included."""
        now = int(self.clock().timestamp())
        if not _SECONDS.fullmatch(timestamp) or abs(now - int(timestamp)) > self.max_age:
            return "stale"
        self._forget(now)
        key = (timestamp, nonce, signature)
        digest = hashlib.sha256(method.encode() + b"\n" + content).digest()
        known = self._seen.get(key)
        if known is not None:
            return None if known[1] == digest else "replayed"
        self._seen[key] = (int(timestamp) + self.max_age, digest)
        if len(self._seen) > self.kept:
            # genuine traffic beyond the bound: the oldest go early (in safe mode the MsgId dedup still holds)
            self._seen.popitem(last=False)
            if not self._full_said:
                self._full_said = True
                log.warning("callback replay guard full (%d signature sets): forgetting the oldest early", self.kept)
        return None

    def _forget(self, now: int) -> None:
        """Drop the sets whose timestamps the window no longer accepts (they arrive roughly in time order)."""
        while self._seen:
            forget_after, _ = next(iter(self._seen.values()))
            if forget_after >= now:
                return
            self._seen.popitem(last=False)
