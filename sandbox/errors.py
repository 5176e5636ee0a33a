"""The one error type the Bot API side raises, rendered exactly as Telegram renders errors.

Handlers raise ``ApiError`` anywhere; the HTTP layer turns it into
``{"ok": false, "error_code": N, "description": "..."}`` so a bot sees the same shape (and aiogram
raises the same exception class) as with the real server.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal with Telegram's status code and description."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        out: dict[str, Any] = {
            "ok": False, "error_code": self.code, "description": self.description,
        }
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(text: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    """403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {text}")
