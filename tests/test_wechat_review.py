"""A reviewer approves from an OA msgmenu: pushed by the outbox sender, clicked (bizmsgmenuid), decided once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage.models import EntryStatus, LedgerEntry, ReviewDecision
from tests.support.wechat_world import submit_activity, wechat_world
from tests.test_wechat_oa import last_menu

REVIEWER = "oREVIEWER-openid-0002"


async def test_a_reviewer_approves_from_a_msgmenu(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        bound = await world.oa_platform.text(REVIEWER, f"绑定 {world.seeded.reviewer_code}")
        assert "陈审核" in bound.text
        entry_id = await submit_activity(world)
        assert world.runtime.sender is not None
        assert await world.runtime.sender.run_once() == 1
        menu = last_menu(world, REVIEWER)
        assert "主轴振动攻关" in menu["head_content"]
        approve = next(i for i in menu["list"] if "通过" in i["content"])
        decided = await world.oa_platform.text(REVIEWER, approve["content"], bizmsgmenuid=approve["id"])
        await world.settle()
        assert decided.status == 200
        assert decided.text == ""  # the outcome has a button (待审), so it went as a msgmenu
        assert last_menu(world, REVIEWER)["head_content"].startswith("✅ 已通过")
        again = await world.oa_platform.text(REVIEWER, approve["content"], bizmsgmenuid=approve["id"])
        await world.settle()
        assert again.status == 200
        async with world.runtime.sessions() as s:
            entry = await s.get(LedgerEntry, entry_id)
            assert entry is not None and entry.status is EntryStatus.APPROVED
            assert await s.scalar(select(func.count()).select_from(ReviewDecision)) == 1
