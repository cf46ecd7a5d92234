"""Runs a flow: one input in, the state saved, the next question (or the summary) out."""

from __future__ import annotations

from typing import Any

from handlers.core.i18n import catalogue
from handlers.core.presses import FlowOp, FlowPress
from handlers.core.types import Reply
from handlers.engine import headcounts, prompts, words
from handlers.engine.answering import Answering
from handlers.engine.answers import (
    ANYWHERE,
    EDIT_MENU,
    EDITING,
    FILES_DONE,
    NOTE,
    SUMMARY,
    SUMMARY_NOTE,
    YIELDING,
    calls_command,
)
from handlers.engine.flow import SubmitRefused, Values
from handlers.engine.flow_state import summary_lines
from storage.repos import conversations

__all__ = ["EDITING", "EDIT_MENU", "FILES_DONE", "SUMMARY", "SUMMARY_NOTE", "Runner", "summary_lines"]

CONTROLS = {
    FlowOp.SKIP: "skip",
    FlowOp.BACK: "back",
    FlowOp.CANCEL: "cancel",
    FlowOp.DONE: "done",
    FlowOp.SUBMIT: "submit",
    FlowOp.EDIT: "edit",
}


class Runner(Answering):
    """Drives one conversation through its flow: its entry points, the control words and buttons, the submission."""

    async def start(self, initial: Values | None = None) -> list[Reply]:
        """Begin the flow; with every answer given (an edit of an entry) it opens on the summary."""
        self.values, self.mode = dict(initial or {}), "ask"
        if self.flow.prepare is not None:
            refusal = await self.flow.prepare(self.ctx, self.values)
            if refusal is not None:
                return refusal
        if EDITING in self.values:
            self.values[FILES_DONE] = True
            intro = self.t("engine.intro_edit", title=self.t(self.flow.title), number=self.values[EDITING])
        else:
            intro = self.t(self.flow.intro, title=self.t(self.flow.title)) if self.flow.intro else ""
        intro = "\n".join(filter(None, [intro, str(self.values.pop(NOTE, "") or "")]))
        return await self._go(self._next_after(None), note=intro)

    async def on_press(self, press: FlowPress) -> list[Reply]:
        """A press of a conversation's button: refused unless it is this conversation's, at its version."""
        if press.conversation != self.conversation_id:
            return [await self._refused("engine.earlier_conversation")]
        if press.version != self.version:
            return [await self._refused("engine.stale_button")]
        arg = press.arg
        if press.op in CONTROLS:
            return await self._control(CONTROLS[press.op])
        if press.op is FlowOp.DRAFT:
            return await self._use_draft()
        if press.op is FlowOp.CHOOSE and arg is not None:
            return await self._choose(arg)
        if press.op is FlowOp.TOGGLE and arg is not None:
            return await self._toggle(arg)
        if press.op is FlowOp.FIELD and arg is not None and self.state == EDIT_MENU and arg < len(self.flow.steps):
            step = self.flow.steps[arg]
            if step.applies(self.values):
                return await self._edit_field(step)
        return [await self._show(note=self.t("engine.bad_button"))]

    async def on_text(self, text: str, *, spoken: bool = False) -> list[Reply]:
        """Typed text: a control word, a command (refused mid-flow), or an answer (shown back first if spoken)."""
        if self.state == SUMMARY and words.confirms(text):
            return await self._submit()
        control = words.control_word(text)
        if control is not None and not (control in YIELDING and await self._is_choice(text)):
            return await self._control(control)
        found = self.ctx.routes.match(text)
        if found is not None and found[0].name in ANYWHERE and ANYWHERE[found[0].name](found[1]):
            replies = await found[0].handler(self.ctx, found[1])
            self.t = self.ctx.t  # switching the language changes how the question reads
            return [*replies, await self._show()]
        if calls_command(self.ctx.routes, text) and not await self._is_choice(text):
            return [await self._show(note=self.t("engine.busy_in_flow", flow=self.t(self.flow.title)))]
        if self.state == SUMMARY:
            return [await self._show(note=self.t("engine.use_summary_buttons"))]
        if self.state == EDIT_MENU:
            for step in prompts.applicable(self.flow, self.values):
                if self.t(step.label) == text.strip():
                    return await self._edit_field(step)
            return [await self._show(note=self.t("engine.pick_field"))]
        step = self.flow.step(self.state)
        if spoken and text.strip() and not step.files:
            return await self._heard(step, text.strip())
        return await self._answer(step, text.strip())

    async def on_file(self, file: dict[str, Any]) -> list[Reply]:
        """A photo or file: kept for the flow's files step, wherever the person is (a voice too, with a word)."""
        target = next((s for s in self.flow.steps if s.files), None)
        voice = file.get("kind") == "voice"
        if target is None:
            return [await self._show(note=self.t("engine.voice_unread" if voice else "engine.file_not_expected"))]
        self.values[target.key] = [*(self.values.get(target.key) or []), file]
        await self._save(self.state)
        key = "engine.files_received" if self.state == target.key else "engine.file_kept"
        key = "engine.voice_kept" if voice and self.state != target.key else key
        note = self.t(key, count=len(self.values[target.key]))
        if file.get("caption"):  # the words sent with it are its description, not an answer
            note = self.t("engine.file_caption", caption=file["caption"]) + "\n" + note
        return [await self._show(note=note)]

    async def _control(self, action: str) -> list[Reply]:
        if action == "cancel":
            await conversations.clear(
                session=self.ctx.session, channel=self.ctx.channel, user_id=self.ctx.incoming.user_id
            )
            left = await self.flow.cancel(self.ctx, self.values) if self.flow.cancel is not None else None
            return [Reply(text=left or self.t("engine.cancelled", title=self.t(self.flow.title)))]
        if action == "help":
            if self.state in (SUMMARY, EDIT_MENU):
                return [await self._show(note=self.t("engine.summary_help"))]
            key = f"{self.flow.step(self.state).prompt}.help"
            hint = self.t(key) if key in catalogue("zh_CN") else ""
            return [await self._show(note="\n".join(filter(None, [hint, self.t("engine.step_help")])))]
        if self.state == SUMMARY:
            if action == "submit":
                return await self._submit()
            if action == "edit":
                return await self._go(EDIT_MENU)
            if action == "back":
                steps = prompts.applicable(self.flow, self.values)
                self.mode = "ask"
                return await self._go(steps[-1].key)
            return [await self._show(note=self.t("engine.use_summary_buttons"))]
        if self.state == EDIT_MENU:
            return await self._go(SUMMARY) if action == "back" else [await self._show()]
        step = self.flow.step(self.state)
        if action == "back":
            if self.mode == "edit":
                return await self._go(SUMMARY)
            previous = self._previous(step)
            if previous is None:
                return [await self._show(note=self.t("engine.at_first_step"))]
            return await self._go(previous.key)
        if action == "skip":
            if not step.optional:
                return [await self._show(note=self.t("engine.cannot_skip"))]
            # skipping a files step keeps what was already sent: nothing a user sent is dropped
            kept = self.values.get(step.key) or [] if step.files else []
            self.values[step.key] = kept if (step.multi or step.files) else None
            headcounts.settle(step, self.values, [], None)
            if step.files:
                self.values[FILES_DONE] = True
            return await self._go(self._next_after(step))
        if action == "done" and (step.multi or step.files):
            chosen = self.values.get(step.key) or []
            if not chosen and not step.optional:
                return [await self._show(note=self.t("engine.choose_at_least_one"))]
            headcounts.settle(step, self.values, chosen, None)  # ticked names: as many as they are
            self.values[step.key] = chosen
            if step.files:
                self.values[FILES_DONE] = True
            return await self._go(self._next_after(step))
        if action in ("submit", "edit", "done"):
            return [await self._show(note=self.t("engine.answer_first"))]
        return [await self._show()]

    async def _submit(self) -> list[Reply]:
        missing = next(
            (
                s
                for s in prompts.applicable(self.flow, self.values)
                if not s.optional and self.values.get(s.key) in (None, "", [])
            ),
            None,
        )
        if missing is not None:
            self.mode = "ask"
            return await self._go(missing.key, note=self.t("engine.cannot_skip"))
        # Flows read answers of conditional steps only when the condition holds (values keep them all).
        try:
            replies = await self.flow.submit(self.ctx, dict(self.values))
        except SubmitRefused as refused:
            return [*refused.replies, await self._show()]
        await conversations.clear(session=self.ctx.session, channel=self.ctx.channel, user_id=self.ctx.incoming.user_id)
        return replies
