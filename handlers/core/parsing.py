"""Parse what people type: dates, hours, money, counts, yes/no."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．／－", "0123456789./-")


def parse_date(text: str, *, today: date) -> date | None:
    """A date from 2026-03-05, 2026/3/5, 20260305, 3月5日, 2026年3月5日, 今天, 昨天, 前天; None if not one."""
    value = text.strip().translate(_FULLWIDTH).lower()
    if value in _RELATIVE:
        return today - timedelta(days=_RELATIVE[value])
    for pattern, has_year in ((_FULL, True), (_COMPACT, True), (_MONTH_DAY, False)):
        match = pattern.match(value)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if has_year else [today.year, *parts]
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


_NUMBER = re.compile(r"^([0-9]+(?:\.[0-9]+)?)$")


def parse_decimal(text: str) -> Decimal | None:
    """A plain non-negative number, or None."""
    value = text.strip().translate(_FULLWIDTH).replace(",", "").replace("，", "")
    if not _NUMBER.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def parse_hours(text: str) -> Decimal | None:
    """Hours such as 2, 1.5, 2小时, 2h, 3 hours; None if not a sensible number of hours."""
    value = re.sub(r"\s*(小时|个小时|钟头|hours?|hrs?|h)$", "", text.strip().lower())
    number = parse_decimal(value)
    if number is None or number <= 0 or number > 1000:
        return None
    return number.quantize(Decimal("0.1"))


def parse_yuan(text: str) -> Decimal | None:
    """Money in 元 from 15000, 15000元, 1.5万, 1.5万元, ¥15,000; None if not an amount."""
    value = text.strip().replace("¥", "").replace("￥", "").replace("人民币", "")
    value = re.sub(r"\s*(元|块|rmb|cny)$", "", value, flags=re.IGNORECASE)
    factor = Decimal(1)
    if value.endswith("万"):
        factor, value = Decimal(10_000), value[:-1]
    number = parse_decimal(value)
    return None if number is None else (number * factor).quantize(Decimal("0.01"))


def parse_wan(text: str) -> Decimal | None:
    """An amount in 万元 from 1.5, 1.5万, 1.5万元, 15000元 (converted); None if not an amount."""
    value = text.strip()
    if re.search(r"万\s*元?$", value) or not re.search(r"元$", value):
        number = parse_decimal(re.sub(r"\s*万\s*元?$", "", value))
        return None if number is None else number.quantize(Decimal("0.01"))
    yuan = parse_yuan(value)
    return None if yuan is None else (yuan / Decimal(10_000)).quantize(Decimal("0.01"))


def parse_count(text: str) -> int | None:
    """A head count such as 5, 5人, 5 people; None if not a whole non-negative number."""
    value = re.sub(r"\s*(人|名|位|个|people|persons?)$", "", text.strip().translate(_FULLWIDTH).lower())
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else None


_YES = {"是", "对", "有", "已", "已应用", "y", "yes", "true", "1"}
_NO = {"否", "不", "没有", "无", "未", "n", "no", "false", "0"}


def parse_yes_no(text: str) -> bool | None:
    """True for 是/有/yes, False for 否/无/no, None otherwise."""
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    return None
