"""Applications for the title (申报): drafts, submission, stage moves, and the public-notice objections to them.

A stage moves with one conditional UPDATE (only the transaction that still sees the expected stage
wins); application_decisions then writes the decision taken there. Experts' sheets are in expert_scores.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Application,
    ApplicationStage,
    Objection,
    ObjectionStatus,
    Studio,
)

# Stages in which an application is alive: a studio has at most one such application.
OPEN_STAGES = frozenset(
    {
        ApplicationStage.SUBMITTED,
        ApplicationStage.RECOMMENDED,
        ApplicationStage.REVIEWED,
        ApplicationStage.EVALUATED,
        ApplicationStage.PUBLIC_NOTICE,
    }
)


async def fresh(*, session: AsyncSession, application_id: int) -> Application | None:
    """The application as the database has it now."""
    query = select(Application).where(Application.id == application_id).execution_options(populate_existing=True)
    return await session.scalar(query)


async def latest_for_studio(
    *, session: AsyncSession, studio_id: int, stages: Collection[ApplicationStage] | None = None
) -> Application | None:
    """The studio's newest application (in one of `stages`, when given)."""
    query = select(Application).where(Application.studio_id == studio_id)
    if stages:
        query = query.where(Application.stage.in_(list(stages)))
    return await session.scalar(query.order_by(Application.id.desc()).limit(1))


async def save_draft(
    *,
    session: AsyncSession,
    studio_id: int,
    applicant_id: int,
    year: int,
    data: Mapping[str, Any],
    now: datetime,
    resubmits_id: int | None = None,
) -> Application:
    """Keep the answers of an application that cannot be submitted yet (one draft per studio)."""
    draft = await latest_for_studio(session=session, studio_id=studio_id, stages={ApplicationStage.DRAFT})
    if draft is None:
        draft = Application(studio_id=studio_id, applicant_id=applicant_id, year=year, stage_changed_at=now)
        session.add(draft)
    draft.data, draft.applicant_id, draft.year = dict(data), applicant_id, year
    draft.resubmits_id = resubmits_id or draft.resubmits_id
    await session.flush()
    return draft


async def submit(
    *,
    session: AsyncSession,
    studio_id: int,
    applicant_id: int,
    year: int,
    data: Mapping[str, Any],
    now: datetime,
    resubmits_id: int | None = None,
) -> Application:
    """Submit an application (the studio's draft becomes it, or a new row); stage submitted."""
    app = await save_draft(
        session=session,
        studio_id=studio_id,
        applicant_id=applicant_id,
        year=year,
        data=data,
        now=now,
        resubmits_id=resubmits_id,
    )
    app.stage, app.submitted_at, app.stage_changed_at = ApplicationStage.SUBMITTED, now, now
    await session.flush()
    return app


async def move(
    *,
    session: AsyncSession,
    application_id: int,
    expected: ApplicationStage,
    to: ApplicationStage,
    now: datetime,
    notice: tuple[date, date] | None = None,
) -> bool:
    """Move the application from `expected` to `to`; False if it is no longer at `expected`."""
    values: dict[str, Any] = {"stage": to, "stage_changed_at": now}
    if notice is not None:
        values["notice_starts_on"], values["notice_ends_on"] = notice
    result = await session.execute(
        update(Application)
        .where(Application.id == application_id, Application.stage == expected)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def in_stages(
    *, session: AsyncSession, stages: Collection[ApplicationStage], union_ids: Collection[int] | None = None
) -> list[tuple[Application, Studio]]:
    """Applications in these stages (of studios of these unions, when given), oldest first."""
    query = select(Application, Studio).join(Studio, Studio.id == Application.studio_id)
    query = query.where(Application.stage.in_(list(stages)))
    if union_ids is not None:
        query = query.where(Studio.union_id.in_(list(union_ids)))
    query = query.order_by(Application.stage_changed_at, Application.id)
    return [(app, studio) for app, studio in (await session.execute(query)).all()]


async def studios_of(*, session: AsyncSession, application_ids: Collection[int]) -> dict[int, Studio]:
    """The studio of each of these applications, by application id (one query)."""
    if not application_ids:
        return {}
    query = (
        select(Application.id, Studio)
        .join(Studio, Studio.id == Application.studio_id)
        .where(Application.id.in_(list(application_ids)))
    )
    return {app_id: studio for app_id, studio in (await session.execute(query)).all()}


async def raise_objection(
    *, session: AsyncSession, application_id: int, raised_by_id: int, text: str, now: datetime
) -> Objection:
    """Record an objection raised during the public notice."""
    row = Objection(application_id=application_id, raised_by_id=raised_by_id, text=text, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def resolve_objection(
    *,
    session: AsyncSession,
    objection_id: int,
    status: ObjectionStatus,
    resolver_id: int,
    resolution: str,
    now: datetime,
) -> bool:
    """Uphold or dismiss an open objection; False if somebody resolved it first."""
    result = await session.execute(
        update(Objection)
        .where(Objection.id == objection_id, Objection.status == ObjectionStatus.OPEN)
        .values(status=status, resolved_by_id=resolver_id, resolution=resolution, resolved_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def fresh_objection(*, session: AsyncSession, objection_id: int) -> Objection | None:
    """The objection as the database has it now."""
    query = select(Objection).where(Objection.id == objection_id).execution_options(populate_existing=True)
    return await session.scalar(query)


async def open_objections(*, session: AsyncSession, application_ids: Collection[int] | None = None) -> list[Objection]:
    """Objections nobody has resolved yet (of these applications, when given), oldest first."""
    query = select(Objection).where(Objection.status == ObjectionStatus.OPEN)
    if application_ids is not None:
        query = query.where(Objection.application_id.in_(list(application_ids)))
    return list(await session.scalars(query.order_by(Objection.id)))


async def count_open_objections(*, session: AsyncSession, application_id: int) -> int:
    """How many objections to the application still wait."""
    query = select(func.count(Objection.id)).where(
        Objection.application_id == application_id, Objection.status == ObjectionStatus.OPEN
    )
    return int(await session.scalar(query) or 0)
