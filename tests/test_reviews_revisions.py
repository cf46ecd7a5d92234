"""Reviewers see what changed: a resubmission or an edit of an approved entry is labelled, shows the earlier
reason and every changed field old → new — in chat, in the audit trail (履历) — and the lead hears that a
rejected edit leaves the approved version standing."""

from __future__ import annotations

import asyncio
import html
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import create_engine, session_factory
from storage.models import AuditLog, RoleKind
from tests.reviews_support import Cast, World, at, make_cast
from tests.support import Transcript, make_bot
from tests.test_audit_cli import cli  # noqa: F401  (the fixture: `studio-bot` against the test's database)
from tests.web_support import csrf_of, signed_in, web_world

START = at("2026-03-10 10:00")


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    return await make_cast(World(sessions, START))


async def _returned(cast: Cast, reason: str = "缺少活动现场照片，请补充") -> None:
    """The lead logs an activity (today, no results); the reviewer returns it with a reason."""
    await cast.lead.log_activity()
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say(reason)
    await cast.reviewer.press("提交")
    await cast.world.deliver()


async def _edit(cast: Cast, changes: list[tuple[str, str]], *, button: str = "✏️ 修改") -> None:
    """The lead opens #1 in 我的台账, changes each (field, typed answer), and stays on the summary."""
    await cast.lead.say("我的台账")
    await cast.lead.press("#1")
    await cast.lead.press(button)
    for field, answer in changes:
        await cast.lead.press("修改")
        await cast.lead.press(field)
        await cast.lead.say(answer)


async def test_a_resubmission_is_labelled_with_the_return_reason_and_each_change(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _returned(cast)
    await _edit(cast, [("日期", "3月5日"), ("成效", "形成改进方案一份")], button="修改后重新提交")
    cast.lead.expect_not("已通过审核")  # a returned entry carries no approved-version warning
    await cast.lead.press("提交")
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1].text
    assert card.startswith("↩️ 退回后修改、重新提交的台账待复核（替换第1版）：\n【活动】王建国技师创新工作室")
    assert "上次退回原因：缺少活动现场照片，请补充" in card
    assert "本次改动（2 处）：\n· 日期：2026-03-10 → 2026-03-05\n· 成效：新增「形成改进方案一份」" in card
    assert "新台账待审核" not in card
    assert [b.label for b in cast.reviewer.inbox[-1].all_buttons()] == ["✅ 通过", "↩️ 退回", "❌ 驳回"]

    async with sessions() as s:
        row = await s.scalar(select(AuditLog).where(AuditLog.version == 2, AuditLog.to_state == "submitted"))
    assert row is not None and row.detail == {"from_version": 1, "changed": ["occurred_on", "results"]}
    await cast.lead.say("履历")
    cast.lead.expect("已退回 → 已提交（改动：日期、成效）")


async def test_the_card_reads_in_english_for_an_english_reviewer(cast: Cast) -> None:
    reviewer = await cast.world.person("Anna", RoleKind.REVIEWER, union=cast.district, locale="en")
    await _returned(cast)
    await _edit(cast, [("地点", "三号车间")], button="修改后重新提交")
    await cast.lead.press("提交")
    await cast.world.deliver()
    card = reviewer.inbox[-1].text
    assert card.startswith("↩️ Corrected after being returned and submitted again (replaces version 1):")
    assert "Returned last time because: 缺少活动现场照片，请补充" in card
    assert "What changed (1):\n• Place: added “三号车间”" in card


async def test_an_edit_of_an_approved_entry_warns_is_labelled_and_a_rejection_leaves_it_approved(
    cast: Cast,
) -> None:
    await cast.lead.log_activity()
    await cast.world.deliver()
    await cast.reviewer.press_in("通过")
    await _edit(cast, [("时长", "3")])
    cast.lead.expect(
        "⚠️ 这条台账已复核通过。提交修改后，它会重新送工会复核；复核通过前，已通过的第1版仍然有效，计入考核。"
    )
    await cast.lead.press("提交")
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1].text
    assert card.startswith("✏️ 已通过台账的修改待复核（复核期间，已通过的第1版仍然有效）：")
    assert "· 时长（小时）：2 → 3" in card and "上次" not in card

    await cast.lead.say("我的台账")
    cast.lead.expect("已通过（修改待审核）")
    await cast.reviewer.press_in("驳回")
    await cast.reviewer.say("时长与签到表不符")
    await cast.reviewer.press("提交")
    await cast.world.deliver()
    told = cast.lead.inbox[-1].text
    assert told.startswith("❌ 您对已通过台账的修改未通过（驳回）：")
    assert "已通过的第1版仍然有效，照常计入考核。" in told and "原因：时长与签到表不符" in told
    await cast.lead.say("我的台账")
    cast.lead.expect("｜已通过（修改未通过）")
    cast.lead.expect_not("｜未通过")

    # fixing the rejected edit again: labelled an edit of the approved entry, with the rejection's reason
    await _edit(cast, [("时长", "2.5")])
    await cast.lead.press("提交")
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1].text
    assert card.startswith("✏️ 已通过台账的修改待复核（复核期间，已通过的第1版仍然有效）：")
    assert "上次驳回原因：时长与签到表不符" in card and "· 时长（小时）：3 → 2.5" in card


async def test_a_returned_edit_of_an_approved_entry_says_the_approved_version_stands(cast: Cast) -> None:
    await cast.lead.log_activity()
    await cast.world.deliver()
    await cast.reviewer.press_in("通过")
    await _edit(cast, [("地点", "三号车间")])
    await cast.lead.press("提交")
    await cast.world.deliver()
    await cast.reviewer.press_in("退回")
    await cast.reviewer.say("请写明是哪条产线")
    await cast.reviewer.press("提交")
    await cast.world.deliver()
    told = cast.lead.inbox[-1].text
    assert told.startswith("↩️ 您对已通过台账的修改被退回：") and "已通过的第1版仍然有效" in told
    await cast.lead.say("我的台账")
    cast.lead.expect("｜已通过（修改被退回）")


async def test_the_web_console_shows_the_revision_on_the_pending_and_entry_pages(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        page = await http.get("/web/pending")
        returned = await http.post(
            f"/web/entries/{ww.entry.id}/decide",
            data={
                "csrf": csrf_of(page.text),
                "version": "1",
                "action": "return",
                "reason": "请写明地点",
                "back": "pending",
            },
        )
        assert returned.status_code == 200, returned.text
        lead = Transcript(make_bot(ww.sessions), user="lead")
        await lead.say("我的台账")
        await lead.press(f"#{ww.entry.id}")
        await lead.press("修改后重新提交")
        await lead.press("✏️ 修改")
        await lead.press("地点")
        await lead.say("三号车间")
        await lead.press("提交")
        lead.expect("已重新提交")

        for path in ("/web/pending", f"/web/entries/{ww.entry.id}"):
            text = html.unescape((await http.get(path)).text)
            assert "↩️ 退回后修改、重新提交的台账待复核（替换第1版）：" in text, path
            assert "上次退回原因：请写明地点" in text and "· 地点：二号车间 → 三号车间" in text, path
        entry_page = html.unescape((await http.get(f"/web/entries/{ww.entry.id}")).text)
        assert "已退回 → 已提交（改动：地点）" in entry_page


def test_studio_bot_audit_names_the_changed_fields(db_url: str, cli: Any) -> None:  # noqa: F811 (the fixture)
    async def history() -> None:
        engine = create_engine(db_url)
        try:
            cast = await make_cast(World(session_factory(engine), START))
            await _returned(cast)
            await _edit(cast, [("日期", "3月5日")], button="修改后重新提交")
            await cast.lead.press("提交")
        finally:
            await engine.dispose()

    asyncio.run(history())
    result = cli("audit", "--studio", "王建国技师创新工作室")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == (
        "2026-03-10 10:00  王建国  test  台账 #1「数控车床刀具寿命攻关讨论」（第2版）  已退回 → 已提交（改动：日期）"
    )
    rows = json.loads(cli("audit", "--studio", "王建国技师创新工作室", "--json").output)["rows"]
    assert rows[-1]["detail"] == {"from_version": 1, "changed": ["occurred_on"]}


async def test_the_web_console_shows_a_rejected_edit_of_an_approved_entry_as_approved(
    db_url: str, tmp_path: Path
) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")

        async def decide(version: int, action: str, reason: str = "") -> None:
            page = await http.get("/web/pending")
            data = {"csrf": csrf_of(page.text), "version": str(version), "action": action, "reason": reason}
            assert (await http.post(f"/web/entries/{ww.entry.id}/decide", data=data)).status_code == 200

        await decide(1, "approve")
        lead = Transcript(make_bot(ww.sessions), user="lead")
        for step in ("我的台账", f"#{ww.entry.id}"):
            await lead.say(step)
        await lead.press("✏️ 修改")
        await lead.press("✏️ 修改")
        await lead.press("地点")
        await lead.say("三号车间")
        await lead.press("提交")
        await decide(2, "reject", "地点与签到表不符")

        studio_page = html.unescape((await http.get(f"/web/studios/{ww.world.studio.id}")).text)
        entry_page = html.unescape((await http.get(f"/web/entries/{ww.entry.id}")).text)
        assert "已通过（修改未通过）" in studio_page and "已通过（修改未通过）" in entry_page
