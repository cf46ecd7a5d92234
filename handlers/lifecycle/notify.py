"""Who hears of each move of an application: the next deciders get the card with buttons, the lead the news."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from handlers.core.i18n import Translator
from handlers.core.presses import ApplicationPress, GoPress
from handlers.core.types import Button, Reply
from handlers.decisions import audience, stalls
from handlers.engine.context import Context
from handlers.lifecycle import cards, expert_rubric, moves, panel_view, window
from handlers.lifecycle.moves import Move
from storage.models import Application, ApplicationStage, Person, Studio
from storage.repos import expert_scores, org, persons, studio_cycles

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


async def ask_deciders(ctx: Context, app: Application, studio: Studio) -> list[str]:
    """Send the card with this stage's buttons to whoever decides it; notes for the one who moved it there."""
    sheet = expert_rubric.load(ctx.config.expert_rubric_file)
    card = await cards.card_of(ctx.session, app, studio, sheet)
    if app.stage is S.SUBMITTED:
        deciders = [p for p, _ in await audience.studio_reviewers(ctx, studio)]
        stalled = None if deciders else await stalls.no_reviewer(ctx, studio, "roles.stall.what.recommend")
    elif app.stage is S.REVIEWED:
        asked = await ask_experts(ctx, app, studio, card)
        aside = await panel_view.aside_lines(ctx, studio)  # the association hears who stood aside; they do not
        if asked >= sheet.experts_needed:
            return aside
        if not asked:
            return [ctx.t("application.experts_none"), *aside]
        return [ctx.t("application.experts_short", count=asked, needed=sheet.experts_needed), *aside]
    else:
        deciders = [p for p, _ in await audience.association_reviewers(ctx)]
        stalled = None if deciders else await stalls.no_association(ctx, studio, f"roles.stall.what.{app.stage.value}")
    below = app.stage is S.EVALUATED and cards.below_pass(card.scores, sheet)
    # the association decides 公示 with every sheet and comment before it, not the average alone
    names = await persons.names_of(session=ctx.session, person_ids={s.expert_id for s in card.scores})

    def message(t: Translator) -> Reply:
        lines = [t(ASK[app.stage]), cards.card_text(t, card)]
        if app.stage is S.EVALUATED and card.scores:
            lines.append(t("committee.sheet.title", count=len(card.scores)))
            lines += [panel_view.sheet_line(t, names.get(s.expert_id, "-"), s, sheet.criteria) for s in card.scores]
        return Reply(text="\n".join(lines), buttons=(moves.buttons(ctx, t, app, below_pass=below),))

    await send(ctx, deciders, f"ap:{app.id}:{app.stage.value}", message)
    return [stalled] if stalled else []


async def ask_experts(ctx: Context, app: Application, studio: Studio, card: cards.Card) -> int:
    """Ask every committee expert not tied to the studio to score it (no score shown); how many were asked."""

    def message(t: Translator) -> Reply:
        text = f"{t('application.ask.score')}\n{cards.card_text(t, card, blind=True)}"
        score = ctx.button(t("application.button.score"), ApplicationPress("score", app.id, moves.CODES[S.REVIEWED]))
        return Reply(text=text, buttons=((score,),))

    experts = await audience.experts_for(ctx, studio)
    await send(ctx, experts, f"ap:{app.id}:{S.REVIEWED.value}", message)
    return len(experts)


async def panel_exhausted(ctx: Context, app: Application, studio: Studio) -> None:
    """Every expert who may score has scored and the panel is still short: ask the association to close it."""
    sheet = expert_rubric.load(ctx.config.expert_rubric_file)
    card = await cards.card_of(ctx.session, app, studio, sheet)
    if not card.scores or len(card.scores) >= sheet.experts_needed:
        return
    scored = {s.expert_id for s in card.scores}
    if any(p.id not in scored for p in await audience.experts_for(ctx, studio)):
        return
    end = moves.END

    def message(t: Translator) -> Reply:
        lead = t("application.ask.end", count=len(card.scores), needed=sheet.experts_needed)
        button = ctx.button(moves.label(t, end), ApplicationPress(end.key, app.id, moves.CODES[S.REVIEWED]))
        return Reply(text=f"{lead}\n{cards.card_text(t, card)}", buttons=((button,),))

    deciders = [p for p, _ in await audience.association_reviewers(ctx)]
    await send(ctx, deciders, f"ap:{app.id}:{S.REVIEWED.value}:short", message)


async def after_move(ctx: Context, app: Application, studio: Studio, move: Move, reason: str | None) -> list[str]:
    """Tell the applicant what happened, the studio's people of a notice or a naming, and the next deciders.

    The studio's own people are told that their studio is on notice or named; the union's reviewers read
    the same news as third parties (they may object; keeping ledgers is not theirs). Returns notes for
    the decider.
    """
    cycle = await studio_cycles.current_cycle(session=ctx.session, studio_id=studio.id) if move.to is S.NAMED else None
    sheet = expert_rubric.load(ctx.config.expert_rubric_file)
    scores = tuple(await expert_scores.scores_of(session=ctx.session, application_id=app.id))
    mean = cards.average(scores)
    windows = await window.load(ctx.session, ctx.config) if move.to is S.REJECTED else None
    again = windows.reopens(submitted_on(ctx, app)) if windows is not None else ""
    params = {
        "studio": studio.name,
        "reason": reason or "",
        "starts": app.notice_starts_on,
        "ends": app.notice_ends_on,
        "cycle_starts": cycle.starts_on if cycle else "",
        "cycle_ends": cycle.ends_on if cycle else "",
        "count": len(scores),
        "average": mean if mean is not None else 0,
        "pass_score": cards.number(sheet.pass_score),
        "again": again,
    }
    news_key = f"application.told.{move.to.value}"
    if moves.words_of(move) == "rej_district":
        news_key = "application.told.rejected_district"
    if move.to is S.EVALUATED and cards.below_pass(scores, sheet):
        news_key = "application.told.evaluated_below"

    def news(t: Translator) -> Reply:
        again_button: tuple[tuple[Button, ...], ...] = ()
        if move.to is S.RETURNED:
            again_button = ((ctx.button(t("application.button.apply_again"), GoPress("apply")),),)
        text = t(news_key, **params)
        if move.to is S.RECOMMENDED and reason and ctx.person is not None:
            text += "\n" + t("batch.card.opinion", name=ctx.person.name, opinion=reason)
        return Reply(text=text, buttons=again_button)

    def onlookers_news(t: Translator) -> Reply:
        return Reply(text=t(f"application.told.{move.to.value}.onlookers", **params))

    told = await applicants(ctx, app, studio)
    if move.to in (S.PUBLIC_NOTICE, S.NAMED):
        told += await audience.studio_people(ctx, studio)
    await send(ctx, told, f"ap:{app.id}:{move.to.value}:news", news)
    if move.to in (S.PUBLIC_NOTICE, S.NAMED):
        own = {p.id for p in told}
        onlookers = [p for p, _ in await audience.studio_reviewers(ctx, studio) if p.id not in own]
        await send(ctx, onlookers, f"ap:{app.id}:{move.to.value}:news", onlookers_news)
    if move.to is S.WITHDRAWN:
        # the district's card is void now: its reviewers hear so instead of finding out on a press
        reviewers = [p for p, _ in await audience.studio_reviewers(ctx, studio)]
        await send(ctx, reviewers, f"ap:{app.id}:{move.to.value}:news", onlookers_news)
    if move.to in ASK or move.to is S.REVIEWED:
        return await ask_deciders(ctx, app, studio)
    return []


def submitted_on(ctx: Context, app: Application) -> date:
    """The local day the application was submitted (the day it last changed stage, for an old row without one)."""
    moment = app.submitted_at or app.stage_changed_at
    return moment.astimezone(ctx.config.tz).date()
