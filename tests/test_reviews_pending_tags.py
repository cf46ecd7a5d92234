"""待审 tags what the review card labels: a resubmission after 退回, an edit of an approved entry — in the
same number of statements however many of them wait."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.models import RoleKind
from tests.reviews_support import Cast, World, at, make_cast
from tests.support.sql import statements

HEADER = "【活动】王建国技师创新工作室「{title}」（第{version}版） · 已等待 {days} 天"


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    return await make_cast(World(sessions, at("2026-03-10 10:00")))


async def _logged(cast: Cast, title: str) -> None:
    """The lead logs an activity an hour after the last thing happened; the reviewer gets its card."""
    cast.world.advance(hours=1)
    await cast.lead.log_activity(title)
    await cast.world.deliver()


async def _edited(cast: Cast, number: int, button: str, place: str) -> None:
    """The lead changes the place of entry #number (through `button`) and submits it, an hour later."""
    cast.world.advance(hours=1)
    await cast.lead.say("我的台账")
    await cast.lead.press(f"#{number}")
    await cast.lead.press(button)
    await cast.lead.press("修改")
    await cast.lead.press("地点")
    await cast.lead.say(place)
    await cast.lead.press("提交")
    await cast.world.deliver()


async def _resubmitted(cast: Cast, number: int, title: str) -> None:
    """An entry returned with a reason, fixed and sent again."""
    await _logged(cast, title)
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say("请写明地点")
    await cast.reviewer.press("提交")
    await _edited(cast, number, "修改后重新提交", "三号车间")


async def _approved_then_edited(cast: Cast, number: int, title: str) -> None:
    """An approved entry the lead changes afterwards."""
    await _logged(cast, title)
    await cast.reviewer.press_in("通过")
    await _edited(cast, number, "✏️ 修改", "四号车间")


async def _pending(cast: Cast, engine: AsyncEngine) -> tuple[list[str], int]:
    """What the reviewer reads after saying 待审, and how many statements that turn took."""
    await cast.reviewer.say("待审")  # a first turn after a while records when they were last heard: not measured
    with statements(engine) as sent:
        await cast.reviewer.say("待审")
    return cast.reviewer.text.splitlines(), len(sent)


async def test_pending_tags_resubmissions_and_edits_of_approved_entries_in_fixed_statements(
    cast: Cast, engine: AsyncEngine
) -> None:
    await _resubmitted(cast, 1, "甲活动")
    await _approved_then_edited(cast, 2, "乙活动")
    await _logged(cast, "丙活动")

    small, small_count = await _pending(cast, engine)
    # how long each has waited counts from when it was sent again, so the order is that of the last submission
    assert small == [
        "待您处理（共 3 项，最早的在前）：",
        "— 台账复核（3）—",
        "1. ↩️ 退回后重新提交 " + HEADER.format(title="甲活动", version=2, days=0),
        "2. ✏️ 已通过台账的修改 " + HEADER.format(title="乙活动", version=2, days=0),
        "3. " + HEADER.format(title="丙活动", version=1, days=0),
    ]

    await _resubmitted(cast, 4, "丁活动")
    await _resubmitted(cast, 5, "戊活动")
    await _approved_then_edited(cast, 6, "己活动")
    large, large_count = await _pending(cast, engine)
    assert large[2:] == [
        *small[2:],
        "4. ↩️ 退回后重新提交 " + HEADER.format(title="丁活动", version=2, days=0),
        "5. ↩️ 退回后重新提交 " + HEADER.format(title="戊活动", version=2, days=0),
        "6. ✏️ 已通过台账的修改 " + HEADER.format(title="己活动", version=2, days=0),
    ]
    assert large_count == small_count

    # the tag reads as the card's title reads: the card of #1 says it is a resubmission
    await cast.reviewer.press("1. 甲活动")
    cast.reviewer.expect("↩️ 退回后修改、重新提交的台账待复核（替换第1版）：")


async def test_an_english_reviewer_reads_the_tags_in_english(cast: Cast) -> None:
    anna = await cast.world.person("Anna", locale="en")
    await cast.world.grant(anna, RoleKind.REVIEWER, union=cast.district)
    await _resubmitted(cast, 1, "甲活动")
    await _approved_then_edited(cast, 2, "乙活动")
    await anna.say("待审")
    anna.expect(
        "1. ↩️ Resubmitted after return [activity] 王建国技师创新工作室 “甲活动” (version 2)",
        "2. ✏️ Change to an approved entry [activity] 王建国技师创新工作室 “乙活动” (version 2)",
    )
