"""Refs written behind: a flush waits for the batch a background store has already taken."""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from bot.channels.wxbase.refs import RefBuffer
from storage.base import utcnow


class SlowStore:
    """A RefStore whose batch insert waits until the test lets it go."""

    write_behind = True

    def __init__(self) -> None:
        self.stored: dict[str, dict[str, Any]] = {}
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def claim_all(self, refs: dict[str, tuple[dict[str, Any], datetime | None]], *, now: datetime) -> None:
        self.started.set()
        await self.release.wait()
        self.stored.update({key: value for key, (value, _) in refs.items()})


async def test_flush_returns_only_when_the_background_batch_is_stored() -> None:
    store = SlowStore()
    refs = RefBuffer(SimpleNamespace(refs=lambda channel, kind: store), "wechat", "menu", utcnow)
    await refs.put("101", {"payload": "p"}, None)
    await store.started.wait()  # the background store has taken the batch out of the buffer
    flushing = asyncio.create_task(refs.flush())
    await asyncio.sleep(0.01)
    assert not flushing.done()  # it waits for the batch under way instead of returning at once
    store.release.set()
    await flushing
    assert store.stored == {"101": {"payload": "p"}}
