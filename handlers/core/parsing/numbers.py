"""Numbers as people type them: full-width digits, Chinese numerals, hours, money and head counts."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

# Chinese input methods type full-width digits and punctuation: read them as their ASCII twins.
FULLWIDTH = str.maketrans("０１２３４５６７８９．／－，：～", "0123456789./-,:~")
_CN_CHARS = "零〇一二两三四五六七八九十百千万"
_CN_NUMBER = re.compile(f"^[{_CN_CHARS}]+$")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_NUMBER = re.compile(r"^([0-9]+(?:\.[0-9]+)?)$")


def normalise(text: str) -> str:
    """Trimmed, lower-case, with full-width digits and punctuation made ASCII."""
    return text.strip().translate(FULLWIDTH).lower()


def chinese_number(text: str) -> int | None:
    """A whole number in Chinese numerals (八, 十二, 两万, 一千零五, 二〇二六); None if not one."""
    if not _CN_NUMBER.match(text) or len(text) > 12:
        return None
    if len(text) > 1 and all(c in _CN_DIGITS for c in text):
        return int("".join(_CN_DIGITS[c] for c in text))  # digit by digit, as years are written
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if value == int(value) else None


def parse_decimal(text: str) -> Decimal | None:
    """A non-negative number in digits (full-width too, with thousands commas) or Chinese numerals, or None."""
    value = normalise(text).replace(",", "")
    if not _NUMBER.match(value):
        whole = chinese_number(value)
        return None if whole is None else Decimal(whole)
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def parse_int(text: str) -> int | None:
    """A whole non-negative number in digits or Chinese numerals, or None."""
    value = normalise(text)
    if value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return chinese_number(value)


_HOUR_UNIT = re.compile(r"\s*(个小时|小时|个钟头|钟头|个钟|hours?|hrs?|h)$")
_MINUTES = re.compile(r"^(.+?)\s*(分钟|minutes?|mins?|m)$")
_AND_A_HALF = re.compile(r"^(.+?)个?半$")
_DAYS = re.compile(r"^(.+?)\s*(?:整)?(?:天|日|days?)(半)?$")  # 两天, 1天半, 2 days: working days
_HOURS_MINUTES = re.compile(
    r"^(.+?)\s*(?:个小时|小时|个钟头|钟头|hours?|hrs?|h)\s*(?:零)?(.+?)\s*(?:分钟|分|minutes?|mins?|m)$"
)


def parse_hours(text: str, *, day: Decimal = Decimal(8), half_day: Decimal = Decimal(4)) -> Decimal | None:
    """Hours from 2, 1.5, 两个小时, 一个半小时, 1小时30分钟, 90分钟, 半天, 一天, 全天, 两天, 3 hours; None if not hours.

    A day (一天, 全天) is `day` hours of work and half a day `half_day` (the settings say how many).
    """
    value = normalise(text)
    if value in ("半天", "半日", "half a day", "half day"):
        return half_day
    if value in ("全天", "整天", "一整天", "a day", "one day", "all day", "full day"):
        return day
    if days := _DAYS.match(value):
        number = parse_decimal(days[1].removesuffix("个"))
        number = None if number is None else number + (Decimal("0.5") if days[2] else 0)
        return None if number is None or number <= 0 or number >= 1000 else _hours(number * day)
    if both := _HOURS_MINUTES.match(value):
        hours, extra = parse_decimal(both[1].removesuffix("个")), parse_decimal(both[2])
        if hours is None or extra is None or extra >= 60:
            return None
        return _hours(hours + extra / 60) if hours + extra > 0 else None
    minutes = _MINUTES.match(value)
    if minutes:
        number = parse_decimal(minutes[1])
        return None if number is None or number <= 0 else _hours(number / 60)
    value = _HOUR_UNIT.sub("", value)
    if value in ("半", "半个"):
        return Decimal("0.5")
    half = _AND_A_HALF.match(value)
    whole = parse_decimal(half[1]) if half else None
    number = whole + Decimal("0.5") if whole is not None else parse_decimal(value.removesuffix("个"))
    return None if number is None or number <= 0 or number >= 10**6 else _hours(number)


def _hours(number: Decimal) -> Decimal:
    return number.quantize(Decimal("0.1"))


def parse_yuan(text: str) -> Decimal | None:
    """Money in 元 from 15000, 15000元, 1.5万, 两万元, 一万五千, ¥15,000; None if not an amount."""
    value = normalise(text).replace("¥", "").replace("￥", "").replace("人民币", "")
    value = re.sub(r"\s*(元|块钱|块|rmb|cny)$", "", value)
    number = parse_decimal(value)
    if number is None and value.endswith("万"):
        number = parse_decimal(value[:-1])
        number = None if number is None else number * 10_000
    if number is None or number >= 10**12:
        return None
    return number.quantize(Decimal("0.01"))


def parse_wan(text: str) -> Decimal | None:
    """An amount in 万元 from 1.5, 1.5万, 两万元, 15000元 (converted); None if not an amount."""
    value = normalise(text)
    if re.search(r"万\s*元?$", value) or not re.search(r"元$", value):
        number = parse_decimal(re.sub(r"\s*万\s*元?$", "", value))
        return None if number is None or number >= 10**8 else number.quantize(Decimal("0.01"))
    yuan = parse_yuan(value)
    return None if yuan is None else (yuan / Decimal(10_000)).quantize(Decimal("0.01"))


_PEOPLE = re.compile(r"\s*(个人|人|名|位|个|people|persons?)$")
_IN_ALL = re.compile(r"^(一共|共计|合计|总共|共|in all|total)\s*")


def parse_count(text: str) -> int | None:
    """A head count such as 5, 5人, 八人, 十二名, 共30人, 一共三十人, 5 people; None if not a whole number."""
    value = _IN_ALL.sub("", _PEOPLE.sub("", normalise(text)))
    number = parse_int(value)
    return number if number is not None and number < 10**6 else None
