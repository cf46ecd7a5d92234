"""The data checks: unions and stages where nobody can act, people who never bound, work left waiting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.health.findings import Finding, stall, warn
from handlers.reminders.calendar import working_days_after
from handlers.roles.reviewing import reviewing_union
from storage import health as repo
from storage.health import RoleFact, StudioFact, UnionFact
from storage.models import DECIDING_ROLES, ApplicationStage, OutboxStatus, RoleKind, StudioStatus, UnionLevel

CYCLE_HORIZON_DAYS = 60
S = ApplicationStage


@dataclass(frozen=True, slots=True)
class Limits:
    """The moment checked and the rules the data is held against."""

    now: datetime
    tz: ZoneInfo
    review_working_days: int
    experts_needed: int

    @property
    def today(self) -> date:
        """Today in the configured time zone."""
        return self.now.astimezone(self.tz).date()

    def waited(self, since: datetime) -> int:
        """Working days waited since a stored moment."""
        return working_days_after(since.astimezone(self.tz).date(), self.today)


@dataclass
class _World:
    unions: dict[int, UnionFact]
    studios: dict[int, StudioFact]
    roles: list[RoleFact]

    def chain(self, union_id: int) -> list[UnionFact]:
        found: list[UnionFact] = []
        current: int | None = union_id
        while current is not None and current in self.unions and self.unions[current] not in found:
            found.append(self.unions[current])
            current = self.unions[current].parent_id
        return found

    def reviewer_of(self, studio: StudioFact) -> UnionFact | None:
        return reviewing_union(self.chain(studio.union_id))

    def holders(self, kind: RoleKind, *, union_id: int | None = None, studio_id: int | None = None) -> list[RoleFact]:
        return [
            r
            for r in self.roles
            if r.kind is kind
            and (union_id is None or r.union_id == union_id)
            and (studio_id is None or r.studio_id == studio_id)
        ]

    @property
    def associations(self) -> list[UnionFact]:
        return [u for u in self.unions.values() if u.level is UnionLevel.MUNICIPAL]


async def check_data(session: AsyncSession, limits: Limits) -> list[Finding]:
    """Every data finding, in a stable order: organisation first, then waiting work, then what is coming."""
    world = _World(
        {u.id: u for u in await repo.unions(session=session)},
        {s.id: s for s in await repo.studios(session=session)},
        await repo.active_roles(session=session),
    )
    found = [*_organisation(world, limits), *_unbound(world)]
    found += await _waiting(session, world, limits)
    trouble = await repo.outbox_trouble(session=session)
    for status in (OutboxStatus.FAILED, OutboxStatus.NEEDS_LOOK):
        if trouble.get(status):
            found.append(stall(f"outbox.{status.value}", count=trouble[status]))
    horizon = limits.today + timedelta(days=CYCLE_HORIZON_DAYS)
    for cycle in await repo.cycles_ending(session=session, start=limits.today, end=horizon):
        name = world.studios[cycle.studio_id].name
        found.append(warn("cycle.ending", name, ends_on=cycle.ends_on, days=(cycle.ends_on - limits.today).days))
    return found


def _organisation(world: _World, limits: Limits) -> Iterator[Finding]:
    """Unions with studios but no reviewer, no association officer, too few experts, named studios without a lead."""
    if not world.studios:
        return
    reviewed: dict[int, int] = defaultdict(int)
    for studio in world.studios.values():
        union = world.reviewer_of(studio)
        if union is not None:
            reviewed[union.id] += 1
    for union_id, count in sorted(reviewed.items()):
        union = world.unions[union_id]
        if union.level is not UnionLevel.MUNICIPAL and not world.holders(RoleKind.REVIEWER, union_id=union_id):
            yield stall("union.no_reviewer", union.name, studios=count)
    if not world.associations:
        yield stall("association.missing")
    for union in world.associations:
        if not world.holders(RoleKind.ASSOCIATION, union_id=union.id):
            yield stall("association.no_reviewer", union.name)
    # the association's expert committee: an expert role held on another union scores nothing
    committee = [r for u in world.associations for r in world.holders(RoleKind.EXPERT, union_id=u.id)]
    experts = {r.person_id for r in committee if r.bound}
    if len(experts) < limits.experts_needed:
        unbound = {r.person_id for r in committee if not r.bound}
        yield stall("experts.too_few", have=len(experts), needed=limits.experts_needed, unbound=len(unbound))
    for studio in world.studios.values():
        if studio.status is StudioStatus.NAMED and not world.holders(RoleKind.LEAD, studio_id=studio.id):
            yield stall("studio.no_lead", studio.name)


def _unbound(world: _World) -> Iterator[Finding]:
    """Leads and reviewers who hold a role but never bound an account: nothing reaches them."""
    leads: dict[int, list[str]] = defaultdict(list)
    reviewers: dict[int, list[str]] = defaultdict(list)
    for role in world.roles:
        if role.bound:
            continue
        if role.kind is RoleKind.LEAD and role.studio_id in world.studios:
            leads[role.studio_id].append(role.person_name)
        elif role.kind in DECIDING_ROLES and role.union_id in world.unions:
            reviewers[role.union_id].append(role.person_name)
    for studio_id, names in sorted(leads.items()):
        yield stall("lead.unbound", world.studios[studio_id].name, people=tuple(names), count=len(names))
    for union_id, names in sorted(reviewers.items()):
        yield stall("reviewer.unbound", world.unions[union_id].name, people=tuple(names), count=len(names))


async def _waiting(session: AsyncSession, world: _World, limits: Limits) -> list[Finding]:
    """Entry reviews and application stages waiting longer than the reminder rules allow."""
    # calendar days bound working days from above: everything overdue was changed before this moment
    before = limits.now - timedelta(days=limits.review_working_days)
    per_union: dict[int, list[int]] = defaultdict(list)
    for entry in await repo.entries_waiting(session=session, before=before):
        studio = world.studios.get(entry.studio_id)
        union = world.reviewer_of(studio) if studio else None
        waited = limits.waited(entry.since)
        if union is not None and waited > limits.review_working_days:
            per_union[union.id].append(waited)
    found: list[Finding] = [
        stall(
            "entries.waiting",
            world.unions[uid].name,
            count=len(days),
            oldest=max(days),
            limit=limits.review_working_days,
        )
        for uid, days in sorted(per_union.items())
    ]
    for app in await repo.applications_waiting(session=session, before=before, today=limits.today):
        name = world.studios[app.studio_id].name
        if app.stage is S.PUBLIC_NOTICE:
            found.append(stall("application.notice_over", name, ends_on=app.notice_ends_on))
            continue
        waited = limits.waited(app.since)
        if waited > limits.review_working_days:
            found.append(stall("application.waiting", name, stage=app.stage.value, days=waited))
    return found
