"""Signing in with a one-time link (a confirm page, then a POST that uses the link up) and signing out."""

from __future__ import annotations

import hmac
import logging
import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.web.console import Console, Viewer
from bot.web.forms import read_form
from bot.web.security import LOGIN_COOKIE, SESSION_COOKIE, clear_cookie, set_cookie
from handlers.web import signin
from storage.base import utcnow

log = logging.getLogger(__name__)
LOGIN_FORM_SECONDS = 15 * 60


def auth_routes(console: Console) -> list[BaseRoute]:
    """GET /web/signin, GET /web/login/{token}, POST /web/login, POST /web/logout."""
    config = console.config

    async def how_to_sign_in(request: Request) -> Response:
        return console.public_page(request, "signin.html")

    def refused(request: Request, reason: str) -> Response:
        # never log the token: it signs somebody in until it is used or expires
        log.info("web sign-in refused: %s link", reason)
        return console.public_page(request, "signin.html", status=403, problem=f"web.signin.refused.{reason}")

    async def confirm(request: Request) -> Response:
        # Link previews (Telegram, WeChat) fetch the URL: a GET only shows a button, the POST uses the link up.
        token = str(request.path_params["token"])
        try:
            async with console.runtime.sessions() as session:
                await signin.check_link(session, config, token, now=utcnow())
        except signin.SignInError as exc:
            return refused(request, exc.reason)
        except Exception as exc:
            # handled here: the app's own error log would print the path, and the path holds the token
            log.error("web sign-in page failed: %s", type(exc).__name__)
            return PlainTextResponse("service unavailable", status_code=503)
        form_token = secrets.token_urlsafe(24)
        response = console.public_page(request, "login.html", token=token, form_token=form_token)
        set_cookie(response, LOGIN_COOKIE, form_token, secure=console.secure, max_age=LOGIN_FORM_SECONDS)
        return response

    async def login(request: Request) -> Response:
        form = await read_form(request)
        token = form.get("token", "")
        given, expected = form.get("form_token", ""), request.cookies.get(LOGIN_COOKIE, "")
        if not (given and expected and hmac.compare_digest(given.encode(), expected.encode())):
            return refused(request, "form")
        async with console.runtime.sessions() as session, session.begin():
            try:
                cookie = await signin.redeem_link(session, config, token, now=utcnow())
            except signin.SignInError as exc:
                return refused(request, exc.reason)
        response = RedirectResponse("/web/", status_code=303)
        # the server ends the session when idle or too old; the cookie must not end an active one sooner
        max_age = config.web_session_max_days * 86400
        set_cookie(response, SESSION_COOKIE, cookie, secure=console.secure, max_age=max_age)
        clear_cookie(response, LOGIN_COOKIE, secure=console.secure)
        return response

    async def logout(request: Request) -> Response:
        form = await read_form(request)

        async def work(viewer: Viewer) -> Response:
            if not signin.csrf_ok(config, viewer.cookie, form.get("csrf", "")):
                return console.page("error.html", viewer, status=403, message=viewer.ctx.t("web.error.csrf"))
            await signin.sign_out(viewer.ctx.session, viewer.signed, now=viewer.ctx.now)
            response = RedirectResponse("/web/signin", status_code=303)
            clear_cookie(response, SESSION_COOKIE, secure=console.secure)
            return response

        return await console.signed_in(request, work)

    return [
        Route("/signin", how_to_sign_in, methods=["GET"]),
        Route("/login/{token}", confirm, methods=["GET"]),
        Route("/login", login, methods=["POST"]),  # the token in the body: a path may end up in a log
        Route("/logout", logout, methods=["POST"]),
    ]
