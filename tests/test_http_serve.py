"""`studio-bot serve` as an operator runs it: channels on by credentials, health answers, a taken port is one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.wechat_world import OA_TOKEN, _sign, _stamp, aes_key

STUDIO_BOT = str(Path(sys.executable).with_name("studio-bot"))


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process: the test's database, no developer .env, channels as given."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "DATABASE_URL": db_url, "ENVIRONMENT": "development", **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def listening() -> Iterator[int]:
    """A port somebody else is already listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield int(s.getsockname()[1])


def test_a_taken_port_is_one_clear_line_and_exit_code_2(db_url: str, tmp_path: Path, listening: int) -> None:
    result = subprocess.run(
        [STUDIO_BOT, "serve", "--port", str(listening), "--no-scheduler"],
        env=env_for(db_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
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
    server = subprocess.Popen(args, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
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
        _, stderr = server.communicate(timeout=30)
    assert server.returncode in (0, -signal.SIGINT, 130), stderr
    assert "channels on: wechat; off (no credentials): wecom, telegram" in stderr
    assert ("scheduler on" in stderr) is scheduler
    assert "oa-secret" not in stderr and "Traceback" not in stderr
