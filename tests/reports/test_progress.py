"""Issue 31: /progress counts, who sees what, paging, the chart.

The tiny plan runs in Kon Rẫy with a commune quota of at least 1, at most 1. Nominations are
made as drafts by real proposers, then put in each state directly: these tests count, they do
not review. Demo people: 1001 and 1002 village heads of Đăk Ruồng, 1003 its commune officer,
1005 the district reviewer (in the district's home affairs office); 2001 a village head of Tân
Lập, 2002 a commune officer there.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs import progress as dialog
from bot.i18n import use_locale
from bot.reports.chart import WIDTH_PX, chart_png
from bot.reports.progress import progress_of
from bot.workflow.activations import running_plans
from bot.workflow.lifecycle import WITHDRAWN
from tests.reports.tiny import TAN_LAP, TINY, tiny_at, tiny_draft
from tests.workflow.seeded import TODAY, actor, seeded_database, unit

seeded_file, database_url = seeded_database(tiny_plans=True, people=TAN_LAP)
#: Who proposes, in which state it ends: the hand count below follows this list.
MADE = [
    (1002, "draft"),
    (1002, "submitted"),
    (1002, "approved"),
    (1001, "rejected"),
    (1001, "returned"),
    (1002, "under_review"),
    (2001, "draft"),  # Tân Lập has only a draft: below its minimum
    (2001, WITHDRAWN),  # gone from every count
]


async def make(session: AsyncSession) -> None:
    for n, (tid, state) in enumerate(MADE):
        nomination = await tiny_draft(session, tid)
        nomination.nominee = {"name": f"Người số {n}"}
        nomination.category_id = "nguoi-tot"
        nomination.subject_kind = "individual"
        nomination.state = state
    await session.flush()


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    with use_locale("vi"):
        yield


async def test_a_district_counts_match_a_hand_count(session: AsyncSession) -> None:
    await make(session)
    district = await unit(session, "KT-KR")
    plan = next(r.plan for r in await running_plans(session, district, TODAY) if r.plan.id == TINY)
    found = await progress_of(session, plan, district, TODAY)
    rows = {row.unit.code: row for row in found.rows}
    assert list(rows) == ["KT-KR-DRU", "KT-KR-TL"]  # the communes, in Vietnamese order
    assert rows["KT-KR-DRU"].states == Counter(
        draft=1, submitted=1, under_review=1, approved=1, rejected=1, returned=1
    )
    assert rows["KT-KR-DRU"].counted == 3  # submitted, in review and approved count
    assert rows["KT-KR-DRU"].full and not rows["KT-KR-DRU"].behind
    assert rows["KT-KR-TL"].states == Counter(draft=1)
    assert rows["KT-KR-TL"].counted == 0 and rows["KT-KR-TL"].behind
    assert [row.unit.code for row in found.behind] == ["KT-KR-TL"]
    assert found.totals == Counter(
        draft=2, submitted=1, under_review=1, approved=1, rejected=1, returned=1
    )
    assert found.categories == {"nguoi-tot": found.totals}


async def test_a_commune_officer_sees_only_their_commune(session: AsyncSession) -> None:
    await make(session)
    officer = await actor(session, 1003)
    reply, chart = await dialog.show_progress(session, officer, TODAY, await tiny_at(session, 1003))
    text = reply.screens[0].text
    assert "Xã Đăk Ruồng" in text and "Tân Lập" not in text
    assert "Thôn 10 (Đăk Ruồng)" in text and "Làng Kon Skôi (Đăk Ruồng)" in text
    # The commune's own quota counts its whole subtree, as the review chain counts it.
    assert "Chỉ tiêu của Xã Đăk Ruồng: 3/1 (tối đa 1) ✓" in text
    assert chart is not None
    assert {row.unit.code for row in chart.rows} == {"KT-KR-DRU-T1", "KT-KR-DRU-T3"}
    other = await actor(session, 2002)
    listed = await dialog.show_list(session, other, TODAY, await tiny_at(session, 2002), "draft", 0)
    assert "Người số 0" not in listed.screens[0].text  # a Đăk Ruồng draft, not Tân Lập's


async def test_pages_by_button_and_the_lists_open_cards(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make(session)
    monkeypatch.setattr(dialog, "PAGE", 1)
    reviewer = await actor(session, 1005)  # an office: its district is what it follows
    tiny = await tiny_at(session, 1005)
    first, _ = await dialog.show_progress(session, reviewer, TODAY, tiny)
    labels = [c.label for c in first.screens[0].choices]
    pages = [c for c in first.screens[0].choices if c.action.startswith("pg:")]
    assert [c.label for c in pages][:2] == ["·1·", "2"]
    second, chart = await dialog.show_progress(session, reviewer, TODAY, tiny, 1)
    assert "(trang 2/2" in second.screens[0].text
    assert chart is not None and len(chart.rows) == 1
    assert "đã phê duyệt (1)" in labels
    states = [c for c in first.screens[0].choices if c.action.startswith("pl:")]
    approved = next(c for c in states if ":approved:" in c.action)
    listed = await dialog.show_list(session, reviewer, TODAY, tiny, "approved", 0)
    [open_card] = [c for c in listed.screens[0].choices if c.action.startswith("rv:")]
    assert open_card.action.endswith(":o") and approved.label.endswith("(1)")


async def test_the_chart_is_a_png_of_the_expected_width(session: AsyncSession) -> None:
    await make(session)
    reviewer = await actor(session, 1005)
    _reply, chart = await dialog.show_progress(
        session, reviewer, TODAY, await tiny_at(session, 1005)
    )
    assert chart is not None
    png = chart_png(chart.rows, chart.title, chart.state_labels, chart.quota_label)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size[0] == WIDTH_PX and image.size[1] >= 300


async def test_a_list_by_category_shows_each_state(session: AsyncSession) -> None:
    await make(session)
    reviewer = await actor(session, 1005)
    tiny = await tiny_at(session, 1005)
    reply, _chart = await dialog.show_progress(session, reviewer, TODAY, tiny)
    field = next(c for c in reply.screens[0].choices if c.action.endswith(":c0:0"))
    assert field.label == "Lĩnh vực 1 (7)"  # every shown state; the withdrawn one is not
    assert "  1. Người tốt, việc tốt: nháp 2" in reply.screens[0].text
    listed = await dialog.show_list(session, reviewer, TODAY, tiny, "c0", 0)
    text = listed.screens[0].text
    assert text.startswith("Người tốt, việc tốt — UBND huyện Thử: 01/KH-TEST — Huyện Kon Rẫy: 7")
    assert "— bị từ chối —" in text and "— nháp —" in text
    assert len([c for c in listed.screens[0].choices if c.action.startswith("rv:")]) == 7
    stale = await dialog.show_list(session, reviewer, TODAY, tiny, "c9", 0)
    assert stale.toast and not stale.screens


def test_a_chart_without_bars_still_names_every_unit() -> None:
    """Units with nothing yet but a quota: the bars are empty, the names and marks are not."""
    from types import SimpleNamespace

    from bot.reports.chart import draw
    from bot.reports.progress import UnitRow

    rows = [
        UnitRow(SimpleNamespace(name=name), Counter(), SimpleNamespace(min=m, max=None))  # type: ignore[arg-type]
        for name, m in (("Xã Đăk Ruồng", 2), ("Xã Tân Lập", 3))
    ]
    axes = draw(rows, "Tiến độ", {}, "tối thiểu").axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["Xã Tân Lập", "Xã Đăk Ruồng"]
    assert axes.get_xlim()[0] == 0 and axes.get_xlim()[1] > 3
