"""Head counts beside names (issue 19): 十二人 alone, 李明、王芳等30人, never a count stored as a name."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Literal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from handlers.exports.labels import export_ledgers
from storage.base import utcnow
from storage.database import create_engine
from storage.exports.ledgers import LedgerFilter
from storage.migrate import upgrade
from storage.models import Decision, EntryStatus, Studio
from tests.reviews_support import Cast, at, make_cast
from tests.reviews_support import World as ReviewWorld
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401
from tests.test_flows_ledger import review
from tests.test_foundation_migrations import _step, _sync, empty_url  # noqa: F401

AFTER_NAMES = ("1", "读装配图", "跳过", "跳过")  # hours, content, no results, no files


async def activity_until_participants(chat: Transcript) -> None:
    """An activity today up to the participants question."""
    for answer in ("记录活动", "今天", "学习", "读图", "跳过"):
        await chat.say(answer)
    chat.expect("参加人员有谁", "30人")


async def submitted(chat: Transcript, *answers: str) -> None:
    for answer in (*answers, *AFTER_NAMES):
        await chat.say(answer)
    chat.expect("请核对")
    await chat.say("提交")
    chat.expect("已提交")


async def test_a_count_alone_is_the_headcount_and_names_stay_empty(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for typed, count in (("八人", 8), ("十二人", 12), ("30人", 30), ("１２人", 12), ("共三十人", 30), ("30", 30)):
        await activity_until_participants(chat)
        await chat.say(typed)
        chat.expect("多少小时")  # taken as the count: no question about who
        for answer in AFTER_NAMES:
            await chat.say(answer)
        chat.expect(f"人数：{count}", "参加人员：（未填）")
        await chat.say("提交")
        fields = await latest_fields(sessions, (await entries(sessions))[-1].id)
        assert (fields["participants"], fields["participant_count"]) == ([], count)


async def test_names_with_a_count_and_names_alone(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await activity_until_participants(chat)
    await submitted(chat, "李明、王芳等30人")
    await activity_until_participants(chat)
    await submitted(chat, "李明，外协厂小陈，共5人")
    await activity_until_participants(chat)
    await submitted(chat, "李明、王芳")  # no count: as many as the names
    await chat.say("我的台账")
    await chat.press("#1")
    chat.expect("参加人员：李明、王芳", "人数：30")  # the entry's card, as the lead opens it
    counted = [await latest_fields(sessions, entry.id) for entry in await entries(sessions)]
    assert [(f["participants"], f["participant_count"]) for f in counted] == [
        (["李明", "王芳"], 30),
        (["李明", "外协厂小陈"], 5),
        (["李明", "王芳"], 2),
    ]


async def test_a_count_below_the_names_is_refused(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await activity_until_participants(chat)
    await chat.say("李明、王芳、赵强，共2人")
    chat.expect("人数 2 少于名单上的 3 人", "参加人员有谁")
    await chat.say("/lang en")
    await chat.say("李明、王芳、赵强，共2人")
    chat.expect("A headcount of 2 is fewer than the 3 people named", "Who took part")
    assert await entries(sessions) == []


async def test_skipping_the_names_asks_how_many(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    await activity_until_participants(chat)
    await chat.say("跳过")
    chat.expect("参加人数是多少")
    await chat.say("李明")
    chat.expect("请填写人数", "参加人数是多少")
    await submitted(chat, "二十五人")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["participant_count"] == 25
    await chat.say("/lang en")
    await activity_until_participants_en(chat)
    await chat.say("skip")
    chat.expect("How many people took part?")


async def activity_until_participants_en(chat: Transcript) -> None:
    for answer in ("/activity", "today", "学习", "Reading drawings", "skip"):
        await chat.say(answer)
    chat.expect("Who took part?", "e.g. 30 people")


async def test_editing_the_count_cannot_go_below_the_names(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await activity_until_participants(chat)
    for answer in ("李明、王芳", *AFTER_NAMES):
        await chat.say(answer)
    chat.expect("人数：2")
    await chat.say("修改")
    await chat.say("人数")
    await chat.say("1")
    chat.expect("人数 1 少于名单上的 2 人")
    await chat.say("40人")
    chat.expect("人数：40", "参加人员：李明、王芳")


async def test_training_class_of_thirty_without_names(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for answer in ("记录培训", "今天", "培训", "张工", "30人", "8", "安全生产", "跳过", "高级工", "12人"):
        await chat.say(answer)
    chat.expect("学员人数：30", "晋升人数：12")
    await chat.say("提交")  # 12 promoted of a class of 30: fine (refused before, as 12 of no trainees)
    chat.expect("已提交")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert (fields["trainees"], fields["trainee_count"], fields["promoted_count"]) == ([], 30, 12)


async def test_the_mentor_is_never_a_count(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录培训", "今天", "培训"):
        await chat.say(answer)
    await chat.say("十二人")
    chat.expect("“十二人”不是姓名", "师傅是谁")
    await chat.say("/lang en")
    await chat.say("12 people")
    chat.expect("“12 people” is not a name")


async def _export(session: AsyncSession, studio: Studio, out: Path, locale: str) -> list[list[object]]:
    flt = LedgerFilter(statuses=frozenset(EntryStatus))
    fmt: Literal["xlsx", "csv"] = "xlsx" if out.suffix == ".xlsx" else "csv"
    result = await export_ledgers(session=session, studio=studio, out=out, fmt=fmt, flt=flt, locale=locale)
    if out.suffix == ".xlsx":
        sheet = load_workbook(out).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    with result.files[0].path.open(encoding="utf-8-sig", newline="") as fh:
        return [list(row) for row in csv.reader(fh)]


@pytest.mark.parametrize(("suffix", "locale", "header"), [(".xlsx", "zh_CN", "人数"), (".csv", "en", "Headcount")])
async def test_the_export_counts_heads_not_names(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], tmp_path: Path, suffix: str, locale: str,
    header: str,
):  # fmt: skip
    chat = Transcript(bot, "lead")
    await activity_until_participants(chat)
    await submitted(chat, "李明、王芳等30人")
    async with sessions() as session:
        rows = await _export(session, world.studio, tmp_path / f"out{suffix}", locale)
    column = rows[0].index(header)
    assert [str(row[column]) for row in rows[1:]] == ["30"]


async def test_the_reviewer_card_shows_the_headcount(sessions: async_sessionmaker[AsyncSession]):
    cast: Cast = await make_cast(ReviewWorld(sessions, at("2026-03-10 10:00")))
    lead = cast.lead
    for answer in ("记录活动", "今天", "技术交流", "刀具寿命讨论", "跳过", "李娟等12人", *AFTER_NAMES, "提交"):
        await lead.say(answer)
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1].text
    assert "参加人员：李娟" in card and "人数：12" in card


async def test_existing_rows_get_the_number_of_their_names(empty_url: str):  # noqa: F811
    await _sync(empty_url, _step("0009_web", "upgrade"))
    engine = create_engine(empty_url)
    now = utcnow()
    try:
        async with engine.begin() as conn:
            for statement in (
                "INSERT INTO unions (id, name, level, created_at) VALUES (1, '浦东', 'district', :at)",
                "INSERT INTO studios (id, name, enterprise, union_id, venue, equipment, status, created_at)"
                " VALUES (1, '工作室', '', 1, '', '', 'named', :at)",
                "INSERT INTO people (id, name, enterprise, locale, created_at) VALUES (1, '张工', '', 'zh_CN', :at)",
                *(
                    "INSERT INTO ledger_entries (id, studio_id, kind, status, version, author_id, occurred_on,"
                    f" title, status_changed_at, created_at) VALUES ({n}, 1, '{kind}', 'approved', 1, 1,"
                    " '2026-03-05', '读图', :at, :at)"
                    for n, kind in ((1, "activity"), (2, "training"))
                ),
                "INSERT INTO activity_versions (id, entry_id, version, created_by_id, created_at, occurred_on,"
                " kind, title, place, participants, hours, content, results) VALUES (1, 1, 1, 1, :at,"
                " '2026-03-05', '学习', '读图', '', '[\"李明\", \"王芳\", \"赵强\"]', 2, '读', '')",
                "INSERT INTO training_versions (id, entry_id, version, created_by_id, created_at, held_on, kind,"
                " mentor, trainees, hours, topic, result, promoted_count) VALUES (1, 2, 1, 1, :at, '2026-03-05',"
                " '培训', '张工', '[]', 2, '带教', '', 0)",
            ):
                await conn.execute(text(statement), {"at": now})
        await upgrade(empty_url)
        async with engine.connect() as conn:
            activity = (await conn.execute(text("SELECT participant_count FROM activity_versions"))).scalar()
            training = (await conn.execute(text("SELECT trainee_count FROM training_versions"))).scalar()
    finally:
        await engine.dispose()
    assert (activity, training) == (3, 0)


async def test_an_edit_keeps_the_count_given_and_recounts_changed_names(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await activity_until_participants(chat)
    await submitted(chat, "李明、王芳等30人")
    await review(sessions, world, 1, Decision.RETURN, "请补充成效")
    await chat.say("我的台账")
    await chat.press("#1")
    await chat.press("修改后重新提交")
    chat.expect("请核对", "参加人员：李明、王芳", "人数：30")
    await chat.press("修改")
    await chat.press("成效")
    await chat.say("会读装配图了")
    await chat.press("提交")
    assert (await latest_fields(sessions, 1))["participant_count"] == 30
    await activity_until_participants(chat)
    for answer in ("李明、王芳等30人", *AFTER_NAMES):
        await chat.say(answer)
    await chat.press("修改")
    await chat.press("参加人员")
    await chat.press("王芳")  # unticked: the names changed, so they count themselves
    await chat.press("完成")
    chat.expect("参加人员：李明", "人数：1")


async def test_mentoring_names_its_apprentices(bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]):
    chat = Transcript(bot, "lead")
    for answer in ("记录培训", "今天", "高师带徒", "张工", "3人", "8", "数控编程带教", "跳过", "跳过"):
        await chat.say(answer)
    await chat.say("提交")
    chat.expect("高师带徒请写明徒弟的姓名", "请核对")
    assert await entries(sessions) == []
    await chat.press("修改")
    await chat.press("学员")
    await chat.say("王芳、赵强等3人")
    await chat.say("提交")
    chat.expect("已提交")
    await chat.say("/lang en")
    for answer in ("/training", "today", "高师带徒", "张工", "3 people", "8", "CNC", "skip", "skip", "submit"):
        await chat.say(answer)
    chat.expect("please name the apprentices")
