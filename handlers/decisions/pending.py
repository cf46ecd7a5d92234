"""待审 / pending: what waits for this person, oldest first, with buttons; approving a selection at once.

Features add their own kinds of waiting items with `@pending_source(router, section_key)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.core.payloads import Press
from handlers.core.types import Button, Reply
from handlers.engine.context import Context
from handlers.engine.router import Hook, Router
from handlers.roles import checks, matching
from handlers.roles.permissions import Action, Subject
from storage.models import DECIDING_ROLES, RoleKind

router = Router(__name__)

SHOWN = 10  # items listed in one message; the rest are counted
BATCH_MAX = 20
# What waits in 待审: whoever could do one of these somewhere has a list (help offers 待审 to them too).
DECIDES = (
    Action.REVIEW_ENTRY,
    Action.RECOMMEND,
    Action.ASSOCIATION_REVIEW,
    Action.SCORE,
    Action.START_NOTICE,
    Action.RESOLVE_OBJECTION,
    Action.NAME,
)


@dataclass(frozen=True, slots=True)
class Item:
    """One thing waiting for the person: when it started waiting, its line, and the button that opens it."""

    since: datetime
    line: str
    short: str
    press: Press


Source = Callable[[Context, Subject], Awaitable[list[Item]]]
Extra = Callable[[Context, list[Item]], Button | None]  # a button under the list, given a section's items


@dataclass(frozen=True, slots=True)
class Section:
    """A kind of waiting item: its title, where the items come from, and an optional button for all of them."""

    title_key: str
    source: Source
    offer: Extra | None = None


SOURCES: Hook[Section] = Hook("pending sources")


def pending_source(router: Router, section_key: str, extra: Extra | None = None) -> Callable[[Source], Source]:
    """Register a kind of waiting item, listed under the section title `section_key`."""

    def register(source: Source) -> Source:
        router.add(SOURCES, Section(section_key, source, extra))
        return source

    return register


@router.command(
    "pending",
    "待审",
    "待办",
    help_key="reviews.help.pending",
    order=30,
    roles=frozenset({*DECIDING_ROLES, RoleKind.EXPERT}),
)
async def pending_command(ctx: Context, args: str) -> list[Reply]:
    """List what waits for the speaker, oldest first, each with a button that opens it."""
    subject = await checks.subject_of(ctx)
    if not any(matching.could_ever(subject, action) for action in DECIDES):
        return [Reply(text=ctx.t("reviews.pending.not_reviewer"))]
    sections = [
        (section, sorted(await section.source(ctx, subject), key=lambda i: i.since))
        for section in ctx.routes.all(SOURCES)
    ]
    total = sum(len(items) for _, items in sections)
    if total == 0:
        return [Reply(text=ctx.t("reviews.pending.none"))]
    lines, rows, n = [ctx.t("reviews.pending.title", count=total)], list[tuple[Button, ...]](), 0
    for section, items in sections:
        if not items:
            continue
        lines.append(ctx.t(section.title_key, count=len(items)))
        for item in items:
            n += 1
            if n > SHOWN:
                break
            lines.append(f"{n}. {item.line}")
            rows.append((ctx.button(f"{n}. {item.short}", item.press),))
    if total > SHOWN:
        lines.append(ctx.t("reviews.pending.more", count=total - SHOWN))
    for section, items in sections:
        button = section.offer(ctx, items) if section.offer is not None and items else None
        if button is not None:
            rows.append((button,))
    return [Reply(text="\n".join(lines), buttons=tuple(rows))]
