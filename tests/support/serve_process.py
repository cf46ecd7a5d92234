"""`studio-bot serve` as a real process: started, killed with SIGKILL, started again; Telegram resending updates.

The fault tests and `tests/test_http_serve.py` run the server exactly as an operator does. The fake Bot API runs
on its own loop in a thread so that a server in another process can reach it while the test reads what it got.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_world import WEBHOOK_SECRET

STUDIO_BOT = str(Path(sys.executable).with_name("studio-bot"))
FULL = os.environ.get("FAULTS_FULL", "") not in ("", "0")  # `make faults`: the long versions


def once_per_run() -> None:
    """Skip in `make test`'s PostgreSQL pass a scenario that ran in the SQLite pass and adds nothing there."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") and not FULL:
        pytest.skip("run once per `make test`, in the SQLite pass (`make faults` runs it on PostgreSQL too)")


def scale(bounded: int, full: int) -> int:
    """A fault scenario's size: bounded in `make test`, full in `make faults`."""
    return full if FULL else bounded


def env_for(db_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process: the test's database, no developer .env, channels as given."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "DATABASE_URL": db_url, "ENVIRONMENT": "development", **extra}


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedFakeTelegram:
    """The fake Bot API on its own loop in a thread, so that a server in another process can reach it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.fake = FakeTelegram()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self.loop).result(10)

    def texts_to(self, chat_id: int | str) -> list[str]:
        """The texts the bot sent to a chat, oldest first (read on the fake's own loop)."""

        async def read() -> list[str]:
            return [str(m.get("text", "")) for m in self.fake.messages_to(chat_id)]

        return asyncio.run_coroutine_threadsafe(read(), self.loop).result(10)

    def all_texts(self) -> list[str]:
        """The texts of every message the bot sent, to anyone."""

        async def read() -> list[str]:
            return [str(m.get("text", "")) for m in self.fake.messages.values()]

        return asyncio.run_coroutine_threadsafe(read(), self.loop).result(10)

    def stop(self) -> None:
        """Stop the fake and its thread."""
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def telegram_env(db_url: str, telegram: ThreadedFakeTelegram, tmp: Path, **extra: str) -> dict[str, str]:
    """A server with Telegram in webhook mode on the fake, media and exports under `tmp`."""
    return env_for(
        db_url,
        TELEGRAM_BOT_TOKEN=telegram.fake.token,
        TELEGRAM_API_BASE_URL=telegram.fake.url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.cn/telegram",
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        MEDIA_DIR=str(tmp / "media"),
        EXPORT_DIR=str(tmp / "exports"),
        **extra,
    )


class ServeProcess:
    """One `studio-bot serve` process on a fixed port; its log is kept in a file across restarts."""

    def __init__(self, env: dict[str, str], cwd: Path, *, port: int | None = None, scheduler: bool = True) -> None:
        self.env, self.cwd, self.port, self.scheduler = env, cwd, port or free_port(), scheduler
        self.log_path = cwd / f"serve-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, within: float = 90.0) -> None:
        """Start the process and wait until /healthz answers 200."""
        args = [STUDIO_BOT, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        args += [] if self.scheduler else ["--no-scheduler"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(args, env=self.env, cwd=self.cwd, stdout=log, stderr=log)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                # and it is this process that answers: a port taken meanwhile (another test run) makes it exit
                started = f"Started server process [{self.process.pid}]" in self.log()
                if started and httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer /healthz within {within} s:\n{self.log()}")

    def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, whatever was under way."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.kills += 1

    def stop(self) -> int | None:
        """Stop it as an operator does (SIGINT), if it runs; its exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(30)

    def log(self) -> str:
        """Everything the process (and those before it on this port) logged."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


async def post_until_taken(
    http: httpx.AsyncClient, base: str, update: dict[str, Any], *, within: float = 120.0
) -> tuple[int, int]:
    """POST an update to /telegram as Telegram does: again (same update_id) until it is answered 200.

    Returns (tries, refusals): how many POSTs it took, and how many were answered with a 5xx.
    """
    tries = refusals = 0
    deadline = time.monotonic() + within
    while True:
        tries += 1
        try:
            response = await http.post(
                f"{base}/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            )
            if response.status_code == 200:
                return tries, refusals
            assert response.status_code >= 500, f"update {update['update_id']}: {response.status_code} {response.text}"
            refusals += 1
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"update {update['update_id']} not taken within {within} s")
        await asyncio.sleep(0.2)
