"""Wiring: one aiohttp application serving the Bot API, file downloads, the driver API and the
chat page, plus ``run_sandbox`` to run it on a free loopback port inside a test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from sandbox.botapi import BotApi
from sandbox.driver import Driver, driver_errors
from sandbox.flood import FloodLimits
from sandbox.spec import load_spec
from sandbox.state import SandboxState

STATIC_DIR = Path(__file__).with_name("static")
DEFAULT_TOKEN = "123456789:AAsandbox-local-test-token-0000000"
STATE_KEY: web.AppKey[SandboxState] = web.AppKey("sandbox_state", SandboxState)
API_KEY: web.AppKey[BotApi] = web.AppKey("sandbox_api", BotApi)


def create_app(
    token: str = DEFAULT_TOKEN,
    *,
    flood: FloodLimits | None = None,
    bot_username: str = "exemplar_demo_bot",
    bot_first_name: str = "Exemplar Demo",
    first_update_id: int | None = None,
) -> web.Application:
    """Build the sandbox application; ``flood=None`` means Telegram's default limits.

    Update ids start from the clock unless ``first_update_id`` is given, so an emulator started
    again never hands a bot ids it already handled (see ``state.time_based_update_id``).
    """
    state = SandboxState(token, bot_username=bot_username, flood=flood or FloodLimits(),
                         bot_first_name=bot_first_name, first_update_id=first_update_id)
    api = BotApi(state, load_spec())
    driver = Driver(state, api)
    app = web.Application(middlewares=[driver_errors], client_max_size=60 * 1024 * 1024)
    app[STATE_KEY] = state
    app[API_KEY] = api
    app.router.add_route("*", "/bot{token}/{method}", api.handle_http)
    app.router.add_get("/file/bot{token}/{path:.+}", api.handle_file)
    app.router.add_routes(driver.routes())

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "chat.html")

    app.router.add_get("/", index)
    app.router.add_static("/static", STATIC_DIR)

    async def on_shutdown(app: web.Application) -> None:
        state.close()
        await api.webhooks.close()

    app.on_shutdown.append(on_shutdown)
    return app


@dataclass
class Sandbox:
    """A running sandbox: where to point the bot and the driver, and its state for asserts."""

    base_url: str
    token: str
    state: SandboxState
    app: web.Application

    @property
    def api(self) -> BotApi:
        return self.app[API_KEY]


@asynccontextmanager
async def run_sandbox(
    token: str = DEFAULT_TOKEN,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    flood: FloodLimits | None = None,
    bot_username: str = "exemplar_demo_bot",
    first_update_id: int | None = None,
) -> AsyncIterator[Sandbox]:
    """Serve the sandbox on ``host:port`` (0 = any free port) for the duration of the block."""
    app = create_app(token, flood=flood, bot_username=bot_username,
                     first_update_id=first_update_id)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        bound_host, bound_port = runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield Sandbox(f"http://{shown}:{bound_port}", token, app[STATE_KEY], app)
    finally:
        await runner.cleanup()
