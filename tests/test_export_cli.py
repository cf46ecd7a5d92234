"""The command line: `export`, `assess` and `import` as an administrator runs them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.repos import org
from tests.export_data import build_world
from tests.import_data import GOOD, filled


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return CliRunner()


async def invoke(cli: CliRunner, *args: str) -> Result:
    # The CLI runs its own event loop: call it from a thread, away from the test's loop.
    return await asyncio.to_thread(cli.invoke, app, list(args))


async def test_export_xlsx_with_range_and_every_status(cli: CliRunner, session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    out = tmp_path / "out.xlsx"
    result = await invoke(
        cli,
        "export",
        "--studio",
        world.studio.name,
        "--out",
        str(out),
        "--from",
        "2025-06-01",
        "--to",
        "2026年12月31日",
        "--all",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rows"] == {"activity": 8, "outcome": 4, "training": 3}
    assert load_workbook(out).sheetnames == ["日常活动台账", "创新成果台账", "培训带徒台账"]


async def test_export_refuses_bad_input_in_one_line(cli: CliRunner, session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    for args, needle in (
        (["--studio", "没有的工作室", "--out", "x.xlsx"], "没有这个工作室"),
        (["--studio", world.studio.name, "--out", "x.pdf"], ".xlsx"),
        (["--studio", world.studio.name, "--out", "x.xlsx", "--from", "明年"], "--from"),
        (["--studio", world.studio.name, "--out", "x.csv", "--ledger", "photos"], "unknown ledger"),
    ):
        result = await invoke(cli, "export", *args)
        assert result.exit_code == 2
        assert needle in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "x.xlsx").exists()


async def test_assess_studio_and_union(cli: CliRunner, session: AsyncSession, tmp_path: Path) -> None:
    world = await build_world(session)
    out = tmp_path / "assess.xlsx"
    result = await invoke(cli, "assess", "--studio", world.studio.name, "--at", "2026-12-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "评分：72 / 100；建议：保留称号" in result.stdout
    assert load_workbook(out).sheetnames[0] == "考核概要"

    result = await invoke(cli, "assess", "--union", world.union.name, "--at", "2026-12-01", "--json")
    data = json.loads(result.stdout)
    assert [s["studio"] for s in data["studios"]] == [world.studio.name]
    assert data["studios"][0]["figures"]["activity_count"] == "5"


async def test_assess_with_a_broken_rubric(
    cli: CliRunner, session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await build_world(session)
    rubric = tmp_path / "r.toml"
    rubric.write_text("criteria = 3\n", encoding="utf-8")
    monkeypatch.setenv("ASSESSMENT_RUBRIC_FILE", str(rubric))
    result = await invoke(cli, "assess", "--studio", world.studio.name)
    assert result.exit_code == 2 and "没有任何考核项" in result.stderr


async def test_import_bad_then_good_then_again(cli: CliRunner, session: AsyncSession, tmp_path: Path) -> None:
    bad = filled(tmp_path, "bad.xlsx", {**GOOD, "人员": [*GOOD["人员"], ["张三", None, "大师", None]]})
    result = await invoke(cli, "import", str(bad))
    assert result.exit_code == 2
    assert "“人员”表第 6 行：未知技术等级“大师”" in result.stderr
    assert 'Sheet "人员", row 6: Unknown grade "大师"' in result.stderr

    good = filled(tmp_path, "good.xlsx", GOOD)
    result = await invoke(cli, "import", str(good), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["people"] == {"created": 4}
    result = await invoke(cli, "import", str(good))
    assert result.exit_code == 0 and "没有任何改变" in result.stdout

    result = await invoke(cli, "import", "--template", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 0 and (tmp_path / "t.xlsx").exists()


async def test_assessing_a_studio_not_named_is_one_line_in_both_languages(
    cli: CliRunner, session: AsyncSession
) -> None:
    world = await build_world(session)
    await org.create_studio(session=session, name="未命名工作室", union=world.union)
    await session.commit()
    result = await invoke(cli, "assess", "--studio", "未命名工作室")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "尚未命名" in result.stderr and "has not been named yet" in result.stderr
