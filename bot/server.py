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

import uvicorn
from starlette.applications import Starlette

from bot.channel_services import RuntimeServices
from bot.channels.base import Channel, ChannelConfigError
from bot.channels.registry import CHANNELS
from bot.health.run import diagnose, log_report
from bot.housekeeping import housekeep
from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.scheduler import Reminders, start_reminders
from bot.settings import Settings
from bot.writable import unwritable
from storage.base import utcnow

log = logging.getLogger("studio_bot.serve")
SEND_INTERVAL = 30.0  # seconds between outbox passes when nothing wakes the sender
HOUSEKEEPING_INTERVAL = timedelta(hours=1)


class ServeError(Exception):
    """A reason `serve` cannot run, said in one line (the CLI exits with code 2)."""


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
    """One adapter per registered channel that the settings turn on, in the registry's order."""
    services = RuntimeServices(runtime)
    try:
        return [entry.build(services) for entry in CHANNELS if entry.enabled(runtime.settings)]
    except ChannelConfigError as exc:
        raise ServeError(str(exc)) from None


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
                await housekeep(self.runtime, now=utcnow())
            except Exception:
                log.exception("housekeeping failed")
            await asyncio.sleep(HOUSEKEEPING_INTERVAL.total_seconds())


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
        off = ", ".join(e.name for e in CHANNELS if e.name not in {c.name for c in channels}) or "none"
        log.info("channels on: %s; off (no credentials): %s; %s", on, off, how)
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

    The libraries, the catalogue and the compiled statements live as long as the process; left in the
    oldest generation, every full collection scans them all with every request waiting, which set the
    paced p99 of bench/wechat_webhook.py (figures: bench/README.md).
    """
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects", gc.get_freeze_count())


async def serve(settings: Settings, sock: socket.socket, *, scheduler: bool = True) -> None:
    """Run until interrupted; ServeError (one line) if the server cannot start."""
    runtime = build_runtime(settings)
    try:
        if problem := await unwritable(settings, runtime.engine):
            raise ServeError(problem)
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
