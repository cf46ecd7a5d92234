"""`studio-bot members`: the members of named studios, for the unions' priority lists (第八条)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter.exceptions import XlsxWriterException

from bot.cli.common import CliError, JsonOption, app, emit, fail, file_problem, run_in_session
from bot.cli.outfiles import staged
from bot.settings import Settings
from handlers.core.i18n import Translator
from handlers.exports.members import row_of, write_members
from storage.repos import org
from storage.repos.named_members import named_members

_FIELDS = ("studio", "named_on", "role", "name", "grade", "enterprise", "union")


@app.command()
def members(
    studio: Annotated[
        list[str] | None, typer.Option(help="只列这些命名工作室（可重复） / only these named studios (repeatable)")
    ] = None,
    union: Annotated[str | None, typer.Option(help="只列此工会及下属的工作室 / only studios under this union")] = None,
    out: Annotated[Path | None, typer.Option(help="名单 / workbook: FILE.xlsx")] = None,
    as_json: bool = JsonOption,
) -> None:
    """The leads and members of named studios with studio, role, enterprise and union (第八条 priority list)."""
    if out is not None and out.suffix.lower() != ".xlsx":
        fail(f"--out 须为 .xlsx / --out must end in .xlsx: {out}", as_json=as_json)

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        t = Translator(settings.default_locale)
        ids: list[int] | None = None
        if studio:
            ids = []
            for name in studio:
                found = await org.get_studio(session=session, name=name.strip())
                if found is None:
                    raise CliError(f"没有这个工作室 / no such studio: {name}")
                ids.append(found.id)
        rows = await named_members(session=session, studio_ids=ids)
        if union is not None:
            top = await org.get_union(session=session, name=union.strip())
            if top is None:
                raise CliError(f"没有这个工会 / no such union: {union}")
            chains = await org.union_chains(session=session, union_ids={m.union_id for m in rows})
            rows = [m for m in rows if any(u.id == top.id for u in chains.get(m.union_id, []))]
        written: str | None = None
        if out is not None:
            try:
                with staged(out) as stage:
                    await write_members(stage.path, rows, t)
                    written = str(stage.publish([stage.path])[0])
            except (OSError, XlsxWriterException) as exc:
                raise CliError(file_problem(out, exc)) from None
        listed = [dict(zip(_FIELDS, row_of(t, m), strict=True)) for m in rows]
        return {"count": len(rows), "studios": len({m.studio_id for m in rows}), "members": listed, "file": written}

    result = run_in_session(work, as_json=as_json)
    lines = [
        "\t".join(str(v or "") for v in (m["studio"], m["role"], m["name"], m["enterprise"], m["union"]))
        for m in result["members"]
    ]
    summary = f"命名工作室 {result['studios']} 个，成员 {result['count']} 人 / {result['count']} people"
    if result["file"]:
        summary += f"\n已写入 / written: {result['file']}"
    emit(result, "\n".join([*lines, summary]), as_json=as_json)
