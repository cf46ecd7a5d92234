"""Two records of one human joined into one: everything that points at the second points at the first."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Base, ExpertScore, Person, Role

_PEOPLE = Person.__table__


class MergeConflict(Exception):
    """Both records hold something only one person may hold (the caller explains it)."""


@dataclass
class Merged:
    """What moved from the merged record to the kept one, by table."""

    moved: dict[str, int] = field(default_factory=dict)
    roles_folded: int = 0  # roles both held: the kept one's stays, the other is deactivated


def _person_columns() -> list[Column[int]]:
    """Every column, in every table, that refers to a person (but a role's, folded separately)."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is _PEOPLE and table is not Role.__table__
    ]


async def merge_people(*, session: AsyncSession, keep: Person, gone: Person) -> Merged:
    """Point identities, roles, entries, decisions, audit rows … of `gone` at `keep`, and deactivate `gone`."""
    theirs = aliased(ExpertScore)
    both_scored = await session.scalar(
        select(ExpertScore.id)
        .join(theirs, theirs.application_id == ExpertScore.application_id)
        .where(ExpertScore.expert_id == keep.id, theirs.expert_id == gone.id)
        .limit(1)
    )
    if both_scored is not None:  # one expert scores an application once
        raise MergeConflict("expert_score")
    merged = Merged()
    kept = {
        (r.kind, r.studio_id, r.union_id): r
        for r in await session.scalars(select(Role).where(Role.person_id == keep.id))
    }
    for role in await session.scalars(select(Role).where(Role.person_id == gone.id)):
        twin = kept.get((role.kind, role.studio_id, role.union_id))
        if twin is None:
            role.person_id = keep.id
            merged.moved["roles"] = merged.moved.get("roles", 0) + 1
        else:  # the unique (person, kind, studio, union) allows one row: keep it, active if either was
            twin.active = twin.active or role.active
            role.active = False
            merged.roles_folded += 1
    for column in _person_columns():
        result = await session.execute(update(column.table).where(column == gone.id).values({column.name: keep.id}))
        if result.rowcount:  # type: ignore[attr-defined]
            merged.moved[f"{column.table.name}.{column.name}"] = int(result.rowcount)  # type: ignore[attr-defined]
    for attribute in ("phone", "grade", "enterprise"):
        if not getattr(keep, attribute) and getattr(gone, attribute):
            setattr(keep, attribute, getattr(gone, attribute))
    gone.active = False
    await session.flush()
    return merged
