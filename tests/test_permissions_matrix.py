"""The whole permission matrix: every kind of person × every action, decided by the one table."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.i18n import catalogue
from handlers.core.types import Incoming
from handlers.roles import checks, matching, permissions
from handlers.roles.permissions import Action, Target
from storage.models import LedgerEntry, LedgerKind, RoleKind, Studio, UnionLevel
from tests.reviews_support import Cast, Party, World, at, make_cast, stranger_stands_in_for_march

EVERYONE_BOUND = {
    "lead",
    "member",
    "author",
    "reviewer",
    "outsider",
    "association",
    "expert",
    "conflicted",
    "admin",
    "city_admin",
    "enterprise",
    "other_enterprise",
    "delegate",
    "stranger",
    "reviewer_member",
}
OVERSIGHT = {"reviewer", "delegate", "association", "admin", "city_admin", "reviewer_member", "enterprise"}
STUDIO_PEOPLE = {"lead", "member", "author"}
# Written out by hand from the issue, independently of handlers/permissions.py's table.
EXPECTED: dict[Action, set[str]] = {
    Action.LOG_ENTRY: STUDIO_PEOPLE | {"reviewer_member"},
    Action.VIEW_ENTRIES: STUDIO_PEOPLE | OVERSIGHT,
    Action.EDIT_ENTRY: {"lead", "author"},
    Action.WITHDRAW_ENTRY: {"lead", "author"},
    Action.REVIEW_ENTRY: {"reviewer", "delegate"},
    Action.APPLY: {"lead"},
    Action.RECOMMEND: {"reviewer", "delegate"},
    Action.ASSOCIATION_REVIEW: {"association"},
    Action.SCORE: {"expert"},
    Action.START_NOTICE: {"association"},
    Action.RAISE_OBJECTION: EVERYONE_BOUND - STUDIO_PEOPLE - {"reviewer_member"},  # not against one's own studio
    Action.RESOLVE_OBJECTION: {"association"},
    Action.NAME: {"association"},
    Action.ASSESS_CYCLE: {"association"},
    Action.EXPORT: {"lead"} | OVERSIGHT,
    Action.VIEW_ASSESSMENT: {"lead"} | OVERSIGHT,
    Action.VIEW_AUDIT: {"lead"} | OVERSIGHT,
    Action.SET_WINDOW: {"association"},
    Action.EXPORT_MEMBERS: {"reviewer", "delegate", "association", "reviewer_member"},
}


@pytest.fixture
async def cast(sessions: async_sessionmaker[AsyncSession]) -> Cast:
    world = World(sessions, at("2026-03-10 10:00"))
    cast = await make_cast(world)
    await stranger_stands_in_for_march(sessions, cast)
    return cast


async def _subjects(cast: Cast, sessions: async_sessionmaker[AsyncSession]) -> dict[str, permissions.Subject]:
    world = cast.world
    author = cast.members[1]
    delegate = cast.stranger  # holds 李四's reviewer role for March
    plain = await world.person("陌生人")
    city_admin = await world.person("市管理员", RoleKind.ADMIN, union=cast.city)
    # the contact of the studio's enterprise union, and of another enterprise union of the same district
    enterprise = await world.person("电气工会联络人", RoleKind.ENTERPRISE, union=cast.enterprise_union)
    other_firm = await world.union("上海机床厂工会", UnionLevel.ENTERPRISE, cast.district)
    other_enterprise = await world.person("机床厂联络人", RoleKind.ENTERPRISE, union=other_firm)
    # a reviewer of the studio's district who is also one of its members: never decides on it
    reviewer_member = await world.person("兼任审核员", RoleKind.REVIEWER, union=cast.district)
    await world.grant(reviewer_member, RoleKind.MEMBER, studio=cast.studio)
    who: dict[str, Party | str] = {
        "lead": cast.lead,
        "member": cast.members[0],
        "author": author,
        "reviewer": cast.reviewer,
        "outsider": cast.outsider,
        "association": cast.association,
        "expert": cast.experts[0],
        "conflicted": cast.conflicted,
        "admin": cast.admin,
        "city_admin": city_admin,
        "enterprise": enterprise,
        "other_enterprise": other_enterprise,
        "delegate": delegate,
        "stranger": plain,
        "reviewer_member": reviewer_member,
        "unbound": "nobody-bound-here",
    }
    subjects = {}
    async with sessions() as session:
        for name, party in who.items():
            user = party if isinstance(party, str) else party.user
            incoming = Incoming(channel="test", user_id=user, chat_id=user, delivery_id=f"m-{name}", text="?")
            ctx = await world.bot.context(session, incoming)
            subjects[name] = await checks.subject_of(ctx)
    return subjects


async def _target(cast: Cast, sessions: async_sessionmaker[AsyncSession]) -> Target:
    entry_id = await cast.world.entry(cast.studio, cast.members[1], LedgerKind.ACTIVITY)
    async with sessions() as session:
        studio = await session.get(Studio, cast.studio.id)
        entry = await session.get(LedgerEntry, entry_id)
        return await checks.target_of(session, studio, entry)


async def test_every_person_times_every_action(cast: Cast, sessions: async_sessionmaker[AsyncSession]) -> None:
    subjects = await _subjects(cast, sessions)
    target = await _target(cast, sessions)
    assert set(EXPECTED) == set(Action), "the matrix must name every action"
    wrong = []
    for action in Action:
        for name, subject in subjects.items():
            allowed = matching.decide(subject, action, target) is not None
            if allowed != (name in EXPECTED[action]):
                wrong.append(f"{name} × {action.value}: {'allowed' if allowed else 'refused'}")
    assert not wrong, "\n".join(wrong)


async def test_edit_and_withdraw_by_a_member_who_is_or_is_not_the_author(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    subjects = await _subjects(cast, sessions)
    writers = {"lead": cast.lead, "member": cast.members[0], "author": cast.members[1]}
    wrong = []
    for writer, party in writers.items():
        entry_id = await cast.world.entry(cast.studio, party, LedgerKind.ACTIVITY)
        async with sessions() as session:
            studio, entry = await session.get(Studio, cast.studio.id), await session.get(LedgerEntry, entry_id)
            target = await checks.target_of(session, studio, entry)
        for action in (Action.EDIT_ENTRY, Action.WITHDRAW_ENTRY):
            allowed = {name for name, s in subjects.items() if matching.decide(s, action, target) is not None}
            if allowed != {"lead", writer}:  # the studio's lead, and the member who wrote it
                wrong.append(f"{action.value} of {writer}'s entry: {sorted(allowed)}")
    assert not wrong, "\n".join(wrong)


async def test_a_delegate_acts_in_the_name_of_the_reviewer(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    subjects = await _subjects(cast, sessions)
    target = await _target(cast, sessions)
    grant = matching.decide(subjects["delegate"], Action.REVIEW_ENTRY, target)
    assert grant is not None and grant.on_behalf_of == cast.reviewer.person.id
    own = matching.decide(subjects["reviewer"], Action.REVIEW_ENTRY, target)
    assert own is not None and own.on_behalf_of is None


async def test_the_reviewing_union_is_the_district_above_the_studio(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = cast.world
    direct = await world.studio("浦东直属工作室", cast.district)
    xuhui = await world.studio("徐汇工作室", cast.other_district)
    municipal = await world.studio("市直属工作室", cast.city)
    industry = await world.union("上海市建设交通工会", UnionLevel.INDUSTRY, cast.city)
    firm = await world.union("隧道股份工会", UnionLevel.ENTERPRISE, industry)
    under_industry = await world.studio("隧道工作室", firm)
    lonely_union = await world.union("无上级企业工会", UnionLevel.ENTERPRISE)
    lonely = await world.studio("无上级工作室", lonely_union)
    subjects = await _subjects(cast, sessions)
    async with sessions() as session:
        targets = {
            s.name: await checks.target_of(session, await session.get(Studio, s.id))
            for s in (cast.studio, direct, xuhui, municipal, under_industry, lonely)
        }
    reviews = {
        name: {
            who
            for who in ("reviewer", "outsider", "association")
            if matching.decide(subjects[who], Action.REVIEW_ENTRY, t)
        }
        for name, t in targets.items()
    }
    assert reviews == {
        "王建国技师创新工作室": {"reviewer"},  # enterprise union under 浦东
        "浦东直属工作室": {"reviewer"},
        "徐汇工作室": {"outsider"},
        "市直属工作室": {"association"},  # no district above: the association reviews it
        "隧道工作室": set(),  # its industry union has no reviewer in this cast
        "无上级工作室": set(),
    }
    assert targets["隧道工作室"].reviewing_union_id == industry.id


async def test_an_expert_of_another_enterprise_may_score_only_other_studios(
    cast: Cast, sessions: async_sessionmaker[AsyncSession]
) -> None:
    subjects = await _subjects(cast, sessions)
    other = await cast.world.studio("交大工作室", cast.other_district, enterprise="上海交通大学")
    neighbour = await cast.world.studio("浦东邻厂工作室", cast.district, enterprise="浦东机械厂")
    async with sessions() as session:
        target = await checks.target_of(session, await session.get(Studio, other.id))
        next_door = await checks.target_of(session, await session.get(Studio, neighbour.id))
    assert matching.decide(subjects["conflicted"], Action.SCORE, target) is not None  # 上海电气 ≠ 上海交通大学
    assert matching.decide(subjects["expert"], Action.SCORE, target) is None  # 陈教授 is of 上海交通大学
    # 上海电气's studios are under 浦东: its expert stands aside from every 浦东 studio, whatever its enterprise
    assert matching.decide(subjects["conflicted"], Action.SCORE, next_door) is None
    assert matching.decide(subjects["expert"], Action.SCORE, next_door) is not None


def test_every_refusal_is_worded_in_both_languages() -> None:
    for locale in ("zh_CN", "en"):
        messages = catalogue(locale)
        missing = [a.value for a in Action if f"permissions.refused.{a.value}" not in messages]
        assert not missing, (locale, missing)


def test_the_table_names_every_action_and_nothing_else() -> None:
    assert set(permissions.TABLE) == set(Action)
    assert all(permissions.TABLE[a] for a in Action)


HELP_ALL = {"notices", "vacation", "card", "lang", "help", "named"}
# Written out by hand from the matrix above: what each kind of person may do, so what help may offer.
HELP_EXPECTED: dict[str, set[str]] = {
    "lead": HELP_ALL
    | {"activity", "outcome", "training", "ledger", "export", "stats", "assess", "apply", "history", "web"}
    | {"withdraw_application", "window"},
    "member": HELP_ALL | {"activity", "outcome", "training", "ledger", "stats", "web"},
    "reviewer": HELP_ALL | {"pending", "export", "stats", "assess", "history", "delegate", "web", "window"},
    "association": HELP_ALL
    | {"pending", "export", "stats", "assess", "history", "delegate", "verdict", "admit", "web", "window"}
    | {"applications", "name_batch"},
    "admin": HELP_ALL | {"export", "stats", "assess", "history", "web"},
    "enterprise": HELP_ALL | {"export", "stats", "assess", "history", "web", "window"},
    "expert": HELP_ALL | {"pending"},
    "delegate": HELP_ALL | {"pending", "export", "stats", "assess", "history", "web"},  # holds 李四's reviewer role
    "stranger": HELP_ALL,
}


def _offered(text: str) -> set[str]:
    return set(re.findall(r"（/([a-z_]+)）：", text)) | set(re.findall(r"• /([a-z_]+) \(", text))


async def test_help_offers_each_role_only_what_it_may_do(cast: Cast) -> None:
    parties: dict[str, Party] = {
        "lead": cast.lead,
        "member": cast.members[0],
        "reviewer": cast.reviewer,
        "association": cast.association,
        "admin": cast.admin,
        "enterprise": await cast.world.person("电气工会联络人", RoleKind.ENTERPRISE, union=cast.enterprise_union),
        "expert": cast.experts[0],
        "delegate": cast.stranger,
        "stranger": await cast.world.person("陌生人"),
    }
    wrong = []
    for name, party in parties.items():
        await party.say("帮助")
        if (got := _offered(party.text)) != HELP_EXPECTED[name]:
            extra, missing = sorted(got - HELP_EXPECTED[name]), sorted(HELP_EXPECTED[name] - got)
            wrong.append(f"{name}: offered {extra}, left out {missing}")
    assert not wrong, "\n".join(wrong)

    english = await cast.world.person("Lead in English", RoleKind.LEAD, studio=cast.studio, locale="en")
    await english.say("/help")
    english.expect("• /assess (考核): ", "• /export (导出)")
    assert _offered(english.text) == HELP_EXPECTED["lead"]
    await cast.members[0].say("帮助")
    cast.members[0].expect_not("导出", "/export", "考核", "申报")


def test_help_decides_every_menu_command() -> None:
    from handlers.account.basic import needs_of
    from handlers.app import routes

    undecided = [c.name for c in routes().menu() if needs_of(c.name, routes()) is None and not c.roles]
    assert not undecided, f"say in handlers.account.basic.NEEDS who may use {undecided}"
