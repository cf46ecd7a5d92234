"""`studio-bot demo`: create the database, seed a demo studio with some history, chat as its lead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.console import CHANNEL
from bot.cli.chat import console_user, converse
from bot.cli.common import CliError, app, database_problem, fail, run
from bot.settings import Settings, load_settings
from storage.base import utcnow
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Decision, LedgerKind, Person, RoleKind, UnionLevel
from storage.repos import audit, ledgers, org, people, persons, reviews

STUDIO = "示范数控技师创新工作室"
LEAD = "张建国"
MEMBERS = (("李明", "技师"), ("王芳", "技师"), ("赵强", "高级工"))
REVIEWER = "周敏"


@app.command()
def demo() -> None:
    """Create the database, seed a demo studio (lead, 3 members, a reviewer, some history), chat as its lead."""
    settings = load_settings()
    try:
        run(upgrade(settings.database_url, sqlite_fast_path=settings.sqlite_fast_path))
        created = run(seed(settings))
        print(
            f"示例数据已就绪 / demo data ready: {STUDIO}（领衔人 {LEAD}，成员 {'、'.join(n for n, _ in MEMBERS)}，"
            f"审核人 {REVIEWER}）" + ("" if created else " — 已存在，沿用 / already there, reused")
        )
        print(
            f"以审核人身份体验：studio-bot chat --as {REVIEWER}，发送“待审”查看等待审核的台账 / "
            f"as the reviewer: studio-bot chat --as {REVIEWER}, then send “待审” (/pending)"
        )
        print("")
        run(converse(settings, as_name=LEAD))
    except CliError as exc:
        fail(str(exc))
    except (DBAPIError, OSError) as exc:
        fail(database_problem(exc))


async def seed(settings: Settings) -> bool:
    """Seed the demo world once; False if it is already there."""
    engine = create_engine(settings.database_url, sqlite_fast_path=settings.sqlite_fast_path)
    try:
        async with session_factory(engine)() as session, session.begin():
            if await org.get_studio(session=session, name=STUDIO) is not None:
                return False
            now = utcnow()
            await _seed(session, now=now, today=now.astimezone(settings.tz).date())
        return True
    finally:
        await engine.dispose()


async def _seed(session: AsyncSession, *, now: datetime, today: date) -> None:
    municipal = await org.get_union(session=session, name="上海市职工技术协会") or await org.create_union(
        session=session, name="上海市职工技术协会", level=UnionLevel.MUNICIPAL
    )
    district = await org.get_union(session=session, name="浦东新区总工会") or await org.create_union(
        session=session, name="浦东新区总工会", level=UnionLevel.DISTRICT, parent=municipal
    )
    studio = await org.create_studio(
        session=session,
        name=STUDIO,
        union=district,
        enterprise="上海示范机床有限公司",
        venue="三号厂房二楼创新室，120 平方米",
        equipment="五轴加工中心、三坐标测量机、编程工作站 6 台",
        named_on=today - timedelta(days=400),
    )
    lead = await _person(session, LEAD, "高级技师", RoleKind.LEAD, studio=studio)
    for name, grade in MEMBERS:
        await _person(session, name, grade, RoleKind.MEMBER, studio=studio)
    reviewer = await _person(session, REVIEWER, None, RoleKind.REVIEWER, union=district)

    async def entry(ledger: LedgerKind, decision: Decision | None, reason: str | None, /, **fields: Any) -> None:
        row = await ledgers.create_entry(
            session=session, studio_id=studio.id, kind=ledger, author_id=lead.id, fields=fields, at=now
        )
        await audit.record(
            session=session,
            actor_id=lead.id,
            channel=CHANNEL,
            object_type="entry",
            object_id=row.id,
            to_state="submitted",
            version=1,
            studio_id=studio.id,
        )
        if decision is None:
            return
        decided = await reviews.decide_entry(
            session=session,
            entry_id=row.id,
            version=1,
            decision=decision,
            reviewer_id=reviewer.id,
            channel=CHANNEL,
            now=now,
            reason=reason,
        )
        assert decided is not None
        await audit.record(
            session=session,
            actor_id=reviewer.id,
            channel=CHANNEL,
            object_type="entry",
            object_id=row.id,
            from_state="submitted",
            to_state=row.status.value,
            version=1,
            reason=reason,
            studio_id=studio.id,
        )

    def activity(days_ago: int, kind: str, title: str, hours: str, content: str, results: str = "") -> dict[str, Any]:
        return {
            "occurred_on": today - timedelta(days=days_ago),
            "kind": kind,
            "title": title,
            "place": "创新室",
            "participants": [LEAD, "李明", "王芳"],
            "hours": Decimal(hours),
            "content": content,
            "results": results,
        }

    await entry(
        LedgerKind.ACTIVITY,
        Decision.APPROVE,
        None,
        **activity(60, "学习", "新版数控系统操作学习", "3", "集中学习新版系统的宏程序功能", "4 人掌握宏程序编写"),
    )
    await entry(
        LedgerKind.ACTIVITY,
        Decision.APPROVE,
        None,
        **activity(35, "攻关", "主轴异响故障攻关", "6", "排查并更换主轴轴承，调整预紧力", "停机时间减少 40%"),
    )
    await entry(
        LedgerKind.OUTCOME,
        Decision.APPROVE,
        None,
        title="刀具快换夹具",
        category="小发明",
        team=[LEAD, "李明"],
        recorded_on=today - timedelta(days=30),
        applied=True,
        applied_since=today - timedelta(days=90),
        funding_amount=Decimal("15000"),
        funding_scheme="上海职工(技师)创新项目资助",
        patent_kind="实用新型",
        patent_number="ZL 2025 2 0123456.7",
        patent_status="已授权",
        benefit_wan=Decimal("12.5"),
        awards="区职工合理化建议优秀奖",
    )
    await entry(
        LedgerKind.TRAINING,
        Decision.APPROVE,
        None,
        held_on=today - timedelta(days=20),
        kind="高师带徒",
        mentor=LEAD,
        trainees=["赵强"],
        hours=Decimal("8"),
        topic="五轴编程带教",
        result="赵强通过技师理论考核",
        promoted_grade="技师",
        promoted_count=1,
    )
    await entry(
        LedgerKind.ACTIVITY,
        Decision.RETURN,
        "请补充参加人员和活动照片",
        **activity(10, "技术交流", "与兄弟厂交流夹具设计", "2", "交流夹具设计经验"),
    )
    await entry(
        LedgerKind.ACTIVITY, None, None, **activity(3, "技术练兵", "车工技能比武预赛", "4", "组织车工预赛，8 人参加")
    )


async def _person(session: AsyncSession, name: str, grade: str | None, kind: RoleKind, **where: Any) -> Person:
    person = await persons.create_person(session=session, name=name, grade=grade, enterprise="上海示范机床有限公司")
    await org.grant_role(session=session, person=person, kind=kind, **where)
    # everyone gets a console identity, so notifications to them show in the demo chat
    await people.bind_identity(
        session=session,
        person=person,
        channel=CHANNEL,
        external_id=console_user(person),
        chat_id=console_user(person),
        now=utcnow(),
    )
    return person
