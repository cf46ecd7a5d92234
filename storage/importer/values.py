"""Cell values checked one at a time: names, dates, phones, grades, levels, roles."""

from __future__ import annotations

import re
from datetime import date

from storage.importer.layout import LEVEL_WORDS, MAX_LENGTH, ROLE_WORDS
from storage.importer.reader import Line, Problem
from storage.models import GRADES, RoleKind, UnionLevel

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
        """A technician grade from the national list ('' when empty)."""
        value = self.line.text(key)
        if value and value not in GRADES:
            self.fail("bad_grade", value=value, choices=" ".join(GRADES))
        return value

    def level(self, key: str) -> UnionLevel | None:
        """A union level (市级, 区县局, 产业, 企业 or the English names)."""
        value = self.line.text(key)
        level = LEVEL_WORDS.get(value) or LEVEL_WORDS.get(value.lower())
        if value and level is None:
            self.fail("bad_level", value=value)
        return level

    def role(self, key: str) -> RoleKind | None:
        """A role (领衔人, 成员, 审核人, 管理员, 专家 or the English names)."""
        value = self.line.text(key)
        role = ROLE_WORDS.get(value) or ROLE_WORDS.get(value.lower())
        if value and role is None:
            self.fail("bad_role", value=value)
        return role
