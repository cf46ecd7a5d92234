"""`studio-bot export`, `assess` and `import`: the files unions hand in, look at and fill in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter.exceptions import XlsxWriterException

from bot.cli import bulk_import  # noqa: F401  - registers import
from bot.cli.common import CliError, JsonOption, app, cli_date, cli_today, emit, fail, file_problem, run_in_session
from bot.cli.outfiles import staged
from bot.cli.progress import progress
from bot.settings import Settings, load_settings
from handlers.assessment.figures import SCALARS
from handlers.assessment.rubric import Rubric, RubricError, load_rubric
from handlers.assessment.service import NoCycle, StudioAssessment, assess_studio, assess_union
from handlers.assessment.summary import ranking_text, summary_text
from handlers.assessment.workbook import write_assessment, write_ranking
from handlers.core.i18n import Translator
from handlers.exports.labels import ExportFormat, export_ledgers
from storage.exports.ledgers import LedgerFilter
from storage.models import EntryStatus, LedgerKind
from storage.repos import org


@app.command()
def export(
    studio: Annotated[str, typer.Option(help="工作室名称 / studio name")],
    out: Annotated[Path, typer.Option(help="输出文件 / output file: FILE.xlsx | FILE.csv")],
    date_from: Annotated[str | None, typer.Option("--from", help="起始日期 / from date")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="结束日期 / to date")] = None,
    every_status: Annotated[bool, typer.Option("--all", help="包含未复核的记录 / every status")] = False,
    ledger: Annotated[str | None, typer.Option(help="只导出一个台账 / one ledger: activity|outcome|training")] = None,
    as_json: bool = JsonOption,
) -> None:
    """The studio's ledgers: an .xlsx with a sheet per ledger, or a .csv per ledger (approved entries by default)."""
    fmt: ExportFormat
    if out.suffix.lower() in (".xlsx", ".csv"):
        fmt = "xlsx" if out.suffix.lower() == ".xlsx" else "csv"
    else:
        fail(f"--out 须为 .xlsx 或 .csv / --out must end in .xlsx or .csv: {out}", as_json=as_json)
    try:
        kinds = (LedgerKind(ledger),) if ledger else tuple(LedgerKind)
    except ValueError:
        fail(f"未知台账 / unknown ledger {ledger!r}; use activity, outcome or training", as_json=as_json)
    start = cli_date(date_from, what="--from", as_json=as_json)
    end = cli_date(date_to, what="--to", as_json=as_json)
    if start and end and start > end:
        fail(f"--from {start} 晚于 --to {end} / --from is after --to", as_json=as_json)
    statuses = frozenset(EntryStatus) if every_status else frozenset({EntryStatus.APPROVED})

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        found = await org.get_studio(session=session, name=studio.strip())
        if found is None:
            raise CliError(f"没有这个工作室 / no such studio: {studio}")
        try:
            # Every file of one export is staged and published together: all of them or none.
            with staged(out) as stage:
                result = await export_ledgers(
                    session=session,
                    studio=found,
                    out=stage.path,
                    fmt=fmt,
                    flt=LedgerFilter(statuses=statuses, date_from=start, date_to=end),
                    locale=settings.default_locale,
                    kinds=kinds,
                )
                files = stage.publish([f.path for f in result.files])
        except (OSError, XlsxWriterException) as exc:
            raise CliError(file_problem(out, exc)) from None
        return {
            "studio": found.name,
            "files": [str(f) for f in files],
            "rows": {kind.value: n for kind, n in result.counts.items()},
            "statuses": sorted(s.value for s in statuses),
        }

    with progress(as_json=as_json) as display:
        display.bar(f"导出 / exporting {studio}")
        result = run_in_session(work, as_json=as_json)
    rows = "，".join(f"{k} {n}" for k, n in result["rows"].items())
    emit(result, f"已导出 / exported {result['studio']} ({rows}):\n" + "\n".join(result["files"]), as_json=as_json)


def _rubric(settings: Settings, *, as_json: bool) -> Rubric:
    try:
        return load_rubric(settings.assessment_rubric_file)
    except RubricError as exc:
        fail(f"{exc.text('zh_CN')} / {exc.text('en')}", as_json=as_json)


@app.command()
def assess(
    studio: Annotated[str | None, typer.Option(help="工作室名称 / studio name")] = None,
    union: Annotated[str | None, typer.Option(help="工会名称：为下属全部工作室排名 / rank a union's studios")] = None,
    out: Annotated[Path | None, typer.Option(help="考核表 / workbook: FILE.xlsx")] = None,
    at: Annotated[str | None, typer.Option("--at", help="按此日期统计 / as of this date")] = None,
    as_json: bool = JsonOption,
) -> None:
    """The cycle assessment figures of a studio against the rubric, or a union's studios ranked."""
    if (studio is None) == (union is None):
        fail("请给出 --studio 或 --union 之一 / give exactly one of --studio or --union", as_json=as_json)
    if out is not None and out.suffix.lower() != ".xlsx":
        fail(f"--out 须为 .xlsx / --out must end in .xlsx: {out}", as_json=as_json)
    settings = load_settings()
    rubric = _rubric(settings, as_json=as_json)
    local_today = cli_today(settings)
    today = cli_date(at, what="--at", as_json=as_json, today=local_today) or local_today
    t = Translator(settings.default_locale)

    async def work(session: AsyncSession, _: Settings) -> dict[str, Any]:
        if union is not None:
            found_union = await org.get_union(session=session, name=union.strip())
            if found_union is None:
                raise CliError(f"没有这个工会 / no such union: {union}")
            ranked = await assess_union(
                session=session,
                union=found_union,
                rubric=rubric,
                today=today,
                step=lambda done, total: bar.reach(done, total),
            )
            if out is not None:
                await _write_out(out, lambda path: write_ranking(path, ranked, t))
            text = ranking_text(found_union.name, ranked, t, today_text=today.isoformat())
            return {"union": found_union.name, "studios": [_as_dict(r) for r in ranked], "text": text}
        found = await org.get_studio(session=session, name=(studio or "").strip())
        if found is None:
            raise CliError(f"没有这个工作室 / no such studio: {studio}")
        try:
            result = await assess_studio(session=session, studio=found, rubric=rubric, today=today)
        except NoCycle:
            # one line in both languages, like every other CLI error
            said = [Translator(lang)("assess.no_cycle", studio=found.name) for lang in ("zh_CN", "en")]
            raise CliError(" / ".join(said)) from None
        if out is not None:
            await _write_out(out, lambda path: write_assessment(path, result, rubric, t, today=today))
        return {**_as_dict(result), "text": summary_text(result, t, today_text=today.isoformat())}

    with progress(as_json=as_json) as display:
        bar = display.bar(f"考核 / assessing {union or studio}")
        result = run_in_session(work, as_json=as_json)
    text = result.pop("text")
    if out is not None:
        result["file"] = str(out)
        text += f"\n{out}"
    emit(result, text, as_json=as_json)


async def _write_out(out: Path, write: Callable[[Path], Awaitable[Path]]) -> None:
    """Write a workbook to `out` through a staged copy; a file-system failure is a CliError, nothing left."""
    try:
        with staged(out) as stage:
            await write(stage.path)
            stage.publish([stage.path])
    except (OSError, XlsxWriterException) as exc:
        raise CliError(file_problem(out, exc)) from None


def _as_dict(result: StudioAssessment) -> dict[str, Any]:
    a, f = result.assessment, result.assessment.figures
    return {
        "studio": result.studio.name,
        "union": result.union.name,
        "cycle": {"number": result.cycle.number, "starts_on": result.cycle.starts_on, "ends_on": result.cycle.ends_on},
        "progress": float(a.progress),
        "score": a.score,
        "max_score": a.max_score,
        "suggestion": a.suggestion,
        "figures": {key: f.value(key) for key in SCALARS},
        "activities_by_kind": dict(f.activities_by_kind),
        "activities_by_month": dict(sorted(f.activities_by_month.items())),
        "outcomes_by_category": dict(f.outcomes_by_category),
        "shortfalls": [{"figure": c.criterion.figure, "value": c.value, "expected": c.expected} for c in a.shortfalls],
    }
