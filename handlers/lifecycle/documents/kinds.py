"""The one declaration of the programme's documents: what each needs, the formats it comes in, who may have it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from handlers.roles.permissions import Action

Needs = Literal["application", "union_year", "year"]


class DocumentKind(StrEnum):
    """The documents the measures ask for, by the name the CLI takes."""

    APPLICATION_FORM = "application-form"
    RECOMMENDATION_SUMMARY = "recommendation-summary"
    NOTICE = "notice"
    NAMING_LIST = "naming-list"


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """A document: what it is made from, its file formats (the first the default) and the action it is shown for."""

    kind: DocumentKind
    needs: Needs
    formats: tuple[str, ...]
    # who may have it: this action on the application's studio, on the district (union_year), or union-wide (year)
    action: Action = Action.EXPORT

    @property
    def title_key(self) -> str:
        """The catalogue id of the document's title."""
        return f"documents.kind.{self.kind.value}"


SPECS: dict[DocumentKind, DocumentSpec] = {
    spec.kind: spec
    for spec in (
        DocumentSpec(DocumentKind.APPLICATION_FORM, "application", ("docx",)),
        DocumentSpec(DocumentKind.RECOMMENDATION_SUMMARY, "union_year", ("xlsx",)),
        DocumentSpec(DocumentKind.NOTICE, "year", ("docx",)),
        DocumentSpec(DocumentKind.NAMING_LIST, "year", ("xlsx", "docx")),
    )
}

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class Request:
    """What a document is asked for: its kind and format, and the application, union or year it covers."""

    kind: DocumentKind
    fmt: str
    application_id: int | None = None
    union_id: int | None = None
    year: int | None = None
