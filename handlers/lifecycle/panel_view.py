"""What the association reads of an expert panel: each sheet with its comment, and who stood aside and why."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from handlers.core.i18n import Translator
from handlers.decisions import panel
from handlers.engine.context import Context
from handlers.lifecycle.expert_rubric import Criterion
from storage.models import Studio
from storage.repos import persons


class Sheet(Protocol):
    """An expert's sheet: an application's (ExpertScore) or a cycle's (CycleScore)."""

    expert_id: int
    total: Decimal
    scores: dict[str, Any]
    comment: str


def sheet_line(t: Translator, name: str, sheet: Sheet, criteria: Sequence[Criterion]) -> str:
    """`· 陈教授：84 分（技师领衔 18；…）；评语：材料翔实`."""
    items = "；".join(f"{c.name(t.locale)} {sheet.scores[c.key]}" for c in criteria if c.key in sheet.scores)
    line = t("committee.sheet.line", name=name, total=f"{sheet.total.normalize():f}", items=items)
    return line + (t("committee.sheet.comment", comment=sheet.comment) if sheet.comment else "")


async def sheets_text(ctx: Context, sheets: Sequence[Sheet], criteria: Sequence[Criterion]) -> list[str]:
    """Each expert's sheet, named, for the association only."""
    if not sheets:
        return []
    names = await persons.names_of(session=ctx.session, person_ids={s.expert_id for s in sheets})
    lines = [ctx.t("committee.sheet.title", count=len(sheets))]
    lines += [sheet_line(ctx.t, names.get(s.expert_id, f"#{s.expert_id}"), s, criteria) for s in sheets]
    return lines


async def aside_lines(ctx: Context, studio: Studio) -> list[str]:
    """Who stands aside from this studio and why (they were told nothing); nothing when nobody does."""
    found = await panel.panel_of(ctx.session, studio)
    if not found.aside:
        return []
    return [ctx.t("committee.recusal.line", experts=await panel.aside_text(ctx.session, ctx.t, found.aside))]
