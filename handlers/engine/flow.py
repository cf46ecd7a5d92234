"""How a flow is declared: ordered steps, each with a prompt, a parser, choices, and whether it may be skipped."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from handlers.core.types import Reply
from handlers.engine.context import Context

# A parser turns typed text into a JSON-ready value, or names the message key of what is wrong
# (with the message's placeholders when it needs them: "2月没有30日").
Problem = str | tuple[str, dict[str, Any]]
ParseResult = tuple[Any, "Problem | Offer | None"]
Parser = Callable[[Context, str], ParseResult]
Values = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Choice:
    """An option offered as a button (or a numbered line): the stored value, what it says, other words for it."""

    value: Any
    label: str
    aliases: tuple[str, ...] = ()  # typed words that choose it too (没有 for 否)


@dataclass(frozen=True, slots=True)
class Offer:
    """A parser's problem that offers answers as buttons ("which year?" with last year's day to press)."""

    problem: Problem
    choices: tuple[Choice, ...]


def say_problem(ctx: Context, problem: Problem | Offer) -> str:
    """The message a parser's problem names, with its placeholders filled."""
    problem = problem.problem if isinstance(problem, Offer) else problem
    return ctx.t(problem) if isinstance(problem, str) else ctx.t(problem[0], **problem[1])


ChoiceProvider = Callable[[Context, Values], Awaitable[Sequence[Choice]]]


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    key: str
    prompt: str  # message key of the question
    label: str  # message key of the field's name in the summary
    parse: Parser | None = None  # typed answers; None: only the choices are accepted
    choices: ChoiceProvider | None = None
    optional: bool = False
    multi: bool = False  # several choices, toggled, then 完成 / done
    names: bool = False  # multi: typed answers are people's names, so a number or head count is refused
    headcount: str | None = None  # names: the key of the step holding how many; a count typed here answers it
    closed: bool = False  # multi: only the offered choices; typed text that names none is refused
    files: bool = False  # collects photos and files until 完成 / done
    when: Callable[[Values], bool] | None = None  # asked only when this holds
    show: Callable[[Context, Any], str] | None = None  # how the value reads in the summary
    # after the parser: a check that needs the answers so far or the database (a date before the studio's cycle)
    check: Callable[[Context, Values, Any], Awaitable[Problem | None]] | None = None
    limit: int | None = None  # typed text: at most this many characters (stated in the question); longer is a draft

    def applies(self, values: Values) -> bool:
        """Whether the step is asked, given the answers so far."""
        return self.when is None or self.when(values)


@dataclass(frozen=True)
class Flow:
    """A guided conversation that ends in one submission."""

    name: str
    title: str  # message key
    steps: tuple[Step, ...]
    submit: Callable[[Context, Values], Awaitable[list[Reply]]]
    # Before the first step: fill values (e.g. the studio when there is only one) or refuse with replies.
    prepare: Callable[[Context, Values], Awaitable[list[Reply] | None]] | None = None
    # On 取消: what to say instead of "nothing was saved" when something the flow kept outlives the conversation.
    cancel: Callable[[Context, Values], Awaitable[str | None]] | None = None
    summary_title: str = "engine.summary_title"
    intro: str | None = "engine.intro"  # said before the first question; None for a one-question flow (a reason)

    def step(self, key: str) -> Step:
        """The step of that key."""
        return self.steps[self._positions[key]]

    def index(self, key: str) -> int:
        """The position of a step."""
        position = self._positions.get(key)
        if position is None:
            raise ValueError(f"{key!r} is not a step of {self.name}")
        return position

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        # looked up several times a turn; the steps never change
        return {step.key: i for i, step in reversed(list(enumerate(self.steps)))}


class SubmitRefused(Exception):
    """Raised by a flow's submit to refuse with a message while keeping every answer (back on the summary)."""

    def __init__(self, replies: list[Reply]) -> None:
        super().__init__("submit refused")
        self.replies = replies
