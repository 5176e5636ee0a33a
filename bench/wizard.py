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
import json
import logging
import math
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import App, create_app, run_polling
from bot.config import Settings
from bot.demo import DEMO_PEOPLE, seed
from bot.handlers.wizard import today
from bot.plans.loader import load_preset
from bot.plans.schema import Plan
from bot.workflow.invitations import accept_invitation, create_invitation
from bot.workflow.users import Contact, get_or_register
from sandbox.botapi import BotApi
from sandbox.client import Reply, SandboxClient
from sandbox.flood import FloodLimits
from sandbox.server import DEFAULT_TOKEN, run_sandbox
from sandbox.state import SandboxState
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Nomination, PlanActivation, ProcessedUpdate, Unit, User
from tests.e2e.wizard_driver import complete

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SUBMIT_BUTTON = "1. Gửi đề xuất"
SUBMITTED_TEXT = "Đã gửi"
#: What the bot says when a step went wrong on its side, or a button was stale.
ERROR_MARKERS = (
    "Xin lỗi, hệ thống vừa gặp sự cố",
    "Sorry, something went wrong",
    "không còn dùng được",
    "không còn mở",
)
#: The nominee names tests/e2e/wizard_driver.py types; each simulated user proposes someone else,
#: so that the duplicate check finds what it would find in real use (nobody, mostly).
DRIVER_NAMES = frozenset({"Y Thị Hoa", "A Blin", "Phạm Văn Hùng", "Tổ hợp tác trồng sâm Ngọc Linh"})
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Y", "A", "Đinh", "Hồ", "Rơ Châm", "Ksor")
MIDDLES = ("Văn", "Thị", "Hữu", "Minh", "Đức")
GIVEN = ("Hoa", "Lan", "Blin", "Thút", "Hùng", "Mai", "Nam", "Hương", "Sơn", "Tâm",
         "Bình", "Khánh", "Linh", "Phúc", "Quang", "Thảo", "Trang", "Vinh", "Yến", "Dũng")


def nominee_name(index: int) -> str:
    a, rest = index % len(SURNAMES), index // len(SURNAMES)
    b, c = rest % len(MIDDLES), (rest // len(MIDDLES)) % len(GIVEN)
    return f"{SURNAMES[a]} {MIDDLES[b]} {GIVEN[c]}"


# --- options and results -------------------------------------------------------------------


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


@dataclass
class Step:
    kind: str  # text | press | photo
    latency: float  # update created -> the bot's screen (message or edit) arrived, seconds
    first: float  # update created -> the bot's first event in the chat (a callback answer, say)
    client: float  # the driver call was sent -> the load generator saw the screen
    position: int = 0  # 1 for /propose, then the walk's steps in order


@dataclass
class UserOutcome:
    telegram_id: int
    steps: list[Step] = field(default_factory=list)
    error_steps: int = 0
    failure: str | None = None
    submitted: bool = False
    late_events: int = 0  # bot events that came after the step they belonged to had ended


@dataclass
class RunResult:
    users: int
    bot: str
    database: str
    think: float
    completed: int
    steps: int
    wall: float
    throughput: float
    p50: float
    p90: float
    p99: float
    max: float
    first_p99: float
    client_p99: float
    errors: int
    error_samples: list[str]
    api_failures: dict[str, int]
    bot_log_errors: int
    late_events: int
    submitted_in_db: int
    bot_peak_rss_mb: float | None
    bot_cpu_percent: float | None
    bot_cpu_ms_per_step: float | None
    load_average: float
    generator_cpu_percent: float
    by_kind_p99: dict[str, float]
    slowest_positions: list[tuple[int, int]]  # (step of the walk, how many) above the p99
    by_position: dict[int, tuple[float, float]]  # step of the walk -> (p50, p99) in ms
    generator_gc_longest_ms: float
    generator_gc_total_ms: float


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


# --- watching the sandbox from inside ------------------------------------------------------


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


class StepFailed(Exception):
    pass


def _is_bot_screen(event: dict[str, Any]) -> bool:
    return event["type"] in ("message", "edit") and event["message"]["from"] == "bot"


class BenchUser:
    """What tests/e2e/wizard_driver.py needs of a user (send, press, photo), timed.

    An action is posted without waiting for "handled" (with concurrent handling the bot confirms
    an update before it has answered it); the reply is the bot's first new message or edit in
    this chat after the action. Every step of the wizard answers with exactly one (checked at the
    end of the run: any bot event that arrives after its step ended is counted as late).
    """

    def __init__(self, client: SandboxClient, queue: asyncio.Queue[tuple[float, dict[str, Any]]],
                 outcome: UserOutcome, *, nominee: str, think: float, rng: random.Random,
                 step_timeout: float, measured: bool = True) -> None:
        self.client = client
        self.queue = queue
        self.outcome = outcome
        self.id = outcome.telegram_id
        self.nominee = nominee
        self.think = think
        self.rng = rng
        self.step_timeout = step_timeout
        self.measured = measured

    async def send(self, text: str, **_: Any) -> Reply:
        if text in DRIVER_NAMES:
            text = self.nominee
        return await self._act("text", "text", {"text": text})

    async def press(self, text: str | None = None, data: str | None = None,
                    message_id: int | None = None, **_: Any) -> Reply:
        body = {"text": text, "callback_data": data, "message_id": message_id}
        return await self._act("press", "press", {k: v for k, v in body.items() if v is not None})

    async def photo(self, caption: str | None = None, **_: Any) -> Reply:
        return await self._act("photo", "photo", {"caption": caption, "width": 1280,
                                                  "height": 960})

    async def _act(self, kind: str, path: str, body: dict[str, Any]) -> Reply:
        if self.think > 0:  # reading the screen and typing; capped so runs stay bounded
            await asyncio.sleep(min(self.rng.expovariate(1 / self.think), 5 * self.think))
        sent_at = time.perf_counter()
        _, data = await self.client._call("POST", f"/driver/users/{self.id}/{path}", json=body)
        seq = data["seq"]
        reply = Reply(data.get("update_id"), seq, data.get("message_id"),
                      data.get("callback_query_id"))
        created_at = first_at = screen_at = None
        # A press is answered twice: the callback answer and the screen, in either order (the
        # bot sends them side by side). The step ends when both are in; it is timed at the screen.
        awaiting_answer = kind == "press"
        events: list[dict[str, Any]] = []
        deadline = sent_at + self.step_timeout
        while True:
            remaining = deadline - time.perf_counter()
            try:
                async with asyncio.timeout(max(remaining, 0)):
                    stamp, event = await self.queue.get()
            except TimeoutError:
                self.outcome.error_steps += 1
                raise StepFailed(f"no reply to a {kind} within {self.step_timeout:g} s") from None
            if event["seq"] < seq:
                self.outcome.late_events += 1
                continue
            if event["seq"] == seq:
                created_at = stamp
                continue
            if event["type"] == "callback_query" or (
                    event["type"] == "message" and event["message"]["from"] == "user"):
                continue
            events.append(event)
            first_at = first_at or stamp
            if event["type"] == "callback_answer":
                awaiting_answer = False
            elif screen_at is None and _is_bot_screen(event):
                screen_at = stamp
            if screen_at is not None and not awaiting_answer:
                break
        seen_at = time.perf_counter()
        reply.handled = True
        reply.absorb(events)
        if any(marker in reply.text for marker in ERROR_MARKERS):
            self.outcome.error_steps += 1
            raise StepFailed("error reply: " + reply.text[:160].replace("\n", " "))
        if self.measured:
            created = created_at if created_at is not None else sent_at
            self.outcome.steps.append(Step(kind, screen_at - created,
                                           (first_at or screen_at) - created, seen_at - sent_at,
                                           len(self.outcome.steps) + 1))
        return reply


async def walk(user: BenchUser, plan: Plan) -> None:
    """One full proposal: /propose, every screen, then send it up the review chain."""
    outcome = user.outcome
    try:
        run = await complete(user, plan, await user.send("/propose"))  # type: ignore[arg-type]
        if "Gửi đề xuất" not in " ".join(run.last.buttons if run.last else []):
            outcome.error_steps += 1
            raise StepFailed("the summary offers no 'send': " + run.text[-200:])
        sent = await user.press(text=SUBMIT_BUTTON)
        if SUBMITTED_TEXT not in sent.text:
            outcome.error_steps += 1
            raise StepFailed("not submitted: " + sent.text[:160])
        outcome.submitted = True
    except StepFailed as exc:
        outcome.failure = str(exc)
    except AssertionError as exc:  # the driver met a screen it does not know
        outcome.error_steps += 1
        outcome.failure = "unexpected screen: " + str(exc).replace("\n", " ")[:200]
    except Exception as exc:  # a refused driver call, a dropped connection: report, go on
        outcome.error_steps += 1
        outcome.failure = f"{type(exc).__name__}: {exc}"[:200]


# --- the database --------------------------------------------------------------------------


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


def _proc_status(pid: int) -> tuple[float | None, float | None]:
    """Peak RSS (MB) and CPU time (s) of a Linux process; None where /proc is not there."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None, None
    peak = next((int(line.split()[1]) / 1024 for line in status.splitlines()
                 if line.startswith("VmHWM:")), None)
    ticks = os.sysconf("SC_CLK_TCK")
    return peak, (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _error_kinds(texts: list[str]) -> list[str]:
    """The three commonest error texts, counted, with numbers (ids, times) folded away."""
    kinds = Counter(re.sub(r"\b\d+\b", "N", text) for text in texts)
    return [f"{n}× {text}" for text, n in kinds.most_common(3)]


def _count_log_errors(path: Path) -> tuple[int, list[str]]:
    """ERROR lines of a `bot run` log, each with the exception line that follows it."""
    if not path.exists():
        return 0, []
    lines = path.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if " ERROR " in line or " CRITICAL " in line:
            text = line.split(" ", 2)[-1]  # without the date and time
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if following and not following[:1].isdigit():
                text += f" [{following.strip()[:100]}]"
            found.append(text[:220])
    return len(found), _error_kinds(found)


class SubprocessBot:
    """``python -m bot run`` with the environment pointing it at the sandbox."""

    label = "subprocess"

    def __init__(self, base_url: str, database_url: str, workdir: Path,
                 profile: Path | None) -> None:
        self.base_url = base_url
        self.database_url = database_url
        self.workdir = workdir
        self.profile = profile
        self.log_path = workdir / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.cpu_mark = 0.0

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WEBHOOK_", "TELEGRAM_", "DATABASE_", "BOT_"))}
        env.update(
            DATABASE_URL=self.database_url, TELEGRAM_API_BASE=self.base_url,
            BOT_TOKEN=DEFAULT_TOKEN, EVIDENCE_DIR=str(self.workdir / "evidence"),
            LOG_LEVEL="INFO", DEFAULT_LOCALE="vi",
            PYTHONPATH=os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH")))),
        )
        command = [sys.executable]
        if self.profile is not None:
            command += ["-m", "cProfile", "-o", str(self.profile)]
        command += ["-m", "bot", "run"]
        with self.log_path.open("wb") as log:  # the child keeps its own descriptor
            self.proc = await asyncio.create_subprocess_exec(
                *command, cwd=self.workdir, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=asyncio.subprocess.STDOUT)

    def exited(self) -> bool:
        return self.proc is None or self.proc.returncode is not None

    def mark(self) -> None:
        self.cpu_mark = self.sample()[1] or 0.0

    def sample(self) -> tuple[float | None, float | None]:
        return _proc_status(self.proc.pid) if self.proc else (None, None)

    async def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        for sig, wait in ((signal.SIGINT, 30.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            proc.send_signal(sig)
            try:
                async with asyncio.timeout(wait):
                    await proc.wait()
                return
            except TimeoutError:
                continue

    def log_errors(self) -> tuple[int, list[str]]:
        return _count_log_errors(self.log_path)


class PySpy:
    """``py-spy record`` attached to the bot for the measured part of a run (raw stacks)."""

    def __init__(self, proc: asyncio.subprocess.Process, path: Path) -> None:
        self.proc = proc
        self.path = path

    @classmethod
    async def start(cls, pid: int, path: Path) -> PySpy:
        path.parent.mkdir(parents=True, exist_ok=True)
        exe = Path(sys.executable).with_name("py-spy")
        if not exe.exists():
            raise RuntimeError(f"--py-spy needs py-spy next to {sys.executable}: "
                               f"{Path(sys.executable).with_name('pip')} install py-spy")
        proc = await asyncio.create_subprocess_exec(
            str(exe), "record", "--pid", str(pid), "--rate", "250", "--nonblocking", "--gil",
            "--format", "raw", "--output", str(path),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        await asyncio.sleep(0.5)  # attached before the users start
        return cls(proc, path)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl+C
            try:
                async with asyncio.timeout(20):
                    await self.proc.wait()
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class _ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" [{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:100]}]"
        self.records.append(text[:220])


class InProcessBot:
    """The bot in this event loop: ``run_polling(handle_as_tasks=True)``, as ``bot run`` does."""

    label = "inprocess"

    def __init__(self, base_url: str, database_url: str, workdir: Path) -> None:
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=database_url,
            telegram_api_base=AnyHttpUrl(base_url),
            bot_token=SecretStr(DEFAULT_TOKEN),
            evidence_dir=workdir / "evidence",
        )
        self.workdir = workdir
        self.app: App | None = None
        self.task: asyncio.Task[None] | None = None
        self.errors = _ErrorCounter()
        self.file_handler = logging.FileHandler(workdir / "bot.log", encoding="utf-8")
        self.file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.cpu_mark = 0.0
        self.saved_level = logging.getLogger().level

    async def start(self) -> None:
        root = logging.getLogger()  # the same INFO log a `bot run` process writes
        root.addHandler(self.file_handler)
        root.addHandler(self.errors)
        root.setLevel(logging.INFO)
        self.app = create_app(self.settings)
        self.task = asyncio.create_task(
            run_polling(self.app, handle_signals=False, handle_as_tasks=True))

    def exited(self) -> bool:
        return self.task is None or self.task.done()

    def mark(self) -> None:
        self.cpu_mark = _self_cpu()

    def sample(self) -> tuple[float | None, float | None]:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, _self_cpu()

    async def stop(self) -> None:
        try:
            if self.app is not None:
                try:
                    await self.app.dispatcher.stop_polling()
                except RuntimeError:
                    pass
            if self.task is not None:
                try:
                    async with asyncio.timeout(15):
                        await self.task
                except TimeoutError:
                    self.task.cancel()
        finally:
            root = logging.getLogger()
            root.removeHandler(self.file_handler)
            root.removeHandler(self.errors)
            root.setLevel(self.saved_level)
            self.file_handler.close()

    def log_errors(self) -> tuple[int, list[str]]:
        return len(self.errors.records), _error_kinds(self.errors.records)


async def wait_until_polling(state: SandboxState, bot: SubprocessBot | InProcessBot,
                             limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while state.poll_generation < 1:
        if bot.exited():
            raise RuntimeError(f"the bot stopped during start-up; see its log in {bot.workdir}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the bot did not poll the sandbox within {limit:g} s")
        await asyncio.sleep(0.05)


# --- one run -------------------------------------------------------------------------------


@contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    if keep:
        yield Path(tempfile.mkdtemp(prefix="exemplar-bench-"))
        return
    with tempfile.TemporaryDirectory(prefix="exemplar-bench-") as name:
        yield Path(name)


def database_label(database: str) -> str:
    if database == "sqlite":
        return "sqlite"
    return make_url(database).get_backend_name()


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


def summarize(count: int, opts: Options, bot_label: str, outcomes: list[UserOutcome], *,
              wall: float, api_failures: dict[str, int], log_errors: int,
              log_samples: list[str], submitted: int, peak_rss: float | None,
              bot_cpu: float | None, generator_cpu: float, in_process: bool,
              load_average: float, generator_gc: GcWatch) -> RunResult:
    steps = [s for o in outcomes for s in o.steps]
    latencies = sorted(s.latency for s in steps)
    firsts = sorted(s.first for s in steps)
    clients = sorted(s.client for s in steps)
    by_kind: dict[str, list[float]] = {}
    by_position: dict[int, list[float]] = {}
    for s in steps:
        by_kind.setdefault(s.kind, []).append(s.latency)
        by_position.setdefault(s.position, []).append(s.latency)
    p99 = percentile(latencies, 0.99)
    slowest = Counter(s.position for s in steps if s.latency > p99)
    failures = Counter(o.failure for o in outcomes if o.failure)
    samples = [f"{n}× {text}" for text, n in failures.most_common(3)] + log_samples
    ms = 1000.0
    return RunResult(
        users=count,
        bot=bot_label,
        database=database_label(opts.database),
        think=opts.think,
        completed=sum(o.submitted for o in outcomes),
        steps=len(steps),
        wall=wall,
        throughput=len(steps) / wall if wall > 0 else 0.0,
        p50=percentile(latencies, 0.50) * ms,
        p90=percentile(latencies, 0.90) * ms,
        p99=p99 * ms,
        max=(latencies[-1] * ms) if latencies else 0.0,
        first_p99=percentile(firsts, 0.99) * ms,
        client_p99=percentile(clients, 0.99) * ms,
        errors=sum(o.error_steps for o in outcomes) + sum(api_failures.values()) + log_errors,
        error_samples=samples,
        api_failures=api_failures,
        bot_log_errors=log_errors,
        late_events=sum(o.late_events for o in outcomes),
        submitted_in_db=submitted,
        bot_peak_rss_mb=peak_rss,
        bot_cpu_percent=None if bot_cpu is None else 100 * bot_cpu / wall,
        bot_cpu_ms_per_step=None if bot_cpu is None or not steps else 1000 * bot_cpu / len(steps),
        load_average=load_average,
        generator_cpu_percent=(0.0 if in_process else 100 * generator_cpu / wall),
        by_kind_p99={k: percentile(sorted(v), 0.99) * ms for k, v in sorted(by_kind.items())},
        slowest_positions=slowest.most_common(6),
        by_position={
            k: (percentile(sorted(v), 0.50) * ms, percentile(sorted(v), 0.99) * ms)
            for k, v in sorted(by_position.items())
        },
        generator_gc_longest_ms=generator_gc.longest * ms,
        generator_gc_total_ms=generator_gc.total * ms,
    )


# --- reporting -----------------------------------------------------------------------------

HEADER = (f"{'bot':10} {'users':>5} {'done':>5} {'steps':>6} {'wall s':>7} {'steps/s':>8} "
          f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} "
          f"{'bot RSS MB':>10} {'bot CPU':>7} {'CPU ms/step':>11} {'gen CPU':>7}")


def _opt(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def row(r: RunResult) -> str:
    gen = "-" if r.bot == "inprocess" else f"{r.generator_cpu_percent:.0f}%"
    return (f"{r.bot:10} {r.users:5d} {r.completed:5d} {r.steps:6d} {r.wall:7.2f} "
            f"{r.throughput:8.1f} {r.p50:7.1f} {r.p90:7.1f} {r.p99:7.1f} {r.max:7.1f} "
            f"{r.errors:6d} {_opt(r.bot_peak_rss_mb, '10.0f')} "
            f"{_opt(r.bot_cpu_percent, '6.0f')}% {_opt(r.bot_cpu_ms_per_step, '11.1f')} "
            f"{gen:>7}")


def details(r: RunResult) -> str:
    kinds = ", ".join(f"{k} {v:.1f}" for k, v in r.by_kind_p99.items())
    where = ", ".join(f"#{position} {n}×" for position, n in r.slowest_positions) or "-"
    lines = [
        f"  p99 by action (ms): {kinds}; p99 to the first bot event {r.first_p99:.1f} ms, "
        f"as the load generator saw it {r.client_p99:.1f} ms",
        f"  steps of the walk most often above the p99: {where}",
        f"  proposals submitted (database): {r.submitted_in_db}/{r.users}; late bot events: "
        f"{r.late_events}; refused API calls: {sum(r.api_failures.values())}; "
        f"bot log errors: {r.bot_log_errors}; load average at the end {r.load_average:.2f}",
        f"  load generator's garbage collection: longest pause {r.generator_gc_longest_ms:.1f} ms,"
        f" {r.generator_gc_total_ms:.0f} ms in all",
    ]
    lines += [f"  ! {sample}" for sample in r.error_samples]
    lines += [f"  ! refused: {n}× {what}" for what, n in r.api_failures.items()]
    return "\n".join(lines)


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


def write_json(path: Path, results: list[RunResult]) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))


def print_profiles(directory: Path, top: int = 25) -> None:
    """The heaviest functions of each profiled bot run, by own time and by cumulative time."""
    import pstats

    for path in sorted(directory.glob("bot-*.prof")):
        print(f"\n== {path} (cProfile of the bot process; `python -m pstats {path}` for more)")
        stats = pstats.Stats(str(path))
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(r"/(bot|storage)/", top)


def _frame_parts(frame: str) -> tuple[str, str]:
    """``"func (path/to/file.py:12)"`` -> ("func", "path/to/file.py")."""
    name, _, where = frame.rpartition(" (")
    return name, where.rstrip(")").rsplit(":", 1)[0]


def _package(path: str) -> str:
    """py-spy names files by module path: ``sqlalchemy/orm/session.py``, ``bot/cli.py``."""
    first = path.split("/", 1)[0]
    return first.removesuffix(".py") + (" (project)" if first in PROJECT else "")


PROJECT = ("bot", "storage", "sandbox")


def print_py_spy(directory: Path, top: int = 20) -> None:
    """Where the bot's busy samples were: by package of the innermost frame, by function
    (own samples), and by project function (samples with it anywhere on the stack)."""
    for path in sorted(directory.glob("bot-*.txt")):
        own: Counter[str] = Counter()
        packages: Counter[str] = Counter()
        inclusive: Counter[str] = Counter()
        total = 0
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            total += count
            frames = [_frame_parts(f) for f in stack.split(";")]
            name, file = frames[-1]
            own[f"{file}:{name}"] += count
            packages[_package(file)] += count
            for name, file in {f for f in frames if f[1].split("/", 1)[0] in PROJECT}:
                inclusive[f"{file}:{name}"] += count
        if not total:
            continue
        print(f"\n== {path}: {total} samples of the bot holding the GIL (py-spy --gil, 250 Hz)")
        print("-- by package of the innermost frame")
        for name, n in packages.most_common(12):
            print(f"  {100 * n / total:5.1f}%  {name}")
        print("-- by function, own samples")
        for name, n in own.most_common(top):
            print(f"  {100 * n / total:5.1f}%  {name}")
        print("-- project functions, samples anywhere below them")
        for name, n in inclusive.most_common(top):
            print(f"  {100 * n / total:5.1f}%  {name}")
