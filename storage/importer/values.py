"""Cell values checked one at a time: names, dates, phones, grades, levels, roles."""

from __future__ import annotations

import re
from datetime import date

from storage.importer.layout import MAX_LENGTH, NAME_KEYS
from storage.importer.reader import Line, Problem
from storage.models import RoleKind, UnionLevel
from storage.names import name_problem
from storage.vocabulary import GRADE_WORDS, LEVELS, ROLES

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_PHONE = re.compile(r"^\+?\d{5,20}$")


class Checker:
    """Collects the problems of one row while its cells are read."""

    def __init__(self, line: Line, problems: list[Problem]) -> None:
        self.line, self.problems = line, problems
        self.ok = True

    def fail(self, code: str, **params: object) -> None:
        """Record a problem with this row."""
        self.ok = False
        self.problems.append(Problem(self.line.sheet, self.line.row, f"import.error.{code}", dict(params)))

    def text(self, key: str, header: str, *, required: bool = False, limit: int | None = None) -> str:
        """A text cell, checked for presence and length."""
        value = self.line.text(key)
        if required and not value:
            self.fail("required", column=header)
        limit = limit or MAX_LENGTH.get(key, 300)
        if len(value) > limit:
            self.fail("too_long", column=header, limit=limit)
        elif key in NAME_KEYS and value and name_problem(value, limit) == "control":
            self.fail("control", column=header)
        return value

    def day(self, key: str, header: str) -> date | None:
        """A date cell (a real date, or text such as 2025-06-01 or 2025年6月1日)."""
        value = self.line.cells.get(key, "")
        if isinstance(value, date) or not value:
            return value or None
        match = _DATE.match(value)
        try:
            if match:
                return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        self.fail("bad_date", column=header, value=value)
        return None

    def phone(self, key: str, header: str) -> str:
        """A phone number without spaces or dashes ('' when empty)."""
        value = re.sub(r"[\s\-()]", "", self.line.text(key))
        if value and not _PHONE.match(value):
            self.fail("bad_phone", column=header, value=value)
        return value

    def grade(self, key: str) -> str:
        """A technician grade from the national list, in either language, as stored (Chinese; '' when empty)."""
        value = self.line.text(key)
        grade = GRADE_WORDS.parse(value) if value else ""
        if grade is None:
            self.fail("bad_grade", value=value, choices=GRADE_WORDS.help())
        return grade or ""

    def level(self, key: str) -> UnionLevel | None:
        """A union level, in Chinese (市级, 区县局, 产业, 企业) or English."""
        value = self.line.text(key)
        level = LEVELS.parse(value) if value else None
        if value and level is None:
            self.fail("bad_level", value=value, choices=LEVELS.help())
        return level

    def role(self, key: str) -> RoleKind | None:
        """A role, in Chinese (领衔人, 成员, 企业工会, 审核人, 市职工技协, 专家, 系统管理员) or English."""
        value = self.line.text(key)
        role = ROLES.parse(value) if value else None
        if value and role is None:
            self.fail("bad_role", value=value, choices=ROLES.help())
        return role
