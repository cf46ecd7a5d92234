"""What an earlier application leaves for the next 申报: a kept draft or a returned application, never submitted unseen.

The earlier answers are offered as each step's first option instead of being filled in, so a new 申报 walks
through every question again and nobody lands on a summary where one keystroke submits.
"""

from __future__ import annotations

from typing import Any

from handlers.engine.answers import NOTE
from handlers.engine.context import Context
from handlers.engine.flow import Values
from storage.models import Application, ApplicationStage, Studio
from storage.repos import application_decisions, applications

EARLIER = "_earlier"  # the earlier application's answers, offered as one-press options
RESUBMITS = "_resubmits"  # the returned application this one resubmits
PREVIEW = 24


async def carry_over(ctx: Context, studio: Studio, values: Values) -> None:
    """Offer the answers of the studio's draft or returned application, and say where they come from."""
    earlier = await applications.latest_for_studio(session=ctx.session, studio_id=studio.id)
    if earlier is None or earlier.stage not in (ApplicationStage.DRAFT, ApplicationStage.RETURNED):
        return
    values[EARLIER] = answers_of(earlier)
    if earlier.stage is ApplicationStage.DRAFT:
        if earlier.resubmits_id is not None:
            values[RESUBMITS] = earlier.resubmits_id
        values[NOTE] = ctx.t("batch.draft.carried", number=earlier.id)
        return
    values[RESUBMITS] = earlier.id
    values[NOTE] = ctx.t("batch.returned.carried", number=earlier.id, reason=await return_reason(ctx, earlier))


async def return_reason(ctx: Context, app: Application) -> str:
    """Why the application was returned (as the decider wrote it)."""
    decision = await application_decisions.returned_by(session=ctx.session, application_id=app.id)
    return decision.reason if decision is not None and decision.reason else ctx.t("common.none")


def answers_of(app: Application) -> dict[str, Any]:
    """An application's answers, as the steps of 申报 offer them again."""
    data = app.data
    return {
        "venue": data.get("venue") or "",
        "equipment": data.get("equipment") or "",
        "activities": data.get("activities") or "",
        "outcomes": [o["id"] for o in data.get("outcomes") or [] if isinstance(o, dict) and "id" in o],
    }


async def earlier(ctx: Context, values: Values, key: str) -> Any:
    """The earlier application's answer to a step: carried over at the start, or (a lead of several studios,
    who picks the studio in the flow) read for the studio picked."""
    if EARLIER in values:
        return values[EARLIER].get(key)
    if not values.get("_several") or values.get("studio") is None:
        return None
    app = await applications.latest_for_studio(session=ctx.session, studio_id=int(values["studio"]))
    if app is None or app.stage not in (ApplicationStage.DRAFT, ApplicationStage.RETURNED):
        return None
    return answers_of(app).get(key)


def preview(text: str) -> str:
    """The start of a long answer, as an option's label shows it."""
    return text if len(text) <= PREVIEW else f"{text[:PREVIEW]}…"


async def on_cancel(ctx: Context, values: Values) -> str | None:
    """取消 says plainly what outlives the conversation: a kept draft (and how to discard it), a returned one."""
    if values.get("studio") is None:
        return None
    studio_id = int(values["studio"])
    draft = await applications.latest_for_studio(
        session=ctx.session, studio_id=studio_id, stages={ApplicationStage.DRAFT}
    )
    if draft is not None:
        return ctx.t("batch.draft.kept_on_cancel", number=draft.id)
    if values.get(RESUBMITS) is not None:
        return ctx.t("batch.returned.kept_on_cancel", number=values[RESUBMITS])
    return None
