"""What every console route shares: the runtime, the signed-in viewer of a request, and page rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.runtime import Runtime
from bot.web.render import page
from bot.web.security import SESSION_COOKIE
from handlers.core.i18n import Translator, normalise_locale
from handlers.engine.context import Context
from handlers.web import signin
from handlers.web.viewer import web_context
from storage.base import utcnow
from storage.models import RoleKind


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of one request: their Context, session and CSRF token."""

    ctx: Context
    signed: signin.Signed
    cookie: str
    csrf: str


Work = Callable[[Viewer], Awaitable[Response]]


class Console:
    """The console's routes share one runtime: its settings, sessions and routes."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.config = runtime.config
        self.secure = runtime.config.public_base_url.lower().startswith("https://")

    async def signed_in(self, request: Request, work: Work) -> Response:
        """Run `work` for the signed-in person in one transaction; a stranger is sent to sign in."""
        cookie = request.cookies.get(SESSION_COOKIE, "")
        async with self.runtime.sessions() as session, session.begin():
            now = utcnow()
            signed = await signin.resume(session, self.config, cookie, now=now)
            ctx = None
            if signed is not None:
                routes = self.runtime.bot.routes
                ctx = await web_context(session, self.config, routes, signed.person_id, now=now)
            if signed is None or ctx is None:
                return RedirectResponse("/web/signin", status_code=303)
            return await work(Viewer(ctx, signed, cookie, signin.csrf_token(self.config, cookie)))

    def page(self, name: str, viewer: Viewer, *, status: int = 200, **data: Any) -> Response:
        """A console page for the viewer: their language, their name, the CSRF token for its forms."""
        ctx = viewer.ctx
        assert ctx.person is not None
        # the year's applications are the association's page: the link shows only to its officers
        association = any(role.kind is RoleKind.ASSOCIATION for role in ctx.roles)
        return page(
            name,
            ctx.t,
            self.config.tz,
            status=status,
            me=ctx.person.name,
            csrf=viewer.csrf,
            association=association,
            **data,
        )

    def public_page(self, request: Request, name: str, *, status: int = 200, **data: Any) -> Response:
        """A page for anyone: ?lang=en, else the browser's language, else the default."""
        asked = request.query_params.get("lang") or request.headers.get("accept-language", "").split(",")[0]
        locale = normalise_locale(asked) or normalise_locale(asked[:2]) or self.config.default_locale
        # the language switch reloads a public page; anywhere else (a sign-in link) it leads to /web/signin
        here = request.url.path if request.url.path.startswith("/public/") else "/web/signin"
        limits = {"link_minutes": self.config.web_link_ttl_minutes, "idle_hours": self.config.web_session_idle_hours}
        return page(
            name, Translator(locale), self.config.tz, status=status, me=None, csrf="", here=here, **limits, **data
        )

    def not_found(self, viewer: Viewer) -> Response:
        """The same answer for what does not exist and what the viewer may not see."""
        return self.page("error.html", viewer, status=404, message=viewer.ctx.t("web.error.not_found"))
