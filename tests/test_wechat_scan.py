"""QR code scans on the Official Account: only a scene shaped like a binding code is tried, and never counted."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from storage.models import BindAttempt, ChannelIdentity
from tests.support.wechat_world import wechat_world

FOLLOWER = "oFOLLOWER-0001"


async def test_marketing_qr_codes_are_not_failed_bindings(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        oa = world.oa_platform
        now = int(time.time())
        for n, scene in enumerate(["qrscene_promo-2026", "qrscene_store42", "qrscene_123", "qrscene_"]):
            answer = await oa.event(FOLLOWER, "subscribe", scene, at=now + n)  # marketing codes: a welcome
            assert answer.status == 200 and "绑定码无效" not in answer.text and "还没有绑定身份" in answer.text
        for n, key in enumerate(["ABCDEFGHJK", "ZZZZZZZZZZ", "qrscene_WRONG23456", "ABCDE-FGHJK", "QWERTYUPAS"]):
            scan = "SCAN" if n % 2 else "subscribe"  # shaped like a binding code: tried, yet never counted
            answer = await oa.event(FOLLOWER, scan, key, at=now + 10 + n)
            assert answer.status == 200 and "尝试次数过多" not in answer.text
        async with world.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(BindAttempt)) == 0
        bound = await oa.text(FOLLOWER, f"绑定 {world.seeded.lead_code}")  # after eight scans, not locked out
        assert "王建国" in bound.text
        async with world.runtime.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(ChannelIdentity)) == 1


async def test_a_scanned_binding_code_still_binds(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        answer = await world.oa_platform.event(FOLLOWER, "SCAN", world.seeded.lead_code, at=int(time.time()))
        assert "王建国" in answer.text
