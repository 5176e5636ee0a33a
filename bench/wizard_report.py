"""What the wizard benchmark prints and writes: a run's summary, its table row and details, the
JSON results, the profiles. Split from :mod:`bench.wizard`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bench.wizard_users import UserOutcome

if TYPE_CHECKING:
    from bench.wizard import GcWatch, Options

from collections import Counter
from pathlib import Path


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


def database_label(database: str) -> str:
    if database == "sqlite":
        return "sqlite"
    return make_url(database).get_backend_name()


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
