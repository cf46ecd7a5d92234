"""`studio-bot doctor`: a clean world passes; a world built with each problem names each one, and exits 1."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from bot.health.run import diagnose, log_report
from bot.settings import Settings
from storage.database import create_engine, session_factory
from storage.models import (
    Application,
    ApplicationStage,
    EntryStatus,
    LedgerEntry,
    LedgerKind,
    OutboxMessage,
    OutboxStatus,
    Person,
    RoleKind,
    UnionLevel,
)
from storage.repos import org, people, persons
from tests.support.world import make_world

AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
GOOD_ENV = {
    "ENVIRONMENT": "development",
    "SECRET_KEY": "3f9c2a7be1d04c58a6e9b7f2d1c0e8a4",
    "WECHAT_APP_ID": "wx1234567890abcdef",
    "WECHAT_APP_SECRET": "an-app-secret-value",
    "WECHAT_TOKEN": "a-callback-token",
    "WECHAT_AES_KEY": AES_KEY,
    "WECHAT_REMINDER_TEMPLATE_ID": "tmpl-1",
    "PUBLIC_BASE_URL": "https://bot.example.cn",
}
UNBOUND_LEAD = "孙未绑"


def _run(db_url: str, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        engine = create_engine(db_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def _person(session: AsyncSession, name: str, kind: RoleKind, *, bound: bool, **where: Any) -> Person:
    person = await persons.create_person(session=session, name=name)
    await org.grant_role(session=session, person=person, kind=kind, **where)
    if bound:
        user = f"u{person.id}"
        await people.bind_identity(
            session=session, person=person, channel="test", external_id=user, chat_id=user, now=datetime.now(UTC)
        )
    return person


def _clean(db_url: str) -> None:
    """The shared world, completed: an association reviewer and three experts, every one bound."""

    async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
        world = await make_world(sessions)
        async with sessions() as session, session.begin():
            await _person(session, "协会审核", RoleKind.ASSOCIATION, bound=True, union=world.municipal)
            for n in range(3):
                await _person(session, f"专家{n}", RoleKind.EXPERT, bound=True, union=world.municipal)

    async def go() -> None:
        engine = create_engine(db_url)
        try:
            await seed(session_factory(engine))
        finally:
            await engine.dispose()

    asyncio.run(go())


def _broken(db_url: str) -> None:
    """Every data problem the doctor knows, each in its own union or studio."""
    long_ago = datetime.now(UTC) - timedelta(days=40)
    today = datetime.now(UTC).date()

    async def seed(session: AsyncSession) -> None:
        municipal = await org.create_union(session=session, name="上海市职工技术协会", level=UnionLevel.MUNICIPAL)
        quiet = await org.create_union(
            session=session, name="闵行区总工会", level=UnionLevel.DISTRICT, parent=municipal
        )
        busy = await org.create_union(
            session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT, parent=municipal
        )
        await _person(session, "浦东审核", RoleKind.REVIEWER, bound=True, union=busy)
        await _person(session, "钱未绑", RoleKind.REVIEWER, bound=False, union=busy)
        await _person(session, "专家甲", RoleKind.EXPERT, bound=True, union=municipal)
        await _person(session, "专家乙", RoleKind.EXPERT, bound=False, union=municipal)
        await org.create_studio(session=session, name="无人审核工作室", union=quiet)
        await org.create_studio(session=session, name="无领办人工作室", union=busy, named_on=date(2025, 3, 1))
        unbound = await org.create_studio(session=session, name="未绑定工作室", union=busy)
        lead = await _person(session, UNBOUND_LEAD, RoleKind.LEAD, bound=False, studio=unbound)
        ending = await org.create_studio(
            session=session,
            name="将到期工作室",
            union=busy,
            named_on=today.replace(year=today.year - 3) + timedelta(30),
        )
        await _person(session, "到期领办", RoleKind.LEAD, bound=True, studio=ending)
        session.add(
            LedgerEntry(
                studio_id=ending.id,
                kind=LedgerKind.ACTIVITY,
                status=EntryStatus.SUBMITTED,
                author_id=lead.id,
                occurred_on=today,
                title="久等的活动",
                status_changed_at=long_ago,
            )
        )
        for studio, stage, notice in (
            (unbound, ApplicationStage.RECOMMENDED, None),
            (ending, ApplicationStage.PUBLIC_NOTICE, today - timedelta(3)),
        ):
            session.add(
                Application(
                    studio_id=studio.id,
                    applicant_id=lead.id,
                    year=today.year,
                    stage=stage,
                    stage_changed_at=long_ago,
                    notice_starts_on=notice and notice - timedelta(6),
                    notice_ends_on=notice,
                )
            )
        for n, status in enumerate((OutboxStatus.FAILED, OutboxStatus.NEEDS_LOOK, OutboxStatus.SENT)):
            session.add(OutboxMessage(idempotency_key=f"k{n}", person_id=lead.id, status=status))

    _run(db_url, seed)


@pytest.fixture
def doctor(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run `studio-bot doctor ARGS` against the test's database with good settings, changed by `env`."""
    monkeypatch.chdir(tmp_path)
    folders = {"MEDIA_DIR": str(tmp_path / "media"), "EXPORT_DIR": str(tmp_path / "exports")}

    def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
        every = {"DATABASE_URL": db_url, **GOOD_ENV, **folders, **(env or {})}
        return CliRunner().invoke(app, ["doctor", *args], env=every)

    return invoke


def _codes(result: Any) -> dict[str, dict[str, Any]]:
    data = json.loads(result.stdout)
    return {f"{f['code']}@{f['subject']}": f for f in data["findings"]}


def test_a_clean_world_exits_0_with_nothing_that_stalls(db_url: str, doctor: Callable[..., Any]) -> None:
    _clean(db_url)
    result = doctor()
    assert result.exit_code == 0, result.output
    assert "停滞 / stall" not in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "没有会导致停滞的问题 / nothing would stall"
    data = json.loads(doctor("--json").stdout)
    assert data["ok"] is True and data["stalls"] is False
    assert all(not f["stalls"] for f in data["findings"])


def test_each_data_problem_is_one_line_with_what_to_do(db_url: str, doctor: Callable[..., Any]) -> None:
    _broken(db_url)
    result = doctor("--json")
    assert result.exit_code == 1
    found = _codes(result)
    assert found["union.no_reviewer@闵行区总工会"]["params"] == {"studios": 1}
    assert "union.no_reviewer@浦东新区总工会" not in found
    assert "--role association" in found["association.no_reviewer@上海市职工技术协会"]["text"]
    assert found["experts.too_few@"]["params"] == {"have": 1, "needed": 3, "unbound": 1}
    assert "studio.no_lead@无领办人工作室" in found
    assert found["lead.unbound@未绑定工作室"]["people"] == [UNBOUND_LEAD]
    assert found["reviewer.unbound@浦东新区总工会"]["people"] == ["钱未绑"]
    assert found["entries.waiting@浦东新区总工会"]["params"]["count"] == 1
    assert found["application.waiting@未绑定工作室"]["params"]["stage"] == "recommended"
    assert "application.notice_over@将到期工作室" in found
    assert found["outbox.failed@"]["params"] == {"count": 1} and found["outbox.needs_look@"]["params"] == {"count": 1}
    ending = found["cycle.ending@将到期工作室"]
    assert ending["stalls"] is False and 28 <= ending["params"]["days"] <= 31
    text = doctor()
    assert text.exit_code == 1
    lines = text.stdout.strip().splitlines()
    assert len(lines) == len(found) + 1
    assert any("闵行区总工会" in ln and "studio-bot invite --union" in ln for ln in lines)
    assert any(UNBOUND_LEAD in ln for ln in lines)  # the operator sees whom to invite again


def test_settings_that_cannot_work_are_named(db_url: str, doctor: Callable[..., Any], tmp_path: Path) -> None:
    _clean(db_url)
    (tmp_path / "a-file").write_text("not a folder")
    env = {
        "WECHAT_TOKEN": "",  # the Official Account is half configured: off
        "WECOM_CORP_ID": "ww1",
        "WECOM_AES_KEY": "too-short",
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_WEBHOOK_URL": "http://bot.example.cn/telegram",
        "PUBLIC_BASE_URL": "",
        "SECRET_KEY": "change-me",
        "MEDIA_DIR": str(tmp_path / "a-file" / "media"),
    }
    result = doctor("--json", env=env)
    assert result.exit_code == 1
    found = _codes(result)
    assert found["channel.incomplete@wechat"]["params"] == {"missing": "WECHAT_TOKEN"}
    assert "WECOM_SECRET" in found["channel.incomplete@wecom"]["params"]["missing"]
    assert "channel.aes_key@wecom" in found
    assert {"telegram.webhook_url@telegram", "telegram.webhook_secret@telegram"} <= set(found)
    assert found["public_base_url.missing@PUBLIC_BASE_URL"]["stalls"] is True
    assert found["secret.weak@SECRET_KEY"]["stalls"] is False
    assert found["folder.not_writable@MEDIA_DIR"]["stalls"] is True
    assert "folder.not_writable@EXPORT_DIR" not in found


def test_a_database_not_migrated_says_run_init(doctor: Callable[..., Any], tmp_path: Path) -> None:
    result = doctor(env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"})
    assert result.exit_code == 1
    assert "studio-bot init" in result.stdout


def test_a_bad_option_is_a_usage_error(doctor: Callable[..., Any]) -> None:
    result = doctor("--onlin")
    assert result.exit_code == 2


async def test_serve_logs_each_finding_without_the_names_of_people(
    db_url: str, sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    await asyncio.to_thread(_broken, db_url)
    settings = Settings(
        database_url=db_url,
        media_dir=tmp_path / "m",
        export_dir=tmp_path / "e",
        **{k.lower(): v for k, v in GOOD_ENV.items()},  # type: ignore[arg-type]
    )
    report = await diagnose(settings, sessions)
    with caplog.at_level(logging.WARNING, logger="studio_bot.doctor"):
        log_report(report)
    warnings = [r for r in caplog.records if r.name == "studio_bot.doctor" and r.levelno == logging.WARNING]
    assert len(warnings) == len([f for f in report.findings if f.code != "wechat.plaintext"]) > 5
    assert "闵行区总工会" in caplog.text
    for name in (UNBOUND_LEAD, "钱未绑", "专家乙"):
        assert name not in caplog.text
