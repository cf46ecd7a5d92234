"""How wide text shows on a screen: a Chinese character takes two columns, a Latin letter one. Labels are cut by
what fits, not by counting characters, so "Skills contest" is not cut where 技能比武赛前集训 would be."""

from __future__ import annotations

import unicodedata

JOINER = "\u200d"


def _columns(ch: str) -> int:
    if ch == JOINER or unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """The columns `text` takes (技能 4, Skills 6)."""
    return sum(_columns(ch) for ch in text)


def cut(text: str, columns: int) -> str:
    """The text if it fits in `columns`, else as much as fits with "…" (one column), never ending on a joiner."""
    if width(text) <= columns:
        return text
    kept: list[str] = []
    used = 0
    for ch in text:
        used += _columns(ch)
        if used > columns - 1:
            break
        kept.append(ch)
    while kept and (kept[-1] == JOINER or (len(kept) > 1 and kept[-2] == JOINER)):
        kept.pop()  # half an emoji sequence (👨‍ without its 🔧) reads as something else
    return "".join(kept) + "…"
