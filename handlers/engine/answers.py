"""How typed text is read inside a flow: option numbers, choice names, lists of names, commands, limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from handlers import commands
from handlers.engine.flow import Choice
from handlers.i18n import normalise_locale

SUMMARY = "@summary"  # the state of a conversation showing its summary
EDIT_MENU = "@edit"  # the state of a conversation asking which field to change
FLOW_BUTTONS = frozenset({"fc", "fm", "fd", "fk", "fb", "fx", "fs", "fe", "ff"})
MAX_TEXT = 2000
EDITING = "_entry_id"  # set in the values of a flow that edits an existing entry
FILES_DONE = "_files_done"  # the files step was answered (files may arrive before it is asked)
# Commands that run inside a flow without ending it, when their arguments make sense ("语言 en").
ANYWHERE: dict[str, Callable[[str], bool]] = {"lang": lambda args: normalise_locale(args) is not None}
YIELDING = frozenset({"skip", "done", "submit", "edit"})  # control words that give way to a choice of that name
_NAME_SPLIT = re.compile(r"[,，、;；\n]+")


def option_number(text: str, count: int) -> int | None:
    """The option a typed number (1..count, ASCII digits only: "²".isdigit() is True) stands for."""
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) < 4):
        return None
    number = int(value)
    return number if 1 <= number <= count else None


def calls_command(text: str) -> bool:
    """A slash command, or a command word typed alone (with or without a slash)."""
    found = commands.match(text)
    if found is None:
        return False
    return text.lstrip().startswith("/") or not found[1]


def match_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice whose label or value the text is (case and surrounding spaces ignored)."""
    wanted = text.strip().lower()
    for choice in choices:
        if wanted in (choice.label.strip().lower(), str(choice.value).strip().lower()):
            return choice
    return None


def merge_names(chosen: list[Any], text: str, choices: Sequence[Choice]) -> list[Any]:
    """Add typed names (or option numbers), separated by commas or 、, to those already chosen."""
    merged = list(chosen)
    for raw in _NAME_SPLIT.split(text):
        name = raw.strip()
        if not name:
            continue
        choice = match_choice(name, choices)
        number = option_number(name, len(choices))
        if choice is None and number is not None:
            choice = choices[number - 1]
        value = choice.value if choice else name[:50]
        if value not in merged:
            merged.append(value)
    return merged
