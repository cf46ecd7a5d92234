"""POST /telegram over real HTTP: the secret header, malformed bodies, and what a refusal leaves behind."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.channel_services import RuntimeServices
from bot.channels.telegram.application import TelegramConfigError
from bot.channels.telegram.channel import TelegramChannel
from bot.runtime import build_runtime
from handlers.core.i18n import t
from storage.models import SeenDelivery
from tests.support.fake_telegram import FakeTelegram, serving, text_update
from tests.support.telegram_world import STRANGER_TG, WEBHOOK_SECRET, TelegramHarness, telegram_settings, telegram_world
from tests.test_http_app import metric


@pytest.fixture
async def hook(db_url: str, tmp_path: Path) -> AsyncIterator[TelegramHarness]:
    """The channel in webhook mode behind a real uvicorn."""
    async with telegram_world(db_url, tmp_path, "webhook") as harness:
        yield harness


async def seen(harness: TelegramHarness) -> int:
    async with harness.runtime.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(SeenDelivery)) or 0)


async def test_start_sets_the_webhook_with_the_secret_and_only_the_updates_we_serve(hook: TelegramHarness) -> None:
    assert hook.fake.webhook["url"] == "https://bot.example.test/telegram"
    assert hook.fake.webhook["secret_token"] == WEBHOOK_SECRET
    assert hook.fake.webhook["allowed_updates"] == ["message", "callback_query"]
    assert not hook.fake.sent("getUpdates") and not hook.fake.sent("deleteWebhook")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", WEBHOOK_SECRET + "x", WEBHOOK_SECRET[:-1]])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_processed(
    hook: TelegramHarness, secret: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    update = text_update(hook.fake.next_update_id(), STRANGER_TG, "帮助")
    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        response = await hook.post(update, secret=secret)

    assert response.status_code == 403
    assert hook.channel.stats["updates"] == 0 and await seen(hook) == 0
    assert not hook.fake.sent("sendMessage")
    assert "refused (403)" in caplog.text and WEBHOOK_SECRET not in caplog.text
    # the same update, sent properly, is then processed: the refusal did not mark it seen
    await hook.deliver(update)
    assert [m["text"] for m in hook.fake.messages_to(STRANGER_TG)] == [t("engine.unbound", "zh_CN")]


async def test_metrics_count_telegram_updates_by_outcome(hook: TelegramHarness) -> None:
    assert hook.http is not None
    update = text_update(hook.fake.next_update_id(), STRANGER_TG, "帮助")
    await hook.deliver(update)
    assert (await hook.post(update)).status_code == 200  # Telegram retrying the same update
    assert (await hook.post(update, secret="wrong-secret")).status_code == 403
    assert (await hook.post(None, raw=b"{not json")).status_code == 400

    text = (await hook.http.get(f"{hook.base_url}/metrics")).text

    def inbound(outcome: str) -> float:
        return metric(text, "studio_inbound_events_total", channel="telegram", outcome=outcome)

    assert [inbound(o) for o in ("message", "duplicate", "bad_signature", "bad_json")] == [1, 1, 1, 1]
    assert metric(text, "studio_replies_total", channel="telegram", way="api") == 1
    assert metric(text, "studio_inbound_latency_seconds_count", channel="telegram") == 2


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'"text"',
        b'{"message": {"text": "hi"}}',
        b'{"update_id": "7"}',
        b"\xff\xfe",
        b'{"update_id": 1, "message": "x"}',
        b'{"update_id": 1, "callback_query": [1]}',
        b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": "c"}}',
        b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"update_id": 1, "x": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
    ],
)
async def test_a_malformed_body_gets_400_and_changes_nothing(
    hook: TelegramHarness, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = await hook.post(None, raw=body)

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "malformed"}
    assert "refused (400)" in caplog.text and "Traceback" not in caplog.text
    assert hook.channel.stats["updates"] == 0 and await seen(hook) == 0
    assert not hook.fake.sent("sendMessage")


async def test_an_oversized_body_is_refused(hook: TelegramHarness) -> None:
    response = await hook.post(None, raw=b'{"update_id": 1, "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}')

    assert response.status_code == 413
    assert hook.channel.stats["updates"] == 0


async def test_only_post_is_accepted(hook: TelegramHarness) -> None:
    assert hook.http is not None
    response = await hook.http.get(f"{hook.base_url}/telegram")
    assert response.status_code == 405


async def test_the_route_answers_503_while_the_channel_is_stopped(hook: TelegramHarness) -> None:
    await hook.channel.stop()
    response = await hook.post(text_update(hook.fake.next_update_id(), STRANGER_TG, "帮助"))
    assert response.status_code == 503  # Telegram delivers it again later: nothing is lost
    assert hook.channel.stats["updates"] == 0


async def test_webhook_mode_needs_a_usable_secret(db_url: str, tmp_path: Path) -> None:
    fake = FakeTelegram()
    for secret in (None, "has space", "x" * 257, "ünïcode"):
        settings = telegram_settings(db_url, fake, tmp_path, webhook=True).model_copy(
            update={"telegram_webhook_secret": None if secret is None else SecretStr(secret)}
        )
        runtime = build_runtime(settings)
        try:
            with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
                TelegramChannel(RuntimeServices(runtime))
        finally:
            await runtime.close()


async def test_a_polling_channel_does_not_take_webhook_posts(db_url: str, tmp_path: Path) -> None:
    async with (
        telegram_world(db_url, tmp_path, "polling") as polling,
        serving(Starlette(routes=polling.channel.routes())) as base,
        httpx.AsyncClient() as http,
    ):
        update = text_update(polling.fake.next_update_id(), STRANGER_TG, "帮助")
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        response = await http.post(f"{base}/telegram", json=update, headers=headers)
    assert response.status_code == 404
    assert polling.channel.stats["updates"] == 0
