"""The figures of many ended cycles compiled at once: a fixed number of statements, however many cycles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handlers.assessment.figures import COUNTED, Figures, count_entry
from storage.exports.ledgers import cycles_ledger_query
from storage.models import Cycle, EntryStatus, LedgerEntry, Role, RoleKind


async def compile_cycles(
    *, session: AsyncSession, cycle_ids: Select[Any], spans: Mapping[int, tuple[int, date, date]]
) -> dict[int, Figures]:
    """Each cycle's figures over its whole span (what `compile_figures` gives as of its last day), by cycle id.

    `cycle_ids` selects the cycles; `spans` gives each one's studio, first and last day (one it lacks is left out).
    """
    figures = {cid: Figures(starts_on=starts, ends_on=ends) for cid, (_, starts, ends) in spans.items()}
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
    # the waiting entries of the cycles' studios, few by nature, matched to their cycle here: a join on dates
    # leads SQLite's planner to read every waiting entry once per cycle
    studio_ids = select(Cycle.studio_id).where(Cycle.id.in_(cycle_ids))
    waiting = await session.execute(
        select(LedgerEntry.studio_id, LedgerEntry.status, LedgerEntry.occurred_on).where(
            LedgerEntry.studio_id.in_(studio_ids), LedgerEntry.status.in_([EntryStatus.SUBMITTED, EntryStatus.RETURNED])
        )
    )
    by_studio: dict[int, list[tuple[int, date, date]]] = defaultdict(list)
    for cid, (studio_id, starts, ends) in spans.items():
        by_studio[studio_id].append((cid, starts, ends))
    for studio_id, status, day in waiting.all():
        for cid, starts, ends in by_studio.get(studio_id, ()):
            if starts <= day <= ends:
                if status == EntryStatus.SUBMITTED:
                    figures[cid].waiting_review += 1
                else:
                    figures[cid].waiting_fix += 1
    return figures
