"""The peer of bench/wechat_webhook.py: WeRoBot 1.13 answering the same encrypted callbacks, in its own process.

WeRoBot is a WSGI app (bottle); here it runs under the same uvicorn on uvloop as the project's server (through
uvicorn's WSGI middleware with one worker thread: one request at a time, as under gunicorn's sync worker, which its
SQLite session needs), so the two differ in the bot, not in the HTTP stack. Every text gets a passive text answer.
BENCH_PEER=werobot keeps WeRoBot's default SQLite session (one row read and written per message: durable state, as
the project's), BENCH_PEER=werobot-memory none.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from werobot import WeRoBot
from werobot.session.sqlitestorage import SQLiteStorage

from bot.cli.serve import run
from tests.support.fake_telegram import _serve
from tests.support.fake_wechat import APP_ID
from tests.support.wechat_world import OA_TOKEN

WELCOME = "您好！您还没有绑定身份。"


def robot(aes: str, session: Path | None) -> WeRoBot:
    """WeRoBot in safe mode with the project's token, app id and AES key; a session file or none."""
    storage: Any = SQLiteStorage(str(session)) if session is not None else False
    bot = WeRoBot(token=OA_TOKEN, app_id=APP_ID, encoding_aes_key=aes, session_storage=storage)
    if session is None:
        bot.config["SESSION_STORAGE"] = False

    @bot.text
    def answer(message: Any, session: Any) -> str:
        if session is not None:
            session["seen"] = session.get("seen", 0) + 1
        return WELCOME if message.source.startswith("oSTRANGER") else f"收到：{message.content}"

    return bot


def serve(aes: str, session: Path | None, ports: Any) -> None:
    """Process target: serve WeRoBot on a free loopback port and put the port on `ports`."""
    logging.basicConfig(level=logging.WARNING)
    from uvicorn.middleware.wsgi import WSGIMiddleware

    async def forever() -> None:
        _server, task, port = await _serve(WSGIMiddleware(robot(aes, session).wsgi, workers=1))
        ports.put(port)
        await task

    run(forever())
