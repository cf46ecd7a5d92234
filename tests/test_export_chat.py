"""导出, 统计, 考核 in chat: files where the channel takes them, signed links on WeChat, refusals for others."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Capabilities, Documents
from handlers.engine.pipeline import Bot
from storage.models import EntryStatus, LedgerKind, Person, RoleKind, Studio, UnionLevel
from storage.repos import ledgers, org, persons
from tests.export_data import activity, outcome, sheet_names, training
from tests.support import Transcript, World
from tests.support.clock import Clock
from tests.support.fixtures import clock_fixture  # noqa: F401
from tests.support.transcript import make_bot
from tests.support.world import add_identity, make_world

BASE = "https://bot.example.cn"
LINKED = Capabilities(documents=Documents.LINKED)  # what the WeChat OA adapter says of itself
SAVED = Capabilities(documents=Documents.SAVED, tappable_buttons=False)  # and the console


async def seed(sessions: async_sessionmaker[AsyncSession], world: World) -> None:
    """Four activities (three approved) and two outcomes (approved) in the studio's cycle."""
    async with sessions() as session, session.begin():
        rows = [
            (LedgerKind.ACTIVITY, activity(date(2025, 3, 5), "学习", "2"), EntryStatus.APPROVED),
            (LedgerKind.ACTIVITY, activity(date(2025, 4, 9), "技术交流", "1.5"), EntryStatus.APPROVED),
            (LedgerKind.ACTIVITY, activity(date(2026, 1, 9), "攻关", "3"), EntryStatus.APPROVED),
            (LedgerKind.ACTIVITY, activity(date(2026, 2, 9), "学习", "1"), EntryStatus.SUBMITTED),
            (LedgerKind.OUTCOME, outcome(date(2025, 9, 1), "小革新", applied=True), EntryStatus.APPROVED),
            (LedgerKind.OUTCOME, outcome(date(2025, 10, 1), "合理化建议"), EntryStatus.APPROVED),
        ]
        for kind, fields, status in rows:
            entry = await ledgers.create_entry(
                session=session, studio_id=world.studio.id, kind=kind, author_id=world.lead.id, fields=fields
            )
            if status is not EntryStatus.SUBMITTED:
                await ledgers.set_status(
                    session=session,
                    entry_id=entry.id,
                    expected={EntryStatus.SUBMITTED},
                    to=status,
                    now=entry.created_at,
                )


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    made = await make_world(sessions)
    await seed(sessions, made)
    return made


@pytest.fixture
def bot(sessions: async_sessionmaker[AsyncSession], clock: Clock, tmp_path: Path) -> Bot:
    return make_bot(sessions, clock=clock, export_dir=tmp_path / "exports", public_base_url=BASE)


async def test_lead_exports_approved_entries_as_a_workbook(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("导出")
    chat.expect("“张工数控创新工作室”台账已导出（仅已通过复核的记录）：活动 3 条，成果 2 条，培训带徒 0 条")
    [reply] = chat.replies
    [file] = reply.files
    assert file.filename == "张工数控创新工作室台账20260310.xlsx" and file.kind == "document"
    book = load_workbook(file.path)
    assert book.sheetnames == sheet_names() and book.sheetnames[:3] == ["日常活动台账", "创新成果台账", "培训带徒台账"]
    assert book["日常活动台账"].max_row == 1 + 3


async def test_csv_every_status_and_a_range(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("导出 csv 全部 2025-01-01至2025年12月31日")
    chat.expect("全部状态的记录，2025-01-01 至 2025-12-31", "活动 2 条，成果 2 条")
    files = chat.replies[0].files
    assert [f.media_type for f in files] == ["text/csv"] * len(LedgerKind)
    with files[0].path.open(encoding="utf-8-sig") as fh:
        assert [row[1] for row in csv.reader(fh)][1:] == ["2025-03-05", "2025-04-09"]
    await chat.say("/export all 2026-01-01")
    chat.expect("2026-01-01 至 今天", "活动 2 条")


async def test_bad_options_are_explained(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("导出 2025-13-01")
    chat.expect("没看懂“2025-13-01”", "用法：导出")
    assert not chat.replies[0].files
    await chat.say("导出 2026-02-01 2026-01-01")
    chat.expect("起始日期 2026-02-01 晚于结束日期 2026-01-01")
    await chat.say("导出 9999-12-31")  # from a day still to come up to today: nothing to export
    chat.expect("起始日期 9999-12-31 晚于结束日期")
    assert not chat.replies[0].files


async def test_members_may_not_export_but_reviewers_may(bot: Bot, world: World) -> None:
    member = Transcript(bot, "m1")
    await member.say("导出")
    member.expect("您没有导出这个工作室台账的权限")
    assert not member.replies[0].files

    reviewer = Transcript(bot, "rev")
    await reviewer.say("导出")
    reviewer.expect("工会人员请写明工作室名称")
    await reviewer.say("导出 不存在的工作室")
    reviewer.expect("没有找到名为“不存在的工作室”的工作室")
    await reviewer.say("导出 张工数控创新工作室")
    reviewer.expect("台账已导出")
    assert len(reviewer.replies[0].files) == 1


async def test_a_reviewer_of_another_union_is_refused(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        other = await org.create_union(
            session=session, name="徐汇区总工会", level=UnionLevel.DISTRICT, parent=world.municipal
        )
        stranger = await persons.create_person(session=session, name="外区审核")
        await org.grant_role(session=session, person=stranger, kind=RoleKind.REVIEWER, union=other)
    await add_identity(sessions, stranger, "rev2")
    chat = Transcript(bot, "rev2")
    await chat.say("导出 张工数控创新工作室")
    chat.expect("您没有导出这个工作室台账的权限")
    await chat.say("考核 张工数控创新工作室")
    assert not chat.replies[0].files


async def test_wechat_gets_a_signed_link_instead_of_a_file(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, tmp_path: Path
) -> None:
    world = await make_world(sessions, channel="wechat")
    await seed(sessions, world)
    bot = make_bot(sessions, clock=clock, export_dir=tmp_path / "exports", public_base_url=BASE)
    chat = Transcript(bot, "lead", channel="wechat", capabilities=LINKED)
    await chat.say("导出")
    chat.expect("请在 60 分钟内点击链接下载", f"{BASE}/download/")
    assert chat.replies[0].files == ()

    offline = make_bot(sessions, clock=clock, export_dir=tmp_path / "exports")
    chat = Transcript(offline, "lead", channel="wechat", capabilities=LINKED)
    await chat.say("导出")
    chat.expect("暂时无法提供下载链接")


async def test_console_shows_the_path(sessions: async_sessionmaker[AsyncSession], clock: Clock, tmp_path: Path) -> None:
    world = await make_world(sessions, channel="console")
    await seed(sessions, world)
    bot = make_bot(sessions, clock=clock, export_dir=tmp_path / "exports")
    chat = Transcript(bot, "lead", channel="console", capabilities=SAVED)
    await chat.say("导出")
    [file] = chat.replies[0].files
    chat.expect(f"文件已保存：{file.path}")
    assert file.path.is_file()


async def test_stats_sends_two_charts(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "m1")
    await chat.say("统计")
    chat.expect("“张工数控创新工作室”本周期（2025-01-01 起）已通过的记录：活动 3 次，成果 2 项。")
    files = chat.replies[0].files
    assert [f.kind for f in files] == ["photo", "photo"]
    for f in files:
        assert f.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_reviewer_assessment_and_ranking(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "rev")
    await chat.say("考核 张工数控创新工作室")
    chat.expect("第 1 个管理周期考核（2025-01-01 至 2027-12-31）", "活动：3 次，共 6.5 小时，3 个月有活动", "未达标：")
    [file] = chat.replies[0].files
    assert load_workbook(file.path).sheetnames[:2] == ["考核概要", "考核指标"]

    await chat.say("考核 全部")
    chat.expect("“浦东新区总工会”所属工作室考核排名", "1. 张工数控创新工作室")
    assert load_workbook(chat.replies[0].files[0].path).sheetnames == ["考核排名"]

    member = Transcript(bot, "m1")
    await member.say("考核 全部")
    member.expect("您没有在任何工会担任职务")


async def test_english_speaker_gets_english_files(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        lead = await session.get(Person, world.lead.id)
        assert lead is not None
        lead.locale = "en"
    chat = Transcript(bot, "lead")
    await chat.say("/export")
    chat.expect('Ledgers of "张工数控创新工作室" exported (approved entries only) — activities: 3, outcomes: 2')
    assert load_workbook(chat.replies[0].files[0].path).sheetnames == sheet_names("en")


async def test_a_member_asking_for_the_assessment_is_refused_about_the_assessment(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    member = Transcript(bot, "m1")
    await member.say("考核")
    member.expect("您没有查看这个工作室考核情况的权限")
    member.expect_not("导出")
    assert not member.replies[0].files
    async with sessions() as session, session.begin():
        person = await session.get(Person, world.members[0].id)
        assert person is not None
        person.locale = "en"
    await member.say("/assess")
    member.expect("You may not see this studio's assessment")
    member.expect_not("export")

    lead = Transcript(bot, "lead")
    await lead.say("考核")
    lead.expect("第 1 个管理周期考核")


async def test_stats_of_a_studio_not_yet_named_invent_no_cycle(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        studio = await org.create_studio(session=session, name="未命名工作室", union=world.district)
        lead = await persons.create_person(session=session, name="钱工")
        await org.grant_role(session=session, person=lead, kind=RoleKind.LEAD, studio=studio)
        for day, status in ((date(2024, 5, 6), EntryStatus.APPROVED), (date(2026, 1, 9), EntryStatus.APPROVED)):
            entry = await ledgers.create_entry(
                session=session,
                studio_id=studio.id,
                kind=LedgerKind.ACTIVITY,
                author_id=lead.id,
                fields=activity(day, "学习", "2"),
            )
            await ledgers.set_status(
                session=session, entry_id=entry.id, expected={EntryStatus.SUBMITTED}, to=status, now=entry.created_at
            )
    await add_identity(sessions, lead, "qian")
    chat = Transcript(bot, "qian")
    await chat.say("考核")
    chat.expect("“未命名工作室”尚未命名，还没有管理周期")
    await chat.say("统计")
    chat.expect("“未命名工作室”尚未命名，还没有管理周期", "全部已通过的记录：活动 2 次，成果 0 项。")
    chat.expect_not("本周期", "起）")
    assert [f.kind for f in chat.replies[0].files] == ["photo", "photo"]
    await chat.say("语言 en")
    await chat.say("/stats")
    chat.expect(
        "has not been named yet, so it has no management cycle", "all approved entries — activities: 2, outcomes: 0"
    )
    chat.expect_not("this cycle")


async def test_english_assessment_names_stored_codes_in_english(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session, session.begin():
        for kind, fields in (
            (LedgerKind.OUTCOME, outcome(date(2025, 11, 1), "小发明", patent_kind="实用新型")),
            (
                LedgerKind.TRAINING,
                training(date(2025, 12, 1), "training", ["李明"], "2", promoted_grade="技师", promoted_count=1),
            ),
        ):
            entry = await ledgers.create_entry(
                session=session, studio_id=world.studio.id, kind=kind, author_id=world.lead.id, fields=fields
            )
            await ledgers.set_status(
                session=session,
                entry_id=entry.id,
                expected={EntryStatus.SUBMITTED},
                to=EntryStatus.APPROVED,
                now=entry.created_at,
            )
        lead = await session.get(Person, world.lead.id)
        assert lead is not None
        lead.locale = "en"
    chat = Transcript(bot, "lead")
    await chat.say("/assess")
    chat.expect(
        "Small invention (小发明) 1",
        "promoted to: Technician (技师) 1",
        "Outcomes: 3; applied in production: 1; patents: 1",
        "Training and mentoring: 1; hours: 2; mentees: 0; promoted: 1",
    )
    chat.expect_not("by kind: 小", "promoted to: 技师", "1 outcomes", "1 patents")
    book = load_workbook(chat.replies[0].files[0].path)
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {"Small invention (小发明)", "Utility model", "Technician (技师)", "Default assessment rubric"} <= cells
    assert not cells & {"小发明", "实用新型", "技师", "默认考核细则"}


async def test_a_studio_name_with_digits_is_a_name_not_a_bad_date(bot: Bot, world: World) -> None:
    reviewer = Transcript(bot, "rev")
    await reviewer.say("导出 H000数控技师创新工作室")
    reviewer.expect("没有找到名为“H000数控技师创新工作室”的工作室")
    await reviewer.say("导出 csv 2025-01-01 3D打印创新工作室")
    reviewer.expect("没有找到名为“3D打印创新工作室”的工作室")
    await reviewer.say("导出 2025/13/01 张工数控创新工作室")  # still shaped like a date: explained
    reviewer.expect("没看懂“2025/13/01”")


async def test_a_very_long_studio_name_still_exports_and_assesses(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    long_name = "上海市浦东新区张江高科技园区" * 7 + "数控技师创新工作室"  # 107 characters, 321 bytes in UTF-8
    async with sessions() as session, session.begin():
        studio = await session.get(Studio, world.studio.id)
        assert studio is not None
        studio.name = long_name
    chat = Transcript(bot, "lead")
    for ask in ("导出", "导出 csv", "考核"):
        await chat.say(ask)
        files = [f for r in chat.replies for f in r.files]
        assert files, chat.text
        for file in files:
            assert file.path.is_file() and len(file.filename.encode()) <= 200, file.filename
            assert file.filename.startswith("上海市浦东新区") and file.filename.endswith((".xlsx", ".csv"))
    folders = list((tmp_path / "exports").iterdir())
    assert all(any(folder.iterdir()) for folder in folders)  # no empty folder left behind


@pytest.mark.parametrize("words", ["导出", "统计", "考核"])
async def test_an_unwritable_export_dir_is_said_plainly(
    sessions: async_sessionmaker[AsyncSession], world: World, clock: Clock, tmp_path: Path, words: str
) -> None:
    blocked = tmp_path / "exports"
    blocked.write_text("a file where the folder should be")  # nobody can write under it, root included
    chat = Transcript(make_bot(sessions, clock=clock, export_dir=blocked, public_base_url=BASE), "lead")
    await chat.say(words)
    chat.expect("导出文件夹现在无法写入")
    chat.expect_not("处理时出错")
