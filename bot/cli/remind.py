"""`studio-bot remind`: run or preview one reminder planning pass, now or as of any moment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import JsonOption, app, emit, fail, out_of_range, run_in_session
from bot.settings import Settings, load_settings
from handlers.core.config import HandlerConfig
from handlers.reminders import plan
from storage.base import utcnow
from storage.repos import sending

SHOWN = 50  # lines of reminders printed (JSON has them all)


def _moment(value: str | None, settings: Settings, *, as_json: bool) -> datetime:
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"--at: 无法识别的时间 / not a date and time: {value!r} (e.g. 2027-03-01T09:00)", as_json=as_json)
    out_of_range(value, moment.date(), what="--at", as_json=as_json)
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


@app.command()
def remind(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只预览，不写入 / preview, write nothing")] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="按此时刻规划 / plan as of this moment, e.g. 2027-03-01T09:00")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Run the reminder planner now (or as if at a moment); the server's sender pushes what it queues."""
    settings = load_settings()
    moment = _moment(at, settings, as_json=as_json)

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        result = await plan(session=session, config=HandlerConfig.from_object(settings), now=moment, dry_run=dry_run)
        await session.flush()
        return {
            "at": moment.astimezone(settings.tz).isoformat(timespec="minutes"),
            "dry_run": dry_run,
            "due_at": result.due_at.astimezone(settings.tz).isoformat(timespec="minutes"),
            "considered": result.considered,
            "paused": result.paused,
            "new": len(result.new),
            "by_topic": result.by_topic(),
            "reminders": [
                {"key": p.key, "topic": p.topic, "person_id": p.person_id, "person": p.person_name, "text": p.text}
                for p in result.new
            ],
            "outbox": await sending.status_counts(session=session),
        }

    result = run_in_session(work, as_json=as_json)
    emit(result, _human(result), as_json=as_json)


def _human(result: dict[str, Any]) -> str:
    mode = "预览，未写入 / dry run, nothing written" if result["dry_run"] else "已写入发件箱 / queued in the outbox"
    topics = ", ".join(f"{k} {v}" for k, v in result["by_topic"].items()) or "-"
    lines = [
        f"提醒规划 / reminder pass as of {result['at']} ({mode})",
        f"新提醒 / new reminders: {result['new']} ({topics}); 休假暂停 / paused: {result['paused']}",
        f"发送时间 / go out at: {result['due_at']}",
    ]
    for item in result["reminders"][:SHOWN]:
        first_line = item["text"].splitlines()[0]
        lines.append(f"  {item['key']} → {item['person']}: {first_line[:70]}")
    if len(result["reminders"]) > SHOWN:
        lines.append(f"  … +{len(result['reminders']) - SHOWN} (--json 列出全部 / lists them all)")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result["outbox"].items())) or "-"
    lines.append(f"发件箱 / outbox: {counts}")
    if result["outbox"].get("needs_look"):
        lines.append(
            "注意 / note: needs_look = 发送中断，请人工核对是否已送达 / a send was interrupted; check before resending"
        )
    return "\n".join(lines)
