"""`studio-bot doctor`: what would stall or fail, one line each; exit 1 when something would."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bot.cli.common import JsonOption, app, emit, run
from bot.health.run import Report, diagnose
from bot.health.texts import line
from bot.settings import load_settings
from storage.database import create_engine, session_factory


@app.command()
def doctor(
    online: Annotated[
        bool, typer.Option("--online", help="向各平台取一次 access token / fetch one token from each platform")
    ] = False,
    as_json: bool = JsonOption,
) -> None:
    """Check the configuration, the platforms (--online) and the data for what would stall."""
    settings = load_settings()

    async def go() -> Report:
        engine = create_engine(settings.database_url)
        try:
            return await diagnose(settings, session_factory(engine), online=online)
        finally:
            await engine.dispose()

    report = run(go())
    listed: list[dict[str, Any]] = [
        {
            "code": f.code,
            "stalls": f.stalls,
            "subject": f.subject,
            "params": f.params,
            "people": list(f.people),
            "text": line(f),
        }
        for f in report.findings
    ]
    lines = [line(f, with_people=True) for f in report.findings]
    summary = (
        "有问题会导致停滞 / something would stall" if report.stalls else "没有会导致停滞的问题 / nothing would stall"
    )
    if online:
        summary += f"; 平台已应答 / platforms answered: {', '.join(report.answered) or '—'}"
    result = {"stalls": report.stalls, "findings": listed, "answered": report.answered}
    emit(result, "\n".join([*lines, summary]), as_json=as_json)
    if report.stalls:
        raise typer.Exit(code=1)
