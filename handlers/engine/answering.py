"""A conversation's answers: a choice pressed or ticked, text typed (or heard), a draft kept or used."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from handlers.core.types import Reply
from handlers.engine import drafts, headcounts
from handlers.engine.answers import (
    EDIT_MENU,
    MAX_TEXT,
    SUMMARY,
    match_choice,
    option_number,
    replace_typed,
    typed_names,
)
from handlers.engine.flow import Offer, Step, say_problem
from handlers.engine.flow_state import FlowState


class Answering(FlowState):
    """Takes an answer to the current step, checks it and moves the conversation on."""

    async def _choose(self, index: int) -> list[Reply]:
        if self.state in (SUMMARY, EDIT_MENU):
            return [await self._show()]
        step = self.flow.step(self.state)
        choices = await self._choices(step)
        if index >= len(choices) or step.multi:
            return [await self._show(note=self.t("engine.bad_button"))]
        value = choices[index].value
        problem = await step.check(self.ctx, self.values, value) if step.check is not None else None
        if problem is not None:
            return [await self._show(note=say_problem(self.ctx, problem))]
        self.values[step.key] = value
        return await self._go(self._next_after(step))

    async def _toggle(self, index: int) -> list[Reply]:
        step = self.flow.step(self.state) if self.state not in (SUMMARY, EDIT_MENU) else None
        if step is None or not step.multi:
            return [await self._show()]
        choices = await self._choices(step)
        if index >= len(choices):
            return [await self._show(note=self.t("engine.bad_button"))]
        chosen: list[Any] = list(self.values.get(step.key) or [])
        value = choices[index].value
        chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        self.values[step.key] = chosen
        await self._save(self.state)
        return [replace(await self._show(), redraws_pressed=True)]

    async def _answer(self, step: Step, text: str) -> list[Reply]:
        if step.files:
            return [await self._show(note=self.t("engine.send_file_or_done"))]
        if not text:
            return [await self._show(note=self.t("engine.empty_answer"))]
        if step.limit is not None and len(text) > step.limit:
            return await self._keep_draft(step, text)
        if len(text) > MAX_TEXT:
            return [await self._show(note=self.t("engine.too_long", max=MAX_TEXT))]
        choices = await self._choices(step)
        if step.multi:
            text, count = headcounts.split_count(text, choices) if step.headcount else (text, None)
            named, refused = typed_names(text, choices, names=step.names)
            if refused is not None:
                return [await self._show(note=self.t("engine.names_not_number", text=refused))]
            offered = {choice.value for choice in choices}
            stray = next((value for value in named if value not in offered), None) if step.closed else None
            if stray is not None:
                return [await self._show(note=self.t("engine.not_a_choice", text=stray))]
            before = list(self.values.get(step.key) or [])
            chosen = replace_typed(before, named, choices) if named or count is None else before
            problem = headcounts.settle(step, self.values, chosen, count)
            if problem is not None:
                return [await self._show(note=say_problem(self.ctx, problem))]
            self.values[step.key] = chosen
            return await self._go(self._next_after(step))
        picked = match_choice(text, choices)
        number = option_number(text, len(choices))
        if picked is None and number is not None:
            picked = choices[number - 1]  # the number of an option, as numbered menus show them
        if picked is not None:
            self.values[step.key] = picked.value
            return await self._go(self._next_after(step))
        if step.parse is not None:
            value, error = step.parse(self.ctx, text)
            if isinstance(error, Offer):
                drafts.offer(self.values, step.key, error.choices)
                await self._save(self.state)
                return [await self._show(note=say_problem(self.ctx, error.problem))]
            error = error or headcounts.below_names(self.flow, step, self.values, value)
            if error is None and step.check is not None:
                error = await step.check(self.ctx, self.values, value)
            if error is None:
                self.values[step.key] = value
                return await self._go(self._next_after(step))
            return [await self._show(note=say_problem(self.ctx, error))]
        return [await self._show(note=self.t("engine.choose_one"))]

    async def _keep_draft(self, step: Step, text: str) -> list[Reply]:
        """An answer over the step's limit is kept, not thrown away: shorten it, or keep its first part."""
        drafts.keep(self.values, step.key, text)
        await self._save(self.state)
        note = self.t("engine.too_long_kept", length=len(text), limit=step.limit, label=self.t(step.label))
        return [await self._show(note=note)]

    async def _heard(self, step: Step, text: str) -> list[Reply]:
        """What speech recognition heard is shown back and taken only when the person says it is right."""
        drafts.keep(self.values, step.key, text, heard=True)
        await self._save(self.state)
        return [await self._show(note=self.t("engine.heard", text=text))]

    async def _use_draft(self) -> list[Reply]:
        draft = drafts.draft_of(self.values, self.state)
        if self.state in (SUMMARY, EDIT_MENU) or draft is None:
            return [await self._show(note=self.t("engine.stale_button"))]
        step = self.flow.step(self.state)
        return await self._answer(step, str(draft["text"])[: step.limit].strip())

    async def _edit_field(self, step: Step) -> list[Reply]:
        self.mode = "edit"
        note = self.t("engine.current_value", value=await self._display(step))
        if step.names:
            note = f"{note}\n{self.t('engine.names_edit_hint')}"
        return await self._go(step.key, note=note)
