"""How a step, the summary and the edit menu look: text plus buttons, every word from the catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from handlers.core.presses import FlowOp, FlowPress
from handlers.core.types import Button, Reply
from handlers.engine import drafts
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Flow, Step, Values

ROW_WIDTH = 3  # short choices share a row; long ones get their own


@dataclass(frozen=True, slots=True)
class Stamp:
    """The conversation, and its version, a question is shown at: every button of the question carries both."""

    conversation: str
    version: int

    def press(self, op: FlowOp, arg: int | None = None) -> FlowPress:
        """The press of one of the question's buttons."""
        return FlowPress(self.conversation, self.version, op, arg)


def applicable(flow: Flow, values: Values) -> list[Step]:
    """The steps asked, given the answers so far."""
    return [s for s in flow.steps if s.when is None or s.when(values)]  # Step.applies, inline: many a turn


def rows(buttons: Sequence[Button]) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows: up to three short ones a row, a long one alone."""
    out: list[tuple[Button, ...]] = []
    row: list[Button] = []
    for button in buttons:
        if len(button.label) > 8:
            if row:
                out.append(tuple(row))
                row = []
            out.append((button,))
            continue
        row.append(button)
        if len(row) == ROW_WIDTH:
            out.append(tuple(row))
            row = []
    if row:
        out.append(tuple(row))
    return tuple(out)


def progress(flow: Flow, step: Step, values: Values) -> tuple[int, int]:
    """第 n/total 步, stable for the whole flow: a step asked only after some answer (专利号 after 有专利)
    is a follow-up of the step before it and shares its number; the total counts the other steps."""
    flags = {k: v for k, v in values.items() if k.startswith("_")}  # set before the first question, not answers
    main = [s.when is None or s.when(flags) for s in flow.steps]  # Step.applies, inline
    index = flow.index(step.key)
    return max(sum(main[: index + 1]), 1), sum(main)


def nav_row(
    ctx: Context, flow: Flow, step: Step, values: Values, at: Stamp, *, editing: bool = False
) -> tuple[Button, ...]:
    """Skip (optional steps), back (after the first step, or to the summary when editing), cancel."""
    nav: list[Button] = []
    if step.optional:
        nav.append(ctx.button(ctx.t("engine.skip"), at.press(FlowOp.SKIP)))
    if editing or applicable(flow, values)[0].key != step.key:
        nav.append(ctx.button(ctx.t("engine.back"), at.press(FlowOp.BACK)))
    nav.append(ctx.button(ctx.t("engine.cancel"), at.press(FlowOp.CANCEL)))
    return tuple(nav)


def prompt(
    ctx: Context,
    flow: Flow,
    step: Step,
    values: Values,
    choices: Sequence[Choice],
    at: Stamp,
    *,
    note: str = "",
    editing: bool = False,
) -> Reply:
    """The question of a step, with its choices and the navigation row."""
    position, total = progress(flow, step, values)
    lines = [note] if note else []
    lines.append(f"{ctx.t(step.prompt)} {ctx.t('engine.progress', n=position, total=total)}")
    if step.limit is not None:
        lines.append(ctx.t("engine.limit", limit=step.limit))
    option_buttons: list[Button] = []
    if step.multi:
        chosen = set(values.get(step.key) or [])
        option_buttons = [
            ctx.button(("✓ " if c.value in chosen else "") + c.label, at.press(FlowOp.TOGGLE, i))
            for i, c in enumerate(choices)
        ]
        option_buttons.append(ctx.button(ctx.t("engine.done"), at.press(FlowOp.DONE)))
    elif step.files:
        option_buttons = [ctx.button(ctx.t("engine.done"), at.press(FlowOp.DONE))]
    else:
        option_buttons = [ctx.button(c.label, at.press(FlowOp.CHOOSE, i)) for i, c in enumerate(choices)]
    draft = drafts.draft_of(values, step.key) or {}
    if draft:
        whole = step.limit is None or len(draft.get("text", "")) <= step.limit
        label = ctx.t("engine.use_heard") if whole else ctx.t("engine.keep_first", limit=step.limit)
        option_buttons.append(ctx.button(label, at.press(FlowOp.DRAFT)))
    nav = nav_row(ctx, flow, step, values, at, editing=editing)
    return Reply(text="\n".join(lines), buttons=(*rows(option_buttons), nav))


def display(ctx: Context, step: Step, value: Any, choices: Sequence[Choice]) -> str:
    """How an answer reads in the summary."""
    if value is None or value == [] or value == "":
        return ctx.t("engine.skipped")
    if step.show is not None:
        return step.show(ctx, value)
    if step.files:
        return ctx.t("engine.file_count", count=len(value))
    labels = {str(c.value): c.label for c in choices}
    if isinstance(value, list):
        return ctx.t("engine.list_separator").join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return ctx.t("common.yes") if value else ctx.t("common.no")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return labels.get(str(value), str(value))


def field_lines(ctx: Context, lines: Sequence[tuple[str, str]]) -> list[str]:
    """ "label: value" lines, punctuated for the reader's language."""
    return [ctx.t("engine.field_line", label=label, value=value) for label, value in lines]


def summary(ctx: Context, flow: Flow, lines: Sequence[tuple[str, str]], at: Stamp) -> Reply:
    """The answers for a last look, with submit, edit and cancel."""
    text = "\n".join([ctx.t(flow.summary_title, title=ctx.t(flow.title)), *field_lines(ctx, lines)])
    actions = (
        ctx.button(ctx.t("engine.submit"), at.press(FlowOp.SUBMIT)),
        ctx.button(ctx.t("engine.edit"), at.press(FlowOp.EDIT)),
        ctx.button(ctx.t("engine.cancel"), at.press(FlowOp.CANCEL)),
    )
    return Reply(text=text, buttons=(actions,))


def edit_menu(ctx: Context, flow: Flow, values: Values, at: Stamp) -> Reply:
    """Which field to change."""
    fields = [
        ctx.button(ctx.t(step.label), at.press(FlowOp.FIELD, flow.index(step.key))) for step in applicable(flow, values)
    ]
    back = (ctx.button(ctx.t("engine.back_to_summary"), at.press(FlowOp.BACK)),)
    return Reply(text=ctx.t("engine.pick_field"), buttons=(*rows(fields), back))
