"""Repositories of the foundation: organisation, invites, outbox, stored media."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.media import store_bytes
from storage.models import ChannelIdentity, InviteCode, OutboxStatus, RoleKind, StudioStatus, UnionLevel
from storage.repos import invites, org, outbox, persons, sending, studio_cycles


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (date(2025, 6, 1), date(2028, 5, 31)),
        (date(2026, 1, 1), date(2028, 12, 31)),
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2025, 3, 1), date(2028, 2, 29)),
    ],
)
def test_cycle_end_is_three_years_less_a_day(starts: date, ends: date) -> None:
    assert studio_cycles.cycle_end(starts) == ends


async def test_union_hierarchy_and_chain(session: AsyncSession) -> None:
    city = await org.create_union(session=session, name="上海市职工技术协会", level=UnionLevel.MUNICIPAL)
    district = await org.create_union(session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT, parent=city)
    firm = await org.create_union(session=session, name="上海机床厂工会", level=UnionLevel.ENTERPRISE, parent=district)
    await session.commit()
    assert [u.name for u in await org.union_chain(session=session, union_id=firm.id)] == [
        "上海机床厂工会",
        "浦东新区总工会",
        "上海市职工技术协会",
    ]
    assert org.may_be_parent(UnionLevel.MUNICIPAL, UnionLevel.INDUSTRY)
    assert org.may_be_parent(UnionLevel.INDUSTRY, UnionLevel.ENTERPRISE)
    assert not org.may_be_parent(UnionLevel.DISTRICT, UnionLevel.INDUSTRY)
    assert not org.may_be_parent(UnionLevel.ENTERPRISE, UnionLevel.ENTERPRISE)
    with pytest.raises(IntegrityError):
        await org.create_union(session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT)


async def test_studio_cycles_follow_one_another(session: AsyncSession) -> None:
    union = await org.create_union(session=session, name="电气产业工会", level=UnionLevel.INDUSTRY)
    studio = await org.create_studio(
        session=session,
        name="李娟工作室",
        union=union,
        venue="三楼实训室",
        equipment="焊接机器人",
        named_on=date(2023, 5, 10),
    )
    assert studio.status is StudioStatus.NAMED
    second = await studio_cycles.start_cycle(session=session, studio=studio, starts_on=date(2026, 5, 10))
    await session.commit()
    current = await studio_cycles.current_cycle(session=session, studio_id=studio.id)
    assert current is not None and current.id == second.id
    assert (current.number, current.starts_on, current.ends_on) == (2, date(2026, 5, 10), date(2029, 5, 9))
    plain = await org.create_studio(session=session, name="未命名工作室", union=union)
    assert plain.status is StudioStatus.PROSPECTIVE
    assert await studio_cycles.current_cycle(session=session, studio_id=plain.id) is None


async def test_roles_granted_once_revoked_kept(session: AsyncSession) -> None:
    union = await org.create_union(session=session, name="电气产业工会", level=UnionLevel.INDUSTRY)
    studio = await org.create_studio(session=session, name="李娟工作室", union=union)
    lead = await persons.create_person(session=session, name="李娟", grade="技师", phone="13800000000", locale="en")
    first = await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    again = await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    await org.grant_role(session=session, person=lead, kind=RoleKind.REVIEWER, union=union)
    assert first.id == again.id
    assert [p.name for p in await org.leads_of(session=session, studio_id=studio.id)] == ["李娟"]
    assert await org.revoke_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    assert not await org.revoke_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    assert await org.leads_of(session=session, studio_id=studio.id) == []
    assert [r.kind for r in await org.roles_of(session=session, person_id=lead.id)] == [RoleKind.REVIEWER]
    back = await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
    assert back.id == first.id and back.active
    await session.commit()
    assert [p.locale for p in await persons.find_people(session=session, name="李娟")] == ["en"]


async def _person_with_identity(session: AsyncSession) -> tuple[int, int]:
    person = await persons.create_person(session=session, name="王建国", grade="高级技师")
    identity = ChannelIdentity(person_id=person.id, channel="telegram", external_id="1001")
    session.add(identity)
    await session.flush()
    return person.id, identity.id


async def test_invite_is_found_by_what_people_type_and_used_once(session: AsyncSession) -> None:
    _, identity_id = await _person_with_identity(session)
    person = await persons.create_person(session=session, name="李娟")
    code, row = await invites.issue_invite(session=session, person=person, role=RoleKind.MEMBER)
    await session.commit()
    assert len(code) == invites.CODE_LENGTH and set(code) <= set(invites.ALPHABET)
    assert row.code_hash == invites.hash_code(code) != code
    typed = f" {code[:4].lower()}-{code[4:]} "
    found = await invites.find_invite(session=session, code=typed)
    assert found is not None and found.id == row.id
    assert await invites.find_invite(session=session, code="2222222222") is None
    now = utcnow()
    assert await invites.mark_used(session=session, invite=row, identity_id=identity_id, now=now)
    assert not await invites.mark_used(session=session, invite=row, identity_id=identity_id, now=now)
    await session.commit()
    assert row.used_at is not None and row.used_by_identity_id == identity_id


async def test_expired_invite_cannot_be_used(session: AsyncSession) -> None:
    _, identity_id = await _person_with_identity(session)
    person = await persons.create_person(session=session, name="李娟")
    issued_at = utcnow() - timedelta(days=15)
    _, row = await invites.issue_invite(session=session, person=person, role=RoleKind.MEMBER, now=issued_at)
    assert not await invites.mark_used(session=session, invite=row, identity_id=identity_id, now=utcnow())
    assert row.used_at is None


async def test_two_redeemers_one_wins(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s:
        _, identity_id = await _person_with_identity(s)
        person = await persons.create_person(session=s, name="李娟")
        code, _ = await invites.issue_invite(session=s, person=person, role=RoleKind.MEMBER)
        await s.commit()

    async def redeem() -> bool:
        async with sessions() as s:
            invite = await invites.find_invite(session=s, code=code)
            assert invite is not None
            ok = await invites.mark_used(session=s, invite=invite, identity_id=identity_id, now=utcnow())
            await s.commit()
            return ok

    assert sorted(await asyncio.gather(redeem(), redeem())) == [False, True]


async def test_outbox_key_is_idempotent_and_a_claim_wins_once(session: AsyncSession) -> None:
    person_id, _ = await _person_with_identity(session)
    now = utcnow()
    key = "cycle:1:1:T-30"
    assert await outbox.enqueue(session=session, key=key, person_id=person_id, payload={"text": "还有30天"}, due_at=now)
    assert not await outbox.enqueue(
        session=session, key=key, person_id=person_id, payload={"text": "again"}, due_at=now
    )
    later = "idle:1:2026-11"
    await outbox.enqueue(session=session, key=later, person_id=person_id, payload={}, due_at=now + timedelta(hours=1))
    await session.commit()
    due = await sending.due(session=session, now=now, limit=100, notices_only=False)
    assert [m.idempotency_key for m in due] == [key] and due[0].payload == {"text": "还有30天"}
    assert await outbox.claim(session=session, message_id=due[0].id, holder="p1", now=now)
    assert not await outbox.claim(session=session, message_id=due[0].id, holder="p2", now=now)
    assert await sending.due(session=session, now=now, limit=100, notices_only=False) == []
    assert [m.id for m in await outbox.stale_sending(session=session, before=now)] == [due[0].id]
    await outbox.finish(session=session, message_id=due[0].id, status=OutboxStatus.SENT, now=now)
    await session.commit()
    await session.refresh(due[0])
    assert (due[0].status, due[0].attempts, due[0].claimed_by) == (OutboxStatus.SENT, 1, "p1")
    assert due[0].sent_at is not None


async def test_outbox_retry_goes_back_to_pending_later(session: AsyncSession) -> None:
    person_id, _ = await _person_with_identity(session)
    now = utcnow()
    await outbox.enqueue(session=session, key="k", person_id=person_id, payload={}, due_at=now)
    (msg,) = await sending.due(session=session, now=now, limit=100, notices_only=False)
    await outbox.claim(session=session, message_id=msg.id, holder="p1", now=now)
    retry = now + timedelta(minutes=5)
    await outbox.finish(
        session=session, message_id=msg.id, status=OutboxStatus.PENDING, now=now, error="429", retry_at=retry
    )
    await session.commit()
    assert await sending.due(session=session, now=now, limit=100, notices_only=False) == []
    (again,) = await sending.due(session=session, now=retry, limit=100, notices_only=False)
    assert again.last_error == "429"


async def test_two_processes_enqueue_the_same_key_once(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as s:
            person_id, _ = await _person_with_identity(s)
            await s.commit()

        async def planner() -> bool:
            async with sessions() as s:
                added = await outbox.enqueue(session=s, key="cycle:9:1:T-7", person_id=person_id, payload={})
                await s.commit()
                return added

        assert sorted(await asyncio.gather(*(planner() for _ in range(4)))) == [False, False, False, True]
    finally:
        await engine.dispose()


def test_media_is_stored_once_by_content(tmp_path: Path) -> None:
    photo = b"\xff\xd8\xff\xe0 fake jpeg bytes"
    first = store_bytes(tmp_path, photo, filename="现场照片.JPG")
    second = store_bytes(tmp_path, photo, filename="copy.jpg")
    assert first.path == second.path and first.path.read_bytes() == photo
    assert (first.size, first.media_type, first.path.suffix) == (len(photo), "image/jpeg", ".jpg")
    assert len(first.sha256) == 64 and first.path.name.startswith(first.sha256)
    other = store_bytes(tmp_path, b"%PDF-1.4", media_type="application/pdf")
    assert other.path != first.path and other.path.suffix == ".pdf"
    unknown = store_bytes(tmp_path, b"\x00\x01")
    assert unknown.media_type == "application/octet-stream"
    assert not list(tmp_path.rglob("*.part"))


async def test_invite_rows_keep_no_plain_code(session: AsyncSession) -> None:
    person = await persons.create_person(session=session, name="陈审核")
    union = await org.create_union(session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT)
    code, _ = await invites.issue_invite(session=session, person=person, role=RoleKind.REVIEWER, union=union)
    await session.commit()
    stored = (await session.execute(select(InviteCode.code_hash, InviteCode.union_id, InviteCode.role))).one()
    assert code not in stored.code_hash and stored.union_id == union.id and stored.role is RoleKind.REVIEWER
