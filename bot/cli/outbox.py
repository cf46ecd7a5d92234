"""`studio-bot outbox list|requeue`: see what did not go out and send it again (audited)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import JsonOption, app, emit, fail, run_in_session
from bot.settings import Settings
from storage.base import utcnow
from storage.models import OutboxMessage, OutboxStatus
from storage.repos import audit, outbox_admin

log = logging.getLogger(__name__)
outbox_app = typer.Typer(help="发件箱 / the outbox", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
STATUSES = ", ".join(s.value for s in OutboxStatus)


def _status(value: str | None, *, as_json: bool) -> OutboxStatus | None:
    if value is None:
        return None
    try:
        return OutboxStatus(value.strip().lower())
    except ValueError:
        fail(f"--status: 未知状态 / unknown status {value!r} ({STATUSES})", as_json=as_json)


def _row(m: OutboxMessage, settings: Settings) -> dict[str, Any]:
    def local(moment: Any) -> str | None:
        return moment.astimezone(settings.tz).isoformat(timespec="seconds") if moment else None

    return {
        "id": m.id,
        "key": m.idempotency_key,
        "kind": m.kind,
        "person_id": m.person_id,
        "channel": m.channel,
        "status": m.status.value,
        "attempts": m.attempts,
        "due_at": local(m.due_at),
        "claimed_at": local(m.claimed_at),
        "sent_at": local(m.sent_at),
        "last_error": m.last_error,
    }


@outbox_app.command("list")
def list_rows(
    status: Annotated[str | None, typer.Option("--status", help=f"只看此状态 / only this status ({STATUSES})")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="最多几行 / at most this many")] = 100,
    as_json: bool = JsonOption,
) -> None:
    """The outbox rows in a status (e.g. needs_look, failed), newest first."""
    wanted = _status(status, as_json=as_json)

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        rows = await outbox_admin.listed(session=session, status=wanted, limit=limit)
        return {"rows": [_row(m, settings) for m in rows]}

    result = run_in_session(work, as_json=as_json)
    lines = [
        f"{r['id']}\t{r['status']}\t{r['key']}\t{r['due_at']}\t{r['attempts']}\t{r['last_error'] or ''}"
        for r in result["rows"]
    ]
    emit(result, "\n".join(lines) or "没有 / none", as_json=as_json)


@outbox_app.command("requeue")
def requeue(
    ids: Annotated[list[int] | None, typer.Argument(help="行号 / row ids (needs_look or failed)")] = None,
    every: Annotated[bool, typer.Option("--all", help="此状态的全部 / every row in --status")] = False,
    status: Annotated[str, typer.Option("--status", help="与 --all 一起 / with --all")] = "needs_look",
    as_json: bool = JsonOption,
) -> None:
    """Send rows again: due now, attempts reset; one audit row each. A row may then arrive twice."""
    if every == bool(ids):
        fail("给出行号或 --all，二选一 / give row ids or --all, not both", as_json=as_json)
    wanted = _status(status, as_json=as_json)
    if wanted not in outbox_admin.REQUEUEABLE:
        fail("--status: needs_look 或 failed / needs_look or failed", as_json=as_json)
    assert wanted is not None

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        now = utcnow()
        found = await outbox_admin.requeue(session=session, now=now, ids=None if every else ids, status=wanted)
        for row_id, was in found:
            await audit.record(
                session=session,
                actor_id=None,
                channel="cli",
                object_type="outbox",
                object_id=row_id,
                from_state=was.value,
                to_state=OutboxStatus.PENDING.value,
                at=now,
            )
        missing = sorted(set(ids or ()) - {i for i, _ in found})
        return {"requeued": [i for i, _ in found], "not_requeueable": missing}

    result = run_in_session(work, as_json=as_json)
    log.info("outbox: %d rows requeued from the command line", len(result["requeued"]))
    text = f"已重新排队 / requeued: {len(result['requeued'])}"
    if result["not_requeueable"]:
        text += f"; 未处理 / not needs_look or failed: {' '.join(map(str, result['not_requeueable']))}"
    emit(result, text, as_json=as_json)
