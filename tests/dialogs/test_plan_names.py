"""Plans are named by their title and, only where it is known, their document's number."""

from __future__ import annotations

from bot.dialogs.nomination import cards
from bot.dialogs.plan_names import plan_name, plan_short
from bot.i18n import use_locale
from bot.plans.loader import load_preset


def test_a_number_the_document_does_not_give_is_never_shown() -> None:
    konray = load_preset("konray-2023-2025")  # "…/KH-UBND": the seed shows no number
    dakdoa = load_preset("dakdoa-101-2021")  # "101/KH-UBND"
    assert konray.plan.number is None and dakdoa.plan.number == "101/KH-UBND"
    with use_locale("vi"):
        assert plan_name(dakdoa).endswith("(101/KH-UBND)")
        assert plan_name(konray) == konray.plan.title
        assert plan_short(dakdoa) == "UBND huyện Đak Đoa: 101/KH-UBND"
        short = plan_short(konray)
        assert short.startswith("UBND huyện Kon Rẫy: Kế hoạch xây dựng") and short.endswith("…")
        shown = [
            cards.plan_choice_text([konray, dakdoa]),
            cards.started(konray),
            cards.citation(konray, "Điều 3"),
        ]
    assert all("…/" not in text for text in shown), shown
    assert cards.citation(konray, "Điều 3") == "Điều 3"
