"""The assessment as an .xlsx workbook: summary, criteria, the tables behind the figures, and the charts."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from handlers.assessment.figures import DECIMAL_SCALARS, SCALARS, Figures
from handlers.assessment.rubric import Rubric
from handlers.assessment.service import StudioAssessment
from handlers.assessment.summary import figure_name, num, percent
from handlers.core.i18n import Translator
from handlers.exports.labels import labeler, value_text
from storage.exports.cells import Column, Row
from storage.exports.xlsx import Picture, Sheet, write_xlsx
from storage.models import LedgerKind


def draw_charts(
    f: Figures, studio_name: str, t: Translator, month_png: Path, category_png: Path, *, today: date
) -> tuple[Path, Path]:
    """The two PNG charts of a studio's period so far: activities per month, outcomes by category."""
    # matplotlib is slow to import (bench/startup.py): only a chart pays for it, not every start of the bot or the CLI
    from handlers.assessment.charts import activities_per_month, by_category

    label = labeler(t.locale)
    outcomes = Counter(
        {value_text(label, LedgerKind.OUTCOME, "category", k): n for k, n in f.outcomes_by_category.items()}
    )
    months = activities_per_month(
        f.activities_by_month,
        start=f.starts_on,
        end=min(max(today, f.starts_on), f.ends_on),
        path=month_png,
        title=t("chart.activities_title", studio=studio_name),
        x_label=t("chart.month_axis"),
        y_label=t("chart.count_axis"),
    )
    categories = by_category(
        outcomes,
        path=category_png,
        title=t("chart.outcomes_title", studio=studio_name),
        x_label=t("chart.outcome_axis"),
        empty_text=t("chart.no_data"),
    )
    return months, categories


def render_charts(result: StudioAssessment, t: Translator, folder: Path, *, today: date) -> tuple[Path, Path]:
    """The two charts of a studio's cycle so far, drawn into `folder`."""
    month_png, category_png = folder / "activities-per-month.png", folder / "outcomes-by-category.png"
    return draw_charts(result.assessment.figures, result.studio.name, t, month_png, category_png, today=today)


def _counter_rows(counter: Counter[str], kind: LedgerKind, field: str, t: Translator) -> list[Row]:
    label = labeler(t.locale)
    return [(value_text(label, kind, field, key), n) for key, n in sorted(counter.items())]


def _pair(t: Translator, first: str) -> list[Column]:
    return [Column(t(first), "text", 18), Column(t("assess.col.count"), "int", 10)]


async def write_assessment(path: Path, result: StudioAssessment, rubric: Rubric, t: Translator, *, today: date) -> Path:
    """Write one studio's assessment workbook with its charts embedded."""
    a, f, cycle = result.assessment, result.assessment.figures, result.cycle
    summary: list[Row] = [
        (t("assess.info.studio"), result.studio.name),
        (t("assess.info.union"), result.union.name),
        (t("assess.info.cycle"), t("assess.info.cycle_text", number=cycle.number)),
        (t("assess.info.period"), t("assess.info.period_text", start=cycle.starts_on, end=cycle.ends_on)),
        (t("assess.info.as_of"), today.isoformat()),
        (t("assess.info.progress"), f"{percent(a.progress)}%"),
        (t("assess.info.score"), f"{num(a.score)} / {num(a.max_score)}"),
        (t("assess.info.suggestion"), t(f"assess.suggestion.{a.suggestion}")),
        (t("assess.info.rubric"), rubric.title(t.locale)),
        (t("assess.info.counted"), t("assess.info.counted_text")),
    ]
    checks: list[Row] = [
        (
            t(f"assess.aspect.{c.criterion.aspect}"),
            figure_name(t, c.criterion.figure),
            c.value,
            ("≥ " if c.criterion.at_least else "≤ ") + num(c.criterion.target),
            c.expected,
            t("assess.yes" if c.met else "assess.no"),
            c.criterion.weight,
            c.points,
        )
        for c in a.checks
    ]
    check_cols = [
        Column(t("assess.col.aspect"), "text", 12),
        Column(t("assess.col.figure"), "text", 22),
        Column(t("assess.col.value"), "number", 10),
        Column(t("assess.col.target"), "text", 10),
        Column(t("assess.col.expected"), "number", 12),
        Column(t("assess.col.met"), "text", 10),
        Column(t("assess.col.weight"), "number", 8),
        Column(t("assess.col.points"), "number", 8),
    ]
    months = [(m, n) for m, n in sorted(f.activities_by_month.items())]
    with tempfile.TemporaryDirectory(prefix="assess-") as tmp:
        month_png, category_png = await asyncio.to_thread(render_charts, result, t, Path(tmp), today=today)
        sheets = [
            Sheet(
                t("assess.sheet.summary"),
                [Column(t("assess.col.item"), "text", 16), Column(t("assess.col.content"), "text", 44)],
                summary,
                filters=False,
            ),
            Sheet(t("assess.sheet.checks"), check_cols, checks),
            Sheet(
                t("assess.sheet.activity_month"),
                [Column(t("assess.col.month"), "text", 10), Column(t("assess.col.count"), "int", 10)],
                months,
                [Picture(month_png, 1, 3, 0.8)],
            ),
            Sheet(
                t("assess.sheet.activity_kind"),
                _pair(t, "assess.col.kind"),
                _counter_rows(f.activities_by_kind, LedgerKind.ACTIVITY, "kind", t),
            ),
            Sheet(
                t("assess.sheet.outcomes"),
                _pair(t, "assess.col.kind"),
                _counter_rows(f.outcomes_by_category, LedgerKind.OUTCOME, "category", t),
                [Picture(category_png, 1, 3, 0.8)],
            ),
            Sheet(
                t("assess.sheet.patents"),
                _pair(t, "assess.col.kind"),
                _counter_rows(f.patents_by_kind, LedgerKind.OUTCOME, "patent_kind", t),
            ),
            Sheet(
                t("assess.sheet.promotions"),
                _pair(t, "assess.col.grade"),
                _counter_rows(f.promotions, LedgerKind.TRAINING, "promoted_grade", t),
            ),
        ]
        await write_xlsx(path, sheets)
    return path


async def write_ranking(path: Path, results: Sequence[StudioAssessment], t: Translator) -> Path:
    """Write the union-wide ranking: one row per studio, every figure in its own column."""
    columns = [
        Column(t("assess.col.rank"), "int", 6),
        Column(t("assess.col.studio"), "text", 28),
        Column(t("assess.col.union"), "text", 20),
        Column(t("assess.col.cycle_end"), "date", 12),
        Column(t("assess.col.progress"), "text", 10),
        Column(t("assess.col.score"), "number", 8),
        Column(t("assess.col.shortfalls"), "int", 8),
        Column(t("assess.col.suggestion"), "text", 16),
        *(Column(figure_name(t, key), "number" if key in DECIMAL_SCALARS else "int", 12) for key in SCALARS),
    ]
    rows: list[Row] = [
        (
            rank,
            r.studio.name,
            r.union.name,
            r.cycle.ends_on,
            f"{percent(r.assessment.progress)}%",
            r.assessment.score,
            len(r.assessment.shortfalls),
            t(f"assess.suggestion.{r.assessment.suggestion}"),
            *(r.assessment.figures.value(key) for key in SCALARS),
        )
        for rank, r in enumerate(results, start=1)
    ]
    await write_xlsx(path, [Sheet(t("assess.sheet.ranking"), columns, rows)])
    return path
