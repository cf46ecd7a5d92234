"""Runs a flow: one input in, the state saved, the next question (or the summary) out."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from handlers.core.i18n import catalogue
from handlers.core.presses import FlowOp, FlowPress
from handlers.core.types import Reply
from handlers.engine import drafts, headcounts, prompts, words
from handlers.engine.answers import (
    ANYWHERE,
    EDIT_MENU,
    EDITING,
    FILES_DONE,
    MAX_TEXT,
    NOTE,
    SUMMARY,
    SUMMARY_NOTE,
    YIELDING,
    calls_command,
    match_choice,
    option_number,
    replace_typed,
    typed_names,
)
from handlers.engine.context import Context
from handlers.engine.flow import Choice, Flow, Offer, Step, SubmitRefused, Values, say_problem
from storage.models import Conversation
from storage.repos import conversations

__all__ = ["EDITING", "EDIT_MENU", "FILES_DONE", "SUMMARY", "SUMMARY_NOTE", "Runner", "summary_lines"]

CONVERSATION = "conversation"  # in a conversation's stored data: its random id, carried by its buttons
CONTROLS = {
    FlowOp.SKIP: "skip",
    FlowOp.BACK: "back",
    FlowOp.CANCEL: "cancel",
    FlowOp.DONE: "done",
    FlowOp.SUBMIT: "submit",
    FlowOp.EDIT: "edit",
}


class Runner:
    """Drives one conversation through its flow; every change is saved before anything is answered."""

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

    # ---- entry points -------------------------------------------------------------------------------

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

    async def _refused(self, key: str) -> Reply:
        """The question again after a press that is no longer valid, its reason as the press's toast too."""
        note = self.t(key)
        return replace(await self._show(note=note), toast=note)

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

    # ---- actions ------------------------------------------------------------------------------------

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

    # ---- state --------------------------------------------------------------------------------------

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
