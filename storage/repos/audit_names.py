"""The names an audit trail needs (people, studios, unions, entries, roles …), read in one query per kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Application,
    AuditLog,
    ChannelIdentity,
    Cycle,
    Delegation,
    ExpertScore,
    LedgerEntry,
    Objection,
    Person,
    Role,
    Studio,
    Union,
)

Subject = dict[str, Any]  # "type" and "id", then names with their ids beside them


@dataclass
class Names:
    """Who acted, which studio, and what each row's object is, by (object type, id)."""

    people: dict[int, str] = field(default_factory=dict)
    studios: dict[int, str] = field(default_factory=dict)
    unions: dict[int, str] = field(default_factory=dict)
    subjects: dict[tuple[str, int], Subject] = field(default_factory=dict)

    def subject(self, row: AuditLog) -> Subject:
        """The row's object with its names (just type and id if it is gone)."""
        return self.subjects.get((row.object_type, row.object_id), {"type": row.object_type, "id": row.object_id})


async def names_for(*, session: AsyncSession, rows: Sequence[AuditLog]) -> Names:
    """Everything `rows` refer to, named: a fixed number of queries however many rows there are."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.object_type].add(row.object_id)
    found: dict[tuple[str, int], Subject] = {}
    people = {r.actor_id for r in rows if r.actor_id} | wanted["person"]
    studios = {r.studio_id for r in rows if r.studio_id} | wanted["studio"]
    unions = set(wanted["union"])

    async def load(model: Any, kind: str) -> list[Any]:
        ids = sorted(wanted[kind])
        return list(await session.scalars(select(model).where(model.id.in_(ids)))) if ids else []

    for e in await load(LedgerEntry, "entry"):
        found["entry", e.id] = {"kind": e.kind.value, "title": e.title, "studio_id": e.studio_id}
        studios.add(e.studio_id)
    for r in await load(Role, "role"):
        found["role", r.id] = {
            "kind": r.kind.value,
            "person_id": r.person_id,
            "studio_id": r.studio_id,
            "union_id": r.union_id,
        }
        people.add(r.person_id)
        studios |= {r.studio_id} if r.studio_id else set()
        unions |= {r.union_id} if r.union_id else set()
    for i in await load(ChannelIdentity, "identity"):
        found["identity", i.id] = {"channel": i.channel, "person_id": i.person_id}
        people.add(i.person_id)
    for a in await load(Application, "application"):
        found["application", a.id] = {"year": a.year, "studio_id": a.studio_id}
        studios.add(a.studio_id)
    for c in await load(Cycle, "cycle"):
        found["cycle", c.id] = {"number": c.number, "studio_id": c.studio_id}
        studios.add(c.studio_id)
    for o in await load(Objection, "objection"):
        found["objection", o.id] = {"application_id": o.application_id}
    for s in await load(ExpertScore, "expert_score"):
        found["expert_score", s.id] = {"application_id": s.application_id, "expert_id": s.expert_id}
        people.add(s.expert_id)
    for d in await load(Delegation, "delegation"):
        found["delegation", d.id] = {"reviewer_id": d.reviewer_id, "delegate_id": d.delegate_id}
        people |= {d.reviewer_id, d.delegate_id}

    names = Names(
        people=await _names(session, Person, people),
        studios=await _names(session, Studio, studios),
        unions=await _names(session, Union, unions),
    )
    for kind, ids, table in (("person", wanted["person"], names.people), ("studio", wanted["studio"], names.studios),
                             ("union", wanted["union"], names.unions)):  # fmt: skip
        for object_id in ids:
            if object_id in table:
                found[kind, object_id] = {"name": table[object_id]}
    for subject in found.values():  # a name beside every id
        for key in ("person", "studio", "union", "expert", "reviewer", "delegate"):
            if f"{key}_id" in subject:
                pool = names.studios if key == "studio" else names.unions if key == "union" else names.people
                subject[key] = pool.get(subject[f"{key}_id"]) if subject[f"{key}_id"] else None
    names.subjects = {(kind, object_id): {"type": kind, "id": object_id, **s} for (kind, object_id), s in found.items()}
    return names


async def _names(session: AsyncSession, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(model.id, model.name).where(model.id.in_(sorted(ids))))
    return {object_id: name for object_id, name in rows.all()}
