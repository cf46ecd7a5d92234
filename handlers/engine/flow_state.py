"""Where a conversation stands in its flow: read from its row, moved on and saved, and shown as a question."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from handlers.core.types import Reply
from handlers.engine import drafts, prompts
from handlers.engine.answers import EDIT_MENU, FILES_DONE, SUMMARY, SUMMARY_NOTE, match_choice
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Flow, Step, Values
from storage.models import Conversation
from storage.repos import conversations

CONVERSATION = "conversation"  # in a conversation's stored data: its random id, carried by its buttons


class FlowState:
    """One conversation's place in its flow and its answers so far; every change is saved before it is shown."""

    def __init__(self, ctx: Context, flow: Flow, conv: Conversation | None = None) -> None:
        self.ctx = ctx
        self.t = ctx.t
        self.flow = flow
        self.values: Values = dict(conv.data.get("values", {})) if conv else {}
        self.mode: str = conv.data.get("mode", "ask") if conv else "ask"
        self.state: str = conv.step if conv else ""
        self.version: int | None = conv.version if conv else None
        self.conversation_id = _conversation_id(conv)
        if self.state and self.state not in (SUMMARY, EDIT_MENU) and self.state not in self.flow_keys:
            # a step that a newer version of the flow no longer has: carry on at the first open one
            self.state = self._next_after(None)

    async def current(self, *, note: str = "") -> list[Reply]:
        """The question (or summary) the conversation stands at, after an optional note."""
        return [await self._show(note=note)]

    @property
    def flow_keys(self) -> set[str]:
        """The keys of the flow's steps."""
        return {s.key for s in self.flow.steps}

    async def _is_choice(self, text: str) -> bool:
        """Whether the text names one of the current step's choices (so "无" is an answer, not "skip")."""
        if self.state in (SUMMARY, EDIT_MENU) or self.state not in self.flow_keys:
            return False
        return match_choice(text, await self._choices(self.flow.step(self.state))) is not None

    async def _refused(self, key: str) -> Reply:
        """The question again after a press that is no longer valid, its reason as the press's toast too."""
        note = self.t(key)
        return replace(await self._show(note=note), toast=note)

    def _next_after(self, step: Step | None) -> str:
        steps = prompts.applicable(self.flow, self.values)
        if self.mode == "edit":
            pending = [s for s in steps if s.key not in self.values]
            return pending[0].key if pending else SUMMARY
        keys = [s.key for s in steps]
        start = keys.index(step.key) + 1 if step is not None and step.key in keys else 0
        for candidate in steps[start:]:
            # files sent early sit in the values, but their step is still asked (for more, or done)
            if candidate.key not in self.values or (candidate.files and not self.values.get(FILES_DONE)):
                return candidate.key
        return SUMMARY

    def _previous(self, step: Step) -> Step | None:
        steps = prompts.applicable(self.flow, self.values)
        keys = [s.key for s in steps]
        index = keys.index(step.key) if step.key in keys else len(steps)
        return steps[index - 1] if index > 0 else None

    async def _go(self, state: str, *, note: str = "") -> list[Reply]:
        if state == SUMMARY:
            self.mode = "ask"
        drafts.leave(self.values, state)  # a draft or an offer lasts while its question is open
        await self._save(state)
        return [await self._show(note=note)]

    async def _save(self, state: str) -> None:
        self.state = state
        ctx = self.ctx
        self.version = await conversations.save(
            session=ctx.session,
            channel=ctx.channel,
            user_id=ctx.incoming.user_id,
            flow=self.flow.name,
            step=state,
            data={"values": self.values, "mode": self.mode, CONVERSATION: self.conversation_id},
            expires_at=ctx.now + timedelta(minutes=ctx.config.conversation_ttl_minutes),
            now=ctx.now,
            expected_version=self.version,
        )

    async def _show(self, *, note: str = "") -> Reply:
        """The current question, summary or edit menu, as it stands."""
        assert self.version is not None
        if self.state == SUMMARY:
            lines = await summary_lines(self.ctx, self.flow, self.values)
            reply = prompts.summary(self.ctx, self.flow, lines, self._stamp)
            warning = self.values.get(SUMMARY_NOTE)
            text = f"{reply.text}\n{self.t(warning[0], **warning[1])}" if warning else reply.text
            return Reply(text=f"{note}\n{text}" if note else text, buttons=reply.buttons)
        if self.state == EDIT_MENU:
            reply = prompts.edit_menu(self.ctx, self.flow, self.values, self._stamp)
            return Reply(
                text=f"{note}\n{reply.text}" if note and note != reply.text else reply.text, buttons=reply.buttons
            )
        step = self.flow.step(self.state)
        return prompts.prompt(
            self.ctx,
            self.flow,
            step,
            self.values,
            await self._choices(step),
            self._stamp,
            note=note,
            editing=self.mode == "edit",
        )

    @property
    def _stamp(self) -> prompts.Stamp:
        assert self.version is not None
        return prompts.Stamp(self.conversation_id, self.version)

    async def _choices(self, step: Step) -> Sequence[Choice]:
        offered = drafts.offered(self.values, step.key)  # after the step's own, so option numbers stay put
        return [*(await step.choices(self.ctx, self.values) if step.choices else ()), *offered]

    async def _display(self, step: Step) -> str:
        return prompts.display(self.ctx, step, self.values.get(step.key), await self._choices(step))


def _conversation_id(conv: Conversation | None) -> str:
    if conv is None:
        return secrets.token_urlsafe(6)  # 48 random bits, 8 characters: no earlier button can carry it
    # a conversation begun before ids were kept is named by its row (unique while it lasts), then saved so
    return str(conv.data.get(CONVERSATION) or f"r{conv.id}")


async def summary_lines(ctx: Context, flow: Flow, values: Values) -> list[tuple[str, str]]:
    """(label, answer) for every step asked, as the summary shows them."""
    lines = []
    for step in prompts.applicable(flow, values):
        choices = await step.choices(ctx, values) if step.choices else ()
        lines.append((ctx.t(step.label), prompts.display(ctx, step, values.get(step.key), choices)))
    return lines
