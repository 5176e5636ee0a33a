"""Vietnamese alphabetical order, as people look names up: "Đ" after "D", "Ư" after "U",
"Ă" and "Â" after "A", a tone after its bare letter, "Thôn 2" before "Thôn 10" (ICU's collation
for "vi", from CLDR).

Python's own order compares code points ("Đ" after "Z", "Ư" far beyond), and SQLite's BINARY
collation does the same; PostgreSQL's depends on the server's locale. So lists people read are
ordered here, in Python, by one library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")

_COLLATOR = icu.Collator.createInstance(icu.Locale("vi"))
# Numbers by value, as people count: "Thôn 2" before "Thôn 10".
_COLLATOR.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)


def vi_key(text: str) -> bytes:
    """A sort key: ``sorted(names, key=vi_key)``."""
    return bytes(_COLLATOR.getSortKey(text))


def vi_sorted(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` in Vietnamese order of ``key(item)``."""
    return sorted(items, key=lambda item: vi_key(key(item)))
