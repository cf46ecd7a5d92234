"""PostgreSQL restarts while `studio-bot serve` is answering: nothing a person sent is lost, nothing done twice.

The database is a cluster of the test's own (tests/support/own_postgres.py), never the shared server. During the
outage turns are answered 503, so Telegram sends them again; /healthz says the database is down, then up again.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from storage.migrate import upgrade
from tests.support.fake_telegram import text_update
from tests.support.faults import (
    CONTROL,
    ERROR_TEXT,
    SCRIPT,
    TITLE,
    Figures,
    entries_per_studio,
    normal,
    seed_leads,
    settled,
)
from tests.support.own_postgres import OwnPostgres
from tests.support.serve_process import (
    ServeProcess,
    ThreadedFakeTelegram,
    once_per_run,
    post_until_taken,
    scale,
    telegram_env,
)

# above the 15 s during which a reply sent while the database was away is recorded again (handlers/engine/owed.py),
# as in production (30 s): shorter, a reply recorded late would come twice only because of the test
OWED_AFTER = 16


@pytest.fixture
def cluster() -> Iterator[OwnPostgres]:
    """A started PostgreSQL cluster of this test's own, removed afterwards."""
    once_per_run()
    why = OwnPostgres.why_not()
    if why is not None:
        pytest.skip(f"no PostgreSQL cluster of the test's own: {why}")
    own = OwnPostgres()
    try:
        own.start()
        yield own
    finally:
        own.remove()


@pytest.mark.timeout(900)
async def test_a_postgresql_restart_while_serving_loses_no_step(cluster: OwnPostgres, tmp_path: Path) -> None:
    await cluster.create_database()
    await upgrade(cluster.url)
    leads = [CONTROL + 1 + n for n in range(scale(8, 30))]
    restarts = scale(1, 4)
    await seed_leads(cluster.url, [CONTROL, *leads], reviewer=True)
    telegram = ThreadedFakeTelegram()
    server = ServeProcess(
        telegram_env(cluster.url, telegram, tmp_path, REPLY_OWED_AFTER_SECONDS=str(OWED_AFTER)), tmp_path
    )
    update_ids = iter(range(1_000_000, 10_000_000))
    figures, rng = Figures(), random.Random(20)
    refused = 0
    health_down = False
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(timeout=30) as http:

            async def type_(user: int, text: str) -> None:
                nonlocal refused
                _, refusals = await post_until_taken(http, server.url, text_update(next(update_ids), user, text))
                figures.tried += 1
                refused += refusals

            async def converse(user: int) -> None:
                for text in SCRIPT:
                    await type_(user, text)
                    await asyncio.sleep(rng.uniform(0.1, 0.4))

            async def restart() -> None:
                nonlocal health_down
                for _ in range(restarts):
                    await asyncio.sleep(rng.uniform(0.5, 1.5))
                    await asyncio.to_thread(cluster.stop)
                    down[0] = time.monotonic()  # turns whose replies may be owed were committed before this
                    health = await http.get(f"{server.url}/healthz")
                    health_down = health_down or health.status_code == 503
                    await asyncio.sleep(3)  # the outage
                    await asyncio.to_thread(cluster.start)

            down = [0.0]
            await asyncio.gather(restart(), *(converse(user) for user in leads))
            for text in (*SCRIPT, "帮助"):  # the control: the same conversation once the database is back for good
                await type_(CONTROL, text)
            # then a reply sent but never recorded as sent would come again with the next message: counted
            await asyncio.sleep(max(0.0, down[0] + OWED_AFTER + 1 - time.monotonic()))
            await asyncio.gather(*(type_(user, "帮助") for user in leads))
            await settled(telegram, [CONTROL, *leads])
            expected = normal(telegram.texts_to(CONTROL))
            assert (await http.get(f"{server.url}/healthz")).status_code == 200
            alive = server.process is not None and server.process.poll() is None
            received = {user: normal(telegram.texts_to(user)) for user in leads}
    finally:
        await asyncio.to_thread(server.stop)
        telegram.stop()

    for got in received.values():
        figures.lost += sum((Counter(expected) - Counter(got)).values())
        figures.duplicated += sum((Counter(got) - Counter(expected)).values())
        figures.crashed += sum(ERROR_TEXT in text for text in got)
    figures.crashed += 0 if alive else 1
    print(figures.line(f"PostgreSQL restarted ×{restarts} while serving {len(leads)} conversations ({refused} 503s)"))
    assert health_down  # the outage was seen, and said
    assert await entries_per_studio(cluster.url) == {f"{TITLE}:1": len(leads) + 1}
    assert figures.lost == 0 and figures.crashed == 0, figures
    assert figures.duplicated <= restarts * len(leads), figures  # a reply sent while its record could not be written
