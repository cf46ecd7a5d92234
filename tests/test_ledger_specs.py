"""Every ledger is declared once: its spec matches its model and catalogue, and every reader reads values alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import routes
from handlers.core.i18n import SUPPORTED, Translator, catalogue
from handlers.exports.labels import export_ledgers, labeler
from handlers.ledgers.form import forms
from handlers.reviews.cards import details
from storage.exports.ledgers import LedgerFilter
from storage.exports.studio import sheet_name
from storage.ledger_specs import SPECS, LedgerColumn, specs, value_text
from storage.models import LedgerEntry, LedgerKind, Person
from storage.repos import ledger_versions
from tests.export_data import build_world


def test_every_ledger_kind_has_one_spec_and_one_chat_form() -> None:
    assert list(SPECS) == list(LedgerKind)
    assert list(forms(routes())) == list(LedgerKind)
    assert all(form.spec is SPECS[kind] for kind, form in forms(routes()).items())


@pytest.mark.parametrize("kind", list(LedgerKind))
def test_the_spec_names_its_models_fields(kind: LedgerKind) -> None:
    spec = SPECS[kind]
    stored = set(spec.model.__table__.columns.keys())
    assert {spec.date_field, spec.title_field} <= stored
    assert {c.key for c in spec.fields if c.is_field} <= stored
    assert all(c.of in {p.key for p in spec.fields if p.value == "people"} for c in spec.fields if c.value == "count")
    assert spec.title_field not in {c.key for c in spec.card_fields}


@pytest.mark.parametrize("kind", list(LedgerKind))
@pytest.mark.parametrize("locale", SUPPORTED)
def test_the_ledgers_own_catalogue_names_everything_it_shows(kind: LedgerKind, locale: str) -> None:
    spec, messages = SPECS[kind], catalogue(locale)
    wanted = [spec.message(name) for name in ("name", "noun", "start", "help", "again", "sheet", "count")]
    wanted += [spec.header_id(c) for c in spec.columns]
    wanted += [spec.message(f"field.{c.key}") for c in spec.card_fields]
    assert [key for key in wanted if key not in messages] == []


def _card_values(kind: LedgerKind, column: LedgerColumn, lines: list[str], t: Translator) -> list[str]:
    label = t(SPECS[kind].message(f"field.{column.key}"))
    prefix = t("reviews.line", label=label, value="")
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


async def test_english_export_reads_codes_and_yes_no_exactly_as_the_review_card(
    session: AsyncSession, tmp_path: Path
) -> None:
    world = await build_world(session)
    out = tmp_path / "en.xlsx"
    await export_ledgers(session=session, studio=world.studio, out=out, fmt="xlsx", flt=LedgerFilter(), locale="en")
    book, t, label = load_workbook(out), Translator("en"), labeler("en")
    checked: set[str] = set()
    for spec in specs():
        sheet = book[sheet_name(spec.kind, label)]
        keys = [c.key for c in spec.columns]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            cells = dict(zip(keys, row, strict=True))
            entry = await session.get(LedgerEntry, cells["entry_id"])
            assert entry is not None
            fields = ledger_versions.version_fields(await ledger_versions.current_version(session=session, entry=entry))
            lines = details(t, entry, fields, await session.get(Person, entry.author_id))
            for column in spec.card_fields:
                if column.value not in ("coded", "boolean") or cells[column.key] in (None, ""):
                    continue
                assert _card_values(spec.kind, column, lines, t) == [cells[column.key]], (spec.kind, column.key)
                checked.add(f"{spec.kind.value}.{column.key}")
    # the two that had drifted (left in Chinese by the export), and the yes/no one
    assert {"outcome.funding_scheme", "training.promoted_grade", "outcome.applied"} <= checked
    outcomes = book[sheet_name(LedgerKind.OUTCOME, label)]
    scheme = [c.key for c in SPECS[LedgerKind.OUTCOME].columns].index("funding_scheme")
    assert outcomes.cell(row=2, column=scheme + 1).value == t("outcome.scheme.上海职工(技师)创新项目资助")


def test_booleans_read_by_column_kind_not_by_field_name() -> None:
    label = labeler("en")
    made_up = LedgerColumn("anything_at_all", value="boolean")
    assert value_text(LedgerKind.OUTCOME, made_up, True, label) == "Yes"
    assert value_text(LedgerKind.OUTCOME, made_up, False, label) == "No"
    plain = LedgerColumn("applied")  # the old field name, declared plain: shown as stored
    assert value_text(LedgerKind.OUTCOME, plain, True, label) is True
