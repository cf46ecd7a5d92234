"""The monthly digest to each union: its studios' new entries, approvals, and who logged nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from handlers.reminders.candidate import GO_PENDING, Candidate, Msg, Names
from handlers.reminders.rules import Pass
from handlers.reminders.snapshot import Snapshot
from storage.models import DECIDING_ROLES
from storage.repos.reminder_rows import MonthCounts


def previous_month(today: date) -> tuple[date, date]:
    """The first day of last month and of this month."""
    this = today.replace(day=1)
    return (this - timedelta(days=1)).replace(day=1), this


def _under(snap: Snapshot, studios: Sequence[tuple[int, str, int]]) -> dict[int, list[tuple[int, str]]]:
    """Each union's studios among (id, name, union id), its own and those of the unions below it."""
    under: dict[int, list[tuple[int, str]]] = defaultdict(list)
    chains: dict[int, list[int]] = {}
    for sid, name, union_id in studios:
        if union_id not in chains:
            chains[union_id] = snap.ancestors(union_id)
        for uid in chains[union_id]:
            under[uid].append((sid, name))
    return under


def candidates(snap: Snapshot, p: Pass) -> list[Candidate]:
    """One digest of last month per officer of a union with a named studio or an entry waiting; figures come later."""
    start, _ = previous_month(p.today)
    under = _under(snap, [(s.id, s.name, s.union_id) for s in snap.studios])
    found: list[Candidate] = []
    for uid in sorted(under):
        deciders = set(snap.officers(uid, *DECIDING_ROLES))
        for pid in snap.officers(uid):
            key = f"digest:{uid}:{start:%Y-%m}:{pid}"
            go = (GO_PENDING,) if pid in deciders else ()  # an enterprise union or an admin has no 待审 list
            found.append(Candidate(key, pid, "digest", "reminders.digest", {}, go, union_id=uid))
    return found


def fill(due: Sequence[Candidate], snap: Snapshot, p: Pass, counts: MonthCounts) -> set[str]:
    """Put last month's figures into the digests that are going out; return the keys of those with anything to say.

    A union's studios are its named ones, whether they logged or not, and every other studio of it
    that had entries created or approved that month.
    """
    start, _ = previous_month(p.today)
    named = [(s.id, s.name, s.union_id) for s in snap.named_studios]
    named_ids = {sid for sid, _, _ in named}
    others = [(sid, name, uid) for sid, (name, uid) in counts.studio_of.items() if sid not in named_ids]
    under = _under(snap, named + others)
    figures: dict[int, dict[str, object] | None] = {}
    kept: set[str] = set()
    for c in due:
        if c.union_id is None:
            continue
        if c.union_id not in figures:
            studios = sorted(under.get(c.union_id, []), key=lambda s: s[1])
            quiet = [name for sid, name in studios if not counts.created.get(sid)]
            quiet_line = (
                Msg("reminders.digest.quiet", (("count", len(quiet)), ("names", Names(tuple(quiet)))))
                if quiet
                else Msg("reminders.digest.quiet_none")
            )
            figures[c.union_id] = (
                {
                    "union": snap.unions[c.union_id].name,
                    "month": f"{start:%Y-%m}",
                    "studios": len(studios),
                    "entries": sum(counts.created.get(sid, 0) for sid, _ in studios),
                    "approvals": sum(counts.approved.get(sid, 0) for sid, _ in studios),
                    "quiet": quiet_line,
                }
                if studios
                else None  # only unnamed studios with nothing last month: no digest
            )
        found = figures[c.union_id]
        if found is not None:
            c.params = found
            kept.add(c.key)
    return kept
