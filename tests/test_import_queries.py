"""Bulk import at size: checking a file takes the same few queries however long, and one bad row still stops all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.importer import existing
from storage.importer.run import check_file, import_file
from storage.models import Cycle
from tests.import_data import GOOD, filled
from tests.support.sql import statements
from tests.test_import_bulk import counts


def blocks(n: int, start: int = 0) -> dict[str, list[Sequence[object]]]:
    """Five rows per block: a union under an existing one, its studio, their lead, who also joins an existing studio."""
    rows: dict[str, list[Sequence[object]]] = {"工会": [], "工作室": [], "人员": [], "角色": []}
    for i in range(start, start + n):
        union, studio, name, phone = f"第{i}机械厂工会", f"第{i}技师创新工作室", f"技师{i:03d}", f"1380000{i:04d}"
        rows["工会"].append([union, "企业", "浦东新区总工会"])
        rows["工作室"].append([studio, union, f"第{i}机械厂", None, None, date(2025, 6, 1)])
        rows["人员"].append([name, phone, "技师", None])
        rows["角色"].append([name, phone, "领衔人", studio, None])
        rows["角色"].append([name, phone, "成员", "王建国技师创新工作室", None])
    return rows


async def test_checking_ten_or_a_hundred_rows_takes_the_same_statements(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    await session.commit()
    files = {n: filled(tmp_path, f"{n}.xlsx", blocks(n)) for n in (2, 20)}  # 10 and 100 rows
    for state in ("new", "already imported"):
        sent: dict[int, list[str]] = {}
        for n, path in files.items():
            with statements(engine) as sent[n]:
                plan, problems = await check_file(session=session, path=path)
            assert problems == [] and len(plan.roles) == 2 * n
            await session.rollback()
        assert len(sent[2]) == len(sent[20]), (state, sent[20])
        assert not [s for s in sent[20] if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        if state == "new":
            outcome = await import_file(session=session, path=files[20])
            await session.commit()
            assert outcome.report is not None
            assert {k: dict(v) for k, v in outcome.report.counts.items()} == {
                "unions": {"created": 20},
                "studios": {"created": 20},
                "people": {"created": 20},
                "roles": {"created": 40},
            }


async def test_a_first_import_writes_roles_and_first_cycles_in_one_statement_each(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    # what is new goes in as batches: not a statement (or two) per row, as it did
    await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    await session.commit()
    sent: dict[int, list[str]] = {}
    for n, start in ((2, 0), (20, 100)):  # 10 and 100 rows, none of them in the database yet
        path = filled(tmp_path, f"{n}.xlsx", blocks(n, start))
        with statements(engine) as sent[n]:
            outcome = await import_file(session=session, path=path)
            await session.commit()
        assert outcome.report is not None
        assert {k: dict(v) for k, v in outcome.report.counts.items()} == {
            "unions": {"created": n},
            "studios": {"created": n},
            "people": {"created": n},
            "roles": {"created": 2 * n},
        }
    for n in (2, 20):  # roles and first cycles: one bulk INSERT each, whatever the count
        assert [
            s.split("(")[0].strip() for s in sent[n] if s.startswith(("INSERT INTO roles", "INSERT INTO cycles"))
        ] == [
            "INSERT INTO cycles",
            "INSERT INTO roles",
        ]
    # a union, a studio and a person per block at the most (SQLite cannot batch rows whose ids come back)
    assert len(sent[20]) - len(sent[2]) <= 3 * 18
    named = await session.scalar(select(func.count()).select_from(Cycle).where(Cycle.number == 1))
    assert named is not None and named >= 22  # every new named studio got its first cycle


async def test_one_bad_row_among_a_hundred_writes_nothing_and_is_named(session: AsyncSession, tmp_path: Path) -> None:
    await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    await session.commit()
    before = await counts(session)
    rows = blocks(20)
    rows["人员"].insert(10, ["张三", "1380013800O", "技师", None])  # a letter O typed for a zero, on row 12
    outcome = await import_file(session=session, path=filled(tmp_path, "bad.xlsx", rows))
    await session.commit()
    assert outcome.report is None
    assert [(p.sheet, p.row, p.code, p.params) for p in outcome.problems] == [
        ("人员", 12, "import.error.bad_phone", {"column": "手机", "value": "1380013800O"})
    ]
    assert await counts(session) == before


async def test_a_file_longer_than_one_batch_of_names_is_matched_row_for_row(
    session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(existing, "CHUNK", 7)  # the 100-row file's names then take several batches per kind
    await import_file(session=session, path=filled(tmp_path, "good.xlsx", GOOD))
    path = filled(tmp_path, "100.xlsx", blocks(20))
    first = await import_file(session=session, path=path)
    await session.commit()
    assert first.report is not None and first.report.changed
    again = await import_file(session=session, path=path)
    assert again.problems == [] and again.report is not None
    assert {k: dict(v) for k, v in again.report.counts.items()} == {
        "unions": {"unchanged": 20},
        "studios": {"unchanged": 20},
        "people": {"unchanged": 20},
        "roles": {"unchanged": 40},
    }
    rows = blocks(20)
    rows["角色"][38] = ["技师005", "13800000005", "领衔人", "第19技师创新工作室", None]  # the last studio's lead
    outcome = await import_file(session=session, path=filled(tmp_path, "rival.xlsx", rows))
    assert [(p.sheet, p.row, p.code, p.params) for p in outcome.problems] == [
        ("角色", 40, "import.error.studio_has_lead", {"studio": "第19技师创新工作室", "lead": "技师019"})
    ]
