"""The association's page of the year's applications: the ranking of 年度申报, as rows a template shows."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.engine.context import Context
from handlers.lifecycle import ranking
from handlers.lifecycle.cards import stage
from handlers.roles import checks
from handlers.roles.permissions import Action


@dataclass(frozen=True)
class Line:
    """One application as the page's table shows it, in the viewer's language."""

    rank: int | None
    number: int
    studio: str
    union: str
    stage: str
    eligible: bool
    eligibility: str
    opinion: str
    average: str
    scores: int
    nameable: bool


async def may_see(ctx: Context) -> bool:
    """Whether the viewer is of the association (the only ones who compare the whole year)."""
    return await checks.check(ctx, Action.ASSOCIATION_REVIEW) is not None


async def year_lines(ctx: Context, year: int) -> list[Line] | None:
    """The year's ranked applications, or None for a viewer outside the association."""
    if not await may_see(ctx):
        return None
    return [
        Line(
            rank=row.rank,
            number=row.app.id,
            studio=row.studio.name,
            union=row.union,
            stage=stage(ctx.t, row.app.stage),
            eligible=not row.unmet,
            eligibility=ranking.eligibility_text(ctx.t, row),
            opinion=row.opinion,
            average=f"{row.average}" if row.average is not None else "",
            scores=row.scores,
            nameable=row.nameable,
        )
        for row in await ranking.year_rows(ctx, year)
    ]
