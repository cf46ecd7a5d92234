"""考核验收 with the expert committee (第六条, 第十条): the cycle's card (also what an expert's 考核 shows),
and experts scoring its frozen figures."""

from __future__ import annotations

from decimal import Decimal

from handlers.assessment import frozen
from handlers.assessment.rubric import load_rubric
from handlers.assessment.service import StudioAssessment
from handlers.assessment.summary import summary_text
from handlers.core.i18n import Translator
from handlers.core.presses import CyclePress, GoPress
from handlers.core.types import Button, Reply
from handlers.decisions import audience
from handlers.decisions.reason import busy
from handlers.engine.context import Context
from handlers.engine.dispatch import start_flow
from handlers.engine.flow import Flow, Step, Values
from handlers.engine.router import Router
from handlers.lifecycle import cards, expert_rubric, notify, panel_view
from handlers.lifecycle.cycle_queue import scorable, sheet
from handlers.lifecycle.scoring import parse_comment, scores_parser, scores_shower
from handlers.roles import checks
from handlers.roles.permissions import Action, Subject
from storage.models import Cycle, Studio, Union
from storage.repos import committee

router = Router(__name__)


async def _found(ctx: Context, cycle_id: int) -> tuple[Studio, Cycle] | None:
    cycle = await ctx.session.get(Cycle, cycle_id)
    studio = await ctx.session.get(Studio, cycle.studio_id) if cycle else None
    return (studio, cycle) if studio and cycle else None


async def may_score(ctx: Context, studio: Studio, cycle: Cycle) -> str | None:
    """None if the speaker may score this cycle now, else why not."""
    if await checks.check(ctx, Action.SCORE, studio=studio) is None:
        return checks.refusal(ctx, Action.SCORE)
    if cycle.result is not None or ctx.today <= cycle.ends_on:
        return ctx.t("committee.cycle.not_open", studio=studio.name, number=cycle.number, ends=cycle.ends_on)
    assert ctx.person is not None
    if ctx.person.id in (await committee.cycle_sheets(session=ctx.session, cycle_ids=[cycle.id]))[cycle.id]:
        return ctx.t("committee.cycle.already", studio=studio.name, number=cycle.number)
    return None


async def assessment_text(ctx: Context, studio: Studio, cycle: Cycle) -> str:
    """The cycle's assessment as the rubric reads its (frozen) figures."""
    rubric = load_rubric(ctx.config.assessment_rubric_file)
    union = await ctx.session.get(Union, studio.union_id)
    assert union is not None  # a foreign key
    result = frozen.cycle_assessment(ctx.session, cycle, rubric, ctx.today)
    found = StudioAssessment(studio=studio, union=union, cycle=cycle, assessment=await result)
    return summary_text(found, ctx.t, today_text=min(ctx.today, cycle.ends_on).isoformat())


def progress(t: Translator, totals: list[Decimal], needed: int, *, blind: bool) -> str:
    """`专家评分：已收到 2/3 份，平均 82.5 分`; blind: the count only."""
    if not totals or blind:
        return t("application.card.progress", count=len(totals), needed=needed)
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.1"))
    passing = cards.number(expert_rubric.for_cycles().pass_score)
    return t("application.card.progress_scored", count=len(totals), needed=needed, average=mean, pass_score=passing)


@router.button(CyclePress)
async def cycle_button(ctx: Context, press: CyclePress) -> list[Reply]:
    """Open a cycle's 考核验收 card, or start scoring it."""
    found = await _found(ctx, press.cycle_id)
    if found is None:
        return [Reply(text=ctx.t("lifecycle.gone"))]
    studio, cycle = found
    if press.action == "score":
        return await start(ctx, studio, cycle)
    allowed = await checks.permitted(ctx, (Action.SCORE, Action.ASSESS_CYCLE), studio=studio)
    if not allowed:
        return [Reply(text=checks.refusal(ctx, Action.SCORE))]
    scores = await committee.cycle_scores(session=ctx.session, cycle_id=cycle.id)
    mine = ctx.person is not None and any(s.expert_id == ctx.person.id for s in scores)
    association = Action.ASSESS_CYCLE in allowed
    lines = [await assessment_text(ctx, studio, cycle)]
    lines.append(progress(ctx.t, [s.total for s in scores], sheet(ctx).experts_needed, blind=not (mine or association)))
    buttons: list[Button] = []
    if await may_score(ctx, studio, cycle) is None:
        buttons.append(ctx.button(ctx.t("application.button.score"), CyclePress("score", cycle.id)))
    if association:
        lines += await panel_view.sheets_text(ctx, scores, sheet(ctx).criteria)
        lines += await panel_view.aside_lines(ctx, studio)
        if cycle.result is None:
            buttons.append(ctx.button(ctx.t("committee.cycle.decide"), GoPress("verdict")))
    return [Reply(text="\n".join(lines), buttons=(tuple(buttons),) if buttons else ())]


async def for_expert(ctx: Context, subject: Subject, name: str) -> list[Reply]:
    """The cycle's card when one fits `name` (any, when empty), a list to pick from when several do."""
    rows = [row for row in await scorable(ctx, subject) if name in row[0].name]
    if not rows:
        # a tied expert is not told the cycle exists, as 待审 and the ask leave them out
        text = ctx.t("committee.assess.unknown", name=name) if name else ctx.t("committee.assess.none")
        return [Reply(text=text + "\n" + ctx.t("committee.assess.when"))]
    if len(rows) == 1:
        return await cycle_button(ctx, CyclePress("open", rows[0][1].id))
    lines = [ctx.t("committee.assess.list", count=len(rows))]
    buttons: list[tuple[Button, ...]] = []
    for n, (studio, cycle, scored) in enumerate(rows, start=1):
        params = {"studio": studio.name, "number": cycle.number, "ends": cycle.ends_on}
        lines.append(f"{n}. " + ctx.t("committee.assess.scored" if scored else "committee.cycle.to_score", **params))
        buttons.append((ctx.button(f"{n}. {studio.name[:12]}", CyclePress("open", cycle.id)),))
    return [Reply(text="\n".join(lines), buttons=tuple(buttons))]


async def start(ctx: Context, studio: Studio, cycle: Cycle) -> list[Reply]:
    """Show the cycle's assessment and the sheet, and ask for the scores."""
    refusal = await may_score(ctx, studio, cycle)
    if refusal is not None:
        return [Reply(text=refusal, outcome_of_press=True)]
    waiting = await busy(ctx)
    if waiting is not None:
        return [waiting]
    lines = [await assessment_text(ctx, studio, cycle), ctx.t("committee.cycle.intro", studio=studio.name)]
    lines += [
        ctx.t("application.score.criterion", n=n, name=c.name(ctx.t.locale), max=f"{c.max.normalize():f}")
        for n, c in enumerate(sheet(ctx).criteria, start=1)
    ]
    return [Reply(text="\n".join(lines)), *await start_flow(ctx, "cycle_score", {"cycle": cycle.id})]


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Record the sheet; when the panel is complete, tell the association it may decide."""
    found = await _found(ctx, int(values["cycle"]))
    if found is None:
        return [Reply(text=ctx.t("lifecycle.gone"))]
    studio, cycle = found
    refusal = await may_score(ctx, studio, cycle)
    if refusal is not None:
        return [Reply(text=refusal)]
    assert ctx.person is not None
    scores, total = sheet(ctx).sheet(values["scores"])
    row = await committee.add_cycle_score(
        session=ctx.session,
        cycle_id=cycle.id,
        expert_id=ctx.person.id,
        scores=scores,
        total=total,
        comment=values.get("comment") or "",
        now=ctx.now,
    )
    shown = f"{total.normalize():f}"
    detail = {"cycle": cycle.id, "total": shown, "scores": scores}
    await ctx.audit(object_type="cycle_score", object_id=row.id, to_state="scored", studio_id=studio.id, detail=detail)
    count = len(await committee.cycle_scores(session=ctx.session, cycle_id=cycle.id))
    if count == sheet(ctx).experts_needed:

        def told(t: Translator) -> Reply:
            text = t("committee.cycle.panel_full", studio=studio.name, number=cycle.number, count=count)
            return Reply(text=text, buttons=((ctx.button(t("committee.cycle.open"), CyclePress("open", cycle.id)),),))

        officers = [p for p, _ in await audience.association_reviewers(ctx)]
        await notify.send(ctx, officers, f"cy:{cycle.id}:panel", told)
    text = ctx.t("committee.cycle.thanks", studio=studio.name, number=cycle.number, total=shown)
    return [Reply(text=text, outcome_of_press=True)]


CYCLE_SCORE = router.flow(
    Flow(
        name="cycle_score",
        title="committee.cycle.title",
        steps=(
            Step(
                "scores",
                "application.score.ask",
                "application.score.label",
                parse=scores_parser(sheet),
                show=scores_shower(sheet),
            ),
            Step(
                "comment",
                "application.score.ask_comment",
                "application.score.label_comment",
                parse=parse_comment,
                optional=True,
            ),
        ),
        submit=submit,
    )
)
