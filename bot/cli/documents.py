"""`studio-bot document KIND … --out FILE`: the programme's documents (申报表, 推荐汇总表, 公示, 命名名单)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter.exceptions import XlsxWriterException

from bot.cli.common import CliError, JsonOption, app, cli_today, emit, file_problem, run_in_session
from bot.cli.outfiles import staged
from bot.settings import Settings, load_settings
from handlers.core.i18n import Translator
from handlers.lifecycle.documents import build
from handlers.lifecycle.documents.kinds import DocumentKind
from storage.repos import org

KINDS = "|".join(k.value for k in DocumentKind)


@app.command("document")
def document(
    kind: Annotated[str, typer.Argument(help=f"文件种类 / document: {KINDS}")],
    out: Annotated[Path, typer.Option(help="输出文件 / output file (.docx or .xlsx)")],
    # numbers are read here, not by typer, so that "--year abc" is refused in the same one bilingual line
    application: Annotated[str | None, typer.Option(help="申报编号 / application id (application-form)")] = None,
    union: Annotated[str | None, typer.Option(help="工会名称 / union name (recommendation-summary)")] = None,
    year: Annotated[str | None, typer.Option(help="年度 / year (recommendation-summary, notice, naming-list)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="xlsx|docx (naming-list)")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Write one of the programme's documents from the data: application-form, recommendation-summary, notice,
    naming-list."""
    settings = load_settings()
    t = Translator(settings.default_locale)

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        union_id = None
        if union is not None and kind == DocumentKind.RECOMMENDATION_SUMMARY:
            found = await org.get_union(session=session, name=union.strip())
            if found is None:
                raise CliError(f"没有这个工会 / no such union: {union.strip()}")
            union_id = found.id
        try:
            number, year_n = _whole(application), _whole(year)
            if application is not None and number is None:
                raise build.DocumentError("no_application", number=application.strip())
            if year is not None and year_n is None:
                raise build.DocumentError("year", kind=kind, year=year.strip())
            asked = build.request(kind, fmt or _suffix(out), application_id=number, union_id=union_id, year=year_n)
            if out.suffix.lower() != f".{asked.fmt}":
                raise CliError(f"--out 须以 .{asked.fmt} 结尾 / --out must end in .{asked.fmt}: {out}")
            with staged(out) as stage:
                made = await build.produce(session, asked, stage.folder, t, tz=settings.tz, today=cli_today(settings))
                made.path.replace(stage.path)
                stage.publish([stage.path])
        except build.DocumentError as exc:
            raise CliError(exc.both()) from None
        except (OSError, XlsxWriterException) as exc:
            raise CliError(file_problem(out, exc)) from None
        return {"kind": asked.kind.value, "format": asked.fmt, "title": made.title, "rows": made.rows, "file": str(out)}

    result = run_in_session(work, as_json=as_json)
    emit(result, f"已生成 / written {result['title']} ({result['rows']}): {result['file']}", as_json=as_json)


def _suffix(out: Path) -> str | None:
    """The format an --out name asks for, when it names one of the document formats."""
    suffix = out.suffix.lower().lstrip(".")
    return suffix if suffix in ("docx", "xlsx") else None


def _whole(value: str | None) -> int | None:
    """A whole number typed on the command line, or None."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None
