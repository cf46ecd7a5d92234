"""Which studio an entry is for (asked only of people in several, refused to people in none), and the chosen
studio's people as choices."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Step, Values
from handlers.engine.runner import EDITING
from handlers.roles import checks, permissions
from storage.repos import people


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
    key = ("members", int(values["studio"]))
    if key not in ctx.memo:  # asked for by the answer's check, the next question and the summary alike
        ctx.memo[key] = await people.member_names(session=ctx.session, studio_id=key[1])
    return [Choice(name, name) for name in ctx.memo[key]]


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
        values["studio"] = studios[0][0].id
    else:
        values["_several_studios"] = True
    return None
