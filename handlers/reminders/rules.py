"""The reminder policy: which reminders are due today, to whom, under which idempotency key.

Each rule offers the reminder for its current step only (the nearest cycle threshold crossed, the
latest idle anchor): a pass after missed ticks catches up, and a stale step is never sent late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from handlers.core.config import HandlerConfig
from handlers.lifecycle.window import defaults
from handlers.reminders.calendar import working_days_after
from handlers.reminders.candidate import (
    GO_ACTIVITY,
    GO_APPLY,
    GO_LEDGER,
    GO_PENDING,
    Candidate,
    Msg,
    Names,
    open_review,
)
from handlers.reminders.snapshot import Snapshot
from storage.ledger_specs import SPECS
from storage.models import DECIDING_ROLES, LedgerKind


@dataclass(frozen=True)
class Pass:
    """The moment a pass plans for."""

    now: datetime
    today: date
    config: HandlerConfig

    def local_date(self, moment: datetime) -> date:
        """A stored UTC time's date in the configured zone."""
        return moment.astimezone(self.config.tz).date()


def _kind(kind: object) -> Msg:
    return Msg(SPECS[LedgerKind(str(kind))].message("noun"))


def cycles(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """Cycle end approaching (to leads; to reviewers one message per end date), assessment overdue (association).

    Studios are named in yearly batches, so many cycles end on the same day: a reviewer or the
    association hears once about all of them, the lead about their own studio.
    """
    thresholds = sorted(p.config.cycle_reminder_days)
    ending: dict[tuple[int, date, int], list[str]] = defaultdict(list)
    overdue: dict[tuple[int, date], list[str]] = defaultdict(list)
    for s in snap.named_studios:
        if s.cycle_id is None or s.cycle_ends_on is None or s.cycle_assessed:
            continue
        left = (s.cycle_ends_on - p.today).days
        if left < 0:
            for uid in snap.associations(s.union_id):
                overdue[(uid, s.cycle_ends_on)].append(s.name)
            continue
        step = next((d for d in thresholds if left <= d), None)
        if step is None:
            continue
        params: dict[str, object] = {"studio": s.name, "ends_on": s.cycle_ends_on.isoformat(), "days": left}
        for pid in snap.leads_by_studio.get(s.id, []):
            key = f"cycle:{s.id}:{s.cycle_id}:T-{step}:{pid}"
            yield Candidate(key, pid, "cycle", "reminders.cycle.lead", params, (GO_ACTIVITY, GO_LEDGER))
        reviewing = snap.reviewing_union(s.union_id)
        if reviewing is not None:
            ending[(reviewing, s.cycle_ends_on, step)].append(s.name)
    for (uid, ends_on, step), names in sorted(ending.items()):
        params = {"count": len(names), "studios": Names(tuple(sorted(names))), "ends_on": ends_on.isoformat()}
        params["days"] = (ends_on - p.today).days
        for pid in snap.officers(uid, *DECIDING_ROLES):
            key = f"cycle:u{uid}:{ends_on}:T-{step}:{pid}"
            yield Candidate(key, pid, "cycle", "reminders.cycle.reviewer", params, (GO_PENDING,))
    for (uid, ends_on), names in sorted(overdue.items()):
        params = {"count": len(names), "studios": Names(tuple(sorted(names))), "ends_on": ends_on.isoformat()}
        params["days"] = (p.today - ends_on).days
        for pid in snap.officers(uid):
            key = f"overdue:u{uid}:{ends_on}:{pid}"
            yield Candidate(key, pid, "overdue", "reminders.overdue", params, (GO_PENDING,))


def idle(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """No activity logged for N days: to the leads of named studios, at most once a calendar month."""
    days = p.config.reminder_idle_days
    for s in snap.named_studios:
        last = s.last_activity
        base = p.local_date(last) if last else max(p.local_date(s.created_at), s.named_on or date.min)
        waited = (p.today - base).days
        if waited < days:
            continue
        anchor = base + timedelta(days=days * (waited // days))
        params: dict[str, object] = {"studio": s.name, "days": waited}
        text = "reminders.idle" if last else "reminders.idle.never"
        if last:
            params["last"] = base.isoformat()
        for pid in snap.leads_by_studio.get(s.id, []):
            key = f"idle:{s.id}:{anchor:%Y-%m}:{pid}"
            yield Candidate(key, pid, "idle", text, params, (GO_ACTIVITY,))


def returned(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """An entry returned for changes and not resubmitted within N days: to the studio's leads, named or not."""
    studios = snap.studio_by_id
    for e in snap.returned:
        studio = studios.get(e.studio_id)
        if studio is None:
            continue
        returned_on = p.local_date(e.status_changed_at)
        params: dict[str, object] = {
            "studio": studio.name,
            "title": e.title,
            "kind": _kind(e.kind),
            "date": returned_on.isoformat(),
            "days": (p.today - returned_on).days,
        }
        for pid in snap.leads_by_studio.get(e.studio_id, []):
            key = f"returned:{e.id}:v{e.version}:{pid}"
            yield Candidate(key, pid, "returned", "reminders.returned", params, (GO_LEDGER,))


def reviews(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """A review of any studio's entry waiting more than N working days (to the reviewer or delegate), then escalated."""
    first, second = p.config.reminder_review_working_days, p.config.reminder_escalate_working_days
    studios, waited_cache = snap.studio_by_id, dict[date, int]()
    for e in snap.submitted:
        studio = studios.get(e.studio_id)
        reviewing = snap.reviewing_union(studio.union_id) if studio else None
        if studio is None or reviewing is None:
            continue
        since = p.local_date(e.status_changed_at)
        if since not in waited_cache:
            waited_cache[since] = working_days_after(since, p.today)
        waited = waited_cache[since]
        if waited <= first:
            continue
        params: dict[str, object] = {"studio": studio.name, "title": e.title, "kind": _kind(e.kind), "days": waited}
        for reviewer in snap.officers(reviewing, *DECIDING_ROLES):
            if reviewer == e.author_id:
                continue  # nobody reviews their own entry, nor does their stand-in
            pid, extra = reviewer, {}
            delegate = snap.delegate_of(reviewer)
            if delegate is not None and delegate in snap.people:
                named = snap.people.get(reviewer)
                pid, extra = delegate, {"reviewer": named.name if named else f"#{reviewer}"}
            text = "reminders.review.delegate" if extra else "reminders.review"
            yield Candidate(
                f"review:{e.id}:v{e.version}:{pid}", pid, "review", text, params | extra, (open_review(e.id),)
            )
        parent = snap.unions[reviewing].parent_id
        if waited > second and parent is not None:
            params = params | {"union": snap.unions[reviewing].name}
            for pid in snap.officers(parent):
                key = f"escalate:{e.id}:v{e.version}:{pid}"
                yield Candidate(key, pid, "escalate", "reminders.escalate", params, (open_review(e.id),))


def notices(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """A public-notice period has ended: to the association, naming the studio."""
    for n in snap.notices:
        name, union_id = snap.notice_studios.get(n.studio_id, ("", 0))
        if union_id not in snap.unions:
            continue
        params: dict[str, object] = {"studio": name, "ends_on": n.notice_ends_on.isoformat()}
        for uid in snap.associations(union_id):
            for pid in snap.officers(uid):
                key = f"notice:{n.application_id}:{pid}"
                yield Candidate(key, pid, "notice", "reminders.notice", params, (GO_PENDING,))


def window(snap: Snapshot, p: Pass) -> Iterator[Candidate]:
    """The yearly application window is open: once per opening to each lead whose studio may apply, and every
    union officer (a named studio, one with an application under way or turned down this window is not asked)."""
    span = (snap.windows or defaults(p.config)).containing(p.today)
    if span is None:
        return
    start, end = span
    # keyed by the year it opened, so a window across the new year is one reminder, not two
    params: dict[str, object] = {"year": start.year, "start": start.isoformat(), "end": end.isoformat()}
    officers = {pid for kinds in snap.officers_by_union.values() for ids in kinds.values() for pid in ids}
    for pid in sorted(snap.people):
        if pid in snap.applicant_leads:
            text, action = "reminders.window.lead", GO_APPLY
        elif pid in officers:
            text, action = "reminders.window.union", GO_PENDING
        else:
            continue
        yield Candidate(f"window:{start.year}:{pid}", pid, "window", text, params, (action,))
