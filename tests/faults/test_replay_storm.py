"""A replay storm: every WeChat delivery comes three times (the platform's retries), some copies at the same moment.

Each delivery must take effect once: one step of its conversation, one record per submitted conversation, the same
passive reply to all three copies, and its customer-service messages sent once. Lost: a delivery never recorded;
duplicated: copies answered differently, or a customer-service message sent twice; records are counted apart:
lost if the bot confirmed a submission it did not keep, off course if a conversation never reached its submission
(a few leads' first msgmenu is refused, as an overloaded API refused some on PostgreSQL, and their typed numbers
must still answer the questions then shown).
`make test` sends 330 deliveries (990 requests); `make faults` 10,010 (30,030 requests).
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.database import create_engine, session_factory
from storage.models import ChannelIdentity, LedgerEntry, SeenDelivery
from tests.support.faults import SCRIPT, TITLE, Figures, entries_per_studio, seed_leads
from tests.support.serve_process import scale
from tests.support.wechat_world import OAPlatform, WxWorld, wechat_world

FIRST = 5000


def normal(text: str) -> str:
    """A reply with each studio's own entry number and lead's name blanked."""
    return re.sub(r"领衔人\d+", "领衔人N", re.sub(r"#\d+", "#N", text))


async def entries_per_lead(db_url: str) -> Counter[int]:
    """How many ledger entries each lead (by WeChat openid) wrote."""
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s:
            rows = await s.execute(
                select(ChannelIdentity.external_id, func.count())
                .join(LedgerEntry, LedgerEntry.author_id == ChannelIdentity.person_id)
                .group_by(ChannelIdentity.external_id)
            )
            return Counter({int(external): int(n) for external, n in rows})
    finally:
        await engine.dispose()


def said(world: WxWorld, openid: str) -> list[str]:
    """What the customer-service API sent this follower, in order: each text, or each msgmenu's text."""
    bodies = [call.body for call in world.fake.sent("message/custom/send", touser=openid)]
    return [
        normal(str(b["text"]["content"] if b["msgtype"] == "text" else b.get("msgmenu", {}).get("head_content")))
        for b in bodies
    ]


async def deliver(platform: OAPlatform, openid: str, text: str, rng: random.Random) -> list[str]:
    """One delivery, POSTed three times with the same signed query and body (at once, or one after another)."""
    query, body = platform.envelope(platform.xml(openid, "text", {"Content": text}), platform.query())

    async def copy() -> str:
        while True:  # a 503 (the database busy past its wait) is what WeChat retries: it comes again
            answer = await platform.post("", query=query, body=body)
            if answer.status != 503:
                assert answer.status == 200, (answer.status, answer.body[:200])
                return normal(answer.text)
            await asyncio.sleep(0.5)

    if rng.random() < 0.5:
        return list(await asyncio.gather(*(copy() for _ in range(3))))
    return [await copy() for _ in range(3)]


@pytest.mark.timeout(1800)
async def test_every_delivery_sent_three_times_takes_effect_once(db_url: str, tmp_path: Path) -> None:
    leads, rounds = scale(15, 130), scale(2, 7)  # × 11 steps: 330 deliveries, or 10,010
    users = [FIRST + n for n in range(leads + 1)]  # the first is the control: each delivery once
    rng = random.Random(20)
    async with wechat_world(db_url, tmp_path) as world:
        await seed_leads(db_url, users, channel="wechat", reviewer=True)
        platform = world.oa_platform
        control = [(await platform.text(str(users[0]), text)).text for text in SCRIPT]
        await world.settle()
        control_api = len(world.fake.sent("message/custom/send", touser=str(users[0])))
        async with world.runtime.sessions() as s:
            seen_before = await s.scalar(select(func.count()).select_from(SeenDelivery)) or 0

        answers: dict[int, list[list[str]]] = {user: [] for user in users[1:]}
        # as an overloaded API did on PostgreSQL: a few leads' first msgmenu refused, its options sent as numbered text
        refused = users[1:4]
        for user in refused:
            world.fake.fail("message/custom/send", 45009, touser=str(user))

        async def storm(user: int) -> None:
            for _ in range(rounds):
                for text in SCRIPT:
                    answers[user].append(await deliver(platform, str(user), text, rng))

        await asyncio.gather(*(storm(user) for user in users[1:]))
        await world.settle()
        async with world.runtime.sessions() as s:
            seen = (await s.scalar(select(func.count()).select_from(SeenDelivery)) or 0) - seen_before
        api = {user: len(world.fake.sent("message/custom/send", touser=str(user))) for user in users[1:]}
        submitted = said(world, str(users[0]))[-1]  # what the control was told when its activity went in
        confirmed = {user: said(world, str(user)).count(submitted) for user in users[1:]}

    figures = Figures(tried=leads * rounds * len(SCRIPT))
    made, written = await entries_per_studio(db_url), await entries_per_lead(db_url)
    figures.lost = figures.tried - seen  # a delivery whose every copy was answered without being taken
    expected = Counter(normal(text) for text in control * rounds)
    off_course: list[str] = []
    for user in users[1:]:
        firsts = [copies[0] for copies in answers[user]]
        figures.duplicated += sum(len(set(copies)) > 1 for copies in answers[user])  # a copy answered differently
        again = api[user] - control_api * rounds - (user in refused)  # the refused msgmenu, then its numbered text
        figures.duplicated += max(0, again)  # a customer-service message sent again
        # answers other than the control's: numbered text where an overloaded API refused a menu, say
        unlike = sum((expected - Counter(firsts)).values())
        figures.notes.append(f"{user}: {unlike} answers unlike the control's")
        # a loss: a submission confirmed but not on record; off course: one never confirmed (an answer taken as
        # something else, as a typed number once was after a refused msgmenu), a fault but no loss
        figures.lost += max(0, confirmed[user] - written[user])
        if confirmed[user] < rounds:
            off_course.append(f"{user}: {rounds - confirmed[user]} activities never submitted, {unlike} answers unlike")
    print(figures.line(f"replay storm of {figures.tried} deliveries × 3"))
    assert seen == figures.tried  # each delivery recorded once
    assert figures.lost == 0 and figures.duplicated == 0, figures
    assert not off_course, off_course
    assert made == {f"{TITLE}:{rounds}": leads, f"{TITLE}:1": 1}
