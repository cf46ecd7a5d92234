"""GET /web/documents/{kind}: a programme document made for the signed-in person who may have it, audited."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.web.console import Console, Viewer
from bot.web.forms import whole_number
from handlers.lifecycle.documents import build
from handlers.lifecycle.documents.kinds import MEDIA_TYPES
from handlers.web import documents

_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def document_routes(console: Console) -> list[BaseRoute]:
    """The download route of every document kind."""

    async def document(request: Request) -> Response:
        kind, params = str(request.path_params["kind"]), request.query_params

        async def work(viewer: Viewer) -> Response:
            ctx = viewer.ctx
            try:
                asked = build.request(
                    kind,
                    params.get("format"),
                    application_id=whole_number(params.get("application")),
                    union_id=whole_number(params.get("union")),
                    year=whole_number(params.get("year")),
                )
            except build.DocumentError as exc:
                return console.page("error.html", viewer, status=400, message=exc.text(ctx.t))
            console.config.export_dir.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix="document-", dir=console.config.export_dir))
            try:
                made = await documents.download(ctx, asked, folder)
                if made is None:
                    return console.not_found(viewer)  # not theirs to have, or nothing there: the same answer
                body = made.path.read_bytes()
            except build.DocumentError:
                return console.not_found(viewer)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            disposition = f"attachment; filename*=utf-8''{quote(made.filename)}"
            headers = {**_HEADERS, "Content-Disposition": disposition}
            return Response(body, media_type=MEDIA_TYPES[asked.fmt], headers=headers)

        return await console.signed_in(request, work)

    return [Route("/documents/{kind}", document, methods=["GET"])]
