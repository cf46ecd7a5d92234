"""A multi-select question on WeCom cards: a toggle updates the pressed card (one API call), not the whole question.

A studio of forty draws its participants question over eight cards; WeCom drops what passes 30 messages a minute
to a member, so sending all of them again at each tick cut a lead off after three or four ticks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import LedgerEntry, RoleKind, Studio
from storage.repos import org, persons
from tests.support.fixtures import latest_fields
from tests.support.wechat_world import Answer, WxWorld, wechat_world
from tests.test_wecom_channel import LEAD, say, texts
from tests.test_wecom_pacing import MinuteClock

TICK = "✓ "
NAMES = [f"技工{n:02d}" for n in range(1, 38)]  # with the seeded three: forty members


async def forty_members(world: WxWorld) -> None:
    async with world.runtime.sessions() as s, s.begin():
        studio = await s.get(Studio, world.seeded.studio_id)
        for name in NAMES:
            person = await persons.create_person(session=s, name=name)
            await org.grant_role(session=s, person=person, kind=RoleKind.MEMBER, studio=studio)


def task_ids(world: WxWorld, user: str) -> list[str]:
    """The member's template cards, oldest first."""
    sent = world.fake.sent("message/send", touser=user, msgtype="template_card")
    return [str(c.body["template_card"]["task_id"]) for c in sent]


def seen(world: WxWorld, user: str) -> list[dict[str, Any]]:
    """The member's cards as WeCom shows them now (updated in place), oldest first."""
    return [world.fake.card_now(t) for t in task_ids(world, user)]


def labels(card: dict[str, Any]) -> list[str]:
    return [b["text"] for b in card["button_list"]]


def find(world: WxWorld, user: str, label: str) -> tuple[dict[str, Any], str]:
    """The newest card showing a button `label` (ticked or not; else one containing it), and its key."""
    for exact in (True, False):
        for card in reversed(seen(world, user)):
            for button in card["button_list"]:
                text = button["text"].removeprefix(TICK)
                if text == label or (not exact and label in text):
                    return card, str(button["key"])
    raise AssertionError(f"no button {label!r} in {[labels(c) for c in seen(world, user)]}")


async def press(world: WxWorld, user: str, label: str, *, code: str | None = None) -> Answer:
    """Press a button as the member sees it now, with the ResponseCode WeCom gives that press."""
    card, key = find(world, user, label)
    response_code = code if code is not None else world.fake.press_code(card["task_id"])
    answer = await world.wecom_platform.press(user, key, card["task_id"], response_code)
    await world.settle()
    assert answer.status == 200
    return answer


async def open_participants(world: WxWorld) -> tuple[int, MinuteClock]:
    """Up to the participants question; how many cards came before it, and the member rate's clock."""
    clock = MinuteClock()  # a wait for the member's minute moves it on, and is counted
    world.wecom.rate.now, world.wecom.sleep = clock, clock.sleep
    await forty_members(world)
    await say(world, LEAD, f"绑定 {world.seeded.lead_code}")
    await say(world, LEAD, "记录活动")
    await press(world, LEAD, "今天")
    await press(world, LEAD, "技术攻关")
    await say(world, LEAD, "主轴振动攻关")
    before = len(task_ids(world, LEAD))
    await press(world, LEAD, "跳过")  # place
    return before, clock


def calls(world: WxWorld) -> int:
    return len([c for c in world.fake.calls if c.path in ("message/send", "message/update_template_card")])


async def test_ten_ticks_in_a_studio_of_forty_update_the_pressed_cards_only(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        first, clock = await open_participants(world)
        picker = len(seen(world, LEAD))
        assert picker - first >= 8  # the question: forty members and the lead, 完成, the navigation row
        ticked = ["李明", "技工01", "技工07", "技工13", "技工20", "技工26", "技工31", "技工37", "孙丽", "技工05"]
        # ticked and unticked again; on cards never updated too, whose payloads carry an older conversation version
        for name in [*ticked, "技工02", "技工02"]:
            before = calls(world)
            await press(world, LEAD, name)
            assert calls(world) - before == 1, [c.path for c in world.fake.calls[-3:]]
            assert world.fake.sent("message/update_template_card")[-1].body["userids"] == [LEAD]
        assert len(seen(world, LEAD)) == picker  # nothing new was sent
        assert not clock.waits  # the member's minute never filled: nothing held back, nothing dropped by WeCom
        shown = [label for card in seen(world, LEAD) for label in labels(card)]
        assert sorted(label.removeprefix(TICK) for label in shown if label.startswith(TICK)) == sorted(ticked)
        await press(world, LEAD, "完成")
        await press(world, LEAD, "2 小时")
        await say(world, LEAD, "分析主轴振动原因，更换轴承并复测。")
        await press(world, LEAD, "跳过")
        await press(world, LEAD, "跳过")
        await press(world, LEAD, "提交")
        async with world.runtime.sessions() as s:
            entry_id = await s.scalar(select(LedgerEntry.id).where(LedgerEntry.title == "主轴振动攻关"))
        assert entry_id is not None
        participants = (await latest_fields(world.runtime.sessions, entry_id))["participants"]
        assert isinstance(participants, list) and sorted(participants) == sorted(ticked)


@pytest.mark.parametrize("code", ["used", "expired", "missing"])
async def test_a_card_that_cannot_be_updated_is_followed_by_one_new_card(
    db_url: str, tmp_path: Path, code: str
) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await open_participants(world)
        picker = len(seen(world, LEAD))
        card, _ = find(world, LEAD, "技工10")
        bad = world.fake.press_code(card["task_id"])
        if code == "used":
            await press(world, LEAD, "技工09", code=bad)  # the code's one update
        elif code == "expired":
            world.fake.expire_code(bad)
        before = calls(world)
        await press(world, LEAD, "技工10", code="" if code == "missing" else bad)
        new = seen(world, LEAD)[-1]
        ticked = ["✓ 技工09", "✓ 技工10"] if code == "used" else ["✓ 技工10"]
        assert len(seen(world, LEAD)) == picker + 1 and [b for b in labels(new) if b.startswith(TICK)] == ticked
        assert calls(world) - before == (1 if code == "missing" else 2)  # the refused update, then the new card
        for name in ("技工11", "技工33", "完成"):  # the new card and the question's other cards both still work
            await press(world, LEAD, name)
        assert "小时" in "".join(labels(seen(world, LEAD)[-1]))
        await say(world, LEAD, "取消")


async def test_a_redrawing_that_changes_more_than_the_pressed_card_is_sent_whole(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await open_participants(world)
        await press(world, LEAD, "李明")
        for step in ("完成", "2 小时"):
            await press(world, LEAD, step)
        await say(world, LEAD, "分析主轴振动原因，更换轴承并复测。")
        for step in ("跳过", "跳过", "修改", "参加人员"):
            await press(world, LEAD, step)
        drawn = len(task_ids(world, LEAD))  # the question again, its text led by the value it had
        assert "当前内容" in "".join(c["main_title"]["title"] + c.get("sub_title_text", "") for c in seen(world, LEAD))
        await press(world, LEAD, "技工30")  # the redrawing drops that line: on the first card, not the pressed one
        assert len(task_ids(world, LEAD)) - drawn >= 8
        before = calls(world)
        await press(world, LEAD, "技工31")  # drawn anew, the question is updated card by card again
        assert calls(world) - before == 1
        await press(world, LEAD, "完成")
        assert "✓" not in "".join(labels(seen(world, LEAD)[-1]))
        summary = seen(world, LEAD)[-1]
        shown = summary["main_title"]["title"] + summary.get("sub_title_text", "") + texts(world, LEAD)[-1]
        assert "技工30、技工31" in shown
