"""What the organisation commands share: the operator (--by), the two vocabularies, audit rows, renaming, tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, cli_name, emit, fail, run_in_session
from bot.settings import Settings
from storage.models import Person, Studio, Union
from storage.repos import audit, org, persons
from storage.vocabulary import Words

NameLookup = Callable[..., Awaitable[object]]  # org.get_union, org.get_studio: (session=, name=) -> row or None
CHANNEL = "cli"  # the audit trail's channel for changes made on the command line
V = TypeVar("V")

ByOption = typer.Option(
    None,
    "--by",
    help="操作人（姓名或人员 ID），记入审计记录；不填则记为系统 / the operator (name or person id) named in the audit"
    " trail; without it the change is recorded as made by the system",
)
NewNameArg = Annotated[str, typer.Argument(help="新名称 / new name")]
AllOption = typer.Option(False, "--all", help="包括已停用的 / include deactivated ones")


def word(words: Words[V], value: str, *, what: tuple[str, str], as_json: bool) -> V:
    """An option's value in Chinese or English, or a one-line failure that lists both."""
    parsed = words.parse(value)
    if parsed is None:
        fail(f"未知{what[0]} / unknown {what[1]} {value!r}; use one of {words.help()}", as_json=as_json)
    return parsed


def person_id_of(ref: str) -> int | None:
    """The id in a person reference written as 12 or #12; None for a name."""
    ref = ref.strip().removeprefix("#")
    return int(ref) if ref.isdigit() else None


async def find_person(session: AsyncSession, ref: str, *, include_inactive: bool = False) -> Person:
    """The person a reference means: an id, or a name only one active person has."""
    person_id = person_id_of(ref)
    if person_id is not None:
        person = await session.get(Person, person_id)
        if person is None or not (person.active or include_inactive):
            raise CliError(f"没有这个人员 / no such person: {ref}")
        return person
    people = await persons.find_people(session=session, name=ref.strip())
    if not people:
        raise CliError(f"没有这个人员 / no such person: {ref}")
    if len(people) > 1:
        ids = ", ".join(str(p.id) for p in people)
        raise CliError(f"有多位 {ref}（id {ids}），请用 ID 指定 / several people named {ref} (ids {ids}); give the id")
    return people[0]


async def operator(session: AsyncSession, by: str | None) -> int | None:
    """The person id recorded as the actor: --by, or None for the system (an unattended or unnamed operator)."""
    return None if not by else (await find_person(session, by)).id


async def find_union(session: AsyncSession, name: str, *, include_inactive: bool = False) -> Union:
    """The union of that name, active unless asked otherwise."""
    union = await org.get_union(session=session, name=name.strip())
    if union is None or not (union.active or include_inactive):
        raise CliError(f"没有这个工会 / no such union: {name}")
    return union


async def find_studio(session: AsyncSession, name: str, *, include_inactive: bool = False) -> Studio:
    """The studio of that name, active unless asked otherwise."""
    studio = await org.get_studio(session=session, name=name.strip())
    if studio is None or not (studio.active or include_inactive):
        raise CliError(f"没有这个工作室 / no such studio: {name}")
    return studio


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    object_type: str,
    object_id: int,
    to_state: str,
    from_state: str | None = None,
    studio_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """One audit row for a change made on the command line."""
    await audit.record(
        session=session,
        actor_id=actor_id,
        channel=CHANNEL,
        object_type=object_type,
        object_id=object_id,
        from_state=from_state,
        to_state=to_state,
        studio_id=studio_id,
        detail=detail,
        reason=reason,
    )


def rename(
    new_name: str,
    limit: int,
    *,
    find: Callable[[AsyncSession], Awaitable[Union | Studio | Person]],
    object_type: str,
    empty: str,
    taken: tuple[NameLookup, str] | None = None,
    show_id: bool = False,
    by: str | None,
    as_json: bool,
) -> None:
    """Rename what `find` finds: strip, refuse an empty or (`taken`: lookup, refusal) a used name, rename, audit."""
    new_name = cli_name(new_name, limit, as_json=as_json)  # the one limit of storage.names

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        actor_id = await operator(session, by)
        found = await find(session)
        if not new_name:
            raise CliError(empty)
        if taken is not None and await taken[0](session=session, name=new_name):
            raise CliError(f"{taken[1]}: {new_name}")
        old, found.name = found.name, new_name
        studio_id = found.id if isinstance(found, Studio) else None
        await record(
            session, actor_id=actor_id, object_type=object_type, object_id=found.id, to_state="renamed",
            studio_id=studio_id, detail={"from": old, "to": new_name},
        )  # fmt: skip
        return {"id": found.id, "name": new_name, "old_name": old}

    r = run_in_session(work, as_json=as_json)
    shown = f"#{r['id']} " if show_id else ""
    emit(r, f"已改名 / renamed: {shown}{r['old_name']} → {r['name']}", as_json=as_json)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    return "" if value is None else str(value)


def table(result: dict[str, Any], title: str, columns: Sequence[tuple[str, str]], *, as_json: bool) -> None:
    """A list as one JSON object, or as a table of (key, header) columns."""
    if as_json:
        emit(result, "", as_json=True)
        return
    grid = Table(title=title, title_justify="left")
    for _, header in columns:
        grid.add_column(header)
    for row in result["rows"]:
        grid.add_row(*(_cell(row.get(key)) for key, _ in columns))
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped or captured: do not fold names at 80 columns
    console.print(grid)
