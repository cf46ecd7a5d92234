"""What goes out to Telegram: pushes, files, long texts, edits, the command menu; and what comes in refused."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.base import PushError, PushTarget
from bot.channels.telegram.outbound import NotSent
from handlers.account.basic import menu_for
from handlers.app import routes
from handlers.core.i18n import t
from handlers.core.types import Button, OutFile, Reply
from storage.models import Attachment, Conversation, EntryStatus, LedgerEntry, OutboxMessage, OutboxStatus
from tests.support.fake_telegram import button_labels, document_update
from tests.support.telegram_world import LEAD_TG, MEMBERS, STRANGER_TG, TelegramHarness, seed, telegram_world


@pytest.fixture
async def tg(db_url: str, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    """The channel, polling the fake Bot API."""
    async with telegram_world(db_url, tmp_path, "polling") as harness:
        yield harness


def target(chat_id: int) -> PushTarget:
    return PushTarget(
        person_id=1,
        channel="telegram",
        external_id=str(chat_id),
        chat_id=str(chat_id),
        last_inbound_at=None,
        locale="zh_CN",
    )


async def test_the_menu_lists_the_chat_commands_in_each_language(tg: TelegramHarness) -> None:
    for code, locale in (("zh", "zh_CN"), ("en", "en"), ("", "zh_CN")):
        menu = tg.fake.commands[code]
        assert [(c["command"], c["description"]) for c in menu] == menu_for(routes(), locale)
    assert tg.fake.commands["zh"] != tg.fake.commands["en"]


async def test_a_push_carries_its_buttons_as_an_inline_keyboard(tg: TelegramHarness) -> None:
    reply = Reply(text="提醒", buttons=((Button("去记录", "go:activity~tag"), Button("稍后", "x~y")),))

    await tg.channel.pusher.push(target(LEAD_TG), reply, kind="reminder")

    [message] = tg.fake.messages_to(LEAD_TG)
    assert message["text"] == "提醒"
    assert message["reply_markup"]["inline_keyboard"] == [
        [{"text": "去记录", "callback_data": "go:activity~tag"}, {"text": "稍后", "callback_data": "x~y"}]
    ]


async def test_push_failures_tell_the_outbox_whether_to_retry(tg: TelegramHarness) -> None:
    tg.fake.blocked.add(str(STRANGER_TG))
    with pytest.raises(PushError) as blocked:
        await tg.channel.pusher.push(target(STRANGER_TG), Reply(text="hi"), kind="notice")
    assert blocked.value.permanent

    tg.fake.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(PushError) as unknown:
        await tg.channel.pusher.push(target(LEAD_TG), Reply(text="hi"), kind="notice")
    assert unknown.value.permanent

    tg.fake.fail_next("sendMessage", 502, "Bad Gateway")
    with pytest.raises(PushError) as down:
        await tg.channel.pusher.push(target(LEAD_TG), Reply(text="hi"), kind="notice")
    assert not down.value.permanent and down.value.retry_after is None


async def test_a_push_hitting_flood_control_is_waited_out(tg: TelegramHarness) -> None:
    tg.fake.fail_once("sendMessage", retry_after=1)

    await tg.channel.pusher.push(target(LEAD_TG), Reply(text="周报提醒"), kind="reminder")

    assert [m["text"] for m in tg.fake.messages_to(LEAD_TG)] == ["周报提醒"]
    assert len(tg.fake.sent("sendMessage")) == 2


async def test_files_go_out_as_documents_and_photos(tg: TelegramHarness, tmp_path: Path) -> None:
    workbook, chart = tmp_path / "ledger.xlsx", tmp_path / "chart.png"
    workbook.write_bytes(b"PK\x03\x04 a workbook")
    chart.write_bytes(b"\x89PNG a chart")
    reply = Reply(
        text="导出完成",
        files=(
            OutFile(workbook, "台账.xlsx", "application/vnd.ms-excel", caption="2026 台账"),
            OutFile(chart, "chart.png", "image/png", kind="photo"),
        ),
    )

    await tg.channel.pusher.push(target(LEAD_TG), reply, kind="notice")

    [document] = tg.fake.sent("sendDocument")
    [photo] = tg.fake.sent("sendPhoto")
    assert document.files["document"] == ("台账.xlsx", workbook.read_bytes())
    assert document.params["caption"] == "2026 台账"
    assert photo.files["photo"] == ("chart.png", chart.read_bytes())
    assert [m["text"] for m in tg.fake.messages_to(LEAD_TG) if "text" in m] == ["导出完成"]


async def test_a_photo_telegram_refuses_goes_out_as_a_document(tg: TelegramHarness, tmp_path: Path) -> None:
    chart = tmp_path / "wide.png"
    chart.write_bytes(b"\x89PNG very wide")
    tg.fake.fail_next("sendPhoto", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")

    await tg.channel.pusher.push(
        target(LEAD_TG), Reply(text="", files=(OutFile(chart, "wide.png", "image/png", kind="photo"),)), kind="notice"
    )

    [document] = tg.fake.sent("sendDocument")
    assert document.files["document"] == ("wide.png", chart.read_bytes())


async def test_a_long_text_is_split_with_the_buttons_under_the_last_part(tg: TelegramHarness) -> None:
    lines = [f"第 {i} 条：" + "台账内容" * 20 for i in range(120)]
    reply = Reply(text="\n".join(lines), buttons=((Button("更多", "more~x"),),))

    await tg.channel.pusher.push(target(LEAD_TG), reply, kind="notice")

    parts = tg.fake.messages_to(LEAD_TG)
    assert len(parts) > 1 and all(len(p["text"]) <= 4096 for p in parts)
    assert "\n".join(p["text"] for p in parts) == reply.text  # cut at line ends, nothing lost
    assert [button_labels(p) for p in parts] == [[]] * (len(parts) - 1) + [["更多"]]


async def test_an_outcome_for_a_message_that_is_gone_is_sent_instead(tg: TelegramHarness) -> None:
    await tg.channel.sender.edit(LEAD_TG, 999_999, Reply(text="✅ 已通过", outcome_of_press=True))

    [message] = tg.fake.messages_to(LEAD_TG)
    assert message["text"] == "✅ 已通过"


async def test_a_file_too_big_is_refused_politely_and_nothing_changes(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.say(LEAD_TG, "记录活动")
    async with tg.runtime.sessions() as s:
        before = await s.scalar(select(Conversation))
    assert before is not None
    huge = tg.fake.add_file(b"x", path="documents/huge.pdf")

    mark = max(tg.fake.messages)
    update = document_update(
        tg.fake.next_update_id(), LEAD_TG, huge, file_name="图纸.pdf", mime_type="application/pdf", file_size=25 << 20
    )
    await tg.deliver(update)

    answers = [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
    assert answers[0] == t("telegram.file_too_big", "zh_CN")
    assert answers[1].startswith(t("activity.ask.date", "zh_CN"))  # the question comes again, not left hanging
    assert not tg.fake.sent("getFile")
    async with tg.runtime.sessions() as s:
        after = await s.scalar(select(Conversation))
        files = await s.scalar(select(func.count()).select_from(Attachment))
    assert after is not None and (after.version, after.data) == (before.version, before.data) and files == 0
    assert not tg.runtime.settings.media_dir.exists() or not any(tg.runtime.settings.media_dir.rglob("*.pdf"))


async def test_a_file_telegram_cannot_serve_is_refused_politely(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.say(LEAD_TG, "记录活动")
    mark = max(tg.fake.messages, default=0)
    update = document_update(
        tg.fake.next_update_id(), LEAD_TG, "NO-SUCH-FILE", file_name="a.pdf", mime_type="application/pdf"
    )

    await tg.deliver(update)

    said = [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
    assert said[0] == t("telegram.file_failed", "zh_CN") and said[1].startswith(t("activity.ask.date", "zh_CN"))


async def test_a_document_is_stored_under_its_checksum_with_its_name_kept(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.say(LEAD_TG, "记录活动")
    file_id = tg.fake.add_file(b"%PDF-1.7 drawing", path="documents/file_7.pdf")

    await tg.deliver(
        document_update(tg.fake.next_update_id(), LEAD_TG, file_id, file_name="图纸.pdf", mime_type="application/pdf")
    )

    async with tg.runtime.sessions() as s:
        conversation = await s.scalar(select(Conversation))
    assert conversation is not None
    [kept] = next(
        v for v in conversation.data["values"].values() if isinstance(v, list) and v and isinstance(v[0], dict)
    )
    assert (kept["filename"], kept["media_type"], kept["file_ref"]) == ("图纸.pdf", "application/pdf", file_id)
    assert Path(kept["stored_path"]).read_bytes() == b"%PDF-1.7 drawing"  # noqa: ASYNC240


async def test_a_reply_telegram_will_not_take_now_waits_in_the_outbox(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    tg.fake.fail_next("sendMessage", 502, "Bad Gateway")

    await tg.say(LEAD_TG, "帮助")

    async with tg.runtime.sessions() as s:
        [kept] = list(await s.scalars(select(OutboxMessage)))
    assert kept.channel == "telegram" and kept.status is OutboxStatus.PENDING
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()
    help_text = tg.fake.sent("sendMessage")[-1].params["text"]
    assert help_text == kept.payload["text"] and "王建国" in help_text


async def at_the_files_step_of_a_long_activity(tg: TelegramHarness) -> None:
    """A lead logs an activity with the longest answers allowed, up to its photos: the summary needs two messages."""
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    await tg.say(LEAD_TG, "记录活动")
    await tg.press(LEAD_TG, button_labels(tg.fake.messages_to(LEAD_TG)[-1])[0])
    await tg.press(LEAD_TG, t("activity.kind.技术交流", "zh_CN"))
    await tg.say(LEAD_TG, "题" * 100)
    await tg.press(LEAD_TG, t("activity.place_studio", "zh_CN"))
    await tg.press(LEAD_TG, MEMBERS[0])
    await tg.press(LEAD_TG, t("engine.done", "zh_CN"))
    await tg.press(LEAD_TG, t("activity.hours_choice", "zh_CN", hours="2"))
    await tg.say(LEAD_TG, "内" * 2000)
    await tg.say(LEAD_TG, "果" * 2000)


async def test_a_reply_cut_short_keeps_only_its_unsent_parts_for_later(tg: TelegramHarness) -> None:
    await at_the_files_step_of_a_long_activity(tg)
    tg.fake.fail_next("sendMessage", 500, "Internal Server Error", after=1)  # the summary's second part
    mark = max(tg.fake.messages)

    [first] = await tg.press(LEAD_TG, t("engine.skip", "zh_CN"))

    async with tg.runtime.sessions() as s:
        [kept] = list(await s.scalars(select(OutboxMessage)))
    assert kept.channel == "telegram" and kept.status is OutboxStatus.PENDING
    assert kept.payload["text"] not in first["text"] and first["text"] not in kept.payload["text"]
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()
    parts = [m for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
    assert [p["text"] for p in parts] == [first["text"], kept.payload["text"]]  # each part once, in order
    assert "内" * 2000 in first["text"] and "果" * 2000 in parts[1]["text"]
    assert button_labels(first) == [] and t("engine.submit", "zh_CN") in button_labels(parts[1])
    await tg.press(LEAD_TG, t("engine.submit", "zh_CN"))  # the kept keyboard still works
    async with tg.runtime.sessions() as s:
        entry = await s.scalar(select(LedgerEntry))
    assert entry is not None and entry.status is EntryStatus.SUBMITTED


async def test_replies_after_one_telegram_will_not_take_wait_with_it_in_order(tg: TelegramHarness) -> None:
    seeded = await seed(tg.runtime.sessions)
    await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
    file_id = tg.fake.add_file(b"%PDF-1.7 plan", path="documents/plan.pdf")
    tg.fake.fail_next("sendMessage", 502, "Bad Gateway")
    mark = max(tg.fake.messages)

    # two replies: the record opens, then the document joins it
    await tg.deliver(
        document_update(
            tg.fake.next_update_id(),
            LEAD_TG,
            file_id,
            file_name="方案.pdf",
            mime_type="application/pdf",
            caption="记录活动",
        )
    )

    assert not [m for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
    async with tg.runtime.sessions() as s:
        kept = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert len(kept) == 2
    assert tg.runtime.sender is not None
    await tg.runtime.sender.run_once()
    sent = [m["text"] for m in tg.fake.messages_to(LEAD_TG) if m["message_id"] > mark]
    assert sent == [k.payload["text"] for k in kept]
    assert t("engine.file_kept", "zh_CN", count=1) in sent[1]


async def test_a_file_telegram_will_not_take_is_all_that_is_left_to_send(tg: TelegramHarness, tmp_path: Path) -> None:
    workbook = tmp_path / "ledger.xlsx"
    workbook.write_bytes(b"PK\x03\x04 a workbook")
    file = OutFile(workbook, "台账.xlsx", "application/vnd.ms-excel")
    tg.fake.fail_next("sendDocument", 502, "Bad Gateway")

    with pytest.raises(NotSent) as cut:
        await tg.channel.sender.send(
            LEAD_TG, Reply(text="导出完成", buttons=((Button("更多", "more~x"),),), files=(file,))
        )

    assert cut.value.rest == Reply(text="", files=(file,))
    assert [m["text"] for m in tg.fake.messages_to(LEAD_TG)] == ["导出完成"]


async def test_the_bot_token_never_reaches_the_logs(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with telegram_world(db_url, tmp_path, "polling") as harness:
        await harness.say(STRANGER_TG, "帮助")
        token = harness.fake.token
    assert "sendMessage" in caplog.text  # the requests were logged …
    assert token not in caplog.text  # … without the token
    assert token.split(":")[1] not in caplog.text
