"""The one ASGI app: channel webhooks, GET /healthz, GET /metrics, and the routes other modules provide."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.http.downloads import download_routes
from bot.http.metrics import Metrics
from bot.http.peers import from_loopback
from bot.runtime import Runtime
from bot.web.routes import web_routes
from storage.probe import probe_write

log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 3.0


class Lifespan(Protocol):
    """Starlette's lifespan: an async context manager factory taking the app."""

    def __call__(self, app: Starlette) -> AbstractAsyncContextManager[None]: ...


def create_app(runtime: Runtime, routes: Sequence[BaseRoute] = (), *, lifespan: Lifespan | None = None) -> Starlette:
    """The HTTP app: health, metrics, the given channel routes, GET /download/{token}, /web/ and /public/."""
    metrics = Metrics()

    async def healthz(request: Request) -> Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await probe_write(runtime.engine)
        except Exception as exc:
            log.warning("health check: the database does not take writes (%s)", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def metrics_endpoint(request: Request) -> Response:
        if not runtime.settings.metrics_public and not from_loopback(request):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await metrics.render(runtime.sessions)
        except Exception as exc:
            log.warning("metrics: could not read the outbox depth (%s)", type(exc).__name__)
            metrics.error("http", "metrics")
            return PlainTextResponse("metrics unavailable", status_code=503)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    async def internal_error(request: Request, exc: Exception) -> Response:
        # the traceback goes to our log only; the caller learns nothing about the inside
        log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        metrics.error("http", "unhandled")
        return PlainTextResponse("internal error", status_code=500)

    every = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        *routes,
        *download_routes(runtime),
        *web_routes(runtime),
    ]
    app = Starlette(routes=every, lifespan=lifespan, exception_handlers={Exception: internal_error})
    app.state.runtime = runtime
    app.state.metrics = metrics
    return app
