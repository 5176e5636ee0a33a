"""How a plan is named on a screen: its title, and its document's number only where known.

Several presets transcribe documents whose number the source does not give ("…/KH-UBND"): a
reader is shown the title (or its first words) instead, never a number with a hole in it.
"""

from __future__ import annotations

from bot.i18n import get_locale
from bot.plans.schema import Plan

SHORT_TITLE = 40


def plan_name(plan: Plan) -> str:
    """Its title, with the document's number where it is known."""
    title = plan.title_for(get_locale())
    return f"{title} ({plan.plan.number})" if plan.plan.number else title


def plan_short(plan: Plan) -> str:
    """A few words that tell plans apart (all titles start "Kế hoạch xây dựng…"): the issuer and
    the number, or the issuer and the title's first words."""
    return f"{plan.plan.issuer}: {plan.plan.number or _first_words(plan.title_for(get_locale()))}"


def _first_words(title: str) -> str:
    if len(title) <= SHORT_TITLE:
        return title
    return title[:SHORT_TITLE].rsplit(" ", 1)[0] + "…"
