"""kill -9 of a real `studio-bot serve` after a WeChat or WeCom turn committed and answered, before the messages it
sends after its answer went out: the person's next message brings them first, and nothing comes twice.

The fake platform API holds those sends (not taken) until the process is dead, so the kill lands in that window
every time; the passive answers themselves are WeChat's to ask for again, and are not what this is about.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from storage.database import create_engine, session_factory
from storage.models import SeenDelivery
from tests.support.fake_telegram import until
from tests.support.fake_wechat import FakeWeChat
from tests.support.faults import Figures, seed_leads
from tests.support.serve_process import ServeProcess, once_per_run
from tests.support.wechat_world import OAPlatform, WeComPlatform, aes_key
from tests.support.wx_serve import as_if_long_ago, bind_also, wechat_env

LEAD, CONTROL, MEMBER_OF = 7001, 7002, 7003  # OA followers; the third lead is also a WeCom member
MEMBER = "m7003"
OWED_AFTER = 31  # REPLY_OWED_AFTER_SECONDS (30 s by default): an owed reply younger than that may still be on its way


def menus(fake: FakeWeChat, openid: int, words: str) -> list[int]:
    """Where, among this follower's customer-service messages, those whose text has `words` came."""
    sent = fake.sent("message/custom/send", touser=str(openid))
    texts = [c.body["msgmenu"]["head_content"] if c.body["msgtype"] == "msgmenu" else str(c.body) for c in sent]
    return [n for n, text in enumerate(texts) if words in text]


def said_to(fake: FakeWeChat, member: str, words: str) -> list[int]:
    """Where, among what the WeCom app sent this member (texts, cards), those with `words` came."""
    said = [str(c.body.get("text") or c.body.get("template_card")) for c in fake.sent("message/send", touser=member)]
    return [n for n, text in enumerate(said) if words in text]


async def until_marked(db_url: str, openid: int) -> None:
    """Wait until nothing this follower was sent is owed any more (the marking written)."""
    engine = create_engine(db_url)
    try:
        for _ in range(300):
            async with session_factory(engine)() as s:
                query = select(SeenDelivery.id).where(SeenDelivery.user_id == str(openid), SeenDelivery.owed)
                if not (await s.execute(query)).first():
                    return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{openid}'s follow-ups never marked sent")
    finally:
        await engine.dispose()


@pytest.mark.timeout(300)
async def test_kill_9_before_the_follow_ups_went_out_loses_none(db_url: str, tmp_path: Path) -> None:
    once_per_run()  # PostgreSQL's way of recording them is tests/test_wechat_owed.py's; `make faults` runs both
    fake = FakeWeChat()
    await fake.start()
    oa_aes, wecom_aes = aes_key(), aes_key()
    await seed_leads(db_url, [LEAD, CONTROL, MEMBER_OF], channel="wechat", reviewer=True)
    await bind_also(db_url, bound=("wechat", str(MEMBER_OF)), channel="wecom", external_id=MEMBER)
    env = wechat_env(db_url, fake, tmp_path, oa_aes=oa_aes, wecom_aes=wecom_aes)
    server = ServeProcess(env, tmp_path, scheduler=False)
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            oa, wecom = OAPlatform(http, aes=oa_aes), WeComPlatform(http, aes=wecom_aes)
            for lead in (LEAD, CONTROL):  # the first msgmenu is awaited in the request; the API works here
                assert (await oa.text(str(lead), "记录活动")).status == 200
            assert (await oa.text(str(CONTROL), "今天")).text == ""  # its question goes after the answer
            await until(lambda: bool(menus(fake, CONTROL, "活动类别是")), within=30, what="the control's question")
            # marked sent with the others sent within MARK_LINGER: a kill before that would bring it again
            await until_marked(db_url, CONTROL)

            fake.hold("message/custom/send", touser=str(LEAD))
            fake.hold("message/send", touser=MEMBER)
            oa_answer, wecom_answer = await asyncio.gather(
                oa.text(str(LEAD), "今天"), wecom.text(MEMBER, "记录活动")
            )  # both committed and answered with nothing: their questions go by the API after the answer
            assert (oa_answer.status, oa_answer.text, wecom_answer.status) == (200, "", 200)
            await until(lambda: fake.holding == 2, within=30, what="both questions on their way")
            await asyncio.to_thread(server.kill)
            fake.release(deliver=False)  # never taken: those sends died with the process
            await asyncio.to_thread(server.start)

            await as_if_long_ago(db_url, seconds=OWED_AFTER)  # as if that long had passed since the kill
            for lead in (LEAD, CONTROL):
                assert (await oa.text(str(lead), "技术交流")).status == 200
            assert (await wecom.text(MEMBER, "今天")).status == 200

            def arrived() -> bool:
                return all(
                    (menus(fake, LEAD, "活动主题是"), menus(fake, CONTROL, "活动主题是"), said_to(fake, MEMBER, "类别"))
                )

            await until(arrived, within=60, what="the answers to the next messages")
            await asyncio.sleep(1)  # anything sent twice would be out by now
    finally:
        await asyncio.to_thread(server.stop)
        await fake.stop()

    # the question each person never saw, once, before the answer to what they typed next; the control's once
    seen = {
        "oa": (menus(fake, LEAD, "活动类别是"), menus(fake, LEAD, "活动主题是")),
        "wecom": (said_to(fake, MEMBER, "开始记录活动"), said_to(fake, MEMBER, "类别")),
        "control": (menus(fake, CONTROL, "活动类别是"), menus(fake, CONTROL, "活动主题是")),
    }
    figures = Figures(tried=len(seen), crashed=server.log().count("Traceback"))
    figures.lost = sum(not owed or not then or owed[0] > then[0] for owed, then in seen.values())
    figures.duplicated = sum(max(len(owed) - 1, 0) + max(len(then) - 1, 0) for owed, then in seen.values())
    print(figures.line("kill -9 between a WeChat/WeCom turn and its follow-ups"))
    assert (figures.lost, figures.duplicated, figures.crashed) == (0, 0, 0), seen
