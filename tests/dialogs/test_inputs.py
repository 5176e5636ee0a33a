"""Reading typed numbers, years, dates and phone numbers the way Vietnamese users write them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogs.nomination.inputs import (
    BadInput,
    parse_date,
    parse_int,
    parse_number,
    parse_phone,
    parse_year,
    require_letters,
    split_birth,
)

# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("70", 70.0),
        ("70,5", 70.5),  # Vietnamese decimal comma
        ("70.5", 70.5),  # English decimal point, as phones often type it
        ("70%", 70.0),
        ("70 %", 70.0),
        ("1,5%", 1.5),
        ("1.234,5", 1234.5),  # Vietnamese: dots between thousands
        ("1,234.5", 1234.5),  # English: commas between thousands
        ("2 500 000", 2_500_000.0),
        ("2.500.000", 2_500_000.0),
        ("12,345,678", 12_345_678.0),
        ("1 234,5", 1234.5),
        ("0,5", 0.5),
        ("-3", -3.0),
        ("+5", 5.0),
        ("  70  ", 70.0),
        # Ambiguous on its face: Vietnamese notation is tried first, as the docstring says.
        ("1.234", 1234.0),
        ("1,234", 1.234),
    ],
)
def test_parse_number_accepts(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "%",
        "abc",
        "1,2,3,4.5.6",  # no notation groups like this: refused, not guessed
        "1.2.3",
        "1.23,4",  # a thousands group must have three digits
        "--3",
        "1e3",
        "70 ha",
        "năm mươi",
        "9" * 400,  # an infinite float: no criterion wants it, and JSON cannot store it
    ],
)
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_number(text)
    assert info.value.reason == "not_a_number"


@pytest.mark.parametrize("text", ["7o", "12abc"])
def test_parse_number_refuses_letters_after_digits(text: str) -> None:
    with pytest.raises(BadInput):
        parse_number(text)


# --- whole numbers and years -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("70", 70), ("70,0", 70), ("1.000", 1000)])
def test_parse_int_accepts(text: str, value: int) -> None:
    got = parse_int(text, 1, 1_000_000)
    assert got == value and isinstance(got, int)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7,5", "not_a_whole_number"),
        ("abc", "not_a_whole_number"),
        ("", "not_a_whole_number"),
        ("0", "out_of_range"),
        ("-1", "out_of_range"),
        ("1000001", "out_of_range"),
    ],
)
def test_parse_int_refuses(text: str, reason: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_int(text, 1, 1_000_000)
    assert info.value.reason == reason
    assert info.value.details == {"low": 1, "high": 1_000_000}


@pytest.mark.parametrize(("text", "year"), [("1970", 1970), (" 1916 ", 1916), ("2020", 2020)])
def test_parse_year_accepts_four_digits_in_range(text: str, year: int) -> None:
    assert parse_year(text, 1916, 2020) == year


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("70", "not_a_year"),  # two digits: which century?
        ("19700", "not_a_year"),
        ("1970.0", "not_a_year"),
        ("1.970", "not_a_year"),
        ("19 70", "not_a_year"),
        ("năm 1970", "not_a_year"),
        ("", "not_a_year"),
        ("1915", "out_of_range"),
        ("2021", "out_of_range"),
        ("0070", "out_of_range"),
    ],
)
def test_parse_year_refuses(text: str, reason: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_year(text, 1916, 2020)
    assert info.value.reason == reason
    assert info.value.details == {"low": 1916, "high": 2020}


# --- dates -----------------------------------------------------------------------------------

LOW, HIGH = date(2020, 1, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01/02/2026", date(2026, 2, 1)),  # day first, as Vietnamese forms write it
        ("1/2/2026", date(2026, 2, 1)),
        ("1-2-2026", date(2026, 2, 1)),
        ("1.2.2026", date(2026, 2, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        (" 31/12/2026 ", date(2026, 12, 31)),
        ("01/01/2020", date(2020, 1, 1)),
    ],
)
def test_parse_date_accepts(text: str, day: date) -> None:
    assert parse_date(text, LOW, HIGH) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2026", "not_a_date"),
        ("29/02/2025", "not_a_date"),
        ("13/13/2026", "not_a_date"),
        ("00/01/2026", "not_a_date"),
        ("2026-02-01", "not_a_date"),  # ISO order is not what people here type
        ("1/2/26", "not_a_date"),
        ("1 tháng 2 2026", "not_a_date"),
        ("", "not_a_date"),
        ("31/12/2019", "date_out_of_range"),
        ("01/01/2027", "date_out_of_range"),
    ],
)
def test_parse_date_refuses(text: str, reason: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_date(text, LOW, HIGH)
    assert info.value.reason == reason


def test_parse_date_out_of_range_says_the_range() -> None:
    with pytest.raises(BadInput) as info:
        parse_date("01/01/2027", LOW, HIGH)
    assert info.value.details == {"low": LOW, "high": HIGH}


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0912 345 678",
        "0912345678",
        "+84 912345678",
        "+84912345678",
        "84912345678",
        "84 912 345 678",
        "0912.345.678",
        "0912-345-678",
        " (091) 234 5678 ",
    ],
)
def test_parse_phone_mobile_forms(text: str) -> None:
    assert parse_phone(text) == "0912345678"


def test_parse_phone_landline_keeps_eleven_digits() -> None:
    assert parse_phone("(024) 3825 1234") == "02438251234"


@pytest.mark.parametrize(
    "text",
    ["12345", "", "091234567", "091234567890", "912345678", "0912abc678", "+1 912345678"],
)
def test_parse_phone_refuses(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_phone(text)
    assert info.value.reason == "not_a_phone"


def test_parse_phone_international_prefix_with_national_zero() -> None:
    try:
        assert parse_phone("+84 0912 345 678") == "0912345678"
    except BadInput:
        pass  # refusing it would be right too


@pytest.mark.parametrize(
    ("text", "year"), [("12/05/1972", 1972), ("1/1/1980", 1980), ("31-12-1990", 1990)]
)
def test_a_whole_birth_date_is_taken_as_its_year(text: str, year: int) -> None:
    assert parse_year(text, 1916, 2020) == year


@pytest.mark.parametrize("text", ["31/02/1972", "12/05/72", "12/05/2030"])
def test_a_birth_date_that_is_no_date_or_out_of_range_is_refused(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_year(text, 1916, 2020)
    assert info.value.reason in ("not_a_year", "out_of_range")


@pytest.mark.parametrize("text", ["🙂🙂🙂", "!!!...", "👍 👍", "12345"])
def test_words_are_required_where_a_name_is_asked(text: str) -> None:
    with pytest.raises(BadInput) as info:
        require_letters(text)
    assert info.value.reason == "no_letters"
    assert require_letters("Y Thị Hoa 🙂") == "Y Thị Hoa 🙂"


@pytest.mark.parametrize(
    ("text", "name", "born"),
    [
        ("Y Thị Hoa, 1975", "Y Thị Hoa", "1975"),
        ("A Blin (sn 12/05/1972)", "A Blin", "12/05/1972"),
        ("Nguyễn Văn An sinh năm 1960", "Nguyễn Văn An", "1960"),
        ("A Lưu - 1980", "A Lưu", "1980"),
        ("Y Thị Hoa", "Y Thị Hoa", None),
        ("1975", "1975", None),  # a year alone is no name: left to the name's own checks
        ("Trần Văn Hai 2 con", "Trần Văn Hai 2 con", None),  # not a year
    ],
)
def test_a_name_may_carry_the_year_of_birth(text: str, name: str, born: str | None) -> None:
    assert split_birth(text) == (name, born)
