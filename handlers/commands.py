"""The command registry: every chat command, the words that call it, with or without a slash."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.buttons import Payload
from handlers.context import Context
from handlers.types import Reply
from storage.models import RoleKind

Handler = Callable[[Context, str], Awaitable[list[Reply]]]
ButtonHandler = Callable[[Context, Payload], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Command:
    """A chat command: its English name (also the slash form), its Chinese words, its help text."""

    name: str
    words: tuple[str, ...]
    help_key: str
    handler: Handler
    needs_person: bool = True
    in_menu: bool = True
    order: int = 100
    roles: frozenset[RoleKind] = frozenset()  # shown in help only to holders of one of these; empty: everyone

    def offered_to(self, ctx: Context) -> bool:
        """Whether help and menus show this command to the speaker."""
        if not self.in_menu or (self.needs_person and ctx.person is None):
            return False
        return not self.roles or any(r.kind in self.roles for r in ctx.roles)


REGISTRY: dict[str, Command] = {}
_BY_WORD: dict[str, str] = {}


def command(
    name: str,
    *words: str,
    help_key: str,
    needs_person: bool = True,
    in_menu: bool = True,
    order: int = 100,
    roles: frozenset[RoleKind] = frozenset(),
) -> Callable[[Handler], Handler]:
    """Register `handler` for `/name`, `name` and each of `words`."""

    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"command {name!r} registered twice")
        REGISTRY[name] = Command(name, words, help_key, handler, needs_person, in_menu, order, roles)
        for word in (name, *words):
            _BY_WORD[word.lower()] = name
        return handler

    return register


_SPLIT = re.compile(r"^\s*/?(\S+?)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def match(text: str) -> tuple[Command, str] | None:
    """The command a text calls and its argument text, or None if the text is not a command."""
    found = _SPLIT.match(text or "")
    if not found:
        return None
    word, args = found.group(1).lower(), (found.group(2) or "").strip()
    name = _BY_WORD.get(word)
    if name is None:
        # Chinese commands are often typed without a space: "绑定ABCD2345", "语言en".
        for known, target in _BY_WORD.items():
            if not known.isascii() and word.startswith(known) and len(word) > len(known):
                return REGISTRY[target], (text.strip().lstrip("/")[len(known) :] + " " + (found.group(2) or "")).strip()
        return None
    return REGISTRY[name], args


def menu() -> list[Command]:
    """The commands shown in menus and help, in display order."""
    return sorted((c for c in REGISTRY.values() if c.in_menu), key=lambda c: (c.order, c.name))


BUTTONS: dict[str, ButtonHandler] = {}


def on_button(kind: str) -> Callable[[ButtonHandler], ButtonHandler]:
    """Register the handler of button payloads of this kind (e.g. "rv" for reviews)."""

    def register(handler: ButtonHandler) -> ButtonHandler:
        if kind in BUTTONS:
            raise ValueError(f"button kind {kind!r} registered twice")
        BUTTONS[kind] = handler
        return handler

    return register
