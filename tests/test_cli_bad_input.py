"""Out-of-range dates and unreadable settings on the command line: one line saying what is wrong, no traceback."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.settings import ConfigurationError, load_settings
from tests.test_cli_edges import cli as cli
from tests.test_cli_edges import invoke, one_line_error, seed_union, studios
from tests.test_cli_edges import work as work


@pytest.mark.parametrize("moment", ["0001-01-02T09:00", "9999-12-31T23:00", "1900-01-01T00:00"])
async def test_remind_at_a_moment_out_of_range_is_one_line(cli: CliRunner, moment: str) -> None:
    one_line_error(await invoke(cli, "remind", "--dry-run", "--at", moment), "--at", moment)


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
async def test_a_naming_date_long_before_any_studio_is_refused(cli: CliRunner, session: AsyncSession, day: str) -> None:
    await seed_union(cli)
    args = ("studio", "add", "S远古", "--union", "浦东新区总工会", "--named-on", day)
    one_line_error(await invoke(cli, *args), "--named-on", day)
    assert await studios(session) == 0


@pytest.mark.parametrize("days", ["abc", "30,x", "-7", "0"])
async def test_an_unreadable_reminder_cycle_is_a_configuration_error(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    one_line_error(await invoke(cli, "remind", "--dry-run", env={"REMINDER_CYCLE_DAYS": days}), "REMINDER_CYCLE_DAYS")
    monkeypatch.setenv("REMINDER_CYCLE_DAYS", days)
    with pytest.raises(ConfigurationError):  # what `serve` calls first
        load_settings()
