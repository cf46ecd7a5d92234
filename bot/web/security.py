"""Security headers on every console and public response, and the console's cookies."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "studio_session"
LOGIN_COOKIE = "studio_login"  # the sign-in form's double-submit token, before any session exists
COOKIE_PATH = "/web"

# No inline script or style anywhere: the CSP forbids both, so an injected <script> does nothing.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a sign-in link in the address bar never leaks to another site
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: the headers above on every response; no caching of signed-in pages."""

    def __init__(self, app: ASGIApp, *, private: bool) -> None:
        self.app = app
        self.private = private

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if self.private and not scope["path"].startswith("/web/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, sending)


def set_cookie(response: Response, name: str, value: str, *, secure: bool, max_age: int) -> None:
    """An HttpOnly, SameSite=Lax cookie for the console's paths; Secure when the site is served over https."""
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, secure=secure, httponly=True, samesite="lax")


def clear_cookie(response: Response, name: str, *, secure: bool) -> None:
    """Remove one of the console's cookies."""
    response.delete_cookie(name, path=COOKIE_PATH, secure=secure, httponly=True, samesite="lax")
