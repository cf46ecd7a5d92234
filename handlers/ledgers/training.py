"""记录培训: training and master-apprentice mentoring (培训 / 高师带徒, 第四条) as a flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from handlers.core.types import Reply
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Flow, Step, SubmitRefused, Values
from handlers.engine.router import Router
from handlers.ledgers import fields as common
from handlers.ledgers import studio_choice as studios
from handlers.ledgers.activity import hour_choices
from handlers.ledgers.entries import save_entry
from storage.models import GRADES, LedgerKind

router = Router(__name__)
KIND = LedgerKind.TRAINING

KINDS = ("培训", "高师带徒")
MENTORING = "高师带徒"
# A trainee's promotion worth recording starts at 高级工 (the lower grades are entry levels).
PROMOTION_GRADES = GRADES[2:]


async def kinds(ctx: Context, values: Values) -> Sequence[Choice]:
    """Training or mentoring."""
    return [Choice(kind, ctx.t(f"training.kind.{kind}")) for kind in KINDS]


async def grades(ctx: Context, values: Values) -> Sequence[Choice]:
    """The grades a trainee may have been promoted to."""
    return [Choice(grade, ctx.t(f"training.grade.{grade}")) for grade in PROMOTION_GRADES]


STEPS = (
    studios.studio_step(),
    Step(
        "held_on",
        "training.ask.date",
        "training.label.date",
        parse=common.parse_past_date,
        check=common.within_cycles,
        show=common.show_date,
        choices=common.recent_days,
    ),
    Step("kind", "training.ask.kind", "training.label.kind", choices=kinds),
    common.text_step(
        KIND, "mentor", "training.ask.mentor", "training.label.mentor", name=True, choices=studios.studio_members
    ),
    Step(
        "trainees",
        "training.ask.trainees",
        "training.label.trainees",
        choices=studios.studio_members,
        multi=True,
        names=True,
        optional=True,  # a class of 30 is a count, not 30 names typed
        headcount="trainee_count",
    ),
    Step("trainee_count", "training.ask.trainee_count", "training.label.trainee_count", parse=common.parse_count_value),
    Step(
        "hours",
        "training.ask.hours",
        "training.label.hours",
        parse=common.hours_parser(common.COURSE_HOURS),
        choices=hour_choices,
        show=common.show_hours,
    ),
    common.text_step(KIND, "topic", "training.ask.topic", "training.label.topic"),
    common.text_step(KIND, "result", "training.ask.result", "training.label.result", optional=True),
    Step(
        "promoted_grade", "training.ask.promoted_grade", "training.label.promoted_grade", choices=grades, optional=True
    ),
    Step(
        "promoted_count",
        "training.ask.promoted_count",
        "training.label.promoted_count",
        parse=common.parse_count_value,
        when=lambda v: bool(v.get("promoted_grade")),
    ),
)


def fields_of(values: Values) -> dict[str, Any]:
    """The stored fields of a training version from the flow's answers."""
    promoted = values.get("promoted_grade") or None
    return {
        "held_on": date.fromisoformat(values["held_on"]),
        "kind": values["kind"],
        "mentor": values["mentor"],
        "trainees": (names := list(values.get("trainees") or [])),
        "trainee_count": int(values.get("trainee_count") or len(names)),
        "hours": Decimal(values["hours"]),
        "topic": values["topic"],
        "result": values.get("result") or "",
        "promoted_grade": promoted,
        "promoted_count": int(values["promoted_count"]) if promoted else 0,
    }


def values_of(fields: Mapping[str, Any]) -> Values:
    """The flow's answers that reproduce a stored training version."""
    values: Values = {
        "held_on": fields["held_on"].isoformat(),
        "kind": fields["kind"],
        "mentor": fields["mentor"],
        "trainees": list(fields["trainees"] or []),
        **common.headcount_of(fields, "trainee_count", "trainees"),
        "hours": str(fields["hours"]),
        "topic": fields["topic"],
        "result": fields["result"] or None,
        "promoted_grade": fields["promoted_grade"] or None,
    }
    if fields["promoted_grade"]:
        values["promoted_count"] = fields["promoted_count"]
    return values


async def submit(ctx: Context, values: Values) -> list[Reply]:
    """Write the training entry (or its new version) and tell the reviewers."""
    fields = fields_of(values)
    trainees = fields["trainee_count"]
    if fields["promoted_count"] > trainees:  # the assessment counts promotions: they cannot outnumber the trainees
        text = ctx.t("training.error.promoted_over", promoted=fields["promoted_count"], trainees=trainees)
        raise SubmitRefused([Reply(text=text)])
    if fields["kind"] == MENTORING and not fields["trainees"]:
        # the assessment counts distinct apprentices by name: a bare count of them could not be told apart
        raise SubmitRefused([Reply(text=ctx.t("training.error.apprentices_named"))])
    return await save_entry(ctx, values, LedgerKind.TRAINING, fields)


TRAINING = router.flow(
    Flow(name="training", title="training.title", steps=STEPS, submit=submit, prepare=studios.prepare_studio)
)
