"""Experts' score sheets of applications for the title (评审打分), one sheet per expert and application."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ExpertScore


async def add_score(
    *,
    session: AsyncSession,
    application_id: int,
    expert_id: int,
    scores: Mapping[str, Any],
    total: Decimal,
    comment: str,
    now: datetime,
) -> ExpertScore:
    """One expert's scores (the unique constraint refuses a second sheet from the same expert)."""
    row = ExpertScore(
        application_id=application_id,
        expert_id=expert_id,
        scores=dict(scores),
        total=total,
        comment=comment,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def scores_of(*, session: AsyncSession, application_id: int) -> list[ExpertScore]:
    """Every expert's scores of the application, in the order given."""
    query = select(ExpertScore).where(ExpertScore.application_id == application_id).order_by(ExpertScore.id)
    return list(await session.scalars(query))


async def score_by(*, session: AsyncSession, application_id: int, expert_id: int) -> ExpertScore | None:
    """The sheet this expert gave, if any."""
    query = select(ExpertScore).where(ExpertScore.application_id == application_id, ExpertScore.expert_id == expert_id)
    return await session.scalar(query)


async def scored_by(*, session: AsyncSession, expert_id: int | None, application_ids: Collection[int]) -> set[int]:
    """Which of these applications the expert has already scored (one query)."""
    if expert_id is None or not application_ids:
        return set()
    query = select(ExpertScore.application_id).where(
        ExpertScore.expert_id == expert_id, ExpertScore.application_id.in_(list(application_ids))
    )
    return set(await session.scalars(query))


async def sheets_of(*, session: AsyncSession, application_ids: Collection[int]) -> dict[int, set[int]]:
    """The experts who have scored each of these applications, by application id (one query)."""
    if not application_ids:
        return {}
    query = select(ExpertScore.application_id, ExpertScore.expert_id).where(
        ExpertScore.application_id.in_(list(application_ids))
    )
    found: dict[int, set[int]] = {}
    for app_id, expert_id in (await session.execute(query)).all():
        found.setdefault(app_id, set()).add(expert_id)
    return found
