"""`studio-bot serve` as an operator runs it: channels on by credentials, health answers, a taken port is one line."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from handlers.core.types import Reply, reply_to_dict
from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.repos import outbox, people, persons
from tests.support.serve_process import STUDIO_BOT, ThreadedFakeTelegram, env_for, free_port
from tests.support.wechat_world import OA_TOKEN, _sign, _stamp, aes_key


@pytest.fixture
def listening() -> Iterator[int]:
    """A port somebody else is already listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield int(s.getsockname()[1])


def refused_start(env: dict[str, str], cwd: Path, port: int | None = None) -> subprocess.CompletedProcess[str]:
    """`serve` run until it refuses to start (exit code 2), with what it printed."""
    result = subprocess.run(
        [STUDIO_BOT, "serve", "--port", str(port or free_port()), "--no-scheduler"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    return result


def test_a_taken_port_is_one_clear_line_and_exit_code_2(db_url: str, tmp_path: Path, listening: int) -> None:
    result = refused_start(env_for(db_url), tmp_path, listening)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "port already in use" in lines[0] and str(listening) in lines[0]


@pytest.mark.parametrize("scheduler", [False, True], ids=["no-scheduler", "scheduler"])
def test_serve_turns_on_the_channels_with_credentials_and_stops_cleanly(
    db_url: str, tmp_path: Path, scheduler: bool
) -> None:
    port = free_port()
    env = env_for(
        db_url,
        WECHAT_APP_ID="wx1234567890abcdef",
        WECHAT_APP_SECRET="oa-secret",
        WECHAT_TOKEN=OA_TOKEN,
        WECHAT_AES_KEY=aes_key(),
        MEDIA_DIR=str(tmp_path / "media"),
    )
    args = [STUDIO_BOT, "serve", "--host", "127.0.0.1", "--port", str(port)] + ([] if scheduler else ["--no-scheduler"])
    server = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health.status_code == 200
        timestamp, nonce = _stamp()
        verify = httpx.get(
            f"http://127.0.0.1:{port}/wechat",
            params={
                "signature": _sign(OA_TOKEN, timestamp, nonce),
                "timestamp": timestamp,
                "nonce": nonce,
                "echostr": "e1",
            },
        )
        assert verify.text == "e1"
        assert httpx.get(f"http://127.0.0.1:{port}/wecom").status_code == 404  # no WeCom credentials: off
        assert "studio_inbound_events_total" in httpx.get(f"http://127.0.0.1:{port}/metrics").text
    finally:
        server.send_signal(signal.SIGINT)
        stdout, stderr = server.communicate(timeout=30)
    assert server.returncode in (0, -signal.SIGINT, 130), stderr
    assert "channels on: wechat; off (no credentials): wecom, telegram" in stderr
    assert "start-up heap frozen" in stderr  # full collections do not stall requests on the start-up heap
    assert ("scheduler on" in stderr) is scheduler
    assert "oa-secret" not in stderr and "Traceback" not in stderr
    assert nonce not in stdout + stderr  # no access log: WeChat's query (openid, signatures) stays out of the log


def test_a_malformed_aes_key_is_one_clear_line(db_url: str, tmp_path: Path) -> None:
    env = env_for(db_url, WECOM_CORP_ID="ww1", WECOM_SECRET="s" * 10, WECOM_TOKEN="t" * 10, WECOM_AES_KEY="too-short")
    result = refused_start(env, tmp_path)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "WECOM_AES_KEY" in lines[0] and "too-short" not in lines[0]


def test_serve_runs_telegram_and_sends_the_outbox(db_url: str, tmp_path: Path) -> None:
    async def seed_notice() -> None:
        engine = create_engine(db_url)
        try:
            async with session_factory(engine)() as s, s.begin():
                person = await persons.create_person(session=s, name="陈审核")
                await people.bind_identity(
                    session=s, person=person, channel="telegram", external_id="4242", chat_id="4242", now=utcnow()
                )
                reply = Reply(text="有 1 条待审核的活动记录")
                await outbox.enqueue(session=s, key="notice:serve", person_id=person.id, payload=reply_to_dict(reply))
        finally:
            await engine.dispose()

    asyncio.run(seed_notice())
    telegram = ThreadedFakeTelegram()
    port = free_port()
    env = env_for(
        db_url,
        TELEGRAM_BOT_TOKEN=telegram.fake.token,
        TELEGRAM_API_BASE_URL=telegram.fake.url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.cn/telegram",
        TELEGRAM_WEBHOOK_SECRET="serve-test-secret_0123",
    )
    server = subprocess.Popen(
        [STUDIO_BOT, "serve", "--port", str(port), "--no-scheduler"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not telegram.fake.sent("sendMessage", chat_id="4242"):
            time.sleep(0.1)
        [sent] = telegram.fake.sent("sendMessage", chat_id="4242")
        assert sent.params["text"] == "有 1 条待审核的活动记录"
        assert telegram.fake.webhook.get("url") == "https://bot.example.cn/telegram"
        refused = httpx.post(f"http://127.0.0.1:{port}/telegram", json={"update_id": 1})
        assert refused.status_code == 403
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
        telegram.stop()
    assert "channels on: telegram; off (no credentials): wechat, wecom" in stderr
    assert telegram.fake.token not in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("folder", ["MEDIA_DIR", "EXPORT_DIR"])
def test_serve_refuses_to_start_with_a_folder_it_cannot_write(db_url: str, tmp_path: Path, folder: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = env_for(db_url, **{folder: str(tmp_path / "a-file" / "inside")})
    result = refused_start(env, tmp_path)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{folder} is not writable" in lines[0], result.stderr


def test_serve_refuses_to_start_on_a_database_it_cannot_write(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("a read-only file is SQLite's case; PostgreSQL's read-only sessions are tested on /healthz")
    read_only = f"sqlite+aiosqlite:///file:{db_url.split(':///', 1)[1]}?mode=ro&uri=true"
    result = refused_start(env_for(read_only), tmp_path)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "database cannot be written" in lines[0], result.stderr
