"""记录成果 end to end: conditional steps, money as people write it, patents, the funding scheme name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.engine.pipeline import Bot
from handlers.ledgers.outcome import MUNICIPAL_SCHEME
from storage.models import LedgerKind
from tests.support import Clock, Transcript, World
from tests.support.fixtures import bot_fixture, clock_fixture, entries, latest_fields, world_fixture  # noqa: F401


async def test_a_funded_patented_outcome_in_production(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    await chat.say("记录成果")
    chat.expect("成果名称")
    await chat.say("数控刀具快换夹具")
    await chat.press("小发明")
    chat.expect("完成人员")
    await chat.press("张工")
    await chat.say("李明")
    chat.expect("在生产中应用")
    await chat.press("是")
    chat.expect("从哪天开始应用")
    await chat.say("2025年9月1日")
    chat.expect("多少资助")
    await chat.say("1.5万")
    chat.expect("资助来自哪个项目")
    await chat.press(MUNICIPAL_SCHEME)
    chat.expect("有专利吗")
    await chat.press("实用新型")
    await chat.say("ZL 2025 2 0123456.7")
    chat.expect("专利状态")
    await chat.press("已授权")
    chat.expect("经济效益")
    await chat.say("12.5万元")
    chat.expect("奖项")
    await chat.say("2025年上海市职工合理化建议优秀奖")
    chat.expect("证书")
    await chat.press("完成")
    chat.expect("请核对", "15000 元", "12.5 万元", "张工、李明", MUNICIPAL_SCHEME, "实用新型")
    await chat.press("提交")
    chat.expect("已提交")

    [entry] = await entries(sessions)
    assert entry.kind is LedgerKind.OUTCOME
    fields = await latest_fields(sessions, entry.id)
    assert fields["applied"] is True
    assert fields["applied_since"] == date(2025, 9, 1)
    assert fields["funding_amount"] == Decimal("15000.00")
    assert fields["funding_scheme"] == "上海职工(技师)创新项目资助"
    assert (fields["patent_kind"], fields["patent_number"], fields["patent_status"]) == (
        "实用新型",
        "ZL 2025 2 0123456.7",
        "已授权",
    )
    assert fields["benefit_wan"] == Decimal("12.50")
    assert fields["team"] == ["张工", "李明"]
    assert fields["recorded_on"] == date(2026, 3, 10)


async def test_questions_that_do_not_apply_are_not_asked(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "m1")
    for answer in ("记录成果", "换刀建议", "合理化建议", "李明"):
        await chat.say(answer)
    await chat.say("否")
    chat.expect("多少资助")  # not asked since when
    await chat.say("没有")  # the question says 没有可跳过: "none" skips it
    chat.expect("有专利吗")  # not asked the scheme
    await chat.say("无")  # "无" is the answer here, not "skip"
    chat.expect("经济效益")  # not asked number or status
    await chat.say("15000元")
    await chat.say("跳过")
    await chat.say("跳过")
    chat.expect("请核对", "1.5 万元", "专利类型：无")
    chat.expect_not("专利号", "资助项目", "应用时间")
    await chat.press("提交")
    [entry] = await entries(sessions)
    fields = await latest_fields(sessions, entry.id)
    assert fields["applied"] is False and fields["applied_since"] is None
    assert fields["funding_amount"] is None and fields["funding_scheme"] is None
    assert fields["patent_kind"] is None
    assert fields["benefit_wan"] == Decimal("1.50")


async def test_money_and_yes_no_errors(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录成果", "夹具", "小革新", "张工"):
        await chat.say(answer)
    await chat.say("也许吧")
    chat.expect("请回答“是”或“否”")
    await chat.say("有")
    await chat.say("下个月")
    chat.expect("那还没到", "只记已经发生的事")
    await chat.say("很久以前")
    chat.expect("没看懂这个日期")
    await chat.say("2025-01-01")
    for bad in ("很多钱", "0", "-5", "1.5亿"):
        await chat.say(bad)
        chat.expect("请填写金额")
    await chat.say("¥20,000")
    await chat.say("区里给的钱")  # a scheme not in the list is typed
    await chat.say("发明")
    await chat.say("跳过")
    chat.expect("专利状态")
    await chat.say("申请中")
    await chat.say("不少")
    chat.expect("万元")
    await chat.say("跳过")
    await chat.say("跳过")
    await chat.say("跳过")
    chat.expect("20000 元", "区里给的钱", "发明", "申请中", "专利号：（未填）")


async def test_turning_on_a_condition_in_the_summary_asks_the_new_question(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录成果", "夹具", "小革新", "张工", "否", "跳过", "无", "跳过", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("请核对")
    await chat.press("修改")
    await chat.press("生产中应用")
    await chat.press("是")
    chat.expect("从哪天开始应用")  # the step that now applies is asked before the summary
    await chat.say("2026-01-05")
    chat.expect("请核对", "应用时间：2026-01-05")


async def test_english_outcome_labels(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    await chat.say("/outcome")
    await chat.say("Quick-change fixture")
    chat.expect("Which category")
    chat.expect_buttons("Small invention")
    await chat.press("Small invention")
    await chat.say("张工")
    await chat.press("Yes")
    chat.expect("Applied since when")


async def test_no_at_the_yes_no_question_as_people_type_it(
    bot: Bot, world: World, sessions: async_sessionmaker[AsyncSession]
):
    chat = Transcript(bot, "lead")
    for typed in ("无", "没有", "否", "不"):
        for answer in ("记录成果", "夹具", "小革新", "张工"):
            await chat.say(answer)
        chat.expect("在生产中应用")
        await chat.say(typed)
        chat.expect("多少资助")  # answered "no": the since-when question is not asked
        chat.expect_not("必须填写")
        await chat.say("取消")
    for answer in ("记录成果", "夹具", "小革新", "张工", "有"):
        await chat.say(answer)
    chat.expect("从哪天开始应用")
    await chat.say("返回")
    await chat.say("没有")
    for answer in ("跳过", "无", "跳过", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("请核对", "生产中应用：否")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["applied"] is False


async def test_yes_and_no_typed_in_english(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    await chat.say("/lang en")
    for answer in ("/outcome", "Fixture", "1", "张工"):
        await chat.say(answer)
    await chat.say("n")
    chat.expect("How much funding")
    await chat.say("back")
    await chat.say("没有")  # Chinese answers work in English too
    chat.expect("How much funding")
    await chat.say("back")
    await chat.say("Y")
    chat.expect("Applied since when")


async def test_applied_since_a_month_and_day_in_january_is_last_year(
    bot: Bot, world: World, clock: Clock, sessions: async_sessionmaker[AsyncSession]
):
    clock.now = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    chat = Transcript(bot, "lead")
    for answer in ("记录成果", "夹具", "小革新", "张工", "是"):
        await chat.say(answer)
    await chat.say("11月20日")
    chat.expect("多少资助")
    for answer in ("跳过", "无", "跳过", "跳过", "跳过"):
        await chat.say(answer)
    chat.expect("应用时间：2026-11-20")
    await chat.press("提交")
    [entry] = await entries(sessions)
    assert (await latest_fields(sessions, entry.id))["applied_since"] == date(2026, 11, 20)


async def test_a_head_count_is_not_a_team_member(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录成果", "夹具", "小革新"):
        await chat.say(answer)
    await chat.say("３人")
    chat.expect("不是姓名", "完成人员")
    await chat.say("张工，外厂李工")
    chat.expect("在生产中应用")


async def test_editing_the_title_offers_back_to_the_summary(bot: Bot, world: World):
    chat = Transcript(bot, "lead")
    for answer in ("记录成果", "夹具", "小革新", "张工", "否", "跳过", "无", "跳过", "跳过", "跳过"):
        await chat.say(answer)
    await chat.press("修改")
    await chat.press("成果名称")
    chat.expect("当前内容：夹具")
    chat.expect_buttons("返回", "取消")
    await chat.press("返回")
    chat.expect("请核对", "成果名称：夹具")
