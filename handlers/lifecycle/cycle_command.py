"""考核 for an expert of the committee (第六条): the ended cycles waiting for their score, not a refusal."""

from __future__ import annotations

from handlers.core.presses import CyclePress
from handlers.core.types import Button, Reply
from handlers.engine.context import Context
from handlers.lifecycle import cycle_queue, cycle_review
from handlers.roles.permissions import Subject


async def for_expert(ctx: Context, subject: Subject, name: str) -> list[Reply]:
    """The cycle's card when one fits `name` (any, when empty), a list to pick from when several do."""
    rows = [row for row in await cycle_queue.scorable(ctx, subject) if name in row[0].name]
    if not rows:
        # a tied expert is not told the cycle exists, as 待审 and the ask leave them out
        text = ctx.t("committee.assess.unknown", name=name) if name else ctx.t("committee.assess.none")
        return [Reply(text=text + "\n" + ctx.t("committee.assess.when"))]
    if len(rows) == 1:
        return await cycle_review.cycle_button(ctx, CyclePress("open", rows[0][1].id))
    lines = [ctx.t("committee.assess.list", count=len(rows))]
    buttons: list[tuple[Button, ...]] = []
    for n, (studio, cycle, scored) in enumerate(rows, start=1):
        params = {"studio": studio.name, "number": cycle.number, "ends": cycle.ends_on}
        lines.append(f"{n}. " + ctx.t("committee.assess.scored" if scored else "committee.cycle.to_score", **params))
        buttons.append((ctx.button(f"{n}. {studio.name[:12]}", CyclePress("open", cycle.id)),))
    return [Reply(text="\n".join(lines), buttons=tuple(buttons))]
