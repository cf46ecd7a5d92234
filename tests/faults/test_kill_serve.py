"""kill -9 of a real `studio-bot serve`, then a restart: nothing a person sent is lost, nothing sent twice but the
documented uncertain send (a push or reply that reached the platform just before the kill and was not yet recorded).

Telegram (the fake Bot API in a thread) plays the platform exactly: an update is POSTed again, with its update_id,
until /telegram answers 200; pushes and replies land on the fake, where the test counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.support.fake_telegram import text_update, until
from tests.support.faults import (
    SCRIPT,
    TITLE,
    Figures,
    entries_per_studio,
    outbox_statuses,
    queue_notices,
    seed_leads,
)
from tests.support.serve_process import (
    ServeProcess,
    ThreadedFakeTelegram,
    once_per_run,
    post_until_taken,
    scale,
    telegram_env,
)

CONTROL = 9000
# REPLY_OWED_AFTER_SECONDS of the scenario's serve (30 s in production): a reply the killed process owed comes with
# the person's next message once this has passed
OWED_AFTER = 10
ERROR_TEXT = "抱歉，处理时出错了"
LEADS = "this process now runs the reminders"  # bot/scheduler/leader.py, when a process takes the lead


@pytest.fixture
def telegram() -> Iterator[ThreadedFakeTelegram]:
    """The fake Bot API in its own thread."""
    fake = ThreadedFakeTelegram()
    yield fake
    fake.stop()


def more_than(telegram: ThreadedFakeTelegram, count: int) -> bool:
    """At least `count` messages reached the fake."""
    return len(telegram.all_texts()) >= count


def normal(texts: list[str]) -> list[str]:
    """Replies with the entry number and the lead's name (each studio's own) blanked, so that all can be compared."""
    return [re.sub(r"领衔人\d+", "领衔人N", re.sub(r"#\d+", "#N", text)) for text in texts]


async def settled(telegram: ThreadedFakeTelegram, chats: list[int], *, quiet: float = 2.0, within: float = 60) -> None:
    """Wait until nothing new has reached these chats for `quiet` seconds."""
    deadline, last, since = time.monotonic() + within, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = sum(len(telegram.texts_to(chat)) for chat in chats)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        await asyncio.sleep(0.2)


@pytest.mark.timeout(900)
async def test_kill_9_during_conversations_loses_no_step_and_no_reply(
    db_url: str, tmp_path: Path, telegram: ThreadedFakeTelegram
) -> None:
    leads = [CONTROL + 1 + n for n in range(scale(8, 30))]
    kills = scale(3, 12)
    await seed_leads(db_url, [CONTROL, *leads], reviewer=True)
    env = telegram_env(db_url, telegram, tmp_path, REPLY_OWED_AFTER_SECONDS=str(OWED_AFTER))
    server = ServeProcess(env, tmp_path, scheduler=False)
    update_ids = iter(range(1_000_000, 10_000_000))
    figures, rng = Figures(), random.Random(20)
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(timeout=30) as http:

            async def type_(user: int, text: str) -> None:
                # Telegram goes on resending for hours; the long run's twelve restarts on a busy machine take minutes
                update = text_update(next(update_ids), user, text)
                await post_until_taken(http, server.url, update, within=scale(120, 900))
                figures.tried += 1

            for text in (*SCRIPT, "帮助"):  # the control: the same conversation, and no fault
                await type_(CONTROL, text)
            await settled(telegram, [CONTROL])
            expected = normal(telegram.texts_to(CONTROL))
            assert len(expected) >= len(SCRIPT) + 1 and ERROR_TEXT not in "".join(expected), expected

            async def converse(user: int) -> None:
                for text in SCRIPT:
                    await type_(user, text)
                    await asyncio.sleep(rng.uniform(0.05, 0.3))

            async def killer() -> None:
                for _ in range(kills):
                    await asyncio.sleep(rng.uniform(0.4, 1.5) * scale(1, 2))
                    await asyncio.to_thread(server.kill)
                    last_kill[0] = time.monotonic()
                    for user in leads:  # what the killed processes sent: the only messages that may come twice
                        sent_by_the_killed[user] = len(telegram.texts_to(user))
                    await asyncio.to_thread(server.start)

            last_kill, sent_by_the_killed = [0.0], dict.fromkeys(leads, 0)
            await asyncio.gather(killer(), *(converse(user) for user in leads))
            # replies the killed processes owed are brought by the next message, once OWED_AFTER has passed
            await asyncio.sleep(max(0.0, last_kill[0] + OWED_AFTER + 1 - time.monotonic()))
            await asyncio.gather(*(type_(user, "帮助") for user in leads))
            await settled(telegram, leads)
    finally:
        await asyncio.to_thread(server.stop)

    received = {user: normal(telegram.texts_to(user)) for user in leads}
    late: list[str] = []
    for user in leads:
        lost = Counter(expected) - Counter(received[user])
        extra = Counter(received[user]) - Counter(expected)
        figures.lost += sum(lost.values())
        figures.duplicated += sum(extra.values())
        figures.notes += [f"{user} lost {text[:30]!r}" for text in lost.elements()]
        figures.notes += [f"{user} twice {text[:30]!r}" for text in extra.elements()]
        # a duplicate is a message a killed process sent and never recorded as sent, never one of the last process
        late += [f"{user}: {text[:30]!r}" for text in extra if received[user].index(text) >= sent_by_the_killed[user]]
        figures.crashed += sum(ERROR_TEXT in text for text in received[user])
    figures.crashed += server.log().count("Traceback")
    print(figures.line(f"kill -9 ×{server.kills} during {len(leads)} conversations"))
    assert server.kills == kills
    assert await entries_per_studio(db_url) == {f"{TITLE}:1": len(leads) + 1}  # every record once, none twice
    assert figures.lost == 0 and figures.crashed == 0, figures.notes
    assert not late, late  # twice, though first sent by the process never killed
    assert figures.duplicated <= kills * len(leads), figures  # at most the reply in flight per chat at each kill


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

    kills = scale(2, 6)
    await asyncio.to_thread(server.start)
    try:
        for _ in range(kills):
            wanted = len(telegram.all_texts()) + 10  # mid-burst: a few more went out since the (re)start
            await until(partial(more_than, telegram, wanted), within=120, what="pushes going out")
            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(server.start)
        with contextlib.suppress(AssertionError):  # what never arrives is counted as lost below
            await until(lambda: set(arrived()) >= set(texts), within=scale(180, 600), what="every notice")
        await asyncio.sleep(2)
    finally:
        await asyncio.to_thread(server.stop)

    got = arrived()
    figures = Figures(tried=len(texts))
    figures.lost = sum(1 for text in texts if not got[text])
    figures.duplicated = sum(n - 1 for n in got.values() if n > 1)
    figures.crashed = server.log().count("Traceback")
    print(figures.line(f"kill -9 ×{server.kills} during an outbox burst"))
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
    env = telegram_env(postgres_url, telegram, tmp_path)
    first, second = ServeProcess(env, tmp_path), ServeProcess(env, tmp_path)
    await asyncio.to_thread(first.start)
    await until(lambda: LEADS in first.log(), within=60, what="the first process to lead")
    await asyncio.to_thread(second.start)
    try:
        texts = await queue_notices(postgres_url, scale(90, 600))
        await until(partial(more_than, telegram, 10), within=120, what="the leader sending")
        await asyncio.to_thread(first.kill)  # the leader, mid-burst
        await until(lambda: LEADS in second.log(), within=60, what="the second process taking over")
        with contextlib.suppress(AssertionError):  # what never arrives is counted as lost below
            await until(lambda: set(telegram.all_texts()) >= set(texts), within=scale(180, 600), what="every notice")
        await asyncio.sleep(2)
    finally:
        await asyncio.to_thread(second.stop)

    got = Counter(telegram.all_texts())
    figures = Figures(tried=len(texts))
    figures.lost = sum(1 for text in texts if not got[text])
    figures.duplicated = sum(n - 1 for n in got.values() if n > 1)
    figures.crashed = second.log().count("Traceback")
    print(figures.line("two serve processes on PostgreSQL, the leader killed"))
    assert figures.lost == 0 and figures.crashed == 0, (figures, await outbox_statuses(postgres_url))
    assert figures.duplicated <= 2, figures  # the one claim in flight when the leader died
    assert await outbox_statuses(postgres_url) == {"sent": len(texts)}
