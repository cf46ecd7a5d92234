"""The experts' scoring rubric (评审细则): the shipped TOML file unless EXPERT_RUBRIC_FILE names another."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT = "default_expert_rubric.toml"
CYCLE_DEFAULT = "default_cycle_rubric.toml"  # the committee's sheet for 考核验收 (第十条), the same keys


class RubricError(ValueError):
    """A rubric file that cannot be used (the message names the file and the problem)."""


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of the rubric."""

    key: str
    zh: str
    en: str
    max: Decimal

    def name(self, locale: str) -> str:
        """The criterion's name in a locale."""
        return self.en if locale == "en" and self.en else self.zh


@dataclass(frozen=True, slots=True)
class ExpertRubric:
    """The criteria, how many sheets close an evaluation, and the passing average."""

    name: str
    criteria: tuple[Criterion, ...]
    experts_needed: int
    pass_score: Decimal

    @property
    def max_total(self) -> Decimal:
        """The best possible total."""
        return sum((c.max for c in self.criteria), Decimal(0))

    def sheet(self, given: Any) -> tuple[dict[str, Any], Decimal]:
        """One expert's scores keyed by criterion (in the rubric's order) and their total."""
        scores = {c.key: v for c, v in zip(self.criteria, given, strict=True)}
        return scores, sum((Decimal(v) for v in scores.values()), Decimal(0))


def load(path: Path | None) -> ExpertRubric:
    """The rubric at `path`, or the shipped default."""
    if path is None:
        return _default()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise RubricError(f"{path}: {exc.strerror or exc}") from None
    return _from_file(path, stamp)


@cache
def _default(name: str = DEFAULT) -> ExpertRubric:
    text = resources.files("handlers.lifecycle").joinpath(name).read_text(encoding="utf-8")
    return parse(tomllib.loads(text), name)


def for_cycles() -> ExpertRubric:
    """The sheet experts score a management cycle on (组织健全、活动正常、制度完善、成果显著)."""
    return _default(CYCLE_DEFAULT)


@cache
def _from_file(path: Path, stamp: int) -> ExpertRubric:  # stamp: a changed file is read again
    try:
        return parse(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(f"{path}: {exc}") from None


def parse(data: dict[str, Any], where: str) -> ExpertRubric:
    """A rubric from parsed TOML, checked line by line."""
    items = data.get("criteria")
    if not isinstance(items, list) or not items:
        raise RubricError(f"{where}: no [[criteria]]")
    criteria = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("key") or not item.get("zh"):
            raise RubricError(f"{where}: criterion {n} needs key and zh")
        criteria.append(
            Criterion(str(item["key"]), str(item["zh"]), str(item.get("en", "")), _positive(item.get("max"), where, n))
        )
    needed = data.get("experts_needed", 3)
    if not isinstance(needed, int) or isinstance(needed, bool) or needed < 1:
        raise RubricError(f"{where}: experts_needed must be a whole number of at least 1")
    return ExpertRubric(
        str(data.get("name", where)), tuple(criteria), needed, _positive(data.get("pass_score", 60), where, 0)
    )


def _positive(value: Any, where: str, n: int) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) and value is not None else Decimal(-1)
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number <= 0:
        raise RubricError(f"{where}: criterion {n}: a positive number is needed, not {value!r}")
    return number
