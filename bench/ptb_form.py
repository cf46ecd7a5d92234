"""The peer's form: bench/engine.py's 13-step 记录活动 as python-telegram-bot's ConversationHandler.

Each step parses what was typed or pressed, keeps the answer in `user_data`, and builds the next question with its
inline keyboard (kept in LAST, not sent: the project's engine is measured without a channel too).
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

KINDS = ("学习", "攻关", "技术交流", "技能培训", "其他")
MEMBERS = ("李明", "王芳", "张伟")
DONE = "已提交，等待审核。"
DATE, KIND, TITLE, PLACE, PEOPLE, HOURS, CONTENT, RESULTS, FILES, CONFIRM = range(10)


def _keyboard(*rows: tuple[str, ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=label) for label in row] for row in rows])


LAST: dict[int, tuple[str, InlineKeyboardMarkup | None]] = {}  # each person's last answer, read by the runner


def _ask(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    assert update.effective_user is not None
    LAST[update.effective_user.id] = (text, markup)


def _text(update: Update) -> str:
    if update.callback_query is not None:
        return update.callback_query.data or ""
    return update.effective_message.text or "" if update.effective_message else ""


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data.clear()  # type: ignore[union-attr]
    today = date.today()
    _ask(update, "活动是哪天？", _keyboard(("今天", "昨天", "前天")))
    context.user_data["today"] = today.isoformat()  # type: ignore[index]
    return DATE


async def on_date(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    said, today = _text(update), date.today()
    offsets = {"今天": 0, "昨天": 1, "前天": 2}
    if said in offsets:
        picked = today - timedelta(days=offsets[said])
    else:
        try:
            picked = date.fromisoformat(said.replace("/", "-"))
        except ValueError:
            _ask(update, "请按 2026-03-05 的格式写日期。")
            return DATE
    context.user_data["occurred_on"] = picked.isoformat()  # type: ignore[index]
    _ask(update, "活动类型？", _keyboard(KINDS))
    return KIND


async def on_kind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if (said := _text(update)) not in KINDS:
        _ask(update, "请从按钮中选择。", _keyboard(KINDS))
        return KIND
    context.user_data["kind"] = said  # type: ignore[index]
    _ask(update, "活动名称？")
    return TITLE


async def on_title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    said = _text(update).strip()
    if not said or len(said) > 100:
        _ask(update, "名称请在 100 字以内。")
        return TITLE
    context.user_data["title"] = said  # type: ignore[index]
    _ask(update, "活动地点？", _keyboard(("工作室", "跳过")))
    return PLACE


async def on_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    said = _text(update).strip()
    context.user_data["place"] = "" if said == "跳过" else said[:100]  # type: ignore[index]
    context.user_data["participants"] = []  # type: ignore[index]
    _ask(update, "参加人员？（可多选，选好后点完成）", _keyboard(MEMBERS, ("完成",)))
    return PEOPLE


async def on_person(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    said, chosen = _text(update), context.user_data["participants"]  # type: ignore[index]
    if said == "完成" and chosen:
        _ask(update, "活动时长（小时）？", _keyboard(("1", "2", "3", "4")))
        return HOURS
    if said in MEMBERS:
        chosen.remove(said) if said in chosen else chosen.append(said)
    marks = tuple(("✓ " if m in chosen else "") + m for m in MEMBERS)
    _ask(update, "已选：" + "、".join(chosen), _keyboard(marks, ("完成",)))
    return PEOPLE


async def on_hours(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    try:
        hours = float(_text(update))
    except ValueError:
        hours = -1
    if not 0 < hours <= 24:
        _ask(update, "请写 0 到 24 之间的小时数。")
        return HOURS
    context.user_data["hours"] = hours  # type: ignore[index]
    _ask(update, "活动内容？")
    return CONTENT


async def on_content(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    context.user_data["content"] = _text(update)[:2000]  # type: ignore[index]
    _ask(update, "取得的成效？（可跳过）", _keyboard(("跳过",)))
    return RESULTS


async def on_results(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    said = _text(update)
    context.user_data["results"] = "" if said == "跳过" else said[:2000]  # type: ignore[index]
    _ask(update, "上传照片或附件？（可跳过）", _keyboard(("跳过",)))
    return FILES


async def on_files(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    data = context.user_data or {}
    summary = "\n".join(f"{key}: {value}" for key, value in data.items())
    _ask(update, "请确认：\n" + summary, _keyboard(("提交", "修改", "取消")))
    return CONFIRM


async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if _text(update) != "提交":
        _ask(update, "已取消。")
        return ConversationHandler.END
    context.bot_data["submitted"] = context.bot_data.get("submitted", 0) + 1
    _ask(update, DONE)
    return ConversationHandler.END


def _step(handler: Any) -> list[Any]:
    return [MessageHandler(filters.TEXT & ~filters.COMMAND, handler), CallbackQueryHandler(handler)]


def build(request: BaseRequest, pickle: Path | None) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application with the form; state in memory, or in PicklePersistence at `pickle`."""
    builder = Application.builder().token("1:peer").request(request).get_updates_request(request).updater(None)
    if pickle is not None:
        builder = builder.persistence(PicklePersistence(filepath=pickle))
    app = builder.build()
    with warnings.catch_warnings():  # per_message=False with button steps is what this form wants
        warnings.simplefilter("ignore", PTBUserWarning)
        form = ConversationHandler(
            entry_points=[MessageHandler(filters.Regex("^记录活动$"), start)],
            states={
                state: _step(handler)
                for state, handler in (
                    (DATE, on_date),
                    (KIND, on_kind),
                    (TITLE, on_title),
                    (PLACE, on_place),
                    (PEOPLE, on_person),
                    (HOURS, on_hours),
                    (CONTENT, on_content),
                    (RESULTS, on_results),
                    (FILES, on_files),
                    (CONFIRM, on_confirm),
                )
            },
            fallbacks=[],
            name="activity",
            persistent=pickle is not None,
        )
    app.add_handler(form)
    return app
