"""Translations and locale-aware formatting, free of any messenger.

The current locale lives in a context variable, so each update (handled in its own task) speaks
its user's language while dialogs and workflow just call ``_()``. msgids are English; the
Vietnamese catalog is the one every user sees by default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SUPPORTED_LOCALES: tuple[str, ...] = ("vi", "en")
DEFAULT_LOCALE = "vi"
DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for ``locale``; English msgids pass through where none is compiled."""
    return Translations.load(str(LOCALES_DIR), [locale], domain=DOMAIN)


def normalize_locale(code: str | None) -> str | None:
    """Map a Telegram ``language_code`` ("vi", "en-US", "en_GB") onto a supported locale."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED_LOCALES else None


def resolve_locale(
    chosen: str | None, telegram_code: str | None, default: str = DEFAULT_LOCALE
) -> str:
    """The user's own choice wins, then what their Telegram app says, then the default."""
    return normalize_locale(chosen) or normalize_locale(telegram_code) or default


def get_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(normalize_locale(locale) or DEFAULT_LOCALE)


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(normalize_locale(locale) or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current_locale.reset(token)


def _(msgid: str) -> str:
    """Translate into the current locale."""
    return translations(_current_locale.get()).gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current_locale.get()).ngettext(singular, plural, n)


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it yet (translated where shown)."""
    return msgid


def gettext_in(locale: str, msgid: str) -> str:
    """Translate into a given locale, e.g. for a message to another user."""
    return translations(normalize_locale(locale) or DEFAULT_LOCALE).gettext(msgid)


def format_date(value: date, locale: str | None = None) -> str:
    """Dates are shown dd/mm/yyyy in every locale, as Vietnamese officials write them."""
    return babel_dates.format_date(value, format="dd/MM/yyyy", locale=locale or get_locale())


def format_datetime(value: datetime, locale: str | None = None) -> str:
    """A stored UTC instant, shown in Vietnam's time."""
    return babel_dates.format_datetime(
        value, format="HH:mm dd/MM/yyyy", tzinfo=DISPLAY_TZ, locale=locale or get_locale()
    )


def format_number(value: int | float | Decimal, locale: str | None = None) -> str:
    return babel_numbers.format_decimal(value, locale=locale or get_locale())


def language_name(locale: str) -> str:
    """A language's name in that language ("Tiếng Việt", "English")."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]  # not capitalize(): "Tiếng Việt", not "Tiếng việt"
