"""Cleaning what people type, at the edge, before anything is stored or compared."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def clean_text(value: str, max_length: int) -> str:
    """NFC, trimmed, inner runs of white space folded; raises TooLong past ``max_length``."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if len(text) > max_length:
        raise TooLong(max_length, len(text))
    return text


def shorten(text: str, width: int) -> str:
    """At most ``width`` characters, an ellipsis marking a cut: one line of a phone screen."""
    return text if len(text) <= width else text[: width - 1] + "…"


@lru_cache(maxsize=4096)  # one message is folded by several filters in turn
def fold(value: str) -> str:
    """Lowercase without diacritics, for matching typed answers and comparing names.

    "Nguyễn Văn Đức" and "nguyen van duc" fold alike: village heads often type without marks.
    """
    text = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text).strip().casefold()


def says(text: str | None, words: frozenset[str]) -> bool:
    """Whether a typed message is one of ``words`` (folded: no case, no diacritics)."""
    return bool(text) and fold(text or "") in words


class TooLong(ValueError):
    def __init__(self, limit: int, length: int) -> None:
        super().__init__(f"{length} characters, limit {limit}")
        self.limit = limit
        self.length = length
