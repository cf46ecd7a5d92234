"""Logs people can use: one line per turn without personal data, JSON lines still masked, /metrics for this machine."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import logsafe
from bot.http.app import create_app
from bot.runtime import build_runtime
from bot.settings import Settings
from handlers.engine.pipeline import Bot
from tests.support import Transcript, World, add_identity
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401

OPENID = "oXyZ_lead-openid-7731"
STRANGER = "oStranger-openid-4410"


async def test_each_turn_is_one_line_without_the_senders_id_name_or_text(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    await add_identity(sessions, world.lead, OPENID)
    with caplog.at_level(logging.INFO):
        lead = Transcript(bot, OPENID)
        await lead.say("记录活动")
        await lead.say("2026-03-05")
        await Transcript(bot, STRANGER).say("我叫钱秘密，手机 13912345678")
    turns = [r.getMessage() for r in caplog.records if r.name == "studio_bot.turn"]
    assert len(turns) == 3, turns
    assert all(t.startswith("turn channel=test sender=") and "outcome=ok" in t for t in turns)
    assert "flow=activity" in turns[1] and "flow=-" in turns[0]
    digests = [t.split("sender=")[1].split()[0] for t in turns]
    assert digests[0] == digests[1] != digests[2]  # one sender followed, another told apart
    for personal in (OPENID, STRANGER, world.lead.name, "钱秘密", "13912345678", "2026-03-05", "记录活动"):
        assert personal not in caplog.text


def test_json_lines_are_one_object_each_and_still_masked() -> None:
    secret = "tg-token:very/secret+value="
    logsafe.install(secret)
    root, stream = logging.getLogger(), io.StringIO()
    saved = (root.level, list(root.handlers), logging.getLogger("httpx").level)
    root.handlers[:] = []
    try:
        logsafe.setup(logging.INFO, stream, json_lines=True)
        log = logging.getLogger("studio_bot.test")
        log.info("calling https://api.example/bot%s/getMe", secret)
        try:
            raise RuntimeError(f"refused {secret}")
        except RuntimeError:
            log.exception("it failed")
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        logging.getLogger("httpx").setLevel(saved[2])
    objects = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [o for o in objects if o["logger"] == "studio_bot.test"]
    assert [o["level"] for o in mine] == ["INFO", "ERROR"]
    assert logsafe.MASK in mine[0]["message"] and "RuntimeError" in mine[1]["exception"]
    assert secret not in stream.getvalue() and "very/secret" not in stream.getvalue()


@pytest.mark.parametrize(
    ("public", "peer", "headers", "status"),
    [
        (False, "127.0.0.1", {}, 200),
        (False, "203.0.113.9", {}, 403),
        (False, "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 403),  # through a proxy on this machine
        (True, "203.0.113.9", {}, 200),
    ],
)
async def test_metrics_answer_this_machine_unless_made_public(
    db_url: str, tmp_path: Path, public: bool, peer: str, headers: dict[str, str], status: int
) -> None:
    runtime = build_runtime(Settings(_env_file=None, database_url=db_url, metrics_public=public))
    try:
        transport = httpx.ASGITransport(app=create_app(runtime), client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
            response = await http.get("/metrics", headers=headers)
            assert response.status_code == status
            assert ("studio_outbox_depth" in response.text) is (status == 200)
            assert (await http.get("/healthz")).status_code == 200  # health stays open to the load balancer
    finally:
        await runtime.close()
