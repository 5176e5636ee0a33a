"""A reviewer's card lists each criterion with its answer, verdict and files (issue 29)."""

from __future__ import annotations

from datetime import date

from bot.dialogs.review_cards import criteria_lines
from bot.i18n import use_locale
from bot.plans.loader import load_preset
from bot.workflow.criteria import findings
from storage.models import Nomination

TODAY = date(2026, 12, 6)


def test_each_criterion_has_its_answer_verdict_and_files() -> None:
    plan = load_preset("konray-2023-2025")
    nomination = Nomination(
        subject_kind="individual",
        category_id="can-bo-cong-chuc-vien-chuc",
        nominee={},
        answers={
            "thanh-tich-tieu-bieu": {"value": "Vận động 30 hộ làm nhà văn hóa"},
            "dan-dau-phong-trao": {"value": True},
            "chap-hanh-chu-truong": {"value": False},
            "cb-htxs-hang-nam": {"years": {"2025": True, "2024": True, "2023": True}},
        },
    )
    criteria = plan.criteria_for("can-bo-cong-chuc-vien-chuc", "individual")
    counts = {"dan-dau-phong-trao": 2}
    found = findings(criteria, nomination.answers, counts, TODAY)
    with use_locale("vi"):
        lines = criteria_lines(nomination, plan, found, counts)
    assert len(lines) == 2 * len(criteria)
    answers = dict(zip(lines[0::2], lines[1::2], strict=True))
    first, second, third = list(answers)[:3]
    assert first.startswith("1. Có thành tích tiêu biểu") and "(" in first
    # A written answer is measured by the bot, weighed by the reviewer.
    assert answers[first] == "    Vận động 30 hộ làm nhà văn hóa → 🔍 cần xem"
    assert answers[second] == "    Có → ✅ đạt · 📎 2 tệp"
    assert answers[third] == "    Không → ❌ không đạt"
    assert "    — → ▫️ chưa trả lời" in answers.values()
    assert any(value.endswith("→ ✅ đạt") and "3 năm" in value for value in answers.values())
    with use_locale("en"):
        english = criteria_lines(nomination, plan, found, counts)
    assert "    Yes → ✅ met · 📎 2 files" in english
