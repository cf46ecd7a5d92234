"""Text for the WeChat family: the byte limit of a message, CDATA-safe replies, buttons as numbered lines."""

from __future__ import annotations

import re

from handlers.core.i18n import Translator
from handlers.core.types import Reply

TEXT_LIMIT = 2000  # bytes; WeChat cuts text messages at 2048


OWN_NUMBER = re.compile(r"^#(\d{1,9})\s")  # a label that carries its own number: #7 …


def cdata_safe(text: str) -> str:
    """Text for wechatpy's reply XML, which wraps it in CDATA as it is: a ']]>' in it would end the section."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text into pieces of at most `limit` UTF-8 bytes, at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:
            cut = len(line)
            while len(line[:cut].encode()) > limit:
                cut = cut * 3 // 4 or 1
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        if len((current + line).encode()) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces]


def split_keeping(text: str, keep_from: int, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text like split_text, keeping its part from `keep_from` on whole in the last piece (if it fits one)."""
    head, tail = text[:keep_from].rstrip("\n"), text[keep_from:].lstrip("\n")
    if not tail.strip():
        return split_text(text, limit)
    pieces = split_text(head, limit) if head.strip() else []
    ending = split_text(tail, limit)
    if pieces and len(ending) == 1 and len(f"{pieces[-1]}\n\n{ending[0]}".encode()) <= limit:
        return [*pieces[:-1], f"{pieces[-1]}\n\n{ending[0]}"]
    return pieces + ending


def numbered(reply: Reply, t: Translator, *, start: int = 1) -> tuple[str, dict[str, str]]:
    """The reply as text with its buttons as numbered lines, and the number → payload map.

    A button that carries its own number ("#7 数控编程…", an entry of 我的台账) is listed as it is and answers to
    that number (7 or #7); the other buttons are numbered after the highest of those.
    """
    buttons = reply.all_buttons()
    if not buttons:
        return reply.text, {}
    mapping: dict[str, str] = {}
    own = {b.payload: m.group(1) for b in buttons if (m := OWN_NUMBER.match(b.label))}
    n = max([start - 1, *(int(v) for v in own.values())]) + 1
    lines = [reply.text, ""]
    for button in buttons:
        if button.payload in own:
            number = own[button.payload]
            mapping[number] = mapping[f"#{number}"] = button.payload
            lines.append(button.label)
            continue
        mapping[str(n)] = button.payload
        lines.append(f"{n}. {button.label}")
        n += 1
    lines.append(t("channels.reply_number"))
    return "\n".join(lines), mapping


def numbered_pieces(replies: list[Reply], t: Translator) -> tuple[list[str], dict[str, str]]:
    """Replies as numbered text cut within the limit, the last options whole in the last piece; number → payload."""
    texts: list[str] = []
    mapping: dict[str, str] = {}
    keep_from, offset = len("\n\n".join(r.text for r in replies)), 0
    for reply in replies:
        text, numbers = numbered(reply, t, start=max((int(k) for k in mapping if k.isdigit()), default=0) + 1)
        if numbers:
            keep_from = offset + len(reply.text)
        texts.append(text)
        mapping.update(numbers)
        offset += len(text) + 2
    return split_keeping("\n\n".join(texts), keep_from), mapping
