"""Reading what people type: years, numbers in Vietnamese notation, phone numbers, dates.

Each parser returns the value or raises ``BadInput`` with a stable reason; the dialog turns the
reason into a localized re-prompt that says what was expected.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from bot.workflow.text import fold


class BadInput(ValueError):
    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def parse_number(text: str, unit: str | None = None) -> float:
    """ "70", "70,5", "70.5", "70%", "1.234,5", "1,234.5" and "2 500 000" are all numbers.

    Vietnamese writes a decimal comma and dots between thousands; people on phones often write
    the English way. Babel parses strictly in each notation; Vietnamese is tried first. Other
    letters are refused, not dropped: "7o" is a typo for 70, not 7.
    """
    raw = text.strip()
    if unit and fold(raw).endswith(fold(unit)):  # "25 triệu đồng" where the unit is asked
        raw = raw[: len(raw) - len(unit)]
    raw = re.sub(r"[%\s]", "", raw)
    if not raw or not re.fullmatch(r"[-+]?[\d.,]+", raw):
        raise BadInput("not_a_number")
    value = _decimal(raw)
    # Hundreds of digits make an infinite float: no criterion asks for that, and JSON cannot
    # store it.
    if value is None or not math.isfinite(value):
        raise BadInput("not_a_number")
    return value


def _decimal(raw: str) -> float | None:
    for locale in ("vi", "en"):
        try:
            return float(parse_decimal(raw, locale=locale, strict=True))
        except (NumberFormatError, InvalidOperation):
            continue
    try:  # "70.5" is not strict Vietnamese nor strict English with a group: plain decimal
        return float(Decimal(raw.replace(",", ".")))
    except InvalidOperation:
        return None


def parse_int(text: str, low: int, high: int) -> int:
    try:
        value = parse_number(text)
    except BadInput:
        raise BadInput("not_a_whole_number", low=low, high=high) from None
    if value != int(value):
        raise BadInput("not_a_whole_number", low=low, high=high)
    if not low <= value <= high:
        raise BadInput("out_of_range", low=low, high=high)
    return int(value)


def parse_year(text: str, low: int, high: int) -> int:
    """A year: "1972", or the year of a whole date as people give one ("12/05/1972")."""
    digits = text.strip()
    whole_date = re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-](\d{4})", digits)
    if whole_date:
        try:
            parse_date(digits, date.min, date.max)
        except BadInput:
            raise BadInput("not_a_year", low=low, high=high) from None
        digits = whole_date.group(1)
    if not re.fullmatch(r"\d{4}", digits):
        raise BadInput("not_a_year", low=low, high=high)
    return parse_int(digits, low, high)


#: A name followed by when the person was born: "Y Thị Hoa, 1975", "A Blin (sn 12/05/1972)".
_NAME_AND_BIRTH = re.compile(
    r"(?P<name>.*?\w.*?)[\s,;(–-]+(?:(?:sinh năm|năm sinh|sinh|sn|ns|born|b\.)\s*)?"
    r"(?P<born>\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4})\)?\s*",
    re.IGNORECASE,
)


def split_birth(text: str) -> tuple[str, str | None]:
    """A name and, when written after it, the birth year or date (people give both at once)."""
    match = _NAME_AND_BIRTH.fullmatch(text.strip())
    if match is None:
        return text, None
    return match.group("name").strip(), match.group("born")


def require_letters(text: str) -> str:
    """A name or an account must say something in words: emoji and punctuation alone do not."""
    if not any(ch.isalpha() for ch in text):
        raise BadInput("no_letters")
    return text


def parse_date(text: str, low: date, high: date) -> date:
    """dd/mm/yyyy (also with - or .), as Vietnamese forms write it."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text.strip())
    if not match:
        raise BadInput("not_a_date")
    day, month, year = (int(g) for g in match.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        raise BadInput("not_a_date") from None
    if not low <= value <= high:
        raise BadInput("date_out_of_range", low=low, high=high)
    return value


def parse_phone(text: str) -> str:
    """A Vietnamese phone number: 0xxxxxxxxx or +84xxxxxxxxx, spaces and dots allowed."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:].removeprefix("0")  # "+84 0912…" keeps one zero
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0[1-9]\d{8,9}", digits):
        raise BadInput("not_a_phone")
    return digits
