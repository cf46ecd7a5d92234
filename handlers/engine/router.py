"""Routers: what a feature adds to the bot (commands, buttons, flows, hooks), and the routes built from them.

Each feature module makes a `Router` and registers on it with decorators; its package includes the module
routers, and `handlers.app.routes()` includes every feature's router, like aiogram's `include_router`.
Nothing is registered by importing a module: a router is a value, and a bot runs the `Routes` it is given.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from handlers.core.payloads import Press
from handlers.core.types import Reply
from storage.models import RoleKind

if TYPE_CHECKING:
    from handlers.engine.context import Context
    from handlers.engine.flow import Flow

Handler = Callable[["Context", str], Awaitable[list[Reply]]]
P = TypeVar("P", bound=Press)
ButtonHandler = Callable[["Context", P], Awaitable[list[Reply]]]
T = TypeVar("T")


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


@dataclass(frozen=True, eq=False)
class Hook(Generic[T]):
    """An extension point one feature declares and others add values to (pending sources, reason handlers …)."""

    name: str


@dataclass(eq=False)
class Router:
    """The commands, button handlers, flows and hook values of one feature (and of the routers it includes)."""

    name: str
    commands: list[Command] = field(default_factory=list)
    buttons: dict[type[Press], ButtonHandler[Any]] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    hooks: list[tuple[Hook[Any], Any]] = field(default_factory=list)
    children: list[Router] = field(default_factory=list)

    def command(
        self,
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
            self.commands.append(Command(name, words, help_key, handler, needs_person, in_menu, order, roles))
            return handler

        return register

    def button(self, kind: type[P]) -> Callable[[ButtonHandler[P]], ButtonHandler[P]]:
        """Register the handler of presses of this kind (e.g. ReviewPress); it receives the typed press."""

        def register(handler: ButtonHandler[P]) -> ButtonHandler[P]:
            if kind in self.buttons:
                raise ValueError(f"button kind {kind.__name__} registered twice in {self.name}")
            self.buttons[kind] = handler
            return handler

        return register

    def flow(self, flow: Flow) -> Flow:
        """Make a flow startable by name."""
        self.flows.append(flow)
        return flow

    def add(self, hook: Hook[T], value: T) -> T:
        """Add a value to a hook (a pending source, a reason handler …)."""
        self.hooks.append((hook, value))
        return value

    def include(self, *routers: Router) -> Router:
        """Make other routers part of this one; returns self."""
        self.children.extend(routers)
        return self

    def walk(self) -> Iterator[Router]:
        """This router and every router it includes, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


_SPLIT = re.compile(r"^\s*/?(\S+?)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


class Routes:
    """Everything a tree of routers registered, indexed; a name or word registered twice is refused."""

    def __init__(self, root: Router) -> None:
        self.commands: dict[str, Command] = {}
        self.buttons: dict[type[Press], ButtonHandler[Any]] = {}
        self.flows: dict[str, Flow] = {}
        self._by_word: dict[str, str] = {}
        self._hooks: dict[Hook[Any], list[Any]] = {}
        for router in root.walk():
            for cmd in router.commands:
                _put(self.commands, cmd.name, cmd, "command")
                for word in (cmd.name, *cmd.words):
                    self._by_word[word.lower()] = cmd.name
            for kind, handler in router.buttons.items():
                _put(self.buttons, kind, handler, "button kind")
            for flow in router.flows:
                _put(self.flows, flow.name, flow, "flow")
            for hook, value in router.hooks:
                self._hooks.setdefault(hook, []).append(value)
        # the words a command may be typed glued to its argument, by first character (most texts are answers,
        # and every typed answer is tried against them)
        self._glued: dict[str, list[tuple[str, str]]] = {}
        for known, target in self._by_word.items():
            if known and (not known.isascii() or known == "#"):
                self._glued.setdefault(known[0], []).append((known, target))

    def all(self, hook: Hook[T]) -> list[T]:
        """The values added to a hook, in the order the routers were included."""
        return list(self._hooks.get(hook, ()))

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command a text calls and its argument text, or None if the text is not a command."""
        found = _SPLIT.match(text or "")
        if not found:
            return None
        word, args = found.group(1).lower(), (found.group(2) or "").strip()
        name = self._by_word.get(word)
        if name is None:
            # Chinese commands are often typed without a space: "绑定ABCD2345", "语言en"; so is "#7".
            for known, target in self._glued.get(word[:1], ()):
                if word.startswith(known) and len(word) > len(known):
                    rest = text.strip().lstrip("/")[len(known) :] + " " + (found.group(2) or "")
                    return self.commands[target], rest.strip()
            return None
        return self.commands[name], args

    def menu(self) -> list[Command]:
        """The commands shown in menus and help, in display order."""
        return sorted((c for c in self.commands.values() if c.in_menu), key=lambda c: (c.order, c.name))


def _put(table: dict[Any, Any], key: Any, value: Any, what: str) -> None:
    if key in table:
        raise ValueError(f"{what} {key!r} registered twice")
    table[key] = value
