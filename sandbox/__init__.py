"""Local Telegram Bot API emulator ("sandbox") for running and testing the bot offline.

A bot pointed at it with ``TelegramAPIServer.from_base(base_url)`` works unchanged; requests that
real Telegram would refuse are refused here too. Tests and the chat page play users through the
driver API (``sandbox.client``). See docs/sandbox.md.
"""

from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, Sandbox, create_app, run_sandbox

__all__ = ["DEFAULT_TOKEN", "FloodLimits", "Sandbox", "create_app", "run_sandbox"]
