"""The bot's features, each a router of routers, included in the one `Routes` value a bot runs."""

from __future__ import annotations

from functools import cache

from handlers.account import basic, binding, card, vacation
from handlers.decisions import pending, reason, studio_choice
from handlers.engine.router import Router, Routes
from handlers.exports import commands as exports
from handlers.ledgers import lead_notice, registry, view
from handlers.lifecycle import (
    admissions,
    application,
    cycle_queue,
    cycle_review,
    cycles,
    history,
    notices,
    objections,
    opinion,
    presses,
    queue,
    scoring,
    window_command,
    withdraw,
    year_batch,
)
from handlers.reviews import batch, entries
from handlers.web import command as web


def features() -> Router:
    """Every feature, in the order its parts are listed (待审 shows entries before applications)."""
    return Router("bot").include(
        Router("account").include(basic.router, binding.router, vacation.router, card.router),
        Router("ledgers").include(registry.router, view.router, lead_notice.router),
        Router("exports").include(exports.router),
        Router("decisions").include(pending.router, reason.router, studio_choice.router),
        Router("reviews").include(entries.router, batch.router),
        Router("lifecycle").include(
            application.router,
            admissions.router,
            presses.router,
            cycles.router,
            cycle_review.router,
            cycle_queue.router,
            history.router,
            notices.router,
            objections.router,
            queue.router,
            scoring.router,
            withdraw.router,
            opinion.router,
            window_command.router,
            year_batch.router,
        ),
        Router("web").include(web.router),
    )


@cache
def routes() -> Routes:
    """The routes of every feature (built once: routers are values, fixed after import)."""
    return Routes(features())
