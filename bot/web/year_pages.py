"""GET /web/applications?year=YYYY: the association's page of the year's applications, ranked."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.web.console import Console, Viewer
from handlers.web.applications import year_lines

FIRST_YEAR = 2016  # the measures (沪工技协[2016]1号) start here


def year_routes(console: Console) -> list[BaseRoute]:
    """The association's year page (404 for everyone else, like anything outside one's scope)."""

    async def applications(request: Request) -> Response:
        text = request.query_params.get("year", "")

        async def work(viewer: Viewer) -> Response:
            ctx = viewer.ctx
            year = int(text) if text.isdigit() and len(text) == 4 else ctx.today.year
            lines = await year_lines(ctx, year) if FIRST_YEAR <= year <= ctx.today.year + 1 else None
            if lines is None:
                return console.not_found(viewer)
            years = [y for y in (year - 1, year, year + 1) if FIRST_YEAR <= y <= ctx.today.year + 1]
            return console.page("applications.html", viewer, lines=lines, year=year, years=years)

        return await console.signed_in(request, work)

    return [Route("/applications", applications, methods=["GET"])]
