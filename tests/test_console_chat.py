"""The console channel: numbered options, typed numbers press buttons, others' messages as → lines; demo."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channel_services import RuntimeServices
from bot.channels.console import CHANNEL, ConsolePusher, ConsoleScreen
from bot.cli.chat import converse
from bot.cli.demo import LEAD, seed
from bot.console_sender import ConsoleSender
from bot.runtime import build_runtime
from bot.settings import Settings
from handlers.core.payloads import Press, pack
from handlers.core.presses import FlowOp, FlowPress, GoPress
from handlers.core.types import Button, Reply, reply_to_dict
from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus
from storage.repos import outbox, people, persons
from tests.support.fixtures import entries

SECRET = b"console-test"


def button(label: str, press: Press) -> Button:
    return Button(label, pack(SECRET, press))


def flow(op: FlowOp, arg: int | None = None, version: int = 3) -> FlowPress:
    return FlowPress("c0nv1d", version, op, arg)


def test_options_are_numbered_and_navigation_is_typed():
    screen = ConsoleScreen()
    reply = Reply(
        text="活动用了多少小时？",
        buttons=(
            (button("1 小时", flow(FlowOp.CHOOSE, 0)), button("2 小时", flow(FlowOp.CHOOSE, 1))),
            (button("返回", flow(FlowOp.BACK)), button("取消", flow(FlowOp.CANCEL))),
        ),
    )
    lines = screen.render([reply])
    assert lines == ["活动用了多少小时？", "   [1] 1 小时   [2] 2 小时", "   （返回 · 取消）"]
    assert screen.incoming("2", user_id="u").payload == reply.buttons[0][1].payload
    typed = screen.incoming("3", user_id="u")  # no option 3: a number typed as an answer, never "cancel"
    assert (typed.text, typed.payload) == ("3", None)
    assert screen.incoming("取消", user_id="u").text == "取消"  # the engine knows the word


def test_a_label_typed_in_full_presses_its_button():
    screen = ConsoleScreen()
    submit, edit = button("✅ 提交", flow(FlowOp.SUBMIT, version=7)), button("✏️ 修改", flow(FlowOp.EDIT, version=7))
    summary = Reply(text="请核对", buttons=((submit, edit),))
    screen.render([summary])
    assert screen.incoming("提交", user_id="u").payload == summary.buttons[0][0].payload
    assert screen.incoming("提交一下", user_id="u").payload is None
    first, second = screen.incoming("x", user_id="u"), screen.incoming("x", user_id="u")
    assert first.delivery_id != second.delivery_id


async def lines_of(*typed: str) -> AsyncIterator[str]:
    for line in typed:
        yield line


async def test_the_demo_lead_logs_an_activity_and_the_reviewer_is_told(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
):
    settings = Settings(database_url=db_url)
    assert await seed(settings) is True
    assert await seed(settings) is False  # a second demo reuses the data
    before = len(await entries(sessions))
    out: list[str] = []
    answers = (
        "记录活动",
        "1",
        "技术交流",
        "数控编程交流",
        "1",
        "2",
        "3",
        "完成",
        "3",
        "交流宏程序",
        "跳过",
        "跳过",
        "1",
    )
    await converse(settings, as_name=LEAD, write=out.append, lines=lines_of(*answers, "exit", "never read"))
    text = "\n".join(out)
    assert "您现在的身份是：张建国" in text
    assert "[1] 今天" in text
    assert "参加人员：李明、王芳" in text
    assert "已提交！编号" in text
    assert "→ 周敏: " in text  # the notification queued for the reviewer, shown as it is sent
    assert "再见" in text
    assert len(await entries(sessions)) == before + 1


async def test_the_console_prints_pushes_for_console_people_and_leaves_the_others_queued(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
):
    async with sessions() as s, s.begin():
        here = await persons.create_person(session=s, name="李四")
        away = await persons.create_person(session=s, name="王五")
        await people.bind_identity(
            session=s, person=here, channel=CHANNEL, external_id="c-1", chat_id="c-1", now=utcnow()
        )
        await people.bind_identity(
            session=s, person=away, channel="telegram", external_id="7", chat_id="7", now=utcnow()
        )
        reminder = reply_to_dict(
            Reply(text="工作室已30天没有记录活动\n请及时记录", buttons=((button("记录活动", GoPress("activity")),),))
        )
        for key, person, kind in (
            ("r:here", here, "reminder"),
            ("n:here", here, "notice"),
            ("r:away", away, "reminder"),
        ):
            await outbox.enqueue(session=s, key=key, person_id=person.id, payload=reminder, kind=kind)
    out: list[str] = []
    runtime = build_runtime(Settings(database_url=db_url))
    try:
        sender = ConsoleSender(sessions, ConsolePusher(RuntimeServices(runtime), out.append))
        assert await sender.run_once() == 2
        assert await sender.run_once() == 0  # printed once
    finally:
        await runtime.close()

    assert out.count("   → 李四: 工作室已30天没有记录活动") == 2  # a reminder too, whatever the hour
    assert "     请及时记录" in out and "     〔记录活动〕" in out
    assert not any("王五" in line for line in out)
    async with sessions() as s:
        status = dict((await s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status))).all())
    assert status == {"r:here": OutboxStatus.SENT, "n:here": OutboxStatus.SENT, "r:away": OutboxStatus.PENDING}


async def test_a_guest_may_bind_and_an_unknown_name_is_refused(db_url: str):
    settings = Settings(database_url=db_url)
    out: list[str] = []
    await converse(settings, as_name=None, write=out.append, lines=lines_of("记录活动"))
    assert "还没有绑定身份" in "\n".join(out)
    try:
        await converse(settings, as_name="无名氏", write=out.append, lines=lines_of())
    except Exception as exc:
        assert "无名氏" in str(exc)
    else:
        raise AssertionError("an unknown name was accepted")


def test_studio_bot_demo_runs_from_piped_input(tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", "MEDIA_DIR": str(tmp_path)}
    script = "我的台账\n5\n1\n帮助\n"  # 5 opens #5, the returned entry
    result = subprocess.run(
        [str(Path(sys.executable).parent / "studio-bot"), "demo"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "示例数据已就绪" in out
    assert "studio-bot chat --as 周敏，发送“待审”" in out  # the demo points to the reviewer's side too
    assert "你 › 我的台账" in out  # piped lines are echoed, so the output reads as a transcript
    assert "退回修改" in out and "请补充参加人员和活动照片" in out  # the returned entry and its reason
    assert "修改 #" in out and "请核对" in out  # editing it opens on the summary
    assert "再见" in out


def test_chat_on_a_database_never_initialised_says_so_in_one_line(tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "studio-bot"), "chat"],
        input="帮助\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "studio-bot init" in result.stderr
    assert "Traceback" not in result.stderr


async def test_switching_language_switches_the_console_too(db_url: str):
    settings = Settings(database_url=db_url)
    await seed(settings)
    out: list[str] = []
    await converse(settings, as_name=LEAD, write=out.append, lines=lines_of("语言 en", "exit"))
    assert "您现在的身份是：张建国" in out[0]
    assert out[-1].startswith("Bye!")


async def test_a_chat_resumed_later_shows_where_it_stopped_and_its_numbers_work(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
):
    settings = Settings(database_url=db_url)
    await seed(settings)
    before = len(await entries(sessions))
    first: list[str] = []
    answers = ("记录活动", "1", "技术交流", "数控编程交流", "1", "2", "完成", "3", "交流宏程序", "跳过", "跳过")
    await converse(settings, as_name=LEAD, write=first.append, lines=lines_of(*answers))
    assert "请核对" in "\n".join(first)  # left at the summary, not submitted
    again: list[str] = []
    await converse(settings, as_name=LEAD, write=again.append, lines=lines_of("1"))  # [1] is 提交
    text = "\n".join(again)
    assert text.index("接着来") < text.index("请核对") < text.index("已提交！编号")
    assert len(await entries(sessions)) == before + 1
