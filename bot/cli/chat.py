"""`studio-bot chat [--as NAME]`: talk to the bot in the terminal, through the console channel."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_services import RuntimeServices
from bot.channels.console import CHANNEL, ConsolePusher, ConsoleScreen
from bot.cli.common import CliError, app, database_problem, fail, run
from bot.console_sender import ConsoleSender
from bot.runtime import build_runtime
from bot.settings import Settings, load_settings
from handlers.core.i18n import Translator
from handlers.engine.failures import TurnNotTaken
from storage.base import utcnow
from storage.models import Person, RoleKind, UnionLevel
from storage.repos import org, people, persons

GUEST = "console-guest"
EXIT_WORDS = frozenset({"exit", "/exit", ":q"})


@app.command()
def chat(
    as_name: Annotated[str | None, typer.Option("--as", help="以此人身份聊天 / chat as this person")] = None,
) -> None:
    """Talk to the bot in this terminal; without --as you are a stranger who may bind with a code."""
    settings = load_settings()
    try:
        run(converse(settings, as_name=as_name))
    except CliError as exc:
        fail(str(exc))
    except (DBAPIError, OSError) as exc:
        fail(database_problem(exc))


async def converse(
    settings: Settings,
    *,
    as_name: str | None,
    write: Callable[[str], None] = print,
    lines: AsyncIterator[str] | None = None,
) -> None:
    """Read lines (the terminal, or `lines`) until EOF or `exit`, printing the bot's answers."""
    runtime = build_runtime(settings)
    try:
        person, user_id = await _who(runtime.sessions, as_name)
        t = Translator(person.locale if person else settings.default_locale)
        screen = ConsoleScreen()
        sender = ConsoleSender(runtime.sessions, ConsolePusher(RuntimeServices(runtime), write))
        write(t("console.welcome", name=person.name) if person else t("console.welcome_guest"))
        for kind in await _uses(runtime.sessions, person):
            write(t(f"console.try.{kind}"))
        write(t("console.how"))
        resumed = await runtime.bot.where(CHANNEL, user_id)
        if resumed:  # shown again, so that its numbers press its buttons as they did before
            write(t("console.resume"))
            for line in screen.render(resumed):
                write(f"  {line}")
        source = lines if lines is not None else _terminal(lambda: t("console.prompt"), write)
        async for typed in source:
            if typed.strip().lower() in EXIT_WORDS:
                break
            if not typed.strip():
                continue
            try:
                turn = await runtime.handle(screen.incoming(typed, user_id=user_id))
            except TurnNotTaken:
                write(t("console.not_taken"))
                continue
            write("")
            for line in screen.render(turn.replies):
                write(f"  {line}")
            await sender.run_once()
            write("")
            t = Translator(await _locale(runtime.sessions, user_id) or t.locale)  # `语言 en` switches the prompt too
        write(t("console.bye"))
    finally:
        await runtime.close()


async def _terminal(prompt: Callable[[], str], write: Callable[[str], None]) -> AsyncIterator[str]:
    """Lines typed at a terminal (with line editing), or piped in (echoed, so the output reads as a transcript)."""
    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  - arrow keys and history for input()
    while True:
        try:
            if interactive:
                line = await asyncio.to_thread(input, prompt())
            else:
                line = await asyncio.to_thread(sys.stdin.readline)
                if not line:
                    return
                line = line.rstrip("\n")
                write(f"{prompt()}{line}")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        yield line


async def _uses(sessions: async_sessionmaker[AsyncSession], person: Person | None) -> list[str]:
    """What the person can try first, by role: records for a studio's people, 待审 for those who decide."""
    if person is None:
        return []
    async with sessions() as session:
        roles = await org.roles_of(session=session, person_id=person.id)
        unions = {r.union_id for r in roles if r.union_id is not None}
        levels = await org.levels_of(session=session, union_ids=unions) if unions else {}
    found = []
    for role in roles:
        if role.kind in (RoleKind.LEAD, RoleKind.MEMBER):
            found.append("studio")
        elif role.kind is RoleKind.EXPERT:
            found.append("expert")
        elif levels.get(role.union_id or 0) is UnionLevel.MUNICIPAL:
            found.append("association")
        else:
            found.append("reviewer")
    return list(dict.fromkeys(found)) or ["none"]


async def _locale(sessions: async_sessionmaker[AsyncSession], user_id: str) -> str | None:
    """The language chosen by the person behind this console user, if bound."""
    async with sessions() as session:
        identity = await people.identity(session=session, channel=CHANNEL, external_id=user_id)
        person = await session.get(Person, identity.person_id) if identity else None
    return person.locale if person else None


async def _who(sessions: async_sessionmaker[AsyncSession], name: str | None) -> tuple[Person | None, str]:
    """The person chatting and their console user id (bound on first use); a guest without --as."""
    if name is None:
        async with sessions() as session:
            identity = await people.identity(session=session, channel=CHANNEL, external_id=GUEST)
            person = await session.get(Person, identity.person_id) if identity else None
        return person, GUEST
    async with sessions() as session, session.begin():
        found = await persons.find_people(session=session, name=name.strip())
        if not found:
            raise CliError(f"没有叫 {name} 的人 / nobody is called {name}; add them with `studio-bot invite`")
        if len(found) > 1:
            raise CliError(f"有多位 {name} / several people are called {name}")
        person = found[0]
        user_id = console_user(person)
        if await people.identity(session=session, channel=CHANNEL, external_id=user_id) is None:
            await people.bind_identity(
                session=session, person=person, channel=CHANNEL, external_id=user_id, chat_id=user_id, now=utcnow()
            )
    return person, user_id


def console_user(person: Person) -> str:
    """The console user id of a person."""
    return f"person-{person.id}"
