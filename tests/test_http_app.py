"""The one HTTP app: /healthz says whether the database answers, /metrics counts what happened, errors stay inside."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.http.app import create_app
from bot.runtime import build_runtime
from bot.settings import Settings
from handlers.core.types import Reply, reply_to_dict
from storage.repos import outbox
from tests.support.fake_telegram import serving
from tests.support.wechat_world import wechat_world


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 if absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_health_and_metrics_after_real_traffic(db_url: str, tmp_path: Path) -> None:
    async with wechat_world(db_url, tmp_path) as world:
        health = await world.http.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
        await world.oa_platform.text("oSOMEONE", "帮助")
        await world.oa_platform.text("oSOMEONE", "帮助", msg_id=42)
        await world.oa_platform.text("oSOMEONE", "帮助", msg_id=42)
        await world.oa_platform.post("<xml><broken")  # signed and encrypted as safe mode sends, broken inside
        await world.wecom_platform.text("someone", "帮助")
        async with world.runtime.sessions() as s, s.begin():
            await outbox.enqueue(
                session=s, key="k1", person_id=world.seeded.lead_id, payload=reply_to_dict(Reply(text="x"))
            )
        response = await world.http.get("/metrics")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="message") == 2
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="duplicate") == 1
        assert metric(text, "studio_inbound_events_total", channel="wechat", outcome="bad_xml") == 1
        assert metric(text, "studio_inbound_events_total", channel="wecom", outcome="message") == 1
        assert metric(text, "studio_replies_total", channel="wechat", way="passive") == 3
        assert metric(text, "studio_inbound_latency_seconds_count", channel="wechat") == 3
        assert metric(text, "studio_outbox_depth", status="pending") == 1
        assert metric(text, "studio_outbox_depth", status="sent") == 0


async def test_health_says_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/nothing",
    )
    runtime = build_runtime(settings)
    try:
        async with serving(create_app(runtime)) as base, httpx.AsyncClient(base_url=base) as http:
            health = await http.get("/healthz")
            assert health.status_code == 503 and health.json()["database"] == "down"
            assert "nobody" not in health.text
            assert (await http.get("/metrics")).status_code == 503
    finally:
        await runtime.close()


async def test_an_unexpected_error_is_500_without_a_traceback(db_url: str, tmp_path: Path) -> None:
    async def boom(request: Request) -> Response:
        raise RuntimeError("secret internals: password=hunter2")

    runtime = build_runtime(Settings(_env_file=None, database_url=db_url))
    try:
        app = create_app(runtime, [Route("/boom", boom)])
        async with serving(app) as base, httpx.AsyncClient(base_url=base) as http:
            response = await http.get("/boom")
            assert response.status_code == 500
            assert "Traceback" not in response.text and "hunter2" not in response.text
            assert (await http.get("/nowhere")).status_code == 404
            assert (await http.get("/download/not-a-signed-link")).status_code == 403  # the export feature's route
            assert "studio_errors_total" in (await http.get("/metrics")).text
    finally:
        await runtime.close()
