"""A web session ends WEB_SESSION_MAX_DAYS after sign-in however active it is; signing in and out is audited."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from storage.base import utcnow
from storage.models import AuditLog, WebSession
from tests.test_web_cli import invoke
from tests.web_support import WebWorld, browser, csrf_of, new_link, open_link, signed_in, web_world


async def _signed_in_ago(ww: WebWorld, days: float) -> None:
    """Move every session's sign-in back by `days`, as if used a minute ago all along."""
    async with ww.sessions() as s, s.begin():
        now = utcnow()
        await s.execute(update(WebSession).values(created_at=now - timedelta(days=days), last_seen_at=now))


async def test_an_active_session_still_ends_a_week_after_sign_in(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        await _signed_in_ago(ww, 6.9)
        assert (await http.get("/web/")).status_code == 200  # used every few hours for nearly a week: still in
        await _signed_in_ago(ww, 7.01)
        ended = await http.get("/web/")
        assert ended.status_code == 303 and ended.headers["location"] == "/web/signin"
        assert (await http.get("/web/pending")).status_code == 303


async def test_the_cookie_lasts_as_long_as_the_session_may(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = browser(ww.runtime)
        done = await open_link(http, await new_link(ww.runtime, ww.people["reviewer"]))
        cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("studio_session="))
        assert "Max-Age=604800" in cookie  # 7 days: an active officer is not signed out after 8 hours


async def test_the_lifetime_is_a_setting(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path, web_session_max_days=1) as ww:
        http = await signed_in(ww, "association")
        await _signed_in_ago(ww, 0.9)
        assert (await http.get("/web/")).status_code == 200
        await _signed_in_ago(ww, 1.01)
        assert (await http.get("/web/")).status_code == 303


async def test_signing_in_and_out_is_in_the_audit_trail(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        page = await http.get("/web/")
        out = await http.post("/web/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303
        reviewer = ww.people["reviewer"]
        async with ww.sessions() as s:
            rows = list(await s.scalars(select(AuditLog).where(AuditLog.object_type == "person")))
        assert [(r.actor_id, r.channel, r.object_id, r.to_state) for r in rows] == [
            (reviewer.id, "web", reviewer.id, "web_signed_in"),
            (reviewer.id, "web", reviewer.id, "web_signed_out"),
        ]
        assert rows[0].detail == rows[1].detail and set(rows[0].detail) == {"session"}  # no cookie, no token

    shown = await asyncio.to_thread(invoke, db_url, "audit", "--json")
    assert shown.exit_code == 0, shown.output
    texts = [r["text"] for r in json.loads(shown.output)["rows"] if r["channel"] == "web"]
    assert len(texts) == 2
    assert "周审核  web" in texts[0] and texts[0].endswith("登录网页版工作台")
    assert texts[1].endswith("退出网页版工作台")
