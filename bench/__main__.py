"""``python -m bench [wizard|broadcast|reports] [options]``; see README.md."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # the wizard driver lives in tests/e2e
    sys.path.insert(0, str(REPO))


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of user counts: {text!r}") from None
    if not counts or any(n < 1 or n > 5000 for n in counts):
        raise argparse.ArgumentTypeError("user counts must be between 1 and 5000")
    return counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of the bot against the sandbox emulator (loopback only).",
    )
    sub = parser.add_subparsers(dest="bench")
    wizard = sub.add_parser(
        "wizard", help="N simulated village heads propose through the wizard at once")
    wizard.add_argument("--users", type=_counts, default=[1, 50, 200],
                        help="user counts, one run each: 200 or 1,50,200 (default 1,50,200)")
    wizard.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh file per run, default) or a database URL, "
                             "e.g. postgresql+asyncpg://user@127.0.0.1/bench (migrated and "
                             "seeded with the demo data if empty; its rows are kept)")
    wizard.add_argument("--bot", choices=("subprocess", "inprocess", "both"),
                        default="subprocess",
                        help="run the bot as `python -m bot run` in its own process (default), "
                             "in the benchmark's event loop, or both one after the other")
    wizard.add_argument("--think", type=float, default=0.0, metavar="SECONDS",
                        help="mean think time before each action (exponential, capped at 5x); "
                             "0 (default) acts as soon as the screen arrives")
    wizard.add_argument("--plan", default="kontum-44-2023",
                        help="preset to propose under, as a village head in the demo villages "
                             "where it runs (default kontum-44-2023)")
    wizard.add_argument("--step-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="a step with no reply by then is an error (default 30)")
    wizard.add_argument("--run-timeout", type=float, default=900.0, metavar="SECONDS",
                        help="stop a run after this long (default 900)")
    wizard.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the unmeasured walk that warms the bot up")
    wizard.add_argument("--profile", type=Path, metavar="DIR",
                        help="run the bot subprocess under cProfile; DIR/bot-N.prof per run")
    wizard.add_argument("--py-spy", type=Path, metavar="DIR", dest="py_spy",
                        help="sample the bot subprocess with py-spy (pip install py-spy) during "
                             "the measured part; raw stacks in DIR/bot-N.txt and a summary")
    wizard.add_argument("--keep", action="store_true",
                        help="keep each run's directory (database, bot.log) and print its path")
    wizard.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    wizard.add_argument("--seed", type=int, default=1, help="seed of the think times")
    wizard.add_argument("--goal-ms", type=float, default=25.0,
                        help="p99 goal in ms at --goal-users (default 25)")
    wizard.add_argument("--goal-users", type=int, default=200)
    wizard.add_argument("--check", action="store_true",
                        help="exit 1 when the goal is missed (errors always exit 1)")
    broadcast = sub.add_parser(
        "broadcast", help="the outbox drained to N people at Telegram's own flood limits")
    broadcast.add_argument("--recipients", type=int, default=10_000)
    broadcast.add_argument("--send-rate", type=float, default=25.0, help="SEND_RATE (default 25)")
    broadcast.add_argument("--database", default="sqlite",
                           help="'sqlite' (a fresh file, default) or an empty database's URL")
    broadcast.add_argument("--timeout", type=float, default=900.0, metavar="SECONDS")
    broadcast.add_argument("--goal-minutes", type=float, default=7.0)
    broadcast.add_argument("--goal-rss-mb", type=float, default=200.0)
    broadcast.add_argument("--keep", action="store_true", help="keep the run directory")
    broadcast.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    broadcast.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    reports = sub.add_parser(
        "reports", help="a district's /progress and its chart over N nominations")
    reports.add_argument("--nominations", type=int, default=10_000)
    reports.add_argument("--communes", type=int, default=100)
    reports.add_argument("--database", default="sqlite",
                         help="'sqlite' (a fresh file, default) or an empty database's URL")
    reports.add_argument("--goal-s", type=float, default=2.0)
    reports.add_argument("--goal-rss-mb", type=float, default=200.0)
    reports.add_argument("--keep", action="store_true",
                         help="keep the run directory (the charts, the database)")
    reports.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    reports.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    return parser


def _reports(args: argparse.Namespace) -> int:
    from bench.reports import run_reports

    result = asyncio.run(
        run_reports(args.nominations, args.communes, args.database, args.keep,
                    lambda line: print(line, flush=True))
    )
    return _finish(args, "reports", result, (args.goal_s, args.goal_rss_mb))


def _broadcast(args: argparse.Namespace) -> int:
    from bench.broadcast import run_broadcast

    result = asyncio.run(
        run_broadcast(
            args.recipients, args.send_rate, args.database, args.keep, args.timeout,
            lambda line: print(line, flush=True),
        )
    )
    return _finish(args, "broadcast", result, (args.goal_minutes, args.goal_rss_mb))


def _finish(args: argparse.Namespace, bench: str, result: Any, goals: tuple[float, ...]) -> int:
    """A one-run benchmark's end: its lines, whether its goals were met, --json, --check."""
    for line in result.lines(*goals):
        print(line, flush=True)
    met = result.met(*goals)
    print("  goals met" if met else "  a goal is missed", flush=True)
    if args.json:
        from bench.results import write_results

        write_results(args.json, bench, met, [result])
    return 1 if args.check and not met else 0


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or words[0] not in ("wizard", "broadcast", "reports", "-h", "--help"):
        words = ["wizard", *words]  # `make bench`, or options alone: the wizard benchmark
    args = build_parser().parse_args(words)
    if args.bench == "broadcast":
        return _broadcast(args)
    if args.bench == "reports":
        return _reports(args)

    from bench.results import write_results
    from bench.wizard import Options, run

    opts = Options(
        users=args.users, database=args.database, think=args.think, plan=args.plan,
        step_timeout=args.step_timeout, run_timeout=args.run_timeout, warmup=args.warmup,
        profile_dir=args.profile, py_spy_dir=args.py_spy,
        keep=args.keep or args.profile is not None, seed=args.seed,
        goal_ms=args.goal_ms, goal_users=args.goal_users,
    )
    bots = ["subprocess", "inprocess"] if args.bot == "both" else [args.bot]
    results = asyncio.run(run(opts, bots, lambda line: print(line, flush=True)))
    missed = [r for r in results if r.users == args.goal_users and r.p99 > args.goal_ms]
    if args.json:
        met = not missed and not any(r.errors for r in results)
        write_results(args.json, "wizard", met, results)
    if args.profile:
        from bench.wizard_report import print_profiles

        print_profiles(args.profile)
    if args.py_spy:
        from bench.wizard_report import print_py_spy

        print_py_spy(args.py_spy)
    if any(r.errors for r in results):
        return 1
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
