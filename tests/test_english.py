"""English as a native speaker reads it (issue 19, deliverable 8): stored codes in the reader's language, labels cut
by width, ASCII brackets, natural sentences; and the Chinese reminder reworded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.console import ConsoleScreen
from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import assess_studio
from handlers.assessment.summary import summary_text
from handlers.core.i18n import Translator, t
from handlers.core.payloads import pack
from handlers.core.presses import FlowOp, FlowPress
from handlers.core.types import Button, Reply
from handlers.core.width import cut, width
from storage.models import RoleKind
from tests.export_data import TODAY, build_world
from tests.reviews_support import Cast, World, at, make_cast, ready_to_apply

START = at("2026-03-10 10:00")


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    return await make_cast(World(sessions, START, expert_rubric_file=None))


async def test_an_english_reviewer_reads_the_place_pressed_and_the_names_in_english(cast: Cast) -> None:
    reviewer = await cast.world.person("Anna", RoleKind.REVIEWER, union=cast.district, locale="en")
    for text in ("记录活动", "今天", "技术交流", "数控车床刀具寿命攻关讨论"):
        await cast.lead.say(text)
    await cast.lead.press("工作室")  # the generic place (the studio has no registered venue)
    for text in ("王建国、李娟", "2", "分析刀具磨损数据", "跳过", "跳过", "提交"):
        await cast.lead.say(text)
    await cast.world.deliver()
    card = reviewer.inbox[-1].text
    assert "Place: The studio" in card and "工作室\n" not in card
    assert "Participants: 王建国, 李娟" in card  # an English list, not 、

    await reviewer.press_in("Return")
    reviewer.expect("Please write the reason")
    reviewer.expect_not("New reason")


async def test_pending_buttons_are_cut_by_width_so_english_keeps_whole_words(cast: Cast) -> None:
    reviewer = await cast.world.person("Anna", RoleKind.REVIEWER, union=cast.district, locale="en")
    await cast.lead.log_activity("Skills contest preparation")
    await cast.lead.log_activity("数控车工技能比武赛前集训")
    await reviewer.say("/pending")
    labels = reviewer.buttons
    assert "1. Skills contest preparat…" in labels  # 23 columns kept, where 12 characters made "Skills conte"
    assert "2. 数控车工技能比武赛前集训" in labels  # 12 Chinese characters still fit whole
    assert width(cut("👨‍🔧👨‍🔧👨‍🔧", 4)) <= 4 and "\u200d…" not in cut("👨‍🔧👨‍🔧👨‍🔧", 4)


def test_the_console_brackets_english_words_with_ascii_and_chinese_with_full_width() -> None:
    secret = b"s"

    def nav(label: str, op: FlowOp) -> Button:
        return Button(label, pack(secret, FlowPress("c", 1, op)))

    english = ConsoleScreen().render(
        [Reply(text="Where?", buttons=((nav("Skip", FlowOp.SKIP), nav("Cancel", FlowOp.CANCEL)),))]
    )
    chinese = ConsoleScreen().render(
        [Reply(text="哪里？", buttons=((nav("跳过", FlowOp.SKIP), nav("取消", FlowOp.CANCEL)),))]
    )
    assert english[-1] == "   (Skip · Cancel)" and chinese[-1] == "   （跳过 · 取消）"


async def test_the_assessment_says_the_benefit_in_yuan_in_english(session: AsyncSession) -> None:
    world = await build_world(session)
    result = await assess_studio(session=session, studio=world.studio, rubric=load_rubric(), today=TODAY)
    english = summary_text(result, Translator("en"), today_text="2026-12-01")
    assert "Funding: 2 funded outcomes, 50,000 yuan in all; economic benefit: 155,000 yuan" in english
    assert "×10k" not in english
    chinese = summary_text(result, Translator("zh_CN"), today_text="2026-12-01")
    assert "资助：2 项，共 50,000 元；经济效益 15.5 万元" in chinese


async def test_an_english_draft_application_says_to_send_apply_again(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await ready_to_apply(cast)
    await cast.lead.say("/lang en")
    await cast.lead.say("/apply")
    await cast.lead.say("skip")  # no venue: 第三条 is not met
    await cast.lead.say("数控车床 3 台")
    await cast.lead.press("焊接夹具")
    await cast.lead.press("Done")
    await cast.lead.say("坚持每月开展技术交流和攻关活动，解决生产难题 12 项")
    await cast.lead.say("skip")
    await cast.lead.press("Submit")
    cast.lead.expect("send /apply again")
    cast.lead.expect_not("“申报”")


def test_the_chinese_cycle_reminder_for_reviewers_reads_naturally() -> None:
    text = t("reminders.cycle.reviewer", "zh_CN", count=2, ends_on=date(2027, 1, 5), days=30, studios="甲、乙")
    assert text.endswith("请及时复核这些工作室待复核的台账。") and "它们" not in text
