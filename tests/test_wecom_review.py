"""A reviewer approves from a WeCom card: pushed by the outbox sender, pressed once, the card updated once."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from handlers.core.payloads import pack
from handlers.core.presses import ReviewAction, ReviewPress
from storage.models import EntryStatus, LedgerEntry, OutboxMessage, OutboxStatus, ReviewDecision
from tests.support.transcript import Transcript
from tests.support.wechat_world import WxWorld, submit_activity, wechat_world
from tests.test_wecom_channel import cards, say

REVIEWER = "chenshenhe"


async def test_a_reviewer_approves_from_a_card_and_the_card_shows_it_once(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        bound = await say(world, REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        assert "陈审核" in bound.text
        entry_id = await submit_activity(world)
        assert world.runtime.sender is not None
        assert await world.runtime.sender.run_once() == 1
        [card] = [c for c in cards(world, REVIEWER) if any("通过" in b["text"] for b in c["button_list"])]
        assert [b["text"][-2:] for b in card["button_list"]] == ["通过", "退回", "驳回"]
        approve = next(b["key"] for b in card["button_list"] if "通过" in b["text"])
        code = secrets.token_hex(8)
        answer = await world.wecom_platform.press(REVIEWER, approve, card["task_id"], code)
        await world.settle()
        assert answer.status == 200
        [update] = world.fake.sent("message/update_template_card")
        assert update.body["response_code"] == code and update.body["userids"] == [REVIEWER]
        assert update.body["button"]["replace_name"] == "✅ 已通过"  # the outcome of the press, to its first clause
        again = await world.wecom_platform.press(REVIEWER, approve, card["task_id"], secrets.token_hex(8))
        await world.settle()
        assert again.status == 200
        assert len(world.fake.sent("message/update_template_card")) == 1  # a card is updated once
        async with world.runtime.sessions() as s:
            entry = await s.get(LedgerEntry, entry_id)
            assert entry is not None and entry.status is EntryStatus.APPROVED
            assert await s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
            notices = list(await s.scalars(select(OutboxMessage.status)))
            assert OutboxStatus.SENT in notices


async def test_a_forged_card_press_changes_nothing(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        entry_id = await submit_activity(world)
        forged_payload = pack(b"not-our-secret", ReviewPress(ReviewAction.APPROVE, entry_id, 1))
        forged = await world.wecom_platform.press(REVIEWER, forged_payload, "t-nope", "code")
        await world.settle()
        assert forged.status == 200
        assert not world.fake.sent("message/update_template_card")
        async with world.runtime.sessions() as s:
            entry = await s.get(LedgerEntry, entry_id)
            assert entry is not None and entry.status is EntryStatus.SUBMITTED


def review_card(world: WxWorld) -> dict[str, Any]:
    [card] = [c for c in cards(world, REVIEWER) if any("通过" in b["text"] for b in c["button_list"])]
    return card


def key_of(card: dict[str, Any], label: str) -> str:
    return str(next(b["key"] for b in card["button_list"] if label in b["text"]))


async def press_card(world: WxWorld, card: dict[str, Any], label: str, *, at: int) -> None:
    fields = {
        "Event": "template_card_event",
        "EventKey": key_of(card, label),
        "TaskId": card["task_id"],
        "CardType": "button_interaction",
        "ResponseCode": secrets.token_hex(8),
    }
    platform = world.wecom_platform
    assert (await platform.post(platform.xml(REVIEWER, "event", fields, create_time=at))).status == 200
    await world.settle()


async def test_a_press_on_a_withdrawn_entry_does_not_claim_the_decision(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        entry_id = await submit_activity(world)
        assert world.runtime.sender is not None and await world.runtime.sender.run_once() == 1
        card = review_card(world)
        lead = Transcript(world.runtime.bot, user="lead-on-test")  # meanwhile the lead withdraws the entry
        for step in ("我的台账", f"#{entry_id}", "撤回", "确认"):
            await (lead.say(step) if step == "我的台账" else lead.press(step))
        await press_card(world, card, "通过", at=int(time.time()))
        [update] = world.fake.sent("message/update_template_card")
        assert "通过" not in update.body["button"]["replace_name"] and "撤回" in update.body["button"]["replace_name"]
        async with world.runtime.sessions() as s:
            entry = await s.get(LedgerEntry, entry_id)
            assert entry is not None and entry.status is EntryStatus.WITHDRAWN


async def test_a_second_press_after_a_failed_card_update_shows_the_first_decision(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        await say(world, REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        entry_id = await submit_activity(world)
        assert world.runtime.sender is not None and await world.runtime.sender.run_once() == 1
        card = review_card(world)
        world.fake.fail("message/update_template_card", 40029)  # the approval lands, its card update does not
        now = int(time.time())
        await press_card(world, card, "通过", at=now)
        await press_card(world, card, "退回", at=now + 5)  # the card still looks pressable
        first, second = world.fake.sent("message/update_template_card")
        assert first.body["button"]["replace_name"] == "✅ 已通过"
        shown = second.body["button"]["replace_name"]
        assert "退回" not in shown and "通过" in shown  # what the press led to: it was approved already
        async with world.runtime.sessions() as s:
            entry = await s.get(LedgerEntry, entry_id)
            assert entry is not None and entry.status is EntryStatus.APPROVED
            assert await s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
