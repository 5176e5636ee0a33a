"""``python -m bench reports --nominations 10000``: a district's progress and its chart.

Builds, in a fresh SQLite file (or an empty database's URL), a district of N communes with three
villages each, a plan with a quota per commune, and M nominations spread over the villages in
every state and category; then times what /progress does for the district: the counts (two
GROUP BY queries and the roll-up), the text of its first page, the chart of that page (ten
communes, as sent), for the record a chart of every commune at once, and the district's Excel
registration list (issue 32). Peak memory is the process's peak RSS, the data included. Goals
(issues 31, 32): each at most 2 s, at most 200 MB.
"""

from __future__ import annotations

import random
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select

from bot.dialogs import progress as dialog
from bot.i18n import use_locale
from bot.reports.chart import chart_png
from bot.reports.progress import SHOWN, progress_of
from bot.reports.registration import listed, workbook
from bot.workflow.activations import activate_plan, running_plans
from bot.workflow.actor import Actor, Role
from bot.workflow.plans import store_plan
from bot.workflow.units import load_units, parse_units_csv
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Nomination, PlanVersion, Unit, User

PLAN = """\
[plan]
id = "bench-reports"
title = "Kế hoạch xây dựng điển hình tiên tiến huyện Thử"
document = "1/KH-UBND"
issuer = "UBND huyện Thử"
issued_on = 2026-01-01
period = {{ start = 2026-01-01, end = 2027-12-31 }}
review_chain = ["commune", "district"]
source = "bench"

[[deadline]]
id = "de-xuat"
title = "Gửi danh sách đề xuất"
date = 2027-06-30
owed_by = "commune"
cite = "Mục 4"

[[quota]]
unit_kind = "commune"
min = 60
max = 120
cite = "Mục 3"
{categories}"""
CATEGORY = """
[[category]]
id = "linh-vuc-{n}"
title = "Lĩnh vực thứ {n}"
subjects = ["individual"]
cite = "Mục 2.{n}"

  [[category.criterion]]
  id = "tieu-chi-{n}"
  text = "Gương mẫu chấp hành pháp luật"
  kind = "attest"
  cite = "Mục 2.{n}.a"
"""
TODAY = date(2026, 12, 6)


@dataclass
class ReportsResult:
    nominations: int
    communes: int
    counts_s: float
    page_s: float
    chart_s: float
    chart_all_s: float
    chart_kb: float
    excel_rows: int
    excel_s: float
    excel_kb: float
    peak_rss_mb: float

    def lines(self, goal_s: float, goal_rss_mb: float) -> list[str]:
        return [
            f"reports: {self.nominations} nominations in {self.communes} communes",
            f"  counts (GROUP BY and roll-up) {self.counts_s:.3f} s (goal <= {goal_s:g} s)",
            f"  first page of /progress, counts included {self.page_s:.3f} s",
            f"  chart of the page (10 communes, {self.chart_kb:.0f} KB PNG) {self.chart_s:.3f} s "
            f"(goal <= {goal_s:g} s)",
            f"  chart of all {self.communes} communes {self.chart_all_s:.3f} s",
            f"  Excel registration list of the district, {self.excel_rows} rows "
            f"({self.excel_kb:.0f} KB), query included {self.excel_s:.3f} s (goal <= {goal_s:g} s)",
            f"  peak RSS {self.peak_rss_mb:.0f} MB (goal <= {goal_rss_mb:.0f} MB)",
        ]

    def met(self, goal_s: float, goal_rss_mb: float) -> bool:
        return (
            self.counts_s <= goal_s
            and self.page_s <= goal_s
            and self.chart_s <= goal_s
            and self.excel_s <= goal_s
            and self.peak_rss_mb <= goal_rss_mb
        )


def _units_csv(communes: int) -> str:
    lines = ["code,name,kind,parent_code", "T,Tỉnh Thử,province,", "T-H,Huyện Thử,district,T"]
    for c in range(communes):
        lines.append(f"T-H-{c},Xã Đăk {c:03d},commune,T-H")
        for v in range(3):
            lines.append(f"T-H-{c}-{v},Thôn {v + 1} (xã {c:03d}),village,T-H-{c}")
    return "\n".join(lines) + "\n"


async def _prepare(url: str, communes: int, nominations: int, seed: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    factory = create_session_factory(engine)
    async with factory() as session:
        await load_units(session, parse_units_csv(_units_csv(communes)))
        text = PLAN.format(categories="".join(CATEGORY.format(n=n) for n in range(1, 6)))
        version, _ = await store_plan(session, text, "bench-reports.toml")
        await activate_plan(session, version.plan_id, "T-H")
        proposer = User(telegram_id=1, full_name="Người đề xuất", locale="vi")
        session.add(proposer)
        await session.flush()
        villages = list(
            await session.scalars(select(Unit.id).where(Unit.kind == "village").order_by(Unit.id))
        )
        plan_version = await session.scalar(select(PlanVersion.id))
        rng = random.Random(seed)
        moment = datetime(2026, 11, 1, tzinfo=UTC)
        rows = [
            {
                "plan_version_id": plan_version,
                "plan_id": "bench-reports",
                "proposer_id": proposer.id,
                "unit_id": rng.choice(villages),
                "state": rng.choice(SHOWN),
                "subject_kind": "individual",
                "category_id": f"linh-vuc-{rng.randint(1, 5)}",
                "nominee": {"name": f"Người số {n}"},
                "answers": {},
                "created_at": moment,
                "updated_at": moment,
                "submitted_at": moment,
            }
            for n in range(nominations)
        ]
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Nomination), rows[start : start + 2000])
        await session.commit()
    await engine.dispose()


async def run_reports(
    nominations: int, communes: int, database: str, keep: bool, say: Callable[[str], None]
) -> ReportsResult:
    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}" if database == "sqlite" else database
    try:
        say(f"  preparing {nominations} nominations in {communes} communes in {url} …")
        await _prepare(url, communes, nominations, seed=1)
        engine = create_engine(url)
        factory = create_session_factory(engine)
        async with factory() as session:
            district = await session.scalar(select(Unit).where(Unit.code == "T-H"))
            assert district is not None
            reviewer = Actor(
                user_id=1,
                telegram_id=1,
                locale="vi",
                roles=(
                    Role(
                        "admin",
                        district.id,
                        district.code,
                        district.name,
                        district.kind,
                        district.path,
                    ),
                ),
            )
            running = await running_plans(session, district, TODAY)
            plan = running[0].plan
            with use_locale("vi"):
                await progress_of(session, plan, district, TODAY)  # warm: plan parsed, caches
                started = time.perf_counter()
                progress = await progress_of(session, plan, district, TODAY)
                counts_s = time.perf_counter() - started
                started = time.perf_counter()
                _reply, chart = await dialog.show_progress(session, reviewer, TODAY)
                page_s = time.perf_counter() - started
                workbook(plan, district, TODAY.year, [])  # openpyxl loaded
                started = time.perf_counter()
                entries = await listed(session, plan, district, TODAY.year)
                xlsx = workbook(plan, district, TODAY.year, entries)
                excel_s = time.perf_counter() - started
        await engine.dispose()
        assert chart is not None and len(progress.rows) == communes
        labels = chart.state_labels
        chart_png(chart.rows[:1], chart.title, labels, chart.quota_label)  # matplotlib loaded
        started = time.perf_counter()
        png = chart_png(chart.rows, chart.title, labels, chart.quota_label)
        chart_s = time.perf_counter() - started
        (workdir / "chart-page.png").write_bytes(png)
        started = time.perf_counter()
        whole = chart_png(progress.rows, chart.title, labels, chart.quota_label)
        chart_all_s = time.perf_counter() - started
        (workdir / "chart-all.png").write_bytes(whole)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if keep:
            say(f"  kept {workdir} (chart-page.png, chart-all.png, bench.db)")
        (workdir / "list.xlsx").write_bytes(xlsx)
        return ReportsResult(
            nominations,
            communes,
            counts_s,
            page_s,
            chart_s,
            chart_all_s,
            len(png) / 1024,
            len(entries),
            excel_s,
            len(xlsx) / 1024,
            peak,
        )
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
