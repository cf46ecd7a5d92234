"""The import template's layout: sheets and columns (the words for levels, roles and grades are storage.vocabulary).

The layout is a file format that people fill in by hand, so its headers are fixed (Chinese, as the
unions use them) and the reader finds columns by header, in any order.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.names import ENTERPRISE_MAX, STUDIO_NAME_MAX, UNION_NAME_MAX
from storage.vocabulary import GRADE_WORDS, LEVELS
from storage.vocabulary import ROLES as ROLE_WORDS


@dataclass(frozen=True, slots=True)
class Col:
    """A template column: its key, its header, whether it must be filled, its width."""

    key: str
    header: str
    required: bool = False
    width: float = 18
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """A template sheet."""

    key: str
    name: str
    cols: tuple[Col, ...]


UNIONS = SheetLayout(
    "unions",
    "工会",
    (
        Col("name", "名称", required=True, width=30),
        Col("level", "层级", required=True, width=10, choices=LEVELS.choices()),
        Col("parent", "上级工会", width=30),
    ),
)
STUDIOS = SheetLayout(
    "studios",
    "工作室",
    (
        Col("name", "名称", required=True, width=30),
        Col("union", "所属工会", required=True, width=30),
        Col("enterprise", "所在企业", width=24),
        Col("venue", "活动场所", width=24),
        Col("equipment", "设备", width=24),
        Col("named_on", "命名日期", width=12),
    ),
)
PEOPLE = SheetLayout(
    "people",
    "人员",
    (
        Col("name", "姓名", required=True, width=12),
        Col("phone", "手机", width=14),
        Col("grade", "技术等级", width=10, choices=GRADE_WORDS.choices()),
        Col("enterprise", "所在企业", width=24),
    ),
)
ROLES = SheetLayout(
    "roles",
    "角色",
    (
        Col("name", "姓名", required=True, width=12),
        Col("phone", "手机", width=14),
        Col("role", "角色", required=True, width=10, choices=ROLE_WORDS.choices()),
        Col("studio", "工作室", width=30),
        Col("union", "工会", width=30),
    ),
)
SHEETS = (UNIONS, STUDIOS, PEOPLE, ROLES)
README_NAME = "说明"
# union and studio sheets share the "name" column key; their limits are one number today (storage.names)
MAX_LENGTH = {
    "name": max(UNION_NAME_MAX, STUDIO_NAME_MAX),
    "parent": UNION_NAME_MAX,
    "union": UNION_NAME_MAX,
    "studio": STUDIO_NAME_MAX,
    "enterprise": ENTERPRISE_MAX,
    "phone": 32,
}
NAME_KEYS = frozenset({"name", "parent", "union", "studio"})
