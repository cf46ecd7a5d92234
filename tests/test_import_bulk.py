"""Bulk import: the template round trip, every bad row reported with nothing written, and idempotence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.importer.reader import ImportFileError
from storage.importer.run import import_file
from storage.importer.template import write_template
from storage.models import Cycle, Person, Role, RoleKind, Studio, StudioStatus, Union, UnionLevel
from storage.repos import org, persons, studio_cycles
from tests.import_data import GOOD, filled


async def counts(session: AsyncSession) -> tuple[int, ...]:
    return tuple(
        [await session.scalar(select(func.count()).select_from(m)) or 0 for m in (Union, Studio, Person, Role, Cycle)]
    )


def test_template_has_the_sheets_and_headers(tmp_path: Path) -> None:
    book = load_workbook(write_template(tmp_path / "t.xlsx"))
    assert book.sheetnames == ["说明", "工会", "工作室", "人员", "角色"]
    assert [c.value for c in book["工会"][1]] == ["名称", "层级", "上级工会"]
    assert [c.value for c in book["角色"][1]] == ["姓名", "手机", "角色", "工作室", "工会"]
    assert book["人员"].freeze_panes == "A2"
    assert any("市级" in str(v.formula1) for v in book["工会"].data_validations.dataValidation)


async def test_good_file_then_the_same_file_again(session: AsyncSession, tmp_path: Path) -> None:
    path = filled(tmp_path, "good.xlsx", GOOD)
    first = await import_file(session=session, path=path)
    assert first.problems == [] and first.report is not None
    await session.commit()
    assert {k: dict(v) for k, v in first.report.counts.items()} == {
        "unions": {"created": 3},
        "studios": {"created": 2},
        "people": {"created": 4},
        "roles": {"created": 5},
    }
    city = await org.get_union(session=session, name="市职工技协")
    district = await org.get_union(session=session, name="浦东新区总工会")
    assert city and district and district.parent_id == city.id and district.level is UnionLevel.DISTRICT
    studio = await org.get_studio(session=session, name="王建国技师创新工作室")
    assert studio is not None and studio.status is StudioStatus.NAMED and studio.venue == "二号车间"
    cycle = await studio_cycles.current_cycle(session=session, studio_id=studio.id)
    assert cycle is not None and (cycle.starts_on, cycle.ends_on) == (date(2025, 6, 1), date(2028, 5, 31))
    wang = (await persons.find_people(session=session, name="王建国"))[0]
    assert wang.phone == "13800138000" and wang.grade == "高级技师"
    assert (await persons.find_people(session=session, name="李娟"))[0].phone == "13900139000"
    leads = await org.leads_of(session=session, studio_id=studio.id)
    assert [p.name for p in leads] == ["王建国"]
    before = await counts(session)

    again = await import_file(session=session, path=path)
    await session.commit()
    assert again.problems == [] and again.report is not None and not again.report.changed
    assert await counts(session) == before


async def test_bad_rows_are_all_reported_and_nothing_is_written(session: AsyncSession, tmp_path: Path) -> None:
    bad = {
        "工会": [*GOOD["工会"], ["省总工会", "省级", None], ["市职工技协", "市级", None]],
        "工作室": [*GOOD["工作室"], ["无主工作室", "不存在的工会", None, None, None, "2025-13-01"]],
        "人员": [*GOOD["人员"], ["张三", "abc", "大师", None]],
        "角色": [
            *GOOD["角色"],
            ["查无此人", None, "成员", "王建国技师创新工作室", None],
            ["赵磊", None, "审核人", "王建国技师创新工作室", None],
            ["赵磊", None, "领衔人", "王建国技师创新工作室", None],
        ],
    }
    outcome = await import_file(session=session, path=filled(tmp_path, "bad.xlsx", bad))
    await session.commit()
    assert outcome.report is None
    found = [(p.sheet, p.row, p.code.removeprefix("import.error.")) for p in outcome.problems]
    assert found == [
        ("工会", 5, "bad_level"),
        ("工会", 6, "duplicate"),
        ("工作室", 4, "bad_date"),
        ("工作室", 4, "unknown_union"),
        ("人员", 6, "bad_phone"),
        ("人员", 6, "bad_grade"),
        ("角色", 7, "unknown_person"),
        ("角色", 8, "role_needs_union"),
        ("角色", 9, "two_leads"),
    ]
    assert outcome.problems[1].params == {"name": "市职工技协", "first": 3}
    assert await counts(session) == (0, 0, 0, 0, 0)


async def test_existing_rows_conflicts_and_fill_ins(session: AsyncSession, tmp_path: Path) -> None:
    await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    await session.commit()
    changed = {
        "工会": [["浦东新区总工会", "企业", None]],
        "工作室": [
            ["李娟技能大师工作室", "浦东新区总工会", None, "三楼实训室", None, "2026-01-01"],
            ["王建国技师创新工作室", "浦东新区总工会", None, None, None, None],
        ],
        "人员": [["赵磊", "13700137000", "技师", None]],
        "角色": [["赵磊", "13700137000", "领衔人", "王建国技师创新工作室", None]],
    }
    outcome = await import_file(session=session, path=filled(tmp_path, "changed.xlsx", changed))
    codes = [p.code.removeprefix("import.error.") for p in outcome.problems]
    assert codes == ["union_level_differs", "studio_union_differs", "studio_has_lead"]

    fill_in = {k: v for k, v in changed.items() if k in ("人员",)}
    fill_in["工作室"] = [changed["工作室"][0]]
    outcome = await import_file(session=session, path=filled(tmp_path, "fill.xlsx", fill_in))
    await session.commit()
    assert outcome.report is not None
    assert dict(outcome.report.counts["studios"]) == {"updated": 1}
    assert dict(outcome.report.counts["people"]) == {"updated": 1}
    studio = await org.get_studio(session=session, name="李娟技能大师工作室")
    assert studio is not None and studio.venue == "三楼实训室" and studio.status is StudioStatus.NAMED
    assert (await persons.find_people(session=session, name="赵磊"))[0].phone == "13700137000"
    roles = await org.roles_of(
        session=session, person_id=(await persons.find_people(session=session, name="赵磊"))[0].id
    )
    assert [r.kind for r in roles] == [RoleKind.MEMBER]


async def test_not_a_workbook(session: AsyncSession, tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a spreadsheet", encoding="utf-8")
    with pytest.raises(ImportFileError) as exc:
        await import_file(session=session, path=path)
    assert exc.value.code == "import.file.unreadable"


async def test_a_naming_date_after_today_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    rows = {**GOOD, "工作室": [*GOOD["工作室"], ["未来工作室", "浦东新区总工会", None, None, None, "2026-03-06"]]}
    rows["工作室"][0] = [*rows["工作室"][0][:5], date(2026, 3, 5)]  # today itself is a naming date
    path = filled(tmp_path, "future.xlsx", rows)
    outcome = await import_file(session=session, path=path, today=date(2026, 3, 5))
    await session.commit()
    assert outcome.report is None
    assert [(p.sheet, p.row, p.code) for p in outcome.problems] == [("工作室", 4, "import.error.future_date")]
    assert outcome.problems[0].params == {"column": "命名日期", "value": "2026-03-06"}
    assert await counts(session) == (0, 0, 0, 0, 0)
    # Without a caller's day the check still runs, against today in UTC.
    far = {**GOOD, "工作室": [*GOOD["工作室"], ["远方工作室", "浦东新区总工会", None, None, None, "2999-01-01"]]}
    outcome = await import_file(session=session, path=filled(tmp_path, "far.xlsx", far))
    assert [p.code for p in outcome.problems] == ["import.error.future_date"]
