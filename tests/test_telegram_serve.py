"""`studio-bot serve` with TELEGRAM_BOT_TOKEN set: the channel starts in the app's lifespan, polling or webhook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.runtime import build_runtime
from bot.server import Background, ServeError, build_app, build_channels
from bot.settings import Settings
from handlers.core.i18n import t
from handlers.core.types import Button, Reply, reply_to_dict
from storage.models import OutboxMessage, OutboxStatus
from storage.repos import outbox
from tests.support.fake_telegram import FakeTelegram, button_labels, serving, until
from tests.support.telegram_world import (
    LEAD_TG,
    REVIEWER_TG,
    WEBHOOK_SECRET,
    TelegramHarness,
    seed,
    telegram_settings,
)
from tests.test_http_app import metric


@asynccontextmanager
async def served(settings: Settings, fake: FakeTelegram, mode: str) -> AsyncIterator[TelegramHarness]:
    """What `serve` runs (channels, the sender loop, the one app) under uvicorn with its lifespan."""
    runtime = build_runtime(settings)
    try:
        channels = build_channels(runtime)
        assert [c.name for c in channels] == ["telegram"]
        app = build_app(runtime, channels, Background(runtime, scheduler=False), [])
        async with serving(app, lifespan=True) as base, httpx.AsyncClient(timeout=30) as http:
            harness = TelegramHarness(fake, channels[0], runtime, mode)  # type: ignore[arg-type]
            if mode == "webhook":
                harness.http, harness.base_url = http, base
            yield harness
    finally:
        await runtime.close()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_serve_runs_telegram_and_its_notices_go_out_on_their_own(db_url: str, tmp_path: Path, mode: str) -> None:
    fake = FakeTelegram()
    await fake.start()
    try:
        settings = telegram_settings(db_url, fake, tmp_path / "media", webhook=mode == "webhook")
        async with served(settings, fake, mode) as tg:
            assert tg.channel.running
            if mode == "webhook":
                assert fake.webhook["secret_token"] == WEBHOOK_SECRET and not fake.sent("getUpdates")
            seeded = await seed(tg.runtime.sessions)
            await tg.say(REVIEWER_TG, f"/start {seeded.reviewer_code}")
            await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
            await tg.log_activity(LEAD_TG, "刀具寿命攻关")

            # nobody calls the sender here: serve's loop is woken by the turn that queued the notice
            approve = t("reviews.button.approve", "zh_CN")
            await until(
                lambda: any(approve in button_labels(m) for m in fake.messages_to(REVIEWER_TG)),
                what="the review notice",
            )
        assert not tg.channel.running  # stopped with the app
    finally:
        await fake.stop()


async def recorded_sent(tg: TelegramHarness, key: str, within: float = 15.0) -> None:
    """Wait until the sender has recorded the outbox row under `key` as sent."""
    status = None
    for _ in range(int(within / 0.02)):
        async with tg.runtime.sessions() as s:
            status = await s.scalar(select(OutboxMessage.status).where(OutboxMessage.idempotency_key == key))
        if status is OutboxStatus.SENT:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"outbox row {key} not recorded as sent (status {status})")


async def test_a_notice_pushed_to_a_telegram_user_is_counted_in_metrics(db_url: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    try:
        settings = telegram_settings(db_url, fake, tmp_path / "media", webhook=True)
        async with served(settings, fake, "webhook") as tg:
            assert tg.http is not None
            seeded = await seed(tg.runtime.sessions)
            await tg.say(LEAD_TG, f"/start {seeded.lead_code}")
            notice = Reply(text="您提交的活动已通过审核", buttons=((Button("查看", "go:ledger~abcdefghij"),),))
            async with tg.runtime.sessions() as s, s.begin():
                await outbox.enqueue(
                    session=s, key="decided:1:1", person_id=seeded.lead_id, payload=reply_to_dict(notice)
                )
            tg.runtime.outbox_wakeup.set()
            await until(lambda: any(m.get("text") == notice.text for m in fake.messages_to(LEAD_TG)), what="the notice")
            await recorded_sent(tg, "decided:1:1")  # the push has returned, and been counted, by then

            text = (await tg.http.get(f"{tg.base_url}/metrics")).text

        assert metric(text, "studio_replies_total", channel="telegram", way="push") == 1
        assert metric(text, "studio_replies_total", channel="telegram", way="api") == 1  # the answer to /start
    finally:
        await fake.stop()


async def test_serve_refuses_webhook_mode_without_a_secret(db_url: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    settings = telegram_settings(db_url, fake, tmp_path, webhook=True).model_copy(
        update={"telegram_webhook_secret": None}
    )
    runtime = build_runtime(settings)
    try:
        with pytest.raises(ServeError, match="TELEGRAM_WEBHOOK_SECRET"):
            build_channels(runtime)
    finally:
        await runtime.close()
