"""考核验收 ahead (第十条): the association hears, REMINDER_ASSESSMENT_DAYS before, which cycles end."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from handlers.reminders.candidate import GO_PENDING, Candidate, Names
from handlers.reminders.rules import Pass
from handlers.reminders.snapshot import Snapshot
from storage.models import RoleKind


def ending(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """One message per association officer, end date and step: the named studios whose cycle ends then."""
    thresholds = sorted(p.config.assessment_notice_days)
    grouped: dict[tuple[int, date, int], list[str]] = defaultdict(list)
    for s in snap.named_studios:
        if s.cycle_id is None or s.cycle_ends_on is None or s.cycle_assessed:
            continue
        left = (s.cycle_ends_on - p.today).days
        step = next((d for d in thresholds if 0 <= left <= d), None)
        if step is None:
            continue
        for uid in snap.associations(s.union_id):
            grouped[(uid, s.cycle_ends_on, step)].append(s.name)
    for (uid, ends_on, step), names in sorted(grouped.items()):
        params: dict[str, object] = {
            "count": len(names),
            "studios": Names(tuple(sorted(names))),
            "ends_on": ends_on.isoformat(),
            "days": (ends_on - p.today).days,
        }
        for pid in snap.officers(uid, RoleKind.ASSOCIATION):
            key = f"assess:u{uid}:{ends_on}:T-{step}:{pid}"
            yield Candidate(key, pid, "assess", "reminders.assessment_ahead", params, (GO_PENDING,))
