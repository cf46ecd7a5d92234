"""Telegram groups: the bot only invites people to its private chat, shows nothing and decides nothing there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.core.i18n import t
from storage.models import (
    Attachment,
    ChannelIdentity,
    Conversation,
    EntryStatus,
    LedgerEntry,
    RoleKind,
    SeenDelivery,
)
from storage.repos import invites, org, persons
from tests.support.fake_telegram import (
    BOT_USER,
    channel_post_update,
    document_update,
    group_chat,
    photo_update,
)
from tests.support.telegram_world import LEAD_TG, REVIEWER_TG, TelegramHarness, seed, telegram_world

BOT = str(BOT_USER["username"])
GROUP = group_chat(-4000111222)
SUPERGROUP = group_chat(-1001234567890, kind="supergroup", title="浦东技师创新联盟")
MEMBER_TG, SECOND_REVIEWER_TG = 7011, 7012
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


@pytest.fixture(params=["polling", "webhook"])
async def tg(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    """A bound lead and reviewer (in their private chats), in each mode, the bot in a group and a supergroup."""
    async with telegram_world(db_url, tmp_path, request.param) as harness:
        seeded = await seed(harness.runtime.sessions)
        await harness.say(LEAD_TG, f"/start {seeded.lead_code}")
        await harness.say(REVIEWER_TG, f"/start {seeded.reviewer_code}")
        harness.fake.add_chat(GROUP)
        harness.fake.add_chat(SUPERGROUP)
        yield harness


def invitation(locale: str = "zh_CN") -> str:
    return t("telegram.group_invite", locale, bot=BOT)


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [str(m.get("text", "")) for m in messages]


async def chat_of(tg: TelegramHarness, user_id: int) -> str:
    async with tg.runtime.sessions() as s:
        chat_id = await s.scalar(select(ChannelIdentity.chat_id).where(ChannelIdentity.external_id == str(user_id)))
    assert chat_id is not None
    return chat_id


async def count(tg: TelegramHarness, model: Any) -> int:
    async with tg.runtime.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def submitted_entry(tg: TelegramHarness, title: str) -> dict[str, Any]:
    """The lead records an activity; the review card goes out; return the card as the reviewer got it."""
    await tg.log_activity(LEAD_TG, title)
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()
    return tg.last_with_button(REVIEWER_TG, t("reviews.button.approve", "zh_CN"))


async def test_ledger_and_pending_in_a_group_get_only_the_invitation(tg: TelegramHarness) -> None:
    await tg.log_activity(LEAD_TG, "五轴编程经验交流")
    private_before = len(tg.fake.messages_to(LEAD_TG))

    for chat in (GROUP, SUPERGROUP):
        answered = await tg.say_in(chat, LEAD_TG, "/ledger")
        assert texts(answered) == [invitation()]
        assert texts(await tg.say_in(chat, LEAD_TG, f"/pending@{BOT}")) == [invitation()]
        assert texts(await tg.say_in(chat, LEAD_TG, f"@{BOT} 我的台账")) == [invitation()]
        assert texts(await tg.say_in(chat, LEAD_TG, "我的台账", reply_to=answered[0])) == [invitation()]
        assert texts(await tg.say_in(chat, REVIEWER_TG, f"待审 @{BOT}")) == [invitation()]
        english = await tg.say_in(chat, LEAD_TG, "/ledger", language_code="en-US")
        assert texts(english) == [invitation("en")]

    shown = " ".join(texts(tg.fake.messages_to(GROUP["id"]) + tg.fake.messages_to(SUPERGROUP["id"])))
    assert "五轴编程经验交流" not in shown
    assert not any(m.get("reply_markup") for m in tg.fake.messages_to(GROUP["id"]))
    assert len(tg.fake.messages_to(LEAD_TG)) == private_before  # nothing went to the private chat either
    assert await chat_of(tg, LEAD_TG) == str(LEAD_TG)


async def test_a_flow_command_in_a_group_starts_nothing(tg: TelegramHarness) -> None:
    assert texts(await tg.say_in(GROUP, LEAD_TG, "/activity")) == [invitation()]
    assert texts(await tg.say_in(SUPERGROUP, LEAD_TG, f"@{BOT} 记录活动")) == [invitation()]
    assert await count(tg, Conversation) == 0
    # nor does a group message continue a flow opened in the private chat
    await tg.say(LEAD_TG, "记录活动")
    async with tg.runtime.sessions() as s:
        opened = await s.scalar(select(Conversation))
    assert opened is not None
    version = opened.version
    assert texts(await tg.say_in(GROUP, LEAD_TG, f"@{BOT} 今天")) == [invitation()]
    async with tg.runtime.sessions() as s:
        still = await s.scalar(select(Conversation))
    assert still is not None and still.version == version


async def test_unaddressed_group_messages_get_no_answer_at_all(tg: TelegramHarness) -> None:
    sent_before = len(tg.fake.calls)
    for text in ("我的台账", "待审", "/ledger@some_other_bot", "问问 @someone_else 吧", "记录活动"):
        assert await tg.say_in(GROUP, LEAD_TG, text) == []
    await tg.deliver(channel_post_update(tg.fake.next_update_id(), group_chat(-1009, kind="channel"), "/ledger"))
    await tg.channel.drain()
    assert [c.method for c in tg.fake.calls[sent_before:] if c.method != "getUpdates"] == []
    assert await count(tg, SeenDelivery) == 2  # the two bindings: the engine never saw the group
    assert await chat_of(tg, LEAD_TG) == str(LEAD_TG)


async def test_the_push_target_stays_the_private_chat(tg: TelegramHarness) -> None:
    await tg.say_in(GROUP, REVIEWER_TG, "/pending")
    await tg.say_in(SUPERGROUP, LEAD_TG, "/ledger")
    assert await chat_of(tg, REVIEWER_TG) == str(REVIEWER_TG)
    assert await chat_of(tg, LEAD_TG) == str(LEAD_TG)

    card = await submitted_entry(tg, "数控编程学习")

    assert str(card["chat"]["id"]) == str(REVIEWER_TG)
    assert "数控编程学习" in card["text"]
    in_groups = tg.fake.messages_to(GROUP["id"]) + tg.fake.messages_to(SUPERGROUP["id"])
    assert texts(in_groups) == [invitation(), invitation()]


async def test_a_review_button_pressed_in_a_group_decides_nothing(tg: TelegramHarness) -> None:
    # a second reviewer of the same union, who could decide on the entry in their own chat
    async with tg.runtime.sessions() as s, s.begin():
        union = await org.get_union(session=s, name="浦东新区总工会")
        assert union is not None
        person = await persons.create_person(session=s, name="周审核")
        await org.grant_role(session=s, person=person, kind=RoleKind.REVIEWER, union=union)
        code, _ = await invites.issue_invite(session=s, person=person, role=RoleKind.REVIEWER, union=union)
    await tg.say(SECOND_REVIEWER_TG, f"/start {code}")
    card = await submitted_entry(tg, "刀具寿命攻关")
    approve = t("reviews.button.approve", "zh_CN")
    sent_before = len(tg.fake.calls)

    # the card as it stood in a group (where an old push target had sent it), pressed by group members
    pressers = (SECOND_REVIEWER_TG, REVIEWER_TG, MEMBER_TG)
    queries = [await tg.press_in(SUPERGROUP, presser, card, approve) for presser in pressers]
    await tg.channel.drain()

    async with tg.runtime.sessions() as s:
        entry = await s.scalar(select(LedgerEntry).where(LedgerEntry.title == "刀具寿命攻关"))
    assert entry is not None and entry.status is EntryStatus.SUBMITTED
    for query_id in queries:
        [answer] = tg.fake.sent("answerCallbackQuery", callback_query_id=query_id)
        assert answer.params.get("text") == t("telegram.group_press", "zh_CN")
    done = [c.method for c in tg.fake.calls[sent_before:] if c.method != "getUpdates"]
    assert done == ["answerCallbackQuery"] * 3  # no edit, no message


async def test_files_sent_in_a_group_are_never_downloaded(tg: TelegramHarness) -> None:
    photo = tg.fake.add_file(PHOTO, path="photos/group.jpg")
    document = tg.fake.add_file(b"%PDF-1.4 plan", path="documents/plan.pdf")
    mark = max(tg.fake.messages, default=0)

    await tg.deliver(photo_update(tg.fake.next_update_id(), LEAD_TG, [(photo, 1280)], chat=GROUP))
    await tg.deliver(photo_update(tg.fake.next_update_id(), LEAD_TG, [(photo, 1280)], caption=f"@{BOT}", chat=GROUP))
    await tg.deliver(
        document_update(
            tg.fake.next_update_id(),
            LEAD_TG,
            document,
            file_name="plan.pdf",
            mime_type="application/pdf",
            caption="/activity",
            chat=SUPERGROUP,
        )
    )
    await tg.channel.drain()

    assert tg.fake.sent("getFile") == []
    assert await count(tg, Attachment) == 0
    new = [m for m in tg.fake.messages.values() if m["message_id"] > mark]
    said = [(m["chat"]["id"], m["text"]) for m in new]
    assert said == [(GROUP["id"], invitation()), (SUPERGROUP["id"], invitation())]
