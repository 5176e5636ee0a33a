"""The plan model's helpers: criteria for a subject, lookups, deadlines, defaults."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.plans.fields import CRITERION_KINDS, SUBJECT_KINDS
from bot.plans.loader import (
    load_plan_text,
)
from bot.plans.schema import Deadline, Plan

from .conftest import FILE, VALID_PLAN, edit


@pytest.fixture
def plan() -> Plan:
    return load_plan_text(VALID_PLAN, FILE)


def test_criteria_for(plan):
    ids = lambda criteria: [c.id for c in criteria]  # noqa: E731
    assert ids(plan.criteria_for("nong-dan", "individual")) == [
        "chap-hanh",
        "thu-nhap",
        "anh-mo-hinh",
    ]
    assert ids(plan.criteria_for("nong-dan", "household")) == [
        "chap-hanh",
        "gia-dinh-van-hoa",
        "thu-nhap",
    ]
    assert ids(plan.criteria_for("thon", "collective")) == ["chap-hanh", "xep-loai", "mo-ta"]
    assert plan.criteria_for("thon", "individual") == ()
    with pytest.raises(KeyError):
        plan.criteria_for("khong-co", "individual")


def test_categories_and_lookups(plan):
    assert [c.id for c in plan.categories_for("household")] == ["nong-dan"]
    assert [c.id for c in plan.categories_for("collective")] == ["thon"]
    assert plan.subject_kinds() == ("individual", "household", "collective")
    assert plan.criterion("mo-ta").kind == "text"
    assert plan.criterion("chap-hanh").kind == "attest"
    assert plan.deadline("bao-cao").yearly == "12-15"
    with pytest.raises(KeyError):
        plan.category("khong-co")
    with pytest.raises(KeyError):
        plan.criterion("khong-co")
    assert SUBJECT_KINDS == ("individual", "household", "collective")
    assert set(CRITERION_KINDS) == {"attest", "evidence", "number", "years", "choice", "text"}


def test_subject_kinds_in_fixed_order():
    text = edit(
        VALID_PLAN,
        ('subjects = ["individual", "household"]', 'subjects = ["household"]'),
        ('subjects = ["individual"]\n  required', "required"),
        ('subjects = ["individual"]\nmin = 1', 'subjects = ["household"]\nmin = 1'),
    )
    assert load_plan_text(text, FILE).subject_kinds() == ("household", "collective")


def test_criterion_defaults_and_locale(plan):
    evidence = plan.criterion("anh-mo-hinh")
    assert evidence.min_files_required == 2
    assert evidence.required is False
    assert plan.criterion("thu-nhap").min == 100
    text = plan.criterion("mo-ta")
    assert (text.text_min_length, text.text_max_length) == (20, 500)
    attest = plan.criterion("chap-hanh")
    assert attest.required is True
    assert (attest.min_files_required, attest.text_min_length, attest.text_max_length) == (
        1,
        1,
        1000,
    )
    assert attest.text_for("en") == "Abides by the Party's and State's policies"
    assert attest.text_for("vi") == "Chấp hành tốt chủ trương, chính sách"
    assert plan.criterion("mo-ta").text_for("en") == "Mô tả cách làm hay"  # no companion
    assert plan.category("nong-dan").title_for("en") == "Good farmer"
    assert plan.category("thon").title_for("en") == "Thôn tiêu biểu"
    assert plan.title_for("en") == "Test commune exemplar plan"


def test_fixed_deadline_occurrences(plan):
    deadline = plan.deadline("dang-ky")
    assert deadline.occurrences(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 3, 31)
    ]
    assert deadline.occurrences(dt.date(2026, 3, 31), dt.date(2026, 3, 31)) == [
        dt.date(2026, 3, 31)
    ]
    assert deadline.occurrences(dt.date(2026, 4, 1), dt.date(2027, 12, 31)) == []
    assert deadline.next_after(dt.date(2026, 3, 30)) == dt.date(2026, 3, 31)
    assert deadline.next_after(dt.date(2026, 3, 31)) is None  # strictly after
    assert deadline.next_after(dt.date(2026, 3, 1), until=dt.date(2026, 3, 15)) is None


def test_yearly_deadline_occurrences(plan):
    deadline = plan.deadline("bao-cao")
    assert deadline.occurrences(dt.date(2026, 1, 1), dt.date(2027, 12, 31)) == [
        dt.date(2026, 12, 15),
        dt.date(2027, 12, 15),
    ]
    assert deadline.occurrences(dt.date(2026, 12, 16), dt.date(2027, 12, 14)) == []
    assert deadline.next_after(dt.date(2026, 6, 1)) == dt.date(2026, 12, 15)
    assert deadline.next_after(dt.date(2026, 12, 15)) == dt.date(2027, 12, 15)
    assert deadline.next_after(dt.date(2027, 12, 31), until=dt.date(2027, 12, 31)) is None


def test_deadline_built_in_python():
    deadline = Deadline(id="x", title="X", yearly="01-01", owed_by="commune", cite="c")
    assert deadline.stage == "propose"
    assert deadline.next_after(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


def test_deadlines_between_stays_in_period(plan):
    found = plan.deadlines_between(dt.date(2025, 1, 1), dt.date(2030, 1, 1))
    assert [(day, d.id) for day, d in found] == [
        (dt.date(2026, 3, 31), "dang-ky"),
        (dt.date(2026, 12, 15), "bao-cao"),
        (dt.date(2027, 12, 15), "bao-cao"),
    ]


def test_models_are_frozen(plan):
    with pytest.raises(ValueError):
        plan.plan.id = "khac"  # type: ignore[misc]
