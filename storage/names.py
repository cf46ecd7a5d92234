"""How long a name may be and what it may hold: declared once, read by the CLI, the importer and the repositories.

The limits sit well under the columns' widths and keep export file names short; the same check runs before
the database on SQLite (which would store anything) and on PostgreSQL (which would refuse with a raw error).
"""

from __future__ import annotations

UNION_NAME_MAX = 60
STUDIO_NAME_MAX = 60
PERSON_NAME_MAX = 40
ENTERPRISE_MAX = 100


def name_problem(value: str, limit: int) -> str | None:
    """Why a name cannot be stored ("empty", "too_long", "control"), or None when it can."""
    if not value.strip():
        return "empty"
    if len(value) > limit:
        return "too_long"
    if any(ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029" for ch in value):
        return "control"  # a newline or other control character would break every list and file it appears in
    return None


class NameRefused(ValueError):
    """A name the repositories will not store; callers check with name_problem first."""


def require_name(value: str, limit: int) -> str:
    """The name stripped, or NameRefused."""
    value = value.strip()
    if (problem := name_problem(value, limit)) is not None:
        raise NameRefused(f"{problem} (limit {limit})")
    return value
