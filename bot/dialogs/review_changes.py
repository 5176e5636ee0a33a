"""The part of a reviewer's card that says what changed since the nomination was returned."""

from __future__ import annotations

from typing import Any

from bot.dialogs.nomination.cards import FIELD_LABELS, SEX_LABELS, criterion_answer
from bot.i18n import _, get_locale, ngettext
from bot.plans.schema import Plan
from bot.workflow.resubmission import Changes
from bot.workflow.text import shorten
from storage.models import Nomination


def _as_sent(nomination: Nomination, snapshot: dict[str, Any]) -> Nomination:
    """The nomination as the previous round sent it, to read its answers the same way."""
    return Nomination(
        subject_kind=snapshot.get("subject_kind"),
        category_id=snapshot.get("category_id"),
        nominee=snapshot.get("nominee") or {},
        achievements=snapshot.get("achievements"),
        answers=snapshot.get("answers") or {},
        plan_version_id=nomination.plan_version_id,
    )


def _nominee_value(nominee: dict[str, Any], key: str) -> str:
    value = nominee.get(key)
    if value is None or value == "":
        return "—"
    if key == "sex" and value in SEX_LABELS:
        return _(SEX_LABELS[value])
    return str(value)


def changes_lines(nomination: Nomination, plan: Plan, changes: Changes) -> list[str]:
    """Answers before → after, and the files added, under one heading."""
    locale = get_locale()
    before = _as_sent(nomination, changes.before)
    lines = ["🔁 " + _("Changed since it was returned:")]
    for key in changes.nominee:
        label = _(FIELD_LABELS[key]) if key in FIELD_LABELS else key
        old = _nominee_value(before.nominee, key)
        new = _nominee_value(nomination.nominee, key)
        lines.append(f"  • {label}: {old} → {new}")
    if changes.achievements:
        lines.append(
            "  • "
            + _("Achievements: {before} → {after}").format(
                before=shorten(before.achievements or "—", 60),
                after=shorten(nomination.achievements or "—", 120),
            )
        )
    for criterion_id in changes.criteria:
        try:
            criterion = plan.criterion(criterion_id)
        except KeyError:
            continue
        old = criterion_answer(before, plan, criterion) or "—"
        new = criterion_answer(nomination, plan, criterion) or "—"
        lines.append(f"  • {shorten(criterion.text_for(locale), 60)}: {old} → {new}")
    for criterion_id, count in sorted(changes.files_added.items()):
        if criterion_id:
            try:
                what = shorten(plan.criterion(criterion_id).text_for(locale), 60)
            except KeyError:
                what = criterion_id
        else:
            what = _("the achievements")
        files = ngettext("{n} file", "{n} files", count).format(n=count)
        lines.append("  • " + _("Added {files} for: {what}").format(files=files, what=what))
    return lines
