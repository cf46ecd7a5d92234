"""The signed-in pages: overview, a studio, an entry (and its files), the pending queue and deciding from it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from bot.web.console import Console, Viewer
from bot.web.forms import read_form
from bot.web.forms import whole_number as _int
from bot.web.svg import bar_chart
from handlers.lifecycle.documents.access import overview_offers
from handlers.lifecycle.documents.build import YEARS
from handlers.web import documents, overview, queue, signin, studio
from handlers.web.scope import visible_entry, visible_studio
from storage.ledger_specs import SPECS
from storage.models import EntryStatus, LedgerKind, StudioStatus

_FILE_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _media_file(media_dir: Path, stored: str) -> Path | None:
    """The stored file if it exists and lies under MEDIA_DIR (a row never sends a file from elsewhere)."""
    path = Path(stored).resolve()
    return path if path.is_relative_to(media_dir.resolve()) and path.is_file() else None


def page_routes(console: Console) -> list[BaseRoute]:
    """The console's own pages, every one for signed-in people only."""
    config = console.config

    async def home(request: Request) -> Response:
        params = dict(request.query_params)

        async def work(viewer: Viewer) -> Response:
            ctx = viewer.ctx
            query = overview.Query.parse(params)
            found = await overview.overview(ctx, query)
            fmt = ctx.t("web.format.month")
            months = bar_chart([(format_date(m, fmt, locale=ctx.t.locale), n) for m, n in found.months])
            statuses = bar_chart([(ctx.t(f"reviews.status.{s.value}"), n) for s, n in found.statuses])

            keep = {"status": query.status.value if query.status else "", "q": query.text}

            def sort_url(column: str) -> str:
                flip = query.sort == column and not query.descending
                return "?" + urlencode({"sort": column, "dir": "desc" if flip else "asc", **keep})

            def page_url(number: int) -> str:
                order = {"sort": query.sort, "dir": "desc" if query.descending else "asc"}
                return "?" + urlencode({**order, **keep, "page": number})

            asked_year = _int(params.get("year"))
            year = asked_year if asked_year is not None and asked_year in YEARS else ctx.today.year
            offers = await overview_offers(ctx, year)
            return console.page(
                "overview.html",
                viewer,
                documents=[(documents.url_of(o.asked), documents.link_text(ctx, o)) for o in offers],
                doc_year=year,
                found=found,
                query=query,
                months=months,
                statuses=statuses,
                sort_url=sort_url,
                page_url=page_url,
                studio_statuses=list(StudioStatus),
                reviewer=await queue.is_reviewer(ctx),
            )

        return await console.signed_in(request, work)

    async def studio_view(request: Request) -> Response:
        studio_id, params = _int(request.path_params["studio_id"]), dict(request.query_params)

        async def work(viewer: Viewer) -> Response:
            ctx = viewer.ctx
            found = await visible_studio(ctx, studio_id) if studio_id is not None else None
            if found is None:
                return console.not_found(viewer)
            filters = studio.Filters.parse(params, ctx.today)
            data = await studio.studio_page(ctx, found, filters)
            forms = await documents.studio_applications(ctx, found)
            return console.page(
                "studio.html",
                viewer,
                data=data,
                forms=[(documents.url_of(o.asked), documents.link_text(ctx, o)) for o in forms],
                filters=filters,
                kinds=list(LedgerKind),
                kind_names={kind: SPECS[kind].message("name") for kind in LedgerKind},
                statuses=list(EntryStatus),
            )

        return await console.signed_in(request, work)

    async def entry_view(request: Request) -> Response:
        entry_id = _int(request.path_params["entry_id"])

        async def work(viewer: Viewer) -> Response:
            data = await studio.entry_page(viewer.ctx, entry_id) if entry_id is not None else None
            if data is None:
                return console.not_found(viewer)
            return console.page("entry.html", viewer, data=data, flash=None, reason="")

        return await console.signed_in(request, work)

    async def attachment(request: Request) -> Response:
        attachment_id = _int(request.path_params["attachment_id"])

        async def work(viewer: Viewer) -> Response:
            row = await studio.attachment_for(viewer.ctx, attachment_id) if attachment_id is not None else None
            path = _media_file(config.media_dir, row.stored_path) if row is not None else None
            if row is None or path is None:
                return console.not_found(viewer)
            return FileResponse(
                path, media_type=row.media_type, filename=row.filename or path.name, headers=_FILE_HEADERS
            )

        return await console.signed_in(request, work)

    async def pending(request: Request) -> Response:
        async def work(viewer: Viewer) -> Response:
            items = await queue.pending(viewer.ctx)
            return console.page("pending.html", viewer, items=items, flash=None)

        return await console.signed_in(request, work)

    async def decide(request: Request) -> Response:
        entry_id = _int(request.path_params["entry_id"])
        form = await read_form(request)
        version, action, reason = _int(form.get("version")), form.get("action", ""), form.get("reason", "")
        back = form.get("back", "")

        async def work(viewer: Viewer) -> Response:
            ctx = viewer.ctx
            if not signin.csrf_ok(config, viewer.cookie, form.get("csrf", "")):
                return console.page("error.html", viewer, status=403, message=ctx.t("web.error.csrf"))
            if entry_id is None or version is None or await visible_entry(ctx, entry_id) is None:
                return console.not_found(viewer)
            outcome = await queue.decide_from_web(ctx, entry_id, version, action, reason)
            status = 200 if outcome.landed else (422 if outcome.invalid else 409)
            flash = {"text": outcome.text, "ok": outcome.landed}
            if back == "entry":
                data = await studio.entry_page(ctx, entry_id)
                kept = reason if not outcome.landed else ""
                return console.page("entry.html", viewer, status=status, data=data, flash=flash, reason=kept)
            return console.page("pending.html", viewer, status=status, items=await queue.pending(ctx), flash=flash)

        response = await console.signed_in(request, work)
        console.runtime.outbox_wakeup.set()  # the lead is told now, as after a chat press
        return response

    return [
        Route("/", home, methods=["GET"]),
        Route("/studios/{studio_id}", studio_view, methods=["GET"]),
        Route("/entries/{entry_id}", entry_view, methods=["GET"]),
        Route("/entries/{entry_id}/decide", decide, methods=["POST"]),
        Route("/attachments/{attachment_id}", attachment, methods=["GET"]),
        Route("/pending", pending, methods=["GET"]),
    ]
