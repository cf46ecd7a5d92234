"""Channel refs (menu ids, cards) stored in batches: every ref readable afterwards, none overwritten."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.base import utcnow
from storage.repos import channel_refs


async def test_a_batch_of_refs_is_stored_at_once_and_keeps_the_ones_already_there(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        await channel_refs.claim(
            session=session, channel="wechat", kind="menu", key="7", value={"payload": "first"}, now=now
        )
    batch: dict[str, tuple[dict[str, Any], datetime | None]] = {
        str(n): ({"payload": f"p{n}"}, now + timedelta(days=2)) for n in range(1, 301)
    }
    async with sessions() as session, session.begin():
        await channel_refs.claim_all(session=session, channel="wechat", kind="menu", refs=batch, now=now)
        await channel_refs.claim_all(session=session, channel="wechat", kind="menu", refs={}, now=now)
    async with sessions() as session:
        found = {
            key: await channel_refs.get(session=session, channel="wechat", kind="menu", key=key, now=now)
            for key in ("1", "7", "300", "301")
        }
        later = await channel_refs.get(
            session=session, channel="wechat", kind="menu", key="1", now=now + timedelta(days=3)
        )
    assert found == {"1": {"payload": "p1"}, "7": {"payload": "first"}, "300": {"payload": "p300"}, "301": None}
    assert later is None  # expired refs are not handed out
