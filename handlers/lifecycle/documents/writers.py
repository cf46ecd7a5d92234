"""Each document written from its rows, every word from the catalogue in the reader's language."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from handlers.core.i18n import Translator
from handlers.exports.labels import labeler
from handlers.lifecycle.cards import stage as stage_name
from handlers.lifecycle.documents import word
from handlers.lifecycle.documents.form_data import FormData
from handlers.lifecycle.documents.lists import Listed
from handlers.lifecycle.documents.sheet import write_list
from storage.ledger_specs import code_text
from storage.models import LedgerKind


def _day(t: Translator, value: date | None) -> str:
    return t("documents.date", year=value.year, month=value.month, day=value.day) if value else ""


def application_form(path: Path, data: FormData, t: Translator) -> Path:
    """申报表: the studio, its people, venue and equipment, outcomes, the past year's activities, the opinions."""
    doc = word.new_document()
    app, studio = data.application, data.studio
    word.title(doc, t("documents.form.title"))
    word.line(doc, t("documents.form.number", number=app.id, year=app.year), center=True)
    fields = [
        ("studio", studio.name),
        ("enterprise", studio.enterprise),
        ("union", data.union),
        ("lead", data.lead),
        ("grade", data.grade),
        ("submitted", _day(t, data.until)),
        ("venue", data.venue),
        ("equipment", data.equipment),
    ]
    word.table(doc, None, [(t(f"documents.form.field.{k}"), v or t("documents.none")) for k, v in fields])
    word.heading(doc, t("documents.form.members", count=len(data.members)))
    people = [(str(i), name, grade or "—") for i, (name, grade) in enumerate(data.members, start=1)]
    word.table(doc, [t("documents.column.number"), t("documents.column.name"), t("documents.column.grade")], people)
    word.heading(doc, t("documents.form.outcomes"))
    for i, title in enumerate(data.outcomes, start=1):
        word.line(doc, f"{i}. {title}")
    if not data.outcomes:
        word.line(doc, t("documents.none"))
    word.heading(doc, t("documents.form.activities", since=_day(t, data.since), until=_day(t, data.until)))
    word.line(doc, data.activities_text or t("documents.none"))
    label = labeler(t.locale)
    kinds = [(code_text(LedgerKind.ACTIVITY, "kind", k, label), str(n)) for k, n in data.activities_by_kind]
    total = sum(n for _, n in data.activities_by_kind)
    word.table(doc, [t("documents.column.kind"), t("documents.column.count")], kinds)
    word.line(doc, t("documents.form.activities_total", count=total, hours=f"{data.activity_hours.normalize():f}"))
    word.heading(doc, t("documents.form.opinions"))
    for body in ("enterprise", "district", "association"):
        opinion = data.opinions.get(body)
        word.line(doc, t(f"documents.form.opinion.{body}")).runs[0].bold = True
        if opinion is None:
            word.line(doc, t("documents.form.opinion.not_given"))
            continue
        word.line(doc, opinion.text or t("documents.form.opinion.no_words"))
        word.line(doc, t("documents.form.opinion.signed", by=opinion.by or "—", on=_day(t, opinion.on)))
    return word.save(doc, path)


def recommendation_summary(path: Path, union: str, year: int, rows: list[Listed], t: Translator) -> Path:
    """推荐汇总表: the district's recommended applications of a year, in the order they were recommended."""
    keys = ("number", "studio", "enterprise", "lead", "members", "outcomes", "recommended_on", "opinion", "stage")
    body = [
        (
            i,
            r.studio,
            r.enterprise,
            r.lead,
            r.members,
            r.outcomes,
            r.on,
            r.note,
            stage_name(t, r.stage) if r.stage else "",
        )
        for i, r in enumerate(rows, start=1)
    ]
    return write_list(
        path,
        sheet=t("documents.kind.recommendation-summary"),
        title=t("documents.summary.title", union=union, year=year),
        header=[t(f"documents.column.{k}") for k in keys],
        widths=(6, 28, 24, 12, 10, 10, 12, 36, 12),
        rows=body,
    )


def _studio_rows(rows: list[Listed], t: Translator, *, period: bool) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for i, r in enumerate(rows, start=1):
        when = t("documents.period", start=_day(t, r.on), end=_day(t, r.until)) if period else _day(t, r.on)
        out.append((str(i), r.studio, r.enterprise or "—", r.lead or "—", r.union, when))
    return out


def _studio_header(t: Translator, last: str) -> list[str]:
    keys = ("number", "studio", "enterprise", "lead", "union", last)
    return [t(f"documents.column.{k}") for k in keys]


def notice(path: Path, year: int, rows: list[Listed], t: Translator, *, association: str, today: date) -> Path:
    """公示: the studios of the year put on notice, their notice periods, and how to object."""
    doc = word.new_document()
    word.title(doc, t("documents.notice.title", year=year))
    word.line(doc, t("documents.notice.intro", count=len(rows)) if rows else t("documents.notice.empty", year=year))
    if rows:
        word.table(doc, _studio_header(t, "period"), _studio_rows(rows, t, period=True))
    word.heading(doc, t("web.public.objection.title"))
    word.line(doc, t("web.public.objection.how"))
    word.line(doc, association)
    word.line(doc, _day(t, today))
    return word.save(doc, path)


def naming_list(path: Path, year: int, rows: list[Listed], t: Translator, fmt: str) -> Path:
    """命名名单: the studios named in a year with their sequence numbers, as .xlsx or .docx."""
    title = t("documents.naming.title", year=year)
    if fmt == "xlsx":
        return write_list(
            path,
            sheet=t("documents.kind.naming-list"),
            title=title,
            header=_studio_header(t, "named_on"),
            widths=(6, 28, 24, 12, 20, 12),
            rows=[(i, r.studio, r.enterprise, r.lead, r.union, r.on) for i, r in enumerate(rows, start=1)],
        )
    doc = word.new_document()
    word.title(doc, title)
    if rows:
        word.table(doc, _studio_header(t, "named_on"), _studio_rows(rows, t, period=False))
    else:
        word.line(doc, t("documents.naming.empty", year=year))
    return word.save(doc, path)
