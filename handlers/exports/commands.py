"""Chat commands for the files unions hand in: 导出 /export, 统计 /stats, 考核 /assess."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from sqlalchemy import func, select

from handlers.assessment.figures import compile_figures
from handlers.assessment.rubric import Rubric, RubricError, load_rubric
from handlers.assessment.service import NoCycle, assess_studio, assess_union
from handlers.assessment.summary import ranking_text, summary_text
from handlers.assessment.workbook import draw_charts, write_assessment, write_ranking
from handlers.core.types import OutFile, Reply
from handlers.engine.context import Context
from handlers.engine.router import Router
from handlers.exports.labels import XLSX_TYPE, export_ledgers
from handlers.exports.members import MEMBER_WORDS, members_export
from handlers.exports.support import (
    ALL_WORDS,
    answers_unwritable,
    deliver,
    export_folder,
    parse_export_args,
    resolve_studio,
)
from handlers.lifecycle import cycle_review
from handlers.roles import checks, matching
from handlers.roles.permissions import Action
from storage.exports.files import safe_filename
from storage.exports.ledgers import LedgerFilter
from storage.ledger_specs import specs
from storage.models import OFFICER_ROLES, EntryStatus, LedgerEntry, Studio, Union
from storage.repos import studio_cycles

router = Router(__name__)

log = logging.getLogger(__name__)
RANKING_LINES = 20  # chat messages stay short; the attached workbook has every studio


@router.command("export", "导出", help_key="export.help", order=45)
@answers_unwritable
async def export_command(ctx: Context, args: str) -> list[Reply]:
    """A studio's ledgers as an .xlsx (or CSV) file; 导出 成员: the named studios' members (第八条)."""
    if args.strip().lower() in MEMBER_WORDS:
        return await members_export(ctx)
    asked = parse_export_args(args, today=ctx.today)
    if isinstance(asked, str):
        return [Reply(text=ctx.t("export.bad_arg", arg=asked) + "\n" + ctx.t("export.usage"))]
    start, end = asked.date_from, asked.date_to
    if start and start > (end or ctx.today):  # a range that ends before it starts holds nothing
        return [Reply(text=ctx.t("export.bad_range", start=start, end=end or ctx.today))]
    studio = await resolve_studio(ctx, asked.studio, Action.EXPORT, "export", "export")
    if isinstance(studio, Reply):
        return [studio]
    statuses = frozenset(EntryStatus) if asked.every_status else frozenset({EntryStatus.APPROVED})
    name = safe_filename(ctx.t("export.filename", studio=studio.name, date=ctx.today.strftime("%Y%m%d")))
    result = await export_ledgers(
        session=ctx.session,
        studio=studio,
        out=export_folder(ctx) / f"{name}.{asked.fmt}",
        fmt=asked.fmt,
        flt=LedgerFilter(statuses=statuses, date_from=start, date_to=end),
        locale=ctx.t.locale,
    )
    period = ""
    if start or end:
        period = ctx.t("export.range", start=start or ctx.t("export.open_start"), end=end or ctx.t("export.open_end"))
    text = ctx.t(
        "export.done",
        studio=studio.name,
        scope=ctx.t("export.scope.all" if asked.every_status else "export.scope.approved"),
        range=period,
        counts=ctx.t("export.count_joiner").join(
            ctx.t(spec.message("count"), count=result.counts.get(spec.kind, 0)) for spec in specs()
        ),
    )
    caption = ctx.t("export.caption", studio=studio.name)
    files = [OutFile(f.path, f.filename, f.media_type, caption=caption) for f in result.files]
    return deliver(ctx, text, files)


async def _period(ctx: Context, studio: Studio) -> tuple[date, date, bool]:
    """The studio's current cycle; for a studio not named yet (no cycle) every entry so far, flagged False."""
    cycle = await studio_cycles.current_cycle(session=ctx.session, studio_id=studio.id)
    if cycle is not None:
        return cycle.starts_on, cycle.ends_on, True
    first = await ctx.session.scalar(
        select(func.min(LedgerEntry.occurred_on)).where(
            LedgerEntry.studio_id == studio.id, LedgerEntry.status == EntryStatus.APPROVED
        )
    )
    return min(first or ctx.today, ctx.today), ctx.today, False


@router.command("stats", "统计", help_key="stats.help", order=46)
@answers_unwritable
async def stats_command(ctx: Context, args: str) -> list[Reply]:
    """Charts of the studio's approved activities per month and outcomes by category."""
    studio = await resolve_studio(ctx, args.strip(), Action.VIEW_ENTRIES, "stats", "stats")
    if isinstance(studio, Reply):
        return [studio]
    start, end, in_cycle = await _period(ctx, studio)
    figures = await compile_figures(session=ctx.session, studio_id=studio.id, starts_on=start, ends_on=end)
    folder = export_folder(ctx)
    month_png = folder / f"{safe_filename(ctx.t('stats.filename_month'))}.png"
    category_png = folder / f"{safe_filename(ctx.t('stats.filename_category'))}.png"
    await asyncio.to_thread(draw_charts, figures, studio.name, ctx.t, month_png, category_png, today=ctx.today)
    text = ctx.t(
        "stats.text" if in_cycle else "stats.text_unnamed",
        studio=studio.name,
        start=start,
        activities=figures.activity_count,
        outcomes=figures.outcome_count,
    )
    files = [
        OutFile(month_png, month_png.name, "image/png", kind="photo", caption=ctx.t("stats.caption_month")),
        OutFile(category_png, category_png.name, "image/png", kind="photo", caption=ctx.t("stats.caption_category")),
    ]
    return deliver(ctx, text, files)


@router.command("assess", "考核", "考核统计", help_key="assess.help", order=65)
@answers_unwritable
async def assess_command(ctx: Context, args: str) -> list[Reply]:
    """The current cycle's figures against the rubric, for one studio or ranked for the reviewer's union."""
    try:
        rubric = load_rubric(ctx.config.assessment_rubric_file)
    except RubricError as exc:
        log.error("assessment rubric unusable: %s", exc.text("en"))
        return [Reply(text=ctx.t("assess.rubric_broken"))]
    subject = await checks.subject_of(ctx)
    if not matching.could_ever(subject, Action.VIEW_ASSESSMENT) and matching.could_ever(subject, Action.SCORE):
        # an expert of the committee, asked to score cycles (第六条): 考核 shows those, not a refusal
        return await cycle_review.for_expert(ctx, subject, "" if args.strip().lower() in ALL_WORDS else args.strip())
    date_text = ctx.today.strftime("%Y%m%d")
    if args.strip().lower() in ALL_WORDS:
        return await _ranking(ctx, rubric, date_text)
    studio = await resolve_studio(ctx, args.strip(), Action.VIEW_ASSESSMENT, "assess", "assess")
    if isinstance(studio, Reply):
        return [studio]
    try:
        result = await assess_studio(session=ctx.session, studio=studio, rubric=rubric, today=ctx.today)
    except NoCycle:
        return [Reply(text=ctx.t("assess.no_cycle", studio=studio.name))]
    name = safe_filename(ctx.t("assess.filename", studio=studio.name, date=date_text))
    path = await write_assessment(export_folder(ctx) / f"{name}.xlsx", result, rubric, ctx.t, today=ctx.today)
    text = summary_text(result, ctx.t, today_text=ctx.today.isoformat())
    caption = ctx.t("assess.caption", studio=studio.name)
    return deliver(ctx, text, [OutFile(path, path.name, XLSX_TYPE, caption=caption)])


async def _ranking(ctx: Context, rubric: Rubric, date_text: str) -> list[Reply]:
    union_ids = sorted({r.union_id for r in ctx.roles if r.union_id and r.kind in OFFICER_ROLES})
    if not union_ids:
        return [Reply(text=ctx.t("assess.no_union"))]
    replies: list[Reply] = []
    for union_id in union_ids:
        union = await ctx.session.get(Union, union_id)
        assert union is not None
        ranked = await assess_union(session=ctx.session, union=union, rubric=rubric, today=ctx.today)
        text = ranking_text(union.name, ranked[:RANKING_LINES], ctx.t, today_text=ctx.today.isoformat())
        if len(ranked) > RANKING_LINES:
            text += "\n" + ctx.t("assess.more", count=len(ranked) - RANKING_LINES)
        name = safe_filename(ctx.t("assess.union_filename", union=union.name, date=date_text))
        path = await write_ranking(export_folder(ctx) / f"{name}.xlsx", ranked, ctx.t)
        caption = ctx.t("assess.union_caption", union=union.name)
        replies += deliver(ctx, text, [OutFile(path, path.name, XLSX_TYPE, caption=caption)])
    return replies
