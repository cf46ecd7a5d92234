"""The words people use for roles, union levels and grades, in Chinese and English: one declaration per concept.

The CLI options and the import template read these tables, so every place accepts the same words.
Roles and levels are stored by their English code; grades are stored by their Chinese name (the
national qualification system's own word, which the eligibility rules and exports read).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from storage.models import GRADES, RoleKind, UnionLevel

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Words(Generic[V]):
    """The main Chinese and English word of each value, and the other words also understood."""

    main: Mapping[V, tuple[str, str]]
    also: Mapping[str, V]
    _lookup: dict[str, V] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        table = {_key(alias): value for alias, value in self.also.items()}
        for value, (zh, en) in self.main.items():
            table[_key(zh)] = table[_key(en)] = table[_key(str(value))] = value
        object.__setattr__(self, "_lookup", table)

    def parse(self, word: str) -> V | None:
        """The value a word means (either language, any case, spaces or dashes alike), or None."""
        return self._lookup.get(_key(word))

    def help(self) -> str:
        """Every value as 中文/english, for an option's help and an error message."""
        return ", ".join(f"{zh}/{en}" for zh, en in self.main.values())

    def zh(self, value: V) -> str:
        """The Chinese word of a value."""
        return self.main[value][0]

    def choices(self) -> tuple[str, ...]:
        """Every main word, Chinese first then English: a template's drop-down list."""
        return tuple(zh for zh, _ in self.main.values()) + tuple(en for _, en in self.main.values())


def _key(word: str) -> str:
    return re.sub(r"[\s_\-]+", "-", word.strip().lower())


ROLES: Words[RoleKind] = Words(
    main={
        RoleKind.LEAD: ("领衔人", "lead"),
        RoleKind.MEMBER: ("成员", "member"),
        RoleKind.ENTERPRISE: ("企业工会", "enterprise"),
        RoleKind.REVIEWER: ("区县局工会", "reviewer"),
        RoleKind.ASSOCIATION: ("市职工技协", "association"),
        RoleKind.EXPERT: ("专家", "expert"),
        RoleKind.ADMIN: ("系统管理员", "admin"),
    },
    also={
        "企业工会联络人": RoleKind.ENTERPRISE,
        "审核人": RoleKind.REVIEWER,
        "审核员": RoleKind.REVIEWER,
        "复核人": RoleKind.REVIEWER,
        "产业工会": RoleKind.REVIEWER,
        "技协": RoleKind.ASSOCIATION,
        "市技协": RoleKind.ASSOCIATION,
        "评审专家": RoleKind.EXPERT,
        "管理员": RoleKind.ADMIN,
        "administrator": RoleKind.ADMIN,
    },
)
LEVELS: Words[UnionLevel] = Words(
    main={
        UnionLevel.MUNICIPAL: ("市级", "municipal"),
        UnionLevel.DISTRICT: ("区县局", "district"),
        UnionLevel.INDUSTRY: ("产业", "industry"),
        UnionLevel.ENTERPRISE: ("企业", "enterprise"),
    },
    also={
        "市": UnionLevel.MUNICIPAL,
        "区县": UnionLevel.DISTRICT,
        "区": UnionLevel.DISTRICT,
        "基层": UnionLevel.ENTERPRISE,
    },
)
_GRADE_EN = (
    "junior-worker",
    "intermediate-worker",
    "senior-worker",
    "technician",
    "senior-technician",
    "special-grade-technician",
    "chief-technician",
)
GRADE_WORDS: Words[str] = Words(main={zh: (zh, en) for zh, en in zip(GRADES, _GRADE_EN, strict=True)}, also={})
