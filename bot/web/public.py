"""The public pages, no sign-in: the 公示 now running and the studios named in a year."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.web.console import Console
from handlers.web.public import named_in, running_notices
from storage.base import utcnow

FIRST_YEAR = 2016  # the measures (沪工技协[2016]1号) start here


def public_routes(console: Console) -> list[BaseRoute]:
    """GET /public/notices and GET /public/named/{year}."""
    tz = console.config.tz

    async def notices(request: Request) -> Response:
        today = utcnow().astimezone(tz).date()
        async with console.runtime.sessions() as session:
            rows = await running_notices(session, today=today)
        return console.public_page(request, "public_notices.html", rows=rows, today=today)

    async def named(request: Request) -> Response:
        text = str(request.path_params["year"])
        this_year = datetime.now(tz).year
        year = int(text) if text.isdigit() and len(text) == 4 else 0
        if not FIRST_YEAR <= year <= this_year:
            return console.public_page(request, "public_named.html", status=404, rows=[], year=None, years=[])
        async with console.runtime.sessions() as session:
            rows = await named_in(session, year=year)
        years = list(range(this_year, FIRST_YEAR - 1, -1))
        return console.public_page(request, "public_named.html", rows=rows, year=year, years=years)

    return [
        Route("/notices", notices, methods=["GET"]),
        Route("/named/{year}", named, methods=["GET"]),
    ]
