"""`studio-bot serve`: webhooks, Telegram, the outbox sender and the scheduler in one process."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Annotated, Any

import typer

from bot import logsafe
from bot.cli.common import app, fail
from bot.server import ServeError, bind_socket, serve
from bot.settings import load_settings


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop when it is installed (uvicorn[standard] brings it): database round trips wake faster."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option("--host", help="监听地址 / listen address (HTTP_HOST)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="监听端口 / listen port (HTTP_PORT)")] = None,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="不启动提醒调度 / do not run the reminder scheduler")
    ] = False,
) -> None:
    """Serve the HTTP webhooks (/wechat, /wecom, /telegram), /healthz and /metrics; run Telegram and the sender."""
    settings = load_settings()
    logsafe.setup(json_lines=settings.log_format == "json")
    try:
        sock = bind_socket(host or settings.http_host, port if port is not None else settings.http_port)
        run(serve(settings, sock, scheduler=not no_scheduler))
    except ServeError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass
