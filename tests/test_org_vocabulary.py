"""One vocabulary: roles, levels and grades in Chinese or English, on the command line and in the import file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.run import import_file
from storage.importer.template import write_template
from storage.models import Person, Role, RoleKind, Union, UnionLevel
from tests.import_data import GOOD, filled
from tests.support.org_cli import OrgCli


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OrgCli:
    monkeypatch.chdir(tmp_path)
    return OrgCli(db_url)


@pytest.mark.parametrize(
    ("zh", "en", "code"), [("市级", "municipal", UnionLevel.MUNICIPAL), ("产业", "INDUSTRY", "industry")]
)
def test_union_levels_in_either_language_are_stored_as_the_english_code(
    cli: OrgCli, zh: str, en: str, code: str
) -> None:
    assert cli.ok("union", "add", "甲", "--level", zh)["level"] == code
    assert cli.ok("union", "add", "乙", "--level", en)["level"] == code

    async def levels(session: AsyncSession) -> list[str]:
        return [u.level.value for u in await session.scalars(select(Union).order_by(Union.id))]

    assert cli.read(levels) == [code, code]


def test_roles_and_grades_in_either_language(cli: OrgCli) -> None:
    cli.seed()
    lead = cli.ok(
        "invite",
        "--studio",
        "王建国技师创新工作室",
        "--role",
        "领衔人",
        "--name",
        "王建国",
        "--grade",
        "senior technician",
    )
    member = cli.ok(
        "invite", "--studio", "王建国技师创新工作室", "--role", "member", "--name", "李娟", "--grade", "技师"
    )
    reviewer = cli.ok("invite", "--union", "浦东新区总工会", "--role", "审核人", "--name", "陈审核")
    assert (lead["role"], member["role"], reviewer["role"]) == ("lead", "member", "reviewer")

    async def people(session: AsyncSession) -> list[tuple[str, str | None, RoleKind]]:
        rows = await session.execute(select(Person.name, Person.grade, Role.kind).join(Role).order_by(Person.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]

    assert cli.read(people) == [
        ("王建国", "高级技师", RoleKind.LEAD),
        ("李娟", "技师", RoleKind.MEMBER),
        ("陈审核", None, RoleKind.REVIEWER),
    ]


def test_unknown_words_are_refused_listing_both_languages(cli: OrgCli) -> None:
    cli.seed()
    cli.refused("union", "add", "甲", "--level", "city", needle="市级/municipal")
    cli.refused("invite", "--studio", "王建国技师创新工作室", "--role", "boss", "--name", "甲", needle="领衔人/lead")
    cli.refused(
        "invite",
        "--studio",
        "王建国技师创新工作室",
        "--role",
        "成员",
        "--name",
        "甲",
        "--grade",
        "大师",
        needle="技师/technician",
    )


def test_help_lists_both_words(cli: OrgCli) -> None:
    text = " ".join(cli("invite", "--help").stdout.split())
    assert "领衔人/lead" in text and "高级技师/senior-technician" in text
    assert "区县局/district" in " ".join(cli("union", "add", "--help").stdout.split())


async def test_the_import_takes_english_words_too(session: AsyncSession, tmp_path: Path) -> None:
    words = {"市级": "municipal", "区县局": "district", "企业": "Enterprise", "高级技师": "senior technician",
             "技师": "technician", "领衔人": "lead", "成员": "Member", "审核人": "reviewer"}  # fmt: skip
    english = {sheet: [[words.get(str(c), c) for c in line] for line in lines] for sheet, lines in GOOD.items()}
    result = await import_file(session=session, path=filled(tmp_path, "en.xlsx", english))
    assert result.problems == []
    wang = await session.scalar(select(Person).where(Person.name == "王建国"))
    assert wang is not None and wang.grade == "高级技师"


def test_the_template_offers_and_explains_both_words(tmp_path: Path) -> None:
    book = load_workbook(write_template(tmp_path / "t.xlsx"))
    lists = " ".join(str(v.formula1) for v in book["角色"].data_validations.dataValidation)
    assert "领衔人" in lists and "lead" in lists
    readme = " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row)
    assert "市级/municipal" in readme and "领衔人/lead" in readme and "首席技师/chief-technician" in readme
