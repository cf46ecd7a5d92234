"""python-telegram-bot running bench/engine.py's conversations on the same form (bench/ptb_form.py), in one process.

Updates are the Bot API's JSON turned into `Update`s and handed to `Application.process_update`, as a webhook hands
them over. With PicklePersistence, `update_persistence()` runs after every update, so each step is on disk before the
next one, as every step of the project's is in its database.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bench.ptb_form import DONE, LAST, build

BOT = {"id": 1, "is_bot": True, "first_name": "peer", "username": "peer_bot"}


class NoNetwork(BaseRequest):
    """Answers getMe in memory: the form never calls the Bot API, and initialize() needs only this."""

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Every call is getMe here."""
        return 200, b'{"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "peer", "username": "peer_bot"}}'


_ids = itertools.count(1)


def update(user: int, kind: str, what: str) -> dict[str, Any]:
    """The Bot API's JSON for one step: a text message, or a press of the button labelled `what`."""
    n, person = next(_ids), {"id": user, "is_bot": False, "first_name": f"p{user}"}
    message = {"message_id": n, "date": int(time.time()), "chat": {"id": user, "type": "private"}}
    if kind == "say":
        return {"update_id": n, "message": {**message, "from": person, "text": what}}
    question = {**message, "from": BOT, "text": "?"}
    return {
        "update_id": n,
        "callback_query": {"id": str(n), "from": person, "chat_instance": "c", "data": what, "message": question},
    }


async def run(
    script: tuple[tuple[str, str], ...], conversations: int, concurrency: int, warm_up: int, pickle: Path | None
) -> tuple[int, float, float, list[float], int, int]:
    """The same conversations C at a time; (steps, seconds, CPU s, step latencies in ms, saves, 0)."""
    app = build(NoNetwork(), pickle)
    await app.initialize()
    latencies: list[float] = []
    saves = [0]
    left = [warm_up + conversations]

    async def worker(user: int, timed: bool) -> None:
        while left[0] > (0 if timed else conversations):
            left[0] -= 1
            for kind, what in script:
                started = time.perf_counter()
                await app.process_update(Update.de_json(update(user, kind, what), app.bot))
                if pickle is not None:
                    await app.update_persistence()  # the step on disk before the next, as the project's is
                    saves[0] += 1
                if timed:
                    latencies.append((time.perf_counter() - started) * 1000)
            if LAST[user][0] != DONE:
                raise SystemExit(f"peer conversation did not end in a submission: {LAST[user]}")

    users = range(100, 100 + concurrency)
    await asyncio.gather(*(worker(u, False) for u in users))
    saves[0] = 0
    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(u, True) for u in users))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    await app.shutdown()
    return len(latencies), elapsed, cpu, latencies, saves[0], 0
