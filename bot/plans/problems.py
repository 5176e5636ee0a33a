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

from bot.i18n import N_, _, ngettext
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
        return _("TOML syntax error: {what}").format(what=message)
    what = message[: match.start()]
    where = (
        _("end of file")
        if match.group(2) is None
        else _("line {line}, column {column}").format(line=match[2], column=match[3])
    )
    # tomllib's own words stay in English: they name the TOML rule that was broken.
    return _("{where}: TOML syntax error: {what}").format(
        where=where, what=f"{what[:1].lower()}{what[1:]}"
    )


def toml_type(value: Any) -> str:
    """What a value is, in TOML's words."""
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int):
        return _("an integer")
    if isinstance(value, float):
        return _("a decimal number")
    if isinstance(value, str):
        return _("a string {value}").format(value=short(value))
    if isinstance(value, dt.datetime):
        return _("a date-time")
    if isinstance(value, dt.date):
        return _("a date")
    if isinstance(value, dt.time):
        return _("a time")
    if isinstance(value, list):
        return _("an array")
    if isinstance(value, dict):
        return _("a table")
    return type(value).__name__


def short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def one_of(values: Iterable[str]) -> str:
    return ", ".join(values)


def did_you_mean(name: str) -> str:
    return _("did you mean {name}?").format(name=repr(name))


def structure_problems(exc: ValidationError) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        raw_loc = tuple(error["loc"])
        # A key that takes one name or an array of names: pydantic names the branch it tried in
        # the location; the writer only sees the key.
        loc = tuple(part for part in raw_loc if part not in UNION_TAGS)
        if raw_loc and raw_loc[-1] == ONE_TAG and error["type"] == "string_type":
            message = _("expected a string in quotes or an array of strings, got {found}").format(
                found=toml_type(error.get("input"))
            )
        else:
            message = _structure_message(error, loc)
        yield Problem(loc, message)


_TYPE_MESSAGES = {
    "date_type": N_("expected a date like 2026-01-10 (not in quotes), got {found}"),
    "date_parsing": N_("expected a date like 2026-01-10 (not in quotes), got {found}"),
    "date_from_datetime_inexact": N_(
        "expected a date like 2026-01-10, without a time, got {found}"
    ),
    "string_type": N_("expected a string in quotes, got {found}"),
    "int_type": N_("expected a whole number, got {found}"),
    "int_from_float": N_("expected a whole number, got {found}"),
    "float_type": N_("expected a number, got {found}"),
    "bool_type": N_("expected true or false, got {found}"),
    "list_type": N_("expected an array [ … ], got {found}"),
    "dict_type": N_("expected a table, got {found}"),
    "model_type": N_("expected a table, got {found}"),
    "model_attributes_type": N_("expected a table, got {found}"),
}


def _structure_message(error: Any, loc: Loc) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key_message(loc)
    if kind == "missing":
        return _("missing required key")
    if kind in _TYPE_MESSAGES:
        return _(_TYPE_MESSAGES[kind]).format(found=toml_type(value))
    if kind == "literal_error":
        expected = re.sub(r"'([^']*)'", r"\1", str(ctx.get("expected", ""))).replace(" or ", ", ")
        return _("expected one of {expected}, got {found}").format(
            expected=expected, found=toml_type(value)
        )
    if kind == "string_pattern_mismatch":
        return _(
            "malformed id {value}: use lowercase ASCII letters and digits in words joined "
            "by hyphens, e.g. 'nong-dan-gioi'"
        ).format(value=repr(value))
    if kind == "too_short":
        count = int(ctx.get("min_length", 1))
        return ngettext(
            "needs at least {count} item", "needs at least {count} items", count
        ).format(count=count)
    if kind == "greater_than_equal":
        return _("must be at least {least}, got {value}").format(
            least=ctx.get("ge"), value=repr(value)
        )
    if kind == "less_than_equal":
        return _("must be at most {most}, got {value}").format(
            most=ctx.get("le"), value=repr(value)
        )
    if kind == "value_error":  # our validators' messages are msgids (N_ in bot.plans.fields)
        return _(str(ctx.get("error", error["msg"])))
    return str(error["msg"])


def _unknown_key_message(loc: Loc) -> str:
    """Name the allowed keys, a likely intended one, or the table the key belongs to."""
    key = str(loc[-1]) if loc else ""
    parent = _model_at(loc[:-1])
    if parent is None:
        return _("unknown key")
    allowed = _keys_of(parent)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    if close:
        return _("unknown key (did you mean {key}?)").format(key=repr(close[0]))
    # A key written below a [[category.criterion]] header lands in that criterion, not in the
    # category it was meant for: say so, since the file looks right to its writer.
    for depth in range(len(loc) - 2, -1, -1):
        outer = _model_at(loc[:depth])
        if outer is not None and outer is not parent and key in _keys_of(outer):
            where = path_of(loc[:depth]) or _("the top level")
            return _(
                "unknown key here; {key} is a key of {where}: in TOML a key belongs to the "
                "nearest [header] above it, so move it above this table's header"
            ).format(key=repr(key), where=where)
    return _("unknown key (allowed here: {keys})").format(keys=one_of(allowed))


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
