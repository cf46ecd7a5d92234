"""Where a turn now reads less, what it decides is what the full reads decided: every permission check, and who is
asked to review (the reviewers and their stand-ins, read in one statement)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Incoming
from handlers.decisions import audience
from handlers.roles import checks, matching
from handlers.roles.permissions import Action
from storage.models import Delegation, LedgerEntry, LedgerKind, Studio
from tests.reviews_support import World as ReviewWorld
from tests.reviews_support import at, make_cast, stranger_stands_in_for_march


async def test_checks_decide_as_the_full_reads_do(sessions: async_sessionmaker[AsyncSession]):
    world = ReviewWorld(sessions, at("2026-03-10 10:00"))
    cast = await make_cast(world)
    await stranger_stands_in_for_march(sessions, cast)
    entry_id = await world.entry(cast.studio, cast.members[1], LedgerKind.ACTIVITY)
    parties = [
        cast.lead,
        *cast.members,
        cast.reviewer,
        cast.outsider,
        cast.association,
        cast.conflicted,
        *cast.experts,
        cast.admin,
        cast.stranger,
    ]
    wrong = []
    for party in parties:
        async with sessions() as session:
            incoming = Incoming(channel="test", user_id=party.user, chat_id=party.user, delivery_id="d", text="?")
            ctx = await world.bot.context(session, incoming)
            studio = await session.get(Studio, cast.studio.id)
            entry = await session.get(LedgerEntry, entry_id)
            subject, target = await checks.subject_of(ctx), await checks.target_of(session, studio, entry)
            full = {a for a in Action if matching.decide(subject, a, target) is not None}
            each = {a for a in Action if await checks.check(ctx, a, studio=studio, entry=entry) is not None}
            together = await checks.permitted(ctx, list(Action), studio=studio, entry=entry)
            if not full == each == together:
                wrong.append(f"{party.name}: {sorted(full ^ each)} {sorted(full ^ together)}")
    assert not wrong, "\n".join(wrong)


async def test_the_reviewers_and_their_delegates_are_asked_as_before(sessions: async_sessionmaker[AsyncSession]):
    world = ReviewWorld(sessions, at("2026-03-10 10:00"))
    cast = await make_cast(world)
    reviewer, second, stranger = cast.reviewer.person, cast.reviewer2.person, cast.stranger.person
    march = {"starts_on": date(2026, 3, 1), "ends_on": date(2026, 3, 31)}
    async with sessions() as s, s.begin():  # a stand-in for both reviewers, and a reviewer standing in for the other
        s.add(Delegation(reviewer_id=second.id, delegate_id=stranger.id, **march))
        s.add(Delegation(reviewer_id=reviewer.id, delegate_id=stranger.id, **march))
        s.add(Delegation(reviewer_id=reviewer.id, delegate_id=second.id, **march))
        s.add(
            Delegation(
                reviewer_id=reviewer.id,
                delegate_id=cast.outsider.person.id,
                starts_on=date(2026, 4, 1),
                ends_on=date(2026, 4, 30),
            )
        )  # not yet in force
    async with sessions() as session:
        incoming = Incoming(channel="test", user_id=cast.lead.user, chat_id=cast.lead.user, delivery_id="d", text="?")
        ctx = await world.bot.context(session, incoming)
        studio = await session.get(Studio, cast.studio.id)
        assert studio is not None
        asked = [(p.id, on_behalf) for p, on_behalf in await audience.studio_reviewers(ctx, studio)]
        officers = sorted([reviewer.id, second.id])
        # the officers in their own name, by id; then the stand-ins not already asked, for the first who named them
        assert asked == [(officers[0], None), (officers[1], None), (stranger.id, second.id)]
        assert [(p.id, r) for p, r in await audience.association_reviewers(ctx)] == [(cast.association.person.id, None)]
