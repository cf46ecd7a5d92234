"""`studio-bot web-link` prints a working sign-in link; `web-logout` ends a person's sessions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.support.transcript import SECRET
from tests.web_support import BASE, browser, open_link, runtime_for, web_world


def invoke(db_url: str, *args: str, base: str = BASE) -> Any:
    env = {"DATABASE_URL": db_url, "ENVIRONMENT": "development", "PUBLIC_BASE_URL": base, "SECRET_KEY": SECRET.decode()}
    return CliRunner().invoke(app, list(args), env=env)


def test_web_link_and_web_logout(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    async def seed() -> None:
        async with web_world(db_url, tmp_path):
            pass

    async def visit(url: str) -> tuple[int, int]:
        runtime = runtime_for(db_url, tmp_path)
        try:
            http = browser(runtime)
            signed = (await open_link(http, url)).status_code
            return signed, (await http.get("/web/")).status_code
        finally:
            await runtime.close()

    async def still_in(url: str) -> int:
        runtime = runtime_for(db_url, tmp_path)
        try:
            http = browser(runtime)
            await open_link(http, url)
            # meanwhile an admin ends it (the CLI runs its own event loop: another thread)
            logout = await asyncio.to_thread(invoke, db_url, "web-logout", "--name", "周审核", "--json")
            assert json.loads(logout.output)["sessions_ended"] >= 1
            return (await http.get("/web/")).status_code
        finally:
            await runtime.close()

    asyncio.run(seed())
    result = invoke(db_url, "web-link", "--name", "周审核", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["url"].startswith(f"{BASE}/web/login/") and data["minutes"] == 10
    assert asyncio.run(visit(data["url"])) == (303, 200)
    second = json.loads(invoke(db_url, "web-link", "--name", "周审核", "--json").output)["url"]
    assert asyncio.run(still_in(second)) == 303

    missing = invoke(db_url, "web-link", "--name", "无名氏")
    assert missing.exit_code == 2 and "no such person" in missing.output
    unset = invoke(db_url, "web-link", "--name", "周审核", base="")
    assert unset.exit_code == 2 and "PUBLIC_BASE_URL" in unset.output
