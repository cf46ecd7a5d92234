"""A cycle's figures frozen at its end (第十条): what 考核验收 judges, whatever is approved or edited later."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.assessment.cycles_figures import compile_cycles
from handlers.assessment.evaluate import Assessment, assess
from handlers.assessment.figures import Figures, compile_figures
from handlers.assessment.rubric import Rubric
from storage.models import Cycle, Studio, StudioStatus


def to_json(figures: Figures) -> dict[str, Any]:
    """The figures as JSON-ready values (counters as objects, sets as sorted lists, numbers as text)."""
    out: dict[str, Any] = {}
    for f in fields(figures):
        value = getattr(figures, f.name)
        if isinstance(value, Counter):
            out[f.name] = dict(value)
        elif isinstance(value, set):
            out[f.name] = sorted(value)
        elif isinstance(value, date):
            out[f.name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[f.name] = str(value)
        else:
            out[f.name] = value
    return out


def from_json(data: dict[str, Any]) -> Figures:
    """The figures back from `to_json` (a field the snapshot lacks keeps its default)."""
    figures = Figures(starts_on=date.fromisoformat(data["starts_on"]), ends_on=date.fromisoformat(data["ends_on"]))
    for f in fields(figures):
        if f.name not in data or f.name in ("starts_on", "ends_on"):
            continue
        blank, value = getattr(figures, f.name), data[f.name]
        if isinstance(blank, Counter):
            value = Counter(value)
        elif isinstance(blank, set):
            value = set(value)
        elif isinstance(blank, Decimal):
            value = Decimal(value)
        setattr(figures, f.name, value)
    return figures


async def freeze(session: AsyncSession, cycle: Cycle) -> Figures:
    """Compile the cycle's figures as of its last day and keep them on the cycle."""
    figures = await compile_figures(
        session=session,
        studio_id=cycle.studio_id,
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
        as_of=cycle.ends_on,
    )
    cycle.frozen_figures = to_json(figures)
    return figures


async def cycle_figures(session: AsyncSession, cycle: Cycle, today: date) -> Figures:
    """The figures of a cycle: frozen once it has ended (freezing them now if nobody has), else as of today."""
    if cycle.frozen_figures is not None:
        return from_json(cycle.frozen_figures)
    if today > cycle.ends_on:
        return await freeze(session, cycle)
    return await compile_figures(
        session=session, studio_id=cycle.studio_id, starts_on=cycle.starts_on, ends_on=cycle.ends_on, as_of=today
    )


async def cycle_assessment(session: AsyncSession, cycle: Cycle, rubric: Rubric, today: date) -> Assessment:
    """The cycle held against the rubric: by its frozen figures once it has ended."""
    figures = await cycle_figures(session, cycle, today)
    return assess(figures, rubric, today=min(today, cycle.ends_on))


class EndedCycle(NamedTuple):
    """A cycle whose figures a pass has just frozen."""

    id: int
    studio_id: int
    number: int
    ends_on: date


async def freeze_ended(*, session: AsyncSession, today: date) -> list[EndedCycle]:
    """Freeze the figures of every named studio's ended, undecided cycle not frozen yet; the cycles frozen now.

    Set-based (a fixed number of statements however many cycles end): the first pass after a deployment may
    freeze hundreds at once.
    """
    due = (
        select(Cycle.id)
        .join(Studio, Studio.id == Cycle.studio_id)
        .where(
            Studio.status == StudioStatus.NAMED,
            Cycle.result.is_(None),
            Cycle.frozen_figures.is_(None),
            Cycle.ends_on < today,
        )
    )
    rows = (
        await session.execute(
            select(Cycle.id, Cycle.studio_id, Cycle.number, Cycle.starts_on, Cycle.ends_on).where(Cycle.id.in_(due))
        )
    ).all()
    if not rows:
        return []
    spans = {cid: (studio_id, starts, ends) for cid, studio_id, _, starts, ends in rows}
    figures = await compile_cycles(session=session, cycle_ids=due, spans=spans)
    await session.execute(update(Cycle), [{"id": cid, "frozen_figures": to_json(f)} for cid, f in figures.items()])
    return [EndedCycle(cid, studio_id, number, ends) for cid, studio_id, number, _, ends in rows]
