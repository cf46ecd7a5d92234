"""What one planning pass knows of the domain, read with a fixed number of statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.lifecycle.window import Windows
from handlers.roles import reviewing
from storage.models import OFFICER_ROLES, EntryStatus, RoleKind, UnionLevel
from storage.repos import reminder_entries, reminder_people, reminder_studios
from storage.repos import windows as window_repo
from storage.repos.reminder_rows import DelegationRow, EntryRow, NoticeRow, PersonRow, StudioRow, UnionRow


@dataclass
class Snapshot:
    """The rows the policy reads, indexed for lookups by studio, union and person."""

    people: dict[int, PersonRow]
    unions: dict[int, UnionRow]
    studios: list[StudioRow]
    returned: list[EntryRow]
    submitted: list[EntryRow]
    notices: list[NoticeRow]
    notice_studios: dict[int, tuple[str, int]]
    delegations: list[DelegationRow]
    leads_by_studio: dict[int, list[int]] = field(default_factory=dict)
    officers_by_union: dict[int, dict[RoleKind, list[int]]] = field(default_factory=dict)
    lead_ids: set[int] = field(default_factory=set)
    windows: Windows | None = None  # the application windows in force (None: the configured default)
    applicant_leads: set[int] = field(default_factory=set)  # leads of a studio that may apply in today's window
    _officers: dict[tuple[int, tuple[RoleKind, ...]], list[int]] = field(default_factory=dict, repr=False)
    _reviewing: dict[int, int | None] = field(default_factory=dict, repr=False)

    @cached_property
    def studio_by_id(self) -> dict[int, StudioRow]:
        """Every loaded studio by id: the named ones and those with entries waiting."""
        return {s.id: s for s in self.studios}

    @cached_property
    def named_studios(self) -> list[StudioRow]:
        """The named studios, the only ones with a cycle to keep and ledgers they must keep up."""
        return [s for s in self.studios if s.named]

    def ancestors(self, union_id: int) -> list[int]:
        """The union and the unions above it, nearest first (a cycle in bad data is cut)."""
        chain: list[int] = []
        current: int | None = union_id
        while current is not None and current in self.unions and current not in chain:
            chain.append(current)
            current = self.unions[current].parent_id
        return chain

    def officers(self, union_id: int, *kinds: RoleKind) -> list[int]:
        """The union's officers of these kinds (every officer role when none are named)."""
        key = (union_id, kinds)
        if key not in self._officers:
            found = self.officers_by_union.get(union_id, {})
            wanted = kinds or OFFICER_ROLES
            self._officers[key] = sorted({pid for kind in wanted for pid in found.get(kind, [])})
        return self._officers[key]

    def reviewing_union(self, union_id: int) -> int | None:
        """The union that reviews a studio of this union (handlers.roles.reviewing.reviewing_union decides)."""
        if union_id not in self._reviewing:
            chain = [self.unions[u] for u in self.ancestors(union_id)]
            found = reviewing.reviewing_union(chain)
            self._reviewing[union_id] = found.id if found else None
        return self._reviewing[union_id]

    def associations(self, union_id: int) -> list[int]:
        """The municipal association above this union (every municipal union if the chain has none)."""
        chain = self.ancestors(union_id)
        if chain and self.unions[chain[-1]].level is UnionLevel.MUNICIPAL:
            return [chain[-1]]
        return sorted(u.id for u in self.unions.values() if u.level is UnionLevel.MUNICIPAL)

    def delegate_of(self, reviewer_id: int) -> int | None:
        """Who stands in for this reviewer today, if anybody (the newest delegation wins)."""
        for row in self.delegations:
            if row.reviewer_id == reviewer_id:
                return row.delegate_id
        return None


async def load(
    *,
    session: AsyncSession,
    today: date,
    returned_before: datetime,
    submitted_before: datetime,
    windows: Windows | None = None,
    zone: tzinfo = UTC,
) -> Snapshot:
    """Read everything a pass needs; the statement count does not depend on the number of studios."""
    notices = await reminder_entries.ended_notices(session=session, before=today)
    waiting = await reminder_entries.waiting_entries(
        session=session, returned_before=returned_before, submitted_before=submitted_before
    )
    snapshot = Snapshot(
        people=await reminder_people.recipients(session=session),
        unions={u.id: u for u in await reminder_people.unions(session=session)},
        studios=await reminder_studios.studios(session=session),
        returned=[e for e in waiting if e.status is EntryStatus.RETURNED],
        submitted=[e for e in waiting if e.status is EntryStatus.SUBMITTED],
        notices=notices,
        notice_studios=await reminder_studios.studios_by_id(session=session, ids=[n.studio_id for n in notices]),
        delegations=await reminder_people.active_delegations(session=session, on=today),
    )
    leads, officers_rows = await reminder_people.roles(session=session)
    by_studio: dict[int, list[int]] = defaultdict(list)
    for studio_id, person_id in leads:
        by_studio[studio_id].append(person_id)
        snapshot.lead_ids.add(person_id)
    snapshot.leads_by_studio = dict(by_studio)
    officers: dict[int, dict[RoleKind, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in officers_rows:
        officers[row.union_id][row.kind].append(row.person_id)
    snapshot.officers_by_union = {uid: dict(kinds) for uid, kinds in officers.items()}
    snapshot.windows = windows
    span = windows.containing(today) if windows is not None else None
    if span is not None:
        since = datetime.combine(span[0], time(), zone)
        snapshot.applicant_leads = await window_repo.leads_who_may_apply(session=session, since=since)
    return snapshot
