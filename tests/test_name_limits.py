"""Names of unions, studios and people: one limit each, checked before the database, alike on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from storage.models import Person, Studio, Union
from storage.names import PERSON_NAME_MAX, STUDIO_NAME_MAX, UNION_NAME_MAX
from tests.import_data import GOOD, filled
from tests.test_cli_edges import cli as cli
from tests.test_cli_edges import invoke, one_line_error, seed_union
from tests.test_cli_edges import work as work

LONG = "长" * 1000


async def count(session: AsyncSession, model: type) -> int:
    await session.rollback()
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("bad", [LONG, "第一行\n第二行工作室", "制表\t工作室"])
async def test_the_cli_refuses_long_or_multi_line_names_in_one_line(
    cli: CliRunner, session: AsyncSession, bad: str
) -> None:
    one_line_error(await invoke(cli, "union", "add", bad, "--level", "municipal"), "名称")
    await seed_union(cli)
    unions = await count(session, Union)
    one_line_error(await invoke(cli, "studio", "add", bad, "--union", "浦东新区总工会"), "名称")
    args = ("invite", "--union", "浦东新区总工会", "--role", "admin", "--name", bad)
    one_line_error(await invoke(cli, *args), "名称")
    assert (await count(session, Studio), await count(session, Person), await count(session, Union)) == (0, 0, unions)


async def test_a_name_at_its_limit_is_kept(cli: CliRunner, session: AsyncSession) -> None:
    await seed_union(cli)
    name = "工" * (STUDIO_NAME_MAX - 3) + "工作室"
    result = await invoke(cli, "studio", "add", name, "--union", "浦东新区总工会", "--json")
    assert result.exit_code == 0, result.output
    one_line_error(await invoke(cli, "studio", "add", name + "二", "--union", "浦东新区总工会"), str(STUDIO_NAME_MAX))
    await session.rollback()
    assert await session.scalar(select(Studio.name)) == name


async def test_the_importer_reports_long_and_multi_line_names(
    cli: CliRunner, session: AsyncSession, tmp_path: Path
) -> None:
    rows = {
        **GOOD,
        "工会": [*GOOD["工会"], ["区" * (UNION_NAME_MAX + 1), "区县局", "市职工技协"]],
        "工作室": [
            *GOOD["工作室"],
            [LONG, "浦东新区总工会", None, None, None, None],
            ["两行\n工作室", "浦东新区总工会"],
        ],
        "人员": [*GOOD["人员"], ["张" * (PERSON_NAME_MAX + 1), None, None, None]],
    }
    result = await invoke(cli, "import", str(filled(tmp_path, "long.xlsx", rows)), "--json")
    assert result.exit_code == 2, result.output
    codes = sorted(p["code"] for p in json.loads(result.stdout)["problems"])
    assert codes == ["import.error.control", *["import.error.too_long"] * 3], codes
    assert "value too long" not in result.output and "Traceback" not in result.output
    assert await count(session, Studio) == 0


@pytest.mark.parametrize("bad", [LONG, "第一行\n第二行"])
async def test_renaming_keeps_to_the_same_limits(cli: CliRunner, session: AsyncSession, bad: str) -> None:
    await seed_union(cli)
    assert (await invoke(cli, "studio", "add", "示范工作室", "--union", "浦东新区总工会")).exit_code == 0
    invited = await invoke(cli, "invite", "--union", "浦东新区总工会", "--role", "admin", "--name", "陈一")
    assert invited.exit_code == 0, invited.output
    one_line_error(await invoke(cli, "union", "rename", "浦东新区总工会", bad), "名称")
    one_line_error(await invoke(cli, "studio", "rename", "示范工作室", bad), "名称")
    one_line_error(await invoke(cli, "person", "rename", "陈一", bad), "名称")
    await session.rollback()
    assert "浦东新区总工会" in set(await session.scalars(select(Union.name)))
    assert list(await session.scalars(select(Studio.name))) == ["示范工作室"]
    assert list(await session.scalars(select(Person.name))) == ["陈一"]
