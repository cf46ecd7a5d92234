"""The enterprise union contact gets the monthly digest of its own studios (and nothing to decide)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import reply_from_dict
from handlers.reminders import plan
from storage.models import RoleKind, UnionLevel
from storage.repos import org
from tests.reminders_support import CONFIG, add_entry, at, build_world, outbox_rows, person


async def test_the_enterprise_contact_gets_the_digest_of_its_studio_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        w = await build_world(s, named_on=date(2025, 3, 1), created=at(date(2025, 3, 1)))
    async with sessions() as s:
        firm = await org.create_union(session=s, name="电气集团工会", level=UnionLevel.ENTERPRISE, parent=w.district)
        studio = await org.create_studio(session=s, name="电气工作室", union=firm, named_on=date(2025, 3, 1))
        lead, contact = await person(s, "电气领衔人"), await person(s, "电气工会联络人")
        await org.grant_role(session=s, person=lead, kind=RoleKind.LEAD, studio=studio)
        await org.grant_role(session=s, person=contact, kind=RoleKind.ENTERPRISE, union=firm)
        await s.commit()
    async with sessions() as s:
        await add_entry(s, w, created=at(date(2026, 5, 6)))  # the district's other studio
        await add_entry(s, replace(w, studio=studio, lead=lead), created=at(date(2026, 5, 7)))
        await add_entry(s, replace(w, studio=studio, lead=lead), created=at(date(2026, 5, 8)))
        await s.commit()
    async with sessions() as session, session.begin():
        result = await plan(session=session, config=CONFIG, now=at(date(2026, 6, 1)))
    mine = [p for p in result.new if p.person_id == contact.id]
    assert [p.topic for p in mine] == ["digest"]
    assert "电气集团工会 2026-05：所属 1 个工作室新记录台账 2 条" in mine[0].text
    district = next(p for p in result.new if p.person_id == w.reviewer.id and p.topic == "digest")
    assert "所属 2 个工作室新记录台账 3 条" in district.text
    rows = {
        r.person_id: reply_from_dict(r.payload)
        for r in await outbox_rows(sessions)
        if r.idempotency_key.startswith("digest:")
    }
    assert not rows[contact.id].all_buttons()  # the enterprise union has no 待审 list to open
    assert [b.label for b in rows[w.reviewer.id].all_buttons()] == ["待审"]
