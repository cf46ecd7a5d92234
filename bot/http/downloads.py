"""GET /download/{token}: serve an export while its signed link is valid (403 if not, 404 if the file is gone)."""

from __future__ import annotations

import logging
import mimetypes

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.runtime import Runtime
from handlers.core.i18n import t
from handlers.exports.labels import XLSX_TYPE
from handlers.exports.links import LinkError, resolve
from storage.base import utcnow

log = logging.getLogger(__name__)
_TYPES = {".xlsx": XLSX_TYPE, ".csv": "text/csv; charset=utf-8", ".png": "image/png"}
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _both(key: str) -> str:
    return "\n".join(t(key, locale) for locale in ("zh_CN", "en"))


def download_routes(runtime: Runtime) -> list[BaseRoute]:
    """The download route, bound to the runtime's secret and export folder."""
    config = runtime.config

    async def download(request: Request) -> Response:
        try:
            path = resolve(config, str(request.path_params["token"]), now=utcnow())
        except LinkError as exc:
            # never log the token itself: it is a bearer credential until it expires
            log.info("download refused: %s link", exc.reason)
            return PlainTextResponse(_both("export.link_forbidden"), status_code=403, headers=_HEADERS)
        if not path.is_file():
            return PlainTextResponse(_both("export.link_gone"), status_code=404, headers=_HEADERS)
        media_type = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media_type, filename=path.name, headers=_HEADERS)

    return [Route("/download/{token}", download, methods=["GET"])]
