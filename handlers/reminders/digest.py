"""The monthly digest to each union: its studios' new entries, approvals, and who logged nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from handlers.reminders.candidate import GO_PENDING, Candidate, Msg, Names
from handlers.reminders.rules import Pass
from handlers.reminders.snapshot import Snapshot
from storage.repos.reminders import StudioRow


def previous_month(today: date) -> tuple[date, date]:
    """The first day of last month and of this month."""
    this = today.replace(day=1)
    return (this - timedelta(days=1)).replace(day=1), this


def studios_under(snap: Snapshot) -> dict[int, list[StudioRow]]:
    """Each union's named studios, its own and those of the unions below it."""
    under: dict[int, list[StudioRow]] = defaultdict(list)
    chains: dict[int, list[int]] = {}
    for s in snap.studios:
        if s.union_id not in chains:
            chains[s.union_id] = snap.ancestors(s.union_id)
        for uid in chains[s.union_id]:
            under[uid].append(s)
    return under


def candidates(snap: Snapshot, p: Pass) -> list[Candidate]:
    """One digest of last month per union officer whose union has studios; figures come later."""
    start, _ = previous_month(p.today)
    under = studios_under(snap)
    found: list[Candidate] = []
    for uid in sorted(under):
        for pid in snap.officers(uid):
            key = f"digest:{uid}:{start:%Y-%m}:{pid}"
            found.append(Candidate(key, pid, "digest", "reminders.digest", {}, (GO_PENDING,), union_id=uid))
    return found


def fill(due: Sequence[Candidate], snap: Snapshot, p: Pass, created: dict[int, int], approved: dict[int, int]) -> None:
    """Put last month's figures into the digests that are going out."""
    start, _ = previous_month(p.today)
    under = studios_under(snap)
    figures: dict[int, dict[str, object]] = {}
    for c in due:
        if c.union_id is None:
            continue
        if c.union_id not in figures:
            studios = sorted(under.get(c.union_id, []), key=lambda s: s.name)
            quiet = [s.name for s in studios if not created.get(s.id)]
            quiet_line = (
                Msg("reminders.digest.quiet", (("count", len(quiet)), ("names", Names(tuple(quiet)))))
                if quiet
                else Msg("reminders.digest.quiet_none")
            )
            figures[c.union_id] = {
                "union": snap.unions[c.union_id].name,
                "month": f"{start:%Y-%m}",
                "studios": len(studios),
                "entries": sum(created.get(s.id, 0) for s in studios),
                "approvals": sum(approved.get(s.id, 0) for s in studios),
                "quiet": quiet_line,
            }
        c.params = figures[c.union_id]
