"""`studio-bot serve`: the channels whose credentials are set, the HTTP app under uvicorn, the sender, the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.health.run import diagnose, log_report
from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.scheduler import Reminders, start_reminders
from bot.settings import Settings
from storage.base import utcnow
from storage.repos import channel_refs

log = logging.getLogger("studio_bot.serve")
SEND_INTERVAL = 30.0  # seconds between outbox passes when nothing wakes the sender
HOUSEKEEPING_INTERVAL = timedelta(hours=1)
PLAIN_MODE = (
    "wechat: plaintext mode (no WECHAT_AES_KEY): a callback's signature does not cover its message, so anyone who "
    "sees one callback URL (a proxy's access log, say) in time can forge messages as any follower; "
    "set WECHAT_AES_KEY to turn on safe mode"
)


class ServeError(Exception):
    """A reason `serve` cannot run, said in one line (the CLI exits with code 2)."""


class Channel(Protocol):
    """What serve needs of a channel: its routes, and start/stop around the server's life."""

    name: str

    def routes(self) -> list[BaseRoute]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound now, so that a taken port is one clear line before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets that say so, and without it every
    # response could wait ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"端口已被占用 / port already in use: {host}:{port}") from None
        raise ServeError(f"无法监听 / cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def build_channels(runtime: Runtime) -> list[Channel]:
    """One adapter per channel whose credentials are set."""
    settings = runtime.settings
    channels: list[Channel] = []
    from bot.channels.wechat.api import ChannelConfigError

    try:
        if settings.wechat_on:
            from bot.channels.wechat import WeChatChannel

            channels.append(WeChatChannel(runtime))
        if settings.wecom_on:
            from bot.channels.wecom import WeComChannel

            channels.append(WeComChannel(runtime))
    except ChannelConfigError as exc:
        raise ServeError(f"配置错误 / configuration error: {exc}") from None
    if settings.telegram_on:
        from bot.channels.telegram import TelegramChannel, TelegramConfigError  # PTB is imported only when on

        try:
            channels.append(TelegramChannel(runtime))
        except TelegramConfigError as exc:
            raise ServeError(str(exc)) from None
    return channels


class Background:
    """The outbox sender loop (or the reminder scheduler, which sends too) and housekeeping."""

    def __init__(self, runtime: Runtime, *, scheduler: bool) -> None:
        self.runtime = runtime
        self.scheduler = scheduler
        self.reminders: Reminders | None = None
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> str:
        """Start sending; say how."""
        runtime = self.runtime
        if self.scheduler:
            self.reminders, runtime.sender = await start_reminders(
                runtime.settings, sessions=runtime.sessions, pushers=runtime.pushers, wakeup=runtime.outbox_wakeup
            )
            self.tasks.append(asyncio.create_task(self._housekeeping(), name="serve.housekeeping"))
            return "scheduler on (reminders and the outbox sender)"
        self.tasks.append(asyncio.create_task(self._send_loop(), name="serve.sender"))
        self.tasks.append(asyncio.create_task(self._housekeeping(), name="serve.housekeeping"))
        return "scheduler off; outbox sender on"

    async def stop(self) -> None:
        """Stop the loops and the scheduler."""
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.reminders is not None:
            await self.reminders.stop()

    async def _send_loop(self) -> None:
        wakeup = self.runtime.outbox_wakeup
        while True:  # a pass at once (what was due while we were down), then on each wake-up or timer
            wakeup.clear()
            try:
                if self.runtime.sender is not None:
                    await self.runtime.sender.run_once()
            except Exception:
                log.exception("outbox pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), SEND_INTERVAL)

    async def _housekeeping(self) -> None:
        while True:
            try:
                async with self.runtime.sessions() as session, session.begin():
                    gone = await channel_refs.purge_expired(session=session, now=utcnow())
                if gone:
                    log.info("forgot %d expired channel refs", gone)
            except Exception:
                log.exception("housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_INTERVAL.total_seconds())


def wechat_safe(settings: Settings) -> bool:
    """Whether the Official Account is in safe mode (WECHAT_AES_KEY set): only signed, encrypted callbacks."""
    return settings.wechat_aes_key is not None and bool(settings.wechat_aes_key.get_secret_value())


def build_app(runtime: Runtime, channels: list[Channel], background: Background, failures: list[str]) -> Starlette:
    """The app, whose lifespan starts the channels and the background work and stops them again."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started: list[Channel] = []
        try:
            for channel in channels:
                await channel.start()
                started.append(channel)
            how = await background.start()
        except Exception as exc:
            failures.append(f"启动失败 / could not start: {type(exc).__name__}: {exc}")
            for channel in reversed(started):
                await channel.stop()
            raise
        on = ", ".join(c.name for c in channels) or "none"
        off = ", ".join(n for n in ("wechat", "wecom", "telegram") if n not in {c.name for c in channels}) or "none"
        log.info("channels on: %s; off (no credentials): %s; %s", on, off, how)
        if any(c.name == "wechat" for c in channels) and not wechat_safe(runtime.settings):
            log.warning(PLAIN_MODE)
        await startup_check(runtime)
        try:
            yield
        finally:
            await background.stop()
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception:
                    log.exception("stopping channel %s failed", channel.name)
            # closed here, before uvicorn re-raises the stopping signal and the loop cancels what is left
            await runtime.close()

    app = create_app(runtime, [r for c in channels for r in c.routes()], lifespan=lifespan)
    for channel in channels:
        bind = getattr(channel, "bind_metrics", None)
        if bind is not None:
            bind(app.state.metrics)
    return app


async def startup_check(runtime: Runtime) -> None:
    """Log what `studio-bot doctor` would find (a WARNING each); a failing check never stops the server."""
    try:
        log_report(await diagnose(runtime.settings, runtime.sessions))
    except Exception:
        log.exception("start-up check failed")


def settle_heap() -> None:
    """Move what start-up built into the collector's permanent generation, before the first request.

    The libraries, the catalogue and the compiled statements (~200,000 objects) live as long as the
    process; left in the oldest generation, every full collection scans them all: 95-115 ms with every
    request waiting (bench/wechat_webhook.py, paced p99 ~100 ms). Frozen, a full collection takes 5-8 ms.
    """
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects", gc.get_freeze_count())


async def serve(settings: Settings, sock: socket.socket, *, scheduler: bool = True) -> None:
    """Run until interrupted; ServeError (one line) if the server cannot start."""
    runtime = build_runtime(settings)
    try:
        channels = build_channels(runtime)
    except ServeError:
        await runtime.close()
        sock.close()
        raise
    failures: list[str] = []
    app = build_app(runtime, channels, Background(runtime, scheduler=scheduler), failures)
    # No access log: a line per request would carry WeChat's query (the sender's openid, signatures) at
    # hundreds a second; /metrics counts requests by channel and outcome, and the channels log failures.
    config = uvicorn.Config(
        app, lifespan="on", log_level="info", access_log=False, timeout_graceful_shutdown=10, server_header=False
    )
    server = uvicorn.Server(config)
    settle_heap()
    try:
        await server.serve(sockets=[sock])
    except SystemExit:
        await runtime.close()
        raise ServeError(failures[0] if failures else "启动失败 / could not start") from None
    finally:
        sock.close()
