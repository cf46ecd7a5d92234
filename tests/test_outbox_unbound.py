"""Notices for a person not bound yet wait for them; a review notice decided meanwhile is not delivered."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox_upkeep import UNREACHABLE_WAIT
from storage.models import OutboxMessage, OutboxStatus, RoleKind
from storage.repos import invites
from tests.reviews_support import Cast, Party, World, at, make_cast

START = at("2026-03-10 09:00")


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    return await make_cast(World(sessions, START))


async def late_reviewer(cast: Cast) -> tuple[Party, str]:
    """A reviewer of the studio's district union, invited but not bound yet, and their code."""
    world = cast.world
    party = await world.person("迟到审核", RoleKind.REVIEWER, union=cast.district, bound=False)
    async with world.sessions() as s, s.begin():
        code, _ = await invites.issue_invite(
            session=s, person=party.person, role=RoleKind.REVIEWER, union=cast.district, now=world.now
        )
    return party, code


async def rows_of(cast: Cast, party: Party) -> list[OutboxMessage]:
    async with cast.world.sessions() as s:
        query = select(OutboxMessage).where(OutboxMessage.person_id == party.person.id).order_by(OutboxMessage.id)
        return list(await s.scalars(query))


async def test_a_reviewer_binding_late_gets_what_is_still_waiting_and_nothing_already_decided(cast: Cast) -> None:
    late, code = await late_reviewer(cast)
    await cast.lead.log_activity("第一项攻关")
    await cast.lead.log_activity("第二项攻关")
    await cast.world.deliver()
    first = next(r for r in cast.reviewer.inbox if "第一项攻关" in r.text)
    await cast.reviewer.press_in("通过", first)
    await cast.world.deliver()
    # not bound yet: the notices wait, neither sent nor given up
    assert [r.status for r in await rows_of(cast, late)] == [OutboxStatus.PENDING] * 2

    cast.world.advance(days=3)
    await late.say(f"绑定 {code}")
    late.expect("绑定成功")
    await cast.world.deliver()
    [card] = late.inbox
    assert "第二项攻关" in card.text and [b.label for b in card.all_buttons()] == ["✅ 通过", "↩️ 退回", "❌ 驳回"]
    statuses = [r.status for r in await rows_of(cast, late)]
    assert statuses == [OutboxStatus.CANCELLED, OutboxStatus.SENT]
    await late.press_in("通过", card)
    late.expect("已通过")


async def test_a_notice_for_someone_who_never_binds_fails_after_the_wait(cast: Cast) -> None:
    late, _ = await late_reviewer(cast)
    await cast.lead.log_activity()
    cast.world.advance(days=UNREACHABLE_WAIT.days - 1)
    await cast.world.deliver()
    assert [r.status for r in await rows_of(cast, late)] == [OutboxStatus.PENDING]
    cast.world.advance(days=2)
    await cast.world.deliver()
    [row] = await rows_of(cast, late)
    assert row.status is OutboxStatus.FAILED and "14" in (row.last_error or "")
    assert not late.inbox
