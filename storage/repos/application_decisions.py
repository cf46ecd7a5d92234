"""The one decision taken at each stage of an application for the title (申报).

A stage moves with one conditional UPDATE (applications.move: only the transaction that still sees the
expected stage wins) and then writes its decision here, guarded by the unique constraint (application_id, stage).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApplicationStage, Decision, ReviewDecision


async def record_decision(
    *,
    session: AsyncSession,
    application_id: int,
    stage: ApplicationStage,
    decision: Decision,
    reviewer_id: int,
    channel: str,
    now: datetime,
    reason: str | None = None,
    on_behalf_of_id: int | None = None,
) -> ReviewDecision:
    """Write the one decision taken at a stage (call after `move` succeeded)."""
    row = ReviewDecision(
        application_id=application_id,
        stage=stage.value,
        decision=decision,
        reviewer_id=reviewer_id,
        on_behalf_of_id=on_behalf_of_id,
        channel=channel,
        reason=reason,
        decided_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def decision_at(*, session: AsyncSession, application_id: int, stage: ApplicationStage) -> ReviewDecision | None:
    """The decision taken at a stage of the application, if any."""
    query = (
        select(ReviewDecision)
        .where(ReviewDecision.application_id == application_id, ReviewDecision.stage == stage.value)
        .execution_options(populate_existing=True)
    )
    return await session.scalar(query)


async def returned_by(*, session: AsyncSession, application_id: int) -> ReviewDecision | None:
    """The decision that returned the application for changes, if it was returned."""
    query = select(ReviewDecision).where(
        ReviewDecision.application_id == application_id, ReviewDecision.decision == Decision.RETURN
    )
    return await session.scalar(query.order_by(ReviewDecision.id.desc()).limit(1))
