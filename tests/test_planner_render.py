"""One message to many recipients is rendered once per pass and language: each reads it in their own language."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import reply_from_dict
from handlers.reminders import plan
from storage.models import RoleKind
from storage.repos import org
from tests.reminders_support import CONFIG, at, build_world, outbox_rows, person

NAMED = date(2024, 3, 10)  # the cycle ends on 2027-03-09


async def test_the_overdue_notice_reaches_each_association_officer_in_their_language(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        w = await build_world(session, named_on=NAMED, created=at(NAMED))  # its association officer reads English
        colleague = await person(session, "赵技协")
        english_too = await person(session, "Ms Zhou", locale="en")
        for someone in (colleague, english_too):
            await org.grant_role(session=session, person=someone, kind=RoleKind.ASSOCIATION, union=w.association)
        await session.commit()
    async with sessions() as session, session.begin():
        result = await plan(session=session, config=CONFIG, now=at(date(2027, 3, 10)))
    texts = {p.person_id: p.text for p in result.new if p.topic == "overdue"}
    assert set(texts) == {w.officer.id, colleague.id, english_too.id}
    assert texts[w.officer.id] == texts[english_too.id]
    assert texts[w.officer.id].startswith("[Assessment overdue]") and "王师傅工作室" in texts[w.officer.id]
    assert not texts[colleague.id].startswith("[") and "王师傅工作室" in texts[colleague.id]
    replies = {
        r.person_id: reply_from_dict(r.payload)
        for r in await outbox_rows(sessions)
        if r.idempotency_key.startswith("overdue:")
    }
    assert {pid: reply.text for pid, reply in replies.items()} == texts
    labels = {pid: [b.label for b in reply.all_buttons()] for pid, reply in replies.items()}
    assert labels == {w.officer.id: ["Pending reviews"], english_too.id: ["Pending reviews"], colleague.id: ["待审"]}
