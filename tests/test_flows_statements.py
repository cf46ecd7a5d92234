"""The statements of one 记录活动 conversation: what the turn or the conversation already holds is not read again,
and the conversation still ends as before: the entry stored, the lead and the reviewer told (what the leaner reads
decide: tests/test_reads_decide_alike.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import LedgerEntry, LedgerKind, OutboxMessage
from storage.repos import attachments, ledgers
from tests.support import Clock, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401
from tests.support.sql import statements

# bench/engine.py's conversation, the studio's venue left unregistered, two names ticked, no files
DIALOG = (
    "记录活动",
    "[今天]",
    "[技术交流]",
    "数控编程交流",
    "[工作室]",
    "[李明]",
    "[王芳]",
    "[完成]",
    "3",
    "交流了宏程序的写法",
    "跳过",
    "跳过",
)
# Each turn's own statements, whatever it does: who speaks, its delivery, its conversation's step (and BEGIN on SQLite)
TURN = (
    "BEGIN",
    "SELECT set_config",
    "SELECT channel_identities.",
    "UPDATE channel_identities",
    "INSERT INTO seen_deliveries",
    "WITH kept AS",
)
STEP = ("INSERT INTO conversations", "UPDATE conversations", "DELETE FROM conversations")


def work(sent: list[str]) -> list[str]:
    """The statements the conversation's questions and its submission send, the turns' own left out."""
    return [sql.lstrip() for sql in sent if not sql.lstrip().startswith(TURN + STEP)]


async def converse(chat: Transcript) -> None:
    for step in DIALOG:
        await (chat.press(step[1:-1]) if step.startswith("[") else chat.say(step))


async def test_a_conversation_reads_nothing_twice(bot: Bot, world: World, engine: AsyncEngine):
    chat = Transcript(bot, "m1")  # a member: the lead hears of the entry too
    with statements(engine) as asked:
        await converse(chat)
    with statements(engine) as submitted:
        await chat.press("提交")
    chat.expect("已提交")
    asking, submitting = work(asked), work(submitted)
    # the start: the speaker's studios (the studio's venue with them); the date: the studio's first cycle;
    # the participants question: the members' names. The flow's start reads no conversation (the turn's speaker read
    # holds it), nor, for logging an entry, the delegations or the unions above the studio (no rule of it uses them).
    assert len(asking) == 3, "\n".join(asking)
    # the entry, its version, its audit row; the studio, its people (the lead's notice and the reviewers' card share
    # them), the lead's notice, its unions, its reviewers with their delegates (one read), their card. Not the version
    # or files just written.
    assert len(submitting) == 9, "\n".join(submitting)


async def test_the_submission_is_stored_and_told_as_answered(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
):
    chat = Transcript(bot, "m1")
    await converse(chat)
    await chat.send_file(tmp_path, "site.jpg", caption="车间现场")
    await chat.press("提交")
    chat.expect("已提交", "#1")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert (fields["title"], fields["participants"], fields["participant_count"]) == (
        "数控编程交流",
        ["李明", "王芳"],
        2,
    )
    assert (fields["hours"], fields["occurred_on"], fields["results"]) == (Decimal("3"), date(2026, 3, 10), "")
    async with sessions() as session:
        [photo] = await attachments.attachments_of(session=session, entry_id=entry.id)
        queued = {row.person_id: row.payload["text"] for row in await session.scalars(select(OutboxMessage))}
    assert (photo.filename, photo.description, photo.entry_version) == ("site.jpg", "车间现场", 1)
    assert world.reviewer is not None
    assert set(queued) == {world.lead.id, world.reviewer.id}  # the lead and the reviewer, once each
    assert "李明" in queued[world.lead.id] and "数控编程交流" in queued[world.lead.id]
    card = queued[world.reviewer.id]
    assert all(
        part in card for part in ("数控编程交流", "李明、王芳", "3", "交流了宏程序的写法", "site.jpg（车间现场）")
    )


async def test_a_flow_started_after_its_expired_conversation_is_cleared_starts_afresh(
    bot: Bot, world: World, clock: Clock
):
    chat = Transcript(bot, "lead")
    await chat.say("记录活动")
    await chat.press("今天")
    clock.advance(days=2)
    await chat.say("记录活动")  # the turn ends the expired conversation, then starts the new one
    chat.expect("活动是哪天")
    await chat.say("记录活动")  # now one is open: it is shown, not started again
    chat.expect("活动是哪天")
    await chat.press("今天")
    chat.expect("活动类别")


FILE = {"stored_path": "/tmp/x.jpg", "filename": "x.jpg", "size": 1, "sha256": "0" * 64}


async def _new_entry(session: AsyncSession, world: World) -> LedgerEntry:
    fields = {"occurred_on": date(2026, 3, 1), "kind": "学习", "title": "t", "hours": Decimal(1), "content": "c"}
    return await ledgers.create_entry(
        session=session, studio_id=world.studio.id, kind=LedgerKind.ACTIVITY, author_id=world.lead.id, fields=fields
    )


async def test_a_rolled_back_entry_leaves_no_files_behind_in_the_session(
    world: World, sessions: async_sessionmaker[AsyncSession]
):
    async with sessions() as session:
        async with session.begin():
            entry = await _new_entry(session, world)
            await attachments.add_attachment(
                session=session, file=FILE, uploaded_by_id=world.lead.id, entry_id=entry.id
            )
            assert len(await attachments.attachments_of(session=session, entry_id=entry.id)) == 1
            await session.rollback()
        async with session.begin():
            assert await attachments.attachments_of(session=session, entry_id=entry.id) == []


async def test_files_attached_by_others_after_the_commit_are_read(
    world: World, sessions: async_sessionmaker[AsyncSession]
):
    async with sessions() as session:
        async with session.begin():
            entry = await _new_entry(session, world)
        async with sessions() as other, other.begin():  # the entry is committed: anyone may attach to it now
            await attachments.add_attachment(session=other, file=FILE, uploaded_by_id=world.lead.id, entry_id=entry.id)
        async with session.begin():
            assert len(await attachments.attachments_of(session=session, entry_id=entry.id)) == 1
