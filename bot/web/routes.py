"""The console's and the public pages' routes, mounted on the one app behind security headers."""

from __future__ import annotations

from pathlib import Path

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.runtime import Runtime
from bot.web.auth import auth_routes
from bot.web.console import Console
from bot.web.downloads import document_routes
from bot.web.pages import page_routes
from bot.web.public import public_routes
from bot.web.security import SecurityHeaders
from bot.web.year_pages import year_routes

STATIC = Path(__file__).parent / "static"


def web_routes(runtime: Runtime) -> list[BaseRoute]:
    """/web/… (sign-in, signed-in pages, static files) and /public/…."""
    console = Console(runtime)
    web = [
        Mount("/static", app=StaticFiles(directory=STATIC)),
        *auth_routes(console),
        *page_routes(console),
        *year_routes(console),
        *document_routes(console),
    ]
    return [
        Mount("/web", routes=web, middleware=[Middleware(SecurityHeaders, private=True)]),
        Mount("/public", routes=public_routes(console), middleware=[Middleware(SecurityHeaders, private=False)]),
    ]
