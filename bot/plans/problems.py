"""Problems in a plan file, said as its writer reads it: key paths spelled as in the file, TOML
and schema errors turned into plain sentences. Split from :mod:`bot.plans.loader`."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.plans.fields import ONE_TAG, UNION_TAGS
from bot.plans.schema import Plan

#: Top-level sections in the order problems are reported.
_SECTIONS = ("plan", "deadline", "quota", "criterion", "category")
_TOML_POSITION = re.compile(r"\s*\((at line (\d+), column (\d+)|at end of document)\)\s*$")


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{path_of(self.loc)}: {self.message}" if self.loc else self.message


def path_of(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """File order by section and item, structure before cross-checks within one item."""
    unique = list(dict.fromkeys(problems))

    def key(problem: Problem) -> tuple[int, int]:
        loc = problem.loc
        section = _SECTIONS.index(loc[0]) if loc and loc[0] in _SECTIONS else -1
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
        return section, index

    return sorted(unique, key=key)


def strip_bom(text: str) -> str:
    """Windows editors may save a byte-order mark, which TOML does not allow."""
    return text.removeprefix("\ufeff")


def toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is None:
        return f"TOML syntax error: {message}"
    what = message[: match.start()]
    where = "end of file" if match.group(2) is None else f"line {match[2]}, column {match[3]}"
    return f"{where}: TOML syntax error: {what[:1].lower()}{what[1:]}"


def toml_type(value: Any) -> str:
    """What a value is, in TOML's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return f"a string {short(value)}"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def one_of(values: Iterable[str]) -> str:
    return ", ".join(values)


def structure_problems(exc: ValidationError) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        raw_loc = tuple(error["loc"])
        # A key that takes one name or an array of names: pydantic names the branch it tried in
        # the location; the writer only sees the key.
        loc = tuple(part for part in raw_loc if part not in UNION_TAGS)
        if raw_loc and raw_loc[-1] == ONE_TAG and error["type"] == "string_type":
            message = (
                "expected a string in quotes or an array of strings, "
                f"got {toml_type(error.get('input'))}"
            )
        else:
            message = _structure_message(error, loc)
        yield Problem(loc, message)


_TYPE_MESSAGES = {
    "date_type": "expected a date like 2026-01-10 (not in quotes)",
    "date_parsing": "expected a date like 2026-01-10 (not in quotes)",
    "date_from_datetime_inexact": "expected a date like 2026-01-10, without a time",
    "string_type": "expected a string in quotes",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "list_type": "expected an array [ … ]",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
}


def _structure_message(error: Any, loc: Loc) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key_message(loc)
    if kind == "missing":
        return "missing required key"
    if kind in _TYPE_MESSAGES:
        return f"{_TYPE_MESSAGES[kind]}, got {toml_type(value)}"
    if kind == "literal_error":
        expected = re.sub(r"'([^']*)'", r"\1", str(ctx.get("expected", ""))).replace(" or ", ", ")
        return f"expected one of {expected}, got {toml_type(value)}"
    if kind == "string_pattern_mismatch":
        return (
            f"malformed id {value!r}: use lowercase ASCII letters and digits in words joined "
            "by hyphens, e.g. 'nong-dan-gioi'"
        )
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return f"needs at least {count} item{'s' if count != 1 else ''}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {value!r}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _unknown_key_message(loc: Loc) -> str:
    """Name the allowed keys, a likely intended one, or the table the key belongs to."""
    key = str(loc[-1]) if loc else ""
    parent = _model_at(loc[:-1])
    if parent is None:
        return "unknown key"
    allowed = _keys_of(parent)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    # A key written below a [[category.criterion]] header lands in that criterion, not in the
    # category it was meant for: say so, since the file looks right to its writer.
    for depth in range(len(loc) - 2, -1, -1):
        outer = _model_at(loc[:depth])
        if outer is not None and outer is not parent and key in _keys_of(outer):
            where = path_of(loc[:depth]) or "the top level"
            return (
                f"unknown key here; {key!r} is a key of {where}: in TOML a key belongs to the "
                "nearest [header] above it, so move it above this table's header"
            )
    return f"unknown key (allowed here: {one_of(allowed)})"


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model that validates the table at ``loc`` (None inside a non-table value)."""
    model: type[BaseModel] = Plan
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        info = fields.get(part)
        if info is None:
            return None
        inner = _model_in(info.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
