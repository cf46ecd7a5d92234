"""A web world: the seeded studio world plus a second district, the association, an admin and an expert,
a runtime serving the real app, and browsers (httpx clients) signed in through one-time links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.http.app import create_app
from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings
from handlers.web import signin
from storage.base import utcnow
from storage.models import LedgerEntry, LedgerKind, Person, RoleKind, Studio, Union, UnionLevel
from storage.repos import audit, ledgers, org, people, persons
from tests.reviews_support import ACTIVITY_FIELDS
from tests.support import World, make_world
from tests.support.transcript import SECRET

BASE = "https://studio.example.cn"


@dataclass
class WebWorld:
    """Who is who, and the runtime whose app the browsers talk to."""

    world: World
    runtime: Runtime
    other_union: Union
    other_studio: Studio
    other_reviewer: Person  # reviews the other district only
    association: Person  # reviewer of the municipal association
    admin: Person  # admin of the studio's district
    expert: Person
    entry: LedgerEntry  # submitted by the lead, in the world's studio
    other_entry: LedgerEntry  # submitted in the other district's studio
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.runtime.sessions


async def _person(session: AsyncSession, name: str, kind: RoleKind, user: str, **where: Any) -> Person:
    person = await persons.create_person(session=session, name=name, phone="13900000000")
    await org.grant_role(session=session, person=person, kind=kind, **where)
    await people.bind_identity(
        session=session, person=person, channel="test", external_id=user, chat_id=f"chat-{user}", now=utcnow()
    )
    return person


async def add_entry(
    sessions: async_sessionmaker[AsyncSession], studio: Studio, author: Person, **fields: Any
) -> LedgerEntry:
    """A submitted activity, recorded as chat records one (with its audit row)."""
    async with sessions() as session, session.begin():
        entry = await ledgers.create_entry(
            session=session,
            studio_id=studio.id,
            kind=LedgerKind.ACTIVITY,
            author_id=author.id,
            fields={**ACTIVITY_FIELDS, **fields},
            at=utcnow(),
        )
        await audit.record(
            session=session,
            actor_id=author.id,
            channel="test",
            object_type="entry",
            object_id=entry.id,
            to_state="submitted",
            version=1,
            studio_id=studio.id,
        )
    return entry


def runtime_for(db_url: str, tmp_path: Path, **settings: Any) -> Runtime:
    """A runtime on the test database: PUBLIC_BASE_URL https, the transcripts' secret, media under tmp_path."""
    values: dict[str, Any] = {
        "_env_file": None,
        "database_url": db_url,
        "public_base_url": BASE,
        "secret_key": SECRET.decode(),
        "media_dir": tmp_path / "media",
        "export_dir": tmp_path / "exports",
        **settings,
    }
    return build_runtime(load_settings(**values))


@asynccontextmanager
async def web_world(db_url: str, tmp_path: Path, **settings: Any) -> AsyncIterator[WebWorld]:
    """Seed the world and serve it with `runtime_for`'s runtime."""
    runtime = runtime_for(db_url, tmp_path, **settings)
    try:
        world = await make_world(runtime.sessions)
        async with runtime.sessions() as session, session.begin():
            xuhui = await org.create_union(
                session=session, name="徐汇区总工会", level=UnionLevel.DISTRICT, parent=world.municipal
            )
            other = await org.create_studio(
                session=session,
                name="徐汇电气创新工作室",
                union=xuhui,
                enterprise="上海电气",
                named_on=date(2024, 5, 1),
            )
            other_lead = await _person(session, "徐领衔", RoleKind.LEAD, "olead", studio=other)
            other_reviewer = await _person(session, "徐审核", RoleKind.REVIEWER, "orev", union=xuhui)
            association = await _person(session, "市协审核", RoleKind.ASSOCIATION, "assoc", union=world.municipal)
            admin = await _person(session, "浦东管理员", RoleKind.ADMIN, "admin", union=world.district)
            expert = await _person(session, "钱专家", RoleKind.EXPERT, "expert", union=world.municipal)
        entry = await add_entry(runtime.sessions, world.studio, world.lead)
        other_entry = await add_entry(runtime.sessions, other, other_lead, title="徐汇的活动")
        assert world.reviewer is not None
        named = {
            "lead": world.lead,
            "member": world.members[0],
            "reviewer": world.reviewer,
            "admin": admin,
            "association": association,
            "other_reviewer": other_reviewer,
            "expert": expert,
            "other_lead": other_lead,
        }
        yield WebWorld(
            world, runtime, xuhui, other, other_reviewer, association, admin, expert, entry, other_entry, named
        )
    finally:
        await runtime.close()


def browser(runtime: Runtime) -> httpx.AsyncClient:
    """A client on the real app, keeping cookies as a browser does (https, so Secure cookies come back)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(runtime)), base_url=BASE)


async def new_link(runtime: Runtime, person: Person, **kw: Any) -> str:
    """A sign-in link for a person, as `studio-bot web-link` makes one."""
    async with runtime.sessions() as session, session.begin():
        url = await signin.issue_link(session, runtime.config, person.id, now=kw.pop("now", utcnow()), limited=False)
    assert url is not None
    return url


async def open_link(http: httpx.AsyncClient, url: str) -> httpx.Response:
    """Open a link and press 登录 on the page it shows: the final response (no redirects followed)."""
    path = url.removeprefix(BASE)
    page = await http.get(path)
    if page.status_code != 200:
        return page
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return await http.post("/web/login", data={"token": path.rsplit("/", 1)[1], "form_token": found.group(1)})


async def signed_in(ww: WebWorld, who: str) -> httpx.AsyncClient:
    """A browser signed in as one of the world's people."""
    http = browser(ww.runtime)
    response = await open_link(http, await new_link(ww.runtime, ww.people[who]))
    assert response.status_code == 303 and response.headers["location"] == "/web/", response.text
    return http


def csrf_of(page: str) -> str:
    """The CSRF token a signed-in page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)
