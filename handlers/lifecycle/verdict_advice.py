"""What the figures and the expert committee say of a cycle, beside the association's 考核结论 (第十条)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from handlers.assessment import frozen
from handlers.assessment.evaluate import AT_RISK, COMMEND, RETAIN, Assessment
from handlers.assessment.rubric import load_rubric
from handlers.assessment.summary import num
from handlers.engine.context import Context
from handlers.lifecycle import cards, expert_rubric
from storage.models import Cycle, CycleResult, Studio
from storage.repos import committee

# the rubric's suggestion as the verdict it points to
FROM_FIGURES = {COMMEND: CycleResult.COMMENDED, RETAIN: CycleResult.RETAINED, AT_RISK: CycleResult.NOT_RETAINED}


@dataclass(frozen=True)
class Advice:
    """The figures' score and suggestion, the experts' average, and the verdicts that follow both."""

    assessment: Assessment
    suggested: CycleResult
    sheets: int
    average: Decimal | None
    passing: bool | None  # the experts' average at or above the sheet's pass line (None: no sheet yet)
    fits: frozenset[CycleResult] = field(default_factory=frozenset)

    @property
    def detail(self) -> dict[str, Any]:
        """What the audit row keeps of the advice the verdict was given beside."""
        average = f"{self.average.normalize():f}" if self.average is not None else None
        return {"score": f"{self.assessment.score.normalize():f}", "suggested": self.suggested.value,
                "expert_sheets": self.sheets, "expert_average": average}  # fmt: skip


async def advise(ctx: Context, studio: Studio, cycle: Cycle) -> Advice:
    """The advice on one cycle: by its frozen figures once it has ended, and the committee's sheets."""
    rubric = load_rubric(ctx.config.assessment_rubric_file)
    assessment = await frozen.cycle_assessment(ctx.session, cycle, rubric, ctx.today)
    suggested = FROM_FIGURES[assessment.suggestion]
    totals = [s.total for s in await committee.cycle_scores(session=ctx.session, cycle_id=cycle.id)]
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.1")) if totals else None
    passing = None if average is None else average >= expert_rubric.for_cycles().pass_score
    fits = {suggested}
    if passing is False:  # the experts find it short: only 不再保留 follows both
        fits = {CycleResult.NOT_RETAINED}
    elif passing is True and suggested is CycleResult.NOT_RETAINED:
        fits = set()  # figures and experts disagree: any verdict needs its reason
    return Advice(assessment, suggested, len(totals), average, passing, frozenset(fits))


async def brief(ctx: Context, studio: Studio, cycle: Cycle) -> str:
    """One line per due cycle: figures' score and suggestion, the experts' sheets and average."""
    a = await advise(ctx, studio, cycle)
    experts = (
        ctx.t("committee.verdict.experts", count=a.sheets, average=a.average, pass_score=_pass())
        if a.average is not None
        else ctx.t("committee.verdict.no_experts")
    )
    return ctx.t(
        "committee.verdict.line",
        studio=studio.name,
        number=cycle.number,
        ends=cycle.ends_on,
        score=num(a.assessment.score),
        max=num(a.assessment.max_score),
        suggestion=ctx.t(f"lifecycle.result.{a.suggested.value}"),
        experts=experts,
    )


def reason_needed(ctx: Context, advice: Advice, result: CycleResult) -> str:
    """Why this verdict needs a reason: what the figures and the experts say instead."""
    experts = (
        ctx.t("committee.verdict.experts", count=advice.sheets, average=advice.average, pass_score=_pass())
        if advice.average is not None
        else ctx.t("committee.verdict.no_experts")
    )
    return ctx.t(
        "committee.verdict.reason_needed",
        result=ctx.t(f"lifecycle.result.{result.value}"),
        score=num(advice.assessment.score),
        suggestion=ctx.t(f"lifecycle.result.{advice.suggested.value}"),
        experts=experts,
    )


def _pass() -> str:
    return cards.number(expert_rubric.for_cycles().pass_score)
