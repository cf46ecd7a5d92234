"""Which studio an entry is for (asked only of people in several, refused to people in none), and the chosen
studio's people as choices."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Step, Values
from handlers.engine.runner import EDITING
from handlers.roles import checks, permissions
from storage.models import Studio
from storage.repos import people

# In a conversation's answers: what its questions read of the chosen studio (its people's names; its venue, read with
# the studio when the flow fills it in, else when the place is asked), kept for the conversation's later turns, so
# that ticking names and the summary do not read them again, and a press means what its button showed. Read while a
# question is shown, after the turn saved its step: it is kept all the same, because the pipeline writes a turn's
# step at the end of its transaction, with the answers as they are then.
CARRIED = "_studio"


async def my_studios(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studios the speaker leads or belongs to."""
    assert ctx.person is not None
    return [
        Choice(studio.id, studio.name)
        for studio, _ in await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    ]


async def studio_members(ctx: Context, values: Values) -> Sequence[Choice]:
    """The lead and members of the chosen studio, by name."""
    if values.get("studio") is None:
        return []
    names = await carried(ctx, values, "members", lambda studio: _member_names(ctx, studio))
    return [Choice(name, name) for name in names]


async def studio_venue(ctx: Context, values: Values) -> str:
    """The chosen studio's registered venue, "" when it has none (or no studio is chosen)."""
    if values.get("studio") is None:
        return ""
    return str(await carried(ctx, values, "venue", lambda studio: _venue(ctx, studio)))


async def carried(ctx: Context, values: Values, what: str, read: Callable[[int], Awaitable[Any]]) -> Any:
    """What the conversation read of its chosen studio before, or read now (the first time, or another studio)."""
    studio = int(values["studio"])
    kept = values.get(CARRIED)
    if not isinstance(kept, dict) or kept.get("id") != studio:
        kept = values[CARRIED] = {"id": studio}
    if what not in kept:
        kept[what] = await read(studio)
    return kept[what]


async def _member_names(ctx: Context, studio: int) -> list[str]:
    # answers read afresh (a ledger's entries shown one by one) ask for it too
    return list(await ctx.once(("members", studio), lambda: people.member_names(session=ctx.session, studio_id=studio)))


async def _venue(ctx: Context, studio_id: int) -> str:
    studio = await ctx.get(Studio, studio_id)
    return studio.venue.strip() if studio is not None else ""


def studio_step() -> Step:
    """Which studio the entry is for; asked only of people in several studios."""
    return Step(
        key="studio",
        prompt="flows.ask.studio",
        label="flows.label.studio",
        choices=my_studios,
        when=lambda values: bool(values.get("_several_studios")),
    )


async def prepare_studio(ctx: Context, values: Values) -> list[Reply] | None:
    """Fill the studio when the speaker has one; refuse people who have none."""
    assert ctx.person is not None
    if EDITING in values:
        return None  # an edit keeps the entry's studio; the ledger view checked who may edit it
    studios = await people.studios_of(session=ctx.session, person_id=ctx.person.id)
    studios = [(s, k) for s, k in studios if await checks.check(ctx, permissions.Action.LOG_ENTRY, studio=s)]
    if not studios:
        return [Reply(text=ctx.t("flows.no_studio"))]
    if len(studios) == 1:
        studio = studios[0][0]
        values["studio"] = studio.id
        values[CARRIED] = {"id": studio.id, "venue": studio.venue.strip()}  # read here: the place question shows it
    else:
        values["_several_studios"] = True
    return None
