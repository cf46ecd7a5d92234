"""`studio-bot audit [--studio NAME] [--json]`: the audit trail, oldest first, every row named."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import CliError, JsonOption, app, emit, run_in_session
from bot.settings import Settings
from handlers.core.i18n import Translator
from handlers.lifecycle import trail
from storage.models import AuditLog
from storage.repos import audit, audit_names, org


def _row(entry: AuditLog, names: audit_names.Names, settings: Settings, t: Translator) -> dict[str, Any]:
    subject = names.subject(entry)
    reason = f"  原因 / reason: {entry.reason}" if entry.reason else ""
    at = entry.at.astimezone(settings.tz)
    who = trail.actor(t, entry, names)
    text = f"{at:%Y-%m-%d %H:%M}  {who}  {entry.channel}  {trail.subject_text(t, subject, entry.version)}"
    return {
        "at": at.isoformat(timespec="seconds"),
        "actor": names.people.get(entry.actor_id) if entry.actor_id else None,
        "actor_id": entry.actor_id,
        "channel": entry.channel,
        "studio": names.studios.get(entry.studio_id) if entry.studio_id else None,
        "studio_id": entry.studio_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "subject": subject,
        "version": entry.version,
        "from": entry.from_state,
        "to": entry.to_state,
        "reason": entry.reason,
        "detail": entry.detail,
        "text": f"{text}  {trail.moved(t, entry)}{trail.changed(t, entry, subject)}{reason}",
    }


@app.command("audit")
def audit_command(
    studio: Annotated[
        str | None, typer.Option(help="工作室名称；不填则为全部记录 / studio name; without it, the whole trail")
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Print the audit trail: who changed what (by name), when, through which channel, from what to what, and why.

    Changes made on the command line without --by name the system as their actor.
    """
    name = studio.strip() if studio else None

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        t = Translator(settings.default_locale)
        found = await org.get_studio(session=session, name=name) if name else None
        if name and found is None:
            raise CliError(f"没有这个工作室 / no such studio: {name}")
        rows = await audit.trail(session=session, studio_id=found.id if found else None)
        names = await audit_names.names_for(session=session, rows=rows)
        head = {"studio": found.name, "status": found.status.value} if found else {"studio": None, "status": None}
        return {**head, "rows": [_row(r, names, settings, t) for r in rows]}

    result = run_in_session(work, as_json=as_json)
    scope = f"{result['studio']}（{result['status']}）" if result["studio"] else "全部 / all"
    header = f"{scope}审计记录 / audit trail: {len(result['rows'])}"
    emit(result, "\n".join([header, *(r["text"] for r in result["rows"])]), as_json=as_json)
