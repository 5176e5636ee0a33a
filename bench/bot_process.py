"""The bot under benchmark: as `python -m bot run` in its own process (its CPU, RSS and errors
read from /proc and its log), or in the benchmark's event loop; py-spy sampling. Split from
:mod:`bench.wizard`."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import resource
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from pydantic import AnyHttpUrl, SecretStr

from bot.app import App, create_app, run_polling
from bot.config import Settings
from sandbox.server import DEFAULT_TOKEN
from sandbox.state import SandboxState

REPO = Path(__file__).resolve().parent.parent


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
                 profile: Path | None = None, **settings: str) -> None:
        self.base_url = base_url
        self.database_url = database_url
        self.workdir = workdir
        self.profile = profile
        self.settings = settings  # more of the bot's settings, by their variable's name
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
        env.update(self.settings)
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
