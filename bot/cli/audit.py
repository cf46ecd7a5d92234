"""`studio-bot audit --studio NAME [--json]`: a studio's audit trail, oldest first."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, emit, run_in_session
from bot.settings import Settings
from storage.models import AuditLog
from storage.repos import audit, org


def _row(entry: AuditLog, names: dict[int, str], settings: Settings) -> dict[str, Any]:
    return {
        "at": entry.at.astimezone(settings.tz).isoformat(timespec="seconds"),
        "actor": names.get(entry.actor_id) if entry.actor_id else None,
        "actor_id": entry.actor_id,
        "channel": entry.channel,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "version": entry.version,
        "from": entry.from_state,
        "to": entry.to_state,
        "reason": entry.reason,
        "detail": entry.detail,
    }


def _line(row: dict[str, Any]) -> str:
    version = f" v{row['version']}" if row["version"] is not None else ""
    moved = f"{row['from']} → {row['to']}" if row["from"] else row["to"]
    reason = f"  原因 / reason: {row['reason']}" if row["reason"] else ""
    when = row["at"][:16].replace("T", " ")
    actor = row["actor"] or "-"
    return f"{when}  {actor}  {row['channel']}  {row['object_type']}#{row['object_id']}{version}  {moved}{reason}"


@app.command("audit")
def audit_command(
    studio: Annotated[str, typer.Option(help="工作室名称 / studio name")],
    as_json: bool = JsonOption,
) -> None:
    """Print a studio's audit trail: who moved what, when, through which channel, from what to what, and why."""
    name = studio.strip()

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        found = await org.get_studio(session=session, name=name)
        if found is None:
            raise CliError(f"没有这个工作室 / no such studio: {name}")
        rows = await audit.trail(session=session, studio_id=found.id)
        names = await org.names_of(session=session, person_ids={r.actor_id for r in rows if r.actor_id})
        return {"studio": found.name, "status": found.status.value, "rows": [_row(r, names, settings) for r in rows]}

    result = run_in_session(work, as_json=as_json)
    header = f"{result['studio']}（{result['status']}）审计记录 / audit trail: {len(result['rows'])}"
    emit(result, "\n".join([header, *(_line(r) for r in result["rows"])]), as_json=as_json)
