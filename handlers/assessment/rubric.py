"""The assessment rubric: a TOML or YAML file of criteria, the shipped default unless a setting names another."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from handlers.assessment.figures import SCALARS
from handlers.core.i18n import t

DEFAULT_RUBRIC = "default_rubric.toml"
ASPECTS = ("organisation", "activities", "rules", "outcomes", "training")


class RubricError(ValueError):
    """A rubric file that cannot be used: a message key and its parameters, shown in the reader's language."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(f"{key} {params}")
        self.key, self.params = key, params

    def text(self, locale: str | None = None) -> str:
        """The message in a locale."""
        return t(self.key, locale, **self.params)


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of the rubric: a figure with a floor or a ceiling, and its weight."""

    figure: str
    target: Decimal
    at_least: bool  # True: a floor (min); False: a ceiling (max)
    weight: Decimal
    pro_rata: bool
    aspect: str


@dataclass(frozen=True, slots=True)
class Rubric:
    """The criteria, and the scores at which commending or retaining is suggested."""

    name: str
    criteria: tuple[Criterion, ...]
    commend_score: Decimal
    retain_score: Decimal
    name_en: str = ""  # the file's `name_en`: the name shown to English readers

    def title(self, locale: str) -> str:
        """The rubric's name in the reader's language (its `name` when the file gives no English one)."""
        return self.name_en if locale == "en" and self.name_en else self.name

    @property
    def max_score(self) -> Decimal:
        """The score of a studio that meets every criterion."""
        return sum((c.weight for c in self.criteria), Decimal(0))


def load_rubric(path: Path | None = None) -> Rubric:
    """Read the rubric at `path` (.toml, .yaml or .yml), or the shipped default when None."""
    if path is None:
        text = resources.files("handlers.assessment").joinpath(DEFAULT_RUBRIC).read_text(encoding="utf-8")
        return parse_rubric(_parse_toml(text, DEFAULT_RUBRIC), DEFAULT_RUBRIC)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError("assess.rubric.unreadable", path=str(path), error=exc.strerror or str(exc)) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RubricError("assess.rubric.syntax", path=str(path), error=str(exc).splitlines()[0]) from None
    else:
        data = _parse_toml(text, str(path))
    return parse_rubric(data, str(path))


def _parse_toml(text: str, where: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError("assess.rubric.syntax", path=where, error=str(exc)) from None


def parse_rubric(data: Any, where: str) -> Rubric:
    """A Rubric from the parsed file, checked line by line."""
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or not data["criteria"]:
        raise RubricError("assess.rubric.no_criteria", path=where)
    criteria = tuple(_criterion(item, n, where) for n, item in enumerate(data["criteria"], start=1))
    return Rubric(
        name=str(data.get("name") or where),
        criteria=criteria,
        commend_score=_number(data.get("commend_score", 90), "commend_score", 0, where),
        retain_score=_number(data.get("retain_score", 60), "retain_score", 0, where),
        name_en=str(data.get("name_en") or ""),
    )


def _criterion(item: Any, n: int, where: str) -> Criterion:
    if not isinstance(item, dict):
        raise RubricError("assess.rubric.bad_line", path=where, n=n, field="criteria")
    figure = item.get("figure")
    if figure not in SCALARS:
        raise RubricError("assess.rubric.unknown_figure", path=where, n=n, figure=figure, known=", ".join(SCALARS))
    if ("min" in item) == ("max" in item):
        raise RubricError("assess.rubric.min_or_max", path=where, n=n)
    at_least = "min" in item
    aspect = str(item.get("aspect", "outcomes"))
    if aspect not in ASPECTS:
        raise RubricError("assess.rubric.bad_line", path=where, n=n, field="aspect")
    pro_rata = item.get("pro_rata", at_least)
    if not isinstance(pro_rata, bool):
        raise RubricError("assess.rubric.bad_line", path=where, n=n, field="pro_rata")
    return Criterion(
        figure=figure,
        target=_number(item["min" if at_least else "max"], "min" if at_least else "max", n, where),
        at_least=at_least,
        weight=_number(item.get("weight", 0), "weight", n, where),
        pro_rata=pro_rata,
        aspect=aspect,
    )


def _number(value: Any, name: str, n: int, where: str) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal(-1)
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0:
        raise RubricError("assess.rubric.bad_line", path=where, n=n, field=name)
    return number
