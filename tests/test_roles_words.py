"""The measures' words: the activity kinds of 第四条/第十一条, 不予推荐, 驳回, 复核 and 审核, 活动正常."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from storage.models import RoleKind
from storage.repos import invites, org, persons
from tests.reviews_support import World as ReviewsWorld
from tests.reviews_support import at, make_cast
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401

KINDS = ["技术学习", "技术交流", "技术练兵", "技术创新", "技术革新", "技术攻关", "五小", "合理化建议", "技能培训"]
KINDS += ["高师带徒", "其他"]


async def _to_kind(chat: Transcript) -> None:
    await chat.say("记录活动")
    await chat.press("今天")
    chat.expect("活动类别")


async def test_the_kinds_are_the_measures_words_and_the_old_short_words_still_work(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    chat = Transcript(bot, "lead")
    await _to_kind(chat)
    assert chat.buttons[: len(KINDS)] == KINDS
    for typed, shown in (("攻关", "技术攻关"), ("学习", "技术学习"), ("技术革新", "技术革新")):
        await chat.say(typed)
        chat.expect("活动主题")
        await chat.say("返回")
        await chat.say(typed)
        for answer in ("主轴改造", "跳过", "[李明]", "[完成]", "2", "更换主轴轴承", "异响消除", "[完成]"):
            await (chat.press(answer[1:-1]) if answer.startswith("[") else chat.say(answer))
        chat.expect(f"类别：{shown}")
        await chat.press("提交")
        if typed != "技术革新":
            await _to_kind(chat)
    stored = [(await latest_fields(sessions, e.id))["kind"] for e in await entries(sessions)]
    assert stored == ["攻关", "学习", "技术革新"]  # the codes stored before stay as they were


async def test_english_names_each_kind_with_the_measures_word(bot: Bot, world: World) -> None:
    chat = Transcript(bot, "lead")
    await chat.say("语言 en")
    await chat.say("/activity")
    await chat.press("Today")
    assert "Technical study (技术学习)" in chat.buttons and "Technical renovation (技术革新)" in chat.buttons
    await chat.say("技术攻关")
    chat.expect("Title of the activity")


async def test_a_rejected_entry_is_已驳回_in_chat_export_and_trail(sessions: async_sessionmaker[AsyncSession]) -> None:
    cast = await make_cast(ReviewsWorld(sessions, at("2026-03-10 10:00")), named_on=date(2025, 1, 1))
    await cast.lead.log_activity()
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    assert card.text.startswith("📋 新台账待复核：")  # the district's step is 复核
    await cast.reviewer.press_in("驳回", card)
    await cast.reviewer.say("与工作室创新活动无关")
    await cast.reviewer.press("提交")
    cast.reviewer.expect("❌ 已驳回")
    await cast.world.deliver()
    assert "❌ 您的台账已驳回：" in cast.lead.pushed() and "复核人：李四" in cast.lead.pushed()

    await cast.lead.say("我的台账")
    cast.lead.expect("已驳回")
    cast.lead.expect_not("未通过")
    await cast.lead.say("履历")
    cast.lead.expect("已提交 → 已驳回")
    await cast.lead.say("导出 全部")
    (file,) = cast.lead.replies[0].files
    sheet = load_workbook(file.path).worksheets[0]
    header = [c.value for c in sheet[1]]
    statuses = [row[header.index("复核状态")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses == ["已驳回"]


async def test_binding_tells_the_admin_and_the_association_officer_what_they_do(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
) -> None:
    codes = {}
    async with sessions() as session, session.begin():
        for name, kind in (("郑管理", RoleKind.ADMIN), ("张三", RoleKind.ASSOCIATION)):
            person = await persons.create_person(session=session, name=name)
            await org.grant_role(session=session, person=person, kind=kind, union=world.municipal)
            codes[kind], _ = await invites.issue_invite(
                session=session, person=person, role=kind, union=world.municipal
            )
    admin, officer = Transcript(bot, "admin-phone"), Transcript(bot, "officer-phone")
    await admin.say(f"绑定 {codes[RoleKind.ADMIN]}")
    admin.expect("您的身份是：上海市职工技术协会 系统管理员（管理人员和角色，不作评审决定）")
    await officer.say(f"绑定 {codes[RoleKind.ASSOCIATION]}")
    officer.expect("您的身份是：上海市职工技术协会 市职工技协审核人（审核申报、公示、处理异议、命名、考核验收）")
