"""The figures of many ended cycles compiled at once: a fixed number of statements, however many cycles."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handlers.assessment.figures import COUNTED, Figures, count_entry
from storage.exports.ledgers import cycles_ledger_query
from storage.models import Cycle, EntryStatus, LedgerEntry, Role, RoleKind


async def compile_cycles(
    *, session: AsyncSession, cycle_ids: Select[Any], spans: Mapping[int, tuple[date, date]]
) -> dict[int, Figures]:
    """Each cycle's figures over its whole span (what `compile_figures` gives as of its last day), by cycle id.

    `cycle_ids` selects the cycles; `spans` gives each one's first and last day (a cycle it lacks is left out).
    """
    figures = {cid: Figures(starts_on=starts, ends_on=ends) for cid, (starts, ends) in spans.items()}
    for kind in COUNTED:
        for row in (await session.execute(cycles_ledger_query(kind, cycle_ids))).mappings():
            if (found := figures.get(row["cycle_id"])) is not None:
                count_entry(found, kind, row)
    # 第三条 counts members besides the lead: a lead who also holds a member role is not counted twice
    lead = aliased(Role)
    is_lead = exists().where(
        lead.studio_id == Role.studio_id, lead.person_id == Role.person_id, lead.kind == RoleKind.LEAD, lead.active
    )
    members = await session.execute(
        select(Cycle.id, func.count(func.distinct(Role.person_id)))
        .join(Role, Role.studio_id == Cycle.studio_id)
        .where(Cycle.id.in_(cycle_ids), Role.kind == RoleKind.MEMBER, Role.active, ~is_lead)
        .group_by(Cycle.id)
    )
    for cid, count in members.all():
        if cid in figures:
            figures[cid].members = int(count)
    waiting = await session.execute(
        select(Cycle.id, LedgerEntry.status, func.count(LedgerEntry.id))
        .join(
            LedgerEntry,
            and_(
                LedgerEntry.studio_id == Cycle.studio_id,
                LedgerEntry.occurred_on.between(Cycle.starts_on, Cycle.ends_on),
            ),
        )
        .where(Cycle.id.in_(cycle_ids), LedgerEntry.status.in_([EntryStatus.SUBMITTED, EntryStatus.RETURNED]))
        .group_by(Cycle.id, LedgerEntry.status)
    )
    for cid, status, count in waiting.all():
        if cid not in figures:
            continue
        if status == EntryStatus.SUBMITTED:
            figures[cid].waiting_review = int(count)
        else:
            figures[cid].waiting_fix = int(count)
    return figures
