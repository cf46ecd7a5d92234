"""kill -9 of a real `studio-bot serve` while it pushes the outbox: no notice lost, none sent twice but the one
whose push was under way (resent by the next leader rather than risk losing it); and how soon pushes resume.

The scheduler is on, as in production: one process on SQLite (its lease must lapse before the restarted process
leads), and two on PostgreSQL (the advisory lock dies with the killed leader's connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from tests.support.fake_telegram import until
from tests.support.faults import (
    CONTROL,
    LEADS,
    Figures,
    led_since,
    more_than,
    outbox_statuses,
    queue_notices,
    seconds,
    seed_leads,
    wake_sender,
)
from tests.support.serve_process import ServeProcess, ThreadedFakeTelegram, once_per_run, scale, telegram_env


@pytest.mark.timeout(900)
async def test_kill_9_during_an_outbox_burst_loses_no_notice(
    db_url: str, tmp_path: Path, telegram: ThreadedFakeTelegram
) -> None:
    once_per_run()  # the outbox on PostgreSQL is the two-process scenario's; `make faults` runs both
    people = [CONTROL + 1 + n for n in range(scale(40, 200))]
    await seed_leads(db_url, people)
    texts = await queue_notices(db_url, scale(120, 1000))
    server = ServeProcess(telegram_env(db_url, telegram, tmp_path), tmp_path, scheduler=True)

    def arrived() -> Counter[str]:
        return Counter(telegram.all_texts())

    kills = scale(1, 6)
    takeovers: list[float] = []  # seconds from a kill to the restarted process leading (the SQLite lease lapsed)
    await asyncio.to_thread(server.start)
    try:
        await until(lambda: LEADS in server.log(), within=60, what="the process to lead")
        await wake_sender(server, people[0])  # the burst starts now
        for _ in range(kills):
            wanted = len(telegram.all_texts()) + 10  # mid-burst: a few more went out since the (re)start
            await until(partial(more_than, telegram, wanted), within=120, what="pushes going out")
            await asyncio.to_thread(server.kill)
            killed_at, log_size = time.monotonic(), len(server.log())
            await asyncio.to_thread(server.start)
            await until(partial(led_since, server, log_size), within=120, what="the restarted process to lead")
            takeovers.append(time.monotonic() - killed_at)
            await wake_sender(server, people[0])  # rather than its next tick (the other scenarios wait for that)
        with contextlib.suppress(AssertionError):  # what never arrives is counted as lost below
            await until(lambda: set(arrived()) >= set(texts), within=scale(180, 600), what="every notice")
        await asyncio.sleep(2)
    finally:
        await asyncio.to_thread(server.stop)

    got = arrived()
    figures = Figures(tried=len(texts))
    figures.lost = sum(1 for text in texts if not got[text])
    figures.duplicated = sum(got[text] - 1 for text in texts if got[text] > 1)
    figures.crashed = server.log().count("Traceback")
    print(figures.line(f"kill -9 ×{server.kills} during an outbox burst") + f"; leading again {seconds(takeovers)}")
    assert figures.lost == 0 and figures.crashed == 0, (figures, await outbox_statuses(db_url))
    assert figures.duplicated <= kills * 2, figures  # the one claim in flight per channel at each kill (and its retry)
    assert await outbox_statuses(db_url) == {"sent": len(texts)}


@pytest.mark.timeout(900)
async def test_two_serve_processes_on_postgresql_the_leader_killed_the_other_sends_the_rest(
    postgres_url: str, tmp_path: Path, telegram: ThreadedFakeTelegram
) -> None:
    once_per_run()
    people = [CONTROL + 1 + n for n in range(scale(30, 200))]
    await seed_leads(postgres_url, people)
    texts = await queue_notices(postgres_url, scale(90, 600))
    env = telegram_env(postgres_url, telegram, tmp_path)
    first, second = ServeProcess(env, tmp_path), ServeProcess(env, tmp_path)
    try:
        await asyncio.gather(asyncio.to_thread(first.start), asyncio.to_thread(second.start))
        await until(lambda: LEADS in first.log() + second.log(), within=60, what="a process to lead")
        leader, other = (first, second) if LEADS in first.log() else (second, first)
        await wake_sender(leader, people[0])  # the burst starts now
        await until(partial(more_than, telegram, 10), within=120, what="the leader sending")
        await asyncio.to_thread(leader.kill)  # mid-burst
        killed_at, sent = time.monotonic(), len(telegram.all_texts())
        await until(lambda: LEADS in other.log(), within=60, what="the other process taking over")
        led = time.monotonic() - killed_at
        await until(partial(more_than, telegram, sent + 1), within=60, what="the other process pushing")
        pushed = time.monotonic() - killed_at
        with contextlib.suppress(AssertionError):  # what never arrives is counted as lost below
            await until(lambda: set(telegram.all_texts()) >= set(texts), within=scale(180, 600), what="every notice")
        await asyncio.sleep(2)
    finally:
        await asyncio.gather(asyncio.to_thread(first.stop), asyncio.to_thread(second.stop))

    got = Counter(telegram.all_texts())
    figures = Figures(tried=len(texts))
    figures.lost = sum(1 for text in texts if not got[text])
    figures.duplicated = sum(got[text] - 1 for text in texts if got[text] > 1)
    figures.crashed = other.log().count("Traceback")
    took_over = f"the other led {led:.1f} s and pushed again {pushed:.1f} s after the kill"
    print(figures.line("two serve processes on PostgreSQL, the leader killed") + f"; {took_over}")
    assert figures.lost == 0 and figures.crashed == 0, (figures, await outbox_statuses(postgres_url))
    assert figures.duplicated <= 2, figures  # the one claim in flight when the leader died
    assert await outbox_statuses(postgres_url) == {"sent": len(texts)}
