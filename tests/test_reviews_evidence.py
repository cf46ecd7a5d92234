"""Reviewers see the evidence: the card lists the entry's files (with the words sent with them) and 查看附件 sends
them — as files where the channel carries files, as signed links on the WeChat Official Account — and the web
console's pending page links them."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.types import Capabilities, Documents
from tests.reviews_support import Cast, Party, World, at, make_cast
from tests.support import Transcript, make_bot
from tests.web_support import signed_in, web_world

START = at("2026-03-10 10:00")
PDF = b"%PDF-1.7 plan"


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> Cast:
    return await make_cast(
        World(
            sessions,
            START,
            export_dir=tmp_path / "exports",
            public_base_url="https://bot.example.cn",
        )
    )


async def _log_with_files(lead: Party, tmp: Path) -> None:
    """An activity with a captioned photo and a drawing, submitted through the real conversation."""
    for text in (
        "记录活动",
        "今天",
        "技术交流",
        "数控车床刀具寿命攻关讨论",
        "跳过",
        lead.name,
        "2",
        "分析刀具磨损数据",
        "跳过",
    ):
        await lead.say(text)
    await lead.send_file(tmp, "site.jpg", caption="车间现场")
    await lead.send_file(tmp, "图纸.pdf", PDF)
    await lead.say("完成")
    await lead.say("提交")
    lead.expect("已提交")


async def test_the_card_lists_the_files_and_the_button_sends_them(cast: Cast, tmp_path: Path) -> None:
    await _log_with_files(cast.lead, tmp_path)
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    assert "📎 附件（2）：site.jpg（车间现场）、图纸.pdf" in card.text
    assert [b.label for b in card.all_buttons()] == ["✅ 通过", "↩️ 退回", "❌ 驳回", "📎 查看附件（2）"]

    [sent] = await cast.reviewer.press_in("查看附件", card)
    assert sent.text == "「数控车床刀具寿命攻关讨论」的附件，共 2 个："
    assert [(f.filename, f.kind, f.caption) for f in sent.files] == [
        ("site.jpg", "photo", "车间现场"),
        ("图纸.pdf", "document", ""),
    ]
    assert sent.files[1].path.read_bytes() == PDF
    # the card's decision buttons still work after looking
    await cast.reviewer.press_in("通过", card)
    cast.reviewer.expect("✅ 已通过")


async def test_on_the_official_account_the_documents_come_as_signed_links(cast: Cast, tmp_path: Path) -> None:
    await _log_with_files(cast.lead, tmp_path)
    await cast.world.deliver()
    card = cast.reviewer.inbox[-1]
    oa = Transcript(cast.world.bot, cast.reviewer.user, capabilities=Capabilities(documents=Documents.LINKED))
    [sent] = await oa.press_button(next(b for b in card.all_buttons() if "查看附件" in b.label))
    assert "https://bot.example.cn/download/" in sent.text and "图纸.pdf" in sent.text
    assert [f.filename for f in sent.files] == ["site.jpg"]  # photos still travel as photos


async def test_someone_outside_the_studio_cannot_fetch_the_files(cast: Cast, tmp_path: Path) -> None:
    await _log_with_files(cast.lead, tmp_path)
    await cast.world.deliver()
    button = next(b for b in cast.reviewer.inbox[-1].all_buttons() if "查看附件" in b.label)
    [refused] = await cast.outsider.press_button(button)
    assert not refused.files and refused.toast


async def test_the_web_pending_page_links_the_files(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        lead = Transcript(make_bot(ww.sessions), user="lead")
        for text in ("记录活动", "今天", "学习", "读图", "跳过", "李明", "1", "读装配图", "跳过"):
            await lead.say(text)
        media = ww.runtime.settings.media_dir
        media.mkdir(parents=True, exist_ok=True)
        await lead.send_file(media, "site.jpg", caption="车间现场")  # where the adapter keeps what it receives
        await lead.say("完成")
        await lead.say("提交")
        http = await signed_in(ww, "reviewer")
        page = html.unescape((await http.get("/web/pending")).text)
        assert 'href="/web/attachments/1">site.jpg</a> <span class="muted">车间现场</span>' in page
        assert (await http.get("/web/attachments/1")).status_code == 200
