"""Who hears of each move of an application: the next deciders get the card with buttons, the lead the news."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from handlers.context import Context
from handlers.i18n import Translator
from handlers.lifecycle import moves, render
from handlers.lifecycle.moves import Move
from handlers.reviews import audience
from handlers.types import Button, Reply
from storage.models import Application, ApplicationStage, Person, Studio
from storage.repos import org

S = ApplicationStage
# The card each next decider gets, by the stage the application has reached.
ASK = {
    S.SUBMITTED: "application.ask.recommend",
    S.RECOMMENDED: "application.ask.review",
    S.EVALUATED: "application.ask.notice",
}


async def send(ctx: Context, people: Iterable[Person], key: str, render_for: Callable[[Translator], Reply]) -> None:
    """Queue one message to each person (once each, under `key` plus their id)."""
    seen: set[int] = set()
    for person in people:
        if person.id not in seen and (ctx.person is None or person.id != ctx.person.id):
            seen.add(person.id)
            await ctx.notify(person, render_for, key=f"{key}:{person.id}")


async def applicants(ctx: Context, app: Application, studio: Studio) -> list[Person]:
    """The applicant and the studio's current lead(s)."""
    found = await org.leads_of(session=ctx.session, studio_id=studio.id)
    applicant = await ctx.session.get(Person, app.applicant_id)
    return ([applicant] if applicant else []) + found


async def ask_deciders(ctx: Context, app: Application, studio: Studio) -> None:
    """Send the card with this stage's buttons to whoever decides it."""
    card = await render.card_of(ctx.session, app, studio)
    if app.stage is S.SUBMITTED:
        deciders = [p for p, _ in await audience.studio_reviewers(ctx, studio)]
    elif app.stage is S.REVIEWED:
        await ask_experts(ctx, app, studio, card)
        return
    else:
        deciders = [p for p, _ in await audience.association_reviewers(ctx)]

    def message(t: Translator) -> Reply:
        text = f"{t(ASK[app.stage])}\n{render.card_text(t, card)}"
        return Reply(text=text, buttons=(moves.buttons(ctx, t, app),))

    await send(ctx, deciders, f"ap:{app.id}:{app.stage.value}", message)


async def ask_experts(ctx: Context, app: Application, studio: Studio, card: render.Card) -> None:
    """Ask every expert not of the studio's enterprise to score the application."""

    def message(t: Translator) -> Reply:
        text = f"{t('application.ask.score')}\n{render.card_text(t, card)}"
        score = ctx.button(t("application.button.score"), "ap", "score", app.id, moves.CODES[S.REVIEWED])
        return Reply(text=text, buttons=((score,),))

    await send(ctx, await audience.experts_for(ctx, studio), f"ap:{app.id}:{S.REVIEWED.value}", message)


async def after_move(ctx: Context, app: Application, studio: Studio, move: Move, reason: str | None) -> None:
    """Tell the applicant what happened, the studio's people of a notice or a naming, and the next deciders."""
    cycle = await org.current_cycle(session=ctx.session, studio_id=studio.id) if move.to is S.NAMED else None

    def news(t: Translator) -> Reply:
        text = t(
            f"application.told.{move.to.value}",
            studio=studio.name,
            reason=reason or "",
            starts=app.notice_starts_on,
            ends=app.notice_ends_on,
            cycle_starts=cycle.starts_on if cycle else "",
            cycle_ends=cycle.ends_on if cycle else "",
        )
        again: tuple[tuple[Button, ...], ...] = ()
        if move.to is S.RETURNED:
            again = ((ctx.button(t("application.button.apply_again"), "go", "apply"),),)
        return Reply(text=text, buttons=again)

    told = await applicants(ctx, app, studio)
    if move.to in (S.PUBLIC_NOTICE, S.NAMED):
        told += await audience.studio_people(ctx, studio)
        told += [p for p, _ in await audience.studio_reviewers(ctx, studio)]
    await send(ctx, told, f"ap:{app.id}:{move.to.value}:news", news)
    if move.to in ASK or move.to is S.REVIEWED:
        await ask_deciders(ctx, app, studio)
