"""Signing in to the web console without a password: 网页 in chat, a one-time link, a server-side session."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from handlers.web.signin import make_token, sign_out_everywhere
from storage.base import utcnow
from storage.models import WebSession
from tests.support import Transcript, make_bot
from tests.web_support import BASE, browser, csrf_of, new_link, open_link, runtime_for, signed_in, web_world


async def test_web_in_chat_sends_a_link_that_signs_in_once(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        chat = Transcript(make_bot(ww.sessions, public_base_url=BASE), user="rev")
        await chat.say("网页")
        chat.expect(f"{BASE}/web/login/", "10 分钟内有效")
        url = next(w for w in chat.text.split() if w.startswith(BASE))
        http = browser(ww.runtime)
        preview = await http.get(url.removeprefix(BASE))  # what a link preview fetches: it uses nothing up
        assert preview.status_code == 200 and "登录" in preview.text
        signed = await open_link(http, url)
        assert signed.status_code == 303 and signed.headers["location"] == "/web/"
        overview = await http.get("/web/")
        assert overview.status_code == 200 and "张工数控创新工作室" in overview.text and "周审核" in overview.text
        again = await open_link(browser(ww.runtime), url)
        assert again.status_code == 403 and "已经使用过" in again.text


async def test_expired_forged_and_formless_links_sign_nobody_in(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        lead = ww.people["lead"]
        old = await new_link(ww.runtime, lead, now=utcnow() - timedelta(minutes=11))
        response = await open_link(browser(ww.runtime), old)
        assert response.status_code == 403 and "已过期" in response.text

        good = await new_link(ww.runtime, lead)
        nonce, expiry, tag = good.rsplit("/", 1)[1].split(".")
        later = str(int(expiry) + 3600)  # stretching the expiry breaks the tag
        for forged in (
            f"{nonce}.{later}.{tag}",
            f"{nonce}.{expiry}.{'A' * len(tag)}",
            make_token(b"another-secret", nonce, utcnow() + timedelta(minutes=5)),
            "nonsense",
        ):
            response = await open_link(browser(ww.runtime), f"{BASE}/web/login/{forged}")
            assert response.status_code == 403 and "无效" in response.text, forged

        http = browser(ww.runtime)
        path = good.removeprefix(BASE)
        token = path.rsplit("/", 1)[1]
        assert (await http.post("/web/login", data={"token": token, "form_token": "guessed"})).status_code == 403
        assert (await http.get("/web/")).status_code == 303
        assert (await open_link(http, good)).status_code == 303  # the link itself still works afterwards


async def test_links_are_rate_limited_per_person_and_need_a_base_url(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        chat = Transcript(make_bot(ww.sessions, public_base_url=BASE), user="lead")
        for _ in range(5):
            await chat.say("/web")
            chat.expect(BASE)
        await chat.say("网页")
        chat.expect("过于频繁")
        chat.expect_not(BASE)
        other = Transcript(make_bot(ww.sessions, public_base_url=BASE), user="rev")
        await other.say("网页")
        other.expect(BASE)  # somebody else is not held back
        unset = Transcript(make_bot(ww.sessions), user="rev", language="en")
        await unset.say("/web")
        unset.expect("PUBLIC_BASE_URL")


async def test_sessions_end_when_idle_revoked_or_signed_out(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = await signed_in(ww, "reviewer")
        assert (await http.get("/web/")).status_code == 200
        async with ww.sessions() as s, s.begin():
            await s.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=8, minutes=1)))
        idle = await http.get("/web/")
        assert idle.status_code == 303 and idle.headers["location"] == "/web/signin"

        http = await signed_in(ww, "reviewer")
        async with ww.sessions() as s, s.begin():
            assert await sign_out_everywhere(s, ww.people["reviewer"].id, now=utcnow()) >= 1
        assert (await http.get("/web/pending")).status_code == 303

        http = await signed_in(ww, "reviewer")
        page = await http.get("/web/")
        refused = await http.post("/web/logout", data={})
        assert refused.status_code == 403
        out = await http.post("/web/logout", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303 and (await http.get("/web/")).status_code == 303


async def test_cookies_and_headers_are_locked_down(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        http = browser(ww.runtime)
        url = await new_link(ww.runtime, ww.people["lead"])
        confirm = await http.get(url.removeprefix(BASE))
        headers = confirm.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert "<script" not in confirm.text and "style=" not in confirm.text
        found = re.search(r'name="form_token" value="([^"]+)"', confirm.text)
        assert found is not None
        token = url.rsplit("/", 1)[1]
        signed = await http.post("/web/login", data={"token": token, "form_token": found.group(1)})
        cookie = next(v for k, v in signed.headers.multi_items() if k == "set-cookie" and "studio_session=" in v)
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered and "path=/web" in lowered

        plain = runtime_for(db_url, tmp_path, public_base_url="http://intranet")  # no https: no Secure flag
        try:
            url = (await new_link(plain, ww.people["lead"])).replace("http://intranet", BASE)
            signed = await open_link(browser(plain), url)
            cookie = next(v for k, v in signed.headers.multi_items() if k == "set-cookie" and "studio_session=" in v)
            assert "secure" not in cookie.lower()
        finally:
            await plain.close()
