"""Assess one studio's current cycle, or rank every studio of a union (and the unions under it)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.assessment import frozen
from handlers.assessment.evaluate import Assessment, assess
from handlers.assessment.figures import compile_figures
from handlers.assessment.rubric import Rubric
from storage.models import Cycle, Studio, StudioStatus, Union
from storage.repos import studio_cycles

Step = Callable[[int, int], None]


class NoCycle(LookupError):
    """The studio has no management cycle: it has not been named."""


@dataclass(frozen=True, slots=True)
class StudioAssessment:
    """A studio, the union it belongs to, its current cycle, and the assessment of that cycle."""

    studio: Studio
    union: Union
    cycle: Cycle
    assessment: Assessment


async def assess_studio(*, session: AsyncSession, studio: Studio, rubric: Rubric, today: date) -> StudioAssessment:
    """Compile and assess the studio's current cycle; NoCycle if it has none."""
    cycle = await studio_cycles.current_cycle(session=session, studio_id=studio.id)
    if cycle is None:
        raise NoCycle(studio.name)
    union = await session.get(Union, studio.union_id)
    assert union is not None  # a foreign key
    # as of `today`: an entry dated later is not yet evidence (assess --at looks back at a past day);
    # an ended cycle is judged by the figures frozen at its end
    if cycle.frozen_figures is not None and today > cycle.ends_on:
        figures = frozen.from_json(cycle.frozen_figures)
    else:
        figures = await compile_figures(
            session=session, studio_id=studio.id, starts_on=cycle.starts_on, ends_on=cycle.ends_on, as_of=today
        )
    return StudioAssessment(studio=studio, union=union, cycle=cycle, assessment=assess(figures, rubric, today=today))


async def union_and_below(*, session: AsyncSession, union: Union) -> list[int]:
    """The ids of a union and of every union under it."""
    children: dict[int | None, list[int]] = {}
    for union_id, parent_id in (await session.execute(select(Union.id, Union.parent_id))).all():
        children.setdefault(parent_id, []).append(union_id)
    found, queue = [], [union.id]
    while queue:
        current = queue.pop()
        if current in found:  # a loop in the data must not hang the report
            continue
        found.append(current)
        queue.extend(children.get(current, []))
    return found


async def assess_union(
    *, session: AsyncSession, union: Union, rubric: Rubric, today: date, step: Step | None = None
) -> list[StudioAssessment]:
    """Every active named studio in the union and below, best first (score, then fewer shortfalls, then name).

    `step(done, total)` is told after each studio (a progress bar's feed).
    """
    union_ids = await union_and_below(session=session, union=union)
    studios = list(
        await session.scalars(
            select(Studio)
            .where(Studio.union_id.in_(union_ids), Studio.status == StudioStatus.NAMED, Studio.active.is_(True))
            .order_by(Studio.name)
        )
    )
    results = []
    for done, studio in enumerate(studios, start=1):
        with contextlib.suppress(NoCycle):
            results.append(await assess_studio(session=session, studio=studio, rubric=rubric, today=today))
        if step is not None:
            step(done, len(studios))
    results.sort(key=lambda r: (-r.assessment.score, len(r.assessment.shortfalls), r.studio.name))
    return results
