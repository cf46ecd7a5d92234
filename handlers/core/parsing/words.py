"""Yes and no as people type them."""

from __future__ import annotations

from handlers.core.parsing.numbers import normalise

YES = frozenset({"是", "是的", "对", "对的", "有", "有的", "已", "已应用", "应用了", "y", "yes", "true", "1"})
NO = frozenset({"否", "不", "不是", "没", "没有", "还没有", "无", "未", "未应用", "n", "no", "false", "0"})
_TRAILING = "吧啊呀呢。.!！~"


def parse_yes_no(text: str) -> bool | None:
    """True for 是/是的/有/yes, False for 否/不是/没有/无/no, None otherwise."""
    value = normalise(text).rstrip(_TRAILING)
    if value in YES:
        return True
    if value in NO:
        return False
    return None
