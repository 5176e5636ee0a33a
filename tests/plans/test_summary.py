"""The plan summary carries every fact an official checks against the paper document."""

from __future__ import annotations

import pytest

from bot.i18n import get_locale
from bot.plans.loader import load_plan_file, load_plan_text, preset_paths
from bot.plans.summary import render_plan_summary

from .conftest import FILE, VALID_PLAN, edit


@pytest.fixture
def plan():
    return load_plan_text(VALID_PLAN, FILE)


# Plan content that must appear whatever the locale (labels may or may not be translated yet).
FACTS = [
    "xa-thu",
    "1/KH-UBND",
    "UBND xã Thử",
    "10/01/2026",  # issued_on, dd/mm/yyyy
    "15/01/2026",  # effective_on
    "01/01/2026",
    "31/12/2027",
    "Phòng Nội vụ huyện",
    "thu.pdf",
    "31/03/2026",  # fixed deadline
    "15/12",  # yearly deadline
    "Đăng ký danh sách",
    "Mục IV.1",
    "Mục IV.3",
    "Mỗi chi hội ít nhất 01 gương",  # quota note
    "Gia đình văn hóa",
    "Mục III.1.b",
    "100%",
    "Ảnh mô hình sản xuất",
    "Tốt / Khá / Trung bình",
    "Mục III.3.b",
    "Mục IV.5",
    "500",
]


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_summary_has_key_facts(plan, locale):
    text = render_plan_summary(plan, locale)
    for fact in FACTS:
        assert fact in text, f"{fact!r} missing from the {locale} summary:\n{text}"
    # every criterion and category, in order
    positions = [text.index(c.text_for(locale)) for c in plan.all_criteria()]
    assert positions[:2] == sorted(positions[:2])
    assert text.index(plan.categories[0].title_for(locale)) < text.index(
        plan.categories[1].title_for(locale)
    )


def test_summary_uses_english_companions_only_in_english(plan):
    vi = render_plan_summary(plan, "vi")
    en = render_plan_summary(plan, "en")
    assert vi.splitlines()[0] == "Kế hoạch xây dựng điển hình tiên tiến xã Thử"
    assert en.splitlines()[0] == "Test commune exemplar plan"
    assert "Chấp hành tốt chủ trương, chính sách" in vi
    assert "Abides by the Party's and State's policies" in en
    assert "Good farmer" in en and "Good farmer" not in vi
    assert "Thôn tiêu biểu" in en  # no companion: the Vietnamese stays
    assert "Mô tả cách làm hay" in en


def test_summary_english_labels(plan):
    en = render_plan_summary(plan, "en")
    for label in ("Deadlines:", "Quotas:", "Categories:", "General criteria", "Honoured every 2"):
        assert label in en
    assert "at least 100%" in en
    assert "optional" in en
    assert "Farmers' Association" in en


def test_summary_restores_locale(plan):
    before = get_locale()
    render_plan_summary(plan, "en" if before != "en" else "vi")
    assert get_locale() == before


def test_summary_of_standing_plan_without_optional_parts():
    text = edit(
        VALID_PLAN,
        (", end = 2027-12-31 }", " }"),
        ('title_en = "Test commune exemplar plan"\n', ""),
        ("honour_every_years = 2\n", ""),
    )
    plan = load_plan_text(text, FILE)
    en = render_plan_summary(plan, "en")
    assert "no end date" in en
    assert "Honoured" not in en


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.name) for p in preset_paths()]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no presets in bot/plans/presets yet"))],
)
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_preset_summarises(path, locale):
    plan = load_plan_file(path)
    text = render_plan_summary(plan, locale)
    assert plan.plan.document in text
    for category in plan.categories:
        assert category.title_for(locale) in text


def test_summary_of_levels_owed_by_lists_and_conditional_consultation():
    from .test_loader import EXTENDED_PLAN

    plan = load_plan_text(EXTENDED_PLAN, FILE)
    en = render_plan_summary(plan, "en")
    assert "each Farmers' Association at commune level" in en
    assert "owed by commune, agency, Fatherland Front; closes report" in en
    assert "owed by village; closes registration" in en  # a single name as before
    assert "only when the answer to “Xếp loại thôn” is: Tốt" in en
    lines = en.splitlines()
    consult = next(i for i, line in enumerate(lines) if "Must consult" in line)
    assert "only when" in lines[consult + 1]
    vi = render_plan_summary(plan, "vi")
    assert "Xếp loại thôn" in vi and "Tốt" in vi


def test_summary_without_a_level_or_condition_is_unchanged(plan):
    en = render_plan_summary(plan, "en")
    assert " level" not in en
    assert "only when" not in en


def test_kontum_summary_names_who_is_vetted():
    from bot.plans.loader import load_preset

    en = render_plan_summary(load_preset("kontum-44-2023"), "en")
    assert en.count("is: Người có uy tín / Cán bộ cốt cán") == 5


def test_a_plan_that_lets_reviewers_pass_over_an_objection_says_so():
    from pathlib import Path

    from bot.plans.loader import load_preset

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    en = render_plan_summary(load_plan_file(fixtures / "tiny-consult.toml"), "en")
    assert en.count("a reviewer may pass over an objection, with a reason") == 1
    assert "pass over" not in render_plan_summary(load_preset("kontum-44-2023"), "en")
