"""公示: the studios on public notice, and the objection any bound person may raise during it."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.i18n import Translator
from handlers.core.presses import ObjectionAction, ObjectionPress
from handlers.core.types import Button, Reply
from handlers.core.width import cut
from handlers.decisions import audience
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Choice, Flow, ParseResult, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import notify
from handlers.lifecycle.objections import resolve_row
from handlers.roles import checks
from handlers.roles.permissions import Action
from storage.models import Application, ApplicationStage, ObjectionStatus, Studio
from storage.repos import applications

router = Router(__name__)

MIN_TEXT, MAX_TEXT = 5, 1000


async def on_notice(ctx: Context) -> list[tuple[Application, Studio]]:
    """Applications whose public notice runs today."""
    rows = await applications.in_stages(session=ctx.session, stages={ApplicationStage.PUBLIC_NOTICE})
    return [(a, s) for a, s in rows if a.notice_ends_on is not None and ctx.today <= a.notice_ends_on]


@router.command("notices", "公示", help_key="application.help.notices", order=60)
async def notices_command(ctx: Context, args: str) -> list[Reply]:
    """The studios on public notice now, each with a button to object."""
    running = await on_notice(ctx)
    if not running:
        return [Reply(text=ctx.t("application.objection.none_running"))]
    lines = [ctx.t("application.notices.title")]
    rows: list[tuple[Button, ...]] = []
    for app, studio in running:
        lines.append(
            ctx.t("application.notices.line", studio=studio.name, starts=app.notice_starts_on, ends=app.notice_ends_on)
        )
        press = ObjectionPress(ObjectionAction.NEW, app.id)
        rows.append((ctx.button(ctx.t("application.button.object", studio=cut(studio.name, 32)), press),))
    return [Reply(text="\n".join(lines), buttons=tuple(rows))]


@router.command("objection", "异议", help_key="application.help.objection", order=61, in_menu=False)
async def objection_command(ctx: Context, args: str) -> list[Reply]:
    """Raise an objection to a studio on public notice."""
    return await start_flow(ctx, "objection")


async def notice_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studios on notice."""
    return [Choice(app.id, studio.name) for app, studio in await on_notice(ctx)]


async def prepare(ctx: Context, values: Values) -> list[Reply] | None:
    """Refuse when nothing is on notice; pick the application when only one is."""
    if await checks.check(ctx, Action.RAISE_OBJECTION) is None:
        return [Reply(text=checks.refusal(ctx, Action.RAISE_OBJECTION))]
    choices = await notice_choices(ctx, values)
    if not choices:
        return [Reply(text=ctx.t("application.objection.none_running"))]
    if "application" not in values and len(choices) == 1:
        values["application"] = choices[0].value
    return None


def parse_text(ctx: Context, text: str) -> ParseResult:
    """What the objection is about."""
    value = text.strip()
    if len(value) < MIN_TEXT:
        return None, "application.objection.error.short"
    if len(value) > MAX_TEXT:
        return None, "application.objection.error.long"
    return value, None


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Record the objection and ask the association to resolve it."""
    assert ctx.person is not None
    app = await applications.fresh(session=ctx.session, application_id=int(values["application"]))
    studio = await ctx.session.get(Studio, app.studio_id) if app else None
    text = str(values["text"])
    if (
        app is None
        or studio is None
        or app.stage is not ApplicationStage.PUBLIC_NOTICE
        or (app.notice_ends_on is not None and ctx.today > app.notice_ends_on)
    ):
        return [Reply(text=ctx.t("application.objection.too_late", text=text))]
    row = await applications.raise_objection(
        session=ctx.session, application_id=app.id, raised_by_id=ctx.person.id, text=text, now=ctx.now
    )
    await ctx.audit(
        object_type="objection",
        object_id=row.id,
        to_state=ObjectionStatus.OPEN.value,
        studio_id=studio.id,
        detail={"application": app.id},
    )
    raiser = ctx.person.name

    def message(t: Translator) -> Reply:
        return Reply(
            text=t("application.objection.raised", studio=studio.name, name=raiser, text=text),
            buttons=(resolve_row(ctx, t, row),),
        )

    await notify.send(ctx, [p for p, _ in await audience.association_reviewers(ctx)], f"ob:new:{row.id}", message)
    return [Reply(text=ctx.t("application.objection.received", number=row.id, studio=studio.name))]


OBJECTION = router.flow(
    Flow(
        name="objection",
        title="application.objection.title",
        steps=(
            Step(
                "application",
                "application.objection.ask_app",
                "application.objection.label_app",
                choices=notice_choices,
            ),
            Step("text", "application.objection.ask_text", "application.objection.label_text", parse=parse_text),
        ),
        submit=submit,
        prepare=prepare,
    )
)
