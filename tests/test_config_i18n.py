from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.config import ConfigError, load_settings
from bot.i18n import (
    _,
    format_date,
    format_datetime,
    format_number,
    resolve_locale,
    use_locale,
)
from bot.workflow.text import TooLong, clean_text, fold


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.timezone == "Asia/Ho_Chi_Minh" and settings.default_locale == "vi"


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("TELEGRAM_API_BASE", "not a url", "TELEGRAM_API_BASE"),
        ("TELEGRAM_PROXY", "ftp://x", "TELEGRAM_PROXY"),
        ("WEBHOOK_PORT", "99999", "WEBHOOK_PORT"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, named: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert message.startswith(named + ":") and "\n" not in message


def test_missing_token_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"^BOT_TOKEN: missing"):
        load_settings(_env_file=None).require_token()


def test_locale_resolution_order() -> None:
    assert resolve_locale("en", "vi") == "en"
    assert resolve_locale(None, "en-US") == "en"
    assert resolve_locale(None, "fr") == "vi"
    assert resolve_locale(None, None) == "vi"


def test_vietnamese_is_the_translated_default() -> None:
    with use_locale("vi"):
        vi = _("Stopped. Anything you had saved is kept.")
    with use_locale("en"):
        en = _("Stopped. Anything you had saved is kept.")
    assert en == "Stopped. Anything you had saved is kept."
    assert vi != en and "lưu" in vi


def test_formats() -> None:
    assert format_date(date(2026, 3, 5), "vi") == "05/03/2026"
    assert format_date(date(2026, 3, 5), "en") == "05/03/2026"
    assert format_number(1234.5, "vi") == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    # stored in UTC, shown in Vietnam's time (UTC+7)
    assert format_datetime(datetime(2026, 1, 1, 20, 30, tzinfo=UTC), "vi") == "03:30 02/01/2026"


def test_clean_text() -> None:
    decomposed = "Nguye\u0302\u0303n  Va\u0306n\tA "
    assert clean_text(decomposed, 50) == "Nguyễn Văn A"
    with pytest.raises(TooLong) as info:
        clean_text("x" * 11, 10)
    assert info.value.limit == 10
    assert fold("Đặng Thị Ánh") == "dang thi anh"


def test_language_names_keep_their_own_capitals() -> None:
    from bot.i18n import language_name

    assert language_name("vi") == "Tiếng Việt"  # capitalize() once made it "Tiếng việt"
    assert language_name("en") == "English"
