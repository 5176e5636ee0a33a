"""N simulated village heads walk the nomination wizard at once; step latency and throughput.

Per run (one user count): a fresh database (SQLite file in a temporary directory, migrated and
seeded with the demo data), the sandbox emulator on 127.0.0.1 with flood limits off, the bot
polling it with concurrent update handling, and N users, each holding a village_head role in a
demo village, who propose one person under the plan (kontum-44-2023 by default) from /propose to
"Gửi đề xuất", answering every screen with tests/e2e/wizard_driver.py.

A step is one user action (text, button press, photo). Its latency is measured inside the sandbox:
from the moment the action became an update for the bot to the moment the bot's screen for it
(the new message or the edit) reached the sandbox. See bench/README.md for why, and for what else
is printed.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.bot_process import (
    InProcessBot,
    PySpy,
    SubprocessBot,
    _self_cpu,
    wait_until_polling,
)
from bench.wizard_report import HEADER, RunResult, database_label, details, row, summarize
from bench.wizard_users import BenchUser, UserOutcome, nominee_name, walk
from bot.demo import DEMO_PEOPLE, seed
from bot.handlers.wizard import today
from bot.plans.loader import load_preset
from bot.workflow.invitations import accept_invitation, create_invitation
from bot.workflow.users import Contact, get_or_register
from sandbox.botapi import BotApi
from sandbox.client import SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, run_sandbox
from sandbox.state import SandboxState
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Nomination, PlanActivation, ProcessedUpdate, Unit, User

HOST = "127.0.0.1"


@dataclass
class Options:
    users: list[int]
    database: str = "sqlite"  # "sqlite" (a fresh file per run) or a SQLAlchemy URL
    think: float = 0.0  # mean think time between steps, seconds (0: act at once)
    plan: str = "kontum-44-2023"
    step_timeout: float = 30.0
    run_timeout: float = 900.0
    warmup: bool = True
    profile_dir: Path | None = None  # cProfile the bot subprocess into this directory
    py_spy_dir: Path | None = None  # sample the bot subprocess with py-spy into this directory
    keep: bool = False  # keep each run's directory (database, bot log) and print where
    seed: int = 1
    goal_ms: float = 25.0
    goal_users: int = 200



class EventTap:
    """Every chat event of the watched users, time-stamped the moment the sandbox records it.

    The sandbox runs in this process, so this is exact and costs nothing per waiter, whereas
    N long polls on /driver/events are all woken by every event of every user.
    """

    def __init__(self, state: SandboxState) -> None:
        self.queues: dict[int, asyncio.Queue[tuple[float, dict[str, Any]]]] = {}
        original = state.add_event
        queues = self.queues

        def add_event(type_: str, user_id: int, *, seq: int | None = None,
                      **data: Any) -> dict[str, Any]:
            event = original(type_, user_id, seq=seq, **data)
            queue = queues.get(user_id)
            if queue is not None:
                queue.put_nowait((time.perf_counter(), event))
            return event

        state.add_event = add_event  # type: ignore[method-assign]

    def watch(self, user_id: int) -> asyncio.Queue[tuple[float, dict[str, Any]]]:
        return self.queues.setdefault(user_id, asyncio.Queue())


class ApiTap:
    """Counts the bot's Bot API calls that the sandbox refused, by method and description."""

    def __init__(self, api: BotApi) -> None:
        self.failures: Counter[str] = Counter()
        self.calls = 0
        original = api.call

        async def call(method: str, raw: dict[str, Any], uploads: dict[str, Any]
                       ) -> tuple[int, dict[str, Any]]:
            status, body = await original(method, raw, uploads)
            self.calls += 1
            if status != 200:
                self.failures[f"{method} {status} {body.get('description', '')}"[:120]] += 1
            return status, body

        api.call = call  # type: ignore[method-assign]


class GcWatch:
    """No garbage-collection pauses in the load generator during the measured part.

    The sandbox runs in this process, so a long collection here delays the bot's API calls and
    shows up as bot latency. The sandbox keeps every event of the run: at 200 users a full
    collection of that took 100 ms. Automatic collection is therefore off while measuring (the
    run's garbage is a few hundred MB at most) and back on after; any collection that still
    happens is timed and reported. Not with ``--bot inprocess``: the bot's own collections
    are part of what is measured.
    """

    def __init__(self, *, disable: bool) -> None:
        self.disable = disable
        self.longest = 0.0
        self.total = 0.0
        self._started = 0.0

    def __enter__(self) -> GcWatch:
        if self.disable:
            gc.collect()
            gc.disable()
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)
        if self.disable:
            gc.enable()

    def _callback(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            pause = time.perf_counter() - self._started
            self.total += pause
            self.longest = max(self.longest, pause)


async def prepare_database(url: str, count: int, plan_id: str
                           ) -> tuple[list[tuple[int, str]], int]:
    """Migrate, seed the demo data if the database is empty, and give ``count`` new users a
    village_head role each, in turn in the villages where the plan runs. Returns (telegram id,
    unit code) pairs, and the highest update id the bot has already handled in this database."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        factory = create_session_factory(engine)
        async with factory() as session:
            if not await session.scalar(select(func.count()).select_from(Unit)):
                await seed(session, today().date())
                await session.commit()
        async with factory() as session:
            roots = (await session.scalars(
                select(Unit.path).join(PlanActivation, PlanActivation.unit_id == Unit.id)
                .where(PlanActivation.plan_id == plan_id))).all()
            villages = [code for code, path in (await session.execute(
                select(Unit.code, Unit.path).where(Unit.kind == "village").order_by(Unit.code)))
                if any(path.startswith(root) for root in roots)]
            if not villages:
                raise RuntimeError(f"plan {plan_id} runs in no village of the database")
            highest = await session.scalar(select(func.max(User.telegram_id))) or 0
            first = max(7_000_001, highest + 1)
            people = [(first + i, villages[i % len(villages)]) for i in range(count)]
            for telegram_id, unit in people:
                code, _ = await create_invitation(
                    session, role="village_head", unit_code=unit, issuer=None, days=1)
                user = await get_or_register(
                    session, Contact(telegram_id, f"Trưởng thôn {telegram_id}", None, "vi"))
                await accept_invitation(session, user, code)
            await session.commit()
            handled = await session.scalar(select(func.max(ProcessedUpdate.update_id))) or 0
        return people, handled
    finally:
        await engine.dispose()


async def count_submitted(url: str, telegram_ids: list[int]) -> int:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return await session.scalar(
                select(func.count()).select_from(Nomination)
                .join(User, User.id == Nomination.proposer_id)
                .where(User.telegram_id.in_(telegram_ids), Nomination.state == "submitted")
            ) or 0
    finally:
        await engine.dispose()


# --- the bot, in a subprocess or in this process -------------------------------------------


@contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    if keep:
        yield Path(tempfile.mkdtemp(prefix="exemplar-bench-"))
        return
    with tempfile.TemporaryDirectory(prefix="exemplar-bench-") as name:
        yield Path(name)



async def run_once(count: int, opts: Options, bot_kind: str) -> RunResult:
    plan = load_preset(opts.plan)
    with workspace(opts.keep) as workdir:
        if opts.keep:
            print(f"  (run directory kept: {workdir})", flush=True)
        url = (f"sqlite+aiosqlite:///{workdir / 'bench.db'}" if opts.database == "sqlite"
               else opts.database)
        warm = 1 if opts.warmup else 0
        people, handled = await prepare_database(url, count + warm, opts.plan)
        connector = aiohttp.TCPConnector(limit=0)  # one connection per user, no client queue
        async with (
            run_sandbox(DEFAULT_TOKEN, host=HOST, port=0, flood=FloodLimits.off()) as sandbox,
            aiohttp.ClientSession(connector=connector) as http,
            SandboxClient(sandbox.base_url, session=http, timeout=opts.step_timeout) as client,
        ):
            # A reused database remembers the update ids it handled; ids below them would
            # still be handled (they are other updates), but keep the counter growing as
            # Telegram's does, so the run is what a bot meets in production.
            if handled >= sandbox.state._next_update_id:
                sandbox.state.restart_update_counter(handled + 1)
            tap = EventTap(sandbox.state)
            api = ApiTap(sandbox.api)
            for telegram_id, _unit in people:
                await client.user(telegram_id, f"Trưởng thôn {telegram_id}", language_code="vi")
                tap.watch(telegram_id)
            for person in DEMO_PEOPLE:  # reviewers and officers are told of each submission
                await client.user(person.telegram_id, person.name,
                                  language_code=person.language, started=True)
            profile = None
            if opts.profile_dir is not None and bot_kind == "subprocess":
                opts.profile_dir.mkdir(parents=True, exist_ok=True)
                profile = opts.profile_dir / f"bot-{count}.prof"
            bot: SubprocessBot | InProcessBot = (
                SubprocessBot(sandbox.base_url, url, workdir, profile)
                if bot_kind == "subprocess" else InProcessBot(sandbox.base_url, url, workdir))
            await bot.start()
            try:
                await wait_until_polling(sandbox.state, bot)
                outcomes = [UserOutcome(telegram_id) for telegram_id, _ in people]
                users = [
                    BenchUser(client, tap.watch(o.telegram_id), o, nominee=nominee_name(i),
                              think=opts.think, rng=random.Random(opts.seed * 100_003 + i),
                              step_timeout=opts.step_timeout, measured=i >= warm)
                    for i, o in enumerate(outcomes)
                ]
                for user in users[:warm]:  # first-use costs (plans, catalogs) out of the way
                    user.think = 0.0
                    await walk(user, plan)
                    if not user.outcome.submitted:
                        raise RuntimeError(f"the warm-up walk failed: {user.outcome.failure}")
                measured = users[warm:]
                sampler = None
                if opts.py_spy_dir is not None and isinstance(bot, SubprocessBot) and bot.proc:
                    sampler = await PySpy.start(bot.proc.pid,
                                                opts.py_spy_dir / f"bot-{count}.txt")
                bot.mark()
                # In process, the bot shares this process: its own collections must stay.
                gc_watch = GcWatch(disable=bot_kind == "subprocess")
                with gc_watch:
                    cpu0, started = _self_cpu(), time.perf_counter()
                    tasks = [asyncio.create_task(walk(user, plan)) for user in measured]
                    try:
                        async with asyncio.timeout(opts.run_timeout):
                            await asyncio.gather(*tasks)
                    except TimeoutError:
                        for task in tasks:
                            task.cancel()
                        await asyncio.gather(*tasks, return_exceptions=True)
                        for user in measured:
                            if not user.outcome.submitted and user.outcome.failure is None:
                                user.outcome.failure = f"run stopped after {opts.run_timeout:g} s"
                                user.outcome.error_steps += 1
                    wall = time.perf_counter() - started
                    generator_cpu = _self_cpu() - cpu0
                load_average = os.getloadavg()[0]
                peak_rss, bot_cpu = bot.sample()
                if bot_cpu is not None:
                    bot_cpu -= bot.cpu_mark
                if sampler is not None:
                    await sampler.stop()
            finally:
                await bot.stop()
            log_errors, log_samples = bot.log_errors()
        submitted = await count_submitted(url, [u.outcome.telegram_id for u in measured])
    return summarize(
        count, opts, bot.label, [u.outcome for u in measured], wall=wall,
        api_failures=dict(api.failures), log_errors=log_errors, log_samples=log_samples,
        submitted=submitted, peak_rss=peak_rss, bot_cpu=bot_cpu,
        generator_cpu=generator_cpu, in_process=bot_kind == "inprocess",
        load_average=load_average, generator_gc=gc_watch)


async def run(opts: Options, bots: list[str], say: Callable[[str], None] = print
              ) -> list[RunResult]:
    label = database_label(opts.database)
    say(f"wizard benchmark: plan {opts.plan}, database {label}"
        f"{' (a fresh file per run)' if opts.database == 'sqlite' else ' (the URL given)'}, "
        "flood limits off, "
        f"think time {opts.think:g} s, bot polling with handle_as_tasks=True")
    say("latency = update created in the sandbox -> the bot's screen for it arrived there")
    results: list[RunResult] = []
    say(HEADER)
    for bot_kind in bots:
        for count in opts.users:
            result = await run_once(count, opts, bot_kind)
            results.append(result)
            say(row(result))
            say(details(result))
    at_goal = [r for r in results if r.users == opts.goal_users]
    for r in at_goal:
        verdict = "met" if r.p99 <= opts.goal_ms and r.errors == 0 else "MISSED"
        say(f"goal p99 <= {opts.goal_ms:g} ms at {opts.goal_users} users ({r.bot}, "
            f"{r.database}, think {r.think:g} s): {verdict} (p99 {r.p99:.1f} ms, "
            f"{r.errors} errors)")
    return results


