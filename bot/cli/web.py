"""`studio-bot web-link` and `web-logout` (--name NAME): a sign-in link for somebody, or end their sessions."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, emit, run_in_session
from bot.settings import Settings
from handlers.core.config import HandlerConfig
from handlers.web import signin
from storage.base import utcnow
from storage.models import Person
from storage.repos import audit, persons

PersonOption = Annotated[str, typer.Option("--name", help="姓名 / the person's name")]
IdOption = Annotated[int | None, typer.Option("--person", help="人员编号，重名时使用 / person id, when names repeat")]


async def _person(session: AsyncSession, name: str, person_id: int | None) -> Person:
    found = await persons.find_people(session=session, name=name.strip())
    if person_id is not None:
        found = [p for p in found if p.id == person_id]
    if not found:
        raise CliError(f"没有这个人 / no such person: {name.strip()}")
    if len(found) > 1:
        ids = ", ".join(str(p.id) for p in found)
        raise CliError(f"重名，请用 --person 指定 / several people have this name, pick one with --person: {ids}")
    return found[0]


@app.command("web-link")
def web_link(name: PersonOption, person: IdOption = None, as_json: bool = JsonOption) -> None:
    """Print a one-time sign-in link to the web console for a person (valid WEB_LINK_TTL_MINUTES, used once)."""

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        who = await _person(session, name, person)
        try:
            url = await signin.issue_link(
                session, HandlerConfig.from_object(settings), who.id, now=utcnow(), limited=False
            )
        except signin.NoBaseUrl:
            raise CliError(
                "未设置 PUBLIC_BASE_URL / PUBLIC_BASE_URL is not set: links need the server's address"
            ) from None
        assert url is not None
        return {"person": who.name, "person_id": who.id, "url": url, "minutes": settings.web_link_ttl_minutes}

    result = run_in_session(work, as_json=as_json)
    emit(
        result,
        f"{result['person']}（{result['minutes']} 分钟内有效，仅限一次 / valid {result['minutes']} min, once）:\n"
        f"{result['url']}",
        as_json=as_json,
    )


@app.command("web-logout")
def web_logout(name: PersonOption, person: IdOption = None, as_json: bool = JsonOption) -> None:
    """End every web console session of a person and void their unused sign-in links (audited)."""

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        who = await _person(session, name, person)
        now = utcnow()
        ended = await signin.sign_out_everywhere(session, who.id, now=now)
        await audit.record(
            session=session,
            actor_id=None,
            channel="cli",
            object_type="person",
            object_id=who.id,
            to_state="web_signed_out",
            detail={"sessions": ended},
            at=now,
        )
        return {"person": who.name, "person_id": who.id, "sessions_ended": ended}

    result = run_in_session(work, as_json=as_json)
    emit(
        result,
        f"{result['person']}：已结束 {result['sessions_ended']} 个网页会话 / "
        f"{result['sessions_ended']} web session(s) ended",
        as_json=as_json,
    )
