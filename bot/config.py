"""Settings from the environment or `.env`, checked once at start-up.

A wrong setting stops the bot with one line naming it (see ``load_settings``), rather than a
traceback half-way through the first update.
"""

from __future__ import annotations

import logging
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n import SUPPORTED_LOCALES
from bot.reminders.quiet import QuietHours

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/exemplar.db"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Token from @BotFather")
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_base: AnyHttpUrl | None = None
    telegram_proxy: str | None = None
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    evidence_dir: Path = Path("./var/evidence")
    #: Word templates an administrator put in place of the shipped ones (same file names).
    report_templates_dir: Path | None = None
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: str | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    invitation_days: int = Field(default=14, ge=1, le=365)
    log_level: str = "INFO"
    #: Messages a second the outbox may send in all: under Telegram's ~30, leaving room for
    #: the replies to people who are typing.
    send_rate: float = Field(default=25.0, gt=0, le=30)
    #: Seconds after which rows claimed by a sender that stopped answering (it died) are taken
    #: over by another (PostgreSQL; on SQLite the one sender takes them back at start-up).
    outbox_lease: float = Field(default=60.0, ge=1, le=3600)
    #: Local hours (in TIMEZONE) when reminders wait for the morning: "21:00-07:00", or "off".
    quiet_hours: str = "21:00-07:00"
    #: Seconds between two reminder passes inside `run` and `demo`.
    reminder_every: float = Field(default=300.0, ge=5, le=86400)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value().strip()
        head, _, tail = raw.partition(":")
        if not head.isdigit() or len(tail) < 20:
            raise ValueError("expected the form 123456:ABC… given by @BotFather")
        return SecretStr(raw)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError("one of " + ", ".join(SUPPORTED_LOCALES))
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not a known time zone") from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        return str(QuietHours.parse(value))

    @field_validator("telegram_proxy")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://", "socks4://", "socks5://")):
            raise ValueError("expected http://, https://, socks4:// or socks5://host:port")
        return value or None

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def quiet(self) -> QuietHours:
        return QuietHours.parse(self.quiet_hours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN: missing (set it in the environment or .env)")
        return self.bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one line naming the first bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "SETTINGS"
        raise ConfigError(f"{name}: {first['msg']}") from None
