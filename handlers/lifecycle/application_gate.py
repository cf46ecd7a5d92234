"""Who may apply now: the studios the speaker leads, and why one of them cannot apply today."""

from __future__ import annotations

from handlers.engine.context import Context
from handlers.lifecycle import notify, window
from handlers.lifecycle.cards import stage as stage_name
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import ApplicationStage, RoleKind, Studio, StudioStatus
from storage.repos import applications, people


async def led_studios(ctx: Context) -> list[Studio]:
    """The studios the speaker leads."""
    assert ctx.person is not None
    rows = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    return [studio for studio, kind in rows if kind is RoleKind.LEAD]


async def studio_refusal(ctx: Context, studio: Studio) -> str | None:
    """Why this studio cannot apply now (not its lead, named, under way, turned down this year, outside the window)."""
    if await checks.check(ctx, Action.APPLY, studio=studio) is None:
        return checks.refusal(ctx, Action.APPLY)
    # what holds whatever the date comes first: a named studio (or one with an application under way)
    # must not be invited to apply when the next window opens
    if studio.status is StudioStatus.NAMED:
        return ctx.t("application.already_named", studio=studio.name)
    running = await applications.latest_for_studio(
        session=ctx.session, studio_id=studio.id, stages=applications.OPEN_STAGES
    )
    if running is not None:
        return ctx.t("application.under_way", number=running.id, stage=stage_name(ctx.t, running.stage))
    # selection is yearly (第五条): an application turned down, at any stage, closes that year's window
    windows = await window.load(ctx.session, ctx.config)
    turned_down = await applications.latest_for_studio(
        session=ctx.session, studio_id=studio.id, stages={ApplicationStage.REJECTED}
    )
    if turned_down is not None:
        again = windows.reopens(notify.submitted_on(ctx, turned_down))
        if ctx.today < again:
            return ctx.t("application.turned_down", number=turned_down.id, studio=studio.name, again=again)
    if windows.containing(ctx.today) is None:
        opens, closes = windows.next_window(ctx.today)
        return ctx.t("batch.window.outside", opens=opens, closes=closes)
    return None
