"""Parse what people type: dates, hours, money, counts, yes/no."""

from handlers.core.parsing.dates import DateReading, parse_date, read_date
from handlers.core.parsing.numbers import (
    FULLWIDTH,
    chinese_number,
    normalise,
    parse_count,
    parse_decimal,
    parse_hours,
    parse_int,
    parse_wan,
    parse_yuan,
)
from handlers.core.parsing.words import parse_yes_no

__all__ = [
    "FULLWIDTH",
    "DateReading",
    "chinese_number",
    "normalise",
    "parse_count",
    "parse_date",
    "parse_decimal",
    "parse_hours",
    "parse_int",
    "parse_wan",
    "parse_yes_no",
    "parse_yuan",
    "read_date",
]
