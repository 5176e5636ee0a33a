"""The vocabulary of a plan file: its names, kinds, bounds and the small types built on them.

Split from :mod:`bot.plans.schema` (the models of a plan's parts), which builds on these; the
loader reads the same names to say what a key may hold.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)

from bot.i18n import N_

SUBJECT_KINDS: Final[tuple[str, ...]] = ("individual", "household", "collective")
CRITERION_KINDS: Final[tuple[str, ...]] = (
    "attest",
    "evidence",
    "number",
    "years",
    "choice",
    "text",
)
STAGES: Final[tuple[str, ...]] = ("register", "propose", "review", "report", "honour")
QUOTA_PERIODS: Final[tuple[str, ...]] = ("plan", "year")

#: Keys that belong to one criterion kind only.
KIND_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "attest": (),
    "evidence": ("min_files", "proof"),
    "number": ("min", "max", "unit"),
    "years": ("years", "title"),
    "choice": ("options", "accept"),
    "text": ("min_length", "max_length"),
}

ID_PATTERN: Final[str] = r"^[a-z0-9]+(-[a-z0-9]+)*$"

#: Days before a deadline that reminders go out, where the plan names none.
DEFAULT_REMIND_DAYS: Final[tuple[int, ...]] = (7, 3, 1)

DEFAULT_MIN_FILES: Final[int] = 1
DEFAULT_TEXT_MIN_LENGTH: Final[int] = 1
DEFAULT_TEXT_MAX_LENGTH: Final[int] = 1000

SubjectKind = Literal["individual", "household", "collective"]
CriterionKind = Literal["attest", "evidence", "number", "years", "choice", "text"]
Stage = Literal["register", "propose", "review", "report", "honour"]
QuotaPer = Literal["plan", "year"]

#: What a consulted body is shown of a nomination, besides who is proposed, where, in what field.
CONSULT_PARTS: Final[tuple[str, ...]] = ("achievements", "criteria", "evidence")
ConsultPart = Literal["achievements", "criteria", "evidence"]
#: Where the plan is silent: the achievements, the least a body needs to give an opinion.
DEFAULT_CONSULT_SHOWS: Final[tuple[str, ...]] = ("achievements",)
#: Days a consulted body has before it is reminded, where the plan names none.
DEFAULT_CONSULT_REMIND_DAYS: Final[int] = 3


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(N_("must not be empty"))
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, AfterValidator(_not_blank)]

#: Branch tags of :data:`OneOrMany`; they show up in pydantic's error locations, and the loader
#: drops them so that key paths read like the file (``deadline[0].owed_by[1]``).
ONE_TAG: Final[str] = "@one"
MANY_TAG: Final[str] = "@many"
UNION_TAGS: Final[frozenset[str]] = frozenset({ONE_TAG, MANY_TAG})


def _distinct_days(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise ValueError(N_("a day is listed twice"))
    return sorted(days, reverse=True)


#: Days before a deadline that reminders go out: each 1 to 90, no repeats, at least one.
RemindDays = Annotated[
    list[Annotated[int, Field(ge=1, le=90)]], Field(min_length=1), AfterValidator(_distinct_days)
]


def _one_or_many(value: Any) -> str:
    return MANY_TAG if isinstance(value, list) else ONE_TAG


#: A name, or a non-empty array of names. The branch is chosen by the value's type, so a wrong
#: value gets one error about the form it was written in, not one per branch.
OneOrMany = Annotated[
    Annotated[str, Tag(ONE_TAG)] | Annotated[list[str], Field(min_length=1), Tag(MANY_TAG)],
    Discriminator(_one_or_many),
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, populate_by_name=True, str_strip_whitespace=False
    )


def _localized(text: str, text_en: str | None, locale: str) -> str:
    """English companion for English readers; the official Vietnamese otherwise."""
    if locale.lower().startswith("en") and text_en:
        return text_en
    return text
