"""A year's applications side by side: the rows, their expert totals and the district's 推荐意见 (fixed queries)."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Application, ApplicationStage, Decision, ExpertScore, ReviewDecision, Studio

# never submitted, or taken back by the applicant: not part of the year's batch
OUTSIDE = (ApplicationStage.DRAFT, ApplicationStage.WITHDRAWN)


async def of_year(*, session: AsyncSession, year: int) -> list[tuple[Application, Studio]]:
    """The year's submitted applications with their studios, oldest first."""
    query = (
        select(Application, Studio)
        .join(Studio, Studio.id == Application.studio_id)
        .where(Application.year == year, Application.stage.not_in(OUTSIDE))
        .order_by(Application.submitted_at, Application.id)
    )
    return [(app, studio) for app, studio in (await session.execute(query)).all()]


async def totals(*, session: AsyncSession, application_ids: Collection[int]) -> dict[int, list[Decimal]]:
    """Each application's expert totals (one query)."""
    if not application_ids:
        return {}
    query = select(ExpertScore.application_id, ExpertScore.total).where(
        ExpertScore.application_id.in_(list(application_ids))
    )
    found: dict[int, list[Decimal]] = {}
    for app_id, total in (await session.execute(query)).all():
        found.setdefault(app_id, []).append(total)
    return found


async def opinions(*, session: AsyncSession, application_ids: Collection[int]) -> dict[int, str]:
    """The district's 推荐意见 of each recommended application (one query)."""
    if not application_ids:
        return {}
    query = select(ReviewDecision.application_id, ReviewDecision.reason).where(
        ReviewDecision.application_id.in_(list(application_ids)),
        ReviewDecision.stage == ApplicationStage.SUBMITTED.value,
        ReviewDecision.decision == Decision.RECOMMEND,
    )
    return {app_id: reason or "" for app_id, reason in (await session.execute(query)).all() if app_id is not None}
