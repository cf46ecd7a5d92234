"""我的台账 decides who may edit or withdraw by the permissions table, not by a rule of its own."""

from __future__ import annotations

import pytest

from handlers.engine.pipeline import Bot
from handlers.roles import permissions
from handlers.roles.permissions import Action, Scope
from storage.models import RoleKind
from tests.support import Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, world_fixture  # noqa: F401
from tests.test_flows_ledger import quick_activity


async def _open(chat: Transcript, number: int) -> None:
    await chat.say("我的台账")
    await chat.press(f"#{number}")


async def test_edit_and_withdraw_are_what_the_table_allows(
    bot: Bot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = Transcript(bot, "m1")
    await quick_activity(member, "成员的记录")
    lead = Transcript(bot, "lead")
    await _open(lead, 1)
    withdraw = lead.button("撤回")
    # a table in which only the lead withdraws: the author keeps 修改 and loses 撤回, shown and pressed
    monkeypatch.setitem(permissions.TABLE, Action.WITHDRAW_ENTRY, frozenset({(RoleKind.LEAD, Scope.STUDIO)}))
    await _open(member, 1)
    member.expect_buttons("修改")
    assert "撤回" not in " ".join(member.buttons)
    await member.press_button(withdraw)
    member.expect("只有领衔人或填写人")
    await _open(member, 1)
    await member.press("修改")
    member.expect_not("只有领衔人或填写人")
    member.expect_buttons("修改", "提交")


async def test_a_member_changes_only_what_they_wrote(bot: Bot, world: World) -> None:
    author, colleague = Transcript(bot, "m1"), Transcript(bot, "m2")
    await quick_activity(author, "成员的记录")
    await _open(author, 1)
    author.expect_buttons("修改", "撤回")
    edit, withdraw = author.button("修改"), author.button("撤回")
    await _open(colleague, 1)
    colleague.expect("成员的记录")
    assert not {"修改", "撤回"} & set(colleague.buttons)
    for button in (edit, withdraw):
        await colleague.press_button(button)
        colleague.expect("只有领衔人或填写人")
    lead = Transcript(bot, "lead")
    await _open(lead, 1)
    lead.expect_buttons("修改", "撤回")  # the studio's lead changes any of its entries
