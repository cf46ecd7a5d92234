"""One planning pass: read the domain, decide the due reminders, write the new ones to the outbox."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.assessment import frozen
from handlers.core.config import HandlerConfig
from handlers.lifecycle import cycle_queue, window
from handlers.reminders import assessment, digest, rules, snapshot
from handlers.reminders.calendar import PushWindow, working_days_before
from handlers.reminders.candidate import Candidate
from handlers.reminders.messages import Renderer
from storage.repos import outbox_batch
from storage.repos.month_counts import month_counts

RULES = (
    rules.cycles,
    rules.idle,
    rules.returned,
    rules.reviews,
    rules.notices,
    rules.window,
    digest.candidates,
    assessment.ending,
)
KIND = "reminder"  # outbox kind: held for working hours, unlike "notice"


@dataclass(frozen=True)
class Planned:
    """A reminder written (or, in a dry run, that would be written) to the outbox."""

    key: str
    topic: str
    person_id: int
    person_name: str
    text: str
    due_at: datetime


@dataclass
class PlanResult:
    """What a pass found."""

    at: datetime
    due_at: datetime
    dry_run: bool
    considered: int = 0
    paused: int = 0
    new: list[Planned] = field(default_factory=list)

    def by_topic(self) -> dict[str, int]:
        """How many new reminders of each topic."""
        return dict(sorted(Counter(p.topic for p in self.new).items()))


def _reachable(candidates: list[Candidate], snap: snapshot.Snapshot, p: rules.Pass) -> tuple[list[Candidate], int]:
    """Keep one candidate per key, for people bound to a channel and not on holiday; count the paused."""
    kept: dict[str, Candidate] = {}
    paused: set[str] = set()
    for c in candidates:
        person = snap.people.get(c.person_id)
        if person is None or c.key in kept:
            continue
        if person.paused_until is not None and person.paused_until >= p.today:
            paused.add(c.key)
            continue
        kept[c.key] = c
    return list(kept.values()), len(paused)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block; it resumes after, unless it was off before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


async def plan(*, session: AsyncSession, config: HandlerConfig, now: datetime, dry_run: bool = False) -> PlanResult:
    """Plan the reminders due at `now`; unless `dry_run`, add the new ones to the outbox (flushed, not committed)."""
    # A pass makes some hundred thousand short-lived rows, candidates and payloads, none in a reference cycle
    # (reference counting frees them). With the collector on, a full pass over 10,000 studios ran it ~600 times,
    # its full collections walking all of them again: ~0.1 s of a 1 s pass, a fifth of a pass a day brings
    # (bench/README.md). Cycles made meanwhile, by the pass or by requests served alongside, wait for the next
    # collection after it.
    with _collector_paused():
        return await _plan(session=session, config=config, now=now, dry_run=dry_run)


async def _plan(*, session: AsyncSession, config: HandlerConfig, now: datetime, dry_run: bool) -> PlanResult:
    push = PushWindow(config.tz, config.quiet_window)
    today = push.today(now)
    p = rules.Pass(now=now, today=today, config=config)
    if not dry_run:  # 考核验收 judges a cycle as it stood at its end: freeze its figures at the first pass after
        ended = await frozen.freeze_ended(session=session, today=today)
        await cycle_queue.ask_committee(session=session, config=config, cycles=ended, due_at=push.next_moment(now))
    last_waited_day = working_days_before(today, config.reminder_review_working_days + 1)
    snap = await snapshot.load(
        session=session,
        today=today,
        returned_before=now - timedelta(days=config.reminder_returned_days),
        submitted_before=push.day_start(last_waited_day + timedelta(days=1)),
        windows=await window.load(session, config),
        zone=config.tz,
    )
    candidates, paused = _reachable([c for rule in RULES for c in rule(snap, p)], snap, p)
    existing = await outbox_batch.existing_keys(session=session, keys=[c.key for c in candidates])
    due = [c for c in candidates if c.key not in existing]
    digests = [c for c in due if c.union_id is not None]
    if digests:
        start, end = digest.previous_month(today)
        counts = await month_counts(session=session, start=push.day_start(start), end=push.day_start(end))
        kept = digest.fill(digests, snap, p, counts)
        due = [c for c in due if c.union_id is None or c.key in kept]
    result = PlanResult(
        at=now, due_at=push.next_moment(now), dry_run=dry_run, considered=len(candidates), paused=paused
    )
    rows: list[dict[str, Any]] = []
    renderer = Renderer(config.secret_key)
    for c in due:
        person = snap.people[c.person_id]
        text = renderer.text(c, person.locale)
        result.new.append(Planned(c.key, c.topic, c.person_id, person.name, text, result.due_at))
        payload = renderer.payload(c, person.locale, text)
        rows.append(
            outbox_batch.new_row(
                key=c.key, person_id=c.person_id, payload=payload, kind=KIND, due_at=result.due_at, now=now
            )
        )
    if not dry_run:
        await outbox_batch.enqueue_many(session=session, rows=rows)
    return result
