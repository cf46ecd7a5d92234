"""`studio-bot import`: write the template, or import a filled one (every row checked before anything is written)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter.exceptions import XlsxWriterException

from bot.cli.common import CliError, JsonOption, app, cli_today, emit, fail, file_problem, run_in_session
from bot.cli.outfiles import staged
from bot.cli.progress import progress
from bot.settings import Settings
from handlers.core.i18n import t
from storage.importer.layout import SHEETS
from storage.importer.reader import ImportFileError, Problem
from storage.importer.run import import_file
from storage.importer.template import write_template
from storage.repos.leads import LeadTaken

_TRANSLATED = {"level", "parent_level"}  # parameters that are stored codes with a catalogue name


def both(key: str, **params: Any) -> str:
    """A message in Chinese and English on one line, as the admin commands print them."""
    return " / ".join(t(key, loc, **params) for loc in ("zh_CN", "en"))


def problem_text(problem: Problem, locale: str) -> str:
    """One bad row: its sheet, its row number and the reason, in one language."""
    params = {k: t(f"import.level.{v}", locale) if k in _TRANSLATED else v for k, v in problem.params.items()}
    reason = t(problem.code, locale, **params)
    return t("import.problem_line", locale, sheet=problem.sheet, row=problem.row, reason=reason)


@app.command("import")
def import_(
    file: Annotated[Path | None, typer.Argument(help="填好的模板 / the filled-in template (.xlsx)")] = None,
    template: Annotated[Path | None, typer.Option("--template", help="写出空白模板 / write an empty template")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Bulk import unions, studios, people and roles from the template; or write the template."""
    if (file is None) == (template is None):
        fail("请给出 FILE.xlsx 或 --template FILE.xlsx / give FILE.xlsx or --template FILE.xlsx", as_json=as_json)
    if template is not None:
        if template.suffix.lower() != ".xlsx":
            fail(f"--template 须为 .xlsx 文件 / --template must end in .xlsx: {template}", as_json=as_json)
        try:
            with staged(template) as stage:
                write_template(stage.path)
                stage.publish([stage.path])
        except (OSError, XlsxWriterException) as exc:
            fail(file_problem(template, exc), as_json=as_json)
        emit({"template": str(template)}, both("import.template_written", path=template), as_json=as_json)
        return
    assert file is not None
    if not file.is_file():
        fail(f"找不到文件 / no such file: {file}", as_json=as_json)

    async def work(session: AsyncSession, settings: Settings) -> dict[str, Any]:
        try:
            outcome = await import_file(session=session, path=file, today=cli_today(settings))
        except ImportFileError as exc:
            return {"error": both(exc.code, **exc.params)}
        except LeadTaken as exc:  # a lead named since the file was checked: the whole import rolls back
            raise CliError(str(exc)) from None
        if outcome.report is None:
            return {"problems": outcome.problems}
        return {"counts": outcome.report.counts, "changed": outcome.report.changed}

    with progress(as_json=as_json) as display:
        display.bar(f"导入 / importing {file.name}")
        result = run_in_session(work, as_json=as_json)
    if "error" in result:
        fail(result["error"], as_json=as_json)
    if "problems" in result:
        _print_problems(result["problems"], as_json=as_json)
        raise typer.Exit(code=2)
    counts = {layout.key: dict(result["counts"].get(layout.key, {})) for layout in SHEETS}
    lines = [both("import.done") if result["changed"] else both("import.nothing_changed")]
    for key, c in counts.items():
        sheet = t(f"import.sheet.{key}", "zh_CN")
        numbers = {w: c.get(w, 0) for w in ("created", "updated", "unchanged")}
        lines.append("  " + t("import.counts", "zh_CN", sheet=sheet, **numbers))
    lines.append(both("import.invite_hint"))
    emit({"changed": result["changed"], "counts": counts}, "\n".join(lines), as_json=as_json)


def _print_problems(problems: list[Problem], *, as_json: bool) -> None:
    if as_json:
        listed = [
            {"sheet": p.sheet, "row": p.row, "code": p.code, "message": problem_text(p, "zh_CN")} for p in problems
        ]
        print(json.dumps({"ok": False, "problems": listed}, ensure_ascii=False))
    print(both("import.failed", count=len(problems)), file=sys.stderr)
    for problem in problems:
        print(f"  {problem_text(problem, 'zh_CN')}", file=sys.stderr)
        print(f"  {problem_text(problem, 'en')}", file=sys.stderr)
