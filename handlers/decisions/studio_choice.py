"""Which studio a command acts on: a typed part of a name, or buttons offering the person's studios."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import select

from handlers.core.presses import StudioPress
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.dispatch import run_command
from handlers.engine.prompts import rows
from handlers.engine.router import Router
from storage.models import Studio
from storage.repos import org, people

router = Router(__name__)
OFFERED = 8  # at most this many studios offered as buttons; more means the typed part is too short

Allowed = Callable[[Studio], Awaitable[bool]]


async def own_studios(ctx: Context) -> list[Studio]:
    """The studios the speaker leads or belongs to, each once, leads first."""
    if ctx.person is None:
        return []
    seen: dict[int, Studio] = {}
    for studio, _ in await people.studios_of(session=ctx.session, person_id=ctx.person.id):
        seen.setdefault(studio.id, studio)
    return list(seen.values())


async def matching(ctx: Context, typed: str, allowed: Allowed) -> list[Studio]:
    """The studios a typed name points at: its exact name; else the speaker's own whose name holds it;
    else the active studios the speaker may act on whose name holds it (at most OFFERED + 1)."""
    text = typed.strip()
    exact = await org.get_studio(session=ctx.session, name=text)
    if exact is not None:
        return [exact]
    folded = text.casefold()
    mine = [s for s in await own_studios(ctx) if folded in s.name.casefold()]
    if mine:
        return mine
    query = (
        select(Studio)
        .where(Studio.active, Studio.name.icontains(text, autoescape=True))
        .order_by(Studio.name)
        .limit(4 * OFFERED)
    )
    found = [s for s in await ctx.session.scalars(query) if await allowed(s)]
    return found[: OFFERED + 1]


def offer(ctx: Context, command: str, studios: Sequence[Studio], text: str) -> Reply:
    """A question with one button per studio; pressing one runs the command for it."""
    buttons = [ctx.button(s.name, StudioPress(command, s.id)) for s in studios[:OFFERED]]
    return Reply(text=text, buttons=rows(buttons))


@router.button(StudioPress)
async def studio_pressed(ctx: Context, press: StudioPress) -> list[Reply]:
    """Run the command for the studio pressed (the command checks again who may act on it)."""
    studio = await ctx.session.get(Studio, press.studio_id)
    if studio is None or not studio.active or ctx.routes.match("/" + press.command) is None:
        return [Reply(text=ctx.t("engine.bad_button"))]
    return await run_command(ctx, f"/{press.command} {studio.name}")
