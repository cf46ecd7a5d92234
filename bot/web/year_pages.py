"""/web/applications?year=YYYY: the association's page of the year's applications, ranked; naming a batch from it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.web.console import Console, Viewer
from bot.web.forms import read_form
from handlers.lifecycle.year_batch import name_applications
from handlers.web import signin
from handlers.web.applications import may_see, year_lines

FIRST_YEAR = 2016  # the measures (沪工技协[2016]1号) start here
PICK = "app-"  # one checkbox per nameable application: app-<id>=1


def _year(text: str, this_year: int) -> int | None:
    year = int(text) if text.isdigit() and len(text) == 4 else this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else None


def year_routes(console: Console) -> list[BaseRoute]:
    """The association's year page and its naming form (404 for everyone else, like anything outside one's scope)."""

    async def show(viewer: Viewer, year: int, *, flash: dict[str, object] | None = None, status: int = 200) -> Response:
        lines = await year_lines(viewer.ctx, year)
        if lines is None:
            return console.not_found(viewer)
        today = viewer.ctx.today.year
        years = [y for y in (year - 1, year, year + 1) if FIRST_YEAR <= y <= today + 1]
        return console.page(
            "applications.html", viewer, status=status, lines=lines, year=year, years=years, flash=flash
        )

    async def applications(request: Request) -> Response:
        text = request.query_params.get("year", "")

        async def work(viewer: Viewer) -> Response:
            year = _year(text, viewer.ctx.today.year)
            return await show(viewer, year) if year is not None else console.not_found(viewer)

        return await console.signed_in(request, work)

    async def name(request: Request) -> Response:
        form = await read_form(request)

        async def work(viewer: Viewer) -> Response:
            ctx = viewer.ctx
            if not signin.csrf_ok(console.config, viewer.cookie, form.get("csrf", "")):
                return console.page("error.html", viewer, status=403, message=ctx.t("web.error.csrf"))
            year = _year(form.get("year", ""), ctx.today.year)
            if year is None or not await may_see(ctx):
                return console.not_found(viewer)
            chosen = [int(k[len(PICK) :]) for k in form if k.startswith(PICK) and k[len(PICK) :].isdigit()]
            if not chosen:
                return await show(viewer, year, flash={"text": ctx.t("batch.web.pick_one"), "ok": False}, status=422)
            text, landed = await name_applications(ctx, year, sorted(set(chosen)))
            return await show(viewer, year, flash={"text": text, "ok": landed}, status=200 if landed else 409)

        response = await console.signed_in(request, work)
        console.runtime.outbox_wakeup.set()  # each studio is told now, as after the chat's 批量命名
        return response

    return [
        Route("/applications", applications, methods=["GET"]),
        Route("/applications/name", name, methods=["POST"]),
    ]
