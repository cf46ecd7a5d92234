"""The 申报 steps' one-press answers (the earlier application's, the studio's record, its outcomes) and text parser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.engine.context import Context
from handlers.engine.flow import Choice, ParseResult, Values
from handlers.lifecycle import drafts, eligibility
from handlers.lifecycle.application_gate import led_studios
from storage.models import Studio


async def studio_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studios the speaker leads."""
    return [Choice(s.id, s.name) for s in await led_studios(ctx)]


async def chosen_studio(ctx: Context, values: Values) -> Studio | None:
    """The studio the flow applies for, once known."""
    return await ctx.session.get(Studio, int(values["studio"])) if values.get("studio") is not None else None


def _on_record(earlier: Any, recorded: str | None) -> list[Choice]:
    """The earlier application's answer first, then the studio's record, each once."""
    found = [str(v) for v in (earlier, recorded) if v]
    return [Choice(v, v) for v in dict.fromkeys(found)]


async def venue_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The venue of the earlier application and on record, as one-press answers."""
    studio = await chosen_studio(ctx, values)
    return _on_record(await drafts.earlier(ctx, values, "venue"), studio.venue if studio else None)


async def equipment_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The equipment of the earlier application and on record, as one-press answers."""
    studio = await chosen_studio(ctx, values)
    return _on_record(await drafts.earlier(ctx, values, "equipment"), studio.equipment if studio else None)


async def activity_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The earlier application's account of the activities, as a one-press answer."""
    text = str(await drafts.earlier(ctx, values, "activities") or "")
    return [Choice(text, ctx.t("batch.choice.earlier", text=drafts.preview(text)))] if text else []


async def outcome_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studio's outcomes applied in production and funded by the scheme; one still under review says so."""
    if values.get("studio") is None:
        return []
    found = await eligibility.qualifying_outcomes(ctx.session, int(values["studio"]))
    chosen = set(await drafts.earlier(ctx, values, "outcomes") or [])

    def key(entry_id: int, waiting: bool) -> str:
        if entry_id in chosen:
            return "batch.choice.earlier_outcome"
        return "application.outcome_choice_waiting" if waiting else "application.outcome_choice"

    return [Choice(o.entry_id, ctx.t(key(o.entry_id, o.waiting), title=o.title[:30])) for o in found]


def parse_text(ctx: Context, text: str) -> ParseResult:
    """Free text of two characters or more (its most is the step's limit: longer is kept as a draft)."""
    value = text.strip()
    return (None, "application.error.short") if len(value) < 2 else (value, None)
