"""``python -m sandbox``: run the emulator in the foreground for manual runs and benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sandbox",
                                description="Local Telegram Bot API emulator")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8081, help="port (0 = any free port)")
    p.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token to accept")
    p.add_argument("--bot-username", default="exemplar_demo_bot")
    p.add_argument("--no-flood-limits", action="store_true", help="disable 429 flood limits")
    p.add_argument("--global-rate", type=float, default=30.0, help="messages/s overall")
    p.add_argument("--global-burst", type=float, default=30.0)
    p.add_argument("--chat-rate", type=float, default=1.0, help="messages/s per chat")
    p.add_argument("--chat-burst", type=float, default=5.0)
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    flood = FloodLimits.off() if args.no_flood_limits else FloodLimits(
        global_rate=args.global_rate, global_burst=args.global_burst,
        chat_rate=args.chat_rate, chat_burst=args.chat_burst)
    app = create_app(args.token, flood=flood, bot_username=args.bot_username)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    await site.start()
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    print(f"Telegram sandbox on {base}", flush=True)
    print(f"  Bot API:   {base}/bot<token>/<method>  (TelegramAPIServer.from_base('{base}'))")
    print(f"  token:     {args.token}")
    print(f"  chat page: {base}/")
    print(f"  driver:    {base}/driver/...  (docs/sandbox.md)")
    print(f"  flood:     {'off' if not flood.enabled else flood}", flush=True)
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(serve(parse_args(argv)))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
