"""The progress chart: a bar per unit, its nominations stacked by state, against its quota
(a black mark at the minimum; what counts toward it, approved, in review and submitted, is
stacked first).

Drawn with matplotlib's Figure API and Agg (no pyplot: no screen, no global state, safe in a
thread) in DejaVu Sans, which matplotlib ships and which has every Vietnamese letter. Horizontal
bars, so that long unit names stay readable on a phone; 800 px wide, taller with more units.
matplotlib is imported on first use: a bot that never draws a chart does not carry it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.reports.progress import UnitRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: A colour per state, distinguishable by most colour-blind readers (Okabe–Ito).
COLOURS = {
    "draft": "#BBBBBB",
    "submitted": "#56B4E9",
    "under_review": "#0072B2",
    "returned": "#E69F00",
    "approved": "#009E73",
    "rejected": "#D55E00",
}
WIDTH_PX, DPI = 800, 100
#: What counts toward the quota is stacked first, so the quota mark reads against it.
STACKED = ("approved", "under_review", "submitted", "returned", "draft", "rejected")


def chart_png(
    rows: Sequence[UnitRow], title: str, state_labels: dict[str, str], quota_label: str
) -> bytes:
    """The chart of ``rows`` as PNG bytes; labels come translated from the caller."""
    buffer = io.BytesIO()
    draw(rows, title, state_labels, quota_label).savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def draw(
    rows: Sequence[UnitRow], title: str, state_labels: dict[str, str], quota_label: str
) -> Figure:
    """The chart as a matplotlib Figure (no pyplot: no global state, safe in a thread)."""
    from matplotlib.figure import Figure

    names = [row.unit.name for row in rows][::-1]  # the first unit on top
    height = max(3.0, 1.2 + 0.45 * len(rows))
    figure = Figure(figsize=(WIDTH_PX / DPI, height), dpi=DPI)
    axes = figure.subplots()
    left = [0] * len(rows)
    ordered = list(rows)[::-1]
    positions = list(range(len(ordered)))
    for state in STACKED:
        values = [row.states.get(state, 0) for row in ordered]
        if not any(values):
            continue
        axes.barh(
            positions,
            values,
            left=left,
            color=COLOURS[state],
            label=state_labels.get(state, state),
            height=0.6,
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    labelled = False  # the legend names the mark once
    for y, row in enumerate(ordered):
        if row.quota is None:
            continue
        axes.plot(
            [row.quota.min, row.quota.min],
            [y - 0.4, y + 0.4],
            color="black",
            linewidth=2.5,
            label=None if labelled else quota_label,
        )
        labelled = True
    # Every unit named, drawn bars or not; the axis from 0 to past the highest mark.
    axes.set_yticks(positions, names)
    marks = [row.quota.min for row in ordered if row.quota is not None]
    axes.set_xlim(0, max([*left, *marks, 1]) * 1.05 + 0.5)
    axes.set_title(title, fontsize=12, loc="left")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="x", alpha=0.3)
    axes.tick_params(axis="y", labelsize=10)
    axes.set_axisbelow(True)
    axes.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False)
    figure.tight_layout()
    return figure
