"""The overview in SQL: the studios the roles table allows, filtered, sorted and paged by the database, with a
number of statements that does not grow with the studios."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.roles import permissions
from handlers.roles.permissions import Action, Scope
from handlers.web.scope import overview_scope, visible_studios
from handlers.web.viewer import web_context
from storage.base import utcnow
from storage.models import Person, RoleKind, Studio, UnionLevel
from storage.repos import delegations, org, web_figures
from tests.support.sql import statements
from tests.web_support import WebWorld, add_entry, signed_in, web_world


async def _more_studios(ww: WebWorld, count: int, *, start: int = 0) -> None:
    async with ww.sessions() as s, s.begin():
        factory = await org.get_union(session=s, name="浦东机床厂工会")
        if factory is None:
            factory = await org.create_union(
                session=s, name="浦东机床厂工会", level=UnionLevel.ENTERPRISE, parent=ww.world.district
            )
        for n in range(start, start + count):
            await org.create_studio(
                session=s, name=f"浦东{n:03d}号创新工作室", union=factory, enterprise=f"机床{n % 7}厂"
            )


async def test_the_database_selects_exactly_the_studios_the_table_allows(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await _more_studios(ww, 3)
        async with ww.sessions() as s, s.begin():
            await org.create_studio(session=s, name="市属直管创新工作室", union=ww.world.municipal)
            today = utcnow().astimezone(ww.runtime.config.tz).date()
            stand_in = ww.people["expert"]  # stands in for 浦东's reviewer: sees what the reviewer sees
            await delegations.delegate(
                session=s,
                reviewer_id=ww.people["reviewer"].id,
                delegate_id=stand_in.id,
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=1),
            )
        for who, person in ww.people.items():
            async with ww.sessions() as s:
                ctx = await web_context(s, ww.runtime.config, ww.runtime.bot.routes, person.id, now=utcnow())
                assert ctx is not None
                decided = {studio.name for studio, _ in await visible_studios(ctx)}
                scope = await overview_scope(ctx)
                selected = set(await s.scalars(select(Studio.name).where(web_figures.in_scope(scope))))
            assert selected == decided, who
            assert ("浦东001号创新工作室" in selected) is (who in ("reviewer", "admin", "association", "expert")), who


async def test_a_rule_the_query_does_not_know_is_decided_by_the_table(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # should the table let experts view the ledgers of studios outside their enterprise, the overview follows
    rules = permissions.TABLE[Action.VIEW_ENTRIES] | {(RoleKind.EXPERT, Scope.INDEPENDENT)}
    monkeypatch.setitem(permissions.TABLE, Action.VIEW_ENTRIES, rules)
    async with web_world(db_url, tmp_path) as ww:
        async with ww.sessions() as s, s.begin():
            expert = await s.get(Person, ww.people["expert"].id)
            assert expert is not None
            expert.enterprise = "上海电气"  # the other district's studio is of the expert's own enterprise
        http = await signed_in(ww, "expert")
        page = (await http.get("/web/")).text
        assert "张工数控创新工作室" in page and "徐汇电气创新工作室" not in page


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/web/studios/\d+">([^<]+)</a>', page)


async def test_the_overview_pages_filters_and_sorts_in_the_database(db_url: str, tmp_path: Path) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await _more_studios(ww, 230)
        studio = ww.world.studio
        await add_entry(ww.sessions, studio, ww.world.lead, occurred_on=date.today() - timedelta(days=3))
        http = await signed_in(ww, "reviewer")
        first = (await http.get("/web/")).text
        assert len(_names(first)) == 100 and "第 1–100 个，共 231 个符合条件" in first
        assert _names(first)[:2] == ["张工数控创新工作室", "浦东000号创新工作室"]  # 张 sorts before 浦
        assert _names(first)[-1] == "浦东098号创新工作室"
        third = (await http.get("/web/?sort=name&dir=asc&page=3")).text
        assert "第 201–231 个，共 231 个符合条件" in third and 'rel="next"' not in third and 'rel="prev"' in third
        assert _names(third)[0] == "浦东199号创新工作室" and _names(third)[-1] == "浦东229号创新工作室"
        beyond = (await http.get("/web/?page=99")).text
        assert "第 201–231 个" in beyond  # past the end: the last page
        # words in the name, union or enterprise; % and _ are plain characters, not patterns
        found = (await http.get("/web/?q=机床3厂")).text
        assert "共 33 个符合条件" in found and all(n.startswith("浦东") for n in _names(found))
        assert "没有符合条件" in (await http.get("/web/?q=%25")).text
        assert "没有符合条件" in (await http.get("/web/?q=_")).text
        # the studio with the newest activity is the least idle; studios with no activity come last, by name
        idle = _names((await http.get("/web/?sort=idle&dir=asc")).text)
        assert idle[0] == "张工数控创新工作室" and idle[1:4] == [
            "浦东000号创新工作室",
            "浦东001号创新工作室",
            "浦东002号创新工作室",
        ]
        idle_desc = _names((await http.get("/web/?sort=idle&dir=desc")).text)
        assert idle_desc[0] == "张工数控创新工作室" and idle_desc[1] == "浦东000号创新工作室"
        waiting = _names((await http.get("/web/?sort=waiting&dir=desc")).text)
        assert waiting[0] == "张工数控创新工作室"


async def test_the_overview_costs_the_same_statements_at_ten_and_three_hundred_studios(
    db_url: str, tmp_path: Path
) -> None:
    async with web_world(db_url, tmp_path) as ww:
        await _more_studios(ww, 10)
        http = await signed_in(ww, "association")
        await http.get("/web/")
        small: dict[str, int] = {}
        for path in ("/web/?sort=idle", "/web/?sort=name", "/web/?q=浦东&status=prospective"):
            with statements(ww.runtime.engine) as sent:
                assert (await http.get(path)).status_code == 200
            small[path] = len(sent)
        await _more_studios(ww, 290, start=10)
        for path, count in small.items():
            with statements(ww.runtime.engine) as sent:
                page = (await http.get(path)).text
            assert "共 302 个符合条件" in page or "q=" in path
            assert len(sent) == count, (path, count, len(sent))
