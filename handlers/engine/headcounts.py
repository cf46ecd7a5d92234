"""Head counts beside names: "八人" or "李明、王芳等30人" at a names step, never a count taken as a name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from handlers.core.parsing import parse_count
from handlers.engine.answers import option_number
from handlers.engine.flow import Choice, Flow, Problem, Step, Values

MOST = 9999
_SPLIT = re.compile(r"[,，、;；\n]+")
_ETC = re.compile(r"^(?P<names>.+?)\s*等\s*(?P<count>.+)$")  # 李明等30人: the names, then how many in all


def split_count(text: str, choices: Sequence[Choice]) -> tuple[str, int | None]:
    """The names typed and the head count after them (30人, 共30人, 李明等30人), or (text, None) without one."""
    pieces = [piece.strip() for piece in _SPLIT.split(text) if piece.strip()]
    if not pieces:
        return text, None
    last = pieces[-1]
    etc = _ETC.match(last)
    if etc is not None and (count := parse_count(etc["count"])) is not None:
        return "、".join([*pieces[:-1], etc["names"]]), count
    # a bare number is an option while there is an option of that number ("3": the third member)
    if option_number(last, len(choices)) is None and (count := parse_count(last)) is not None:
        return "、".join(pieces[:-1]), count
    return text, None


def settle(step: Step, values: Values, names: list[Any], count: int | None) -> Problem | None:
    """After a names step: keep the count given (not below the names), else count the names (none: ask)."""
    if step.headcount is None:
        return None
    if count is None:
        if names:
            values[step.headcount] = len(names)
        else:
            values.pop(step.headcount, None)  # no names and no count: the count's own step asks
        return None
    problem = check(count, len(names))
    if problem is None:
        values[step.headcount] = count
    return problem


def below_names(flow: Flow, step: Step, values: Values, count: Any) -> Problem | None:
    """At a head count's own step: a count below the names its names step lists is refused."""
    source = next((s for s in flow.steps if s.headcount == step.key), None)
    if source is None or not isinstance(count, int):
        return None
    return check(count, len(values.get(source.key) or []))


def check(count: int, names: int) -> Problem | None:
    """Why a head count cannot stand beside this many names, or None."""
    if not 1 <= count <= MOST:
        return "flows.error.count"
    if count < names:
        return ("engine.count_below_names", {"count": count, "names": names})
    return None
