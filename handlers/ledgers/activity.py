"""记录活动: the daily activity ledger (日常活动台账, 第七条) as a flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from handlers.core.i18n import DEFAULT_LOCALE, t
from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Flow, Step, Values
from handlers.engine.router import Router
from handlers.ledgers import fields as common
from handlers.ledgers import studio_choice as studios
from handlers.ledgers.entries import save_entry
from storage.models import LedgerKind

router = Router(__name__)
KIND = LedgerKind.ACTIVITY

# The kinds of 第四条/第十一条 (the new "四技" first), stored by a stable code that is their Chinese name
# but for 学习 and 攻关, stored before the measures' words 技术学习 and 技术攻关 were used (the catalogue
# names every code). 技术改进, offered once, is no longer offered; its entries keep their label.
KINDS = (
    "学习",
    "技术交流",
    "技术练兵",
    "技术创新",
    "技术革新",
    "攻关",
    "五小",
    "合理化建议",
    "技能培训",
    "高师带徒",
    "其他",
)


async def kinds(ctx: Context, values: Values) -> Sequence[Choice]:
    """The activity kinds."""
    return [Choice(kind, ctx.t(f"activity.kind.{kind}")) for kind in KINDS]


async def hour_choices(ctx: Context, values: Values) -> Sequence[Choice]:
    """Common durations; option N is N hours, so typing a number means the same wherever it lands."""
    return [Choice(h, ctx.t("activity.hours_choice", hours=h)) for h in ("1", "2", "3", "4")]


async def places(ctx: Context, values: Values) -> Sequence[Choice]:
    """The studio's registered venue, stored as that venue; without one, "the studio" (stored in Chinese, read in
    each reader's language)."""
    venue = await studios.studio_venue(ctx, values)
    generic = Choice(t("activity.place_studio", DEFAULT_LOCALE), ctx.t("activity.place_studio"))
    if venue:  # an entry that already says 工作室 keeps reading so in the reader's language
        return [Choice(venue, venue), *([generic] if values.get("place") == generic.value else [])]
    return [generic]


STEPS = (
    studios.studio_step(),
    Step(
        "occurred_on",
        "activity.ask.date",
        "activity.label.date",
        parse=common.parse_past_date,
        check=common.within_cycles,
        show=common.show_date,
        choices=common.recent_days,
    ),
    Step("kind", "activity.ask.kind", "activity.label.kind", choices=kinds),
    common.text_step(KIND, "title", "activity.ask.title", "activity.label.title"),
    common.text_step(KIND, "place", "activity.ask.place", "activity.label.place", choices=places, optional=True),
    Step(
        "participants",
        "activity.ask.participants",
        "activity.label.participants",
        choices=studios.studio_members,
        multi=True,
        names=True,
        optional=True,  # a count alone will do when the names are not known
        headcount="participant_count",
    ),
    Step(
        "participant_count",
        "activity.ask.participant_count",
        "activity.label.participant_count",
        parse=common.parse_count_value,
    ),
    Step(
        "hours",
        "activity.ask.hours",
        "activity.label.hours",
        parse=common.hours_parser(common.DAY_HOURS),
        choices=hour_choices,
        show=common.show_hours,
    ),
    common.text_step(KIND, "content", "activity.ask.content", "activity.label.content"),
    common.text_step(KIND, "results", "activity.ask.results", "activity.label.results", optional=True),
    Step("files", "activity.ask.files", "activity.label.files", files=True, optional=True),
)


def fields_of(values: Values) -> dict[str, Any]:
    """The stored fields of an activity version from the flow's answers."""
    return {
        "occurred_on": date.fromisoformat(values["occurred_on"]),
        "kind": values["kind"],
        "title": values["title"],
        "place": values.get("place") or "",
        "participants": (names := list(values.get("participants") or [])),
        "participant_count": int(values.get("participant_count") or len(names)),
        "hours": Decimal(values["hours"]),
        "content": values["content"],
        "results": values.get("results") or "",
    }


def values_of(fields: Mapping[str, Any]) -> Values:
    """The flow's answers that reproduce a stored activity version."""
    return {
        "occurred_on": fields["occurred_on"].isoformat(),
        "kind": fields["kind"],
        "title": fields["title"],
        "place": fields["place"] or None,
        "participants": list(fields["participants"] or []),
        **common.headcount_of(fields, "participant_count", "participants"),
        "hours": str(fields["hours"]),
        "content": fields["content"],
        "results": fields["results"] or None,
        "files": [],
    }


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Write the entry (status submitted) or its new version, its files and the audit row; tell the reviewers."""
    return await save_entry(ctx, values, LedgerKind.ACTIVITY, fields_of(values))


ACTIVITY = router.flow(
    Flow(
        name="activity",
        title="activity.title",
        steps=STEPS,
        submit=submit,
        prepare=studios.prepare_studio,
    )
)
