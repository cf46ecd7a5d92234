"""A real `studio-bot serve` with both WeChat channels on the fake platform API, for the fault scenarios.

The fake (tests/support/fake_wechat.py) runs on the test's own loop: the server in its own process reaches it
while the test awaits, and `FakeWeChat.hold` keeps a send from being taken until the test lets it go (or kills).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.models import ChannelIdentity, Person, SeenDelivery
from storage.repos import people
from tests.support.fake_wechat import AGENT_ID, APP_ID, APP_SECRET, CORP_ID, CORP_SECRET, FakeWeChat
from tests.support.serve_process import env_for
from tests.support.wechat_world import OA_TOKEN, WECOM_TOKEN


def wechat_env(db_url: str, fake: FakeWeChat, tmp: Path, *, oa_aes: str, wecom_aes: str) -> dict[str, str]:
    """A server with the Official Account (safe mode) and the WeCom app on the fake, media and exports under `tmp`."""
    return env_for(
        db_url,
        WECHAT_APP_ID=APP_ID,
        WECHAT_APP_SECRET=APP_SECRET,
        WECHAT_TOKEN=OA_TOKEN,
        WECHAT_AES_KEY=oa_aes,
        WECHAT_API_BASE_URL=fake.url,
        WECOM_CORP_ID=CORP_ID,
        WECOM_AGENT_ID=AGENT_ID,
        WECOM_SECRET=CORP_SECRET,
        WECOM_TOKEN=WECOM_TOKEN,
        WECOM_AES_KEY=wecom_aes,
        WECOM_API_BASE_URL=fake.url,
        MEDIA_DIR=str(tmp / "media"),
        EXPORT_DIR=str(tmp / "exports"),
    )


async def bind_also(db_url: str, *, bound: tuple[str, str], channel: str, external_id: str) -> None:
    """Bind the person bound as `bound` (channel, id) on another channel too."""
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            person_id = await s.scalar(
                select(ChannelIdentity.person_id).where(
                    ChannelIdentity.channel == bound[0], ChannelIdentity.external_id == bound[1]
                )
            )
            person = await s.get(Person, person_id)
            assert person is not None, bound
            await people.bind_identity(
                session=s, person=person, channel=channel, external_id=external_id, chat_id=external_id, now=utcnow()
            )
    finally:
        await engine.dispose()


async def as_if_long_ago(db_url: str, *, seconds: float) -> int:
    """Date every delivery still owed `seconds` earlier, as if that long had passed since its turn; how many."""
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as s, s.begin():
            owed = (await s.execute(select(SeenDelivery.id, SeenDelivery.seen_at).where(SeenDelivery.owed))).all()
            for row_id, seen_at in owed:  # in Python: SQLite keeps datetimes as text
                earlier = seen_at - timedelta(seconds=seconds)
                await s.execute(update(SeenDelivery).where(SeenDelivery.id == row_id).values(seen_at=earlier))
            return len(owed)
    finally:
        await engine.dispose()
