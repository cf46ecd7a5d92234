"""How typed text is read inside a flow: option numbers, choice names, lists of names, commands, limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from handlers.core.i18n import normalise_locale
from handlers.core.parsing import FULLWIDTH, parse_count, parse_decimal
from handlers.engine.flow import Choice
from handlers.engine.router import Routes

SUMMARY = "@summary"  # the state of a conversation showing its summary
EDIT_MENU = "@edit"  # the state of a conversation asking which field to change
MAX_TEXT = 2000
EDITING = "_entry_id"  # set in the values of a flow that edits an existing entry
FILES_DONE = "_files_done"  # the files step was answered (files may arrive before it is asked)
NOTE = "_note"  # set by a flow's prepare: a line said before the first question (then dropped)
DRAFT = "_draft"  # an over-long answer kept for its step ({"key", "text"}) until answered or left
SUMMARY_NOTE = "_summary_note"  # [message id, params]: a warning the summary shows above itself, before submitting
# Commands that run inside a flow without ending it, when their arguments make sense ("语言 en").
ANYWHERE: dict[str, Callable[[str], bool]] = {"lang": lambda args: normalise_locale(args) is not None}
YIELDING = frozenset({"skip", "done", "submit", "edit"})  # control words that give way to a choice of that name
_NAME_SPLIT = re.compile(r"[,，、;；\n]+")
_BRACKETS = str.maketrans("（）", "()")
_AROUND_BRACKET = re.compile(r"\s*([()])\s*")
_GLOSS = re.compile(r"^(?P<label>.*?)\s*[(（](?P<gloss>[^()（）]+)[)）]\s*$")


def option_number(text: str, count: int) -> int | None:
    """The option a typed number (1..count; full-width ７ too, but not "²", which isdigit() accepts) stands for."""
    value = text.strip().translate(FULLWIDTH)
    if not (value.isascii() and value.isdigit() and len(value) < 4):
        return None
    number = int(value)
    return number if 1 <= number <= count else None


def calls_command(routes: Routes, text: str) -> bool:
    """A slash command, or a command word typed alone (with or without a slash)."""
    found = routes.match(text)
    if found is None:
        return False
    return text.lstrip().startswith("/") or not found[1]


def match_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice the text names: its label (with or without a bracketed gloss), value or an alias; case ignored."""
    wanted = _plain(text)
    for choice in choices:
        if wanted in _names_of(choice):
            return choice
    return None


def _plain(text: str) -> str:
    # "Mentoring (高师带徒)" and "Mentoring（高师带徒）" read the same
    return _AROUND_BRACKET.sub(r"\1", " ".join(text.translate(_BRACKETS).split())).lower()


def _names_of(choice: Choice) -> set[str]:
    names = {_plain(choice.label), _plain(str(choice.value)), *(_plain(alias) for alias in choice.aliases)}
    # "Mentoring (高师带徒)": the English label, and the Chinese name in brackets, each name it too
    glossed = _GLOSS.match(choice.label)
    if glossed:
        names.update({_plain(glossed["label"]), _plain(glossed["gloss"])})
    return names


def is_number(text: str) -> bool:
    """Whether the text is a number or a head count ("9", "12人", "１２人", "2.5"), which is not a name."""
    return parse_count(text) is not None or parse_decimal(text) is not None


def typed_names(text: str, choices: Sequence[Choice], *, names: bool) -> tuple[list[Any], str | None]:
    """The names (or option numbers) typed, separated by commas or 、; else (if names) the first that is a number."""
    named: list[Any] = []
    for raw in _NAME_SPLIT.split(text):
        name = raw.strip()
        if not name:
            continue
        choice = match_choice(name, choices)
        number = option_number(name, len(choices))
        if choice is None and number is not None:
            choice = choices[number - 1]
        if choice is None and names and is_number(name):
            return [], name
        value = choice.value if choice else name[:50]
        if value not in named:
            named.append(value)
    return named, None


def replace_typed(chosen: list[Any], named: list[Any], choices: Sequence[Choice]) -> list[Any]:
    """The members still ticked, then the names just typed: typed names replace those typed before."""
    members = {choice.value for choice in choices}
    kept = [value for value in chosen if value in members]
    return kept + [value for value in named if value not in kept]
